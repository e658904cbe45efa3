"""A plan's two attachment tables as xlsx, out and back in (issue #4 §4), registered as
"plan_publicity" (附件1 宣传计划重点任务清单) and "plan_training" (附件2 教育培训计划安排一览表).

Both take the option "plan" (a plan pk: `xuanpei export plan_publicity --plan 3 --out
a.xlsx`, `xuanpei import plan_publicity a.xlsx --plan 3`; the pages pass the plan of
their URL). The export writes the attachment's layout — a title row, then the
headers of `tables.py` — and the import reads exactly that back:

- tasks are upserted by 任务编号 within the plan (new numbers create tasks at the end);
- units are names of the plan issuer's subtree (group words 各新城 / 各镇街 / 各行业部门
  expand); a name not on the platform is accepted only if the plan already records
  it as an outside unit (`Task.other_units`, e.g. 区委宣传部);
- 完成时限 and 工作目标 are read by `tables.parse_timeframe/parse_targets`.

Only a user who may change the plan imports (`services.can_manage`); a file is
all-or-nothing; after writing, each published task's assignments are synced
(`services.sync_assignments`; a draft's are made when it is issued). Importing an
export changes nothing.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from xuanpei.core.archives import ArchiveError, check_archive
from xuanpei.core.exports import Exporter
from xuanpei.core.imports import (
    Importer,
    ImportFileError,
    Row,
    RowError,
    register_exporter,
    register_importer,
)
from xuanpei.core.imports.batches import discard_kept_file
from xuanpei.core.imports.headers import HEADER_SEARCH_ROWS, find_header
from xuanpei.core.imports.values import safe_row, split_names
from xuanpei.orgs.models import Unit
from xuanpei.plans import services
from xuanpei.plans.choices import PlanStatus, TaskKind
from xuanpei.plans.models import Plan, ReportQuantity, Target, Task
from xuanpei.plans.tables import (
    PUBLICITY,
    TABLES,
    TARGETS,
    TIMEFRAME,
    TIMEFRAME_FIELDS,
    TRAINING,
    Table,
    TimeframeValue,
    format_targets,
    format_timeframe,
    parse_targets,
    parse_timeframe,
    table_title,
    to_value,
)
from xuanpei.plans.unit_names import UnitIndex, norm


def _timeframe(task: Task) -> TimeframeValue:
    return TimeframeValue(task.timeframe, task.start_date, task.end_date, task.timeframe_note)


def resolve_plan(value, user, *, manage: bool) -> Plan:
    """The plan an option names (its pk); ValueError if there is none the user may see."""
    try:
        plan = Plan.objects.select_related("unit").get(pk=int(value))
    except (TypeError, ValueError, Plan.DoesNotExist):
        raise ValueError(_("没有编号为 %(v)s 的计划") % {"v": value}) from None
    if user is not None:
        if not Plan.objects.for_user(user, "view").filter(pk=plan.pk).exists():
            raise ValueError(_("没有编号为 %(v)s 的计划") % {"v": value})
        if manage and not services.can_manage(user, plan):
            raise PermissionDenied(_("您没有修改该计划的权限，不能导入其任务"))
    return plan


# Export ------------------------------------------------------------------------------

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
# Column widths (characters) by column key; CJK text is about two characters wide.
WIDTHS = {
    "seq": 6,
    "number": 10,
    "title": 22,
    "content": 60,
    "audience": 20,
    "method": 14,
    "lead_units": 20,
    "cooperating_units": 24,
    "timeframe_text": 20,
    "targets_text": 28,
    "deliverables": 24,
}


def task_cells(task: Task, index: UnitIndex) -> dict[str, object]:
    """A task's cells by column key, as a person would write them."""
    leads = list(task.lead_units.all())
    others = split_names(task.other_units)
    # Units outside the platform go with the cooperating units — or lead, if nothing else does.
    lead_others, coop_others = (others, []) if not leads else ([], others)
    value = TimeframeValue(task.timeframe, task.start_date, task.end_date, task.timeframe_note)
    return {
        "number": task.number,
        "title": task.title,
        "content": task.content,
        "audience": task.audience,
        "method": task.method,
        "lead_units": index.text(leads, lead_others),
        "cooperating_units": index.text(
            list(task.cooperating_units.all()), coop_others, leads={u.pk for u in leads}
        ),
        "timeframe_text": format_timeframe(value),
        "targets_text": format_targets(task.targets.all(), task.timeframe),
        "deliverables": task.deliverables,
    }


