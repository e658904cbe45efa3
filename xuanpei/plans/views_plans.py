"""Plan pages (issue #4): the list, a plan with its sections and tasks, create and edit,
印发 / 结束 / 复制为下一年度计划, and the plan's document.

Views are the generic scoped ones (core.views): a plan outside the user's scope
is a 404, the buttons that change a plan show only where `services.can_manage`
allows, and every change goes through `plans.services`, whose refusals are shown
as Chinese messages.
"""

from __future__ import annotations

import mimetypes
import os
from collections import Counter, defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic
from django.views.generic.detail import SingleObjectMixin

from xuanpei.core.files import file_response
from xuanpei.core.permissions import has_action
from xuanpei.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    ScopedViewMixin,
)
from xuanpei.plans import services, year_flags
from xuanpei.plans.choices import AssignmentStatus, PlanKind, PlanStatus
from xuanpei.plans.filters import PlanFilterSet
from xuanpei.plans.forms_plans import CopyPlanForm, PlanForm, SectionFormSet
from xuanpei.plans.matrix import group_by_kind, legend, status_style, unit_sort_key
from xuanpei.plans.models import Assignment, Plan
from xuanpei.plans.views_formsets import InlineFormsetMixin


def error_text(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


class PlanListView(ObjectListView):
    """Plans in scope: the district's, and the units' own; with task and assignment counts."""

    queryset = Plan.objects.select_related("unit").annotate(task_count=Count("tasks"))
    filterset_class = PlanFilterSet
    template_name = "plans/plan_list.html"
    default_ordering = ["-year", "kind", "unit__path", "pk"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        plans = list(ctx["object_list"])
        counts: dict[int, Counter] = defaultdict(Counter)
        rows = (
            Assignment.objects.for_user(self.request.user)
            .filter(task__plan__in=plans)
            .order_by()
            .values("task__plan", "status")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            counts[row["task__plan"]][row["status"]] = row["n"]
        # The 待审核 queue's button, for whoever reviews (issue #8).
        ctx["pending_reviews"] = (
            services.reviewable_reports(self.request.user).count()
            if has_action(self.request.user, Plan, "change")
            else None
        )
        ctx["rows"] = [
            {
                "plan": p,
                "assignments": sum(counts[p.pk].values()),
                "accepted": counts[p.pk][AssignmentStatus.ACCEPTED],
                "overdue": counts[p.pk][AssignmentStatus.OVERDUE],
            }
            for p in plans
        ]
        return ctx


class PlanDetailView(ObjectDetailView):
    """A plan: its text, its tasks by kind with units, timeframe, targets and progress."""

    queryset = Plan.objects.select_related("unit", "parent", "copied_from")
    template_name = "plans/plan_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        plan, user = self.object, self.request.user
        tasks = list(
            plan.tasks.prefetch_related("lead_units", "cooperating_units", "targets").order_by(
                "order", "pk"
            )
        )
        per_task: dict[int, Counter] = defaultdict(Counter)
        for row in (
            Assignment.objects.for_user(user)
            .filter(task__plan=plan)
            .order_by()
            .values("task_id", "status")
            .annotate(n=Count("pk"))
        ):
            per_task[row["task_id"]][row["status"]] = row["n"]
        for task in tasks:
            c = per_task[task.pk]
            task.summary = [
                {**status_style(s), "count": c[s]} for s in AssignmentStatus.values if c[s]
            ]
            task.assignment_total = sum(c.values())
        ctx.update(
            sections=list(plan.sections.all()),
            task_groups=group_by_kind(tasks),
            task_count=len(tasks),
            legend=legend(),
            can_manage=services.can_manage(user, plan),
            year_flags=year_flags.outstanding(plan) if plan.status == PlanStatus.DRAFT else [],
            is_own_unit_plan=plan.kind == PlanKind.UNIT and user.unit_id == plan.unit_id,
            tabs=plan_tabs(plan, "detail") if plan.kind == PlanKind.DISTRICT else None,
        )
        if plan.kind == PlanKind.DISTRICT:
            ctx.update(unit_plan_context(plan, user))
        return ctx


def unit_plan_context(plan: Plan, user) -> dict:
    """各单位年度计划 (requirement 四(一)): who owes a plan, who submitted one, within scope."""
    expected = list(services.expected_unit_plan_units(plan, user))
    unit_plans = {
        p.unit_id: p
        for p in Plan.objects.for_user(user)
        .filter(parent=plan, kind=PlanKind.UNIT)
        .select_related("unit")
    }
    units = {u.pk: u for u in expected}
    expected_ids = set(units)
    units.update({p.unit_id: p.unit for p in unit_plans.values()})
    rows = []
    for unit in sorted(units.values(), key=unit_sort_key):
        own = unit_plans.get(unit.pk)
        if own is not None and own.is_published:
            state = "submitted"
        elif own is not None:
            state = "draft"
        else:
            state = "missing"
        rows.append({"unit": unit, "plan": own, "state": state})
    can_write = bool(
        user.unit_id
        and not user.unit.is_root()
        and plan.is_published
        and has_action(user, Plan, "add")
    )
    return {
        "unit_plan_rows": rows,
        "unit_plans_missing": sum(
            1 for r in rows if r["unit"].pk in expected_ids and r["state"] != "submitted"
        ),
        "unit_plans_expected": len(expected),
        "unit_plans_submitted": sum(1 for r in rows if r["state"] == "submitted"),
        "own_unit_plan": unit_plans.get(user.unit_id) if user.unit_id else None,
        "can_write_unit_plan": can_write,
    }


class PlanCreateView(InlineFormsetMixin, ObjectCreateView):
    queryset = Plan.objects.all()
    form_class = PlanForm
    formset_class = SectionFormSet
    template_name = "plans/plan_form.html"
    success_message = _("计划已保存（草稿），可继续添加任务，确认后印发")


class PlanUpdateView(InlineFormsetMixin, ObjectUpdateView):
    queryset = Plan.objects.select_related("unit")
    form_class = PlanForm
    formset_class = SectionFormSet
    template_name = "plans/plan_form.html"

    def get(self, request, *args, **kwargs):
        plan = self.get_object()
        if plan.kind == PlanKind.UNIT:
            return redirect("plans:unitplan_edit", pk=plan.pk)
        return super().get(request, *args, **kwargs)


class PlanActionView(ScopedViewMixin, SingleObjectMixin, generic.View):
    """A POST that changes a plan through a service; the outcome comes back as a message."""

    queryset = Plan.objects.all()
    action = "change"
    http_method_names = ["post"]
    done_message = ""

    def perform(self, plan: Plan):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        plan = self.get_object()
        try:
            result = self.perform(plan)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return HttpResponseRedirect(plan.get_absolute_url())
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("您没有权限执行此操作"))
            return HttpResponseRedirect(plan.get_absolute_url())
        messages.success(request, self.done_message)
        return HttpResponseRedirect((result or plan).get_absolute_url())


class PlanIssueView(PlanActionView):
    """印发 a district plan (its tasks are split into assignments), or 提交 a unit's own plan."""

    def perform(self, plan):
        self.done_message = (
            _("本单位年度计划已提交")
            if plan.kind == PlanKind.UNIT
            else _("计划已印发，任务已分解到各责任单位")
        )
        return services.issue_plan(plan, actor=self.request.user)


class PlanYearFlagsView(PlanActionView):
    """确认保留 flagged year-bound text of a copied plan: one flag (`key`), or all (`all`)."""

    def perform(self, plan):
        keys = None if self.request.POST.get("all") else [self.request.POST.get("key", "")]
        self.done_message = _("已确认保留，可以印发") if keys is None else _("已确认保留该处内容")
        year_flags.clear_flags(plan, actor=self.request.user, keys=keys)
        return plan


class PlanCloseView(PlanActionView):
    done_message = _("计划已结束")

    def perform(self, plan):
        return services.close_plan(plan, actor=self.request.user)


class PlanCopyView(ScopedViewMixin, SingleObjectMixin, generic.View):
    """复制为下一年度计划: asks the year (and the document number), then copies as a draft."""

    queryset = Plan.objects.all()
    action = "change"
    template_name = "plans/plan_copy.html"

    def get(self, request, *args, **kwargs):
        plan = self.get_object()
        form = CopyPlanForm(initial={"year": plan.year + 1})
        return render(request, self.template_name, {"plan": plan, "form": form})

    def post(self, request, *args, **kwargs):
        plan = self.get_object()
        form = CopyPlanForm(request.POST)
        if form.is_valid():
            try:
                new = services.copy_plan(
                    plan,
                    year=form.cleaned_data["year"],
                    doc_number=form.cleaned_data["doc_number"],
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error("year", error_text(exc))
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, _("已复制为%(y)d年度计划（草稿），请修改后印发") % {"y": new.year}
                )
                return HttpResponseRedirect(new.get_absolute_url())
        return render(request, self.template_name, {"plan": plan, "form": form}, status=200)


class PlanFileView(ScopedViewMixin, SingleObjectMixin, generic.View):
    """The plan's document, served only through the scope (uploads are outside the web root)."""

    queryset = Plan.objects.all()

    def get(self, request, *args, **kwargs):
        plan = self.get_object()
        if not plan.file:
            raise Http404(_("该计划没有上传文件"))
        ext = os.path.splitext(plan.file.name)[1].lower()
        content_type = mimetypes.guess_type(plan.file.name)[0] or "application/octet-stream"
        return file_response(
            plan.file, filename=f"{plan.title}{ext}", content_type=content_type, inline=False
        )


def plan_tabs(plan: Plan, active: str) -> list[dict]:
    """The plan's sub-pages (detail, matrix, dashboard, calendar) for the tab bar."""
    names = [
        ("detail", "plans:plan_detail", _("计划内容"), "file-text"),
        ("matrix", "plans:plan_matrix", _("任务矩阵"), "grid-3x3"),
        ("dashboard", "plans:plan_dashboard", _("进度仪表盘"), "bar-chart"),
        ("calendar", "plans:plan_calendar", _("日历"), "calendar3"),
    ]
    return [
        {"code": c, "url": reverse(n, args=[plan.pk]), "label": label, "icon": icon,
         "active": c == active}
        for c, n, label, icon in names
    ]  # fmt: skip
