"""The issuer's side of reporting (issue #4 §3, issue #8): the 待审核 queue, reviewing a
report, reopening an accepted period, accepting an assignment with an exception and
deciding deadline adjustments.

Who: `services.can_review` (the plan's issuer). Objects come from `for_user`, so a
foreign one is a 404; the services check the permission again (403 for the wrong
role). The forms answer their partial to htmx when invalid, HX-Location when done.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanpei.core.scoping import reaches
from xuanpei.core.views import ObjectListView
from xuanpei.plans import services
from xuanpei.plans.choices import AdjustmentStatus, ReportStatus
from xuanpei.plans.forms_reports import (
    AdjustmentDecisionForm,
    ExceptionForm,
    ReopenForm,
    ReviewForm,
)
from xuanpei.plans.models import Adjustment, Assignment, Plan, ProgressReport
from xuanpei.plans.views_reports import ObjectFormView, assignment_url, target_rows


class ReviewQueueView(ObjectListView):
    """待审核: the submitted reports the user may review, oldest first (?plan= narrows)."""

    queryset = ProgressReport.objects.select_related(
        "assignment__task__plan", "assignment__unit", "submitted_by"
    )
    template_name = "plans/report_queue.html"
    default_ordering = ["submitted_at", "pk"]
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        # Only a role that may change plans reviews: the others are offered no link to
        # the queue and are refused it (issue #8 §4, tests/test_navigation.py).
        if request.user.is_authenticated and not reaches(request.user, Plan, "change"):
            raise PermissionDenied(
                _("只有下达任务的单位（计划制定单位或分解任务的上级单位）可以审核报告")
            )
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        self.queryset = services.reviewable_reports(self.request.user, self.queryset)
        self.plan = None
        plan_id = self.request.GET.get("plan", "")
        if plan_id.isdigit():
            self.plan = Plan.objects.for_user(self.request.user).filter(pk=plan_id).first()
            if self.plan is not None:
                self.queryset = self.queryset.filter(assignment__task__plan=self.plan)
        return super().get_queryset()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        for report in ctx["object_list"]:
            # period_label reads the task's periods: no query (the task came with it).
            report.label = report.period_label
        ctx["plan"] = self.plan
        return ctx


class ReportReviewView(ObjectFormView):
    """验收 or 退回 a submitted report (the issuer of the plan)."""

    queryset = ProgressReport.objects.select_related("assignment__task__plan", "assignment__unit")
    form_class = ReviewForm
    template_name = "plans/report_review.html"
    partial_template_name = "plans/partials/report_review_form.html"
    denied_message = gettext_lazy(
        "只有下达任务的单位（计划制定单位或分解任务的上级单位）可以审核报告"
    )

    def allowed(self) -> bool:
        return services.can_review(self.request.user, self.object.assignment)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        self.check_allowed()
        if self.object.status != ReportStatus.SUBMITTED:
            messages.info(
                request,
                _("该报告当前为“%(s)s”，无需审核") % {"s": self.object.get_status_display()},
            )
            return HttpResponseRedirect(self.object.get_absolute_url())
        return super(ObjectFormView, self).get(request, *args, **kwargs)

    def get_initial(self):
        return {"decision": ReviewForm.ACCEPT}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        self.object.review_form = ctx["form"]
        ctx.update(report=self.object)
        return ctx

    def run(self, form):
        return services.review_report(
            self.object,
            actor=self.request.user,
            accept=form.accept,
            comment=form.cleaned_data["comment"],
        )

    def get_success_message(self) -> str:
        return _("报告已验收") if self.result.status == ReportStatus.ACCEPTED else _("报告已退回")

    def get_success_url(self):
        return assignment_url(self.object.assignment_id)


class AdjustmentDecideView(ObjectFormView):
    """同意 or 不同意 a pending adjustment (the issuer of the plan)."""

    queryset = Adjustment.objects.select_related("assignment__task__plan", "assignment__unit")
    form_class = AdjustmentDecisionForm
    template_name = "plans/adjustment_decide.html"
    partial_template_name = "plans/partials/adjustment_decision_form.html"
    denied_message = gettext_lazy("只有计划的制定单位可以审批延期申请")

    def allowed(self) -> bool:
        return services.can_review(self.request.user, self.object.assignment)

    def get_initial(self):
        return {"decision": AdjustmentDecisionForm.GRANT}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        adj = self.object
        found = next((p for p in adj.assignment.task.periods() if p.key == adj.period_key), None)
        adj.label = found.label if found else adj.period_key
        adj.decision_form = ctx["form"]
        ctx.update(adj=adj, assignment=adj.assignment)
        return ctx

    def run(self, form):
        return services.decide_adjustment(
            self.object,
            actor=self.request.user,
            grant=form.grant,
            comment=form.cleaned_data["comment"],
        )

    def get_success_message(self) -> str:
        if self.result.status == AdjustmentStatus.GRANTED:
            return _("已同意延期，截止日期改为 %(d)s") % {"d": self.result.requested_due}
        return _("已不同意该延期申请")

    def get_success_url(self):
        return assignment_url(self.object.assignment_id)


class AssignmentActionView(ObjectFormView):
    """A form on an assignment for its reviewer (reopen, exception)."""

    queryset = Assignment.objects.select_related("task__plan", "unit")
    denied_message = gettext_lazy("只有计划的制定单位可以执行此操作")

    def allowed(self) -> bool:
        return services.can_review(self.request.user, self.object)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(assignment=self.object, task=self.object.task)
        return ctx

    def get_success_url(self):
        return assignment_url(self.object.pk)


class PeriodReopenView(AssignmentActionView):
    """重新打开 an accepted period: the unit owes more on it (?period= preselects one)."""

    form_class = ReopenForm
    template_name = "plans/report_reopen.html"
    success_message = gettext_lazy("该填报期已重新打开，已通知责任单位")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        self.check_allowed()
        self.result = services.compute_status(self.object)
        if not self.result.accepted:
            messages.info(request, _("没有已验收的填报期，无需重新打开"))
            return HttpResponseRedirect(assignment_url(self.object.pk))
        return super(ObjectFormView, self).get(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        result = getattr(self, "result", None) or services.compute_status(self.object)
        kwargs.update(
            assignment=self.object,
            done_keys=set(result.accepted),
            overrides=services.due_overrides(self.object),
        )
        return kwargs

    def get_initial(self):
        return {"period_key": self.request.GET.get("period", "")}

    def run(self, form):
        return services.reopen_period(
            self.object,
            actor=self.request.user,
            period_key=form.cleaned_data["period_key"],
            reason=form.cleaned_data["reason"],
        )


class ExceptionAcceptView(AssignmentActionView):
    """例外验收: accept an assignment whose periods are done but targets short."""

    form_class = ExceptionForm
    template_name = "plans/report_exception.html"
    success_message = gettext_lazy("已例外验收，已通知责任单位")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        reading = services.read_assignment(self.object)
        ctx["result"] = result = reading.result
        periods = self.object.task.periods()
        rows = target_rows(self.object, periods, reading.progress)
        ctx["targets"] = [row for row in rows if not row["met"]]
        ctx["ready"] = result.short and not self.object.has_exception
        return ctx

    def run(self, form):
        return services.accept_with_exception(
            self.object, actor=self.request.user, reason=form.cleaned_data["reason"]
        )
