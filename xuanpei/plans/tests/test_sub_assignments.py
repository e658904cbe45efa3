"""Issue #8 item 8: a new town breaks a district assignment down to its 镇街, the 镇街
sees and reports it, the new town reviews, and the new town's assignment rolls the
accepted quantities up (computed from the reports, never retyped)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from xuanpei.accounts.factories import UserFactory
from xuanpei.core.permissions import Role
from xuanpei.notifications.models import Notification
from xuanpei.plans import reminders, services, subassign
from xuanpei.plans.choices import ReportStatus, Timeframe
from xuanpei.plans.factories import PlanFactory, TargetFactory, TaskFactory
from xuanpei.plans.models import Assignment, ProgressReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def street_user(district):
    return UserFactory(username="street_a", unit=district.street_a, role=Role.REPORTER)


@pytest.fixture
def town_task(district):
    """A district task (five brand activities a year) carried by 东新城 and 西新城."""
    year = timezone.localdate().year
    plan = PlanFactory(unit=district.root, year=year, title=f"测试区{year}年宣传教育培训计划")
    task = TaskFactory(
        plan=plan, number="三(一)5", title="品牌宣传活动", timeframe=Timeframe.ALL_YEAR
    )
    TargetFactory(task=task, name="品牌活动", value=Decimal("5"), unit_label="次")
    task.lead_units.set([district.town_a_unit, district.town_b_unit])
    services.sync_assignments(task)
    return task


@pytest.fixture
def town_assignment(district, town_task):
    return Assignment.objects.get(task=town_task, unit=district.town_a_unit)


def report(assignment, user, value, *, year=None, accept_by=None):
    year = year or timezone.localdate().year
    target = assignment.task.targets.get()
    r = services.save_report(
        assignment, actor=user, period_key=str(year), summary="开展品牌活动",
        quantities={target.pk: value},
    )  # fmt: skip
    services.submit_report(r, actor=user)
    if accept_by is not None:
        services.review_report(r, actor=accept_by, accept=True)
    return r


# ---------------------------------------------------------------- breaking down


def test_a_new_town_breaks_its_assignment_down_to_a_street_which_sees_it_in_its_inbox(
    client, district, town_assignment, street_user
):
    [sub] = subassign.break_down(town_assignment, actor=district.town_a, units=[district.street_a])

    sub.refresh_from_db()
    assert sub.parent_id == town_assignment.pk
    assert (sub.task_id, sub.unit_id) == (town_assignment.task_id, district.street_a.pk)
    assert sub.role == town_assignment.role
    client.force_login(street_user)
    body = client.get(reverse("plans:inbox")).content.decode()
    assert "品牌宣传活动" in body
    assert "本单位暂无任务" not in body
    # The street hears of its new task in its inbox of messages.
    assert Notification.objects.filter(
        unit=district.street_a, title__contains="品牌宣传活动"
    ).exists()


def test_a_sub_assignment_lies_strictly_inside_the_parent_unit(district, town_assignment):
    for unit in (district.town_a_unit, district.town_b_sub, district.root):
        with pytest.raises(ValidationError) as exc:
            subassign.break_down(town_assignment, actor=district.town_a, units=[unit])
        assert unit.name in " ".join(exc.value.messages)
    assert not Assignment.objects.filter(parent=town_assignment).exists()


def test_only_the_responsible_unit_breaks_its_assignment_down(district, town_assignment):
    for user in (district.district, district.town_a_viewer, district.town_b):
        with pytest.raises(PermissionDenied):
            subassign.break_down(town_assignment, actor=user, units=[district.street_a])
    assert not Assignment.objects.filter(parent=town_assignment).exists()


def test_a_unit_that_already_carries_the_task_is_refused_by_name(district, town_assignment):
    subassign.break_down(town_assignment, actor=district.town_a, units=[district.street_a])
    with pytest.raises(ValidationError) as exc:
        subassign.break_down(
            town_assignment, actor=district.town_a, units=[district.village_a, district.street_a]
        )
    assert "甲街道" in " ".join(exc.value.messages)
    # Nothing half-written: 甲社区 was not added either.
    assert Assignment.objects.filter(parent=town_assignment).count() == 1


def test_a_draft_or_closed_plan_is_not_broken_down(district, town_assignment):
    plan = town_assignment.task.plan
    plan.status = "closed"
    plan.save()
    with pytest.raises(ValidationError):
        subassign.break_down(town_assignment, actor=district.town_a, units=[district.street_a])


def test_editing_the_task_keeps_the_sub_assignments(district, town_task, town_assignment):
    [sub] = subassign.break_down(town_assignment, actor=district.town_a, units=[district.street_a])
    services.sync_assignments(town_task)
    assert Assignment.objects.filter(pk=sub.pk, parent=town_assignment).exists()


# ---------------------------------------------------------------- reports and review


def test_the_new_town_reviews_the_street_report_and_the_district_does_not(
    district, town_assignment, street_user
):
    [sub] = subassign.break_down(town_assignment, actor=district.town_a, units=[district.street_a])
    r = report(sub, street_user, 3)

    assert services.can_manage(district.town_a, sub)
    assert not services.can_manage(district.district, sub)
    assert not services.can_manage(district.town_b, sub)
    # The district neither reviews nor writes the street's report; the new town only reviews.
    assert not services.can_report(district.district, sub)
    assert not services.can_report(district.town_a, sub)
    assert services.can_report(street_user, sub)
    with pytest.raises(PermissionDenied):
        services.review_report(r, actor=district.district, accept=True)
    services.review_report(r, actor=district.town_a, accept=True)
    assert ProgressReport.objects.get(pk=r.pk).status == ReportStatus.ACCEPTED
    # The new town still reports its own assignment, reviewed by the district.
    assert services.can_report(district.town_a, town_assignment)
    assert services.can_manage(district.district, town_assignment)


def test_the_submitted_report_reaches_the_unit_that_made_the_sub_assignment(
    district, town_assignment, street_user
):
    [sub] = subassign.break_down(town_assignment, actor=district.town_a, units=[district.street_a])
    report(sub, street_user, 3)
    submitted = Notification.objects.filter(title__contains="提交了进展报告")
    assert [n.unit_id for n in submitted] == [district.town_a_unit.pk]


def test_the_parent_progress_counts_accepted_sub_quantities_plus_its_own(
    client, district, town_assignment, street_user
):
    [street, village] = subassign.break_down(
        town_assignment, actor=district.town_a, units=[district.street_a, district.village_a]
    )
    target = town_assignment.task.targets.get()
    report(town_assignment, district.town_a, 2, accept_by=district.district)
    report(street, street_user, 3, accept_by=district.town_a)
    report(village, street_user, 10)  # submitted, not accepted: does not count

    [mine] = services.target_progress(town_assignment)
    assert (mine.target.pk, mine.total, mine.met) == (target.pk, Decimal("5"), True)
    [theirs] = services.target_progress(street)
    assert (theirs.total, theirs.met) == (Decimal("3"), False)
    rows = {
        r["assignment"].unit.name: r
        for r in subassign.rollup(town_assignment, district.town_a)["rows"]
    }
    assert rows["甲街道"]["quantities"] == [Decimal("3")]
    assert rows["甲社区"]["quantities"] == [None]

    client.force_login(district.town_a)
    body = client.get(town_assignment.get_absolute_url()).content.decode()
    assert 'id="rollup"' in body
    assert "甲街道" in body and "甲社区" in body
    # 5 of 5 brand activities: met by its own 2 and the street's 3.
    assert "已达成" in body


def test_a_street_gets_reminders_for_its_sub_assignment(district, town_assignment):
    year = timezone.localdate().year
    task = town_assignment.task
    task.timeframe, task.end_date = Timeframe.ALL_YEAR, date(year, 12, 31)
    task.save()
    [sub] = subassign.break_down(town_assignment, actor=district.town_a, units=[district.street_a])
    services.refresh_status(sub, on=date(year, 12, 28))
    reminders.send_plan_reminders(date(year, 12, 28), email=False)
    assert Notification.objects.filter(
        unit=district.street_a, key__startswith=f"plans:due:{sub.pk}:"
    ).exists()


# ---------------------------------------------------------------- pages


def test_the_break_down_page_offers_the_units_below_by_path_and_creates_them(
    client, district, town_assignment
):
    url = reverse("plans:subassignment_add", args=[town_assignment.pk])
    client.force_login(district.town_a)
    body = client.get(url).content.decode()
    assert "甲街道" in body and "甲街道 / 甲社区" in body
    assert "乙镇" not in body
    response = client.post(url, {"units": [district.street_a.pk]})
    assert response.status_code == 302
    assert Assignment.objects.filter(parent=town_assignment, unit=district.street_a).exists()
    assert "分解给下级单位" in client.get(town_assignment.get_absolute_url()).content.decode()


def test_the_break_down_page_refuses_other_units(client, district, town_assignment):
    url = reverse("plans:subassignment_add", args=[town_assignment.pk])
    client.force_login(district.town_b)
    assert client.get(url).status_code == 404
    for user in (district.town_a_viewer, district.district):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"units": [district.street_a.pk]}).status_code == 403
    assert not Assignment.objects.filter(parent=town_assignment).exists()


def test_a_bad_choice_on_the_break_down_page_is_a_chinese_message(
    client, district, town_assignment
):
    url = reverse("plans:subassignment_add", args=[town_assignment.pk])
    client.force_login(district.town_a)
    body = client.post(url, {"units": []}).content.decode()
    assert "请选择" in body
    body = client.post(url, {"units": [district.town_b_sub.pk]}).content.decode()
    assert "有效的选项" in body
    assert not Assignment.objects.filter(parent=town_assignment).exists()


def test_the_street_page_says_who_made_the_sub_assignment_and_reviews_it(
    client, district, town_assignment, street_user
):
    [sub] = subassign.break_down(town_assignment, actor=district.town_a, units=[district.street_a])
    client.force_login(street_user)
    body = client.get(sub.get_absolute_url()).content.decode()
    assert "由东新城分解" in body
    assert "填写进展报告" in body
    # The new town's own assignment stays out of the street's scope.
    assert client.get(town_assignment.get_absolute_url()).status_code == 404


def test_a_sibling_town_never_sees_the_sub_assignment(client, district, town_assignment):
    [sub] = subassign.break_down(town_assignment, actor=district.town_a, units=[district.street_a])
    client.force_login(district.town_b)
    assert client.get(sub.get_absolute_url()).status_code == 404
    # 西新城 carries the same task itself, but never sees 东新城's break-down.
    assert sub.get_absolute_url() not in client.get(reverse("plans:inbox")).content.decode()


# ---------------------------------------------------------------- empty inbox


def test_an_empty_street_inbox_says_why_and_what_to_do(client, district, street_user):
    client.force_login(street_user)
    body = client.get(reverse("plans:inbox")).content.decode()
    assert "本单位暂无任务。上级单位下发或分解任务后会显示在这里。" in body
    assert "没有符合条件的任务" not in body


def test_an_empty_inbox_of_a_unit_with_units_below_tells_how_to_break_tasks_down(client, district):
    client.force_login(district.town_a)
    body = client.get(reverse("plans:inbox")).content.decode()
    assert "本单位暂无任务" in body
    assert "分解给下级单位" in body


def test_a_filtered_empty_inbox_offers_to_clear_the_filters(client, district, town_assignment):
    client.force_login(district.town_a)
    body = client.get(reverse("plans:inbox"), {"q": "没有这个任务"}).content.decode()
    assert "没有符合条件的任务" in body
    assert "本单位暂无任务" not in body


# ---------------------------------------------------------------- API


def test_the_api_shows_the_parent_and_creates_sub_assignments_through_the_service(
    client, district, town_assignment
):
    client.force_login(district.town_a)
    response = client.post(
        "/api/v1/assignments/",
        {"parent": town_assignment.pk, "unit": district.street_a.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    sub = Assignment.objects.get(parent=town_assignment)
    assert response.json()["parent"] == town_assignment.pk
    assert client.get(f"/api/v1/assignments/{sub.pk}/").json()["parent"] == town_assignment.pk
    assert client.get(f"/api/v1/assignments/{town_assignment.pk}/").json()["parent"] is None
    listed = client.get("/api/v1/assignments/", {"parent": town_assignment.pk}).json()
    assert [row["id"] for row in listed["results"]] == [sub.pk]

    response = client.post(
        "/api/v1/assignments/",
        {"parent": town_assignment.pk, "unit": district.town_b_sub.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    # A sibling town cannot name 东新城's assignment at all: it "does not exist".
    client.force_login(district.town_b)
    response = client.post(
        "/api/v1/assignments/",
        {"parent": town_assignment.pk, "unit": district.town_b_sub.pk},
        content_type="application/json",
    )
    assert response.status_code == 400 and "parent" in response.json()
    client.force_login(district.district)
    response = client.post(
        "/api/v1/assignments/",
        {"parent": town_assignment.pk, "unit": district.village_a.pk},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Assignment.objects.filter(parent=town_assignment).count() == 1


def test_a_sub_assignment_inherits_the_task_periods_and_next_due(district, town_assignment):
    [sub] = subassign.break_down(town_assignment, actor=district.town_a, units=[district.street_a])
    assert sub.next_due == town_assignment.next_due
    assert sub.next_due is not None and sub.next_due >= timezone.localdate() - timedelta(days=366)


def test_the_maker_withdraws_an_unreported_sub_assignment_but_not_a_reported_one(
    client, district, town_assignment, street_user
):
    [street, village] = subassign.break_down(
        town_assignment, actor=district.town_a, units=[district.street_a, district.village_a]
    )
    report(street, street_user, 1)
    client.force_login(street_user)  # the street does not take back its own task
    assert (
        client.post(reverse("plans:subassignment_withdraw", args=[village.pk])).status_code == 403
    )
    client.force_login(district.town_a)
    client.post(reverse("plans:subassignment_withdraw", args=[street.pk]))
    assert Assignment.objects.filter(pk=street.pk).exists()  # it has a report
    client.post(reverse("plans:subassignment_withdraw", args=[village.pk]))
    assert not Assignment.objects.filter(pk=village.pk).exists()


def test_the_street_report_waits_in_the_new_towns_review_queue_not_the_districts(
    client, district, town_assignment, street_user
):
    [sub] = subassign.break_down(town_assignment, actor=district.town_a, units=[district.street_a])
    r = report(sub, street_user, 3)
    own = report(town_assignment, district.town_a, 1)
    assert list(services.reviewable_reports(district.town_a)) == [r]
    assert list(services.reviewable_reports(district.district)) == [own]
    assert list(services.reviewable_reports(district.town_a_viewer)) == []
    client.force_login(district.town_a)
    assert r.get_absolute_url() in client.get(reverse("plans:report_queue")).content.decode()


def test_a_street_named_by_the_district_later_becomes_the_districts_to_review(
    district, town_task, town_assignment
):
    [sub] = subassign.break_down(town_assignment, actor=district.town_a, units=[district.street_a])
    town_task.cooperating_units.set([district.street_a])
    services.sync_assignments(town_task)
    sub.refresh_from_db()
    assert (sub.parent_id, sub.role) == (None, "cooperate")
    assert Assignment.objects.filter(task=town_task, unit=district.street_a).count() == 1
    assert services.can_manage(district.district, sub)
