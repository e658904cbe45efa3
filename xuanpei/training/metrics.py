"""Training's metrics for computed plan targets (`plans.metrics`, issue #12 item 9).

One mechanism for computed targets, the one publicity uses; registered from
`TrainingConfig.ready()`:

- "training.sessions": held or archived sessions linked to the task (`TrainingSession.task`),
  by the local date of `starts_at`, organised by the unit or a unit below it
  ("专题培训 ≥ N 期");
- "training.attendances": attendances at those sessions (培训人次, "培训人次 ≥ N");
- "training.grid_sessions": held or archived grid-officer sessions of the subtree, per
  period ("网格员培训 ≥ 1 次/季度"), whether or not they name the task: the quarterly rule
  is about the kind of class (the same sessions the grid matrix counts, `grid.py`), and
  the target's value is the matrix's `min_sessions`.

The records link opens the session list filtered the same way:
`?unit=<pk>&task=<pk>&date_from=YYYY-MM-DD&date_to=YYYY-MM-DD&status=done` (held or archived)
(grid sessions: `kind=grid_officer` in place of `task`); `unit` is a subtree filter.

Records change the cached statuses through `plans.metrics.refresh_paths`, once when the
transaction commits (an attendance import refreshes once, not per row), as publicity does.
"""

from __future__ import annotations

import threading
from urllib.parse import urlencode

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from xuanpei.plans.metrics import refresh_paths, register_metric, subtree_counts

SESSIONS = "training.sessions"
ATTENDANCES = "training.attendances"
GRID_SESSIONS = "training.grid_sessions"
# The local date of the start: 31 Mar 23:30 (Asia/Shanghai) is Q1, as the grid matrix.
DAY = "starts_at__date"


def _done():
    from xuanpei.training.models import TrainingSession

    return (TrainingSession.Status.HELD, TrainingSession.Status.ARCHIVED)


def count_sessions(units, task, ranges):
    from xuanpei.training.models import TrainingSession

    queryset = TrainingSession.objects.filter(status__in=_done(), task=task)
    return subtree_counts(queryset, units, ranges, date_field=DAY)


def count_attendances(units, task, ranges):
    from xuanpei.training.models import Attendance

    queryset = Attendance.objects.filter(session__status__in=_done(), session__task=task)
    return subtree_counts(
        queryset, units, ranges, date_field=f"session__{DAY}", unit_field="session__unit"
    )


def count_grid_sessions(units, task, ranges):
    from xuanpei.training.models import TrainingSession

    queryset = TrainingSession.objects.filter(
        status__in=_done(), kind=TrainingSession.Kind.GRID_OFFICER
    )
    return subtree_counts(queryset, units, ranges, date_field=DAY)


def _url(unit, start, end, **filters) -> str:
    try:
        base = reverse("training:session_list")
    except NoReverseMatch:  # the list page is not installed: the value stands alone
        return ""
    query = [
        ("unit", unit.pk),
        *filters.items(),
        ("date_from", start.isoformat()),
        ("date_to", end.isoformat()),
        ("status", "done"),  # filters.DONE: held or archived
    ]
    return f"{base}?{urlencode(query)}"


def sessions_url(unit, task, start, end) -> str:
    return _url(unit, start, end, task=task.pk)


def grid_sessions_url(unit, task, start, end) -> str:
    from xuanpei.training.models import TrainingSession

    return _url(unit, start, end, kind=TrainingSession.Kind.GRID_OFFICER)


# Records changed in the current transaction, refreshed once when it commits. Per thread;
# every mark queues the flush (the first to run drains it, the others find nothing).
_local = threading.local()


def _pending() -> dict[str, set]:
    if not hasattr(_local, "pending"):
        _local.pending = {"pairs": set(), "sessions": set(), "attended": set()}
    return _local.pending


def _mark(key: str, item) -> None:
    _pending()[key].add(item)
    transaction.on_commit(_flush)


def _task_ids(metric: str, among=None) -> set[int]:
    """Tasks with a target counted by `metric` (only those `among`, when given)."""
    from xuanpei.plans.models import Target

    queryset = Target.objects.filter(metric=metric)
    if among is not None:
        queryset = queryset.filter(task_id__in=among)
    return set(queryset.values_list("task_id", flat=True))


