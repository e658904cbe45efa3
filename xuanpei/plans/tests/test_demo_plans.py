"""The demo plans of `seed-demo` (issue #4): a story as of a day, with every status in it."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from xuanpei.orgs import demo as orgs_demo
from xuanpei.plans import demo, services
from xuanpei.plans.choices import (
    AdjustmentStatus,
    AssignmentStatus,
    PlanKind,
    PlanStatus,
    ReportStatus,
)
from xuanpei.plans.models import (
    Adjustment,
    Assignment,
    Comment,
    Plan,
    ProgressReport,
    ReportEvent,
)

TODAY = date(2026, 11, 29)
EARLY = date(2026, 1, 12)  # nothing of this year has ended yet


@pytest.fixture
def demo_district(db, monkeypatch):
    monkeypatch.setattr(orgs_demo, "BASE_ENTERPRISES", 20)
    orgs_demo.seed_demo()


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    """One demo for the read-only tests of `TestTheDemoAsOfADay` (seeding takes seconds)."""
    md5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        pytest.MonkeyPatch.context() as mp,
        override_settings(PASSWORD_HASHERS=md5),
        transaction.atomic(),
    ):
        mp.setattr(orgs_demo, "BASE_ENTERPRISES", 20)
        orgs_demo.seed_demo()
        yield demo.seed_plans(today=TODAY)
        transaction.set_rollback(True)


@pytest.mark.parametrize("today", [TODAY, EARLY])
def test_every_assignment_status_occurs_on_any_day(demo_district, today):
    demo.seed_plans(today=today)

    statuses = set(Assignment.objects.values_list("status", flat=True))

    assert statuses == set(AssignmentStatus.values)


def _fingerprint():
    return sorted(
        Assignment.objects.values_list(
            "task__plan__year", "task__number", "unit__name", "status", "next_due"
        )
    ) + sorted(
        ProgressReport.objects.values_list(
            "assignment__task__number", "assignment__unit__name", "period_key", "status"
        )
    )


def test_the_demo_is_deterministic(demo_district):
    prints = []
    for _ in range(2):
        with transaction.atomic():
            demo.seed_plans(today=TODAY)
            prints.append(_fingerprint())
            transaction.set_rollback(True)

    assert prints[0] == prints[1] and prints[0]


def test_seed_demo_prints_one_line_for_the_plans(db, monkeypatch, capsys):
    monkeypatch.setattr(orgs_demo, "BASE_ENTERPRISES", 20)

    call_command("seed_demo")

    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("年度计划：")]
    assert len(lines) == 1 and "单位年度计划已交" in lines[0]
    assert Plan.objects.filter(kind=PlanKind.DISTRICT).count() == 2


class TestTheDemoAsOfADay:
    """Read-only checks of one seeded demo (as of TODAY)."""

    def test_the_past_plan_is_closed_and_this_years_plan_is_its_issued_copy(self, seeded, db):
        past, current = Plan.objects.filter(kind=PlanKind.DISTRICT).order_by("year")
        assert (past.year, past.status, past.doc_number) == (
            2022,
            PlanStatus.CLOSED,
            "秦川安委办发〔2022〕3号",
        )
        assert past.title == "秦川区2022年应急管理宣传教育培训工作计划"
        assert (current.year, current.status, current.copied_from) == (
            2026,
            PlanStatus.ISSUED,
            past,
        )
        assert current.issued_on == date(2026, 2, 27)
        assert current.tasks.count() == past.tasks.count() == 23
        # The district's own split is the same both years (sub-assignments aside).
        assert (
            Assignment.objects.filter(task__plan=current, parent__isnull=True).count()
            == Assignment.objects.filter(task__plan=past).count()
            > 300
        )
        assert seeded.summary_line().startswith(
            "年度计划：2022年（已结束）、2026年（已印发），任务分解"
        )

    def test_a_new_town_broke_a_task_down_to_its_street_which_reported(self, seeded, db):
        """Issue #8: 沣河新城 passed its quarterly task to 沣滨街道 (the demo's 镇街 account)
        and a sibling 镇街; the ended quarters were accepted by 沣河新城 and roll up."""
        sub = Assignment.objects.select_related("parent__unit", "unit").get(
            unit__name="沣滨街道", parent__isnull=False
        )
        assert sub.parent.unit.name == "沣河新城"
        accepted = sub.reports.filter(status=ReportStatus.ACCEPTED)
        assert accepted.count() == 3  # 2026 Q1–Q3, as of 29 November
        assert {r.reviewed_by.username for r in accepted} == {"fenghe_admin"}
        assert sub.reports.filter(status=ReportStatus.SUBMITTED).count() == 1  # Q4, to review
        assert Assignment.objects.filter(parent=sub.parent).count() == 2

    def test_this_years_plan_tells_the_story_of_the_year(self, seeded, db):
        current = Plan.objects.get(kind=PlanKind.DISTRICT, year=2026)
        statuses = set(
            Assignment.objects.filter(task__plan=current).values_list("status", flat=True)
        )
        assert statuses == set(AssignmentStatus.values)
        # Overdue units with nothing reported for an ended quarter.
        assert Assignment.objects.filter(
            task__plan=current, status=AssignmentStatus.OVERDUE, reports__isnull=True
        ).exists()

    def test_a_year_gets_a_second_report_a_reopened_period_and_an_exception(self, seeded, db):
        """Issue #8 in the demo: reporting follows the work."""
        from django.db.models import Count

        twice = (
            ProgressReport.objects.filter(status=ReportStatus.ACCEPTED, reopened_at__isnull=True)
            .values("assignment_id", "period_key")
            .annotate(n=Count("pk"))
            .filter(n__gte=2)
        )
        assert twice.exists()
        reopened = ProgressReport.objects.get(reopened_at__isnull=False)
        assert reopened.events.filter(action=ReportEvent.Action.REOPEN).get().comment
        (excepted,) = Assignment.objects.filter(exception_at__isnull=False)
        assert excepted.status == AssignmentStatus.ACCEPTED and excepted.exception_reason
        assert not services.compute_status(excepted, TODAY).targets_met

    def test_reports_take_every_state_and_keep_their_history(self, seeded, db):
        assert set(ProgressReport.objects.values_list("status", flat=True)) == set(
            ReportStatus.values
        )
        returned = ProgressReport.objects.filter(status=ReportStatus.RETURNED).first()
        assert returned.review_comment
        assert list(returned.events.values_list("action", flat=True)) == ["submit", "return"]
        again = (
            ProgressReport.objects.filter(status=ReportStatus.ACCEPTED, events__action="return")
            .distinct()
            .first()
        )
        assert list(again.events.values_list("action", flat=True)) == [
            "submit",
            "return",
            "submit",
            "accept",
        ]
        accepted = ProgressReport.objects.filter(status=ReportStatus.ACCEPTED).first()
        assert accepted.quantities.count() == accepted.assignment.task.targets.count()
        assert accepted.submitted_at <= accepted.reviewed_at
        # Past reports are dated in their year, not on the day of the seed.
        past = ProgressReport.objects.filter(assignment__task__plan__year=2022).first()
        assert past.submitted_at.year == 2022 and past.created_at.year == 2022
        assert ReportEvent.objects.filter(report=past).first().created_at.year == 2022

    def test_there_is_a_pending_and_a_granted_adjustment_and_leaders_comments(self, seeded, db):
        assert set(Adjustment.objects.values_list("status", flat=True)) == {
            AdjustmentStatus.PENDING,
            AdjustmentStatus.GRANTED,
        }
        granted = Adjustment.objects.get(status=AdjustmentStatus.GRANTED)
        assert granted.requested_due > TODAY
        assert granted.assignment.next_due <= granted.requested_due
        assert Comment.objects.filter(author__username="qc_lingdao").count() >= 3

    def test_some_units_submitted_their_own_plan_and_some_did_not(self, seeded, db):
        current = Plan.objects.get(kind=PlanKind.DISTRICT, year=2026)
        own = Plan.objects.filter(kind=PlanKind.UNIT, parent=current)
        missing = services.missing_unit_plans(current)
        assert own.exists() and missing.exists()
        assert own.count() + missing.count() == services.expected_unit_plan_units(current).count()
        assert own.first().title.endswith("2026年应急管理宣传教育培训工作计划")
        assert (seeded.unit_plans, seeded.missing_unit_plans) == (own.count(), missing.count())

    def test_the_cached_statuses_follow_the_services_rules(self, seeded, db):
        for a in Assignment.objects.select_related("task__plan"):
            result = services.compute_status(a, TODAY)
            assert (a.status, a.next_due, a.overdue_periods, a.status_on) == (
                result.status,
                result.next_due,
                len(result.overdue),
                TODAY,
            ), a
