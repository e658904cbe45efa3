"""The demo plans (issue #4) for `xuanpei seed-demo`: a story as of today.

- The 2022 plan, loaded from the template and issued in February 2022, with a
  year of reports behind it — nearly all accepted (a few after a return), a few
  periods never reported (overdue to this day) — and closed.
- The current year's plan, a copy of it (`services.copy_plan`), issued at the end
  of February. Ended periods are mostly accepted, some never reported (overdue),
  one reported late and awaiting review, one moved by a granted adjustment; in the
  period in course units have submitted, been returned with a comment, resubmitted
  and been accepted, keep drafts or have done nothing yet; one adjustment is
  pending; leaders commented on a few assignments.
- Units' own plans (requirement 四(一)): most units submitted theirs; some did not.

Deterministic for a seed and a day: one `random.Random`, assignments in task and
unit order. Reports are made by the unit's demo account when it has one (the new
towns, 教育局), otherwise by the 区安委办 account on the unit's behalf; the
district account reviews. Statuses are computed at the end by the status rules
(`status_bulk.refresh_statuses`, `services.refresh_status` for many at once).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from auditlog.context import disable_auditlog
from django.db import transaction
from django.utils import timezone

from xuanpei.accounts.models import User
from xuanpei.core.permissions import Role
from xuanpei.orgs.demo import DEMO_SEED
from xuanpei.orgs.models import Unit
from xuanpei.plans import services, subassign, year_flags
from xuanpei.plans.choices import PlanKind, PlanStatus, ReportStatus, Timeframe
from xuanpei.plans.demo_reports import RETURN_COMMENTS, BulkReports, summary
from xuanpei.plans.loader import district_root, load_template
from xuanpei.plans.models import Assignment, Plan, ProgressReport
from xuanpei.plans.status_bulk import refresh_statuses

TEMPLATE_YEAR = 2022
LEADER_COMMENTS = (
    "请抓紧落实，逾期的季度须在本月内补报。",
    "该项工作进展滞后，请分管领导亲自督办。",
    "做法很好，请总结经验在全区推广。",
)


@dataclass
class PlansDemoResult:
    plans: list[Plan] = field(default_factory=list)
    assignments: int = 0
    reports: int = 0
    statuses: Counter = field(default_factory=Counter)
    unit_plans: int = 0
    missing_unit_plans: int = 0
    seconds: float = 0.0

    def summary_line(self) -> str:
        plans = "、".join(f"{p.year}年（{p.get_status_display()}）" for p in self.plans)
        return (
            f"年度计划：{plans}，任务分解 {self.assignments} 项"
            f"（已验收 {self.statuses['accepted']}、待审核 {self.statuses['submitted']}、"
            f"已退回 {self.statuses['returned']}、已逾期 {self.statuses['overdue']}），"
            f"进展报告 {self.reports} 份；{self.plans[-1].year}年单位年度计划已交 "
            f"{self.unit_plans} 份、未交 {self.missing_unit_plans} 个单位；"
            f"用时 {self.seconds:.1f} 秒。"
        )


class _Cast:
    """The demo accounts who act: the district admin, a leader, the units' own users."""

    def __init__(self, root):
        users = list(User.objects.filter(is_active=True, unit__isnull=False).order_by("pk"))
        at_root = [u for u in users if u.unit_id == root.pk]
        self.admin = next((u for u in at_root if u.role == Role.DISTRICT_ADMIN), None)
        if self.admin is None:
            raise RuntimeError("demo plans need a district admin account (run orgs.demo first)")
        self.leader = next((u for u in at_root if u.role == Role.VIEWER), self.admin)
        self.by_unit: dict[int, User] = {}
        for u in users:
            if u.unit_id != root.pk and u.role != Role.VIEWER:
                self.by_unit.setdefault(u.unit_id, u)

    def reporter(self, unit) -> User | None:
        """The unit's demo account; units without one report as the system (None): the
        district reviews reports, it does not write them (`services.can_report`)."""
        return self.by_unit.get(unit.pk)


def _assignments(plan: Plan) -> list[Assignment]:
    return list(
        Assignment.objects.filter(task__plan=plan)
        .select_related("task__plan", "unit")
        .prefetch_related("task__targets")
        .order_by("task__order", "unit__path")
    )


def _doc_number(root, year: int) -> str:
    return f"{root.name.removesuffix('区')}安委办发〔{year}〕3号"


