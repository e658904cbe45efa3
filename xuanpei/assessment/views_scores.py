"""Pages: the quarter's scores and rankings, a unit's score with its drill-down, and the
district's compute and publish buttons (issue #13 §2).

Who sees what: the district sees every unit's row, ranked within its type (新城, 镇街,
行业部门). A unit sees the rows of its own subtree only (`UnitScore.for_user`), each with
its rank as "第N名/共M个": M is a count of the units of that type in the run, the only
figure taken outside the unit's scope (no other unit is named).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic

from xuanpei.assessment.forms import ObjectionForm, parse_quarter
from xuanpei.assessment.models import AssessedKind, Objection, QuarterRun, UnitScore
from xuanpei.assessment.querysets import change_of, lost_points
from xuanpei.core import jobs
from xuanpei.core.permissions import has_action, is_district_admin
from xuanpei.core.views import ObjectDetailView, ScopedViewMixin
from xuanpei.core.views_jobs import follow_job

COMPUTE_JOB = "assessment_compute"


def current_quarter(today: date | None = None) -> tuple[int, int]:
    today = today or date.today()
    return today.year, (today.month - 1) // 3 + 1


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}Q{quarter}"


def district_only(user) -> None:
    if not is_district_admin(user):
        raise PermissionDenied(_("只有区安委办计算和发布季度考核"))


def message_of(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def lost_items(score: UnitScore, limit: int = 3) -> list[str]:
    """Names of the indicators that cost the unit points, worst first."""
    return [item.get("name", "") for item in lost_points(score)[:limit]]


class ScoreListView(ScopedViewMixin, generic.TemplateView):
    """/assessment/: a quarter picker, the run's status, ranking tables per unit type."""

    queryset = UnitScore.objects.select_related("unit", "run")
    template_name = "assessment/score_list.html"

    def pick_quarter(self, runs):
        raw = self.request.GET.get("quarter", "")
        if raw:
            try:
                return parse_quarter(raw), None
            except ValidationError as exc:
                error = message_of(exc)
        else:
            error = None
        latest = runs.first()
        if latest is not None:
            return (latest.year, latest.quarter), error
        return current_quarter(), error

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        # The district's run of a quarter first (the issuer highest in the tree).
        runs = QuarterRun.objects.for_user(user, "view").order_by(
            "-year", "-quarter", "unit__depth", "pk"
        )
        (year, quarter), error = self.pick_quarter(runs)
        run = runs.filter(year=year, quarter=quarter).first()
        rows = []
        if run is not None:
            rows = list(self.queryset.filter(run=run).order_by("assessed_kind", "rank", "pk"))
        # Units of each type in the run: "共M个" (a count; no other unit is named).
        counts = (
            Counter(UnitScore.objects.filter(run=run).values_list("assessed_kind", flat=True))
            if run is not None
            else Counter()
        )
        groups = []
        for value, label in AssessedKind.choices:
            kind_rows = [r for r in rows if r.assessed_kind == value]
            for r in kind_rows:
                r.change = change_of(r)
                r.lost = lost_items(r)
                r.of = counts[value]
            if kind_rows:
                groups.append({"label": label, "rows": kind_rows, "of": counts[value]})
        district = is_district_admin(user)
        ctx.update(
            run=run,
            year=year,
            quarter=quarter,
            quarter_text=quarter_label(year, quarter),
            quarter_error=error,
            runs=runs[:12],
            groups=groups,
            is_district=district,
            may_compute=district and has_action(user, QuarterRun, "add"),
            may_publish=(
                district
                and run is not None
                and run.status == QuarterRun.Status.DRAFT
                and run.quarter_ended
            ),
            uses_job=COMPUTE_JOB in jobs.HANDLERS,
        )
        return ctx


class ScoreDetailView(ObjectDetailView):
    """/assessment/scores/<pk>/: each indicator's value, score and detail, linked to the
    records behind it; the objections raised; the objection form once published."""

    queryset = UnitScore.objects.select_related("unit", "run")
    template_name = "assessment/score_detail.html"
    context_object_name = "score"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        score = self.object
        user = self.request.user
        published = score.run.status == QuarterRun.Status.PUBLISHED
        ctx["published"] = published
        ctx["change"] = change_of(score)
        ctx["of"] = UnitScore.objects.filter(
            run=score.run, assessed_kind=score.assessed_kind
        ).count()
        ctx["objections"] = (
            Objection.objects.for_user(user, "view")
            .filter(score=score)
            .select_related("raised_by", "answered_by")
        )
        may_object = (
            published
            and not is_district_admin(user)
            and UnitScore.objects.for_user(user, "add").filter(pk=score.pk).exists()
            and has_action(user, Objection, "add")
        )
        ctx["may_object"] = may_object
        ctx["is_district"] = is_district_admin(user)
        if may_object:
            ctx["objection_form"] = ObjectionForm(score=score)
        return ctx


class RunComputeView(ScopedViewMixin, generic.View):
    """POST: compute (or recompute) a quarter's draft — a background job when registered."""

    queryset = QuarterRun.objects.all()
    action = "add"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        district_only(request.user)
        back = reverse("assessment:score_list")
        try:
            year, quarter = parse_quarter(request.POST.get("quarter", ""))
        except ValidationError as exc:
            messages.error(request, message_of(exc))
            return HttpResponseRedirect(back)
        back += f"?quarter={quarter_label(year, quarter)}"
        if COMPUTE_JOB in jobs.HANDLERS:
            ui = {"label": _("正在计算考核得分…"), "unit": _("步")}
            params = {"year": year, "quarter": quarter}
            return follow_job(request, COMPUTE_JOB, params, ui=ui, back=back)
        from xuanpei.assessment import services_scoring

        try:
            services_scoring.compute_run(year=year, quarter=quarter, actor=request.user)
        except ValidationError as exc:
            messages.error(request, message_of(exc))
        else:
            messages.success(
                request, _("已计算%(q)s的考核得分") % {"q": quarter_label(year, quarter)}
            )
        return HttpResponseRedirect(back)


class RunPublishView(ScopedViewMixin, generic.View):
    """POST: publish (freeze) a run; refused for an unended quarter or a second time."""

    queryset = QuarterRun.objects.all()
    action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        run = get_object_or_404(self.queryset, pk=pk)
        district_only(request.user)
        from xuanpei.assessment import services_scoring

        try:
            services_scoring.publish_run(run=run, actor=request.user)
        except ValidationError as exc:
            messages.error(request, message_of(exc))
        else:
            messages.success(request, _("已发布%(run)s考核结果") % {"run": run})
        return HttpResponseRedirect(
            reverse("assessment:score_list") + f"?quarter={quarter_label(run.year, run.quarter)}"
        )