def write_table_sheet(sheet, plan: Plan, table: Table, tasks, index: UnitIndex) -> int:
    """The attachment's layout on `sheet`: title row, header row, one row per task."""
    columns = table.columns
    sheet.title = table.label[:31]
    last = get_column_letter(len(columns))
    # The title carries the plan's title as typed: text, never a formula.
    sheet.append(safe_row([table_title(plan, table)]))
    sheet.merge_cells(f"A1:{last}1")
    title = sheet["A1"]
    title.font = Font(bold=True, size=16)
    title.alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 36
    sheet.append(safe_row(table.headers))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    count = 0
    for count, task in enumerate(tasks, 1):  # noqa: B007 - the count is returned
        cells = task_cells(task, index)
        cells["seq"] = count
        values = [cells[c.key] for c in columns]
        sheet.append(safe_row(values))
        for cell in sheet[sheet.max_row]:
            cell.border = BORDER
            cell.alignment = wrap
    for position, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(position)].width = WIDTHS.get(column.key, 16)
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "1:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return count


def plan_tasks(plan: Plan, table: Table, user=None):
    """The plan's tasks of `table`, as the user may read them (an issued plan is read below)."""
    qs = Task.objects.all() if user is None else Task.objects.for_user(user, "view")
    return (
        qs.filter(plan=plan, kind=table.kind)
        .prefetch_related("lead_units", "cooperating_units", "targets")
        .order_by("order", "pk")
    )


def write_plan_workbook(plan: Plan, target, *, user=None) -> dict[str, int]:
    """Both tables, one sheet each (for `xuanpei plan export YEAR`); counts by table key."""
    workbook = Workbook()
    index = UnitIndex(plan.unit)
    counts = {}
    for position, table in enumerate((PUBLICITY, TRAINING)):
        sheet = workbook.active if position == 0 else workbook.create_sheet()
        counts[table.key] = write_table_sheet(
            sheet, plan, table, plan_tasks(plan, table, user), index
        )
    workbook.save(target)
    return counts


class TaskTableExporter(Exporter):
    """One attachment table of a plan (option "plan"), in the attachment's layout."""

    table: Table
    model = Task
    options_supported = ("plan",)

    def __init__(self, *, user=None, options: dict | None = None):
        super().__init__(user=user)
        self.options = {k: v for k, v in (options or {}).items() if v not in (None, "")}
        self._plan: Plan | None = None

    @property
    def plan(self) -> Plan:
        if self._plan is None:
            if "plan" not in self.options:
                raise ValueError(f"导出 {self.name} 需要 --plan 参数（计划编号）")
            self._plan = resolve_plan(self.options["plan"], self.user, manage=False)
        return self._plan

    @property
    def headers(self) -> list[str]:
        return self.table.headers

    def queryset(self):
        return plan_tasks(self.plan, self.table, self.user)

    def write(self, qs, target) -> int:
        workbook = Workbook()
        count = write_table_sheet(
            workbook.active, self.plan, self.table, qs, UnitIndex(self.plan.unit)
        )
        workbook.save(target)
        return count

    def filename(self) -> str:
        return f"{table_title(self.plan, self.table)}.xlsx"


@register_exporter
class PublicityTaskExporter(TaskTableExporter):
    name = "plan_publicity"
    label = PUBLICITY.label
    table = PUBLICITY


@register_exporter
class TrainingTaskExporter(TaskTableExporter):
    name = "plan_training"
    label = TRAINING.label
    table = TRAINING


# Import ------------------------------------------------------------------------------