# ------------------------------------------------------------------ 2022: the past year


def _past_year(plan: Plan, rng: random.Random, cast: _Cast, today: date) -> None:
    bulk = BulkReports(rng, today=today, reporter=cast.reporter, reviewer=cast.admin)
    for a in _assignments(plan):
        for period in a.task.periods():
            if rng.random() < 0.03:
                continue  # never reported: overdue to this day
            bulk.add(a, period, ReportStatus.ACCEPTED, returned_once=rng.random() < 0.06)
    bulk.write()


# ------------------------------------------------------------------ this year: the story


class _Story:
    """This year's reports: routine ones in bulk, the turns through the services."""

    def __init__(self, plan: Plan, rng: random.Random, cast: _Cast, today: date):
        self.plan, self.rng, self.cast, self.today = plan, rng, cast, today
        self.bulk = BulkReports(rng, today=today, reporter=cast.reporter, reviewer=cast.admin)
        self.missed: list[tuple[Assignment, object]] = []  # ended periods with nothing
        self.silent: Assignment | None = None  # reports nothing all year
        self.open: list[tuple[Assignment, object]] = []  # all-year periods in course

    def tell(self) -> None:
        assignments = _assignments(self.plan)
        # One unit reports nothing at all on the first quarterly task (网格员培训).
        quarterly = [a for a in assignments if a.task.timeframe == Timeframe.QUARTERLY]
        self.silent = max(quarterly, key=lambda a: (-a.task.order, a.unit.path), default=None)
        for a in assignments:
            periods = a.task.periods()
            ended = [p for p in periods if p.due < self.today]
            for p in ended:
                if a != self.silent and self.rng.random() < 0.85:
                    self.bulk.add(a, p, ReportStatus.ACCEPTED)
                else:
                    self.missed.append((a, p))
            current = next((p for p in periods if p.start <= self.today <= p.due), None)
            if current is None or a == self.silent:
                continue
            if a.task.timeframe == Timeframe.ALL_YEAR and not ended:
                self.open.append((a, current))
            else:
                self._routine(a, current)
        self.rng.shuffle(self.open)
        self._more_progress()
        self._turns()
        self._late_and_adjusted()
        for a, p in self.open:
            self._routine(a, p)
        self.bulk.write()

    def _routine(self, a, period) -> None:
        roll = self.rng.random()
        if roll < 0.15:
            self.bulk.add(a, period, ReportStatus.ACCEPTED)
        elif roll < 0.23:
            self.bulk.add(a, period, ReportStatus.SUBMITTED)
        elif roll < 0.50:
            self.bulk.add(a, period, ReportStatus.DRAFT)
        # else: nothing reported yet

    def _take(self, n: int) -> list[tuple[Assignment, object]]:
        taken, self.open = self.open[:n], self.open[n:]
        return taken

    def _save(self, a, period, *, report=None):
        return services.save_report(
            a,
            actor=self.cast.reporter(a.unit),
            period_key=period.key,
            summary=summary(a, period, self.rng),
            quantities={t.pk: t.value for t in a.task.targets.all()},
            report=report,
        )

    def _turns(self) -> None:
        """The period in course, through the services: every turn a report can take."""
        admin = self.cast.admin
        for a, p in self._take(6):  # submitted, awaiting review
            services.submit_report(self._save(a, p), actor=self.cast.reporter(a.unit))
        for i, (a, p) in enumerate(self._take(4)):  # returned with a comment
            report = services.submit_report(self._save(a, p), actor=self.cast.reporter(a.unit))
            services.review_report(
                report, actor=admin, accept=False, comment=RETURN_COMMENTS[i % 3]
            )
        for a, p in self._take(3):  # returned, corrected, resubmitted and accepted
            reporter = self.cast.reporter(a.unit)
            report = services.submit_report(self._save(a, p), actor=reporter)
            services.review_report(report, actor=admin, accept=False, comment=RETURN_COMMENTS[0])
            report = services.submit_report(self._save(a, p, report=report), actor=reporter)
            services.review_report(report, actor=admin, accept=True)
        drafts = self._take(4)
        for a, p in drafts:  # still a draft
            self._save(a, p)
        if drafts:  # a draft whose unit asks for more time (pending)
            a, p = drafts[0]
            services.request_adjustment(
                a,
                actor=self.cast.reporter(a.unit),
                period_key=p.key,
                requested_due=p.due + timedelta(days=31),
                reason="年底集中开展的活动受场地安排影响，申请延期一个月报送。",
            )

    def _more_progress(self) -> None:
        """Issue #8: the year's first report is accepted short of the targets; one unit
        reports the rest later (two accepted reports in one period), the district
        reopens another with a reason, and accepts a third with a recorded exception."""
        admin = self.cast.admin
        with_targets = [item for item in self.open if item[0].task.targets.all()]
        turns = with_targets[:3]
        self.open = [item for item in self.open if item not in turns]
        for i, (a, p) in enumerate(turns):
            reporter = self.cast.reporter(a.unit)
            targets = list(a.task.targets.all())
            first = services.save_report(
                a,
                actor=reporter,
                period_key=p.key,
                summary=summary(a, p, self.rng),
                quantities={t.pk: _part_of(t) for t in targets},
            )
            services.submit_report(first, actor=reporter)
            services.review_report(first, actor=admin, accept=True)
            if i == 0:
                rest = services.save_report(
                    a,
                    actor=reporter,
                    period_key=p.key,
                    summary=f"补报：{summary(a, p, self.rng)}",
                    quantities={t.pk: t.value for t in targets},
                )
                services.submit_report(rest, actor=reporter)
                services.review_report(rest, actor=admin, accept=True)
            elif i == 1:
                services.reopen_period(
                    a, actor=admin, period_key=p.key, reason="尚有活动未开展，请开展后补报进展。"
                )
            elif services.compute_status(a).short:
                services.accept_with_exception(
                    a, actor=admin, reason="部分活动因场地原因未能开展，经研究同意例外验收。"
                )

    def _late_and_adjusted(self) -> None:
        """Ended periods: one granted delay, one late report awaiting review, the rest missed."""
        admin = self.cast.admin
        latest, count = {}, Counter()
        for a, p in self.missed:  # each assignment's last missed period
            if a != self.silent:
                latest[a.pk] = (a, p)
                count[a.pk] += 1
        # Assignments that missed one period first: a granted delay clears them.
        picks = sorted(latest.values(), key=lambda item: count[item[0].pk] > 1)
        if picks:
            a, p = picks[0]
            adjustment = services.request_adjustment(
                a,
                actor=self.cast.reporter(a.unit),
                period_key=p.key,
                requested_due=max(p.due, self.today) + timedelta(days=15),
                reason="因人员调整，本期工作推迟到下月开展，申请延期报送。",
            )
            services.decide_adjustment(adjustment, actor=admin, grant=True, comment="同意延期。")
        if len(picks) > 1:
            a, p = picks[1]
            services.submit_report(self._save(a, p), actor=self.cast.reporter(a.unit))
        silent = [(self.silent, None)] if self.silent and self.missed else []
        for i, (a, _p) in enumerate(silent + picks[2:4]):
            services.add_comment(a, actor=self.cast.leader, text=LEADER_COMMENTS[i % 2])

    def comment_on_good_work(self) -> None:
        done = (
            Assignment.objects.filter(task__plan=self.plan, reports__status=ReportStatus.ACCEPTED)
            .order_by("pk")
            .first()
        )
        if done is not None:
            services.add_comment(done, actor=self.cast.leader, text=LEADER_COMMENTS[2])


