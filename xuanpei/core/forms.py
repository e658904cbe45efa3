"""Form bases: Bootstrap classes, contact fields checked and normalised, and every
choice field narrowed to the user's scope, unit and enterprise fields as pickers
that scale (`core.pickers`)."""

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import EmailValidator

from xuanpei.core.field_rules import locked_fields
from xuanpei.core.pickers import enhance_pickers
from xuanpei.core.scoping import ScopedQuerySet
from xuanpei.core.validators import contact_validator


class DateInput(forms.DateInput):
    """The browser's date picker; the value always as YYYY-MM-DD (what it accepts)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class BootstrapMixin:
    def _style_fields(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class ContactFieldsMixin:
    """Phone, e-mail and link fields of a ModelForm: normalised, then checked by the form.

    The model field's validators (`core.validators.validate_phone` …) run on the
    form field itself, so a form that leaves model validation to its service still
    shows the Chinese message beside the field; the value is normalised first
    (full-width → half-width, spaces removed), which is what gets stored.
    """

    def _prepare_contact_fields(self):
        model = getattr(getattr(self, "_meta", None), "model", None)
        if model is None:
            return
        for name, field in self.fields.items():
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            found = contact_validator(model_field)
            if found is None:
                continue
            validator, normalize = found
            field.to_python = _normalizing(field.to_python, normalize)
            # Ours replaces Django's own e-mail check, so one message is shown, in Chinese.
            kept = [v for v in field.validators if not isinstance(v, EmailValidator)]
            field.validators = [*kept, validator]


def _normalizing(to_python, normalize):
    def wrapped(value):
        value = to_python(value)
        return normalize(value) if value else value

    return wrapped


class ScopedModelForm(ContactFieldsMixin, BootstrapMixin, forms.ModelForm):
    """A ModelForm that takes `user` and narrows each ModelChoiceField to its scope.

    Choices of scoped models are limited to what the user may see; the write
    itself is re-checked against scope by the view (`ensure_in_scope`). Fields the
    user may not change on this row (`core.field_rules`) are disabled: shown, never
    taken from the input — the API and imports refuse the same fields.
    """

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.locked_fields = locked_fields(user, self._meta.model, self.instance)
        for name in self.locked_fields:
            if name in self.fields:
                self.fields[name].disabled = True
        for field in self.fields.values():
            qs = getattr(field, "queryset", None)
            if qs is not None and isinstance(qs, ScopedQuerySet) and user is not None:
                field.queryset = qs.for_user(user, "view")
        enhance_pickers(self.fields)
        self._prepare_contact_fields()
        self._style_fields()
