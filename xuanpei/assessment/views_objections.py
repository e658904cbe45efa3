"""Pages: objections to a published score (issue #13 §2). A unit sees and raises its own;
the district sees all and answers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic

from xuanpei.assessment import services_objections as svc
from xuanpei.assessment.filters import ObjectionFilterSet
from xuanpei.assessment.forms import AnswerForm, ObjectionForm, add_errors
from xuanpei.assessment.models import Objection, QuarterRun, UnitScore
from xuanpei.core.permissions import is_district_admin
from xuanpei.core.views import ObjectListView, ScopedViewMixin


class ObjectionListView(ObjectListView):
    queryset = Objection.objects.select_related("score__unit", "score__run", "raised_by")
    filterset_class = ObjectionFilterSet
    template_name = "assessment/objection_list.html"
    default_ordering = ["status", "-raised_at", "-pk"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["is_district"] = is_district_admin(self.request.user)
        return ctx


class ObjectionAddView(ScopedViewMixin, generic.FormView):
    """/assessment/scores/<score_pk>/objection/: refused while the score is unpublished."""

    queryset = UnitScore.objects.select_related("unit", "run")
    action = "add"
    form_class = ObjectionForm
    template_name = "assessment/objection_form.html"

    def get_model(self):
        return Objection

    def setup_score(self):
        if not hasattr(self, "score"):
            self.score = get_object_or_404(self.queryset, pk=self.kwargs["score_pk"])
        return self.score

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["score"] = self.setup_score()
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        score = ctx["score"] = self.setup_score()
        if score.run.status != QuarterRun.Status.PUBLISHED:
            ctx["refused"] = _(svc.NOT_PUBLISHED)
        return ctx

    def form_valid(self, form):
        score = self.setup_score()
        try:
            svc.raise_objection(
                score=score,
                text=form.cleaned_data["text"],
                indicator_code=form.cleaned_data.get("indicator_code") or "",
                actor=self.request.user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已提出异议，等待区安委办答复"))
        return HttpResponseRedirect(score_url(score))


def score_url(score) -> str:
    return reverse("assessment:score_detail", args=[score.pk])


class ObjectionAnswerView(ScopedViewMixin, generic.FormView):
    """/assessment/objections/<pk>/answer/: the district's answer."""

    queryset = Objection.objects.select_related("score__unit", "score__run", "raised_by")
    action = "change"
    form_class = AnswerForm
    template_name = "assessment/objection_answer.html"

    def get_objection(self):
        if not hasattr(self, "objection"):
            self.objection = get_object_or_404(self.queryset, pk=self.kwargs["pk"])
            if not is_district_admin(self.request.user):
                raise PermissionDenied(_("只有区安委办答复考核异议"))
        return self.objection

    def get(self, request, *args, **kwargs):
        self.get_objection()
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        return {"answer": self.get_objection().answer}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["objection"] = self.get_objection()
        return ctx

    def form_valid(self, form):
        objection = self.get_objection()
        try:
            svc.answer_objection(
                objection=objection, answer=form.cleaned_data["answer"], actor=self.request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已答复"))
        return HttpResponseRedirect(score_url(objection.score))
