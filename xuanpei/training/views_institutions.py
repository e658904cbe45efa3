"""Training institutions and exam sites (issue #12 §8): register, inspect, require
rectifications, take their evidence, close them; the sessions each delivered with pass
rates.

Scoped like every page: an institution belongs to its 监管单位's subtree. Inspections
and rectifications are added on an institution/inspection the user may change
(`services_institutions.may_inspect`), so a URL naming another town's is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import generic

from xuanpei.core.files import file_response
from xuanpei.core.uploads import CONTENT_TYPES, EXTENSIONS, IMAGE, extension
from xuanpei.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    ScopedViewMixin,
)
from xuanpei.training import services_institutions as services
from xuanpei.training.forms_institutions import (
    EvidenceForm,
    InspectionForm,
    InstitutionFilterSet,
    InstitutionForm,
    RectificationForm,
)
from xuanpei.training.models import Inspection, Institution, Rectification


class InstitutionListView(ObjectListView):
    queryset = Institution.objects.select_related("unit")
    filterset_class = InstitutionFilterSet
    template_name = "training/institution_list.html"
    ordering_fields = {"name": "name", "kind": "kind"}
    default_ordering = ["-active", "name", "pk"]


class InstitutionDetailView(ObjectDetailView):
    queryset = Institution.objects.select_related("unit")
    template_name = "training/institution_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        institution, user = self.object, self.request.user
        ctx["inspections"] = list(
            Inspection.objects.for_user(user, "view")
            .filter(institution=institution)
            .prefetch_related("rectifications")
        )
        ctx["sessions"] = list(services.delivered_sessions(institution, user)[:50])
        ctx["pass_rate"] = services.pass_rate(institution, user)
        ctx["today"] = timezone.localdate()
        return ctx


class InstitutionSavedMixin:
    def get_success_url(self):
        return reverse("training:institution_detail", args=[self.object.pk])


class InstitutionCreateView(InstitutionSavedMixin, ObjectCreateView):
    queryset = Institution.objects.all()
    form_class = InstitutionForm
    template_name = "training/institution_form.html"
    success_message = _("培训机构已登记")


class InstitutionUpdateView(InstitutionSavedMixin, ObjectUpdateView):
    queryset = Institution.objects.select_related("unit")
    form_class = InstitutionForm
    template_name = "training/institution_form.html"
    success_message = _("培训机构已保存")


class ParentCreateView(ObjectCreateView):
    """An add page on a parent row the user may change (404 outside scope); the form's
    data goes to one service call, `service(parent, actor=…, **cleaned_data)`, and the
    page then shows the inspection it belongs to."""

    parent_model = None
    parent_kwarg = ""
    service = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            scoped = self.parent_model.objects.for_user(request.user, "change")
            self.parent = get_object_or_404(scoped, pk=kwargs[self.parent_kwarg])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["parent"] = self.parent
        return ctx

    def save_form(self, form):
        return type(self).service(self.parent, actor=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        inspection = self.object if isinstance(self.object, Inspection) else self.parent
        return reverse("training:inspection_detail", args=[inspection.pk])


class InspectionCreateView(ParentCreateView):
    queryset = Inspection.objects.all()
    form_class = InspectionForm
    template_name = "training/inspection_form.html"
    success_message = _("检查记录已保存")
    parent_model, parent_kwarg = Institution, "institution_pk"
    service = services.record_inspection


class InspectionDetailView(ObjectDetailView):
    queryset = Inspection.objects.select_related("institution", "institution__unit", "created_by")
    template_name = "training/inspection_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["may_inspect"] = services.may_inspect(self.request.user, self.object.institution)
        ctx["rectifications"] = list(self.object.rectifications.select_related("closed_by"))
        ctx["today"] = timezone.localdate()
        return ctx


class RectificationCreateView(ParentCreateView):
    queryset = Rectification.objects.all()
    form_class = RectificationForm
    template_name = "training/rectification_form.html"
    success_message = _("整改要求已保存")
    parent_model, parent_kwarg = Inspection, "inspection_pk"
    service = services.add_rectification


class RectificationActionView(ScopedViewMixin, generic.detail.SingleObjectMixin, generic.View):
    """A rectification's page that posts one service call (evidence, 销号)."""

    queryset = Rectification.objects.select_related("inspection", "inspection__institution")
    action = "change"

    def back(self):
        return reverse("training:inspection_detail", args=[self.object.inspection_id])

    def render(self, **ctx):
        from django.shortcuts import render

        ctx.update(object=self.object, inspection=self.object.inspection)
        return render(self.request, self.template_name, ctx)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render(form=self.make_form())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.make_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                self.perform(form)
            except ValidationError as exc:
                form.add_error(None, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, self.success_message)
                return HttpResponseRedirect(self.back())
        return self.render(form=form)


class RectificationEvidenceView(RectificationActionView):
    template_name = "training/rectification_evidence.html"
    success_message = _("整改情况已提交")

    def make_form(self, *args):
        initial = {"evidence": self.object.evidence}
        return EvidenceForm(*args, initial=initial)

    def perform(self, form):
        services.submit_evidence(
            self.object,
            actor=self.request.user,
            text=form.cleaned_data["evidence"],
            upload=form.cleaned_data.get("evidence_file") or None,
        )


class RectificationCloseView(RectificationActionView):
    template_name = "training/rectification_close.html"
    success_message = _("整改事项已销号")

    def make_form(self, *args):
        from django import forms

        return forms.Form(*args[:1])

    def perform(self, form):
        services.close_rectification(self.object, actor=self.request.user)

    def render(self, **ctx):
        ctx["may_close"] = services.may_inspect(
            self.request.user, self.object.inspection.institution
        )
        return super().render(**ctx)


class RectificationFileView(ScopedViewMixin, generic.detail.SingleObjectMixin, generic.View):
    """The evidence file, served through Django (never a public MEDIA URL)."""

    queryset = Rectification.objects.all()

    def get(self, request, *args, **kwargs):
        item = self.get_object()
        if not item.evidence_file:
            raise Http404(_("文件不存在"))
        ext = extension(item.evidence_file.name)
        return file_response(
            item.evidence_file,
            filename=_("整改佐证-%(pk)d.%(ext)s") % {"pk": item.pk, "ext": ext},
            content_type=CONTENT_TYPES.get(ext, "application/octet-stream"),
            inline=EXTENSIONS.get(ext) == IMAGE,
        )
