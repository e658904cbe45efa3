"""Form bases: Bootstrap classes, and every choice field narrowed to the user's scope."""

from django import forms

from xuanpei.core.scoping import ScopedQuerySet


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


class ScopedModelForm(BootstrapMixin, forms.ModelForm):
    """A ModelForm that takes `user` and narrows each ModelChoiceField to its scope.

    Choices of scoped models are limited to what the user may see; the write
    itself is re-checked against scope by the view (`ensure_in_scope`).
    """

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            qs = getattr(field, "queryset", None)
            if qs is not None and isinstance(qs, ScopedQuerySet) and user is not None:
                field.queryset = qs.for_user(user, "view")
        self._style_fields()
