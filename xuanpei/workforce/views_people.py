"""Pages of people and certificates: the roster, a person, a certificate and its use cases.

Everything is read through `for_user` (core.views): a person or certificate
outside the user's scope is a 404. Personal data follows `privacy.py`: ID
numbers are masked everywhere; users allowed to see them may unmask one on the
person page, which is audit-logged.

Who may act on a certificate (`certificate_actions`), decided here once:
- 复审 (record a review): district and unit admins for the certificates in their
  scope, and an enterprise's own accounts (填报员, 管理员) for its own people —
  the enterprise holds the reviewed card and is best placed to record it.
- 换证 (renew): district and unit admins only. A new card is the authority's
  act; an enterprise or a department reporter reports it to them.
- 撤销 (revoke), 注销 (cancel): the issuing authority's decision (30号令 Art.
  30–31), so only the admins of the unit named as the certificate's 发证机关, and
  the district admins, who record the decision of an authority outside the
  platform (the city issues most cards). A new town's or a 镇街's admin is not
  offered them on another authority's certificate, and is refused (issue #8 §4).
Read-only users act on nothing. The scope check (`for_user(user, "change")`)
comes on top, so an enterprise only ever reaches its own certificates.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic
from django.views.generic.detail import SingleObjectMixin

from xuanpei.audit.context import request_address
from xuanpei.audit.display import ChangeRow
from xuanpei.audit.timeline import timeline
from xuanpei.core.ordering import PinyinCollate, name_order
from xuanpei.core.permissions import Role, is_district_admin
from xuanpei.core.scoping import reaches
from xuanpei.core.validators import mask_id_number
from xuanpei.core.views import ObjectDetailView, ObjectListView, ScopedViewMixin
from xuanpei.workforce import services
from xuanpei.workforce.choices import COVERING_STATUSES, CertificateState, CertificateStatus
from xuanpei.workforce.forms import PersonFilterSet, RenewForm, ReviewForm, StateForm
from xuanpei.workforce.models import Certificate, Person, Post
from xuanpei.workforce.privacy import (
    can_see_personal_data,
    display_phone,
    log_id_access,
    mask_certificate_number,
)

REVIEW, RENEW, REVOKE, CANCEL = "review", "renew", "revoke", "cancel"
ADMIN_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.UNIT_ADMIN})
ENTERPRISE_REVIEW_ROLES = frozenset({Role.UNIT_ADMIN, Role.REPORTER})

# Status → Bootstrap colour of its badge.
STATUS_COLOURS = {
    CertificateStatus.VALID: "success",
    CertificateStatus.REVIEW_DUE: "warning",
    CertificateStatus.EXPIRING: "warning",
    CertificateStatus.REVIEW_OVERDUE: "danger",
    CertificateStatus.EXPIRED: "danger",
    CertificateStatus.REVOKED: "dark",
    CertificateStatus.CANCELLED: "secondary",
    CertificateStatus.NOT_YET_VALID: "info",
    CertificateStatus.SUPERSEDED: "light",
}
# Personal fields whose audit-log values are never shown on these pages (auditlog
# keeps them half-masked, which would still reveal half an ID number).
HIDDEN_HISTORY_LABELS = {
    str(Person._meta.get_field(f).verbose_name) for f in ("id_number", "phone", "birth_date")
}


def certificate_actions(user) -> frozenset[str]:
    """The certificate use cases `user`'s role allows (see the module docstring)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser or (user.unit_id and user.role in ADMIN_ROLES):
        return frozenset({REVIEW, RENEW, REVOKE, CANCEL})
    if user.enterprise_id and user.role in ENTERPRISE_REVIEW_ROLES:
        return frozenset({REVIEW})
    return frozenset()


def may_end(user, cert: Certificate) -> bool:
    """May `user` revoke or cancel `cert`? Its issuing authority, or the district (see above)."""
    if user.is_superuser or is_district_admin(user):
        return True
    unit = user.unit if user.unit_id and user.role in ADMIN_ROLES else None
    issuer = "".join(cert.issuing_authority.split())
    return unit is not None and bool(issuer) and "".join(unit.name.split()) == issuer


