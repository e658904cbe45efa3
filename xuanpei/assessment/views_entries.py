"""Pages: manual entries (issue #13 §1) — 督查 deductions and bonuses, typical cases
adopted, manual indicators' values. The district enters them (reason required, evidence
required for a deduction), corrects them (the edit posts to a confirmation listing each
changed field old → new, then saves) and deletes them (after a confirmation page) while
their quarter is not published; a unit reads its own."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from xuanpei.assessment import services_entries
from xuanpei.assessment.filters import ManualEntryFilterSet
from xuanpei.assessment.forms import ManualEntryEditForm, ManualEntryForm, add_errors
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
        # Add, edit and delete are the district's: nobody else is shown the links.
        ctx["can_add"] = ctx["can_change"] = is_district_admin(self.request.user)
        if ctx["can_change"]:
            # A published quarter's entries are frozen: no link the pages would refuse.
            frozen = services_entries.published_quarters()
            for entry in ctx["object_list"]:
                entry.frozen = (entry.year, entry.quarter) in frozen
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
        data = form.cleaned_data
        year, quarter = data["quarter"]
        try:
            services_entries.save_manual_entry(
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


def _entry_fields(data) -> dict:
    """The service's keyword arguments from the entry form's cleaned data (no evidence)."""
    year, quarter = data["quarter"]
    return {
        "indicator": data["indicator"],
        "unit": data["unit"],
        "year": year,
        "quarter": quarter,
        "points": data["points"],
        "level": data.get("level") or "",
        "reason": data["reason"],
    }


class EntryObjectMixin(DistrictOnlyMixin, ScopedViewMixin):
    """One entry the district corrects or deletes; anybody else is refused (403), an
    entry outside the scope is a 404."""

    queryset = ManualEntry.objects.select_related("indicator__indicator_set", "unit")
    refusal = gettext_lazy("只有区安委办修改或删除督查扣分和加分")
    back_url = "assessment:entry_list"

    def get_entry(self) -> ManualEntry:
        if not hasattr(self, "entry"):
            self.entry = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return self.entry

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        entry = self.get_entry()
        ctx["entry"] = entry
        ctx["published"] = services_entries.quarter_published(entry.year, entry.quarter)
        return ctx


class EntryEditView(EntryObjectMixin, generic.FormView):
    """/assessment/entries/<pk>/edit/: the form; its POST shows the confirmation (old →
    new per changed field, the form's values carried as hidden inputs and a new evidence
    file kept under a token); the confirmation's POST (`confirm`) saves."""

    action = "change"
    form_class = ManualEntryEditForm
    template_name = "assessment/entry_form.html"
    confirm_template = "assessment/entry_confirm.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["entry"] = self.get_entry()
        return kwargs

    def form_valid(self, form):
        entry, data = self.get_entry(), form.cleaned_data
        fields, upload = _entry_fields(data), data.get("evidence")
        token = self.request.POST.get("evidence_token", "")
        user = self.request.user
        if "confirm" not in self.request.POST:
            try:
                changes = services_entries.entry_changes(entry, evidence=upload, **fields)
            except ValidationError as exc:
                add_errors(form, exc)
                return self.form_invalid(form)
            if not changes:
                form.add_error(None, _("没有修改任何内容"))
                return self.form_invalid(form)
            if upload:
                token = services_entries.stash_evidence(upload, entry=entry, actor=user)
            ctx = self.get_context_data(form=form, changes=changes, evidence_token=token)
            return self.response_class(
                request=self.request, template=[self.confirm_template], context=ctx
            )
        try:
            evidence = upload
            if not evidence and token:
                evidence = services_entries.stashed_evidence(token, entry=entry, actor=user)
            services_entries.update_manual_entry(entry, actor=user, evidence=evidence, **fields)
        except ValidationError as exc:
            services_entries.drop_stashed(token)
            add_errors(form, exc)
            return self.form_invalid(form)
        finally:
            if evidence and hasattr(evidence, "close") and evidence is not upload:
                evidence.close()
        services_entries.drop_stashed(token)
        messages.success(self.request, _("已保存修改"))
        return HttpResponseRedirect(reverse("assessment:entry_list"))


class EntryDeleteView(EntryObjectMixin, generic.TemplateView):
    """/assessment/entries/<pk>/delete/: GET asks, POST deletes."""

    action = "delete"
    template_name = "assessment/entry_confirm_delete.html"

    def post(self, request, *args, **kwargs):
        entry = self.get_entry()
        try:
            services_entries.delete_manual_entry(entry, actor=request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return HttpResponseRedirect(reverse("assessment:entry_list"))
        messages.success(request, _("已删除"))
        return HttpResponseRedirect(reverse("assessment:entry_list"))
