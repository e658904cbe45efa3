"""FilterSets of the training app: the list pages, the API and the exports share them."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xuanpei.orgs.filters import ScopedFilterSet, UnitSubtreeFilter
from xuanpei.orgs.models import Sector, Unit
from xuanpei.plans.models import Task
from xuanpei.training.models import Attendance, Enrolment, TrainingSession
from xuanpei.workforce.models import Person

# What the counts count (the computed targets, the statistics): held or archived.
DONE = "done"
STATUS_CHOICES = [*TrainingSession.Status.choices, (DONE, _("已举办或已归档"))]


class SessionFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    year = django_filters.NumberFilter(
        field_name="starts_at__year", label=_("年度"), min_value=1900, max_value=2100
    )
    kind = django_filters.ChoiceFilter(
        choices=TrainingSession.Kind.choices, label=_("培训类型"), empty_label=_("全部类型")
    )
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="by_status", label=_("状态"), empty_label=_("全部状态")
    )
    # Departments organise classes too (the statistics link their rows here).
    unit = UnitSubtreeFilter(
        label=_("组织单位（含下级）"), queryset=Unit.objects.all(), empty_label=_("全部单位")
    )
    # The local date the class starts (a quarter, a plan period: the links of the counts).
    date_from = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__gte", label=_("开始日期自")
    )
    date_to = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__lte", label=_("开始日期至")
    )
    sector = django_filters.ModelChoiceFilter(
        field_name="enterprise__sector", queryset=Sector.objects.all(), label=_("行业领域")
    )
    task = django_filters.ModelChoiceFilter(
        queryset=Task.objects.all(), label=_("计划任务"), empty_label=_("全部任务")
    )

    class Meta:
        model = TrainingSession
        fields = ["q", "year", "kind", "status", "unit", "task", "date_from", "date_to", "sector"]

    def by_status(self, queryset, name, value):
        if value == DONE:
            return queryset.filter(
                status__in=[TrainingSession.Status.HELD, TrainingSession.Status.ARCHIVED]
            )
        return queryset.filter(status=value)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(place__icontains=value)
            | Q(teacher__icontains=value)
            | Q(enterprise__name__icontains=value)
        )


class AttendanceFilterSet(ScopedFilterSet):
    session = django_filters.ModelChoiceFilter(
        queryset=TrainingSession.objects.all(), label=_("培训班次")
    )
    person = django_filters.ModelChoiceFilter(queryset=Person.objects.all(), label=_("人员"))

    class Meta:
        model = Attendance
        fields = ["session", "person", "method"]


class EnrolmentFilterSet(ScopedFilterSet):
    session = django_filters.ModelChoiceFilter(
        queryset=TrainingSession.objects.all(), label=_("培训班次")
    )
    person = django_filters.ModelChoiceFilter(queryset=Person.objects.all(), label=_("人员"))

    class Meta:
        model = Enrolment
        fields = ["session", "person", "source", "passed"]
