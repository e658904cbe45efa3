"""Pages of grid officers and cadres (issue #12 item 1) and the attendance import (item 3).

A post is scoped by its unit (`UnitPost.SCOPE_UNIT = "unit"`): a unit sees the posts in
its subtree. ID numbers are always shown masked here and phones as the one personal-data
policy allows (`core.privacy`); writes go through `services_people`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import generic

from xuanpei.core.exports import ObjectExportView
from xuanpei.core.imports.views import ImportTemplateView, ObjectImportView
from xuanpei.core.ordering import PinyinCollate
from xuanpei.core.permissions import has_action
from xuanpei.core.pickers import PathNames, tree_path_labeller
from xuanpei.core.privacy import display_phone
from xuanpei.core.validators import mask_id_number
from xuanpei.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    ScopedViewMixin,
)
from xuanpei.orgs.models import Unit
from xuanpei.training import services_people
from xuanpei.training.filters_people import UnitPostFilterSet
from xuanpei.training.forms_people import UnitPostEditForm, UnitPostEndForm, UnitPostForm
from xuanpei.training.importers import ARCHIVED_MESSAGE
from xuanpei.training.models import Attendance, TrainingSession, UnitPost

ORDERING = {
    "name": PinyinCollate("person__name"),
    "unit": "unit__path",
    "start": "start_date",
    "end": "end_date",
}
ROLE_PAGES = {
    UnitPost.Role.GRID_OFFICER: {
        "list": "training:grid_officer_list",
        "import": "training:grid_officer_import",
        "import_template": "training:grid_officer_import_template",
        "export": "training:grid_officer_export",
        "importer": "grid-officers",
        "icon": "person-vcard",
    },
    UnitPost.Role.CADRE: {
        "list": "training:cadre_list",
        "import": "training:cadre_import",
        "import_template": "training:cadre_import_template",
        "export": "training:cadre_export",
        "importer": "cadres",
        "icon": "person-workspace",
    },
}


def shown(post: UnitPost, user) -> UnitPost:
    """The post with what this user may see of the person: ID masked, phone by policy."""
    post.masked_id = mask_id_number(post.person.id_number)
    post.shown_phone = display_phone(post.phone, user)
    return post


class UnitPostListView(ObjectListView):
    queryset = UnitPost.objects.select_related("person", "unit")
    filterset_class = UnitPostFilterSet
    template_name = "training/unitpost_list.html"
    ordering_fields = ORDERING
    default_ordering = ["unit__path", PinyinCollate("person__name").asc(), "pk"]
    role = ""

    def get_queryset(self):
        return super().get_queryset().filter(role=self.role)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        for post in ctx["object_list"]:
            shown(post, self.request.user)
        ctx["role"] = self.role
        ctx["role_label"] = UnitPost.Role(self.role).label
        ctx["pages"] = ROLE_PAGES[self.role]
        return ctx


class GridOfficerListView(UnitPostListView):
    role = UnitPost.Role.GRID_OFFICER


class CadreListView(UnitPostListView):
    role = UnitPost.Role.CADRE


class UnitPostDetailView(ObjectDetailView):
    queryset = UnitPost.objects.select_related("person", "unit")
    template_name = "training/unitpost_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        shown(self.object, self.request.user)
        ctx["pages"] = ROLE_PAGES[self.object.role]
        ctx["unit_path"] = tree_path_labeller(PathNames(Unit))(self.object.unit)
        ctx["attendances"] = (
            Attendance.objects.for_user(self.request.user, "view")
            .filter(person=self.object.person)
            .select_related("session")
            .order_by("-session__starts_at")[:20]
        )
        return ctx


class UnitPostCreateView(ObjectCreateView):
    queryset = UnitPost.objects.all()
    form_class = UnitPostForm
    template_name = "training/unitpost_form.html"
    success_message = _("岗位已登记")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["role"] = self.request.GET.get("role")
        return kwargs

    def save_form(self, form):
        data = form.cleaned_data
        return services_people.create_unit_post(
            actor=self.request.user,
            role=data["role"],
            unit=data["unit"],
            id_number=data["id_number"],
            name=data["name"],
            **{k: data.get(k) for k in services_people.POST_FIELDS},
        )

    def get_success_url(self):
        return reverse("training:unitpost_detail", args=[self.object.pk])


class UnitPostUpdateView(ObjectUpdateView):
    queryset = UnitPost.objects.select_related("person", "unit")
    form_class = UnitPostEditForm
    template_name = "training/unitpost_form.html"

    def save_form(self, form):
        data = form.cleaned_data
        stored = UnitPost.objects.get(pk=self.object.pk)
        return services_people.update_unit_post(
            stored,
            actor=self.request.user,
            unit=data["unit"],
            **{k: data.get(k) for k in services_people.POST_FIELDS},
        )

    def get_success_url(self):
        return reverse("training:unitpost_detail", args=[self.object.pk])


class UnitPostEndView(ScopedViewMixin, generic.detail.SingleObjectMixin, generic.FormView):
    """离任: the post ends on the given day."""

    queryset = UnitPost.objects.select_related("person", "unit")
    action = "change"
    form_class = UnitPostEndForm
    template_name = "training/unitpost_end.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        return kwargs

    def form_valid(self, form):
        try:
            services_people.end_unit_post(
                self.object, actor=self.request.user, on=form.cleaned_data["end_date"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已登记离任"))
        return HttpResponseRedirect(reverse("training:unitpost_detail", args=[self.object.pk]))


# Import and export ---------------------------------------------------------------------------


class UnitPostImportView(ObjectImportView):
    queryset = UnitPost.objects.all()
    template_name = "training/unitpost_import.html"
    role = ""

    def get_importer_name(self) -> str:
        return ROLE_PAGES[self.role]["importer"]

    def get_list_url(self) -> str:
        return reverse(ROLE_PAGES[self.role]["list"])

    def render(self, *, job, error=""):
        response = super().render(job=job, error=error)
        response.context_data["pages"] = ROLE_PAGES[self.role]
        response.context_data["template_url"] = reverse(ROLE_PAGES[self.role]["import_template"])
        return response


class GridOfficerImportView(UnitPostImportView):
    role = UnitPost.Role.GRID_OFFICER


class CadreImportView(UnitPostImportView):
    role = UnitPost.Role.CADRE


class GridOfficerTemplateView(ImportTemplateView):
    queryset = UnitPost.objects.all()
    importer_name = "grid-officers"


class CadreTemplateView(ImportTemplateView):
    queryset = UnitPost.objects.all()
    importer_name = "cadres"


class UnitPostExportView(ObjectExportView):
    queryset = UnitPost.objects.all()
    filterset_class = UnitPostFilterSet
    ordering_fields = ORDERING
    default_ordering = ["unit__path", "pk"]
    role = ""

    def get_queryset(self):
        return super().get_queryset().filter(role=self.role)


class GridOfficerExportView(UnitPostExportView):
    role = UnitPost.Role.GRID_OFFICER
    exporter_name = "grid-officers"


class CadreExportView(UnitPostExportView):
    role = UnitPost.Role.CADRE
    exporter_name = "cadres"


class SessionAttendanceMixin:
    """The session named by the URL, for its organiser (who may change it); 404 otherwise."""

    queryset = TrainingSession.objects.all()
    action = "change"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not has_action(request.user, Attendance, "import"):
            raise PermissionDenied(_("您没有导入签到记录的权限"))
        return super().dispatch(request, *args, **kwargs)

    @property
    def session(self) -> TrainingSession:
        if not hasattr(self, "_session"):
            self._session = get_object_or_404(self.queryset, pk=self.kwargs["pk"])
        return self._session

    def get_importer_name(self) -> str:
        return "attendance"

    def get_import_options(self) -> dict:
        return {"session": self.session.pk}


class AttendanceImportView(SessionAttendanceMixin, ObjectImportView):
    template_name = "training/attendance_import.html"

    def post(self, request, *args, **kwargs):
        if self.session.status == TrainingSession.Status.ARCHIVED:
            return self.render(job=None, error=str(ARCHIVED_MESSAGE))
        return super().post(request, *args, **kwargs)

    def get_list_url(self) -> str:
        try:
            return reverse("training:session_detail", args=[self.session.pk])
        except NoReverseMatch:  # the session pages are another area's
            return reverse("training:grid_officer_list")

    def render(self, *, job, error=""):
        response = super().render(job=job, error=error)
        response.context_data["session"] = self.session
        if self.session.status == TrainingSession.Status.ARCHIVED and not error:
            response.context_data["error"] = str(ARCHIVED_MESSAGE)
        response.context_data["template_url"] = reverse(
            "training:attendance_import_template", args=[self.session.pk]
        )
        return response


class AttendanceTemplateView(SessionAttendanceMixin, ImportTemplateView):
    pass
