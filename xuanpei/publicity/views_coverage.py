"""Quotas, coverage and roll-ups of publicity (issue #11 items 4 and 7).

Pages: the quotas (list, add, edit, delete, and one quota's coverage), the coverage
index (this year's campaigns and quotas; for a 镇街 its 村/社区 never reached), a
campaign's unit × 五进 matrix, the roll-ups (tables, charts, xlsx) and a campaign's
printable one-page summary. Numbers come from `coverage` and `rollups` (one SQL
aggregate each); every number links to the activity list behind it.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import Http404
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import generic

from xuanpei.core.exports import write_sheet, xlsx_response
from xuanpei.core.scoping import UserScope, reaches
from xuanpei.core.views import (
    ObjectCreateView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
)
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.models import Unit
from xuanpei.publicity import coverage, rollups
from xuanpei.publicity.forms_quotas import APPLIES_TO, QuotaForm
from xuanpei.publicity.models import Campaign
from xuanpei.publicity.models_ledger import Activity, ActivityFile, Quota
from xuanpei.publicity.views import selected_year

TOWN_KINDS = (UnitKind.TOWN, UnitKind.SUBDISTRICT)
APPLIES_LABELS = dict(APPLIES_TO)


def viewer_unit(user) -> Unit | None:
    """The unit whose subtree a coverage or roll-up page shows: the user's unit, the
    district for a superuser without one; None for an enterprise account."""
    if user.unit_id:
        return user.unit
    if UserScope.of(user).everything:
        return Unit.objects.get_first_root_node()
    return None


# --------------------------------------------------------------------------- quotas


class QuotaListView(ObjectListView):
    queryset = Quota.objects.select_related("unit", "campaign")
    template_name = "publicity/quota_list.html"
    default_ordering = ["-year", "name", "pk"]

    def get_queryset(self):
        qs = super().get_queryset()
        self.year = selected_year(self.request)
        return qs.filter(year=self.year)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["year"] = self.year
        ctx["applies_labels"] = APPLIES_LABELS
        user = self.request.user
        changeable = set(
            Quota.objects.for_user(user, "change")
            .filter(pk__in=[q.pk for q in ctx["object_list"]])
            .values_list("pk", flat=True)
        )
        for q in ctx["object_list"]:
            q.may_change = q.pk in changeable
        return ctx


class QuotaEditMixin:
    model = Quota
    form_class = QuotaForm
    template_name = "publicity/quota_form.html"

    def save_form(self, form):
        quota = form.save(commit=False)
        if not quota.unit_id:
            quota.unit = viewer_unit(self.request.user)
        quota.save()
        return quota

    def get_success_url(self):
        return reverse("publicity:quota_detail", args=[self.object.pk])


class QuotaCreateView(QuotaEditMixin, ObjectCreateView):
    queryset = Quota.objects.all()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and viewer_unit(request.user) is None:
            raise PermissionDenied(_("只有单位账号可以制定宣传定额"))
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"year": timezone.localdate().year, "minimum": 1}


class QuotaUpdateView(QuotaEditMixin, ObjectUpdateView):
    queryset = Quota.objects.all()


class QuotaDeleteView(ObjectDeleteView):
    queryset = Quota.objects.all()
    template_name = "publicity/quota_confirm_delete.html"
    success_url = reverse_lazy("publicity:quota_list")


class QuotaDetailView(ObjectDetailView):
    """One quota against every unit it applies to in the viewer's subtree."""

    queryset = Quota.objects.select_related("unit", "campaign")
    template_name = "publicity/quota_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        unit = viewer_unit(user)
        quota = self.object
        rows = (
            coverage.quota_rows(quota, unit, scope_qs=Activity.objects.for_user(user, "view"))
            if unit
            else []
        )
        ctx.update(
            rows=rows,
            period=coverage.quota_period(quota),
            applies_label=APPLIES_LABELS.get(quota.applies_to, quota.applies_to),
            summary={
                s: sum(1 for r in rows if r.state == s)
                for s in (coverage.COVERED, coverage.PARTLY, coverage.NONE)
            },
        )
        return ctx


# --------------------------------------------------------------------------- coverage


