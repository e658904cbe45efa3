"""Generic class-based views that scope every query (style.md §7).

A domain view is a few attribute lines:

    class EnterpriseListView(ObjectListView):
        queryset = Enterprise.objects.select_related("unit", "sector")
        filterset_class = EnterpriseFilterSet
        template_name = "orgs/enterprise_list.html"

`dispatch` derives the action, answers 403 without the role's grant, then
replaces `self.queryset` with `queryset.for_user(user, action)`, so an object
outside the user's scope is a 404 for detail, edit and delete alike.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import generic

from xuanpei.core.pagination import CountCachingPaginator
from xuanpei.core.permissions import has_action
from xuanpei.core.scoping import reaches


class ScopeViolation(Exception):
    """A write would leave the object outside the writer's scope."""


class ScopedViewMixin(LoginRequiredMixin):
    """Resolve the action, check the grant, scope the queryset. Every domain view uses it."""

    action = "view"
    queryset = None

    def get_model(self):
        return self.queryset.model

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        model = self.get_model()
        # A role without the grant: refused (403). A user whose scope holds no such rows
        # at all (an enterprise account on the unit tree or on plans) is refused a page
        # too, rather than shown an empty one — but a URL naming one object stays a 404,
        # as for every object outside scope (the object's existence is not confirmed).
        if not has_action(request.user, model, self.action):
            raise PermissionDenied(_("您没有执行此操作的权限"))
        if not reaches(request.user, model, self.action):
            if self.names_an_object(kwargs):
                raise Http404
            raise PermissionDenied(_("您没有执行此操作的权限"))
        self.queryset = self.queryset.all().for_user(request.user, self.action)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.queryset

    @staticmethod
    def names_an_object(kwargs) -> bool:
        """Does the URL name a row (`pk`, `plan_pk`…), as detail, edit and file URLs do?"""
        return any(key == "pk" or key.endswith("_pk") for key in kwargs)

    def is_htmx_partial(self) -> bool:
        htmx = getattr(self.request, "htmx", None)
        # A history restore (back button after a cache miss) needs the whole page.
        return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def ensure_in_scope(obj, user, action: str) -> None:
    """Re-query the scoped queryset inside the write's transaction (style.md §8)."""
    if not type(obj)._default_manager.all().for_user(user, action).filter(pk=obj.pk).exists():
        raise ScopeViolation


def style_filter_form(form) -> None:
    """Small Bootstrap widgets for a list's filter bar."""
    for field in form.fields.values():
        css = (
            "form-select form-select-sm"
            if hasattr(field, "choices")
            else "form-control form-control-sm"
        )
        field.widget.attrs.setdefault("class", css)


def filters_active(filterset) -> bool:
    """Does the request narrow the list by any of the filterset's own filters?"""
    return filterset is not None and any(
        v not in (None, "") for k, v in filterset.form.data.items() if k in filterset.filters
    )


class ObjectListView(ScopedViewMixin, generic.ListView):
    """A scoped, filtered, sorted, paginated list; htmx requests get the table partial only."""

    filterset_class = None
    paginate_by = 25
    paginator_class = CountCachingPaginator
    partial_template_name = None
    # Sort key → field name, or an expression (a name in pinyin order: core/ordering.py).
    ordering_fields: dict = {}
    default_ordering = None

    def get_queryset(self):
        qs = self.queryset
        if self.filterset_class:
            self.filterset = self.filterset_class(
                self.request.GET or None, queryset=qs, request=self.request
            )
            qs = self.filterset.qs
        else:
            self.filterset = None
        sort = self.request.GET.get("sort", "")
        field = self.ordering_fields.get(sort.lstrip("-"))
        if field:
            descending = sort.startswith("-")
            if isinstance(field, str):
                key = ("-" if descending else "") + field
            else:  # an expression, e.g. core.ordering.PinyinCollate("name")
                key = field.desc() if descending else field.asc()
            qs = qs.order_by(key, "pk")
        elif self.default_ordering:
            qs = qs.order_by(*self.default_ordering)
        return qs

    def get_paginate_by(self, queryset):
        try:
            size = int(self.request.GET.get("per_page", self.paginate_by))
        except ValueError:
            size = self.paginate_by
        return max(10, min(size, 200))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filterset"] = self.filterset
        if self.filterset is not None:
            style_filter_form(self.filterset.form)
        ctx["filters_active"] = filters_active(self.filterset)
        ctx["sort"] = self.request.GET.get("sort", "")
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx["query_string"] = params.urlencode()
        model = self.get_model()
        ctx["can_add"] = reaches(self.request.user, model, "add")
        ctx["can_import"] = reaches(self.request.user, model, "import")
        ctx["can_export"] = reaches(self.request.user, model, "export")
        return ctx

    def get_template_names(self):
        if self.partial_template_name and self.is_htmx_partial():
            return [self.partial_template_name]
        return super().get_template_names()

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if self.partial_template_name:
            # The same URL answers a partial or a page: caches must tell them apart.
            patch_vary_headers(response, ["HX-Request"])
        return response


class ObjectDetailView(ScopedViewMixin, generic.DetailView):
    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        model = self.get_model()
        obj = self.object
        user = self.request.user
        ctx["can_change"] = model._default_manager.all().in_scope(user, obj.pk, "change")
        ctx["can_delete"] = model._default_manager.all().in_scope(user, obj.pk, "delete")
        return ctx


class ObjectEditMixin(ScopedViewMixin):
    """Create or update through a form; the write is re-checked against scope and rolled back."""

    success_message = _("已保存")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def save_form(self, form):
        """Persist the form; views call services here. Returns the saved object."""
        obj = form.save(commit=False)
        if not obj.pk and hasattr(obj, "created_by_id"):
            obj.created_by = self.request.user
        obj.save()
        form.save_m2m()
        return obj

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.object = self.save_form(form)
                ensure_in_scope(self.object, self.request.user, self.action)
        except ScopeViolation:
            form.add_error(None, _("保存后的数据超出了您的管辖范围，未保存"))
            return self.form_invalid(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        url = self.get_success_url()
        if getattr(self.request, "htmx", None):
            response = HttpResponse(status=204)
            response["HX-Location"] = url
            return response
        return HttpResponseRedirect(url)


class ObjectCreateView(ObjectEditMixin, generic.CreateView):
    action = "add"


class ObjectUpdateView(ObjectEditMixin, generic.UpdateView):
    action = "change"


class ObjectDeleteView(ScopedViewMixin, generic.DeleteView):
    action = "delete"
    success_message = _("已删除")

    def form_valid(self, form):
        messages.success(self.request, self.success_message)
        return super().form_valid(form)


def unit_from_query(request, name: str = "unit"):
    """The unit `?<name>=<pk>` names, among the units the user may view; None when the
    parameter is absent; 404 (never a 500) for junk or a unit outside the user's scope."""
    from xuanpei.orgs.models import Unit  # core does not import the apps at load time

    raw = request.GET.get(name)
    if not raw:
        return None
    try:
        return Unit.objects.for_user(request.user, "view").get(pk=int(raw))
    except (ValueError, Unit.DoesNotExist):
        raise Http404(_("没有这个单位，或它不在您的管辖范围内")) from None
