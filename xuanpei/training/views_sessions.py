"""Pages of training sessions (issue #12 §2, the organiser's side of §3): the list and its
export, add/edit/detail/delete, the status actions, the roster, attendance, exam results
and files.

Generic scoped views (core.views): a session outside the user's scope is a 404; the use
cases (`services_sessions`) decide what may happen (403 with the reason, or a Chinese
ValidationError shown on the page). Actions are POSTs; their GET goes back to the
session's page.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import generic
from django.views.generic.detail import SingleObjectMixin

from xuanpei.audit.timeline import timeline
from xuanpei.core import uploads
from xuanpei.core.exports import Exporter, ObjectExportView, xlsx_response
from xuanpei.core.permissions import has_action
from xuanpei.core.validators import mask_id_number
from xuanpei.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    ScopedViewMixin,
)
from xuanpei.training import services_sessions as svc
from xuanpei.training.filters import SessionFilterSet
from xuanpei.training.forms_sessions import (
    CertifyForm,
    CorrectHoursForm,
    EnrolByPostForm,
    FileUploadForm,
    SessionForm,
)
from xuanpei.training.models import Attendance, Enrolment, SessionFile, TrainingSession
from xuanpei.workforce.models import Certificate, Person

STATUS_COLOURS = {
    TrainingSession.Status.DRAFT: "secondary",
    TrainingSession.Status.HELD: "success",
    TrainingSession.Status.ARCHIVED: "dark",
}
SEARCH_LIMIT = 30


def detail_url(session) -> str:
    return reverse("training:session_detail", args=[session.pk])


def _decorate(session: TrainingSession) -> TrainingSession:
    session.status_colour = STATUS_COLOURS.get(session.status, "secondary")
    return session


# List and export ------------------------------------------------------------------------


class SessionListView(ObjectListView):
    """培训班次: the sessions in scope, filtered (year, kind, status, unit subtree, task, q)."""

    queryset = TrainingSession.objects.select_related("unit", "enterprise", "task__plan")
    filterset_class = SessionFilterSet
    template_name = "training/session_list.html"
    default_ordering = ["-starts_at", "-pk"]
    ordering_fields = {"starts_at": "starts_at", "hours": "hours"}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        for session in ctx["object_list"]:
            _decorate(session)
        return ctx


class SessionExporter(Exporter):
    name = "training-sessions"
    label = _("培训班次")
    model = TrainingSession
    headers = [
        "培训名称",
        "培训类型",
        "组织单位",
        "组织企业",
        "计划任务",
        "开始时间",
        "结束时间",
        "学时",
        "地点",
        "线上",
        "授课人",
        "合作单位",
        "培训对象",
        "计划人数",
        "名单人数",
        "签到人数",
        "状态",
    ]

    def prepare(self, qs):
        return qs.select_related("unit", "enterprise", "task__plan").annotate(
            n_roster=Count("roster", distinct=True), n_present=Count("attendances", distinct=True)
        )

    def row(self, obj) -> list:
        task = f"{obj.task.plan.year}年 {obj.task.number} {obj.task.title}" if obj.task else ""
        return [
            obj.title,
            obj.get_kind_display(),
            obj.unit.name,
            obj.enterprise.name if obj.enterprise else "",
            task,
            timezone.localtime(obj.starts_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(obj.ends_at).strftime("%Y-%m-%d %H:%M"),
            obj.hours,
            obj.place,
            "是" if obj.online else "否",
            obj.teacher,
            obj.partner,
            obj.audience,
            obj.planned_headcount,
            obj.n_roster,
            obj.n_present,
            obj.get_status_display(),
        ]


class SessionExportView(ObjectExportView):
    queryset = SessionListView.queryset
    filterset_class = SessionFilterSet
    ordering_fields = SessionListView.ordering_fields
    default_ordering = SessionListView.default_ordering

    def get(self, request, *args, **kwargs):
        exporter = SessionExporter(user=request.user)
        qs = self.get_queryset()
        return xlsx_response(lambda fh: exporter.write(qs, fh), exporter.filename())


# Add, edit, detail, delete ----------------------------------------------------------------


class SessionEditMixin:
    form_class = SessionForm
    template_name = "training/session_form.html"

    def save_form(self, form):
        session = form.save(commit=False)
        try:
            return svc.save_session(session, actor=self.request.user)
        except ValidationError as exc:
            if session.pk is None:
                session.id = None
            form.add_service_error(exc)
            raise _FormInvalid from exc

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except _FormInvalid:
            return self.form_invalid(form)

    def get_success_url(self):
        return detail_url(self.object)


class _FormInvalid(Exception):
    """The service refused the form's data (its errors are on the form)."""