class CoverageIndexView(ObjectListView):
    """This year's campaigns (to open their matrix), the quotas, and for a 镇街 its
    村/社区 never reached this year."""

    queryset = Campaign.objects.all()
    template_name = "publicity/coverage.html"
    paginate_by = 100

    def get_queryset(self):
        self.year = selected_year(self.request)
        self.filterset = None
        return self.queryset.filter(year=self.year).order_by("start_date", "name", "pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        unit = viewer_unit(user)
        today = timezone.localdate()
        for c in ctx["object_list"]:
            c.running = c.start_date <= today <= c.end_date
        ctx["year"] = self.year
        ctx["quotas"] = list(
            Quota.objects.for_user(user, "view")
            .filter(year=self.year)
            .select_related("campaign")
            .order_by("name", "pk")
        )
        if unit is not None and unit.kind in TOWN_KINDS:
            missing, localities = coverage.never_reached(
                unit, self.year, scope_qs=Activity.objects.for_user(user, "view")
            )
            ctx["never_reached"], ctx["localities"] = missing, localities
        return ctx


class CampaignCoverageView(ObjectDetailView):
    """A campaign's unit × 五进 matrix (?kind=new_town|town|village, default: the
    viewer's children), coloured by state, each cell a link to its activities."""

    queryset = Campaign.objects.all()
    template_name = "publicity/campaign_coverage.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        unit = viewer_unit(user)
        kind = self.request.GET.get("kind") or None
        if kind not in APPLIES_LABELS:
            kind = None
        matrix = None
        if unit is not None:
            matrix = coverage.campaign_matrix(
                self.object, unit, kind=kind, scope_qs=Activity.objects.for_user(user, "view")
            )
        ctx.update(
            matrix=matrix,
            kind=kind or "",
            kinds=APPLIES_TO,
            viewer=unit,
            not_covered=[r.unit for r in matrix.rows if r.total.count == 0] if matrix else [],
        )
        return ctx


def thumbnail_url(f: ActivityFile) -> str:
    """The ledger's protected thumbnail view for a photo, when the ledger mounts one."""
    for name in ("activity_thumbnail", "activityfile_thumbnail"):
        try:
            return reverse(f"publicity:{name}", args=[f.pk])
        except NoReverseMatch:
            continue
    return ""


class CampaignSummaryView(ObjectDetailView):
    """One printable page per campaign: what happened, where, reach, photos."""

    queryset = Campaign.objects.all()
    template_name = "publicity/campaign_summary.html"
    PHOTOS = 12

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        campaign = self.object
        activities = coverage.campaign_activities(campaign, Activity.objects.for_user(user, "view"))
        unit = viewer_unit(user)
        totals = activities.aggregate(n=Count("pk"), reach=Sum("participants"))
        files = (
            ActivityFile.objects.for_user(user, "view")
            .filter(kind="image", activity__in=activities.values("pk"))
            .select_related("activity")
            .order_by("-activity__held_on", "pk")[: self.PHOTOS]
        )
        ctx.update(
            totals={"n": totals["n"] or 0, "reach": totals["reach"] or 0},
            five_in=rollups.by_five_in(activities, campaign.year),
            by_unit=rollups.by_unit(activities, unit, campaign.year) if unit else [],
            recent=list(
                activities.select_related("unit", "locality").order_by("-held_on", "-pk")[:15]
            ),
            photos=[(f, thumbnail_url(f)) for f in files],
            printed_at=timezone.localtime(),
        )
        return ctx


# --------------------------------------------------------------------------- roll-ups


def may_see_rollups(user, action: str = "view") -> bool:
    """Roll-ups are the units' view of their subtree: a unit account (or the district)
    whose role may read (or export) activities; an enterprise keeps its own list."""
    return reaches(user, Activity, action) and viewer_unit(user) is not None


class RollupAccessMixin(LoginRequiredMixin):
    action = "view"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not may_see_rollups(request.user, self.action):
            raise PermissionDenied(_("您没有权限查看宣传活动统计"))
        return super().dispatch(request, *args, **kwargs)

    def tables(self):
        user = self.request.user
        self.year = selected_year(self.request)
        unit = viewer_unit(user)
        names = [n for n in rollups.TABLES if n != "unit" or unit is not None]
        only = self.request.GET.get("table")
        if only:  # one table (a chart's own page, or one sheet of the export)
            if only not in names:
                raise Http404(_("没有这张统计表"))
            names = [only]
        return {n: rollups.table(n, user, unit, self.year) for n in names}


class RollupView(RollupAccessMixin, generic.TemplateView):
    template_name = "publicity/rollup.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        tables = self.tables()
        ctx["year"] = self.year
        ctx["tables"] = [
            {
                "name": name,
                "label": rollups.TABLES[name],
                "rows": rows,
                "total": sum(r.count for r in rows) if name != "five_in" else None,
                "reach_label": _("阅读/播放量") if name == "channel" else _("参与人数"),
                "chart": {
                    "labels": [r.label for r in rows],
                    "counts": [r.count for r in rows],
                    "urls": [r.url for r in rows],
                },
            }
            for name, rows in tables.items()
        ]
        ctx["charts"] = {t["name"]: t["chart"] for t in ctx["tables"]}
        ctx["can_export"] = may_see_rollups(self.request.user, "export")
        return ctx


class RollupExportView(RollupAccessMixin, generic.View):
    """Every roll-up table of the year as one sheet each (core.exports: safe_row)."""

    action = "export"

    def get(self, request, *args, **kwargs):
        tables = self.tables()

        def write(fh):
            from openpyxl import Workbook

            workbook = Workbook(write_only=True)
            for name, rows in tables.items():
                reach = _("阅读/播放量") if name == "channel" else _("参与人数")
                count = _("发布条数") if name == "channel" else _("活动次数")
                write_sheet(
                    workbook,
                    [_("分组"), count, reach],
                    ([r.label, r.count, r.reach] for r in rows),
                    title=str(rollups.TABLES[name]),
                    widths=(28, 12, 12),
                )
            workbook.save(fh)

        return xlsx_response(write, f"{_('宣传统计汇总')}-{self.year}.xlsx")
