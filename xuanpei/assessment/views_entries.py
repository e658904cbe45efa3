"""Pages: manual entries (issue #13 §1) — 督查 deductions and bonuses, typical cases
adopted, manual indicators' values. The district enters them (reason required, evidence
required for a deduction); a unit reads its own."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from xuanpei.assessment.filters import ManualEntryFilterSet
from xuanpei.assessment.forms import ManualEntryForm, add_errors
from xuanpei.assessment.models import ManualEntry
from xuanpei.assessment.views_indicators import DistrictOnlyMixin
from xuanpei.core.permissions import is_district_admin
from xuanpei.core.views import ObjectListView, ScopedViewMixin


class EntryListView(ObjectListView):
    queryset = ManualEntry.objects.select_related("indicator", "unit", "created_by")
    filterset_class = ManualEntryFilterSet
    template_name = "assessment/entry_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = is_district_admin(self.request.user)
        return ctx


class EntryAddView(DistrictOnlyMixin, ScopedViewMixin, generic.FormView):
    queryset = ManualEntry.objects.all()
    action = "add"
    form_class = ManualEntryForm
    template_name = "assessment/entry_form.html"
    refusal = gettext_lazy("只有区安委办录入督查扣分和加分")
    back_url = "assessment:entry_list"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        from xuanpei.assessment import services_scoring

        data = form.cleaned_data
        year, quarter = data["quarter"]
        try:
            services_scoring.save_manual_entry(
                indicator=data["indicator"],
                unit=data["unit"],
                year=year,
                quarter=quarter,
                points=data["points"],
                reason=data["reason"],
                evidence=data.get("evidence"),
                level=data.get("level") or "",
                actor=self.request.user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已录入"))
        return HttpResponseRedirect(reverse("assessment:entry_list"))
