"""Targets computed from records (issue #11 item 6): one mechanism for every app.

A target with `Target.metric` set is not typed in the progress reports: its achieved
value is counted from records another app keeps (publicity's accepted activities,
its media posts; training's sessions next). An app registers a metric once, in its
`AppConfig.ready()`:

    register_metric("publicity.activities", _("宣传活动（已通过）"), count, records_url)

- `count(units, task, ranges) -> {unit_id: [Decimal, …]}`: for each unit, the value
  over each `(start, end)` range (inclusive dates), counting the records of the unit
  **and of every unit below it** — one query for any number of units and ranges
  (`subtree_counts` does the work for a queryset).
- `records_url(unit, task, start, end) -> str`: the list page of the records behind
  a value (filters in its query string).

Subtree, not roll-up: an assignment's value is its unit's subtree over the period, so
a 镇街's activity counts for the 镇街's sub-assignment and for its new town's
assignment alike. Sub-assignments' computed values are therefore *not* added up the
chain as typed quantities are (`subassign.rollup_owners`): that would count them twice.

`computed_facts` turns the counts into the status rules' `QuantityFact`s, one per
period (a per-period target reads its period; a cumulative one the sum of its
periods, which partition the task's range, so it is the count over the whole range).
`status_bulk.quantity_facts` puts them in place of the typed quantities.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from xuanpei.plans import status as status_rules

Range = tuple[date, date]
CountFn = Callable[[Sequence, object, Sequence[Range]], dict[int, list[Decimal]]]
UrlFn = Callable[[object, object, date, date], str]


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    count: CountFn
    records_url: UrlFn


_REGISTRY: dict[str, Metric] = {}


def register_metric(key: str, label, count_fn: CountFn, records_url_fn: UrlFn) -> Metric:
    """Register (or replace, on a reload) the metric `key`."""
    metric = Metric(key, label, count_fn, records_url_fn)
    _REGISTRY[key] = metric
    return metric


def get_metric(key: str) -> Metric | None:
    return _REGISTRY.get(key)


def choices() -> list[tuple[str, str]]:
    """For the target editor: typed first, then every registered metric."""
    return [("", _("手工填报")), *((m.key, m.label) for m in _REGISTRY.values())]


def subtree_counts(
    queryset,
    units: Iterable,
    ranges: Sequence[Range],
    *,
    date_field: str,
    unit_field: str = "unit",
) -> dict[int, list[Decimal]]:
    """For each unit, how many rows of `queryset` its subtree holds in each range: one
    query (rows grouped by their unit's path, one filtered COUNT per range), summed up
    to each asked unit in Python (a subtree is a path prefix)."""
    units = list(units)
    result = {u.pk: [Decimal(0)] * len(ranges) for u in units}
    if not units or not ranges:
        return result
    path = f"{unit_field}__path"
    roots = sorted({u.path for u in units})
    # Only the outermost paths: a prefix already covers what lies below it.
    outer = [p for i, p in enumerate(roots) if not any(p.startswith(q) for q in roots[:i])]
    annotations = {
        f"c{i}": Count("pk", distinct=True, filter=Q(**{f"{date_field}__range": r}))
        for i, r in enumerate(ranges)
    }
    rows = (
        queryset.filter(reduce(or_, (Q(**{f"{path}__startswith": p}) for p in outer)))
        .filter(
            **{
                f"{date_field}__gte": min(r[0] for r in ranges),
                f"{date_field}__lte": max(r[1] for r in ranges),
            }
        )
        .order_by()
        .values(path)
        .annotate(**annotations)
    )
    for row in rows:
        counts = [row[f"c{i}"] for i in range(len(ranges))]
        for u in units:
            if row[path].startswith(u.path):
                totals = result[u.pk]
                for i, n in enumerate(counts):
                    totals[i] += n
    return result


def computed_facts(rows, targets_by_task) -> dict[int, list[status_rules.QuantityFact]]:
    """The computed targets' values of each assignment in `rows` (with `unit` and
    `task__plan` loadable), as quantity facts per period: one query per metric and
    task, whatever the number of assignments."""
    facts: dict[int, list[status_rules.QuantityFact]] = defaultdict(list)
    by_task: dict[int, list] = defaultdict(list)
    for a in rows:
        if any(t.metric for t in targets_by_task.get(a.task_id, ())):
            by_task[a.task_id].append(a)
    if not by_task:
        return facts
    loaded = _units([a for group in by_task.values() for a in group])
    for assignments in by_task.values():
        task = assignments[0].task
        periods = task.periods()
        ranges = [(p.start, p.due) for p in periods]
        units = {a.unit_id: loaded[a.unit_id] for a in assignments}
        targets = [t for t in targets_by_task[task.pk] if t.metric]
        counted: dict[str, dict[int, list[Decimal]]] = {}
        for target in targets:
            metric = get_metric(target.metric)
            if metric is None:  # an app no longer installed: nothing is counted
                continue
            if target.metric not in counted:
                counted[target.metric] = metric.count(list(units.values()), task, ranges)
            for a in assignments:
                values = counted[target.metric].get(a.unit_id) or [Decimal(0)] * len(periods)
                for period, value in zip(periods, values, strict=True):
                    facts[a.pk].append(status_rules.QuantityFact(period.key, target.pk, value))
    return facts


def _units(assignments) -> dict:
    """The assignments' units: those already loaded, the rest in one query."""
    from xuanpei.orgs.models import Unit

    loaded = {a.unit_id: a.unit for a in assignments if _unit_cached(a)}
    missing = {a.unit_id for a in assignments} - set(loaded)
    if missing:
        loaded.update(Unit.objects.in_bulk(missing))
    return loaded