def _part_of(target) -> Decimal:
    """Short of the target: a rate of 60%, a count one less (never below zero)."""
    if target.unit_label.strip() == "%":
        return Decimal("60")
    return max(target.value - 1, Decimal(0))


# ------------------------------------------------------------------ a new town's break-down


def _break_down(plan: Plan, cast: _Cast, today: date) -> Assignment | None:
    """A new town passes a quarterly task on to its 镇街 (issue #8): the 镇街 with a demo
    account reported the ended quarters (the new town accepted them) and the quarter in
    course (awaiting the new town's review); its sibling 镇街 has done nothing yet. The
    new town's page rolls the accepted quantities up."""
    street_user = next(
        (u for u in cast.by_unit.values() if u.unit.depth == 3),  # 区 / 新城 / 镇街
        None,
    )
    if street_user is None:
        return None
    street = street_user.unit
    town = Unit.objects.get(path=street.path[: -Unit.steplen])
    town_user = cast.reporter(town)
    parent = next(
        (
            a
            for a in _assignments(plan)
            if a.unit_id == town.pk
            and a.task.timeframe == Timeframe.QUARTERLY
            and a.task.targets.exists()
        ),
        None,
    )
    if parent is None or town_user is None:
        return None
    siblings = [u for u in subassign.candidate_units(parent) if u.depth == 3 and u.pk != street.pk]
    subs = subassign.break_down(parent, actor=town_user, units=[street, *siblings[:1]])
    sub = next(s for s in subs if s.unit_id == street.pk)
    quantities = {t.pk: t.value for t in parent.task.targets.all()}
    for period in parent.task.periods():
        if period.start > today:
            break
        report = services.save_report(
            sub,
            actor=street_user,
            period_key=period.key,
            summary=f"{period.label}，{street.name}组织辖区网格员开展应急管理业务培训，签到表和照片见附件。",
            quantities=quantities,
        )
        services.submit_report(report, actor=street_user)
        if period.due < today:
            services.review_report(report, actor=town_user, accept=True)
    return parent


