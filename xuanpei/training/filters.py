"""FilterSets of the training app: the list pages, the API and the exports share them."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xuanpei.orgs.filters import ScopedFilterSet, UnitSubtreeFilter
from xuanpei.orgs.models import Unit
from xuanpei.plans.models import Task
from xuanpei.training.models import Attendance, Enrolment, TrainingSession
from xuanpei.workforce.models import Person


class SessionFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    year = django_filters.NumberFilter(
        field_name="starts_at__year", label=_("年度"), min_value=1900, max_value=2100
    )
    kind = django_filters.ChoiceFilter(
        choices=TrainingSession.Kind.choices, label=_("培训类型"), empty_label=_("全部类型")
    )
    status = django_filters.ChoiceFilter(
        choices=TrainingSession.Status.choices, label=_("状态"), empty_label=_("全部状态")
    )
    unit = UnitSubtreeFilter(
        label=_("组织单位（含下级）"),
        queryset=Unit.objects.territorial(),
        empty_label=_("全部单位"),
    )
    task = django_filters.ModelChoiceFilter(
        queryset=Task.objects.all(), label=_("计划任务"), empty_label=_("全部任务")
    )

    class Meta:
        model = TrainingSession
        fields = ["q", "year", "kind", "status", "unit", "task"]

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