def _unit_cached(a) -> bool:
    return a._state.fields_cache.get("unit") is not None


def period_values(assignment, targets) -> list[dict]:
    """For the report form and the assignment page: each computed target of the
    assignment with its value per period and the link to the records behind it."""
    targets = [t for t in targets if t.metric]
    if not targets:
        return []
    task = assignment.task
    periods = task.periods()
    facts = computed_facts([assignment], {task.pk: targets})[assignment.pk]
    out = []
    for target in targets:
        metric = get_metric(target.metric)
        values = {q.period_key: q.value for q in facts if q.target_id == target.pk}
        out.append(
            {
                "target": target,
                "metric": metric,
                "total": sum(values.values(), Decimal(0)),
                "url": metric.records_url(assignment.unit, task, periods[0].start, periods[-1].due)
                if metric and periods
                else "",
                "periods": [
                    {
                        "period": p,
                        "value": values.get(p.key, Decimal(0)),
                        "url": metric.records_url(assignment.unit, task, p.start, p.due)
                        if metric
                        else "",
                    }
                    for p in periods
                ],
            }
        )
    return out


def records_url(target, assignment, periods) -> str:
    """The records behind a computed target's value over the task's whole range."""
    metric = get_metric(target.metric) if target.metric else None
    if metric is None or not periods:
        return ""
    return metric.records_url(assignment.unit, assignment.task, periods[0].start, periods[-1].due)


def refresh_for(unit, task_ids) -> int:
    """Records of `unit` linked to these tasks changed (an activity accepted, a post
    added): refresh the cached status of every assignment of those tasks with a computed
    target whose unit's subtree holds `unit`. Returns how many."""
    if unit is None:
        return 0
    return refresh_paths({(unit.path, t) for t in task_ids})


def refresh_paths(pairs) -> int:
    """`refresh_for` for many (unit path, task id) pairs at once: two queries to find
    the assignments, then one refresh for all of them."""
    from xuanpei.plans.models import Assignment
    from xuanpei.plans.status_bulk import refresh_statuses

    paths_by_task: dict[int, set[str]] = defaultdict(set)
    for path, task_id in pairs:
        paths_by_task[task_id].add(path)
    if not paths_by_task:
        return 0
    candidates = (
        Assignment.objects.filter(task_id__in=list(paths_by_task), task__targets__metric__gt="")
        .distinct()
        .values_list("pk", "task_id", "unit__path")
    )
    pks = [
        pk
        for pk, task_id, unit_path in candidates
        if any(p.startswith(unit_path) for p in paths_by_task[task_id])
    ]
    if not pks:
        return 0
    return refresh_statuses(Assignment.objects.filter(pk__in=pks))
