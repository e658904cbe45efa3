"""A computed plan target on a phone (issue #11 item 6): the report form shows the value
counted from accepted activities, read-only, linked to the records; no sideways scroll."""

from datetime import date
from decimal import Decimal

import pytest

from xuanpei.plans import services
from xuanpei.plans.choices import Timeframe
from xuanpei.plans.factories import PlanFactory, TargetFactory, TaskFactory
from xuanpei.plans.models import Assignment
from xuanpei.publicity.factories_ledger import ActivityFactory
from xuanpei.publicity.metrics import ACTIVITIES
from xuanpei.publicity.models_ledger import ReviewStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_report_form_shows_the_computed_value_on_a_phone(
    district, login, page, live_server, shot
):
    plan = PlanFactory(unit=district.root, year=2024)
    task = TaskFactory(plan=plan, number="三(一)2", title="五进活动", timeframe=Timeframe.QUARTERLY)
    TargetFactory(
        task=task, name="五进活动", value=Decimal("1"), per_period=True, metric=ACTIVITIES
    )
    task.lead_units.set([district.town_a_unit])
    services.sync_assignments(task)
    a = Assignment.objects.get(task=task)
    for day in (date(2024, 3, 31), date(2024, 4, 1)):
        ActivityFactory(
            unit=district.street_a, held_on=day, status=ReviewStatus.ACCEPTED, tasks=[task]
        )
    login("town_a")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/plans/assignments/{a.pk}/reports/add/")
    box = page.locator("#computed-targets")
    assert "2024年第一季度：1" in box.inner_text().replace(" ", "")
    assert page.locator("input[name^=target_]").count() == 0
    shot("computed-target-report-form-390")
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    page.goto(f"{live_server.url}/plans/assignments/{a.pk}/")
    shot("computed-target-assignment-390")
    assert "自动统计" in page.locator("#target-list").inner_text()
