"""Filters of the audit log page (model, action, actor, date range, object id or text) and of
the import-batch pages (importer, user, date range; a batch's change table by action)."""

import django_filters
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xuanpei.audit.models import ImportBatch, ImportBatchRow
from xuanpei.core.forms import DateInput

ACTION_LABELS = {
    LogEntry.Action.CREATE: _("新增"),
    LogEntry.Action.UPDATE: _("修改"),
    LogEntry.Action.DELETE: _("删除"),
    LogEntry.Action.ACCESS: _("访问"),
}


def audited_content_types(request=None):
    """Content types of the models registered with auditlog (Unit, Sector, Enterprise, User, …)."""
    models = auditlog.get_models()
    pks = [ct.pk for ct in ContentType.objects.get_for_models(*models).values()]
    return ContentType.objects.filter(pk__in=pks).order_by("app_label", "model")


class ContentTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        model = obj.model_class()
        return str(model._meta.verbose_name) if model else obj.model


class ContentTypeFilter(django_filters.ModelChoiceFilter):
    field_class = ContentTypeChoiceField


class CompactFilterSet(django_filters.FilterSet):
    """The log browsers' filter bar: small Bootstrap inputs and selects."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm" if is_select else "form-control form-control-sm",
            )


class LogEntryFilterSet(CompactFilterSet):
    content_type = ContentTypeFilter(
        label=_("对象类型"), queryset=audited_content_types, empty_label=_("全部类型")
    )
    action = django_filters.ChoiceFilter(
        label=_("操作"), choices=list(ACTION_LABELS.items()), empty_label=_("全部操作")
    )
    actor = django_filters.CharFilter(label=_("操作人"), method="filter_actor")
    date_from = django_filters.DateFilter(
        label=_("开始日期"), field_name="timestamp", lookup_expr="date__gte", widget=DateInput
    )
    date_to = django_filters.DateFilter(
        label=_("结束日期"), field_name="timestamp", lookup_expr="date__lte", widget=DateInput
    )
    q = django_filters.CharFilter(label=_("对象"), method="filter_object")

    class Meta:
        model = LogEntry
        fields = ["content_type", "action", "actor", "date_from", "date_to", "q"]

    def filter_actor(self, queryset, name, value):
        """Username or name of the person who acted; "系统" finds rows written without one."""
        value = value.strip()
        if not value:
            return queryset
        if value in ("系统", "无"):
            return queryset.filter(actor__isnull=True)
        return queryset.filter(
            Q(actor__username__icontains=value) | Q(actor__first_name__icontains=value)
        )

    def filter_object(self, queryset, name, value):
        """An object id (exact) or text in the object's name as it was when logged."""
        value = value.strip()
        if not value:
            return queryset
        # Not the changes: SQLite keeps JSON with \u escapes, so Chinese text would not match.
        q = Q(object_repr__icontains=value)
        if value.isdigit():
            q |= Q(object_pk=value)
        return queryset.filter(q)


def importer_choices() -> list[tuple[str, str]]:
    """Every registered importer (registry name → what it imports), for the batch filter."""
    from xuanpei.core.imports.registry import get_importer, importer_names

    return [(name, str(get_importer(name).label or name)) for name in importer_names()]


class ImportBatchFilterSet(CompactFilterSet):
    """The batch list's filters: importer, who imported, date range, import or revert, status."""

    importer = django_filters.ChoiceFilter(
        label=_("导入类型"), choices=importer_choices, empty_label=_("全部类型")
    )
    user = django_filters.CharFilter(label=_("操作人"), method="filter_user")
    date_from = django_filters.DateFilter(
        label=_("开始日期"), field_name="started_at", lookup_expr="date__gte", widget=DateInput
    )
    date_to = django_filters.DateFilter(
        label=_("结束日期"), field_name="started_at", lookup_expr="date__lte", widget=DateInput
    )
    kind = django_filters.ChoiceFilter(
        label=_("批次类型"), choices=ImportBatch.Kind.choices, empty_label=_("导入和撤销")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=ImportBatch.Status.choices, empty_label=_("全部状态")
    )

    class Meta:
        model = ImportBatch
        fields = ["importer", "user", "date_from", "date_to", "kind", "status"]

    def filter_user(self, queryset, name, value):
        """Username or name of who imported (kept as text: the account may be gone);
        "系统" finds command-line imports without a user."""
        value = value.strip()
        if not value:
            return queryset
        if value in ("系统", "无"):
            return queryset.filter(user__isnull=True, username__in=("", "系统"))
        return queryset.filter(
            Q(username__icontains=value)
            | Q(user__username__icontains=value)
            | Q(user__first_name__icontains=value)
        )


class ImportBatchRowFilterSet(django_filters.FilterSet):
    """The change table's filters: action (the counts on the list link here) and object text."""

    action = django_filters.ChoiceFilter(
        label=_("操作"), choices=ImportBatchRow.Action.choices, empty_label=_("全部操作")
    )
    q = django_filters.CharFilter(label=_("对象"), method="filter_object")

    class Meta:
        model = ImportBatchRow
        fields = ["action", "q"]

    def filter_object(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        q = Q(object_repr__icontains=value)
        if value.isdigit():
            q |= Q(row_number=int(value))
        return queryset.filter(q)
