"""Compliance pages (issue #3 §3): the 持证率 dashboard, its drill-down and the due lists.

Every number comes from `workforce.compliance`, which reads through `for_user`:
an enterprise user sees only its enterprise, a department the enterprises it
supervises, a unit its subtree. A drill-down to a unit or an enterprise outside
scope is a 404.

No page computes snapshot days (issue #14 item 2): a missing day is read from the last
snapshot day before it, said on the page ("数据截至 …"), and queued for a background
refresh (`compliance.page_reading`, `trend(inline=False)`).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import generic

from xuanpei.core.exports import write_xlsx, xlsx_response
from xuanpei.core.permissions import has_action
from xuanpei.core.scoping import UserScope
from xuanpei.core.validators import mask_id_number
from xuanpei.core.views import ObjectListView, ScopedViewMixin
from xuanpei.orgs.models import Enterprise, Unit
from xuanpei.workforce import compliance
from xuanpei.workforce.filters import CertificateFilterSet
from xuanpei.workforce.models import Certificate, CertificateKind, ComplianceSnapshot
from xuanpei.workforce.privacy import mask_certificate_number

TARGET_RATE = 100  # the plan's target: 100% 持证上岗 (issue #3 "Why")
RANKING_PER_PAGE = 20
UNCERTIFIED_PER_PAGE = 25
# The date picker accepts days from here on: certificates before 2000 are not kept.
EARLIEST_DAY = date(2000, 1, 1)


def chosen_day(request) -> date:
    """The `on` query parameter (YYYY-MM-DD), or today; a bad value says so and uses today."""
    today = timezone.localdate()
    raw = (request.GET.get("on") or "").strip()
    if not raw:
        return today
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        messages.warning(request, _("日期“%(v)s”格式不正确，已显示今天的数据") % {"v": raw[:20]})
        return today
    if day < EARLIEST_DAY or day > today + timedelta(days=366):
        messages.warning(request, _("日期超出可查询范围，已显示今天的数据"))
        return today
    return day


def _on_query(on: date) -> str:
    return "" if on == timezone.localdate() else f"?on={on:%Y-%m-%d}"


def _rate_class(rate: float | None) -> str:
    if rate is None:
        return "text-muted"
    if rate >= TARGET_RATE:
        return "text-success"
    return "text-warning" if rate >= 90 else "text-danger"


def _chart(rows, *, with_urls: bool = False) -> dict:
    return {
        "labels": [r.label for r in rows],
        "rates": [r.rate for r in rows],
        "required": [r.required for r in rows],
        "compliant": [r.compliant for r in rows],
        "urls": [r.url for r in rows] if with_urls else [],
        "target": TARGET_RATE,
    }


class ComplianceContextMixin:
    """Context shared by the dashboard and the unit drill-down (same page, another root)."""

    def compliance_context(self, *, unit: Unit | None) -> dict:
        request = self.request
        user = request.user
        on = chosen_day(request)
        reading = compliance.page_reading(on, user=user)
        # The numbers are of the day read (the asked one, or the last snapshot day).
        day, source = reading.day, reading.source
        depth = compliance.group_depth_for(user, unit)
        if depth:
            summary = compliance.compliance_summary(
                user, day, "unit", unit=unit, depth=depth, source=source
            )
            q = _on_query(on)
            for row in summary.rows:
                if not row.extra["own_level"]:
                    row.url = reverse("workforce:compliance_unit", args=[row.key]) + q
        else:
            summary = compliance.compliance_summary(user, day, unit=unit, source=source)
        sectors = compliance.compliance_summary(user, day, "sector", unit=unit, source=source)
        scope = UserScope.of(user)
        departments = None
        if unit is None and scope.everything:
            departments = compliance.compliance_summary(user, day, "department", source=source).rows
        trend = compliance.trend(user, on, unit=unit, inline=False)
        due = compliance.due_counts(user, unit=unit)  # from today: what the list shows
        ranking = compliance.ranking_page(
            user,
            day,
            unit=unit,
            source=source,
            number=request.GET.get("page"),
            per_page=RANKING_PER_PAGE,
        )
        ranked = compliance.attach_enterprises(ranking.object_list)
        q = _on_query(on)
        for r in ranked:
            r["url"] = reverse("workforce:compliance_enterprise", args=[r["enterprise_id"]]) + q
        level_label = {compliance.DEPTH_NEW_TOWN: _("新城"), compliance.DEPTH_TOWN: _("镇街")}
        return {
            "on": on,
            "today": timezone.localdate(),
            "is_today": on == timezone.localdate(),
            "source": source,
            "reading": reading,
            "unit": unit,
            "summary": summary,
            "rate_class": _rate_class(summary.rate),
            "target": TARGET_RATE,
            "group_label": level_label.get(depth, ""),
            "unit_rows": summary.rows if depth else [],
            "unit_chart": _chart(summary.rows, with_urls=True) if depth else None,
            "sector_rows": sectors.rows,
            "sector_chart": _chart(sectors.rows),
            "department_rows": departments,
            "trend_chart": _chart(trend),
            "due": due,
            "due_days": compliance.DEFAULT_WINDOW_DAYS,
            "ranking_page": ranking,
            "ranked": ranked,
            "due_url": reverse("workforce:certificates_due")
            + (f"?unit={unit.pk}" if unit is not None else ""),
        }


class ComplianceDashboardView(LoginRequiredMixin, ComplianceContextMixin, generic.TemplateView):
    """持证率 of the reader's whole scope; an enterprise account goes to its own page."""

    template_name = "workforce/compliance_dashboard.html"

    def get(self, request, *args, **kwargs):
        scope = UserScope.of(request.user)
        if scope.enterprise_id:
            url = reverse("workforce:compliance_enterprise", args=[scope.enterprise_id])
            query = request.GET.urlencode()
            return HttpResponseRedirect(f"{url}?{query}" if query else url)
        if not has_action(request.user, ComplianceSnapshot, "view"):
            raise Http404
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        scope = UserScope.of(user)
        unit = None if scope.everything or scope.department_id else user.unit
        ctx.update(self.compliance_context(unit=unit))
        ctx["title"] = _("持证率")
        ctx["scope_name"] = user.unit.name if user.unit_id and not scope.everything else _("全区")
        return ctx