class SessionCreateView(SessionEditMixin, ObjectCreateView):
    queryset = TrainingSession.objects.all()
    success_message = _("培训班次已保存")


class SessionUpdateView(SessionEditMixin, ObjectUpdateView):
    queryset = TrainingSession.objects.select_related("unit", "enterprise")
    success_message = _("培训班次已保存")

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if obj.status == TrainingSession.Status.ARCHIVED:
            raise PermissionDenied(_("该培训班次已归档，不能再修改"))
        return obj


class SessionDetailView(ObjectDetailView):
    queryset = TrainingSession.objects.select_related(
        "unit", "enterprise", "task__plan", "institution", "created_by"
    )
    template_name = "training/session_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        session, user = _decorate(self.object), self.request.user
        roster = list(session.roster.select_related("person", "certificate").order_by("pk"))
        attendances = {
            a.person_id: a for a in session.attendances.select_related("person").order_by("pk")
        }
        rows = [(e, attendances.pop(e.person_id, None)) for e in roster]
        rows += [(None, a) for a in attendances.values()]  # present without a roster row
        files = list(session.files.all())
        may_change = svc.can_change(user, session)
        ctx.update(
            roster=roster,
            rows=rows,
            present=sum(1 for _e, a in rows if a is not None),
            photos=[f for f in files if f.kind == uploads.IMAGE],
            attachments=[f for f in files if f.kind != uploads.IMAGE],
            may_change=may_change,
            may_delete=svc.can_delete(user, session),
            may_mark_held=may_change and session.status == TrainingSession.Status.DRAFT,
            may_archive=may_change and session.status == TrainingSession.Status.HELD,
            has_scores=any(e.exam_score is not None or e.passed is not None for e in roster),
            may_certify=session.kind == TrainingSession.Kind.CERTIFICATION
            and session.status != TrainingSession.Status.DRAFT
            and has_action(user, Certificate, "add")
            and has_action(user, Certificate, "change"),
            history=timeline([session], user=user, limit=20),
        )
        if may_change:
            q = self.request.GET.get("q", "").strip()
            ctx["q"] = q
            if q:
                on_roster = {e.person_id for e in roster}
                found = svc.enrollable_people(user).filter(
                    Q(name__icontains=q) | Q(id_number__iexact=q)
                )
                ctx["found"] = [
                    (p, p.pk in on_roster, mask_id_number(p.id_number))
                    for p in found.order_by("name", "pk")[:SEARCH_LIMIT]
                ]
            ctx["post_form"] = EnrolByPostForm(user=user)
            ctx["upload_form"] = FileUploadForm()
            ctx["accept"] = uploads.ACCEPT
        return ctx


class SessionDeleteView(ScopedViewMixin, SingleObjectMixin, generic.TemplateView):
    """删除 a draft nobody attended (a confirm page)."""

    queryset = TrainingSession.objects.all()
    action = "delete"
    template_name = "training/session_confirm_delete.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["may_delete"] = svc.can_delete(self.request.user, self.object)
        ctx["errors"] = getattr(self, "errors", [])
        return ctx

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            svc.delete_session(self.object, actor=request.user)
        except ValidationError as exc:
            self.errors = exc.messages
            return self.render_to_response(self.get_context_data())
        messages.success(request, _("培训班次已删除"))
        return HttpResponseRedirect(reverse("training:session_list"))


# Actions (POST) ---------------------------------------------------------------------------


class SessionActionView(ScopedViewMixin, SingleObjectMixin, generic.View):
    """A POST on one row (a session, or a row of one); GET goes to the session's page.
    A refusal is shown as a message on that page."""

    queryset = TrainingSession.objects.all()
    action = "change"
    http_method_names = ["get", "post", "head"]

    def session_of(self, obj):
        return obj if isinstance(obj, TrainingSession) else obj.session

    def get(self, request, *args, **kwargs):
        return HttpResponseRedirect(detail_url(self.session_of(self.get_object())))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            message = self.run(request, self.object)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            if message:
                messages.success(request, message)
        return HttpResponseRedirect(self.success_url(self.session_of(self.object)))

    def success_url(self, session) -> str:
        return detail_url(session)

    def run(self, request, obj) -> str:
        raise NotImplementedError


