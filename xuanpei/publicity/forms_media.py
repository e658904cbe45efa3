"""The new-media post form and the list's filters (issue #11 item 5)."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.validators import MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xuanpei.core.forms import ScopedModelForm
from xuanpei.core.validators import normalize_url, validate_url
from xuanpei.orgs.filters import ScopedFilterSet, UnitSubtreeFilter
from xuanpei.orgs.models import Unit
from xuanpei.plans.models import Task
from xuanpei.publicity.models import Campaign
from xuanpei.publicity.models_ledger import Channel, MediaKind, MediaPost
from xuanpei.publicity.services_media import COUNT_LABELS, media_errors, prepare_media_post

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MediaPostForm(ScopedModelForm):
    """A post of a unit (the unit picked in scope) or of the user's enterprise (its 属地)."""

    # Text, not Django's URLField: one Chinese message from the platform's link rule.
    url = forms.CharField(
        label=_("链接"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )

    class Meta:
        model = MediaPost
        fields = [
            "unit",
            "channel",
            "account",
            "kind",
            "title",
            "url",
            "published_on",
            "is_original",
            "views",
            "likes",
            "shares",
            "campaigns",
        ]
        widgets = {
            "published_on": DATE,
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.enterprise = getattr(user, "enterprise", None) if user is not None else None
        if self.enterprise is not None:
            # An enterprise posts for itself; its 属地 is set by the service.
            del self.fields["unit"]
        elif not self.instance.pk and user is not None and user.unit_id:
            self.fields["unit"].initial = user.unit_id
        for name in COUNT_LABELS:
            field = self.fields[name]
            # Ours says which count and why (media_errors), not Django's generic message.
            field.validators = [v for v in field.validators if not isinstance(v, MinValueValidator)]
            field.widget.attrs["min"] = 0
        self.fields["campaigns"].required = False
        self.fields["campaigns"].queryset = (
            Campaign.objects.for_user(user, "view").order_by("-year", "start_date", "name")
            if user is not None
            else Campaign.objects.none()
        )
        self.fields["campaigns"].help_text = _("可多选；须与发布日期同一年度")

    def clean_url(self):
        url = normalize_url(self.cleaned_data["url"])
        validate_url(url)
        return url

    def clean(self):
        data = super().clean()
        errors = media_errors(
            published_on=data.get("published_on"),
            counts={k: data.get(k) for k in COUNT_LABELS},
            campaigns=data.get("campaigns") or (),
        )
        for name, reason in errors.items():
            if name in self.fields:
                self.add_error(name, reason)
        return data

    def _post_clean(self):
        if self.enterprise is not None and not self.instance.pk:
            self.instance.enterprise = self.enterprise
            prepare_media_post(self.instance)
        super()._post_clean()


class MediaPostFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    date_from = django_filters.DateFilter(
        label=_("发布日期从"), field_name="published_on", lookup_expr="gte", widget=DATE
    )
    date_to = django_filters.DateFilter(
        label=_("至"), field_name="published_on", lookup_expr="lte", widget=DATE
    )
    unit = UnitSubtreeFilter(
        label=_("发布单位"), queryset=Unit.objects.all(), empty_label=_("全部单位")
    )
    # The tallies' "本级" rows: the unit's own posts, not its subtree's.
    own_unit = django_filters.ModelChoiceFilter(
        label=_("本级单位"), field_name="unit", queryset=Unit.objects.all()
    )
    channel = django_filters.ChoiceFilter(
        label=_("渠道"), choices=Channel.choices, empty_label=_("全部渠道")
    )
    kind = django_filters.ChoiceFilter(
        label=_("形式"), choices=MediaKind.choices, empty_label=_("全部形式")
    )
    campaign = django_filters.ModelChoiceFilter(
        label=_("宣传主题活动"),
        field_name="campaigns",
        queryset=Campaign.objects.all(),
        empty_label=_("全部主题活动"),
    )
    # The records behind a computed plan target (publicity/metrics.py): posts of a task.
    task = django_filters.ModelChoiceFilter(
        label=_("计划任务"), field_name="tasks", queryset=Task.objects.all()
    )

    class Meta:
        model = MediaPost
        fields = [
            "q", "date_from", "date_to", "unit", "own_unit", "channel", "kind", "campaign", "task",
        ]  # fmt: skip

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(account__icontains=value) | Q(url__icontains=value)
        )
