"""Reporting pages (issue #4 §3): an assignment, its progress reports with evidence, their
review, deadline adjustments and leaders' comments.

Who sees which action, decided once in `assignment_context` from the services:
- the responsible unit (`services.can_report`) writes, edits and submits
  reports, adds or removes evidence of a draft, and asks for adjustments;
- the issuer of the plan (`services.can_manage`) accepts or returns submitted
  reports and grants or refuses adjustments;
- anyone who may view the assignment reads it and may comment (领导批示).
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
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic
from django.views.generic.detail import SingleObjectMixin

from xuanpei.core.views import ObjectDetailView, ScopedViewMixin, ScopeViolation, ensure_in_scope
from xuanpei.plans import evidence, matrix, services, subassign
from xuanpei.plans.choices import AdjustmentStatus, AssignmentStatus, ReportStatus
from xuanpei.plans.forms_reports import (
    AdjustmentDecisionForm,
    AdjustmentRequestForm,
    CommentForm,
    ReportForm,
    ReviewForm,
)
from xuanpei.plans.models import (
    Adjustment,
    Assignment,
    Comment,
    ProgressReport,
    ReportEvent,
)
from xuanpei.plans.periods import current_period
from xuanpei.plans.status import effective_due

REPORT_COLOURS = {
    ReportStatus.DRAFT: "secondary",
    ReportStatus.SUBMITTED: "info",
    ReportStatus.RETURNED: "warning",
    ReportStatus.ACCEPTED: "success",
}
ADJUSTMENT_COLOURS = {
    AdjustmentStatus.PENDING: "warning",
    AdjustmentStatus.GRANTED: "success",
    AdjustmentStatus.REFUSED: "secondary",
}
EVENT_ICONS = {
    ReportEvent.Action.SUBMIT: "send",
    ReportEvent.Action.RETURN: "arrow-return-left",
    ReportEvent.Action.ACCEPT: "check2-circle",
    ReportEvent.Action.REOPEN: "unlock",
}


def badge(label, colour: str) -> dict:
    return {"label": label, "colour": colour}


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


# Context of the assignment page ---------------------------------------------------------


def scoped_reports(user, assignment: Assignment):
    """The assignment's reports with what a report card shows, newest first."""
    return (
        ProgressReport.objects.for_user(user)
        .filter(assignment=assignment)
        .select_related("submitted_by", "reviewed_by", "created_by")
        .prefetch_related(
            "quantities__target",
            "evidence",
            Prefetch("events", queryset=ReportEvent.objects.select_related("actor")),
        )
        .order_by("-pk")
    )


def decorate_report(report: ProgressReport, *, labels: dict[str, str], can_report: bool,
                    can_manage: bool) -> ProgressReport:  # fmt: skip
    """Attach what the report card needs: badge, period label, the actions offered."""
    report.badge = badge(report.get_status_display(), REPORT_COLOURS[report.status])
    report.label = labels.get(report.period_key, report.period_key)
    report.can_edit = can_report and report.editable
    report.can_review = can_manage and report.status == ReportStatus.SUBMITTED
    if report.can_review:
        report.review_form = ReviewForm(
            initial={"decision": ReviewForm.ACCEPT}, auto_id=f"id_r{report.pk}_%s"
        )
    report.history = [
        {"event": e, "icon": EVENT_ICONS.get(e.action, "dot")} for e in report.events.all()
    ]
    return report


def period_rows(periods, result, overrides, reports, today) -> list[dict]:
    """Each period of the task: its (adjusted) due date, its state and its reports.

    A period takes several reports (issue #8); its state reads like the assignment's:
    done (accepted, not reopened), overdue, else its latest report other than a draft."""
    by_period: dict[str, list[ProgressReport]] = {}
    for report in sorted(reports, key=lambda r: r.pk):
        by_period.setdefault(report.period_key, []).append(report)
    overdue = {p.key for p in result.overdue}
    rows = []
    for period in periods:
        due = effective_due(period, overrides)
        mine = by_period.get(period.key, [])
        filed = [r for r in mine if r.status != ReportStatus.DRAFT]
        latest = filed[-1] if filed else None
        reopened = any(r.reopened_at for r in mine)
        done = period.key in result.accepted
        if done:
            state = badge(AssignmentStatus.ACCEPTED.label, "success")
        elif period.key in overdue:
            state = badge(AssignmentStatus.OVERDUE.label, "danger")
        elif latest is not None and latest.status == ReportStatus.SUBMITTED:
            state = badge(AssignmentStatus.SUBMITTED.label, "info")
        elif latest is not None and latest.status == ReportStatus.RETURNED:
            state = badge(AssignmentStatus.RETURNED.label, "warning")
        elif reopened:
            state = badge(_("已重新打开"), "warning")
        elif mine:
            state = badge(_("草稿"), "secondary")
        elif period.start > today:
            state = badge(_("未到期"), "light")
        else:
            state = badge(_("待填报"), "primary")
        rows.append(
            {
                "period": period,
                "due": due,
                "moved": due != period.due,
                "days_left": (due - today).days,
                "open": not done,
                "done": done,
                "reopened": reopened and not done,
                "state": state,
                "reports": list(reversed(mine)),  # newest first, as the cards below
            }
        )
    return rows


