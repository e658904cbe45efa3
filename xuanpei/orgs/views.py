"""Pages for units and enterprises: the unit tree, the enterprise list, detail, create, edit, close.

Every view is a generic scoped view (core.views): the user's scope and role are
applied in `dispatch`, so an object outside scope is a 404 and a missing grant a 403.
Writes go through `orgs.services`.
"""

import copy

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import generic

from xuanpei.accounts.models import User
from xuanpei.audit.timeline import timeline
from xuanpei.core.ordering import PinyinCollate, name_order
from xuanpei.core.permissions import has_action
from xuanpei.core.privacy import can_see_personal_data, display_phone
from xuanpei.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    ScopedViewMixin,
)
from xuanpei.orgs import services
from xuanpei.orgs.choices import RiskLevel
from xuanpei.orgs.filters import EnterpriseFilterSet
from xuanpei.orgs.forms import EnterpriseCloseForm, EnterpriseForm, UnitForm
from xuanpei.orgs.models import Enterprise, Unit

# Risk levels sort by severity, not by their stored code.
RISK_RANK = Case(
    *[When(risk_level=level, then=Value(rank)) for rank, level in enumerate(RiskLevel.values)],
    default=Value(len(RiskLevel.values)),
    output_field=IntegerField(),
)

# The tree opens this many levels below the first visible unit; deeper levels
# (villages, communities) stay folded so a district's 150 villages don't flood a phone.
TREE_OPEN_LEVELS = 1


def _enterprise_counts_by_unit(user) -> dict[str, dict[str, int]]:
    """{unit path: {"total": n, "active": n}} of the enterprises `user` may see, one query."""
    rows = (
        Enterprise.objects.for_user(user)
        .order_by()
        .values("unit__path")
        .annotate(total=Count("pk"), active=Count("pk", filter=Q(is_active=True)))
    )
    return {r["unit__path"]: {"total": r["total"], "active": r["active"]} for r in rows}


def _subtree_total(counts: dict, path: str) -> int:
    return sum(c["total"] for p, c in counts.items() if p.startswith(path))


class UnitTreeView(ObjectListView):
    """The unit tree in the user's scope, collapsible, with enterprise counts per subtree."""

    queryset = Unit.objects.all()
    template_name = "orgs/unit_list.html"

    def get_paginate_by(self, queryset):
        return None  # a tree is shown whole; folding keeps it short

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        units = list(self.object_list)
        counts = _enterprise_counts_by_unit(self.request.user)
        by_path = {}
        roots = []
        for unit in units:  # ordered by path: a parent always comes before its children
            node = {"unit": unit, "children": [], "total": _subtree_total(counts, unit.path)}
            by_path[unit.path] = node
            parent = by_path.get(unit.path[: -Unit.steplen])
            (parent["children"] if parent else roots).append(node)
        supervised = dict(
            Enterprise.objects.for_user(self.request.user)
            .filter(departments__in=[u.pk for u in units if u.is_department])
            .order_by()
            .values_list("departments")
            .annotate(n=Count("pk"))
        )
        for unit in units:
            if unit.is_department:
                by_path[unit.path]["total"] = supervised.get(unit.pk, 0)
        top_depth = min((u.depth for u in units), default=1)
        for node in by_path.values():
            node["open"] = node["unit"].depth < top_depth + TREE_OPEN_LEVELS
        ctx["roots"] = roots
        ctx["unit_count"] = len(units)
        return ctx


class UnitDetailView(ObjectDetailView):
    """A unit: its children, its enterprise count and its users' count, all within scope."""

    queryset = Unit.objects.all()
    template_name = "orgs/unit_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        unit = self.object
        user = self.request.user
        visible = Unit.objects.for_user(user)
        ctx["ancestors"] = list(
            visible.filter(
                path__in=[unit.path[:i] for i in range(Unit.steplen, len(unit.path), Unit.steplen)]
            )
        )
        counts = _enterprise_counts_by_unit(user)
        children = list(visible.filter(path__startswith=unit.path, depth=unit.depth + 1))
        for child in children:
            child.enterprise_total = _subtree_total(counts, child.path)
        ctx["children"] = children
        enterprises = Enterprise.objects.for_user(user)
        if unit.is_department:
            enterprises = enterprises.filter(departments=unit)
            ctx["enterprise_filter"] = f"department={unit.pk}"
        else:
            enterprises = enterprises.filter(unit__path__startswith=unit.path)
            ctx["enterprise_filter"] = f"unit={unit.pk}"
        ctx["enterprise_stats"] = enterprises.aggregate(
            total=Count("pk", distinct=True),
            active=Count("pk", filter=Q(is_active=True), distinct=True),
        )
        ctx["direct_enterprises"] = counts.get(unit.path, {}).get("total", 0)
        ctx["user_count"] = (
            User.objects.for_user(user)
            .filter(
                Q(unit__path__startswith=unit.path)
                | Q(enterprise__unit__path__startswith=unit.path)
            )
            .count()
        )
        ctx["can_list_enterprises"] = has_action(user, Enterprise, "view")
        ctx["can_edit"] = has_action(user, Unit, "change")
        return ctx