def chosen_day(request) -> date:
    """The day a page speaks of: ?on=YYYY-MM-DD, today when absent or malformed."""
    try:
        return date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return timezone.localdate()


def status_badge(status: CertificateStatus) -> dict:
    return {
        "code": status,
        "label": status.label,
        "colour": STATUS_COLOURS.get(status, "secondary"),
        "covers": status in COVERING_STATUSES,
    }


def history_of(objects, *, user=None, limit: int = 20) -> list[dict]:
    """Audit entries and import-batch rows of `objects` (newest first, `audit.timeline`),
    personal values hidden, ACCESS entries named."""
    return timeline(
        objects,
        limit=limit,
        user=user,
        hidden_labels=HIDDEN_HISTORY_LABELS,
        access_label=_("查看完整身份证号"),
    )


def mask_history_numbers(history: list[dict], person: Person) -> None:
    """Certificate numbers embedding the ID number are masked in history rows as well."""
    for item in history:
        item["object_repr"] = mask_certificate_number(item["object_repr"], person.id_number)
        item["rows"] = [
            ChangeRow(
                r.label,
                mask_certificate_number(r.before, person.id_number),
                mask_certificate_number(r.after, person.id_number),
            )
            for r in item["rows"]
        ]


# The roster --------------------------------------------------------------------------


class PersonListView(ObjectListView):
    """The roster in scope: search, filters, compliance on a day; IDs always masked."""

    queryset = Person.objects.all()
    filterset_class = PersonFilterSet
    template_name = "workforce/person_list.html"
    partial_template_name = "workforce/partials/person_table.html"
    default_ordering = [name_order(), "pk"]

    @property
    def ordering_fields(self) -> dict:
        """Sort keys the user may use. The birth date is read from the ID number, so a
        user who sees IDs masked may not sort by it (the order would reveal it, issue #9
        item 13): the key is unknown to them and the list keeps its default order."""
        fields = {"name": PinyinCollate("name"), "updated": "updated_at"}
        if can_see_personal_data(self.request.user):
            fields["birth"] = "birth_date"
        return fields

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        filterset = ctx["filterset"]
        on = filterset.day if filterset is not None else timezone.localdate()
        people = list(ctx["object_list"])
        posts = (
            Post.objects.for_user(user)
            .on_duty(on)
            .filter(person__in=people)
            .with_compliance(on)
            .select_related("enterprise", "post_type", "operation_item")
            .order_by("person_id", name_order("enterprise__name"), "post_type__sort_order")
        )
        by_person: dict[int, list] = {}
        for post in posts:
            by_person.setdefault(post.person_id, []).append(post)
        rows = []
        for person in people:
            person_posts = by_person.get(person.pk, [])
            required = [p for p in person_posts if p.post_type.requires_certificate]
            rows.append(
                {
                    "person": person,
                    "id_masked": mask_id_number(person.id_number),
                    "phone": display_phone(person.phone, user),
                    "posts": person_posts,
                    "required": len(required),
                    "uncovered": sum(1 for p in required if not p.is_compliant),
                }
            )
        ctx["rows"] = rows
        # The roster comes in as posts (RosterImportView), so its grant is Post's.
        ctx["can_import_roster"] = reaches(user, Post, "import")
        ctx["on"] = on
        ctx["is_today"] = on == timezone.localdate()
        labels = {"name": _("姓名"), "birth": _("出生日期"), "updated": _("更新时间")}
        ctx["columns"] = [(key, labels[key]) for key in self.ordering_fields]
        return ctx


