"""The integrity review queue (打击假冒证件, issue #3 §4): district admins only.

Flags name people and certificates across the whole district, so the queue is
the district's alone: any other user gets 403 on every page, before any lookup.
Decisions go through `integrity.resolve_flag` / `dismiss_flag`, with a reason.
"""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanpei.core.permissions import is_district_admin
from xuanpei.core.scoping import UserScope
from xuanpei.core.views import ObjectDetailView, ObjectListView
from xuanpei.workforce import integrity
from xuanpei.workforce.choices import IntegrityKind, IntegrityStatus
from xuanpei.workforce.forms import FlagDecisionForm
from xuanpei.workforce.models import IntegrityFlag
from xuanpei.workforce.privacy import mask_certificate_number


def may_review_flags(user) -> bool:
    """District admins (whose scope is the whole district) and superusers."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or (is_district_admin(user) and UserScope.of(user).everything)


class DistrictOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_review_flags(request.user):
            raise PermissionDenied(_("核查线索仅区安委办管理员可以查看和处理"))
        return super().dispatch(request, *args, **kwargs)


class IntegrityFlagFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("类型"),
        choices=IntegrityKind.choices,
        empty_label=gettext_lazy("全部类型"),
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("状态"),
        choices=IntegrityStatus.choices,
        empty_label=gettext_lazy("全部状态"),
    )
    q = django_filters.CharFilter(label=gettext_lazy("姓名或证书编号"), method="search")

    class Meta:
        model = IntegrityFlag
        fields = ["kind", "status", "q"]

    def __init__(self, data=None, *args, request=None, **kwargs):
        # Open flags first: the queue's default view is the work still to do.
        if data is None:
            data = {"status": IntegrityStatus.OPEN}
        super().__init__(data, *args, request=request, **kwargs)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(person__name__icontains=value) | queryset.filter(key=value.upper())


def describe(flag: IntegrityFlag) -> str:
    """One line on what the checks found, with numbers embedding an ID masked."""
    d = flag.details or {}
    id_number = flag.person.id_number
    number = mask_certificate_number(d.get("number", flag.key), id_number)
    kind = flag.kind
    if kind == IntegrityKind.DUPLICATE_NUMBER:
        others = "、".join(o.get("name", "") for o in d.get("others", []))
        return _("证书编号 %(n)s 同时登记在 %(others)s 名下") % {"n": number, "others": others}
    if kind == IntegrityKind.MULTIPLE_EMPLOYERS:
        names = "、".join(e.get("name", "") for e in d.get("enterprises", []))
        return _("%(on)s 同时在 %(names)s 在岗") % {"on": d.get("on", ""), "names": names}
    if kind == IntegrityKind.NUMBER_MISMATCH:
        return _("证书编号 %(n)s 不是“T+身份证号”") % {"n": number}
    if kind == IntegrityKind.ISSUED_UNDER_18:
        return _("证书 %(n)s 发证日期 %(d)s，持证人当时未满18周岁") % {
            "n": number,
            "d": d.get("first_issue_date") or d.get("issue_date", ""),
        }
    if kind == IntegrityKind.ISSUED_AFTER_EXPIRY:
        return _("证书 %(n)s 发证日期 %(d)s 晚于有效期至 %(u)s") % {
            "n": number,
            "d": d.get("issue_date", ""),
            "u": d.get("valid_until", ""),
        }
    return number


class IntegrityFlagListView(DistrictOnlyMixin, ObjectListView):
    queryset = IntegrityFlag.objects.select_related("person", "enterprise", "certificate")
    filterset_class = IntegrityFlagFilterSet
    template_name = "workforce/integrity_list.html"
    partial_template_name = "workforce/partials/integrity_table.html"
    default_ordering = ["status", "-detected_on", "pk"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = [{"flag": f, "text": describe(f)} for f in ctx["object_list"]]
        ctx["open_count"] = (
            IntegrityFlag.objects.for_user(self.request.user, "view")
            .filter(status=IntegrityStatus.OPEN)
            .count()
        )
        return ctx


class IntegrityFlagDetailView(DistrictOnlyMixin, ObjectDetailView):
    """One flag, and the form to resolve or dismiss it (POST here)."""

    queryset = IntegrityFlag.objects.select_related(
        "person", "enterprise", "certificate", "reviewed_by"
    )
    template_name = "workforce/integrity_detail.html"

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        flag = self.object
        ctx["text"] = describe(flag)
        ctx["form"] = form or FlagDecisionForm()
        ctx["is_open"] = flag.status == IntegrityStatus.OPEN
        return ctx

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = FlagDecisionForm(request.POST)
        if form.is_valid():
            decide = (
                integrity.resolve_flag
                if form.cleaned_data["decision"] == FlagDecisionForm.RESOLVE
                else integrity.dismiss_flag
            )
            try:
                decide(self.object, actor=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, _("已记录处理结果"))
                return HttpResponseRedirect(reverse("workforce:integrityflag_list"))
        return self.render_to_response(self.get_context_data(form=form))
