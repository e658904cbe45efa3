"""Training statistics pages (issue #12 item 10): the tables and charts of a year, and
every table as one sheet of an xlsx. Numbers come from `stats` (one SQL aggregate per
table, scoped to the user); every number links to the sessions (or names) behind it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from xuanpei.core.exports import write_sheet, xlsx_response
from xuanpei.core.privacy import mask_id_like
from xuanpei.core.scoping import reaches
from xuanpei.core.views import ScopedViewMixin, unit_from_query
from xuanpei.orgs.models import Sector, Unit
from xuanpei.plans.models import Task
from xuanpei.publicity.views import selected_year
from xuanpei.training import stats
from xuanpei.training.models import Attendance, TrainingSession

COUNT_HEADERS = (
    gettext_lazy("培训班次"),
    gettext_lazy("参训人次"),
    gettext_lazy("参训人数"),
    gettext_lazy("认定学时"),
)


class StatsMixin(ScopedViewMixin):
    """The grant to read (or export) sessions; `?year=` and `?unit=` (a unit in scope)."""

    queryset = TrainingSession.objects.all()

    def chosen_unit(self) -> Unit | None:
        return unit_from_query(self.request)

    def tables(self) -> dict:
        self.year = selected_year(self.request)
        self.unit = self.chosen_unit()
        return stats.tables(self.request.user, self.year, unit=self.unit, action=self.action)


class PeopleFilterForm(forms.Form):
    """The filters a number's link names (stats.narrow); the choices are the user's."""

    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=1900, max_value=2100)
    kind = forms.ChoiceField(
        label=gettext_lazy("培训类型"),
        choices=[("", gettext_lazy("全部类型")), *TrainingSession.Kind.choices],
        required=False,
    )
    unit = forms.ModelChoiceField(Unit.objects.none(), label=gettext_lazy("单位"), required=False)
    task = forms.ModelChoiceField(
        Task.objects.none(), label=gettext_lazy("计划任务"), required=False
    )
    sector = forms.ModelChoiceField(
        Sector.objects.all(), label=gettext_lazy("行业领域"), required=False
    )
    date_from = forms.DateField(label=gettext_lazy("开始日期"), required=False)
    date_to = forms.DateField(label=gettext_lazy("结束日期"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.for_user(user, "view")
        self.fields["task"].queryset = Task.objects.for_user(user, "view")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("结束日期不能早于开始日期"))
        return data


class StatsPeopleView(ScopedViewMixin, generic.ListView):
    """The names behind 人次 and 人数: who attended the classes a number counts."""

    queryset = Attendance.objects.all()
    template_name = "training/stats_people.html"
    paginate_by = 50

    def get_queryset(self):
        data = self.request.GET.copy()
        data.setdefault("year", str(selected_year(self.request)))
        self.form = PeopleFilterForm(data, user=self.request.user)
        if not self.form.is_valid():
            return Attendance.objects.none().values("person_id")
        f = self.form.cleaned_data
        sessions = stats.narrow(
            stats.year_sessions(self.request.user, f["year"]),
            **{k: f[k] for k in ("kind", "unit", "task", "sector", "date_from", "date_to")},
        )
        return stats.people(self.request.user, sessions)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["object_list"] = rows = list(ctx["object_list"])
        for row in rows:
            row["id_masked"] = mask_id_like(row["person__id_number"])
        ctx["form"] = self.form
        valid = self.form.cleaned_data.items() if self.form.is_valid() else ()
        ctx["chosen"] = [
            (self.form.fields[name].label, self._shown(name, value))
            for name, value in valid
            if value not in (None, "")
        ]
        back = {k: self.request.GET[k] for k in ("year", "unit") if self.request.GET.get(k)}
        ctx["stats_url"] = f"{reverse('training:stats')}?{urlencode(back)}"
        return ctx

    def _shown(self, name: str, value) -> str:
        if name == "kind":
            return str(TrainingSession.Kind(value).label)
        return str(value)


def _chart(rows, value: str = "attendances") -> dict:
    return {
        "labels": [r.label for r in rows],
        "sessions": [r.sessions for r in rows],
        "values": [getattr(r, value) for r in rows],
        "urls": [r.url for r in rows],
        "people_urls": [r.people_url for r in rows],
    }


class StatsView(StatsMixin, generic.TemplateView):
    template_name = "training/stats.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        tables = self.tables()
        ctx.update(
            year=self.year,
            unit=self.unit,
            totals=tables["totals"],
            tables=[
                {"name": name, "label": stats.TABLES[name], "rows": tables[name]}
                for name in ("kind", "unit", "sector", "quarter")
                if name in tables
            ],
            schedule=tables["schedule"],
            schedule_label=stats.TABLES["schedule"],
            charts={
                "quarter": _chart(tables["quarter"]),
                "kind": _chart([r for r in tables["kind"] if r.sessions]),
            },
            can_export=reaches(self.request.user, TrainingSession, "export"),
            show_schedule=reaches(self.request.user, Task),  # not for an enterprise account
            today=timezone.localdate(),
        )
        return ctx


def _count_cells(row) -> list:
    return [row.sessions, row.attendances, row.people, row.hours]


class StatsExportView(StatsMixin, generic.View):
    """Every table of the page as one sheet each (core.exports: safe_row)."""

    action = "export"

    def get(self, request, *args, **kwargs):
        tables = self.tables()

        def write(fh):
            from openpyxl import Workbook

            workbook = Workbook(write_only=True)
            write_sheet(
                workbook,
                [_("分组"), *COUNT_HEADERS],
                [[r.label, *_count_cells(r)] for r in [tables["totals"]]],
                title=_("合计"),
                widths=(20, 10, 10, 10, 10),
            )
            for name in ("kind", "unit", "sector", "quarter"):
                if name not in tables:
                    continue
                write_sheet(
                    workbook,
                    [_("分组"), *COUNT_HEADERS],
                    ([r.label, *_count_cells(r)] for r in tables[name]),
                    title=str(stats.TABLES[name]),
                    widths=(28, 10, 10, 10, 10),
                )
            write_sheet(
                workbook,
                [
                    _("编号"),
                    _("任务"),
                    _("培训对象"),
                    _("完成时限"),
                    _("量化目标"),
                    _("已举办班次"),
                    _("参训人次"),
                    _("认定学时"),
                    _("最近一期"),
                    _("执行情况"),
                    _("未举办的时段"),
                ],
                (
                    [
                        r.task.number,
                        r.task.title,
                        r.task.audience,
                        r.timeframe,
                        "；".join(r.targets),
                        r.sessions,
                        r.attendances,
                        r.hours,
                        r.last_day,
                        r.state_label,
                        "、".join(r.missing),
                    ]
                    for r in tables["schedule"]
                ),
                title=str(stats.TABLES["schedule"]),
                widths=(12, 20, 30, 18, 30, 10, 10, 10, 12, 12, 30),
            )
            workbook.save(fh)

        name = self.unit.name if self.unit else _("培训统计")
        return xlsx_response(write, f"{name}-{self.year}.xlsx")