class EnterpriseListView(ObjectListView):
    """Search, filter, sort and page the enterprises in scope; htmx swaps only the table."""

    queryset = Enterprise.objects.select_related("unit", "sector").annotate(risk_rank=RISK_RANK)
    filterset_class = EnterpriseFilterSet
    template_name = "orgs/enterprise_list.html"
    partial_template_name = "orgs/partials/enterprise_table.html"
    ordering_fields = {
        "name": PinyinCollate("name"),
        "uscc": "uscc",
        "unit": "unit__path",
        "sector": "sector__sort_order",
        "risk": "risk_rank",
        "updated": "updated_at",
    }
    default_ordering = [name_order(), "pk"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["columns"] = [
            ("name", _("企业名称")),
            ("uscc", _("统一社会信用代码")),
            ("unit", _("属地")),
            ("sector", _("行业领域")),
            ("risk", _("风险等级")),
            ("updated", _("更新时间")),
        ]
        return ctx


class EnterpriseAutocompleteView(ScopedViewMixin, generic.View):
    """?q= → up to 20 enterprises in scope, by name or USCC, for pickers in other modules.

    JSON ({"results": [{"id", "text", "uscc", "unit"}]}) by default; htmx requests
    get a list-group partial whose buttons carry `data-id`.
    """

    queryset = Enterprise.objects.filter(is_active=True)
    limit = 20

    def get(self, request, *args, **kwargs):
        filterset = EnterpriseFilterSet(
            {"q": request.GET.get("q", "")}, queryset=self.queryset, request=request
        )
        rows = list(filterset.qs.select_related("unit").order_by(name_order(), "pk")[: self.limit])
        if self.is_htmx_partial():
            return render(request, "orgs/partials/enterprise_autocomplete.html", {"results": rows})
        return JsonResponse(
            {
                "results": [
                    {"id": e.pk, "text": e.name, "uscc": e.uscc, "unit": e.unit.name} for e in rows
                ]
            },
            json_dumps_params={"ensure_ascii": False},
        )


class EnterpriseDetailView(ObjectDetailView):
    queryset = Enterprise.objects.select_related("unit", "sector", "created_by")
    template_name = "orgs/enterprise_detail.html"
    history_limit = 10

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["departments"] = list(self.object.departments.all())
        user = self.request.user
        ctx["phones_whole"] = can_see_personal_data(user)
        ctx["safety_phone"] = display_phone(self.object.safety_phone, user)
        phone_label = str(Enterprise._meta.get_field("safety_phone").verbose_name)
        ctx["history"] = timeline(
            [self.object],
            limit=self.history_limit,
            user=user,
            value=lambda label, text: display_phone(text, user) if label == phone_label else text,
        )
        return ctx


class EnterpriseCreateView(ObjectCreateView):
    queryset = Enterprise.objects.all()
    form_class = EnterpriseForm
    template_name = "orgs/enterprise_form.html"
    success_message = _("企业已登记")

    def save_form(self, form):
        return services.create_enterprise(actor=self.request.user, **form.service_kwargs())


class UnitUpdateView(ObjectUpdateView):
    """A unit's 成立日期 (district admins: `Unit.scope_allows`)."""

    queryset = Unit.objects.all()
    form_class = UnitForm
    template_name = "orgs/unit_form.html"
    success_message = _("单位信息已保存")


class EnterpriseUpdateView(ObjectUpdateView):
    queryset = Enterprise.objects.select_related("unit")
    form_class = EnterpriseForm
    template_name = "orgs/enterprise_form.html"
    success_message = _("企业信息已保存")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # The form writes its values onto its instance while validating; give it a
        # copy so the service still sees the stored values and saves what changed.
        kwargs["instance"] = copy.copy(self.object)
        return kwargs

    def save_form(self, form):
        return services.update_enterprise(
            self.object, actor=self.request.user, **form.service_kwargs()
        )


class EnterpriseCloseView(ObjectUpdateView):
    """关闭: an admin act (停业、注销、迁出), so it takes the delete grant; records stay."""

    action = "delete"
    queryset = Enterprise.objects.select_related("unit")
    form_class = EnterpriseCloseForm
    template_name = "orgs/enterprise_close.html"
    success_message = _("企业已关闭")

    def save_form(self, form):
        return services.close_enterprise(
            self.object,
            actor=self.request.user,
            closed_at=form.cleaned_data["closed_at"],
            reason=form.cleaned_data["reason"],
        )