# ------------------------------------------------------------------ units' own plans


def _unit_plans(plan: Plan, rng: random.Random, cast: _Cast, *, share: float, today: date) -> int:
    """Units' own yearly plans under `plan` (requirement 四(一)): a `share` of them."""
    due = min(date(plan.year, 3, 31), today)
    first = max(date(plan.year, 1, 1), due - timedelta(days=45))
    made = []
    for unit in services.expected_unit_plan_units(plan):
        if rng.random() >= share:
            continue
        made.append(
            Plan(
                kind=PlanKind.UNIT,
                unit=unit,
                year=plan.year,
                parent=plan,
                title=f"{unit.name}{plan.year}年应急管理宣传教育培训工作计划",
                status=PlanStatus.ISSUED,
                issued_on=first + timedelta(days=rng.randrange((due - first).days + 1)),
                preamble=f"根据《{plan.title}》要求，结合本单位实际，制定本计划。",
                created_by=cast.reporter(unit),
            )
        )
    Plan.objects.bulk_create(made)
    return len(made)


# ------------------------------------------------------------------ entry point


@transaction.atomic
def seed_plans(*, seed: int = DEMO_SEED, today: date | None = None) -> PlansDemoResult:
    """The demo plans on the demo district (after `orgs.demo.seed_demo`)."""
    started = time.monotonic()
    today = today or timezone.localdate()
    rng = random.Random(f"{seed}-plans")
    root = district_root()
    cast = _Cast(root)
    result = PlansDemoResult()

    with disable_auditlog():  # building the structure is a system load, like the seed
        past = load_template(
            TEMPLATE_YEAR,
            actor=cast.admin,
            issue=True,
            doc_number=_doc_number(root, TEMPLATE_YEAR),
            issued_on=date(TEMPLATE_YEAR, 2, 25),
        )
        _past_year(past, rng, cast, today)
        services.close_plan(past, actor=cast.admin)
    result.unit_plans = _unit_plans(past, rng, cast, share=0.9, today=today)
    result.plans.append(past)

    if today.year > TEMPLATE_YEAR:
        with disable_auditlog():
            current = services.copy_plan(
                past, year=today.year, actor=cast.admin, doc_number=_doc_number(root, today.year)
            )
            # The bureau reviewed the text the copy flagged (〔2022〕 numbers, 二十大 …).
            year_flags.clear_flags(current, actor=cast.admin)
            services.issue_plan(current, actor=cast.admin, on=min(date(today.year, 2, 27), today))
        # The story's turns are audited: the audit log shows who returned what.
        story = _Story(current, rng, cast, today)
        story.tell()
        story.comment_on_good_work()
        _break_down(current, cast, today)
        result.unit_plans = _unit_plans(current, rng, cast, share=0.7, today=today)
        result.plans.append(current)
    result.missing_unit_plans = services.missing_unit_plans(result.plans[-1]).count()

    # Every assignment's cached status as of today (the rules of services.refresh_status).
    refresh_statuses(Assignment.objects.filter(task__plan__in=result.plans), today)
    for plan in result.plans:
        plan.refresh_from_db()
    statuses = Assignment.objects.filter(task__plan__in=result.plans).values_list(
        "status", flat=True
    )
    result.statuses = Counter(statuses)
    result.assignments = sum(result.statuses.values())
    result.reports = ProgressReport.objects.filter(assignment__task__plan__in=result.plans).count()
    result.seconds = time.monotonic() - started
    return result
