"""Pages of the quarterly bulletin (issue #13 item 3): list, draft, preview, edit, issue,
downloads. The district drafts and issues; an issued bulletin is readable by the units
it names (`Bulletin.SCOPE_ADDRESSED` in the scoping mechanism), drafts by the district only.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic

from xuanpei.assessment import bulletin_content, bulletin_pdf
from xuanpei.assessment import services_bulletins as services
from xuanpei.assessment.forms import add_errors
from xuanpei.assessment.forms_bulletins import BulletinAddForm, BulletinEditForm, BulletinIssueForm
from xuanpei.assessment.models import Bulletin
from xuanpei.core import views_jobs
from xuanpei.core.views import ObjectDetailView, ObjectListView, ObjectUpdateView, ScopedViewMixin

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class VisibleMixin:
    """Read through the scope: the district's, plus the issued bulletins naming the unit."""

    def get_queryset(self):
        return Bulletin.objects.for_user(self.request.user, "view").select_related("unit", "run")


def follow_job(request, kind: str, params: dict, *, label: str = "") -> HttpResponseRedirect:
    """A bulletin job through the one job-page flow (`core.views_jobs.follow_job`)."""
    ui = {"label": label or _("正在生成通报草稿…"), "unit": _("步")}
    return views_jobs.follow_job(
        request, kind, params, ui=ui, back=reverse("assessment:bulletin_list")
    )


class BulletinListView(ObjectListView):
    queryset = Bulletin.objects.all()
    template_name = "assessment/bulletin_list.html"
    default_ordering = ("-year", "-quarter", "-pk")

    def get_queryset(self):
        self.queryset = Bulletin.objects.for_user(self.request.user, "view").select_related("unit")
        return super().get_queryset()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = services.is_district(self.request.user)
        return ctx


class BulletinCreateView(ScopedViewMixin, generic.FormView):
    """Generate the district's draft for a quarter (an existing draft is reopened)."""

    action = "add"
    queryset = Bulletin.objects.all()
    form_class = BulletinAddForm
    template_name = "assessment/bulletin_add.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.is_district(request.user):
            raise PermissionDenied(_("只有区安委办可以编制季度通报"))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        # Scoring a quarter not scored yet takes a while at district scale: a job.
        params = {"year": form.cleaned_data["year"], "quarter": form.cleaned_data["quarter"]}
        return follow_job(self.request, services.DRAFT_JOB, params)


class BulletinDetailView(VisibleMixin, ObjectDetailView):
    queryset = Bulletin.objects.all()
    template_name = "assessment/bulletin_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        content = bulletin_content.document(self.object)
        ctx.update(bulletin_pdf.context(content))
        draft = self.object.status == Bulletin.Status.DRAFT
        ctx["may_edit"] = draft and ctx["can_change"] and services.is_district(self.request.user)
        ctx["recipients"] = list(self.object.recipients.order_by("path"))
        return ctx


class BulletinUpdateView(ObjectUpdateView):
    queryset = Bulletin.objects.filter(status=Bulletin.Status.DRAFT)
    form_class = BulletinEditForm
    template_name = "assessment/bulletin_form.html"
    success_message = _("通报草稿已保存")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.is_district(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def save_form(self, form):
        data = {k: form.cleaned_data[k] for k in services.EDITABLE if k in form.cleaned_data}
        return services.update_bulletin(
            form.instance, actor=self.request.user, doc_code=form.cleaned_data["doc_code"], **data
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:  # raised before the mixin's own handler
            add_errors(form, exc)
            return self.form_invalid(form)

    def get_success_url(self):
        return reverse("assessment:bulletin_detail", args=[self.object.pk])


class BulletinIssueView(ScopedViewMixin, generic.FormView):
    """印发: confirm or type the 发文字号; DOCX, PDF, recipients and their messages."""

    action = "change"
    queryset = Bulletin.objects.filter(status=Bulletin.Status.DRAFT)
    form_class = BulletinIssueForm
    template_name = "assessment/bulletin_issue.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.is_district(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_bulletin(self) -> Bulletin:
        return get_object_or_404(self.queryset, pk=self.kwargs["pk"])

    def get_initial(self):
        return {"doc_code": services.suggested_doc_code(self.get_bulletin())}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        bulletin = self.get_bulletin()
        ctx["object"] = bulletin
        ctx["ended"] = services.quarter_ended(bulletin.year, bulletin.quarter)
        ctx["recipients"] = services.score_units(bulletin)
        return ctx

    def form_valid(self, form):
        bulletin = self.get_bulletin()
        code = form.cleaned_data["doc_code"]
        try:  # refusals on the form at once; the job checks again under the lock
            services.check_issuable(bulletin, actor=self.request.user, doc_code=code)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        params = {"bulletin": bulletin.pk, "doc_code": code}
        return follow_job(self.request, services.ISSUE_JOB, params, label=_("正在印发通报…"))


class BulletinFileView(VisibleMixin, ScopedViewMixin, generic.DetailView):
    """The DOCX or the PDF: the issued file as archived, a draft rendered on the fly."""

    queryset = Bulletin.objects.all()
    kind = "docx"

    def get(self, request, *args, **kwargs):
        from xuanpei.assessment import bulletin_docx

        bulletin = self.get_object()
        stored = bulletin.docx if self.kind == "docx" else bulletin.pdf
        if bulletin.status == Bulletin.Status.ISSUED and stored:
            with stored.open("rb") as fh:
                data = fh.read()
        else:
            data = (bulletin_docx if self.kind == "docx" else bulletin_pdf).render(bulletin)
        response = HttpResponse(
            data, content_type=DOCX_TYPE if self.kind == "docx" else "application/pdf"
        )
        from urllib.parse import quote

        name = services.safe_filename(bulletin, self.kind)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response
