"""Forms of the workforce people pages: the roster filter and the certificate use-case forms.

`PersonFilterSet` is the one filter of people (list page, API, roster export).
The certificate forms only collect input; the rules live in `services.py`,
which the views call with the cleaned data.
"""

from __future__ import annotations

import re
from datetime import date

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuanpei.core.forms import BootstrapMixin, DateInput
from xuanpei.core.validators import normalize_code
from xuanpei.orgs.filters import ScopedFilterSet, UnitSubtreeFilter
from xuanpei.orgs.forms import InvalidFieldsMixin
from xuanpei.orgs.models import Enterprise, Unit
from xuanpei.workforce import rules
from xuanpei.workforce.models import Certificate, Person, Post, PostType
from xuanpei.workforce.privacy import can_see_personal_data

# Something typed into the search box that looks like (part of) an ID number.
_ID_LIKE = re.compile(r"^[0-9]{1,17}[0-9X]?$")
# How much of an ID number's end a masked user may search by: no more than the
# mask shows (610***********123X), or searching digit by digit would unmask it.
VISIBLE_ID_TAIL = 4


COMPLIANCE_CHOICES = [
    ("non_compliant", _("有未持证上岗的岗位")),
    ("compliant", _("应持证岗位均已持证")),
    ("no_certificate_needed", _("无须持证")),
]


class PersonFilterSet(ScopedFilterSet):
    """Search and filters of the roster: name / ID / certificate number, enterprise, unit
    subtree, post type and compliance on a day (`on`, default today).

    Posts are read through the request user's scope, so "at enterprise X" and
    "compliant" speak only of the posts the user may see.
    """

    q = django_filters.CharFilter(label=_("搜索"), method="search")
    enterprise = django_filters.ModelChoiceFilter(
        label=_("企业"),
        queryset=Enterprise.objects.all(),
        method="filter_enterprise",
        field_name="posts__enterprise",  # for the OpenAPI schema; the method filters
        empty_label=_("全部企业"),
    )
    unit = UnitSubtreeFilter(
        label=_("属地"),
        queryset=Unit.objects.territorial(),
        method="filter_unit",
        field_name="posts__enterprise__unit",
        empty_label=_("全部属地"),
    )
    post_type = django_filters.ModelChoiceFilter(
        label=_("岗位"),
        queryset=PostType.objects.all(),
        method="filter_post_type",
        field_name="posts__post_type",
        empty_label=_("全部岗位"),
    )
    compliance = django_filters.ChoiceFilter(
        label=_("持证情况"),
        choices=COMPLIANCE_CHOICES,
        method="filter_compliance",
        empty_label=_("全部"),
    )
    on = django_filters.DateFilter(label=_("日期"), method="keep", widget=DateInput)

    class Meta:
        model = Person
        fields = ["q", "enterprise", "unit", "post_type", "compliance", "on"]

    # Helpers -----------------------------------------------------------------------

    @property
    def user(self):
        return getattr(self.request, "user", None)

    def visible_posts(self):
        posts = Post.objects.all()
        user = self.user
        return posts.for_user(user) if user is not None else posts.none()

    @property
    def day(self) -> date:
        value = None
        if self.form.is_bound and self.form.is_valid():
            value = self.form.cleaned_data.get("on")
        return value or timezone.localdate()

    def on_duty_posts(self):
        return self.visible_posts().on_duty(self.day)

    # Filters ------------------------------------------------------------------------

    def keep(self, queryset, name, value):
        return queryset  # `on` only sets the day the other filters speak of

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        code = normalize_code(value)
        q = Q(name__icontains=value)
        full = can_see_personal_data(self.user)
        if _ID_LIKE.match(code):
            if len(code) == 18:
                q |= Q(id_number=code)
            elif full:
                q |= Q(id_number__startswith=code) | Q(id_number__endswith=code)
            elif len(code) <= VISIBLE_ID_TAIL:
                q |= Q(id_number__endswith=code)
        if code:
            # A certificate number may embed the ID number ("T" + 身份证号): only the
            # whole number is matched for users who see IDs masked.
            certs = (
                Certificate.objects.filter(number__startswith=code)
                if full
                else Certificate.objects.filter(number=code)
            )
            q |= Q(pk__in=certs.values("holder_id"))
        return queryset.filter(q)

    def filter_enterprise(self, queryset, name, value):
        return queryset.filter(
            pk__in=self.visible_posts().filter(enterprise=value).values("person_id")
        )

    def filter_unit(self, queryset, name, value):
        posts = self.visible_posts().filter(enterprise__unit__path__startswith=value.path)
        return queryset.filter(pk__in=posts.values("person_id"))

    def filter_post_type(self, queryset, name, value):
        return queryset.filter(
            pk__in=self.visible_posts().filter(post_type=value).values("person_id")
        )

    def filter_compliance(self, queryset, name, value):
        on = self.day
        required = self.on_duty_posts().requiring_certificate()
        uncovered = required.non_compliant(on).values("person_id")
        if value == "non_compliant":
            return queryset.filter(pk__in=uncovered)
        if value == "compliant":
            return queryset.filter(pk__in=required.values("person_id")).exclude(pk__in=uncovered)
        return queryset.exclude(pk__in=required.values("person_id"))