class TaskTableImporter(Importer):
    """Upsert one attachment table's tasks into a plan (see the module docstring)."""

    table: Table
    noun = gettext_lazy("任务")
    all_or_nothing = True  # half a task list is a wrong plan
    model = Task
    key_field = "number"
    options_supported = ("plan",)

    def __init__(self, *, user=None, remote_addr=None, options=None):
        super().__init__(user=user, remote_addr=remote_addr, options=options)
        self.plan = (
            resolve_plan(self.options["plan"], user, manage=True)
            if "plan" in self.options
            else None
        )

    def run(self, data, *, filename, all_or_nothing=False, **kwargs):
        """A plan table lands whole or not at all: half a task list is a wrong plan."""
        if self.plan is None:
            raise ValueError(f"导入 {self.name} 需要 --plan 参数（计划编号）")
        if self.plan.status == PlanStatus.CLOSED:
            raise ImportFileError(_("该计划已结束，不能再导入任务"))
        return super().run(data, filename=filename, all_or_nothing=True, **kwargs)

    def begin(self) -> None:
        self.units = UnitIndex(self.plan.unit)
        tasks = list(self.plan.tasks.prefetch_related("lead_units", "cooperating_units", "targets"))
        self.existing = {norm(t.number): t for t in tasks}
        self.outside = {norm(n) for t in tasks for n in split_names(t.other_units)}
        self.next_order = max((t.order for t in tasks), default=0) + 1

    def queryset(self):
        return super().queryset().filter(plan=self.plan)

    # Cells -------------------------------------------------------------------------

    def clean_number(self, text: str) -> str:
        return norm(text)

    def clean_row(self, row: Row) -> None:
        self._clean_units(row)
        self._clean_timeframe(row)
        if "targets_text" in row.text:
            try:
                row.data["target_values"] = parse_targets(row.text["targets_text"])
            except ValidationError as exc:
                self.reject(row, "targets_text", exc.messages[0])

    def _units(self, row: Row, key: str, leads=()) -> tuple[list[Unit], list[str]]:
        """A unit cell's platform units and outside names; a group word leaves out `leads`."""
        units: dict[int, Unit] = {}
        others: list[str] = []
        skip = {u.pk for u in leads}
        for name in split_names(row.text.get(key, "")):
            group = self.units.group(name)
            if group is not None:
                units.update((u.pk, u) for u in group if u.pk not in skip)
                continue
            found = self.units.find(name)
            if len(found) == 1:
                units[found[0].pk] = found[0]
            elif len(found) > 1:
                paths = "、".join(self.units.label(u) for u in found)
                self.reject(
                    row,
                    key,
                    _("单位“%(name)s”有重名：%(paths)s，请写成路径")
                    % {"name": name, "paths": paths},
                )
            elif norm(name) in self.outside:
                others.append(name)
            else:
                # Whether the name exists outside the issuer's subtree is not said.
                self.reject(row, key, self._unknown_unit(name))
        return list(units.values()), others

    def _unknown_unit(self, name: str) -> str:
        if self.plan.unit.is_root():
            return _("未找到单位“%(name)s”：请填写本平台单位的名称，重名时写成路径") % {
                "name": name
            }
        return _("未找到单位“%(name)s”：请填写%(issuer)s或其下级单位的名称，重名时写成路径") % {
            "name": name,
            "issuer": self.plan.unit.name,
        }

    def _clean_units(self, row: Row) -> None:
        leads, lead_others = self._units(row, "lead_units")
        coops, coop_others = self._units(row, "cooperating_units", leads)
        if not row.ok:
            return
        both = [u.name for u in coops if u.pk in {x.pk for x in leads}]
        if both:
            self.reject(
                row,
                "cooperating_units",
                _("%(names)s已是牵头单位，不能同时作为配合单位") % {"names": "、".join(both)},
            )
            return
        if not leads and not coops:
            self.reject(row, "lead_units", _("至少须有一个本平台的单位作为牵头单位或配合单位"))
            return
        row.data["lead_units"] = leads
        row.data["cooperating_units"] = coops
        others = lead_others + coop_others
        current = self.existing.get(norm(row.data["number"]))
        if (
            current is not None
            and not row.text.get("cooperating_units")
            and "cooperating_units" not in row.cleared
        ):
            # A blank 配合单位 keeps the cooperating units, and with them the outside
            # units the export writes in that cell (`task_cells`).
            known = {norm(n) for n in others}
            others += [n for n in split_names(current.other_units) if norm(n) not in known]
        if current is not None and {norm(n) for n in split_names(current.other_units)} == {
            norm(n) for n in others
        }:
            row.data["other_units"] = current.other_units  # as recorded, order and all
        else:
            row.data["other_units"] = "、".join(others)

    def _clean_timeframe(self, row: Row) -> None:
        text = row.text.get("timeframe_text")
        if text is None:
            return  # no 完成时限 column: the timeframe stays as it is
        try:
            value = parse_timeframe(text, year=self.plan.year)
        except ValidationError as exc:
            self.reject(row, "timeframe_text", exc.messages[0])
            return
        first = value.start or value.end
        if first and first.year != self.plan.year:
            self.reject(
                row,
                "timeframe_text",
                _("完成时限须在计划年度（%(year)d年）内") % {"year": self.plan.year},
            )
            return
        if len(value.note) > Task._meta.get_field("timeframe_note").max_length:
            self.reject(row, "timeframe_text", _("括号中的时限说明过长（最多 100 字）"))
            return
        row.data.update(
            timeframe=value.timeframe,
            start_date=value.start,
            end_date=value.end,
            timeframe_note=value.note,
        )

    # Pipeline hooks ------------------------------------------------------------------

    def _attach_existing(self, rows: list[Row]) -> None:
        """By 任务编号 within this plan only (numbers repeat across plans and years)."""
        for row in rows:
            row.instance = self.existing.get(norm(row.data["number"]))
            if row.instance is not None:
                row.data["number"] = row.instance.number  # as recorded (（一） or (一))

    def check_scope(self, rows: list[Row]) -> None:
        """The plan is the user's to change (checked once); a row may not move a task
        between the tables."""
        for row in rows:
            task = row.instance
            if task is not None and task.kind != self.table.kind:
                self.reject(
                    row,
                    "number",
                    _("任务编号“%(number)s”是本计划中的%(kind)s任务，不在本表中")
                    % {"number": task.number, "kind": TaskKind(task.kind).label},
                )

    def _plan(self, row: Row) -> None:
        super()._plan(row)
        if not row.ok or "target_values" not in row.data:
            return
        current = list(row.instance.targets.all()) if row.instance is not None else []
        wanted = row.data["target_values"]
        if [to_value(t) for t in current] == wanted:
            return
        kept = {t.name for t in wanted}
        gone = [t for t in current if t.name not in kept]
        reported = set(
            ReportQuantity.objects.filter(target__in=gone).values_list("target__name", flat=True)
        )
        if reported:
            self.reject(
                row,
                "targets_text",
                _("目标“%(names)s”已有单位填报了完成量，不能删除")
                % {"names": "、".join(sorted(reported))},
            )
            return
        row.changed.append("targets")
        if row.action == "unchanged":
            row.action = "updated"

    def describe(self, row: Row) -> str:
        return f"{row.data.get('number', '')} {row.data.get('title', '')}".strip()

    def field_changes(self, row: Row) -> list[tuple[str, str, str]]:
        """完成时限 and 工作目标 as their cells read, not as the fields behind them."""
        plain = [f for f in row.changed if f not in TIMEFRAME_FIELDS and f != "targets"]
        changes = super().field_changes(replace(row, changed=plain))
        old, new = row.instance, row.target
        if any(f in row.changed for f in TIMEFRAME_FIELDS):
            changes.append(
                (
                    str(TIMEFRAME.header),
                    format_timeframe(_timeframe(old)),
                    format_timeframe(_timeframe(new)),
                )
            )
        if "targets" in row.changed:
            changes.append(
                (
                    str(TARGETS.header),
                    format_targets(old.targets.all(), old.timeframe),
                    format_targets(row.data.get("target_values", []), new.timeframe),
                )
            )
        return changes

    # Writing ---------------------------------------------------------------------------

    def save_row(self, row: Row) -> None:
        task = row.target
        if row.action == "created":
            task.plan = self.plan
            task.kind = self.table.kind
            task.order = self.next_order
            self.next_order += 1
            task.created_by = self.user
            task.save()
        else:
            scalar = [f for f in row.changed if f not in row.m2m and f != "targets"]
            if scalar:
                task.save(update_fields=self._update_fields(scalar))
        for name, values in row.m2m.items():
            if row.action == "created" or name in row.changed:
                getattr(task, name).set(values)
        if row.action == "created" or "targets" in row.changed:
            self._save_targets(task, row.data.get("target_values", []))
        if self.plan.is_published:
            services.sync_assignments(task, actor=self.user)

    def _save_targets(self, task: Task, wanted) -> None:
        """Edit targets in place, matched by name: reported quantities stay attached."""
        current: dict[str, list[Target]] = {}
        for target in task.targets.all() if task.pk else []:
            current.setdefault(target.name, []).append(target)
        for order, value in enumerate(wanted):
            matches = current.get(value.name)
            target = matches.pop(0) if matches else Target(task=task, created_by=self.user)
            fields = {
                "order": order,
                "name": value.name,
                "comparator": value.comparator,
                "value": value.value,
                "unit_label": value.unit_label,
                "per_period": value.per_period,
            }
            changed = [k for k, v in fields.items() if getattr(target, k) != v]
            for key in changed:
                setattr(target, key, fields[key])
            if target.pk is None:
                target.save()
            elif changed:
                target.save(update_fields=[*changed, "updated_at"])
        for leftovers in current.values():
            for target in leftovers:
                target.delete()