class SessionMarkHeldView(SessionActionView):
    def run(self, request, session):
        svc.mark_held(session, actor=request.user)
        return _("已标记为已举办")


class SessionArchiveMarkView(SessionActionView):
    def run(self, request, session):
        svc.archive(session, actor=request.user)
        return _("培训班次已归档，此后不能再修改")


def _picked_people(request, people):
    """People named by `person` in the POST, among `people`."""
    ids = [v for v in request.POST.getlist("person") if v.isdigit()]
    return list(people.filter(pk__in=ids))


class SessionEnrolView(SessionActionView):
    """Enrol the people ticked among the search results."""

    def run(self, request, session):
        people = _picked_people(request, svc.enrollable_people(request.user))
        if not people:
            raise ValidationError(_("请勾选要加入名单的人员"))
        added = svc.enrol_people(session, people, actor=request.user)
        return _("已加入名单 %(n)d 人（已在名单上的不重复添加）") % {"n": added}

    def success_url(self, session):
        return detail_url(session) + "#roster"


class SessionEnrolBulkView(SessionActionView):
    """Enrol by post and scope (every grid officer of a unit subtree …)."""

    def run(self, request, session):
        form = EnrolByPostForm(request.POST, user=request.user)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        added = svc.enrol_by_post(session, actor=request.user, scope=form.scope())
        return _("已按岗位加入名单 %(n)d 人（已在名单上的不重复添加）") % {"n": added}

    def success_url(self, session):
        return detail_url(session) + "#roster"


class SessionUnenrolView(SessionActionView):
    queryset = Enrolment.objects.select_related("session", "person")

    def run(self, request, enrolment):
        svc.unenrol(enrolment, actor=request.user)
        return _("已将%(name)s移出名单") % {"name": enrolment.person.name}

    def success_url(self, session):
        return detail_url(session) + "#roster"


class SessionMarkPresentView(SessionActionView):
    """The organiser ticks roster people present (credited the session's hours)."""

    def run(self, request, session):
        people = _picked_people(
            request, Person.objects.filter(training_enrolments__session=session)
        )
        if not people:
            raise ValidationError(_("请勾选到场的人员"))
        done = svc.mark_present(session, people, actor=request.user)
        return _("已登记到场 %(n)d 人") % {"n": len(done)}

    def success_url(self, session):
        return detail_url(session) + "#attendance"


class SessionFileUploadView(SessionActionView):
    def run(self, request, session):
        form = FileUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        stored = svc.add_files(
            session,
            form.cleaned_data["files"],
            purpose=form.cleaned_data["purpose"],
            actor=request.user,
        )
        return _("已上传 %(n)d 个文件") % {"n": len(stored)}

    def success_url(self, session):
        return detail_url(session) + "#files"


class SessionFileDeleteView(SessionActionView):
    queryset = SessionFile.objects.select_related("session")

    def run(self, request, item):
        svc.delete_file(item, actor=request.user)
        return _("已删除文件“%(name)s”") % {"name": item.name}

    def success_url(self, session):
        return detail_url(session) + "#files"


# Pages with a form ---------------------------------------------------------------------------


class ObjectFormView(ScopedViewMixin, SingleObjectMixin, generic.FormView):
    """A form about one scoped row (`self.object`, a 404 outside the scope)."""

    action = "change"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)


class AttendanceCorrectView(ObjectFormView):
    """更正学时: the credited hours with a reason (audited)."""

    queryset = Attendance.objects.select_related("session", "person")
    form_class = CorrectHoursForm
    template_name = "training/session_attendance_correct.html"

    def get_initial(self):
        return {"hours": self.object.hours_credited, "reason": self.object.correction_reason}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["attendance"] = self.object
        ctx["session"] = _decorate(self.object.session)
        ctx["may_change"] = svc.can_change(self.request.user, self.object.session)
        return ctx

    def form_valid(self, form):
        try:
            svc.correct_hours(
                self.object,
                hours=form.cleaned_data["hours"],
                reason=form.cleaned_data["reason"],
                actor=self.request.user,
            )
        except ValidationError as exc:
            form.add_service_error(exc)
            return self.form_invalid(form)
        messages.success(self.request, _("认定学时已更正"))
        return HttpResponseRedirect(detail_url(self.object.session) + "#attendance")


