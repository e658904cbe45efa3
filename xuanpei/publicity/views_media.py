"""New-media output pages (issue #11 item 5): the post list, detail, add/edit/delete,
the tallies per unit, channel and month, and the xlsx import and export.

Scoped like every page (core.views): a post outside the user's scope is a 404. An
enterprise's post is its 属地's (services_media). Every number on the tallies page
links to the filtered list of the posts behind it.
"""

from __future__ import annotations

import calendar as pycal
from datetime import date
from urllib.parse import urlencode

from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth, Substr
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import generic

from xuanpei.core.exports import ObjectExportView, write_sheet, xlsx_response
from xuanpei.core.imports.views import ImportTemplateView, ObjectImportView
from xuanpei.core.views import (
    ObjectCreateView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    ScopedViewMixin,
)
from xuanpei.orgs.models import Unit
from xuanpei.publicity.forms_activities import ActivityFilterSet
from xuanpei.publicity.forms_media import MediaPostFilterSet, MediaPostForm
from xuanpei.publicity.models_ledger import Activity, Channel, MediaPost
from xuanpei.publicity.services_media import save_media_post

ORDERING = {
    "date": "published_on",
    "views": "views",
    "likes": "likes",
    "shares": "shares",
    "channel": "channel",
}


class MediaPostListView(ObjectListView):
    queryset = MediaPost.objects.select_related("unit", "enterprise")
    filterset_class = MediaPostFilterSet
    template_name = "publicity/media_list.html"
    ordering_fields = ORDERING
    default_ordering = ["-published_on", "-pk"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["totals"] = self.object_list.aggregate(
            n=Count("pk"), views=Sum("views"), likes=Sum("likes"), shares=Sum("shares")
        )
        return ctx


class MediaPostDetailView(ObjectDetailView):
    queryset = MediaPost.objects.select_related("unit", "enterprise").prefetch_related("campaigns")
    template_name = "publicity/media_detail.html"


class MediaPostSaveMixin:
    form_class = MediaPostForm
    template_name = "publicity/media_form.html"
    success_message = _("新媒体发布已保存")

    def save_form(self, form):
        post = form.save(commit=False)
        if not post.pk:
            post.created_by = self.request.user
            if getattr(self.request.user, "enterprise_id", None):
                post.enterprise = self.request.user.enterprise
        return save_media_post(
            post, actor=self.request.user, campaigns=form.cleaned_data.get("campaigns")
        )


class MediaPostCreateView(MediaPostSaveMixin, ObjectCreateView):
    queryset = MediaPost.objects.all()


class MediaPostUpdateView(MediaPostSaveMixin, ObjectUpdateView):
    queryset = MediaPost.objects.select_related("unit", "enterprise")


class MediaPostDeleteView(ObjectDeleteView):
    queryset = MediaPost.objects.all()
    template_name = "publicity/media_confirm_delete.html"
    success_url = reverse_lazy("publicity:media_list")


# --------------------------------------------------------------------------- tallies


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), 2100)


def _sums(qs):
    return qs.annotate(
        n=Count("pk"), views_sum=Sum("views"), likes_sum=Sum("likes"), shares_sum=Sum("shares")
    )