def visible_unit(user, pk) -> Unit:
    """A territorial unit the user may drill into, or 404.

    Units of the user's subtree; for a department, also the units that hold an
    enterprise it supervises (it sees those enterprises, so their places).
    """
    unit = Unit.objects.territorial().for_user(user, "view").filter(pk=pk).first()
    if unit is not None:
        return unit
    scope = UserScope.of(user)
    if scope.department_id:
        unit = Unit.objects.territorial().filter(pk=pk).first()
        if (
            unit is not None
            and Enterprise.objects.for_user(user, "view")
            .filter(unit__path__startswith=unit.path)
            .exists()
        ):
            return unit
    raise Http404


class ComplianceUnitView(ScopedViewMixin, ComplianceContextMixin, generic.TemplateView):
    """Drill-down: a new town's 镇街, or a 镇街's enterprises ranked by 持证率."""

    queryset = Unit.objects.territorial()
    template_name = "workforce/compliance_dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        unit = visible_unit(self.request.user, self.kwargs["pk"])
        ctx.update(self.compliance_context(unit=unit))
        ctx["title"] = _("%(name)s持证率") % {"name": unit.name}
        ctx["scope_name"] = unit.name
        ctx["breadcrumbs"] = _unit_breadcrumbs(self.request.user, unit, ctx["on"])
        return ctx


def _unit_breadcrumbs(user, unit: Unit, on: date) -> list[dict]:
    """Links up the tree for the units the user may open (one query)."""
    paths = [unit.path[:i] for i in range(Unit.steplen * 2, len(unit.path) + 1, Unit.steplen)]
    visible = {
        u.path: u for u in Unit.objects.territorial().for_user(user, "view").filter(path__in=paths)
    }
    q = _on_query(on)
    crumbs = []
    for path in paths[:-1]:
        u = visible.get(path)
        if u is not None:
            crumbs.append(
                {"label": u.name, "url": reverse("workforce:compliance_unit", args=[u.pk]) + q}
            )
    return crumbs


class ComplianceEnterpriseView(ScopedViewMixin, generic.DetailView):
    """One enterprise: its 持证率, trend and the named people working uncertified."""

    queryset = Enterprise.objects.select_related("unit", "sector")
    template_name = "workforce/compliance_enterprise.html"
    context_object_name = "enterprise"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        enterprise = self.object
        on = chosen_day(self.request)
        reading = compliance.page_reading(on, user=user)
        summary = compliance.compliance_summary(
            user, reading.day, enterprise=enterprise, source=reading.source
        )
        posts = Paginator(
            compliance.uncertified_posts(user, on, enterprise=enterprise), UNCERTIFIED_PER_PAGE
        ).get_page(self.request.GET.get("page"))
        ctx.update(
            {
                "on": on,
                "today": timezone.localdate(),
                "is_today": on == timezone.localdate(),
                "reading": reading,
                "source": reading.source,
                "summary": summary,
                "rate_class": _rate_class(summary.rate),
                "target": TARGET_RATE,
                "is_open": enterprise.is_active
                or (enterprise.closed_at is not None and enterprise.closed_at > on),
                "trend_chart": _chart(
                    compliance.trend(user, on, enterprise=enterprise, inline=False)
                ),
                "due": compliance.due_counts(user, enterprise=enterprise),
                "due_days": compliance.DEFAULT_WINDOW_DAYS,
                "due_url": reverse("workforce:certificates_due") + f"?enterprise={enterprise.pk}",
                "posts_page": posts,
                "uncertified": compliance.explain_uncertified(posts.object_list, on),
                "breadcrumbs": _unit_breadcrumbs(user, enterprise.unit, on)
                + _own_unit_crumb(user, enterprise.unit, on),
                "dashboard_url": reverse("workforce:compliance_dashboard") + _on_query(on),
            }
        )
        return ctx