class ScoreForm(forms.ModelForm):
    PASSED_CHOICES = [("", "—"), ("true", _("合格")), ("false", _("不合格"))]

    exam_score = forms.CharField(label=_("考试成绩"), required=False, max_length=10)
    passed = forms.TypedChoiceField(
        label=_("考试合格"),
        choices=PASSED_CHOICES,
        required=False,
        coerce=lambda v: {"true": True, "false": False}.get(v),
        empty_value=None,
    )

    class Meta:
        model = Enrolment
        fields = ["exam_score", "passed"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        passed = self.instance.passed
        self.initial["passed"] = "" if passed is None else ("true" if passed else "false")
        self.fields["exam_score"].widget.attrs.update(
            {"class": "form-control form-control-sm", "inputmode": "decimal"}
        )
        self.fields["passed"].widget.attrs["class"] = "form-select form-select-sm"


ScoreFormSet = forms.modelformset_factory(Enrolment, form=ScoreForm, extra=0, can_delete=False)


class SessionScoresView(ScopedViewMixin, SingleObjectMixin, generic.TemplateView):
    """考试成绩: one row per roster person; saved through the service (all or nothing)."""

    queryset = TrainingSession.objects.select_related("unit", "enterprise")
    action = "change"
    template_name = "training/session_scores.html"

    def formset(self, data=None):
        qs = self.object.roster.select_related("person").order_by("pk")
        return ScoreFormSet(data, queryset=qs, prefix="scores")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(formset=self.formset()))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["session"] = _decorate(self.object)
        ctx["may_change"] = svc.can_change(self.request.user, self.object)
        ctx.setdefault("errors", [])
        return ctx

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        formset = self.formset(request.POST)
        if not formset.is_valid():
            return self.render_to_response(self.get_context_data(formset=formset))
        rows = [
            (f.instance, f.cleaned_data.get("exam_score"), f.cleaned_data.get("passed"))
            for f in formset.forms
        ]
        # The formset wrote the typed values onto the instances: the service compares
        # against the stored ones.
        stored = {e.pk: e for e in self.object.roster.select_related("person")}
        rows = [(stored[e.pk], score, passed) for e, score, passed in rows if e.pk in stored]
        try:
            changed = svc.set_scores(self.object, rows, actor=request.user)
        except ValidationError as exc:
            return self.render_to_response(
                self.get_context_data(formset=formset, errors=exc.messages)
            )
        messages.success(request, _("已保存考试成绩（%(n)d 人有变化）") % {"n": changed})
        return HttpResponseRedirect(detail_url(self.object) + "#scores")


# Files -----------------------------------------------------------------------------------


class SessionFileView(ScopedViewMixin, SingleObjectMixin, generic.View):
    """A photo or material under its original name; photos open in the browser."""

    queryset = SessionFile.objects.all()
    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        return uploads.stored_file_response(self.get_object())


class SessionThumbnailView(ScopedViewMixin, SingleObjectMixin, generic.View):
    queryset = SessionFile.objects.all()
    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        return uploads.thumbnail_response(self.get_object())


class EnrolmentCertifyView(ObjectFormView):
    """据此发证/复审 (a confirm page): a passed trainee of a certification course gets a
    certificate or a review in the workforce app once an authorised user confirms it."""

    queryset = Enrolment.objects.select_related("session", "person", "certificate")
    form_class = CertifyForm
    template_name = "training/session_certify.html"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "person": self.object.person,
        }

    def get_initial(self):
        return {"on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["enrolment"] = self.object
        ctx["session"] = _decorate(self.object.session)
        ctx["refusal"] = svc.certify_refusal(self.request.user, self.object)
        return ctx

    def form_valid(self, form):
        try:
            certificate = svc.certify_enrolment(
                self.object, actor=self.request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            form.add_service_error(exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("已据此登记证书（编号%(n)s）") % {"n": certificate.number},
        )
        return HttpResponseRedirect(detail_url(self.object.session) + "#scores")
