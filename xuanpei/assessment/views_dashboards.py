"""Dashboards (issue #13 item 4): the district cockpit for a large screen and each
unit's own dashboard. Numbers come from `assessment.dashboards` (scoped query functions).

- the cockpit is the district's (users of the root unit and superusers): a new town,
  a department or an enterprise is refused (403);
- a unit's dashboard is for unit users: an enterprise account reaches no score row and is
  refused (403, as `ScopedViewMixin` does); `?unit=` names a unit in the reader's scope
  (else 404), so a new town sees its own subtree and never a sibling.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.views import generic

from xuanpei.assessment import dashboards
from xuanpei.assessment.models import UnitScore
from xuanpei.core.scoping import UserScope
from xuanpei.core.views import ScopedViewMixin, unit_from_query
from xuanpei.orgs.models import Unit

# The cockpit reloads itself (a wall screen is left open): seconds between reloads.
COCKPIT_REFRESH_SECONDS = 300


def may_open_cockpit(user) -> bool:
    """The district's own page: users of the root unit and superusers (the menu's check)."""
    return bool(getattr(user, "is_authenticated", False)) and UserScope.of(user).everything


class PeriodMixin:
    """`?period=2026Q2`; a malformed one is reported and the latest quarter shown."""

    def period(self):
        raw = self.request.GET.get("period", "")
        try:
            quarter = dashboards.parse_period(raw)
        except dashboards.PeriodError as exc:
            messages.error(self.request, str(exc))
            quarter = None
        return quarter or dashboards.latest_period(self.request.user)


class CockpitView(PeriodMixin, LoginRequiredMixin, generic.TemplateView):
    """Gathers several domains (like the home page), each read through `for_user`; the
    page itself is the district's: anyone else is refused (403)."""

    template_name = "assessment/cockpit.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_open_cockpit(request.user):
            raise PermissionDenied(_("全区态势仅供区安委办查看"))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        board = dashboards.cockpit(self.request.user, self.period())
        ctx.update(
            board=board,
            quarter=board.quarter,
            previous=board.quarter.previous(),
            following=board.quarter.next(),
            refresh_seconds=COCKPIT_REFRESH_SECONDS,
            charts={"trend": board.trend, "ranking": board.ranking},
        )
        return ctx


class UnitDashboardView(PeriodMixin, ScopedViewMixin, generic.TemplateView):
    queryset = UnitScore.objects.all()
    template_name = "assessment/unit_dashboard.html"

    def chosen_unit(self) -> Unit | None:
        return unit_from_query(self.request)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        quarter = self.period()
        choices = dashboards.units_to_pick(user, quarter)
        unit = self.chosen_unit()
        if unit is None:
            own = user.unit_id
            ids = [c[0] for c in choices]
            unit = user.unit if own in ids or not ids else Unit.objects.get(pk=ids[0])
        ctx.update(
            quarter=quarter,
            previous=quarter.previous(),
            following=quarter.next(),
            unit_choices=choices if len(choices) > 1 else [],
            board=dashboards.unit_dashboard(user, unit, quarter) if unit else None,
        )
        if ctx["board"]:
            ctx["charts"] = {
                "history": ctx["board"].history,
                "lost": {
                    "names": [i.name for i in ctx["board"].lost if i.lost > 0],
                    "lost": [float(i.lost) for i in ctx["board"].lost if i.lost > 0],
                },
            }
        return ctx