def target_rows(assignment: Assignment, periods, progress) -> list[dict]:
    """Targets with what the accepted reports achieved (`progress`: the status rules' own
    reading, `services.read_assignment`)."""
    targets = {t.pk: t for t in assignment.task.targets.all()}
    return [
        {
            "target": targets[row.target.pk],
            "total": row.total,
            "met": row.met,
            "periods_met": row.periods_met,
            "periods": len(periods),
        }
        for row in progress
    ]


def offers_unit_actions(user, assignment: Assignment, can_manage: bool) -> bool:
    """Show the unit's buttons (write, submit, ask for time) to the responsible unit.

    The issuer's scope covers the unit too, so `can_report` holds for it; its page
    offers the review instead, unless the assignment is the issuer's own unit's.
    """
    if not services.can_report(user, assignment):
        return False
    return not can_manage or user.unit_id == assignment.unit_id


def assignment_context(assignment: Assignment, user, **forms) -> dict:
    today = timezone.localdate()
    task = assignment.task
    periods = task.periods()
    labels = {p.key: p.label for p in periods}
    reading = services.read_assignment(assignment, today)
    result, overrides = reading.result, reading.overrides
    can_manage = services.can_review(user, assignment)
    can_report = offers_unit_actions(user, assignment, can_manage)
    reports = [
        decorate_report(r, labels=labels, can_report=can_report, can_manage=can_manage)
        for r in scoped_reports(user, assignment)
    ]
    adjustments = list(
        Adjustment.objects.for_user(user)
        .filter(assignment=assignment)
        .select_related("created_by", "decided_by")
        .order_by("-pk")
    )
    for adj in adjustments:
        adj.badge = badge(adj.get_status_display(), ADJUSTMENT_COLOURS[adj.status])
        adj.label = labels.get(adj.period_key, adj.period_key)
        adj.can_decide = can_manage and adj.status == AdjustmentStatus.PENDING
        if adj.can_decide:
            adj.decision_form = AdjustmentDecisionForm(
                initial={"decision": AdjustmentDecisionForm.GRANT}, auto_id=f"id_a{adj.pk}_%s"
            )
    rows = period_rows(periods, result, overrides, reports, today)
    return {
        "assignment": assignment,
        "task": task,
        "plan": task.plan,
        "status": matrix.status_style(result.status),  # the one legend (matrix, inbox …)
        "result": result,
        "today": today,
        "periods": rows,
        "open_periods": [r for r in rows if r["open"]],
        "can_reopen": can_manage and any(r["done"] for r in rows),
        "can_except": can_manage and result.short,
        "targets": target_rows(assignment, periods, reading.progress),
        "reports": reports,
        "adjustments": adjustments,
        "delays": sum(1 for a in adjustments if a.status == AdjustmentStatus.GRANTED),
        "comments": Comment.objects.for_user(user)
        .filter(assignment=assignment)
        .select_related("author"),
        "lead_units": task.lead_units.all(),
        "cooperating_units": task.cooperating_units.all(),
        "can_report": can_report,
        "can_manage": can_manage,
        "comment_form": forms.get("comment_form") or CommentForm(),
    }


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
        )
        evidence.attach_evidence(report, data["files"], actor=user)
        self.submitted = "submit" in self.request.POST
        if self.submitted:
            services.submit_report(report, actor=user)
        ensure_in_scope(report, user, "change")
        return report

    def get_success_message(self) -> str:
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


def period_states(assignment: Assignment, periods, result) -> dict[str, str]:
    """A word for each period in the 填报期 choices: 已验收, 已重新打开, 已逾期, 填报中 …"""
    reopened = set(
        assignment.reports.filter(reopened_at__isnull=False).values_list("period_key", flat=True)
    )
    overdue = {p.key for p in result.overdue}
    today = timezone.localdate()
    states = {}
    for p in periods:
        if p.key in result.accepted:
            states[p.key] = _("已验收，可补报新进展")
        elif p.key in overdue:
            states[p.key] = _("已逾期")
        elif p.key in reopened:
            states[p.key] = _("已重新打开")
        elif p.start > today:
            states[p.key] = _("未开始")
        else:
            states[p.key] = _("填报中")
    return states


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
