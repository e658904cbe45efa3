"""Forms of the quarterly bulletin: the quarter to draft, the draft's text, the 发文字号."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuanpei.assessment.models import Bulletin
from xuanpei.core.forms import BootstrapMixin, ScopedModelForm


class BulletinAddForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        coerce=int,
        choices=[(1, _("第一季度")), (2, _("第二季度")), (3, _("第三季度")), (4, _("第四季度"))],
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        # The last ended quarter by default.
        q = (today.month - 1) // 3
        self.fields["year"].initial = today.year if q else today.year - 1
        self.fields["quarter"].initial = q or 4
        self._style_fields()


class BulletinEditForm(ScopedModelForm):
    doc_code = forms.CharField(
        label=_("发文字号"),
        required=False,
        max_length=60,
        help_text=_("如“东安委办〔2026〕3号”；留空则印发时自动编号"),
    )

    class Meta:
        model = Bulletin
        fields = [
            "title",
            "addressees",
            "overview",
            "units_text",
            "problems",
            "next_steps",
            "signer",
        ]
        widgets = {
            "addressees": forms.Textarea(attrs={"rows": 2}),
            "overview": forms.Textarea(attrs={"rows": 5}),
            "units_text": forms.Textarea(attrs={"rows": 5}),
            "problems": forms.Textarea(attrs={"rows": 6}),
            "next_steps": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doc_code"].initial = self.instance.doc_code


class BulletinIssueForm(BootstrapMixin, forms.Form):
    doc_code = forms.CharField(label=_("发文字号"), max_length=60)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_fields()