# Certificate use cases ----------------------------------------------------------------


class _ActionForm(InvalidFieldsMixin, BootstrapMixin, forms.Form):
    """Base of the certificate forms: takes the certificate (`instance`) and the user."""

    def __init__(self, *args, instance: Certificate | None = None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.user = user
        self._style_fields()

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


def _not_future(value: date, label) -> date:
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("%(label)s不能晚于今天") % {"label": label})
    return value


class ReviewForm(_ActionForm):
    """复审: the review date and the interval granted (the kind's, or the extended one)."""

    review_date = forms.DateField(label=_("复审日期"), widget=DateInput)
    interval_years = forms.TypedChoiceField(label=_("下次复审间隔"), coerce=int)
    consent_by = forms.CharField(
        label=_("延长复审同意机关"),
        required=False,
        max_length=100,
        help_text=_("选择延长复审间隔时填写"),
    )
    consent_ref = forms.CharField(
        label=_("同意文号"), required=False, max_length=100, help_text=_("选择延长复审间隔时填写")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The view passes its own (empty) initial: propose today on the field itself.
        self.fields["review_date"].initial = timezone.localdate()
        kind = rules.KindRules.of(self.instance.kind)
        choices = [(i, _("%(n)s年") % {"n": i}) for i in kind.allowed_review_intervals()]
        field = self.fields["interval_years"]
        field.choices = choices
        field.initial = kind.review_interval_years
        if kind.extended_review_interval_years:
            field.help_text = _(
                "自初领日期起连续从事本工种%(years)s年以上、无违法行为，"
                "经发证机关同意可延长至%(n)s年"
            ) % {"n": kind.extended_review_interval_years, "years": kind.extension_min_years}
        else:
            del self.fields["consent_by"], self.fields["consent_ref"]

    def clean_review_date(self):
        return _not_future(self.cleaned_data["review_date"], _("复审日期"))


class RenewForm(_ActionForm):
    """换证 / 延期复审: the new card's dates, and its number and issuer if they changed."""

    issue_date = forms.DateField(label=_("新证发证日期"), widget=DateInput)
    valid_until = forms.DateField(
        label=_("有效期至"),
        required=False,
        widget=DateInput,
        help_text=_("不填则按证书类型的有效期自动计算"),
    )
    number = forms.CharField(
        label=_("新证书编号"), required=False, max_length=50, help_text=_("编号未变可不填")
    )
    issuing_authority = forms.CharField(
        label=_("发证机关"), required=False, max_length=100, help_text=_("不填则沿用原发证机关")
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"issue_date": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_issue_date(self):
        return _not_future(self.cleaned_data["issue_date"], _("发证日期"))

    def clean_number(self):
        return normalize_code(self.cleaned_data.get("number") or "")

    def clean(self):
        cleaned = super().clean()
        issue, until = cleaned.get("issue_date"), cleaned.get("valid_until")
        if issue and until and until < issue:
            self.add_error("valid_until", _("有效期至不能早于发证日期"))
        return cleaned

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["number"] = data.get("number") or None
        data["issuing_authority"] = data.get("issuing_authority") or None
        return data


class StateForm(_ActionForm):
    """撤销 / 注销: from which day, and why."""

    on = forms.DateField(label=_("生效日期"), widget=DateInput)
    reason = forms.CharField(
        label=_("原因"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class FlagDecisionForm(InvalidFieldsMixin, BootstrapMixin, forms.Form):
    """A district admin's decision on an integrity flag."""

    RESOLVE, DISMISS = "resolve", "dismiss"

    decision = forms.ChoiceField(
        label=_("处理结果"),
        choices=[(RESOLVE, _("已处理（确有问题）")), (DISMISS, _("排除（不是问题）"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("处理说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_fields()
        self.fields["decision"].widget.attrs["class"] = "form-check-input"


class PublicCheckForm(InvalidFieldsMixin, BootstrapMixin, forms.Form):
    """The public certificate check: the number on the card and the holder's name."""

    number = forms.CharField(
        label=_("证书编号"),
        max_length=60,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    name = forms.CharField(
        label=_("持证人姓名"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_fields()

    def clean_number(self):
        number = normalize_code(self.cleaned_data["number"])
        if not number:
            raise forms.ValidationError(_("请填写证书编号"))
        return number