class MediaTally:
    """Posts of one year under one unit: by child unit (subtree roll-up), channel and month."""

    def __init__(self, user, *, year: int, unit: Unit):
        self.year, self.unit, self.user = year, unit, user
        self.qs = (
            MediaPost.objects.for_user(user, "view")
            .filter(published_on__year=year, unit__path__startswith=unit.path)
            .order_by()
        )
        self.list_url = reverse("publicity:media_list")
        self.span = {"date_from": date(year, 1, 1), "date_to": date(year, 12, 31)}

    def link(self, **params) -> str:
        query = {**self.span, **params}
        return f"{self.list_url}?{urlencode({k: str(v) for k, v in query.items()})}"

    @staticmethod
    def _cells(row) -> dict:
        return {
            "n": row.get("n") or 0,
            "views": row.get("views_sum") or 0,
            "likes": row.get("likes_sum") or 0,
            "shares": row.get("shares_sum") or 0,
        }

    def by_unit(self) -> list[dict]:
        """The unit's own posts (本级), then each child's subtree, in tree order."""
        width = Unit.steplen * (self.unit.depth + 1)
        grouped = {
            r["prefix"]: self._cells(r)
            for r in _sums(self.qs.annotate(prefix=Substr("unit__path", 1, width)).values("prefix"))
        }
        rows = []
        own = grouped.get(self.unit.path)
        if own:
            rows.append(
                {
                    "label": _("%(name)s（本级）") % {"name": self.unit.name},
                    **own,
                    "params": {"own_unit": self.unit.pk},
                }
            )
        # Only the units the user may see (an enterprise sees its 属地's total, not its villages).
        visible = Unit.objects.for_user(self.user, "view").values("pk")
        for child in Unit.objects.get_children(self.unit).filter(pk__in=visible):
            cells = grouped.get(child.path, self._cells({}))
            rows.append({"label": child.name, "unit": child, **cells, "params": {"unit": child.pk}})
        for row in rows:
            row["url"] = self.link(**row["params"])
        return rows

    def by_channel(self) -> list[dict]:
        grouped = {r["channel"]: self._cells(r) for r in _sums(self.qs.values("channel"))}
        rows = []
        for value, label in Channel.choices:
            cells = grouped.get(value, self._cells({}))
            params = {"unit": self.unit.pk, "channel": value}
            rows.append({"label": label, **cells, "url": self.link(**params), "key": value})
        return rows

    def by_month(self) -> list[dict]:
        grouped = {
            r["month"]: self._cells(r)
            for r in _sums(self.qs.annotate(month=ExtractMonth("published_on")).values("month"))
        }
        rows = []
        for month in range(1, 13):
            last = pycal.monthrange(self.year, month)[1]
            url = f"{self.list_url}?" + urlencode(
                {
                    "date_from": date(self.year, month, 1),
                    "date_to": date(self.year, month, last),
                    "unit": self.unit.pk,
                }
            )
            cells = grouped.get(month, self._cells({}))
            rows.append({"label": _("%(m)d月") % {"m": month}, "month": month, **cells, "url": url})
        return rows

    def total(self) -> dict:
        cells = self._cells(
            self.qs.aggregate(
                n=Count("pk"),
                views_sum=Sum("views"),
                likes_sum=Sum("likes"),
                shares_sum=Sum("shares"),
            )
        )
        return {"label": _("合计"), **cells, "url": self.link(unit=self.unit.pk)}


def tally_root(request) -> Unit:
    """The unit whose children the tally rolls up to: ?unit= in scope, else the user's own."""
    user = request.user
    units = Unit.objects.for_user(user, "view")
    pk = request.GET.get("unit", "")
    if pk.isdigit():
        found = units.filter(pk=pk).first()
        if found is not None:
            return found
    own = user.unit if user.unit_id else getattr(user.enterprise, "unit", None)
    if own is not None:
        return own
    return Unit.objects.get_first_root_node()


TALLY_HEADERS = [_("分组"), _("名称"), _("发布条数"), _("阅读量"), _("点赞数"), _("转发数")]


