"""Sub-assignments (issue #8): a unit breaks its assignment down to units below it.

A new town that carries a district task passes it on to its 镇街 (and a 镇街 to its
村/社区): each sub-assignment is an ordinary `Assignment` of the same task with
`parent` set, so it has the task's periods and targets, its own reports, status and
reminders, and is owned by its unit (the new town sees it, a sibling town does not).

Who does what on a sub-assignment:
- the unit that made it (the parent's unit) reviews its reports and decides its
  adjustments (`services.can_manage`), not the plan's issuer;
- its own unit (or a unit between it and the parent's unit) writes the reports
  (`services.can_report`); units above the parent's unit read them.

Roll-up: the parent's progress toward a target counts its own accepted quantities
plus those of every sub-assignment below it — always summed from the reports.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from xuanpei.core.concurrency import lock, unique_or
from xuanpei.core.permissions import has_action
from xuanpei.notifications.services import raise_notifications
from xuanpei.plans import notify
from xuanpei.plans.choices import PlanStatus
from xuanpei.plans.models import Assignment

# Permissions ------------------------------------------------------------------------


def issuer_unit_id(assignment: Assignment) -> int:
    """The unit that reviews the assignment: the parent's unit, else the plan's issuer."""
    if assignment.parent_id is not None:
        return assignment.parent.unit_id
    return assignment.task.plan.unit_id


def manages_sub_assignment(user, assignment: Assignment) -> bool:
    """The reviewer of a sub-assignment: a user of the unit that made it, with the
    grant to change assignments (a read-only user reads, the district does not review
    a new town's own break-down)."""
    if user is None or getattr(user, "is_superuser", False):
        return True
    return user.unit_id == assignment.parent.unit_id and has_action(user, Assignment, "change")


def managed_q(user, prefix: str = "") -> Q:
    """`manages_sub_assignment` as a filter: the sub-assignments `user` reviews."""
    if user is None or getattr(user, "is_superuser", False):
        return Q(**{f"{prefix}parent__isnull": False})
    if not user.unit_id or not has_action(user, Assignment, "change"):
        return Q(pk__in=[])
    return Q(**{f"{prefix}parent__unit_id": user.unit_id})


def below_issuer(user, assignment: Assignment) -> bool:
    """Is the user's unit strictly inside the reviewing unit's subtree? (Those units may
    report for a unit below them; the reviewer and the units above it may not.)"""
    unit = getattr(user, "unit", None)
    if unit is None:
        return False
    issuer = assignment.parent.unit if assignment.parent_id else assignment.task.plan.unit
    return unit.path.startswith(issuer.path) and unit.pk != issuer.pk


def can_break_down(user, assignment: Assignment) -> bool:
    """May `user` break this assignment down? Its own unit's users who may add
    assignments (`None`: the system, e.g. the demo)."""
    if user is None:
        return True
    # Its own unit's assignment is in a unit user's scope; the role decides.
    return (
        user.unit_id is not None
        and user.unit_id == assignment.unit_id
        and has_action(user, Assignment, "add")
        and has_action(user, Assignment, "change")
    )


def offers_break_down(user, assignment: Assignment) -> bool:
    """Show the 分解给下级单位 button: the plan is in force, the user may, a unit is left."""
    return (
        assignment.task.plan.status == PlanStatus.ISSUED
        and can_break_down(user, assignment)
        and candidate_units(assignment).exists()
    )


# Breaking down ------------------------------------------------------------------------


def candidate_units(assignment: Assignment):
    """Units strictly below the assignment's unit that do not carry the task yet."""
    from xuanpei.orgs.models import Unit

    unit = assignment.unit
    return (
        Unit.objects.filter(path__startswith=unit.path)
        .exclude(pk=unit.pk)
        .exclude(pk__in=Assignment.objects.filter(task_id=assignment.task_id).values("unit_id"))
        .order_by("path")
    )


def relative_names(top) -> dict[int, str]:
    """甲街道 / 甲社区 for every unit below `top` (one query): its path under `top`, so
    identically named units (five 未央社区) stay apart."""
    from xuanpei.orgs.models import Unit

    units = list(Unit.objects.filter(path__startswith=top.path).only("pk", "path", "name"))
    by_path = {u.path: u.name for u in units}
    step = Unit.steplen
    names = {}
    for u in units:
        prefixes = range(len(top.path) + step, len(u.path) + 1, step)
        names[u.pk] = " / ".join(by_path.get(u.path[:n], "") for n in prefixes)
    return names


@transaction.atomic
def break_down(assignment: Assignment, *, actor, units) -> list[Assignment]:
    """Give each of `units` a sub-assignment of this assignment (all or none).

    Each unit must lie strictly inside the assignment's unit and not carry the task
    yet; the plan must be in force. The sub-assignment inherits the task's periods and
    targets and the parent's role; its unit hears of it in its inbox."""
    from xuanpei.plans import services

    if not can_break_down(actor, assignment):
        raise PermissionDenied(_("只有本任务的责任单位可以把任务分解给下级单位"))
    plan = assignment.task.plan
    if plan.status != PlanStatus.ISSUED:
        raise ValidationError(_("计划印发后、结束前才能分解任务（当前为“%(s)s”）")
                              % {"s": plan.get_status_display()})  # fmt: skip
    units = list(units)
    if not units:
        raise ValidationError({"units": _("请选择要分解给的下级单位")})
    # Two break-downs of one assignment (two tabs, a retried POST) run one at a time:
    # the second sees the first's sub-assignments as taken (issue #9).
    lock(assignment)
    top = assignment.unit
    taken = set(
        Assignment.objects.filter(task_id=assignment.task_id, unit__in=units).values_list(
            "unit_id", flat=True
        )
    )
    problems = []
    for unit in units:
        if unit.pk == top.pk or not unit.path.startswith(top.path):
            problems.append(_("%(u)s不是%(top)s的下级单位") % {"u": unit.name, "top": top.name})
        elif unit.pk in taken:
            problems.append(_("%(u)s已承担此任务") % {"u": unit.name})
    if problems:
        raise ValidationError({"units": problems})
    created = []
    for unit in sorted(units, key=lambda u: u.path):
        # The plan's issuer may name the same unit meanwhile (plans_assignment_one_per_unit).
        with unique_or({"units": _("%(u)s已承担此任务") % {"u": unit.name}}):
            sub = Assignment.objects.create(
                task=assignment.task,
                unit=unit,
                role=assignment.role,
                parent=assignment,
                created_by=actor,
            )
        services.refresh_status(sub)
        created.append(sub)
    _notify_received(assignment, created)
    return created


def _notify_received(parent: Assignment, subs: list[Assignment]) -> None:
    task = parent.task
    raise_notifications(
        notify.message(
            unit_id=sub.unit_id,
            key=f"sub:{sub.pk}",
            title=_("%(unit)s分解给本单位的任务：%(task)s")
            % {"unit": parent.unit.name, "task": f"{task.number} {task.title}"},
            body=_("请按任务的填报期报送进展，报告由%(unit)s审核。") % {"unit": parent.unit.name},
            url=sub.get_absolute_url(),
            due=sub.next_due,
        )
        for sub in subs
    )


@transaction.atomic
def withdraw(sub: Assignment, *, actor) -> None:
    """Take back a sub-assignment made by mistake: only while nothing hangs on it."""
    if sub.parent_id is None:
        raise ValidationError(_("这不是分解给下级单位的任务，不能撤回"))
    if not manages_sub_assignment(actor, sub):
        raise PermissionDenied(_("只有分解该任务的单位可以撤回"))
    lock(sub)  # a report saved meanwhile waits for the withdrawal, or blocks it
    if sub.reports.exists() or sub.adjustments.exists() or sub.children.exists():
        raise ValidationError(
            _("%(u)s已报送进展、申请延期或继续分解，不能撤回") % {"u": sub.unit.name}
        )
    sub.delete()


# Roll-up ------------------------------------------------------------------------------


def rollup_owners(assignment_ids) -> dict[int, list[int]]:
    """Every assignment whose accepted quantities count for one of `assignment_ids` →
    those it counts for: itself if asked for, and each asked-for assignment above it.
    One query per level of sub-assignments (a new town's 镇街, their 村/社区)."""
    asked = set(assignment_ids)
    parent_of: dict[int, int] = {}
    frontier, seen = set(asked), set(asked)
    while frontier:
        rows = list(
            Assignment.objects.filter(parent_id__in=frontier).values_list("pk", "parent_id")
        )
        parent_of.update(rows)
        frontier = {pk for pk, _p in rows} - seen
        seen |= frontier
    owners: dict[int, list[int]] = {}
    for pk in seen:
        chain, node = [], pk
        while node is not None:
            if node in asked:
                chain.append(node)
            node = parent_of.get(node)
        owners[pk] = chain
    return owners


def rollup(assignment: Assignment, user) -> dict:
    """The parent's page: each direct sub-assignment's status and accepted quantities
    (what lies below it included), the parent's own, and the total per target — read
    by the status rules (`status.target_progress`), as the parent's status reads them."""
    from xuanpei.plans import matrix
    from xuanpei.plans import status as status_rules
    from xuanpei.plans.status_bulk import quantity_facts

    task = assignment.task
    targets = list(task.targets.all())
    keys = [p.key for p in task.periods()]
    facts = [t.fact for t in targets]
    subs = list(
        Assignment.objects.for_user(user)
        .filter(parent=assignment)
        .select_related("unit")
        .order_by("unit__path")
    )
    quantities = quantity_facts([assignment.pk] + [s.pk for s in subs])
    # A sub-assignment's unit lies inside the parent's, so whoever sees the parent sees
    # every report below it: what no sub-assignment holds is the parent's own.
    below = {q.order for s in subs for q in quantities[s.pk]}

    def totals(qs) -> list:
        return [row.total for row in status_rules.target_progress(facts, qs, keys)]

    url = matrix.assignment_url_maker()
    rows = [
        {
            "assignment": sub,
            "style": matrix.status_style(sub.status),
            "quantities": totals(quantities[sub.pk]),
            "url": url(sub.pk),
            "can_withdraw": manages_sub_assignment(user, sub),
        }
        for sub in subs
    ]
    return {
        "rows": rows,
        "targets": targets,
        # Computed targets (order 0, no report) count the unit's whole subtree: no "own".
        "own": totals([q for q in quantities[assignment.pk] if q.order and q.order not in below]),
        "totals": totals(quantities[assignment.pk]),
    }


def rollup_context(assignment: Assignment, user) -> dict:
    """What `plans/partials/assignment_rollup.html` shows on an assignment's page."""
    parent = assignment.parent if assignment.parent_id else None
    return {
        "rollup": rollup(assignment, user),
        "rollup_parent": parent,
        "rollup_parent_visible": parent is not None
        and Assignment.objects.for_user(user).filter(pk=parent.pk).exists(),
        "can_break_down": offers_break_down(user, assignment),
        "unit_has_children": assignment.unit.numchild > 0,
    }
