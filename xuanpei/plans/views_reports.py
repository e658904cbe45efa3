"""Reporting pages (issue #4 §3): an assignment, its progress reports with evidence,
deadline requests and leaders' comments — the unit's side. The reviewer's side
(queue, review, reopen, exception, adjustment decisions) is `views_review.py`; what
the assignment page shows and offers to whom is `assignment_page.py`.
Every object comes from `for_user` (core.views), so a foreign one is a 404; the
services check the permission again and raise 403 for the wrong role.

htmx: a form posted by htmx answers its partial when invalid, and an empty
response with HX-Location when done; without htmx the same views answer pages
and redirects.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic
from django.views.generic.detail import SingleObjectMixin

from xuanpei.core.views import ObjectDetailView, ScopedViewMixin, ScopeViolation, ensure_in_scope
from xuanpei.plans import evidence, services, subassign
from xuanpei.plans.assignment_page import (  # noqa: F401 (target_rows: views_review)
    assignment_context,
    decorate_report,
    offers_unit_actions,
    period_states,
    scoped_reports,
    target_rows,
)
from xuanpei.plans.forms_reports import (
    AdjustmentRequestForm,
    CommentForm,
    ReportForm,
)
from xuanpei.plans.models import (
    Assignment,
    ProgressReport,
)
from xuanpei.plans.periods import current_period


def done(request, url: str):
    """A successful POST: HX-Location for htmx, a redirect otherwise.

    htmx loads the page into the body and shows its top, where the message and the
    new status are (the form posted may sit far down the page).
    """
    if getattr(request, "htmx", None):
        response = HttpResponse(status=204)
        response["HX-Location"] = json.dumps(
            {"path": url, "target": "body", "swap": "innerHTML show:window:top"}
        )
        return response
    return HttpResponseRedirect(url)


def assignment_url(assignment_id: int) -> str:
    """Where a use case lands: the top of the assignment page, where its message shows."""
    return reverse("plans:assignment_detail", args=[assignment_id])


# Pages -----------------------------------------------------------------------------------


class AssignmentDetailView(ObjectDetailView):
    """一项任务分解：任务与指标、各填报期状态、报告及其历史、延期申请、批示。"""

    queryset = Assignment.objects.select_related("task__plan__unit", "unit")
    template_name = "plans/assignment_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(assignment_context(self.object, self.request.user))
        ctx.update(subassign.rollup_context(self.object, self.request.user))  # issue #8
        return ctx


class ReportDetailView(ObjectDetailView):
    """One report: what was done, quantities, evidence, its history and the actions."""

    queryset = ProgressReport.objects.select_related("assignment__task__plan", "assignment__unit")
    template_name = "plans/report_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        report, user = self.object, self.request.user
        assignment = report.assignment
        labels = {p.key: p.label for p in assignment.task.periods()}
        full = scoped_reports(user, assignment).get(pk=report.pk)
        can_manage = services.can_review(user, assignment)
        can_report = offers_unit_actions(user, assignment, can_manage)
        ctx.update(
            report=decorate_report(
                full, labels=labels, can_report=can_report, can_manage=can_manage
            ),
            assignment=assignment,
            task=assignment.task,
        )
        return ctx


class ObjectFormView(ScopedViewMixin, SingleObjectMixin, generic.FormView):
    """A form on one scoped object that calls one use case (the base of the pages below).

    The object is looked up first (a foreign one is 404), then `allowed()` decides
    (403 for the wrong role or unit); `run(form)` calls the services inside one
    transaction that also removes stored files if it rolls back.
    """

    action = "change"
    partial_template_name: str | None = None
    success_message = gettext_lazy("已保存")
    denied_message = gettext_lazy("您没有权限执行此操作")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        self.check_allowed()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        self.check_allowed()
        return super().post(request, *args, **kwargs)

    def check_allowed(self) -> None:
        if not self.allowed():
            raise PermissionDenied(self.denied_message)

    def allowed(self) -> bool:
        return True

    def get_template_names(self):
        if self.partial_template_name and self.is_htmx_partial():
            return [self.partial_template_name]
        return super().get_template_names()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["object"] = self.object
        return ctx

    def run(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            with evidence.atomic_with_files():
                self.result = self.run(form)
        except ValidationError as exc:
            form.add_service_error(exc)
            return self.form_invalid(form)
        except ScopeViolation:
            form.add_error(None, _("保存后的数据超出了您的管辖范围，未保存"))
            return self.form_invalid(form)
        messages.success(self.request, self.get_success_message())
        return done(self.request, self.get_success_url())

    def get_success_message(self) -> str:
        return str(self.success_message)


class ReportFormMixin:
    """Create or edit a report: report + quantities + new files (+ submit) in one transaction."""

    form_class = ReportForm
    template_name = "plans/report_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(
            assignment=self.assignment,
            report=self.report,
            overrides=services.due_overrides(self.assignment),
        )
        return kwargs

    def allowed(self) -> bool:
        return services.can_report(self.request.user, self.assignment)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(assignment=self.assignment, task=self.assignment.task, report=self.report)
        if self.report is not None:
            ctx["evidence_items"] = list(self.report.evidence.all())
        ctx["max_mb"] = evidence.max_bytes() // 1024 // 1024
        return ctx

    def run(self, form):
        user, data = self.request.user, form.cleaned_data
        report = services.save_report(
            self.assignment,
            actor=user,
            period_key=data["period_key"],
            summary=data["summary"],
            quantities=form.quantities(),
            report=self.report,
            request_key=data.get("request_key", "") if self.report is None else "",
        )
        self.replayed = getattr(report, "replayed", False)
        if self.replayed:
            # The same form posted twice (a double click): the first request did it all.
            self.submitted = False
            return report
        evidence.attach_evidence(report, data["files"], actor=user)
        self.submitted = "submit" in self.request.POST
        if self.submitted:
            services.submit_report(report, actor=user)
        ensure_in_scope(report, user, "change")
        return report

    def get_success_message(self) -> str:
        if getattr(self, "replayed", False):
            return _("该报告已保存，重复提交的请求已忽略")
        return _("报告已提交，等待审核") if self.submitted else _("报告已保存为草稿")

    def get_success_url(self):
        return assignment_url(self.assignment.pk)


class ReportCreateView(ReportFormMixin, ObjectFormView):
    """填写进展报告 on an assignment (the page of its responsible unit).

    Every period is offered, labelled with its state: a period already accepted
    still takes more progress (issue #8). The first period not done is the default
    (an overdue one first, else the one in course)."""

    queryset = Assignment.objects.select_related("task__plan", "unit")

    def get_object(self, queryset=None):
        self.assignment = super().get_object(queryset)
        self.report = None
        return self.assignment

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        result = services.compute_status(self.assignment)
        periods = self.assignment.task.periods()
        kwargs["period_states"] = period_states(self.assignment, periods, result)
        if result.short or not periods:
            kwargs["initial_period"] = periods[-1].key if periods else None
        else:
            open_periods = [p for p in periods if p.key not in result.accepted]
            current = current_period(open_periods, timezone.localdate())
            kwargs["initial_period"] = (result.overdue or [current or open_periods[-1]])[0].key
        return kwargs


class ReportUpdateView(ReportFormMixin, ObjectFormView):
    """修改 a draft or returned report (and add evidence to it)."""

    queryset = ProgressReport.objects.select_related("assignment__task__plan", "assignment__unit")

    def get_object(self, queryset=None):
        self.report = super().get_object(queryset)
        self.assignment = self.report.assignment
        return self.report

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        self.check_allowed()
        if not self.report.editable:
            messages.error(request, _("报告已提交或已验收，不能修改"))
            return HttpResponseRedirect(self.report.get_absolute_url())
        return super(ObjectFormView, self).get(request, *args, **kwargs)


class ReportSubmitView(ScopedViewMixin, SingleObjectMixin, generic.View):
    """POST: 提交 a draft or returned report for review."""

    action = "change"
    queryset = ProgressReport.objects.select_related("assignment__task__plan")
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        report = self.get_object()
        if not services.can_report(request.user, report.assignment):
            raise PermissionDenied(_("您没有权限执行此操作"))
        try:
            services.submit_report(report, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("报告已提交，等待审核"))
        return done(request, assignment_url(report.assignment_id))


class AdjustmentCreateView(ObjectFormView):
    """申请延期 of one period (the responsible unit)."""

    queryset = Assignment.objects.select_related("task__plan", "unit")
    form_class = AdjustmentRequestForm
    template_name = "plans/adjustment_form.html"
    success_message = gettext_lazy("延期申请已提交，等待审批")

    def allowed(self) -> bool:
        return services.can_report(self.request.user, self.object)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        result = services.compute_status(self.object)
        keys = {p.key for p in self.object.task.periods()} - set(result.accepted)
        kwargs.update(
            assignment=self.object,
            overrides=services.due_overrides(self.object),
            open_keys=keys,
        )
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(assignment=self.object, task=self.object.task)
        return ctx

    def run(self, form):
        data = form.cleaned_data
        return services.request_adjustment(
            self.object,
            actor=self.request.user,
            period_key=data["period_key"],
            requested_due=data["requested_due"],
            reason=data["reason"],
        )

    def get_success_url(self):
        return assignment_url(self.object.pk)


class CommentCreateView(ObjectFormView):
    """领导批示 on an assignment: anyone who may view it."""

    action = "view"
    queryset = Assignment.objects.select_related("task__plan", "unit")
    form_class = CommentForm
    template_name = "plans/comment_form.html"
    partial_template_name = "plans/partials/comment_form.html"
    success_message = gettext_lazy("批示已发表")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(assignment=self.object, comment_form=ctx["form"])
        return ctx

    def run(self, form):
        return services.add_comment(
            self.object, actor=self.request.user, text=form.cleaned_data["text"]
        )

    def get_success_url(self):
        return assignment_url(self.object.pk)
