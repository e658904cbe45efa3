"""Pages of the themed-day calendar: campaigns (list, detail, add, edit, generate) and rules.

Generic scoped views (core.views): a campaign or rule outside the user's scope is a
404; one the user reads but may not change (the district's, seen by a 镇街) answers
the edit page with 403 and a reason, and offers no edit button.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import generic

from xuanpei.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    ScopedViewMixin,
)
from xuanpei.plans.models import Task
from xuanpei.publicity import services
from xuanpei.publicity.choices import RuleKind
from xuanpei.publicity.filters import CampaignFilterSet, RuleFilterSet
from xuanpei.publicity.forms import CampaignCreateForm, CampaignEditForm, RuleForm
from xuanpei.publicity.models import Campaign, ThemedDayRule


def selected_year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 1900), 2100)


class ReadOnlyForOthersMixin:
    """An object the user reads (shared down from above) but may not change: 403 with why."""

    locked_message = _("该记录由上级单位发布，本单位只能查看，不能修改")

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except Http404:
            model = self.get_model()
            pk = self.kwargs.get("pk")
            if model._default_manager.all().in_scope(self.request.user, pk, "view"):
                raise PermissionDenied(self.locked_message) from None
            raise


# --------------------------------------------------------------------------- campaigns


class CampaignListView(ObjectListView):
    """This year's campaigns in scope (the district's and the units' above, and one's own),
    and the rules still waiting for their dates (待通知)."""

    queryset = Campaign.objects.select_related("rule", "unit")
    filterset_class = CampaignFilterSet
    template_name = "publicity/campaign_list.html"
    default_ordering = ["start_date", "end_date", "name", "pk"]
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        if "year" not in request.GET:
            # Default to this year; the filter form shows it.
            query = request.GET.copy()
            query["year"] = str(selected_year(request))
            request.GET = query
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = selected_year(self.request)
        user = self.request.user
        kind = self.request.GET.get("kind")
        waiting = [r for r in services.waiting_rules(year, user=user) if not kind or r.kind == kind]
        changeable = set(
            ThemedDayRule.objects.for_user(user, "change").values_list("pk", flat=True)
        )
        for r in waiting:
            r.may_enter = r.pk in changeable and ctx["can_add"]
            r.status_label = _("待定") if r.kind == RuleKind.LOCAL else _("待通知")
        ctx.update(
            year=year,
            waiting=waiting,
            may_generate=ThemedDayRule.objects.for_user(user, "change")
            .filter(
                kind__in=[
                    RuleKind.FIXED_DAY,
                    RuleKind.MONTH,
                    RuleKind.FIXED_RANGE,
                    RuleKind.NTH_WEEKDAY,
                ]
            )
            .exists()
            and ctx["can_add"],
        )
        return ctx


class CampaignDetailView(ObjectDetailView):
    queryset = Campaign.objects.select_related("rule", "unit")
    template_name = "publicity/campaign_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["tasks"] = (
            Task.objects.for_user(self.request.user, "view")
            .filter(pk__in=self.object.tasks.values("pk"))
            .select_related("plan")
        )
        return ctx


class CampaignCreateView(ObjectCreateView):
    queryset = Campaign.objects.all()
    form_class = CampaignCreateForm
    template_name = "publicity/campaign_form.html"
    success_message = _("宣传主题活动已保存")

    def get_initial(self):
        initial = super().get_initial()
        rule = self.request.GET.get("rule")
        if rule and rule.isdigit():
            initial["rule"] = int(rule)
        initial["year"] = selected_year(self.request)
        return initial

    def save_form(self, form):
        return services.save_campaign(form.save(commit=False), actor=self.request.user)


class CampaignUpdateView(ReadOnlyForOthersMixin, ObjectUpdateView):
    queryset = Campaign.objects.select_related("rule", "unit")
    form_class = CampaignEditForm
    template_name = "publicity/campaign_form.html"
    success_message = _("宣传主题活动已保存")
    locked_message = _("该宣传主题活动由上级单位发布，本单位只能查看，不能修改主题和日期")

    def save_form(self, form):
        return services.save_campaign(
            form.save(commit=False), actor=self.request.user, tasks=form.cleaned_data["tasks"]
        )


class CampaignGenerateView(ScopedViewMixin, generic.View):
    """生成某年度的宣传日：every computed rule the user may keep gets its campaign, once."""

    queryset = Campaign.objects.all()
    action = "add"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            year = int(request.POST.get("year") or timezone.localdate().year)
            result = services.generate_campaigns(year, actor=request.user)
        except (ValueError, ValidationError) as exc:
            messages.error(request, _("未生成：%(reason)s") % {"reason": _error_text(exc)})
            return HttpResponseRedirect(reverse("publicity:campaign_list"))
        messages.success(request, result.summary_line())
        return HttpResponseRedirect(f"{reverse('publicity:campaign_list')}?year={year}")


def _error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(str(m) for m in exc.messages)
    return _("年份格式不正确")


# --------------------------------------------------------------------------- rules


class RuleListView(ObjectListView):
    queryset = ThemedDayRule.objects.select_related("unit")
    filterset_class = RuleFilterSet
    template_name = "publicity/rule_list.html"
    default_ordering = ["order", "month", "day", "pk"]
    paginate_by = 50

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        changeable = set(
            ThemedDayRule.objects.for_user(user, "change").values_list("pk", flat=True)
        )
        year = timezone.localdate().year
        for rule in ctx["object_list"]:
            rule.may_change = rule.pk in changeable
            rule.this_year = rule.occurrence(year)
        ctx["year"] = year
        return ctx


class RuleCreateView(ObjectCreateView):
    queryset = ThemedDayRule.objects.all()
    form_class = RuleForm
    template_name = "publicity/rule_form.html"
    success_message = _("宣传日规则已保存")

    def get_success_url(self):
        return reverse("publicity:rule_list")


class RuleUpdateView(ReadOnlyForOthersMixin, ObjectUpdateView):
    queryset = ThemedDayRule.objects.select_related("unit")
    form_class = RuleForm
    template_name = "publicity/rule_form.html"
    success_message = _("宣传日规则已保存")
    locked_message = _("全国统一和上级单位的宣传日规则只能由发布单位修改")

    def get_success_url(self):
        return reverse("publicity:rule_list")