class MediaTallyView(ScopedViewMixin, generic.TemplateView):
    queryset = MediaPost.objects.all()
    template_name = "publicity/media_tally.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = _year(self.request)
        unit = tally_root(self.request)
        tally = MediaTally(self.request.user, year=year, unit=unit)
        months = tally.by_month()
        ctx.update(
            year=year,
            unit=unit,
            by_unit=tally.by_unit(),
            by_channel=tally.by_channel(),
            by_month=months,
            total=tally.total(),
            years=range(timezone.localdate().year, timezone.localdate().year - 6, -1),
            ancestors=[u for u in Unit.objects.get_ancestors(unit) if self._visible(u)],
            chart={
                "months": [r["label"] for r in months],
                "counts": [r["n"] for r in months],
                "views": [r["views"] for r in months],
                "count_label": _("发布条数"),
                "views_label": _("阅读量"),
            },
        )
        return ctx

    def _visible(self, unit) -> bool:
        return Unit.objects.for_user(self.request.user, "view").filter(pk=unit.pk).exists()


class MediaTallyExportView(ScopedViewMixin, generic.View):
    """The tallies page's three tables as one xlsx sheet (safe_row neutralises names)."""

    queryset = MediaPost.objects.all()
    action = "export"

    def get(self, request, *args, **kwargs):
        year = _year(request)
        unit = tally_root(request)
        tally = MediaTally(request.user, year=year, unit=unit)

        def rows():
            for group, items in (
                (_("单位"), tally.by_unit()),
                (_("渠道"), tally.by_channel()),
                (_("月份"), tally.by_month()),
            ):
                for r in items:
                    yield [str(group), str(r["label"]), r["n"], r["views"], r["likes"], r["shares"]]
            t = tally.total()
            yield ["", str(t["label"]), t["n"], t["views"], t["likes"], t["shares"]]

        def write(fh):
            from openpyxl import Workbook

            workbook = Workbook(write_only=True)
            write_sheet(
                workbook,
                [str(h) for h in TALLY_HEADERS],
                rows(),
                title=_("%(year)d年新媒体发布统计") % {"year": year},
                widths=(8, 24, 10, 12, 10, 10),
            )
            workbook.save(fh)

        filename = _("%(unit)s%(year)d年新媒体发布统计.xlsx") % {"unit": unit.name, "year": year}
        return xlsx_response(write, filename)


# --------------------------------------------------------------------------- import / export


class MediaPostImportView(ObjectImportView):
    queryset = MediaPost.objects.all()
    importer_name = "media-posts"
    template_name = "publicity/ledger_import.html"
    list_url_name = "publicity:media_list"


class MediaPostImportTemplateView(ImportTemplateView):
    queryset = MediaPost.objects.all()
    importer_name = "media-posts"


class MediaPostExportView(ObjectExportView):
    queryset = MediaPost.objects.all()
    filterset_class = MediaPostFilterSet
    ordering_fields = ORDERING
    default_ordering = ["-published_on", "-pk"]
    exporter_name = "media-posts"


# Activities: the import/export pages sit here, beside the media ones (issue #11 item 9).


class LedgerListUrlMixin:
    def get_list_url(self) -> str:
        try:
            return reverse(self.list_url_name)
        except NoReverseMatch:  # the activity list not routed yet
            return reverse("publicity:calendar")


class ActivityImportView(LedgerListUrlMixin, ObjectImportView):
    queryset = Activity.objects.all()
    importer_name = "activities"
    template_name = "publicity/ledger_import.html"
    list_url_name = "publicity:activity_list"


class ActivityImportTemplateView(ImportTemplateView):
    queryset = Activity.objects.all()
    importer_name = "activities"


class ActivityExportView(ObjectExportView):
    """The scoped activities as the list shows them (its filters and sort)."""

    queryset = Activity.objects.all()
    default_ordering = ["-held_on", "-pk"]
    ordering_fields = {"held_on": "held_on", "participants": "participants"}
    exporter_name = "activities"

    filterset_class = ActivityFilterSet  # the list's own filters: the export is what it shows


def may_open_publicity(user) -> bool:
    """The 宣传 menu: the calendar's users, and enterprise accounts (activities, media posts)."""
    from xuanpei.core.scoping import reaches
    from xuanpei.publicity.models import Campaign

    return any(reaches(user, model, "view") for model in (Campaign, Activity, MediaPost))
