"""The demo calendar links the 2022 plan's brand activities (三(一)5) to their campaigns."""

from datetime import date

import pytest

from xuanpei.accounts.factories import UserFactory
from xuanpei.core.permissions import Role
from xuanpei.plans.factories import PlanFactory, TaskFactory
from xuanpei.publicity import demo
from xuanpei.publicity.models import Campaign

pytestmark = pytest.mark.django_db


def test_the_demo_links_the_brand_activities_and_runs_twice_without_change(district):
    UserFactory(unit=district.root, role=Role.DISTRICT_ADMIN)
    plan = PlanFactory(unit=district.root, year=2022)
    task = TaskFactory(plan=plan, number="三(一)5")

    result = demo.seed_publicity(today=date(2022, 12, 1))

    names = set(task.campaigns.values_list("name", flat=True))
    assert names == set(demo.BRAND)
    june = Campaign.objects.get(year=2022, name="安全生产月")
    assert june.theme == "遵守安全生产法 当好第一责任人"
    assert result.waiting >= 6  # 安全生产万里行 and the five seasons stay 待通知
    assert Campaign.objects.filter(year=2022, name="东新城安全文化日").exists()