def _own_unit_crumb(user, unit: Unit, on: date) -> list[dict]:
    if Unit.objects.territorial().for_user(user, "view").filter(pk=unit.pk).exists():
        url = reverse("workforce:compliance_unit", args=[unit.pk]) + _on_query(on)
        return [{"label": unit.name, "url": url}]
    return []


# Certificates due for review or expiring ---------------------------------------------------


def _kind_rules() -> dict:
    """Each kind's rules once (their post types included), for a page or an export."""
    return {k.pk: k.rules() for k in CertificateKind.objects.prefetch_related("post_types")}


def due_rows(certificates, on: date, kinds: dict) -> list[dict]:
    """Display values of due certificates: masked numbers and IDs, the status and days left."""
    rows = []
    for cert in certificates:
        cert.kind._rules_cache = kinds[cert.kind_id]
        status = cert.status_on(on)
        review_left = (cert.review_due_date - on).days if cert.review_due_date else None
        expiry_left = (cert.valid_until - on).days
        if review_left is not None and review_left >= 0 and review_left <= expiry_left:
            what, left = _("复审"), review_left
        else:
            what, left = _("到期"), expiry_left
        rows.append(
            {
                "cert": cert,
                "number": mask_certificate_number(cert.number, cert.holder.id_number),
                "holder": cert.holder.name,
                "id_masked": mask_id_number(cert.holder.id_number),
                "kind": cert.kind.name,
                "item": cert.operation_item.name if cert.operation_item_id else "",
                "enterprise": cert.enterprise.name,
                "unit": cert.enterprise.unit.name,
                "review_due_date": cert.review_due_date,
                "valid_until": cert.valid_until,
                "what": what,
                "days_left": left,
                "status": status,
                "status_label": status.label,
            }
        )
    return rows


class CertificateDueListView(ObjectListView):
    """Current active certificates due for review or expiring within N days (default 90)."""

    queryset = (
        Certificate.objects.current()
        .filter(state="active")
        .select_related("holder", "kind", "operation_item", "enterprise__unit")
    )
    filterset_class = CertificateFilterSet
    template_name = "workforce/certificate_due_list.html"
    partial_template_name = "workforce/certificate_due_table.html"
    ordering_fields = {
        "review": "review_due_date",
        "until": "valid_until",
        "holder": "holder__name",
        "enterprise": "enterprise__name",
    }
    default_ordering = ["valid_until", "pk"]

    def get_queryset(self):
        today = timezone.localdate()
        self.queryset = self.queryset.filter(compliance.open_on_q(today))
        qs = super().get_queryset()
        window, _days = self.filterset.due_window
        if window == "review" and not self.request.GET.get("sort"):
            qs = qs.order_by("review_due_date", "pk")
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        ctx["rows"] = due_rows(ctx["object_list"], today, _kind_rules())
        ctx["today"] = today
        window, days = self.filterset.due_window
        ctx["window"], ctx["days"] = window, days
        enterprise_pk = (
            self.filterset.form.cleaned_data.get("enterprise")
            if (self.filterset.form.is_valid())
            else None
        )
        ctx["enterprise"] = enterprise_pk
        ctx["columns"] = [
            ("holder", _("持证人")),
            ("enterprise", _("登记企业")),
            ("review", _("应复审日期")),
            ("until", _("有效期至")),
        ]
        return ctx


DUE_EXPORT_HEADERS = [
    "证书编号",
    "持证人",
    "身份证号",
    "证书类型",
    "操作项目",
    "登记企业",
    "属地",
    "应复审日期",
    "有效期至",
    "到期事项",
    "剩余天数",
    "状态",
]


class CertificateDueExportView(CertificateDueListView):
    """The due list as xlsx: the same scope (action export), filters and order; IDs masked."""

    action = "export"

    def get(self, request, *args, **kwargs):
        qs = self.get_queryset()
        today = timezone.localdate()
        kinds = _kind_rules()

        def rows():
            for chunk in _chunks(qs.iterator(chunk_size=2000), 2000):
                for r in due_rows(chunk, today, kinds):
                    yield [
                        r["number"],
                        r["holder"],
                        r["id_masked"],
                        r["kind"],
                        r["item"],
                        r["enterprise"],
                        r["unit"],
                        r["review_due_date"],
                        r["valid_until"],
                        r["what"],
                        r["days_left"],
                        str(r["status_label"]),
                    ]

        filename = _("到期证书") + f"-{today:%Y%m%d}.xlsx"
        return xlsx_response(
            lambda fh: write_xlsx(DUE_EXPORT_HEADERS, rows(), fh, title=_("到期证书")), filename
        )


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
