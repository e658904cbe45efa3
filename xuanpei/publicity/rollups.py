"""Roll-ups of the activity ledger (issue #11 item 7): pure query functions.

Each table is ONE SQL aggregate over the accepted activities the viewer may see in a
year (`Activity.objects.for_user(user)`), counting activities and summing
participants (reach): by unit (the viewer's children, each with its subtree, plus
本级), campaign, 五进 type, audience, form and month; media posts by channel. Every
row carries the query string of the list behind its numbers (coverage.activity_list_url).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractMonth, Substr
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from xuanpei.orgs.models import Unit
from xuanpei.publicity.coverage import STEP, accepted, activity_list_url
from xuanpei.publicity.models import Campaign
from xuanpei.publicity.models_ledger import (
    FIVE_IN_FIELDS,
    Activity,
    ActivityForm,
    Audience,
    Channel,
    FiveIn,
    MediaPost,
    ReviewStatus,
)

TABLES = {
    "unit": _("按单位"),
    "campaign": _("按宣传主题活动"),
    "five_in": _("按五进类型"),
    "audience": _("按宣传对象"),
    "form": _("按活动形式"),
    "month": _("按月份"),
    "channel": _("新媒体按渠道"),
}


@dataclass
class RollRow:
    label: str
    count: int
    reach: int  # participants (activities) or views (media posts)
    url: str


def year_activities(user, year: int) -> QuerySet:
    return accepted(Activity.objects.for_user(user, "view")).filter(
        held_on__gte=date(year, 1, 1), held_on__lte=date(year, 12, 31)
    )


def _link(year: int, **params) -> str:
    return activity_list_url(
        status=ReviewStatus.ACCEPTED.value,
        start=f"{year}-01-01",
        end=f"{year}-12-31",
        **params,
    )


# COUNT(*), not COUNT(id): the month and unit roll-ups then read the covering index
# publicity_act_accepted_day alone (index-only scan, bench/publicity.py).
_TOTALS = {"n": Count("*"), "reach": Coalesce(Sum("participants"), 0)}


def by_unit(activities: QuerySet, viewer_unit: Unit, year: int) -> list[RollRow]:
    """The viewer's children, each counting its subtree; 本级 for the viewer's own."""
    depth = viewer_unit.depth + 1
    counts = {
        r["branch"]: r
        for r in activities.annotate(branch=Substr("unit__path", 1, STEP * depth))
        .values("branch")
        .annotate(**_TOTALS)
        .order_by()
    }
    children = Unit.objects.filter(path__startswith=viewer_unit.path, depth=depth).order_by("path")
    rows = []
    own = counts.get(viewer_unit.path)
    if own:
        rows.append(
            RollRow(
                _("%(name)s（本级）") % {"name": viewer_unit.name},
                own["n"],
                own["reach"],
                _link(year, unit=viewer_unit.pk),
            )
        )
    for child in children:
        got = counts.get(child.path, {"n": 0, "reach": 0})
        rows.append(RollRow(child.name, got["n"], got["reach"], _link(year, unit=child.pk)))
    return rows


def by_campaign(activities: QuerySet, year: int) -> list[RollRow]:
    counts = (
        activities.filter(campaigns__isnull=False)
        .values("campaigns")
        .annotate(**_TOTALS)
        .order_by()
    )
    counts = {r["campaigns"]: r for r in counts}
    names = Campaign.objects.filter(pk__in=list(counts)).order_by("start_date", "name", "pk")
    return [
        RollRow(c.name, counts[c.pk]["n"], counts[c.pk]["reach"], _link(year, campaign=c.pk))
        for c in names
    ]


def by_five_in(activities: QuerySet, year: int) -> list[RollRow]:
    aggregates = {}
    for value, name in FIVE_IN_FIELDS.items():
        aggregates[f"n_{value}"] = Count("pk", filter=Q(**{name: True}))
        aggregates[f"r_{value}"] = Coalesce(Sum("participants", filter=Q(**{name: True})), 0)
    got = activities.aggregate(**aggregates)
    return [
        RollRow(str(label), got[f"n_{value}"], got[f"r_{value}"], _link(year, five_in=value))
        for value, label in FiveIn.choices
    ]


def _by_dictionary(activities: QuerySet, relation: str, model, param: str, year: int):
    counts = (
        activities.filter(**{f"{relation}__isnull": False})
        .values(relation)
        .annotate(**_TOTALS)
        .order_by()
    )
    counts = {r[relation]: r for r in counts}
    return [
        RollRow(e.name, counts[e.pk]["n"], counts[e.pk]["reach"], _link(year, **{param: e.pk}))
        for e in model.objects.filter(pk__in=list(counts)).order_by("order", "pk")
    ]


def by_audience(activities: QuerySet, year: int) -> list[RollRow]:
    return _by_dictionary(activities, "audiences", Audience, "audience", year)


def by_form(activities: QuerySet, year: int) -> list[RollRow]:
    return _by_dictionary(activities, "forms", ActivityForm, "form", year)


def by_month(activities: QuerySet, year: int) -> list[RollRow]:
    """Twelve rows, empty months as zeros."""
    counts = {
        r["month"]: r
        for r in activities.annotate(month=ExtractMonth("held_on"))
        .values("month")
        .annotate(**_TOTALS)
        .order_by()
    }
    rows = []
    for m in range(1, 13):
        got = counts.get(m, {"n": 0, "reach": 0})
        last = (date(year + (m == 12), m % 12 + 1, 1) - date.resolution).isoformat()
        url = activity_list_url(
            status=ReviewStatus.ACCEPTED.value, start=f"{year}-{m:02d}-01", end=last
        )
        rows.append(RollRow(_("%(m)d月") % {"m": m}, got["n"], got["reach"], url))
    return rows


def media_by_channel(user, year: int) -> list[RollRow]:
    """Media posts of the year by channel: posts and views (one aggregate)."""
    qs = MediaPost.objects.for_user(user, "view").filter(
        published_on__gte=date(year, 1, 1), published_on__lte=date(year, 12, 31)
    )
    counts = {
        r["channel"]: r
        for r in qs.values("channel")
        .annotate(n=Count("pk"), reach=Coalesce(Sum("views"), 0))
        .order_by()
    }
    try:
        base = reverse("publicity:media_list")
    except NoReverseMatch:
        base = ""
    rows = []
    for value, label in Channel.choices:
        got = counts.get(value, {"n": 0, "reach": 0})
        url = f"{base}?channel={value}&date_from={year}-01-01&date_to={year}-12-31" if base else ""
        rows.append(RollRow(str(label), got["n"], got["reach"], url))
    return rows


def table(name: str, user, viewer_unit: Unit, year: int) -> list[RollRow]:
    """One roll-up table by name (TABLES)."""
    if name == "channel":
        return media_by_channel(user, year)
    activities = year_activities(user, year)
    if name == "unit":
        return by_unit(activities, viewer_unit, year)
    return {
        "campaign": by_campaign,
        "five_in": by_five_in,
        "audience": by_audience,
        "form": by_form,
        "month": by_month,
    }[name](activities, year)
