"""The home dashboard: what the reader's part of the district holds, at a glance.

Each module adds its own cards as it lands; every count is scoped through `for_user`.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from xuanpei.core.permissions import has_action
from xuanpei.core.scoping import UserScope
from xuanpei.orgs.models import Enterprise
from xuanpei.orgs.stats import enterprise_dashboard
from xuanpei.plans.models import Assignment, Plan
from xuanpei.plans.reminders import inbox_counts
from xuanpei.plans.services import reviewable_reports


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        scope = UserScope.of(user)
        ctx["own_enterprise"] = user.enterprise if scope.enterprise_id else None
        ctx["can_view_enterprises"] = has_action(user, Enterprise, "view")
        # The counts per unit, risk and sector describe a territory; an enterprise account
        # has its own card instead of a dashboard of one (issue #8: no empty "各单位企业数").
        if ctx["can_view_enterprises"] and not ctx["own_enterprise"]:
            ctx["orgs"] = enterprise_dashboard(user)
        if has_action(user, Assignment, "view"):
            ctx["plan_tasks"] = inbox_counts(user)
            # The reviewer's 待审核 link on the same card (issue #8).
            if has_action(user, Plan, "change"):
                ctx["plan_pending"] = reviewable_reports(user).count()
        return ctx
