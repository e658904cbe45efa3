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

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from xuanpei.plans.metrics import refresh_for, register_metric, subtree_counts

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


def _refresh(instance) -> None:
    """The record changed: refresh the cached status of the assignments it counts for
    (the live pages compute it anyway; the matrix reads the cache). Bulk writes skip
    signals — the daily `plan refresh-status` catches those."""
    task_ids = list(instance.tasks.values_list("pk", flat=True))
    if task_ids:
        refresh_for(instance.unit, task_ids)


def _on_save(sender, instance, created, raw=False, **kwargs) -> None:
    from xuanpei.publicity.models_ledger import Activity, ReviewStatus

    if raw or (created and sender is Activity and instance.status != ReviewStatus.ACCEPTED):
        return
    _refresh(instance)


def _on_tasks(sender, instance, action, reverse=False, **kwargs) -> None:
    from xuanpei.publicity.models_ledger import Activity, ReviewStatus

    if not action.startswith("post_") or reverse:
        return
    if isinstance(instance, Activity) and instance.status != ReviewStatus.ACCEPTED:
        return  # a draft's tasks count for nothing yet
    _refresh(instance)


def register() -> None:
    from django.db.models.signals import m2m_changed, post_save

    from xuanpei.publicity.models_ledger import Activity, MediaPost

    register_metric(ACTIVITIES, _("宣传活动次数（已通过审核）"), count_activities, activities_url)
    register_metric(MEDIA_POSTS, _("新媒体发布条数"), count_media_posts, media_posts_url)
    for model in (Activity, MediaPost):
        post_save.connect(_on_save, sender=model, dispatch_uid=f"metrics-save-{model.__name__}")
        m2m_changed.connect(
            _on_tasks, sender=model.tasks.through, dispatch_uid=f"metrics-tasks-{model.__name__}"
        )
