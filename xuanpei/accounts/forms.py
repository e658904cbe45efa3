"""Forms of the accounts pages. They validate input; the services do the writing."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanpei.accounts import services
from xuanpei.accounts.models import User
from xuanpei.core.forms import BootstrapMixin, ContactFieldsMixin, ScopedModelForm
from xuanpei.core.permissions import Role


class NewPasswordMixin:
    """Two password fields checked against AUTH_PASSWORD_VALIDATORS (messages in Chinese)."""

    def _add_password_fields(self):
        self.fields["password1"] = forms.CharField(
            label=gettext_lazy("密码"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            help_text=password_validation.password_validators_help_text_html(),
        )
        self.fields["password2"] = forms.CharField(
            label=gettext_lazy("确认密码"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        )

    def _clean_passwords(self, user):
        p1 = self.cleaned_data.get("password1")
        p2 = self.cleaned_data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致"))
        elif p1:
            try:
                password_validation.validate_password(p1, user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)


class UserForm(NewPasswordMixin, ScopedModelForm):
    """Create or edit an account; 所属单位 and 所属企业 are narrowed to the manager's scope."""

    class Meta:
        model = User
        fields = ["username", "first_name", "email", "phone", "unit", "enterprise", "role"]
        labels = {"first_name": gettext_lazy("姓名"), "username": gettext_lazy("用户名")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        editing = self.instance.pk is not None
        self.fields["role"].choices = [
            (value, label)
            for value, label in Role.choices
            if value in services.assignable_roles(user)
        ]
        self.fields["unit"].help_text = _("单位用户选择所属单位；企业用户留空并选择所属企业")
        self.fields["enterprise"].help_text = _("仅企业用户填写")
        # Enterprise accounts are opened along the 属地 chain, not by supervising
        # departments (issue #9 item 2): a department sees no such choice at all.
        enterprises = services.assignable_enterprises(user)
        if enterprises.exists() or self.instance.enterprise_id:
            self.fields["enterprise"].queryset = enterprises.only("id", "name")
        else:
            del self.fields["enterprise"]
            self.fields["unit"].help_text = ""
        if editing:
            self.fields["username"].disabled = True
            if self.instance.pk == user.pk:
                # Nobody changes their own role or home (no self-promotion, no lock-out).
                for name in ("unit", "enterprise", "role"):
                    if name in self.fields:
                        self.fields[name].disabled = True
        else:
            self._add_password_fields()
            self._style_fields()

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("unit")) == bool(cleaned.get("enterprise")):
            self.add_error("unit", _("请选择所属单位或所属企业（二选一）"))
        if "password1" in self.fields:
            probe = User(
                username=cleaned.get("username") or "",
                first_name=cleaned.get("first_name") or "",
                email=cleaned.get("email") or "",
            )
            self._clean_passwords(probe)
        return cleaned

    def _post_clean(self):
        # The model's own checks run in the service, with the actor's rules first.
        pass

    def field_values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in services.USER_FIELDS}


class SetPasswordForm(NewPasswordMixin, BootstrapMixin, forms.Form):
    """A manager sets a new password for a user of their scope."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self._add_password_fields()
        self._style_fields()

    def clean(self):
        cleaned = super().clean()
        self._clean_passwords(self.user)
        return cleaned


class ProfileForm(ContactFieldsMixin, BootstrapMixin, forms.ModelForm):
    """What anyone may change about themselves."""

    class Meta:
        model = User
        fields = ["first_name", "email", "phone"]
        labels = {"first_name": gettext_lazy("姓名")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepare_contact_fields()
        self._style_fields()


class StyledPasswordChangeForm(BootstrapMixin, PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_fields()
