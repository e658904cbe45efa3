"""Task pages: a key task with its targets, periods and assignments; create and edit.

Saving a task of a published plan splits it into assignments at once
(`services.sync_assignments`); a draft plan's tasks are split when it is issued
(`services.issue_plan`), so no unit sees a task before the plan is out.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from xuanpei.core.views import ObjectCreateView, ObjectDetailView, ObjectUpdateView
from xuanpei.plans import services
from xuanpei.plans.choices import PlanStatus
from xuanpei.plans.forms_plans import TargetFormSet, TaskForm
from xuanpei.plans.matrix import assignment_url_maker, legend, status_style, unit_sort_key
from xuanpei.plans.models import Assignment, Plan, Task
from xuanpei.plans.status import effective_due
from xuanpei.plans.views_formsets import InlineFormsetMixin


class TaskDetailView(ObjectDetailView):
    queryset = Task.objects.select_related("plan__unit").prefetch_related(
        "lead_units", "cooperating_units", "targets"
    )
    template_name = "plans/task_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        task, user = self.object, self.request.user
        today = timezone.localdate()
        assignments = sorted(
            Assignment.objects.for_user(user)
            .filter(task=task)
            .select_related("unit")
            .prefetch_related("adjustments"),
            key=lambda a: (a.role != "lead", unit_sort_key(a.unit)),
        )
        url = assignment_url_maker()
        for a in assignments:
            a.style = status_style(a.status)
            a.url = url(a.pk)
        periods = [{"period": p, "past": effective_due(p, {}) < today} for p in task.periods()]
        ctx.update(
            plan=task.plan,
            assignments=assignments,
            periods=periods,
            legend=legend(),
            can_manage=services.can_manage(user, task.plan),
        )
        return ctx


class TaskEditMixin(InlineFormsetMixin):
    form_class = TaskForm
    formset_class = TargetFormSet
    formset_prefix = "targets"
    template_name = "plans/task_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["plan"] = self.plan
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = ctx["form"]
        ctx.update(
            plan=self.plan,
            lead_groups=form.unit_groups("lead_units"),
            coop_groups=form.unit_groups("cooperating_units"),
        )
        return ctx

    def check_plan_open(self):
        if self.plan.status == PlanStatus.CLOSED:
            raise PermissionDenied(_("计划已结束，不能再修改任务"))

    def save_form(self, form):
        task = super().save_form(form)
        if self.plan.is_published:
            services.sync_assignments(task, actor=self.request.user)
        return task

    def get_success_url(self):
        return self.object.get_absolute_url()


class TaskCreateView(TaskEditMixin, ObjectCreateView):
    """A new task in a plan the user manages (the plan is looked up with action "change")."""

    queryset = Task.objects.all()
    success_message = _("任务已保存")

    @cached_property
    def plan(self) -> Plan:
        return get_object_or_404(
            Plan.objects.for_user(self.request.user, "change").select_related("unit"),
            pk=self.kwargs["plan_pk"],
        )

    def get(self, request, *args, **kwargs):
        self.check_plan_open()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.check_plan_open()
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        last = self.plan.tasks.order_by("-order", "-pk").first()
        return {"kind": last.kind if last else None}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Task(plan=self.plan, order=self._next_order())
        return kwargs

    def _next_order(self) -> int:
        last = self.plan.tasks.order_by("-order").values_list("order", flat=True).first()
        return (last or 0) + 1


class TaskUpdateView(TaskEditMixin, ObjectUpdateView):
    queryset = Task.objects.select_related("plan__unit")
    success_message = _("任务已保存")

    @cached_property
    def plan(self) -> Plan:
        return self.get_object().plan

    def get(self, request, *args, **kwargs):
        self.check_plan_open()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.check_plan_open()
        return super().post(request, *args, **kwargs)
