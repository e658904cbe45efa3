"""Units' own yearly plans (requirement 四(一), issue #4 §5).

A unit user writes its plan (text, a PDF/DOCX file, or both) against an issued
district plan, saves it as a draft and submits it (status issued, through
`services.issue_plan`). One plan per unit and district plan. The district reads
who has submitted and who has not on the district plan's page.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from xuanpei.core.views import ObjectCreateView, ObjectUpdateView
from xuanpei.plans import services
from xuanpei.plans.choices import PlanKind, PlanStatus
from xuanpei.plans.forms_plans import UnitPlanForm
from xuanpei.plans.models import PUBLISHED, Plan

SUBMIT = "submit"


class UnitPlanEditMixin:
    form_class = UnitPlanForm
    template_name = "plans/unitplan_form.html"

    def save_form(self, form):
        plan = super().save_form(form)
        if SUBMIT in self.request.POST and plan.status == PlanStatus.DRAFT:
            services.issue_plan(plan, actor=self.request.user)
            self.success_message = _("本单位年度计划已提交")
        return plan

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["parent"] = self.parent
        return ctx


class UnitPlanCreateView(UnitPlanEditMixin, ObjectCreateView):
    """编写本单位年度计划 for the district plan `plan_pk`; an existing one opens for editing."""

    queryset = Plan.objects.all()
    success_message = _("本单位年度计划已保存为草稿")

    @cached_property
    def parent(self) -> Plan:
        return get_object_or_404(
            Plan.objects.for_user(self.request.user).filter(
                kind=PlanKind.DISTRICT, status__in=PUBLISHED
            ),
            pk=self.kwargs["plan_pk"],
        )

    def check_unit(self):
        unit = self.request.user.unit
        if unit is None or unit.is_root():
            raise PermissionDenied(_("只有各单位用户可以编写本单位年度计划"))
        return unit

    def existing(self):
        return (
            Plan.objects.for_user(self.request.user, "change")
            .filter(kind=PlanKind.UNIT, parent=self.parent, unit=self.request.user.unit_id)
            .first()
        )

    def get(self, request, *args, **kwargs):
        self.parent  # noqa: B018 - 404 before anything else
        self.check_unit()
        found = self.existing()
        if found is not None:
            return redirect("plans:unitplan_edit", pk=found.pk)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.parent  # noqa: B018
        self.check_unit()
        found = self.existing()
        if found is not None:
            return redirect("plans:unitplan_edit", pk=found.pk)
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        unit = self.request.user.unit
        kwargs["instance"] = Plan(
            kind=PlanKind.UNIT,
            unit=unit,
            parent=self.parent,
            year=self.parent.year,
            status=PlanStatus.DRAFT,
        )
        return kwargs

    def get_initial(self):
        unit = self.request.user.unit
        return {
            "title": _("%(unit)s%(year)d年应急管理宣传教育培训工作计划")
            % {"unit": unit.name, "year": self.parent.year}
        }


class UnitPlanUpdateView(UnitPlanEditMixin, ObjectUpdateView):
    queryset = Plan.objects.filter(kind=PlanKind.UNIT).select_related("parent", "unit")
    success_message = _("本单位年度计划已保存")

    @cached_property
    def parent(self) -> Plan:
        return self.object.parent
