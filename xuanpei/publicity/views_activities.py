"""Pages of the activity ledger (issue #11 §3): list, detail, add, edit, delete, submit,
review (待审核), publish, and the photos and files behind them.

Generic scoped views (core.views): an activity outside the user's scope is a 404; the
use cases (`services_activities`) decide who may do what (403 with the reason), and
their ValidationErrors land on the form field they name. Saving the activity, its
materials and its files is one `atomic_with_files()` block inside the service.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import generic
from django.views.generic.detail import SingleObjectMixin

from xuanpei.audit.timeline import timeline
from xuanpei.core import uploads
from xuanpei.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    ScopedViewMixin,
)
from xuanpei.publicity import services_activities as svc
from xuanpei.publicity.forms_activities import (
    ActivityEditForm,
    ActivityFilterSet,
    ActivityReviewForm,
    MaterialFormSet,
    material_rows,
)
from xuanpei.publicity.models_ledger import Activity, ActivityFile, ReviewStatus

STATUS_COLOURS = {
    ReviewStatus.DRAFT: "secondary",
    ReviewStatus.SUBMITTED: "warning",
    ReviewStatus.ACCEPTED: "success",
    ReviewStatus.RETURNED: "danger",
}


def _decorate(activity: Activity) -> Activity:
    activity.status_colour = STATUS_COLOURS.get(activity.status, "secondary")
    return activity


class ActivityListView(ObjectListView):
    """宣传活动台账: the activities in scope, filtered (year/dates, unit subtree, campaign,
    task, 五进, status, q)."""

    queryset = Activity.objects.select_related("unit", "enterprise", "locality")
    filterset_class = ActivityFilterSet
    template_name = "publicity/activity_list.html"
    default_ordering = ["-held_on", "-pk"]
    ordering_fields = {"held_on": "held_on", "participants": "participants"}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        for activity in ctx["object_list"]:
            _decorate(activity)
        ctx["reviewable"] = svc.reviewable_activities(self.request.user).count()
        return ctx


class ActivityQueueView(ObjectListView):
    """待审核活动: the submitted activities the user may review, oldest first."""

    queryset = Activity.objects.select_related("unit", "enterprise", "submitted_by")
    template_name = "publicity/activity_queue.html"
    default_ordering = ["submitted_at", "pk"]
    action = "change"

    def get_queryset(self):
        self.queryset = svc.reviewable_activities(self.request.user, self.queryset)
        return super().get_queryset()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        duplicates = svc.likely_duplicates_of(ctx["object_list"])
        for activity in ctx["object_list"]:
            activity.duplicates = duplicates[activity.pk]
        return ctx


class ActivityDetailView(ObjectDetailView):
    queryset = Activity.objects.select_related(
        "unit", "enterprise", "locality", "submitted_by", "reviewed_by"
    )
    template_name = "publicity/activity_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        activity, user = _decorate(self.object), self.request.user
        files = list(activity.files.all())
        ctx.update(
            photos=[f for f in files if f.kind == uploads.IMAGE],
            attachments=[f for f in files if f.kind != uploads.IMAGE],
            materials=list(activity.materials.all()),
            campaigns=list(activity.campaigns.all()),
            tasks=list(activity.tasks.select_related("plan")),
            audiences=list(activity.audiences.all()),
            forms=list(activity.forms.all()),
            links=svc.media_links(activity.media_links),
            may_edit=svc.can_edit(user, activity),
            may_delete=activity.status == ReviewStatus.DRAFT and ctx["can_delete"],
            may_review=svc.can_review(user, activity),
            may_publish=svc.can_publish(user) and activity.status == ReviewStatus.ACCEPTED,
            duplicates=svc.likely_duplicates(activity)
            if activity.status == ReviewStatus.SUBMITTED
            else [],
            history=timeline([activity], user=user, limit=20),
        )
        return ctx


class ActivityEditMixin:
    """The activity form with its materials formset; saved through the service."""

    form_class = ActivityEditForm
    template_name = "publicity/activity_form.html"

    def get_formset(self):
        if not hasattr(self, "formset"):
            instance = self.object if getattr(self, "object", None) else Activity()
            self.formset = MaterialFormSet(
                self.request.POST or None, instance=instance, prefix="materials"
            )
            for form in self.formset.forms:
                form.fields["kind"].required = False
        return self.formset

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["formset"] = self.get_formset()
        ctx["accept"] = uploads.ACCEPT
        return ctx

    def post(self, request, *args, **kwargs):
        self.object = self.get_object() if self.kwargs.get("pk") else None
        form = self.get_form()
        formset = self.get_formset()
        if not (form.is_valid() & formset.is_valid()):
            return self.form_invalid(form)
        activity = form.save(commit=False)
        relations = form.relations(material_rows(formset))
        try:
            if activity.pk:
                self.object = svc.update_activity(
                    activity,
                    actor=request.user,
                    relations=relations,
                    files=form.cleaned_data["files"],
                    remove_files=list(form.cleaned_data.get("remove_files") or []),
                )
            else:
                self.object = svc.create_activity(
                    activity,
                    actor=request.user,
                    relations=relations,
                    files=form.cleaned_data["files"],
                )
        except ValidationError as exc:
            form.add_service_error(exc)
            if activity.pk is None:
                activity.id = None
            return self.form_invalid(form)
        messages.success(request, _("宣传活动已保存"))
        return HttpResponseRedirect(self.object.get_absolute_url())


class ActivityCreateView(ActivityEditMixin, ObjectCreateView):
    queryset = Activity.objects.all()

    def get_object(self, queryset=None):
        return None

    def years(self) -> list[int]:
        """The years whose campaigns and tasks the page offers: this one and the last."""
        this = timezone.localdate().year
        return [this - 1, this]

    def picked_year(self) -> int:
        years = self.years()
        try:
            year = int(self.request.GET.get("year", ""))
        except ValueError:
            return years[-1]
        return year if year in years else years[-1]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "GET":
            kwargs["year"] = self.picked_year()
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if self.request.method == "GET":
            ctx["years"], ctx["picked_year"] = self.years(), self.picked_year()
        return ctx


class ActivityUpdateView(ActivityEditMixin, ObjectUpdateView):
    queryset = Activity.objects.select_related("unit", "enterprise")

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not svc.can_edit(self.request.user, obj):
            raise PermissionDenied(_("只有草稿或已退回的活动可以修改"))
        return obj


class ActivityActionView(ScopedViewMixin, SingleObjectMixin, generic.TemplateView):
    """A confirm page (GET) and its use case (POST) on one activity."""

    queryset = Activity.objects.select_related("unit", "enterprise")
    action = "change"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["activity"] = ctx["object"] = _decorate(self.object)
        return ctx

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        self.check()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        self.check()
        try:
            message = self.run(request)
        except ValidationError as exc:
            self.errors = exc.messages
            return self.render_to_response(self.get_context_data())
        messages.success(request, message)
        return HttpResponseRedirect(self.get_success_url())

    def check(self) -> None:
        pass

    def get_success_url(self):
        return self.object.get_absolute_url()


class ActivitySubmitView(ActivityActionView):
    """提交: shows the likely duplicates first; the user may still submit."""

    template_name = "publicity/activity_submit.html"

    def check(self):
        if not svc.can_edit(self.request.user, self.object):
            raise PermissionDenied(_("只有草稿或已退回的活动可以提交"))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["duplicates"] = svc.likely_duplicates(self.object)
        ctx["reviewer"] = svc.reviewer_unit(self.object)
        ctx["errors"] = getattr(self, "errors", [])
        return ctx

    def run(self, request):
        activity = svc.submit_activity(self.object, actor=request.user)
        if activity.status == ReviewStatus.ACCEPTED:
            return _("活动已提交并通过（区级单位的活动无需上级审核）")
        return _("活动已提交，等待上级单位审核")


class ActivityReviewView(ActivityActionView):
    """审核: 通过 or 退回 (with a reason)."""

    template_name = "publicity/activity_review.html"

    def check(self):
        if not svc.can_review(self.request.user, self.object):
            raise PermissionDenied(_("只有上级单位可以审核该活动，或该活动不在待审核状态"))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["form"] = getattr(self, "form", None) or ActivityReviewForm(
            initial={"decision": ActivityReviewForm.ACCEPT}
        )
        ctx["duplicates"] = svc.likely_duplicates(self.object)
        return ctx

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        self.check()
        self.form = form = ActivityReviewForm(request.POST)
        if form.is_valid():
            try:
                svc.review_activity(
                    self.object,
                    actor=request.user,
                    accept=form.accept,
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("活动已审核通过") if form.accept else _("活动已退回"))
                return HttpResponseRedirect(reverse("publicity:activity_queue"))
        return self.render_to_response(self.get_context_data())


class ActivityPublishView(ActivityActionView):
    """POST: the district shows the activity on the public page, or takes it off."""

    http_method_names = ["post"]

    def check(self):
        if not svc.can_publish(self.request.user):
            raise PermissionDenied(_("只有区安委办可以公开展示活动"))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        self.check()
        public = request.POST.get("public") == "1"
        try:
            svc.publish_activity(self.object, actor=request.user, public=public)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已在公开页面展示") if public else _("已取消公开展示"))
        return HttpResponseRedirect(self.object.get_absolute_url())


class ActivityDeleteView(ActivityActionView):
    """删除 a draft."""

    template_name = "publicity/activity_confirm_delete.html"
    action = "delete"

    def check(self):
        if self.object.status != ReviewStatus.DRAFT:
            raise PermissionDenied(_("只有草稿可以删除"))

    def run(self, request):
        svc.delete_activity(self.object, actor=request.user)
        return _("活动已删除")

    def get_success_url(self):
        return reverse("publicity:activity_list")


class ActivityFileView(ScopedViewMixin, SingleObjectMixin, generic.View):
    """A photo or file under its original name; photos open in the browser."""

    queryset = ActivityFile.objects.all()
    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        return uploads.stored_file_response(self.get_object())


class ActivityThumbnailView(ScopedViewMixin, SingleObjectMixin, generic.View):
    queryset = ActivityFile.objects.all()
    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        return uploads.thumbnail_response(self.get_object())
