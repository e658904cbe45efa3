"""What the plan browser tests share: a district task for two new towns, both viewport sizes, a user switch."""

from decimal import Decimal

from django.utils import timezone

from xuanpei.plans import services
from xuanpei.plans.choices import Timeframe
from xuanpei.plans.factories import PlanFactory, TargetFactory, TaskFactory
from xuanpei.plans.models import Assignment

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def town_a_assignment(district, *, number, title, content, target, value, unit_label):
    """This year's issued-style district task led by both new towns; 东新城's assignment."""
    year = timezone.localdate().year
    plan = PlanFactory(
        unit=district.root, year=year, title=f"测试区{year}年应急管理宣传教育培训工作计划"
    )
    task = TaskFactory(
        plan=plan, number=number, title=title, content=content, timeframe=Timeframe.ALL_YEAR
    )
    TargetFactory(task=task, name=target, value=Decimal(value), unit_label=unit_label)
    task.lead_units.set([district.town_a_unit, district.town_b_unit])
    services.sync_assignments(task)
    return Assignment.objects.get(task=task, unit=district.town_a_unit)


def both_sizes(page, shot, name):
    """Screenshot at 1280 and 390 px; the phone page must not scroll sideways."""
    shot(f"{name}-desktop")
    page.set_viewport_size(PHONE)
    shot(f"{name}-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, name
    page.set_viewport_size(DESKTOP)


def switch_user(page, login, username):
    page.context.clear_cookies()
    return login(username)
