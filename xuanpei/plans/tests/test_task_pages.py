"""Task pages: detail, create and edit with targets, units narrowed to the issuer's scope,
assignments synced on save, and Chinese messages for bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xuanpei.plans.choices import AssignmentRole, PlanKind, TaskKind, Timeframe
from xuanpei.plans.factories import PlanFactory
from xuanpei.plans.models import Assignment, Target, Task
from xuanpei.plans.tests.plan_pages_data import district_plan

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"plans:{name}", args=args)


def task_post(lead=(), coop=(), targets=(), **overrides):
    data = {
        "number": "三(一)9",
        "title": "加强舆情应对",
        "kind": TaskKind.PUBLICITY,
        "content": "规范舆情应对处置流程",
        "lead_units": [str(u.pk) for u in lead],
        "cooperating_units": [str(u.pk) for u in coop],
        "other_units": "区委宣传部",
        "timeframe": Timeframe.QUARTERLY,
        "start_date": "",
        "end_date": "",
        "timeframe_note": "",
        "deliverables": "",
        "audience": "",
        "method": "",
        "targets-TOTAL_FORMS": str(len(targets) + 1),
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "20",
        f"targets-{len(targets)}-comparator": "ge",  # the blank extra row
    }
    for i, (name, comparator, value, label, per_period) in enumerate(targets):
        data.update(
            {
                f"targets-{i}-name": name,
                f"targets-{i}-comparator": comparator,
                f"targets-{i}-value": value,
                f"targets-{i}-unit_label": label,
            }
        )
        if per_period:
            data[f"targets-{i}-per_period"] = "on"
    data.update(overrides)
    return data


def test_the_task_page_shows_units_targets_periods_and_assignments(district, client):
    plan = district_plan(district)
    task = plan.tasks.get(number="三(二)3")
    client.force_login(district.district)
    body = client.get(url("task_detail", task.pk)).content.decode()
    assert "网格员每季度培训" in body and "网格员培训≥1次" in body
    assert "2022年第一季度" in body and "2022-03-31" in body
    assert "东新城" in body and "西新城" in body and "甲街道" in body
    split = body.split("任务分解")[1]
    assert split.count("/plans/assignments/") == 3
    client.force_login(district.town_b)
    body = client.get(url("task_detail", task.pk)).content.decode()
    split = body.split("任务分解")[1]  # the plan's text names every unit; the split is scoped
    assert "西新城" in split and "甲街道" not in split and split.count("/plans/assignments/") == 1
    assert url("task_edit", task.pk) not in body


def test_a_task_with_targets_is_added_and_split_into_assignments(district, client):
    plan = district_plan(district)
    client.force_login(district.district)
    data = task_post(
        lead=[district.town_a_unit],
        coop=[district.dept_unit],
        targets=[("开展舆情培训", "ge", "2", "次", True), ("覆盖率", "eq", "100", "%", False)],
    )
    response = client.post(url("task_add", plan.pk), data)
    task = Task.objects.get(plan=plan, number="三(一)9")
    assert response.status_code == 302 and response["Location"] == url("task_detail", task.pk)
    assert list(task.targets.values_list("order", "name", "per_period")) == [
        (0, "开展舆情培训", True),
        (1, "覆盖率", False),
    ]
    roles = dict(Assignment.objects.filter(task=task).values_list("unit__name", "role"))
    assert roles == {"东新城": AssignmentRole.LEAD, "教育局": AssignmentRole.COOPERATE}
    assert task.order == 4 and task.created_by == district.district


def test_a_draft_plans_tasks_wait_for_the_issue_to_be_split(district, client):
    plan = district_plan(district, issue=False)
    client.force_login(district.district)
    client.post(url("task_add", plan.pk), task_post(lead=[district.town_b_unit]))
    assert Task.objects.filter(plan=plan, number="三(一)9").exists()
    assert not Assignment.objects.exists()


@pytest.mark.parametrize(
    "overrides, field_message",
    [
        ({"timeframe": Timeframe.DATE_RANGE}, "完成时限为“时间段”时须填写开始日期"),
        (
            {
                "timeframe": Timeframe.DATE_RANGE,
                "start_date": "2022-06-30",
                "end_date": "2022-06-01",
            },
            "截止日期不能早于开始日期",
        ),
        ({"number": "三(一)1"}, "本计划中已有编号为“三(一)1”的任务"),
        ({"lead_units": []}, "请至少选择一个牵头单位"),
        ({"start_date": "2022-01-01"}, "每季度、每月的任务按期截止，不填写日期"),
    ],
)
def test_bad_task_input_is_explained_in_chinese_and_nothing_is_saved(
    district, client, overrides, field_message
):
    plan = district_plan(district)
    before = (Task.objects.count(), Target.objects.count(), Assignment.objects.count())
    client.force_login(district.district)
    data = task_post(lead=[district.town_a_unit], targets=[("培训", "ge", "1", "次", False)])
    data.update(overrides)
    response = client.post(url("task_add", plan.pk), data)
    assert response.status_code == 200
    assert field_message in response.content.decode()
    assert (Task.objects.count(), Target.objects.count(), Assignment.objects.count()) == before


def test_a_unit_cannot_be_both_lead_and_cooperating(district, client):
    plan = district_plan(district)
    client.force_login(district.district)
    data = task_post(lead=[district.town_a_unit], coop=[district.town_a_unit])
    body = client.post(url("task_add", plan.pk), data).content.decode()
    assert "同一单位不能既牵头又配合：东新城" in body


def test_a_bad_target_row_is_reported(district, client):
    plan = district_plan(district)
    client.force_login(district.district)
    data = task_post(lead=[district.town_a_unit], targets=[("培训", "ge", "-1", "次", False)])
    body = client.post(url("task_add", plan.pk), data).content.decode()
    assert "目标值不能为负数" in body
    assert not Task.objects.filter(number="三(一)9").exists()


def test_editing_the_units_resyncs_the_assignments(district, client):
    plan = district_plan(district)
    task = plan.tasks.get(number="三(一)1")
    client.force_login(district.district)
    data = task_post(lead=[district.town_a_unit], coop=[], number="三(一)1", title=task.title)
    data["timeframe"] = Timeframe.ALL_YEAR
    response = client.post(url("task_edit", task.pk), data)
    assert response.status_code == 302
    units = set(Assignment.objects.filter(task=task).values_list("unit__name", flat=True))
    assert units == {"东新城"}  # 西新城 and 教育局 had reported nothing: their rows went


def test_the_unit_choices_are_the_issuers_subtree(district, client):
    """A new town's own plan assigns only within the town; the district's, to every unit."""
    own = PlanFactory(unit=district.town_a_unit, kind=PlanKind.UNIT, year=2022)
    client.force_login(district.town_a)
    body = client.get(url("task_add", own.pk)).content.decode()
    assert "甲街道" in body and "西新城" not in body and "教育局" not in body
    assert "甲社区" not in body  # villages and communities carry no task

    plan = district_plan(district)
    client.force_login(district.district)
    body = client.get(url("task_add", plan.pk)).content.decode()
    for name in ("东新城", "西新城", "甲街道", "乙镇", "教育局", "住建局"):
        assert name in body
    assert body.index("西新城") < body.index("教育局")  # territory first, departments last


def test_a_town_cannot_add_tasks_to_the_district_plan(district, client):
    plan = district_plan(district)
    client.force_login(district.town_a)
    assert client.get(url("task_add", plan.pk)).status_code == 404
    response = client.post(url("task_add", plan.pk), task_post(lead=[district.town_a_unit]))
    assert response.status_code == 404
    assert not Task.objects.filter(number="三(一)9").exists()


def test_a_closed_plans_tasks_are_not_edited(district, client):
    plan = district_plan(district)
    plan.status = "closed"
    plan.save()
    client.force_login(district.district)
    assert client.get(url("task_add", plan.pk)).status_code == 403
    task = plan.tasks.first()
    assert client.get(url("task_edit", task.pk)).status_code == 403
