"""Sub-assignment pages (issue #8): break an assignment down to units below, withdraw one.

The assignment comes from `for_user(user, "change")` (a foreign one is 404); the
service decides who may (`subassign.can_break_down`, 403 otherwise) and refuses a
unit outside the subtree or one that carries the task already, by name.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic
from django.views.generic.detail import SingleObjectMixin

from xuanpei.core.views import ScopedViewMixin
from xuanpei.plans import subassign
from xuanpei.plans.forms_reports import BaseForm
from xuanpei.plans.models import Assignment
from xuanpei.plans.views_reports import ObjectFormView, assignment_url


class UnitChoiceField(forms.ModelMultipleChoiceField):
    """Units by their path below the assignment's unit (甲街道 / 甲社区)."""

    def __init__(self, *args, top, **kwargs):
        self.names = subassign.relative_names(top)
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self.names.get(obj.pk, obj.name)


class BreakDownForm(BaseForm):
    def __init__(self, *args, assignment: Assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"] = UnitChoiceField(
            queryset=subassign.candidate_units(assignment),
            top=assignment.unit,
            label=_("承担此任务的下级单位"),
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": _("请选择要分解给的下级单位")},
            help_text=_("可多选。已承担此任务的单位不在列表中。"),
        )


class SubAssignmentCreateView(ObjectFormView):
    """分解给下级单位: the responsible unit picks units below it."""

    queryset = Assignment.objects.select_related("task__plan", "unit")
    form_class = BreakDownForm
    template_name = "plans/subassignment_form.html"
    denied_message = gettext_lazy("只有本任务的责任单位可以把任务分解给下级单位")

    def allowed(self) -> bool:
        return subassign.can_break_down(self.request.user, self.object)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        kwargs["assignment"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        a = self.object
        today = timezone.localdate()
        ctx.update(assignment=a, task=a.task, plan=a.task.plan, targets=a.task.targets.all())
        # The task's periods are inherited as they are: say so when some have ended.
        ctx["ended_periods"] = [p for p in a.task.periods() if p.due < today]
        return ctx

    def run(self, form):
        return subassign.break_down(
            self.object, actor=self.request.user, units=form.cleaned_data["units"]
        )

    def get_success_message(self) -> str:
        names = "、".join(a.unit.name for a in self.result)
        return _("已分解给 %(n)d 个下级单位：%(names)s") % {"n": len(self.result), "names": names}

    def get_success_url(self):
        return assignment_url(self.object.pk)


class SubAssignmentWithdrawView(ScopedViewMixin, SingleObjectMixin, generic.View):
    """POST: 撤回 a sub-assignment made by mistake (nothing reported on it yet)."""

    action = "change"
    queryset = Assignment.objects.select_related("parent__unit", "unit")
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        sub = self.get_object()
        if sub.parent_id is None or not subassign.manages_sub_assignment(request.user, sub):
            raise PermissionDenied(_("只有分解该任务的单位可以撤回"))
        parent_id, name = sub.parent_id, sub.unit.name
        try:
            subassign.withdraw(sub, actor=request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return HttpResponseRedirect(assignment_url(sub.pk))
        messages.success(request, _("已撤回分解给%(u)s的任务") % {"u": name})
        return HttpResponseRedirect(assignment_url(parent_id))
