"""The trainee's sign-in form (issue #12 §3): name + the last 4 characters of the ID number.

The form checks only the shape; the service (`training.services.sign_in`) checks the
token, the window and the roster and answers in Chinese.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xuanpei.core.forms import BootstrapMixin
from xuanpei.orgs.forms import InvalidFieldsMixin
from xuanpei.training.services import ID_TAIL


class SignInForm(InvalidFieldsMixin, BootstrapMixin, forms.Form):
    name = forms.CharField(
        label=_("姓名"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    id_tail = forms.CharField(
        label=_("身份证号后4位"),
        max_length=4,
        min_length=4,
        help_text=_("末位为X的请输入X"),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "inputmode": "text",
                "pattern": "[0-9]{3}[0-9Xx]",
                "size": "6",
            }
        ),
        error_messages={
            "min_length": _("请填写身份证号后4位（4个字符）"),
            "max_length": _("请填写身份证号后4位（4个字符）"),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_fields()

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("请填写姓名"))
        return name

    def clean_id_tail(self):
        tail = self.cleaned_data["id_tail"].strip().upper()
        if not ID_TAIL.match(tail):
            raise forms.ValidationError(
                _("请填写身份证号后4位（4个字符，前3位为数字，末位为数字或X）")
            )
        return tail
