"""Build a district plan from a template (issue #4 §1: `xuanpei plan load-template 2022`).

The whole structure in one transaction: the plan of the root unit (the district),
its text sections, its tasks with their lead and cooperating units, targets, and
one assignment per responsible unit (`services.sync_assignments`); issued too when
asked (`services.issue_plan`). Unit names of the template that match no unit of
the tree are kept in the task's `other_units` and listed in `plan.load_report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanpei.orgs.models import Unit
from xuanpei.plans import services
from xuanpei.plans.choices import PlanKind, PlanStatus
from xuanpei.plans.models import Plan, PlanSection, Target, Task
from xuanpei.plans.template_spec import PlanTemplate, TaskSpec, templates
from xuanpei.plans.unit_names import UnitIndex

OTHER_UNITS_SEPARATOR = "、"


@dataclass
class LoadReport:
    """What a load made, and what it could not place (the CLI prints it)."""

    sections: int = 0
    tasks: int = 0
    targets: int = 0
    assignments: int = 0
    # Task number → the unit names of the template that match no unit of the tree.
    unresolved: dict[str, list[str]] = field(default_factory=dict)
    # Tasks left without any responsible unit (every name unresolved).
    unassigned: list[str] = field(default_factory=list)


def available_years() -> list[int]:
    return sorted(templates())


def get_template(year: int) -> PlanTemplate:
    found = templates().get(year)
    if found is None:
        raise ValidationError(
            _("没有%(year)s年度的计划模板；可用的模板：%(years)s")
            % {"year": year, "years": "、".join(f"{y}年度" for y in available_years())},
            code="no_template",
        )
    return found


def district_root() -> Unit:
    root = Unit.objects.get_first_root_node()
    if root is None:
        raise ValidationError(_("单位树中还没有区（根单位），请先建立单位树"), code="no_district")
    return root


def existing_plan(root: Unit, year: int) -> Plan | None:
    return Plan.objects.filter(kind=PlanKind.DISTRICT, unit=root, year=year).first()


@transaction.atomic
def load_template(
    year: int,
    *,
    actor=None,
    issue: bool = False,
    doc_number: str = "",
    issued_on: date | None = None,
) -> Plan:
    """The district's plan for `year`, built from that year's template.

    `actor` None is a system load (the command without --user); a user must be
    able to manage the district's plans. Refuses (ValidationError) when there is
    no such template or the district already has a plan for the year. The
    returned plan carries `load_report` (a `LoadReport`).
    """
    template = get_template(year)
    root = district_root()
    if (found := existing_plan(root, year)) is not None:
        raise ValidationError(
            _("%(unit)s%(year)s年度已有区级计划《%(title)s》，未重复载入模板")
            % {"unit": root.name, "year": year, "title": found.title},
            code="plan_exists",
        )
    plan = Plan(
        kind=PlanKind.DISTRICT,
        unit=root,
        year=year,
        title=template.title.format(district=root.name),
        doc_number=doc_number,
        preamble=template.preamble,
        created_by=actor,
    )
    plan.full_clean()
    plan.save()
    if actor is not None and not services.can_manage(actor, plan):
        raise PermissionDenied(_("您没有权限制定%(unit)s的年度计划") % {"unit": root.name})
    report = LoadReport()
    PlanSection.objects.bulk_create(
        PlanSection(
            plan=plan, order=n, number=s.number, heading=s.heading, body=s.body, created_by=actor
        )
        for n, s in enumerate(template.sections, start=1)
    )
    report.sections = len(template.sections)
    index = UnitIndex(root)
    for order, spec in enumerate(template.tasks, start=1):
        _add_task(plan, spec, order=order, index=index, actor=actor, report=report)
    if issue:
        _issue(plan, actor=actor, on=issued_on)
    plan.load_report = report
    return plan


def _add_task(
    plan: Plan, spec: TaskSpec, *, order: int, index: UnitIndex, actor, report: LoadReport
) -> Task:
    leads, missing_leads = index.resolve_all(spec.lead)
    coops, missing_coops = index.resolve_all(spec.cooperate)
    lead_ids = {u.pk for u in leads}
    coops = [u for u in coops if u.pk not in lead_ids]
    missing = missing_leads + missing_coops
    others = list(dict.fromkeys([*spec.other_units, *missing]))
    task = Task(
        plan=plan,
        order=order,
        number=spec.number,
        title=spec.title,
        content=spec.content,
        kind=spec.kind,
        other_units=_fit(others, Task._meta.get_field("other_units").max_length),
        timeframe=spec.timeframe,
        start_date=spec.start_date,
        end_date=spec.end_date,
        timeframe_note=spec.timeframe_note,
        deliverables=spec.deliverables,
        audience=spec.audience,
        method=spec.method,
        created_by=actor,
    )
    task.full_clean()
    task.save()
    task.lead_units.set(leads)
    task.cooperating_units.set(coops)
    Target.objects.bulk_create(
        Target(
            task=task,
            order=n,
            name=t.name,
            comparator=t.comparator,
            value=t.value,
            unit_label=t.unit_label,
            per_period=t.per_period,
            metric=t.metric,
            created_by=actor,
        )
        for n, t in enumerate(spec.targets, start=1)
    )
    assignments = services.sync_assignments(task, actor=actor)
    report.tasks += 1
    report.targets += len(spec.targets)
    report.assignments += len(assignments)
    if missing:
        report.unresolved[spec.number] = missing
    if not assignments:
        report.unassigned.append(spec.number)
    return task


def _fit(names: list[str], limit: int) -> str:
    """Names joined with 、, cut to the field's length with 等 (the report keeps them all)."""
    text = OTHER_UNITS_SEPARATOR.join(names)
    if len(text) <= limit:
        return text
    kept: list[str] = []
    for name in names:
        if len(OTHER_UNITS_SEPARATOR.join([*kept, name])) + 1 > limit:
            break
        kept.append(name)
    return OTHER_UNITS_SEPARATOR.join(kept) + "等"


def _issue(plan: Plan, *, actor, on: date | None) -> None:
    if actor is not None:
        services.issue_plan(plan, actor=actor, on=on)
        return
    # A system load (no user): `services.issue_plan` checks a person's right to
    # manage the plan; the assignments are already in place, so issuing is the
    # status change alone.
    plan.status = PlanStatus.ISSUED
    plan.issued_on = on or timezone.localdate()
    plan.save(update_fields=["status", "issued_on", "updated_at"])
