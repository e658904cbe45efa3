"""Pages: the indicator library (issue #13 §1), kept as data per year. District admins
add and edit; every unit reads. The set's page shows the scored weights' sum per unit
type; saving the set checks that each adds up to 100 (refused with the sum)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from xuanpei.assessment import services_indicators as svc
from xuanpei.assessment.forms import IndicatorForm, IndicatorSetForm, add_errors
from xuanpei.assessment.models import Indicator, IndicatorSet
from xuanpei.core.permissions import is_district_admin
from xuanpei.core.views import ObjectDetailView, ObjectListView, ScopedViewMixin


class DistrictOnlyMixin:
    """A page only the district writes through: anybody else is sent back to `back_url`
    with the reason on a GET (the menu does not offer it) and refused (403) otherwise."""

    refusal = gettext_lazy("只有区安委办维护考核指标")
    back_url = "assessment:indicator_set_list"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_district_admin(request.user):
            if request.method == "GET" and not self.names_an_object(kwargs):
                messages.error(request, self.refusal)
                return HttpResponseRedirect(reverse(self.back_url))
            raise PermissionDenied(self.refusal)
        return super().dispatch(request, *args, **kwargs)


class DistrictWriteMixin(DistrictOnlyMixin):
    """Writes to the library are the district's."""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs


def copy_targets(user, sets) -> dict[int, int]:
    """{set pk: the next year} for each set the district may copy into the next year (no
    set of its unit for that year yet); empty for anyone else (no button)."""
    if not is_district_admin(user):
        return {}
    sets = list(sets)
    taken = set(
        IndicatorSet.objects.filter(unit__in={s.unit_id for s in sets}).values_list(
            "unit_id", "year"
        )
    )
    return {s.pk: s.year + 1 for s in sets if (s.unit_id, s.year + 1) not in taken}


class IndicatorSetListView(ObjectListView):
    queryset = IndicatorSet.objects.select_related("unit")
    template_name = "assessment/indicator_set_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = is_district_admin(self.request.user)
        ctx["copy_targets"] = copy_targets(self.request.user, ctx["object_list"])
        return ctx


class IndicatorSetDetailView(ObjectDetailView):
    queryset = IndicatorSet.objects.select_related("unit")
    template_name = "assessment/indicator_set_detail.html"
    context_object_name = "indicator_set"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["indicators"] = Indicator.objects.for_user(self.request.user, "view").filter(
            indicator_set=self.object
        )
        ctx["sums"] = svc.weight_sums(self.object)
        ctx["is_district"] = is_district_admin(self.request.user)
        ctx["copy_year"] = copy_targets(self.request.user, [self.object]).get(self.object.pk)
        return ctx


class IndicatorSetSaveMixin(DistrictWriteMixin):
    form_class = IndicatorSetForm
    template_name = "assessment/indicator_set_form.html"

    def form_valid(self, form):
        obj = form.save(commit=False)
        if obj.unit_id is None:
            obj.unit = self.request.user.unit
        try:
            svc.save_set(indicator_set=obj, actor=self.request.user)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存"))
        return HttpResponseRedirect(reverse("assessment:indicator_set_detail", args=[obj.pk]))


class IndicatorSetCreateView(IndicatorSetSaveMixin, ScopedViewMixin, generic.CreateView):
    queryset = IndicatorSet.objects.all()
    action = "add"


class IndicatorSetUpdateView(IndicatorSetSaveMixin, ScopedViewMixin, generic.UpdateView):
    queryset = IndicatorSet.objects.all()
    action = "change"
    context_object_name = "indicator_set"


class IndicatorSetCopyView(DistrictOnlyMixin, ScopedViewMixin, generic.View):
    """POST /assessment/indicators/sets/<pk>/copy/ {year (default: the next year),
    back=list}: the unit's set for `year` as a copy of this one, then that set's page
    (to check the weights); a refusal is reported where the button was."""

    queryset = IndicatorSet.objects.select_related("unit")
    action = "add"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        source = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        back = (
            reverse("assessment:indicator_set_list")
            if request.POST.get("back") == "list"
            else reverse("assessment:indicator_set_detail", args=[source.pk])
        )
        raw = (request.POST.get("year") or "").strip()
        try:
            year = int(raw) if raw else source.year + 1
        except ValueError:
            messages.error(request, _("年度“%(raw)s”不是整数") % {"raw": raw[:10]})
            return HttpResponseRedirect(back)
        try:
            copy = svc.copy_indicator_set(source, year=year, actor=request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return HttpResponseRedirect(back)
        messages.success(
            request,
            _("已按%(source)s年指标体系建立%(year)s年指标体系（%(n)s项指标），请核对权重和评分规则")
            % {"source": source.year, "year": copy.year, "n": copy.indicators.count()},
        )
        return HttpResponseRedirect(reverse("assessment:indicator_set_detail", args=[copy.pk]))


class IndicatorSaveMixin(DistrictWriteMixin):
    form_class = IndicatorForm
    template_name = "assessment/indicator_form.html"

    def get_set(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["indicator_set"] = self.get_set()
        return ctx

    def form_valid(self, form):
        obj = form.save(commit=False)
        obj.indicator_set = self.get_set()
        try:
            svc.save_indicator(indicator=obj, actor=self.request.user)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        sums = "，".join(f"{label}{total}" for label, total in svc.weight_sums(obj.indicator_set))
        messages.success(self.request, _("已保存。计分指标权重合计：%(sums)s") % {"sums": sums})
        return HttpResponseRedirect(
            reverse("assessment:indicator_set_detail", args=[obj.indicator_set_id])
        )


class IndicatorCreateView(IndicatorSaveMixin, ScopedViewMixin, generic.CreateView):
    """/assessment/indicators/sets/<set_pk>/add/."""

    queryset = IndicatorSet.objects.all()
    action = "change"

    def get_set(self):
        if not hasattr(self, "indicator_set"):
            self.indicator_set = get_object_or_404(self.queryset, pk=self.kwargs["set_pk"])
        return self.indicator_set

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Indicator(indicator_set=self.get_set())
        return kwargs


class IndicatorUpdateView(IndicatorSaveMixin, ScopedViewMixin, generic.UpdateView):
    queryset = Indicator.objects.select_related("indicator_set")
    action = "change"

    def get_set(self):
        return self.object.indicator_set
