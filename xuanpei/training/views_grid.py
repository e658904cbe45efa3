"""Pages of the grid-officer quarterly rule (issue #12 §6): the quarter × new-town matrix
and one cell's drill-down (its sessions, and the officers who missed them).

A new town sees its own row, the district every row (the new towns in the user's scope);
a cell of a unit below a new town redirects to the new town's cell.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import generic

from xuanpei.core.scoping import ancestor_paths, reaches
from xuanpei.core.views import ScopedViewMixin
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.models import Unit
from xuanpei.training import grid
from xuanpei.training import quarters as rule
from xuanpei.training.choices import QuarterStatus
from xuanpei.training.metrics import grid_sessions_url
from xuanpei.training.models import TrainingSession

MIN_YEAR, MAX_YEAR = 2000, 2100


def selected_year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, MIN_YEAR), MAX_YEAR)


def selected_task(request):
    """?task=<pk>: a plan task the user reads whose grid target sets the parameter."""
    from xuanpei.plans.models import Task

    raw = request.GET.get("task") or ""
    if not raw.isdigit():
        return None
    return Task.objects.for_user(request.user).filter(pk=int(raw)).first()


def session_list_url(unit, quarter: rule.Quarter) -> str:
    """The session list filtered to the cell's held grid-officer sessions (the records
    behind the plan's grid metric for that quarter)."""
    return grid_sessions_url(unit, None, quarter.first_day, quarter.last_day)


def session_url(pk: int) -> str:
    try:
        return reverse("training:session_detail", args=[pk])
    except NoReverseMatch:
        return ""


STATUS_STYLE = {
    QuarterStatus.MET: "success",
    QuarterStatus.NOT_MET: "danger",
    QuarterStatus.IN_PROGRESS: "warning",
    QuarterStatus.NOT_STARTED: "secondary",
}


def legend(counts: dict[str, int] | None = None) -> list[dict]:
    return [
        {"status": s, "label": s.label, "style": STATUS_STYLE[s], "count": (counts or {}).get(s)}
        for s in QuarterStatus
    ]


class GridAccessMixin(LoginRequiredMixin):
    """Units that may read training sessions; an enterprise account has no new town."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not reaches(request.user, TrainingSession, "view") or request.user.enterprise_id:
            raise PermissionDenied(_("您没有权限查看网格员季度培训情况"))
        return super().dispatch(request, *args, **kwargs)


class GridMatrixView(GridAccessMixin, generic.TemplateView):
    """季度 × 新城: met green, not met red, in progress amber, not started grey."""

    template_name = "training/grid_matrix.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = selected_year(self.request)
        task = selected_task(self.request)
        matrix = grid.matrix(year, user=self.request.user, task=task)
        for row in matrix.rows:
            for c in row.cells:
                c.style = STATUS_STYLE[c.status]
                c.url = reverse(
                    "training:grid_cell", args=[row.unit.pk, c.quarter.year, c.quarter.number]
                ) + (f"?task={task.pk}" if task else "")
        ctx.update(
            year=year,
            task=task,
            matrix=matrix,
            legend=legend(matrix.counts()),
            years=(year - 1, year + 1),
        )
        return ctx


class GridCellView(GridAccessMixin, ScopedViewMixin, generic.DetailView):
    """One new town's quarter: its held grid-officer sessions and who missed them."""

    queryset = Unit.objects.all()
    pk_url_kwarg = "unit_pk"
    template_name = "training/grid_cell.html"
    context_object_name = "unit"

    def get(self, request, *args, **kwargs):
        self.object = unit = self.get_object()
        self.quarter = self.selected_quarter()
        if unit.kind != UnitKind.NEW_TOWN:
            town = (
                Unit.objects.for_user(request.user)
                .filter(kind=UnitKind.NEW_TOWN, path__in=ancestor_paths(unit.path))
                .first()
            )
            if town is None:
                raise Http404(_("该单位不属于您可查看的新城"))
            return redirect("training:grid_cell", town.pk, self.quarter.year, self.quarter.number)
        return self.render_to_response(self.get_context_data(object=unit))

    def selected_quarter(self) -> rule.Quarter:
        year, number = self.kwargs.get("year"), self.kwargs.get("quarter")
        if year is None:  # /grid/<unit>/: this quarter
            return rule.quarter_of(timezone.localdate())
        if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= number <= 4):
            raise Http404(_("没有这个季度"))
        return rule.Quarter(year, number)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        task = selected_task(self.request)
        cell, target = grid.quarter_cell(
            self.object, self.quarter, user=self.request.user, task=task
        )
        suffix = f"?task={task.pk}" if task else ""
        ctx.update(
            cell=cell,
            target=target,
            quarter=self.quarter,
            style=STATUS_STYLE[cell.status],
            sessions=[{"s": s, "url": session_url(s.pk)} for s in cell.sessions],
            list_url=session_list_url(self.object, self.quarter),
            matrix_url=reverse("training:grid_matrix")
            + f"?year={self.quarter.year}"
            + (f"&task={task.pk}" if task else ""),
            previous_url=self._url(self.quarter.previous(), suffix),
            next_url=self._url(self.quarter.next(), suffix),
        )
        return ctx

    def _url(self, quarter: rule.Quarter, suffix: str) -> str:
        if not MIN_YEAR <= quarter.year <= MAX_YEAR:
            return ""
        return (
            reverse("training:grid_cell", args=[self.object.pk, quarter.year, quarter.number])
            + suffix
        )