@register_importer
class PublicityTaskImporter(TaskTableImporter):
    name = "plan_publicity"
    label = PUBLICITY.label
    table = PUBLICITY
    columns = PUBLICITY.columns


@register_importer
class TrainingTaskImporter(TaskTableImporter):
    name = "plan_training"
    label = TRAINING.label
    table = TRAINING
    columns = TRAINING.columns


IMPORTERS = {PUBLICITY.key: PublicityTaskImporter, TRAINING.key: TrainingTaskImporter}
EXPORTERS = {PUBLICITY.key: PublicityTaskExporter, TRAINING.key: TrainingTaskExporter}


# Both tables in one workbook (`xuanpei plan import YEAR FILE`) --------------------------


def split_workbook(data) -> list[tuple[Table, bytes]]:
    """Each sheet of a workbook that holds one of the tables, as a one-sheet xlsx.

    The core reader reads a file's first sheet; a plan workbook has two. Which
    table a sheet holds is decided by its header row.
    """
    source = data if isinstance(data, bytes | bytearray) else Path(data).read_bytes()
    if not source.strip():
        raise ImportFileError(_("文件是空的，请检查后重新上传"))
    if not source.startswith(b"PK\x03\x04"):
        raise ImportFileError(_("文件内容不是有效的 Excel 文件，请用 Excel 另存为 .xlsx 后重试"))
    try:
        check_archive(source, name=Path(str(data)).name if not isinstance(data, bytes) else "")
    except ArchiveError as exc:  # a zip bomb, before openpyxl unpacks it (issue #9)
        raise ImportFileError(exc.message) from exc
    try:
        workbook = load_workbook(io.BytesIO(source))
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is one message
        raise ImportFileError(_("无法读取 Excel 文件，文件可能已损坏")) from exc
    found = []
    for sheet in workbook.worksheets:
        head = [
            (n, list(r))
            for n, r in enumerate(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), 1)
        ]
        best, width, header_row = None, 0, 0
        for table in (PUBLICITY, TRAINING):
            try:
                header = find_header(head, table.columns)
            except ImportFileError:
                continue
            if len(header.positions) > width:
                best, width, header_row = table, len(header.positions), header.row_number
        if best is None or not _has_data(sheet, header_row):
            continue  # an empty table (a plan without training tasks) is not an error
        single = Workbook()
        target = single.active
        for row in sheet.iter_rows(values_only=True):
            target.append(list(row))
        buffer = io.BytesIO()
        single.save(buffer)
        found.append((best, buffer.getvalue()))
    if not found:
        raise ImportFileError(
            _("文件中没有找到填有数据的宣传计划重点任务清单或教育培训计划安排一览表")
        )
    return found


