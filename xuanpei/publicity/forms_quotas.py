"""The quota form (issue #11 item 4): a year's quota the district (or a unit) sets below it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from xuanpei.core.forms import ScopedModelForm
from xuanpei.orgs.choices import UnitKind
from xuanpei.publicity.models_ledger import Quota, QuotaMeasure

# The levels a quota applies to (coverage.KIND_GROUPS: 镇街 = 镇 and 街道, 村/社区 both).
APPLIES_TO = (
    (UnitKind.NEW_TOWN.value, _("新城")),
    (UnitKind.TOWN.value, _("镇街")),
    (UnitKind.VILLAGE.value, _("村/社区")),
)
MAX_MINIMUM = 1000


class QuotaForm(ScopedModelForm):
    applies_to = forms.ChoiceField(label=_("适用单位类型"), choices=APPLIES_TO)

    class Meta:
        model = Quota
        fields = ["year", "name", "applies_to", "campaign", "five_in", "measure", "minimum"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        campaign = self.fields["campaign"]
        campaign.required = False
        campaign.empty_label = _("全年（不限主题活动）")
        campaign.queryset = campaign.queryset.order_by("-year", "start_date", "name")
        self.fields["five_in"].required = False

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise ValidationError(_("年度应在 2000—2100 之间"))
        return year

    def clean_minimum(self):
        minimum = self.cleaned_data["minimum"]
        if not 1 <= minimum <= MAX_MINIMUM:
            raise ValidationError(_("最低次数应在 1—%(max)d 之间") % {"max": MAX_MINIMUM})
        return minimum

    def clean(self):
        data = super().clean()
        campaign, year = data.get("campaign"), data.get("year")
        if campaign and year and campaign.year != year:
            self.add_error(
                "campaign",
                _("所选主题活动是%(c)d年的，与定额年度%(y)d年不一致")
                % {"c": campaign.year, "y": year},
            )
        if data.get("measure") == QuotaMeasure.LOCALITIES and data.get("applies_to") not in (
            UnitKind.NEW_TOWN,
            UnitKind.TOWN,
        ):
            self.add_error("applies_to", _("村/社区全覆盖只适用于新城或镇街"))
        return data