def _flush() -> None:
    from xuanpei.training.models import TrainingSession

    pending = _pending()
    pairs, session_ids = set(pending["pairs"]), set(pending["sessions"])
    attended = set(pending["attended"]) - session_ids
    for items in pending.values():
        items.clear()
    refresh = set()
    if attended:
        # Only "training.attendances" reads attendance: a sign-in refreshes nothing else
        # (the sign-in burst of a class whose task counts sessions costs two look-ups).
        linked = set(
            TrainingSession.objects.filter(pk__in=attended, task__isnull=False).values_list(
                "unit__path", "task_id"
            )
        )
        counted = _task_ids(ATTENDANCES, among={t for _p, t in linked}) if linked else set()
        refresh |= {(path, t) for path, t in linked if t in counted}
    if session_ids:
        pairs |= {
            (path, task_id, kind)
            for path, task_id, kind in TrainingSession.objects.filter(
                pk__in=session_ids
            ).values_list("unit__path", "task_id", "kind")
        }
    grid_tasks = (
        _task_ids(GRID_SESSIONS)
        if any(k == TrainingSession.Kind.GRID_OFFICER for _p, _t, k in pairs)
        else ()
    )
    for path, task_id, kind in pairs:
        if task_id:
            refresh.add((path, task_id))
        if kind == TrainingSession.Kind.GRID_OFFICER:
            refresh |= {(path, t) for t in grid_tasks}
    if refresh:
        refresh_paths(refresh)


def _session_state(session) -> tuple[str, int | None, str]:
    return (session.unit.path, session.task_id, session.kind)


def _before_session_save(sender, instance, raw=False, **kwargs) -> None:
    """A session moved to another unit, task or kind: the old ones' statuses move too."""
    if raw or instance.pk is None:
        return
    old = sender.objects.filter(pk=instance.pk).values_list("unit__path", "task_id", "kind").first()
    if old:
        _mark("pairs", old)


def _on_session_save(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    _mark("sessions", instance.pk)


def _on_session_delete(sender, instance, **kwargs) -> None:
    _mark("pairs", _session_state(instance))


def _on_attendance(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    session = instance._state.fields_cache.get("session")
    if session is not None and session.task_id is None:
        return  # no metric counts the attendance of a class that names no task
    _mark("attended", instance.session_id)


def _on_bulk_write(sender, changes, **kwargs) -> None:
    """The same for an import's set-based writes (`core.imports.bulk.written`)."""
    from xuanpei.training.models import TrainingSession

    for change in changes:
        obj = change.obj
        if isinstance(obj, TrainingSession):
            _mark("sessions", obj.pk)
        else:
            _mark("attended", obj.session_id)


def register() -> None:
    from django.db.models.signals import post_delete, post_save, pre_save

    from xuanpei.core.imports import bulk
    from xuanpei.training.models import Attendance, TrainingSession

    register_metric(SESSIONS, _("培训期数（已举办）"), count_sessions, sessions_url)
    register_metric(ATTENDANCES, _("培训人次（签到）"), count_attendances, sessions_url)
    register_metric(
        GRID_SESSIONS, _("网格员培训次数（已举办）"), count_grid_sessions, grid_sessions_url
    )
    uid = "training-metrics"
    pre_save.connect(_before_session_save, sender=TrainingSession, dispatch_uid=f"{uid}-pre")
    post_save.connect(_on_session_save, sender=TrainingSession, dispatch_uid=f"{uid}-save")
    post_delete.connect(_on_session_delete, sender=TrainingSession, dispatch_uid=f"{uid}-del")
    post_save.connect(_on_attendance, sender=Attendance, dispatch_uid=f"{uid}-att-save")
    post_delete.connect(_on_attendance, sender=Attendance, dispatch_uid=f"{uid}-att-del")
    for model in (TrainingSession, Attendance):
        bulk.written.connect(
            _on_bulk_write, sender=model, dispatch_uid=f"{uid}-bulk-{model.__name__}"
        )
