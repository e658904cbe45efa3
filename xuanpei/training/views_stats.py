"""Training statistics pages (issue #12 item 10): the tables and charts of a year, and
every table as one sheet of an xlsx. Numbers come from `stats` (one SQL aggregate per
table, scoped to the user); every number links to the sessions (or names) behind it.
"""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from xuanpei.core.exports import write_sheet, xlsx_response
from xuanpei.core.scoping import reaches
from xuanpei.core.views import ScopedViewMixin
from xuanpei.orgs.models import Unit
from xuanpei.publicity.views import selected_year
from xuanpei.training import stats
from xuanpei.training.models import TrainingSession

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
        raw = self.request.GET.get("unit")
        if not raw:
            return None
        try:
            return Unit.objects.for_user(self.request.user, "view").get(pk=int(raw))
        except (ValueError, Unit.DoesNotExist):
            raise Http404(_("没有这个单位，或它不在您的管辖范围内")) from None

    def tables(self) -> dict:
        self.year = selected_year(self.request)
        self.unit = self.chosen_unit()
        return stats.tables(self.request.user, self.year, unit=self.unit, action=self.action)


def _chart(rows, value: str = "attendances") -> dict:
    return {
        "labels": [r.label for r in rows],
        "sessions": [r.sessions for r in rows],
        "values": [getattr(r, value) for r in rows],
        "urls": [r.url for r in rows],
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
