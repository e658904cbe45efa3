"""`xuanpei assessment compute|publish YYYYQn` (issue #13 item 5) and its exit codes:
0 done, 2 a bad period or unknown user, 1 refused (an unended quarter, published twice)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from xuanpei.assessment.management.commands.assessment import parse_period
from xuanpei.assessment.models import QuarterRun

pytestmark = pytest.mark.django_db


def xuanpei(*args):
    out = StringIO()
    call_command("assessment", *args, stdout=out)
    return out.getvalue()


def current_period() -> str:
    today = timezone.localdate()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


@pytest.mark.parametrize("bad", ["2026Q5", "2026Q0", "2026-2", "26Q2", "Q2", "2026", ""])
def test_a_bad_period_exits_2_with_a_chinese_message(bad):
    with pytest.raises(CommandError) as exc:
        parse_period(bad)
    assert exc.value.returncode == 2
    assert "格式不正确" in str(exc.value)


def test_periods_parse():
    assert parse_period("2026Q2") == (2026, 2)
    assert parse_period("2026q4") == (2026, 4)


def test_compute_then_publish_an_ended_quarter(district):
    assert "6 个单位" in xuanpei("compute", "2025Q2")
    assert "已发布" in xuanpei("publish", "2025Q2", "--user", district.district.username)
    run = QuarterRun.objects.get(year=2025, quarter=2)
    assert run.status == QuarterRun.Status.PUBLISHED and run.published_by == district.district
    with pytest.raises(CommandError) as exc:  # published: neither recomputed nor republished
        xuanpei("compute", "2025Q2")
    assert exc.value.returncode == 1
    assert "该季度考核已发布，不能重新计算" in str(exc.value)
    with pytest.raises(CommandError) as exc:
        xuanpei("publish", "2025Q2")
    assert exc.value.returncode == 1


def test_the_bad_period_through_the_command(district):
    with pytest.raises(CommandError) as exc:
        xuanpei("compute", "2026Q7")
    assert exc.value.returncode == 2


def test_publishing_the_running_quarter_exits_1_and_computes_nothing(district):
    period = current_period()
    assert "未结束" in xuanpei("compute", period)
    with pytest.raises(CommandError) as exc:
        xuanpei("publish", period)
    assert exc.value.returncode == 1
    assert "季度尚未结束，只能保存为草稿，不能发布" in str(exc.value)
    assert QuarterRun.objects.get().status == QuarterRun.Status.DRAFT


def test_an_unknown_or_unauthorised_user(district):
    with pytest.raises(CommandError) as exc:
        xuanpei("compute", "2025Q2", "--user", "nobody")
    assert exc.value.returncode == 2
    with pytest.raises(CommandError) as exc:
        xuanpei("compute", "2025Q2", "--user", district.town_a.username)
    assert exc.value.returncode == 1
    assert "区级管理员" in str(exc.value)
