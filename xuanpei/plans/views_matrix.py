"""What is done, late or missing at a glance (issue #4 §4): the task matrix, the plan
dashboard, the due-date calendar and each unit's inbox (我的任务).

Every number comes from `matrix.py`, which reads only the user's scoped rows: a
new town sees its own and its 镇街's assignments, the district sees all.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanpei.core.views import ObjectDetailView, ObjectListView
from xuanpei.plans import due_calendar, matrix, services
from xuanpei.plans.choices import AssignmentStatus, PlanKind, PlanStatus
from xuanpei.plans.filters import DUE_SOON_DAYS, AssignmentFilterSet
from xuanpei.plans.models import Assignment, Plan
from xuanpei.plans.views_plans import plan_tabs


class PlanPageView(ObjectDetailView):
    """A sub-page of one plan the user may see (scoped like the plan itself)."""

    queryset = Plan.objects.select_related("unit")
    tab = ""

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["plan"] = self.object
        ctx["tabs"] = plan_tabs(self.object, self.tab)
        ctx["legend"] = matrix.legend()
        return ctx


class PlanMatrixView(PlanPageView):
    """Tasks × units, each cell an assignment coloured by status and linking to it."""

    template_name = "plans/matrix.html"
    tab = "matrix"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        group = self.request.GET.get("group", "")
        if group not in matrix.GROUP_ORDER:
            group = ""
        # The issuer sees every task (also those not split yet); a unit only its own rows.
        show_all = ctx["can_change"]
        ctx["matrix"] = matrix.build_matrix(
            self.object, self.request.user, group=group, show_empty_rows=show_all
        )
        ctx["group"] = group
        return ctx


class PlanDashboardView(PlanPageView):
    """Completion by unit and by kind (charts), the overdue list, delays — in scope."""

    template_name = "plans/dashboard.html"
    tab = "dashboard"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        ctx["today"] = today
        plan, user = self.object, self.request.user
        ctx["board"] = matrix.build_dashboard(plan, user, today)
        ctx["unit_plans_missing"] = None
        if plan.kind == PlanKind.DISTRICT and plan.is_published:
            ctx["unit_plans_missing"] = services.missing_unit_plans(plan, user).count()
        return ctx


class PlanCalendarView(PlanPageView):
    """A month of due dates (?month=YYYY-MM): period ends and granted new dates."""

    template_name = "plans/calendar.html"
    tab = "calendar"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        first = due_calendar.month_bounds(self.request.GET.get("month"), self.object.year, today)
        last = due_calendar.month_last_day(first)
        events = due_calendar.due_events(self.object, self.request.user, first, last, today)
        summaries = due_calendar.day_summaries(events)
        days = sorted(summaries)
        ctx.update(
            today=today,
            first=first,
            weeks=due_calendar.month_grid(first, summaries, today),
            weekdays=[_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")],
            prev_month=due_calendar.add_months(first, -1),
            next_month=due_calendar.add_months(first, 1),
            day_list=[{"day": d, "items": summaries[d]} for d in days],
            event_count=len(events),
            next_due=None,
        )
        year_end = date(self.object.year, 12, 31)
        if not events and last < year_end:
            later = due_calendar.due_events(self.object, self.request.user, last, year_end, today)
            ctx["next_due"] = later[0].day if later else None
        return ctx


OVERDUE_FIRST = Case(
    When(status=AssignmentStatus.OVERDUE, then=Value(0)),
    default=Value(1),
    output_field=IntegerField(),
)


class InboxView(ObjectListView):
    """我的任务: the user's assignments in scope, overdue first, then by next due date.

    Only plans in force: a draft is not out yet, a closed year's lapses are history
    (its pages still show them)."""

    queryset = (
        Assignment.objects.filter(task__plan__status=PlanStatus.ISSUED)
        .select_related("task__plan", "unit")
        .annotate(overdue_first=OVERDUE_FIRST)
    )
    filterset_class = AssignmentFilterSet
    template_name = "plans/inbox.html"
    partial_template_name = "plans/partials/inbox_table.html"
    ordering_fields = {"due": "next_due", "unit": "unit__path", "status": "status"}
    default_ordering = ["overdue_first", F("next_due").asc(nulls_last=True), "unit__path", "pk"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        soon = today + timedelta(days=DUE_SOON_DAYS)
        url = matrix.assignment_url_maker()
        rows = []
        for a in ctx["object_list"]:
            period = due_calendar.period_of_due(a.task.periods(), a.next_due)
            rows.append(
                {
                    "a": a,
                    "style": matrix.status_style(a.status),
                    "period": period,
                    "overdue": a.status == AssignmentStatus.OVERDUE,
                    "due_soon": a.next_due is not None and today <= a.next_due <= soon,
                    "url": url(a.pk),
                }
            )
        ctx["rows"] = rows
        ctx["today"] = today
        ctx["legend"] = matrix.legend()
        overdue = Q(status=AssignmentStatus.OVERDUE)
        ctx["counts"] = self.queryset.order_by().aggregate(
            total=Count("pk"),  # 0: the empty state explains why (issue #8)
            overdue=Count("pk", filter=overdue),
            soon=Count("pk", filter=Q(next_due__gte=today, next_due__lte=soon) & ~overdue),
        )
        return ctx
