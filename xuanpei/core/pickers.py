"""Choice fields that scale (issue #8 item 9): tree pickers and autocompletes.

A district has ~200 units, several named alike (five 未央社区), and thousands of
enterprises. `enhance_pickers(fields)` turns, on any form:

- every choice field over a tree model (django-treebeard's materialized path, i.e.
  `orgs.Unit`) into a select whose labels are paths — 东新城 / 甲街道 / 未央社区 —
  built from the path with one query whatever the number of options, marked
  `data-picker="tree"` so `core/pickers.js` adds a search box;
- every choice field over a model that names an autocomplete URL
  (`AUTOCOMPLETE_URL = "orgs:enterprise_autocomplete"`) into a select that renders
  only the chosen option(s); `core/pickers.js` fetches matches from that scoped
  endpoint as the user types.

Validation is untouched: the field's (scoped) queryset still decides what is valid.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

PATH_SEPARATOR = " / "


def is_tree_model(model) -> bool:
    return isinstance(model, type) and issubclass(model, MP_Node)


class PathNames:
    """Names of the inner nodes of a tree, read once (one query) when a label first needs them.

    Only nodes with children can be ancestors, so this is the new towns and the
    镇街 — a few dozen rows — whatever the number of options; one instance is shared
    by the fields of a form.
    """

    def __init__(self, model):
        self.model = model
        self._names: dict[str, str] | None = None

    def get(self, path: str) -> str:
        if self._names is None:
            inner = self.model._base_manager.filter(numchild__gt=0)
            self._names = {node.path: str(node) for node in inner}
        return self._names.get(path, "?")


def tree_path_labeller(names: PathNames):
    """A `label_from_instance`: the names below the root down to the node (东新城 / 甲街道)."""

    def label(obj) -> str:
        steplen = obj.steplen
        parts = [names.get(obj.path[:end]) for end in range(2 * steplen, len(obj.path), steplen)]
        return PATH_SEPARATOR.join([*parts, str(obj)])

    return label


class AutocompleteMixin:
    """Render only the chosen option(s); matches come from `url` as the user types."""

    def __init__(self, url_name: str, attrs=None):
        self.url_name = url_name
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "data-autocomplete-url": reverse(self.url_name),
                "data-placeholder": str(_("名称或信用代码")),
                "data-empty-text": str(_("没有匹配的结果")),
                "data-clear-label": str(_("清除")),
            }
        )
        return context

    def optgroups(self, name, value, attrs=None):
        chosen = [str(v) for v in value if v not in (None, "")]
        full = self.choices
        self.choices = _chosen_choices(full, chosen)
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = full


def _chosen_choices(choices, chosen: list[str]) -> list:
    """The empty choice and the chosen objects only, read with one `pk__in` query."""
    field = getattr(choices, "field", None)
    if field is None:  # plain choices: keep the chosen ones
        return [(v, label) for v, label in choices if v in ("", None) or str(v) in chosen]
    rows = []
    if field.empty_label is not None and not isinstance(field, forms.ModelMultipleChoiceField):
        rows.append(("", field.empty_label))
    if chosen:
        try:
            objects = list(field.queryset.filter(pk__in=chosen))
        except (ValueError, TypeError, ValidationError):
            objects = []  # a tampered value: the field's own validation will say so
        rows.extend((field.prepare_value(obj), field.label_from_instance(obj)) for obj in objects)
    return rows


class AutocompleteSelect(AutocompleteMixin, forms.Select):
    pass


class AutocompleteSelectMultiple(AutocompleteMixin, forms.SelectMultiple):
    pass


def enhance_pickers(fields) -> None:
    """Give every unit field path labels and a search box, every enterprise field an autocomplete.

    `fields` is a form's `fields` dict; fields with their own check-box widget keep it
    (with path labels).
    """
    path_names: dict = {}
    for field in fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is None or not isinstance(field, forms.ModelChoiceField):
            continue
        model = queryset.model
        if is_tree_model(model):
            names = path_names.setdefault(model, PathNames(model))
            field.label_from_instance = tree_path_labeller(names)
            if isinstance(field.widget, forms.Select | forms.SelectMultiple):
                field.widget.attrs.update(
                    {
                        "data-picker": "tree",
                        "data-search-placeholder": str(_("输入名称筛选")),
                        "data-search-title": str(_("输入名称或路径筛选，如 甲街道 / 未央")),
                        "data-count-text": str(_("%(n)s 项匹配")),
                    }
                )
            continue
        url_name = getattr(model, "AUTOCOMPLETE_URL", None)
        if url_name and type(field.widget) in (forms.Select, forms.SelectMultiple):
            multiple = isinstance(field, forms.ModelMultipleChoiceField)
            widget_class = AutocompleteSelectMultiple if multiple else AutocompleteSelect
            widget = widget_class(url_name, attrs=dict(field.widget.attrs))
            widget.is_required = field.required
            widget.choices = field.choices
            field.widget = widget
