"""Publicity's metrics for computed plan targets (`plans.metrics`, issue #11 item 6).

Registered from `PublicityConfig.ready()`:

- "publicity.activities": accepted activities linked to the task (`Activity.tasks`),
  held (`held_on`) in the range by the unit or a unit below it — "五进活动 ≥ 4 次/季度".
- "publicity.media_posts": media posts linked to the task, published
  (`published_on`) in the range by the unit's subtree — "新媒体发布 ≥ N 条"
  (posts have no review state: every recorded post counts).

An activity recorded for an enterprise counts under its unit (the enterprise's 属地).
The records link opens the ledger's list filtered the same way:
activities `?unit=<pk>&task=<pk>&start=YYYY-MM-DD&end=YYYY-MM-DD&status=accepted`,
media posts `?unit=<pk>&task=<pk>&date_from=YYYY-MM-DD&date_to=YYYY-MM-DD`
(`unit` is a subtree filter, as `orgs.filters.UnitSubtreeFilter`).
"""

from __future__ import annotations

import threading
from urllib.parse import urlencode

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from xuanpei.plans.metrics import refresh_paths, register_metric, subtree_counts

ACTIVITIES = "publicity.activities"
MEDIA_POSTS = "publicity.media_posts"


def count_activities(units, task, ranges):
    from xuanpei.publicity.models_ledger import Activity, ReviewStatus

    queryset = Activity.objects.filter(status=ReviewStatus.ACCEPTED, tasks=task)
    return subtree_counts(queryset, units, ranges, date_field="held_on")


def count_media_posts(units, task, ranges):
    from xuanpei.publicity.models_ledger import MediaPost

    return subtree_counts(
        MediaPost.objects.filter(tasks=task), units, ranges, date_field="published_on"
    )


def _url(name: str, unit, task, start, end, *, dates: tuple[str, str], **extra) -> str:
    try:
        base = reverse(name)
    except NoReverseMatch:  # the list page is not installed: the value stands alone
        return ""
    after, before = dates
    query = {
        "unit": unit.pk,
        "task": task.pk,
        after: start.isoformat(),
        before: end.isoformat(),
        **extra,
    }
    return f"{base}?{urlencode(query)}"


def activities_url(unit, task, start, end) -> str:
    # The activity list's filters (forms_activities.ActivityFilterSet): start/end on held_on.
    return _url(
        "publicity:activity_list", unit, task, start, end, dates=("start", "end"), status="accepted"
    )


def media_posts_url(unit, task, start, end) -> str:
    # The media list's filters (forms_media): date_from/date_to on published_on.
    return _url("publicity:media_list", unit, task, start, end, dates=("date_from", "date_to"))


# Records changed in the current transaction, refreshed once when it commits (an
# import of thousands of rows refreshes the statuses once, not per row). Per thread;
# every mark queues the flush (the first to run drains it, the others find nothing),
# so a rolled-back transaction leaves at most a harmless extra refresh behind.
_local = threading.local()


def _pending() -> dict[str, set]:
    if not hasattr(_local, "pending"):
        _local.pending = {}
    return _local.pending


def _flush() -> None:
    from xuanpei.publicity.models_ledger import Activity, MediaPost

    pending = dict(_pending())
    _pending().clear()
    if not pending:
        return
    pairs = set(pending.get("pairs", ()))
    for model, key in ((Activity, "activity"), (MediaPost, "mediapost")):
        pks = pending.get(key)
        if pks:
            pairs |= set(
                model.tasks.through.objects.filter(**{f"{key}_id__in": pks}).values_list(
                    f"{key}__unit__path", "task_id"
                )
            )
    refresh_paths(pairs)


def _mark(key: str, item) -> None:
    _pending().setdefault(key, set()).add(item)
    transaction.on_commit(_flush)


def _on_save(sender, instance, created, raw=False, **kwargs) -> None:
    """A record's status or date changed: the statuses it counts for may have. (A new
    record links its tasks after saving: `_on_tasks` hears of it.)"""
    if raw or created:
        return
    _mark(sender._meta.model_name, instance.pk)


def _on_tasks(sender, instance, action, reverse=False, pk_set=None, **kwargs) -> None:
    """Tasks linked or unlinked: both the old and the new tasks' statuses may move."""
    if reverse or action not in ("post_add", "post_remove", "pre_clear"):
        return
    if action == "pre_clear":
        pk_set = set(instance.tasks.values_list("pk", flat=True))
    for task_id in pk_set or ():
        _mark("pairs", (instance.unit.path, task_id))


def _on_bulk_write(sender, changes, **kwargs) -> None:
    """The same for an import's set-based writes (`core.imports.bulk.written`): an
    updated record's saved fields, and every task linked or unlinked."""
    key = sender._meta.model_name
    for change in changes:
        if change.fields:
            _mark(key, change.obj.pk)
        before, after = change.links.get("tasks", (set(), set()))
        for task_id in before ^ after:
            _mark("pairs", (change.obj.unit.path, task_id))


def register() -> None:
    from django.db.models.signals import m2m_changed, post_save

    from xuanpei.core.imports import bulk
    from xuanpei.publicity.models_ledger import Activity, MediaPost

    register_metric(ACTIVITIES, _("宣传活动次数（已通过审核）"), count_activities, activities_url)
    register_metric(MEDIA_POSTS, _("新媒体发布条数"), count_media_posts, media_posts_url)
    for model in (Activity, MediaPost):
        post_save.connect(_on_save, sender=model, dispatch_uid=f"metrics-save-{model.__name__}")
        m2m_changed.connect(
            _on_tasks, sender=model.tasks.through, dispatch_uid=f"metrics-tasks-{model.__name__}"
        )
        bulk.written.connect(
            _on_bulk_write, sender=model, dispatch_uid=f"metrics-bulk-{model.__name__}"
        )