class PersonDetailView(ObjectDetailView):
    """A person: posts and certificates in scope with their status on a chosen day, history."""

    queryset = Person.objects.all()
    template_name = "workforce/person_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        person, user = self.object, self.request.user
        on = chosen_day(self.request)
        posts = list(
            Post.objects.for_user(user)
            .filter(person=person)
            .with_compliance(on)
            .select_related("enterprise", "post_type", "operation_item__category")
            .order_by("end_date", "-start_date", "pk")
        )
        for post in posts:
            post.on_duty = post.start_date is None or post.start_date <= on
            post.on_duty = post.on_duty and (post.end_date is None or post.end_date >= on)
        certificates = list(
            Certificate.objects.for_user(user)
            .filter(holder=person, is_current=True)
            .select_related("kind", "operation_item__category", "enterprise", "previous")
            .prefetch_related("kind__post_types")
        )
        cert_rows = []
        for cert in certificates:
            versions = cert.versions()
            # On a past day the version in force then speaks, not today's.
            in_force = _version_on(versions, on) or cert
            cert_rows.append(
                {
                    "cert": cert,
                    "number": mask_certificate_number(cert.number, person.id_number),
                    "status": status_badge(in_force.status_on(on)),
                    "versions": len(versions),
                }
            )
        ctx.update(
            person=person,
            on=on,
            is_today=on == timezone.localdate(),
            id_masked=mask_id_number(person.id_number),
            phone=display_phone(person.phone, user),
            can_see_personal_data=can_see_personal_data(user),
            posts=posts,
            certificates=cert_rows,
        )
        history = history_of([person, *posts, *certificates], user=user)
        mask_history_numbers(history, person)
        ctx["history"] = history
        return ctx


def _version_on(versions: list[Certificate], on: date):
    """The version of a certificate that applied on `on` (None before the first one)."""
    for version in versions:  # newest first
        if version.effective_from <= on:
            return version
    return None


class PersonIdNumberView(ScopedViewMixin, SingleObjectMixin, generic.View):
    """查看完整身份证号: the whole ID number of one person, each view audit-logged (htmx POST).

    Refused (403) to roles that may not see personal data, before the person is
    even looked up; a person outside scope is a 404.
    """

    queryset = Person.objects.all()
    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_see_personal_data(request.user):
            raise PermissionDenied(_("您的角色不能查看完整身份证号"))
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        person = self.get_object()
        log_id_access(request.user, [person], via="page", remote_addr=request_address(request))
        ctx = {"person": person, "id_number": person.id_number}
        if self.is_htmx_partial():
            response = render(request, "workforce/partials/person_id_number.html", ctx)
        else:
            response = render(request, "workforce/person_id_number.html", ctx)
        # A disclosed number must not linger in shared caches or the back-button cache.
        response["Cache-Control"] = "no-store"
        return response


# Certificates --------------------------------------------------------------------------


class CertificateDetailView(ObjectDetailView):
    """A certificate: every version with its status on the chosen day, its reviews, history."""

    queryset = Certificate.objects.select_related(
        "holder", "kind", "operation_item__category", "enterprise", "previous"
    )
    template_name = "workforce/certificate_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cert, user = self.object, self.request.user
        on = chosen_day(self.request)
        id_number = cert.holder.id_number
        versions = cert.versions()
        # A newer version than the one asked for: show the whole chain from the newest.
        newer = []
        probe = cert
        while True:
            successor = (
                Certificate.objects.for_user(user, "view")
                .filter(previous=probe)
                .select_related("kind")
                .first()
            )
            if successor is None:
                break
            newer.append(successor)
            probe = successor
        chain = list(reversed(newer)) + versions
        rows = [
            {
                "cert": v,
                "number": mask_certificate_number(v.number, id_number),
                "status": status_badge(v.status_on(on)),
                "is_self": v.pk == cert.pk,
            }
            for v in chain
        ]
        allowed = certificate_actions(user) if cert.is_current else frozenset()
        ctx.update(
            certificate=cert,
            on=on,
            is_today=on == timezone.localdate(),
            number=mask_certificate_number(cert.number, id_number),
            status=status_badge(cert.status_on(on)),
            versions=rows,
            reviews=[v for v in chain if v.last_review_date][:20],
            current=chain[0],
            can_view_holder=Person.objects.all().in_scope(user, cert.holder_id),
            actions=_open_actions(cert, allowed, may_end(user, cert))
            if ctx["can_change"]
            else set(),
            active=cert.state == CertificateState.ACTIVE,
        )
        history = history_of(chain, user=user)
        mask_history_numbers(history, cert.holder)
        ctx["history"] = history
        return ctx