def _has_data(sheet, header_row: int) -> bool:
    return any(
        any(v not in (None, "") for v in row)
        for row in sheet.iter_rows(min_row=header_row + 1, values_only=True)
    )


def workbook_errors(results: dict) -> list[RowError]:
    """The errors of `import_plan_workbook`, each column named with its table (one report)."""
    return [
        replace(error, column=f"{TABLES[key].label}·{error.column}")
        for key, result in results.items()
        for error in result.errors
    ]


def import_plan_workbook(
    plan: Plan, data, *, user=None, dry_run: bool = False, max_bytes: int | None = None
) -> dict:
    """Import every table sheet of a workbook into `plan`, all of them or nothing.

    `max_bytes`: as `Importer.run` (None = the upload limit, 0 = none, for the CLI).
    Returns {table key: ImportResult}. Raises ImportFileError, PermissionDenied.
    """
    results = {}
    with transaction.atomic():
        for table, content in split_workbook(data):
            importer = IMPORTERS[table.key](user=user, options={"plan": plan.pk})
            results[table.key] = importer.run(
                content, filename=f"{table.key}.xlsx", dry_run=dry_run, max_bytes=max_bytes
            )
        if not dry_run and any(not r.ok for r in results.values()):
            transaction.set_rollback(True)
            for result in results.values():
                # The batch rows roll back; the kept copy of the file is not transactional.
                discard_kept_file(result.batch_file)
                if not result.error:
                    result.commit_failed(_("另一张表有错误，所有数据均未写入"))
    return results
