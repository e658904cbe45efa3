"""Publicity's metrics for computed plan targets (`plans.metrics`, issue #11 item 6).

Registered from `PublicityConfig.ready()`:

- "publicity.activities": accepted activities linked to the task (`Activity.tasks`),
  held (`held_on`) in the range by the unit or a unit below it — "五进活动 ≥ 4 次/季度".
- "publicity.media_posts": media posts linked to the task, published
  (`published_on`) in the range by the unit's subtree — "新媒体发布 ≥ N 条"
  (posts have no review state: every recorded post counts).

An activity recorded for an enterprise counts under its unit (the enterprise's 属地).
The records link opens the ledger's list filtered the same way:
`?unit=<pk>&task=<pk>&date_from=YYYY-MM-DD&date_to=YYYY-MM-DD[&status=accepted]`
(`unit` is a subtree filter, as `orgs.filters.UnitSubtreeFilter`).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from xuanpei.plans.metrics import register_metric, subtree_counts

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


def _url(name: str, unit, task, start, end, **extra) -> str:
    try:
        base = reverse(name)
    except NoReverseMatch:  # the list page is not installed: the value stands alone
        return ""
    query = {
        "unit": unit.pk,
        "task": task.pk,
        "date_from": start.isoformat(),
        "date_to": end.isoformat(),
        **extra,
    }
    return f"{base}?{urlencode(query)}"


def activities_url(unit, task, start, end) -> str:
    return _url("publicity:activity_list", unit, task, start, end, status="accepted")


def media_posts_url(unit, task, start, end) -> str:
    return _url("publicity:media_list", unit, task, start, end)


def register() -> None:
    register_metric(ACTIVITIES, _("宣传活动次数（已通过审核）"), count_activities, activities_url)
    register_metric(MEDIA_POSTS, _("新媒体发布条数"), count_media_posts, media_posts_url)