def _open_actions(cert: Certificate, allowed, may_end_it: bool) -> set[str]:
    """The use cases the page offers for this version (the services refuse the rest anyway)."""
    if not may_end_it:
        allowed = allowed - {REVOKE, CANCEL}
    actions = set()
    active = cert.state == CertificateState.ACTIVE
    # A review is recorded against a pending due date; none pending → nothing to review.
    if REVIEW in allowed and active and cert.review_due_date:
        actions.add(REVIEW)
    if RENEW in allowed and active:
        actions.add(RENEW)
    if REVOKE in allowed and active:
        actions.add(REVOKE)
    if CANCEL in allowed and cert.state != CertificateState.CANCELLED:
        actions.add(CANCEL)
    return actions


class CertificateActionView(ScopedViewMixin, SingleObjectMixin, generic.FormView):
    """Base of the review / renew / revoke / cancel pages: a form that calls one service."""

    action = "change"
    queryset = Certificate.objects.select_related("holder", "kind", "enterprise")
    template_name = "workforce/certificate_action.html"
    use_case: str = ""
    title = ""
    submit_label = gettext_lazy("保存")
    danger = False
    success_message = gettext_lazy("已保存")

    def dispatch(self, request, *args, **kwargs):
        # The role decides before any lookup: the same answer for every certificate.
        if request.user.is_authenticated and self.use_case not in certificate_actions(request.user):
            raise PermissionDenied(_("您的角色不能办理此业务"))
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, queryset=None):
        cert = super().get_object(queryset)
        # In scope, but not this user's to end: the issuing authority decides.
        if self.use_case in (REVOKE, CANCEL) and not may_end(self.request.user, cert):
            raise PermissionDenied(
                _("撤销、注销由发证机关（%(a)s）办理，请向发证机关报告")
                % {"a": cert.issuing_authority or _("未登记")}
            )
        return cert

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(instance=self.object, user=self.request.user)
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cert = self.object
        ctx.update(
            certificate=cert,
            number=mask_certificate_number(cert.number, cert.holder.id_number),
            status=status_badge(cert.status),
            title=self.title,
            submit_label=self.submit_label,
            danger=self.danger,
        )
        return ctx

    def run(self, form) -> Certificate:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            result = self.run(form)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        url = reverse("workforce:certificate_detail", args=[result.pk])
        if getattr(self.request, "htmx", None):
            response = HttpResponse(status=204)
            response["HX-Location"] = url
            return response
        return HttpResponseRedirect(url)


class CertificateReviewView(CertificateActionView):
    form_class = ReviewForm
    use_case = REVIEW
    title = gettext_lazy("登记复审")
    submit_label = gettext_lazy("登记复审")
    success_message = gettext_lazy("复审已登记，证书已生成新版本")

    def run(self, form):
        return services.record_review(
            self.object,
            actor=self.request.user,
            review_date=form.cleaned_data["review_date"],
            interval_years=form.cleaned_data["interval_years"],
            consent_by=form.cleaned_data.get("consent_by", ""),
            consent_ref=form.cleaned_data.get("consent_ref", ""),
        )


class CertificateRenewView(CertificateActionView):
    form_class = RenewForm
    use_case = RENEW
    title = gettext_lazy("换证 / 延期复审")
    submit_label = gettext_lazy("登记新证")
    success_message = gettext_lazy("新证已登记，原证书保留在历史版本中")

    def run(self, form):
        return services.renew_certificate(
            self.object, actor=self.request.user, **form.service_kwargs()
        )


class CertificateRevokeView(CertificateActionView):
    form_class = StateForm
    use_case = REVOKE
    title = gettext_lazy("撤销证书")
    submit_label = gettext_lazy("确认撤销")
    danger = True
    success_message = gettext_lazy("证书已撤销")

    def run(self, form):
        data = form.cleaned_data
        return services.revoke_certificate(
            self.object, actor=self.request.user, reason=data["reason"], on=data["on"]
        )


class CertificateCancelView(CertificateRevokeView):
    use_case = CANCEL
    title = gettext_lazy("注销证书")
    submit_label = gettext_lazy("确认注销")
    success_message = gettext_lazy("证书已注销")

    def run(self, form):
        data = form.cleaned_data
        return services.cancel_certificate(
            self.object, actor=self.request.user, reason=data["reason"], on=data["on"]
        )
