"""Import batches (issue #10): every committed import writes one batch and its change
rows and no per-object LogEntry; a batch reverts to the database it found."""

import io
import json
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from openpyxl import load_workbook

from xuanpei.audit.models import ImportBatch, ImportBatchRow
from xuanpei.audit.services import RevertRefused, revert_batch, revert_conflicts
from xuanpei.core.imports import batches
from xuanpei.core.imports.service import run_import
from xuanpei.core.imports.testing import xlsx_bytes
from xuanpei.orgs.factories import make_uscc
from xuanpei.orgs.importers import HEADERS
from xuanpei.orgs.models import Enterprise
from xuanpei.orgs.services import update_enterprise
from xuanpei.plans.choices import TaskKind
from xuanpei.plans.factories import PlanFactory, TargetFactory, TaskFactory
from xuanpei.plans.importers import (
    PublicityTaskExporter,
    TrainingTaskExporter,
    import_plan_workbook,
    write_plan_workbook,
)
from xuanpei.plans.models import Assignment, Target, Task
from xuanpei.plans.tests.test_task_tables import edited, export_bytes
from xuanpei.workforce.factories import PostFactory
from xuanpei.workforce.models import Post

pytestmark = pytest.mark.django_db
Action = ImportBatchRow.Action


def snapshot(*models) -> dict:
    """Every row of the tables (values, not counts), m2m link tables included."""
    tables = {}
    for model in models:
        for m in (model, *(f.remote_field.through for f in model._meta.many_to_many)):
            names = [f.attname for f in m._meta.concrete_fields]
            tables[m._meta.db_table] = sorted(
                tuple(str(v) for v in row) for row in m._base_manager.values_list(*names)
            )
    return tables


def ent_row(uscc, name="新建甲公司", departments="", risk="一般"):
    values = {
        "企业名称": name,
        "统一社会信用代码": uscc,
        "属地": "甲街道",
        "行业主管部门": departments,
        "行业领域": "工矿商贸",
        "规模": "小型",
        "风险等级": risk,
    }
    return [values.get(h, "") for h in HEADERS]


def ent_import(user, *rows, dry_run=False):
    data = xlsx_bytes([list(HEADERS), *rows])
    return run_import("enterprises", data, filename="企业.xlsx", user=user, dry_run=dry_run)


# Enterprises ---------------------------------------------------------------------------


@pytest.fixture
def enterprise_file(district):
    """Row 2 creates, row 3 updates (name, risk, departments), row 4 changes nothing."""
    a1, a2 = district.ent_a1, district.ent_a2
    return (
        ent_row(make_uscc(7), departments="教育局"),
        ent_row(a1.uscc, name="改名公司", departments="教育局、住建局", risk="重大"),
        [
            {
                "企业名称": a2.name,
                "统一社会信用代码": a2.uscc,
                "属地": a2.unit.name,
                "行业领域": a2.sector.name,
            }.get(h, "")
            for h in HEADERS
        ],
    )


def test_an_enterprise_import_writes_one_batch_and_no_log_entry(district, enterprise_file):
    logs = LogEntry.objects.count()
    result = ent_import(district.town_a, *enterprise_file)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1), result.errors
    assert LogEntry.objects.count() == logs
    batch = ImportBatch.objects.get()
    assert result.batch_id == batch.pk
    assert (batch.kind, batch.status, batch.importer, batch.user, batch.unit) == (
        ImportBatch.Kind.IMPORT,
        ImportBatch.Status.COMMITTED,
        "enterprises",
        district.town_a,
        district.town_a.unit,
    )
    assert (batch.rows, batch.accepted, batch.created, batch.updated, batch.unchanged) == (
        3,
        3,
        1,
        1,
        1,
    )
    assert batch.file_name == "企业.xlsx" and len(batch.file_sha256) == 64
    assert default_storage.exists(batch.file_path)
    assert batch.finished_at is not None
    rows = {(r.row_number, r.action): r for r in batch.changes.all()}
    assert set(rows) == {(2, Action.CREATED), (3, Action.UPDATED), (4, Action.UNCHANGED)}
    update = rows[3, Action.UPDATED]
    assert update.object_id == district.ent_a1.pk
    assert update.changes["企业名称"] == ["东城甲企业", "改名公司"]
    assert update.before["name"] == "东城甲企业" and update.after["name"] == "改名公司"
    assert "departments" in update.after


def test_a_dry_run_and_a_failed_commit_write_no_batch(district, enterprise_file, monkeypatch):
    ent_import(district.town_a, *enterprise_file, dry_run=True)
    assert not ImportBatch.objects.exists()

    def broken(self, row):
        raise RuntimeError("disk full")

    monkeypatch.setattr("xuanpei.orgs.importers.EnterpriseImporter.save_row", broken)
    result = ent_import(district.town_a, *enterprise_file)
    assert result.error and result.batch_id is None
    assert not ImportBatch.objects.exists() and not ImportBatchRow.objects.exists()
    assert (
        not default_storage.exists(batches.BATCH_DIR)
        or not default_storage.listdir(batches.BATCH_DIR)[1]
    )


def test_an_enterprise_batch_reverts_to_the_database_it_found(district, enterprise_file):
    before = snapshot(Enterprise)
    logs = LogEntry.objects.count()
    result = ent_import(district.town_a, *enterprise_file)
    assert snapshot(Enterprise) != before
    undo = revert_batch(ImportBatch.objects.get(pk=result.batch_id), actor=district.district)
    assert snapshot(Enterprise) == before
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert batch.status == ImportBatch.Status.REVERTED
    assert (undo.kind, undo.reverts, undo.user) == (
        ImportBatch.Kind.REVERT,
        batch,
        district.district,
    )
    assert {(r.row_number, r.action) for r in undo.changes.all()} == {
        (2, Action.DELETED),
        (3, Action.UPDATED),
    }
    restored = undo.changes.get(action=Action.UPDATED)
    assert restored.changes["企业名称"] == ["改名公司", "东城甲企业"]
    # The status change is in the log (ImportBatch is registered), nothing else is.
    new = LogEntry.objects.filter(pk__gt=0).count() - logs
    assert new == 1
    assert LogEntry.objects.get_for_object(batch).get().actor == district.district

    with pytest.raises(RevertRefused, match="该批次已于.*撤销"):
        revert_batch(batch, actor=district.district)
    with pytest.raises(RevertRefused, match="撤销操作"):
        revert_batch(undo, actor=district.district)


def test_a_batch_edited_since_is_refused_with_the_row_and_nothing_reverted(
    district, enterprise_file
):
    result = ent_import(district.town_a, *enterprise_file)
    batch = ImportBatch.objects.get(pk=result.batch_id)
    edited_ent = Enterprise.objects.get(pk=district.ent_a1.pk)
    update_enterprise(edited_ent, actor=district.district, address="西路9号")
    after = snapshot(Enterprise)
    conflicts = revert_conflicts(batch)
    assert [(row, reason) for row, _obj, reason in conflicts] == [
        (3, conflicts[0][2]),
    ]
    assert "导入后于" in conflicts[0][2] and "改名公司" in conflicts[0][1]
    with pytest.raises(RevertRefused) as refused:
        revert_batch(batch, actor=district.district)
    assert "第 3 行" in refused.value.message and refused.value.conflicts == conflicts
    assert snapshot(Enterprise) == after
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert ImportBatch.objects.count() == 1


def test_every_conflict_is_listed_values_deletions_and_later_batches(district, enterprise_file):
    result = ent_import(district.town_a, *enterprise_file)
    batch = ImportBatch.objects.get(pk=result.batch_id)
    created = Enterprise.objects.get(uscc=make_uscc(7))
    # Changed behind the services' back (no LogEntry) and deleted without one.
    Enterprise.objects.filter(pk=district.ent_a1.pk).update(name="手改公司")
    # A later import of the created enterprise.
    ent_import(district.town_a, ent_row(make_uscc(7), name="再改公司", departments="教育局"))
    conflicts = revert_conflicts(batch)
    reasons = {(row, reason.split("（")[0].split("#")[0]) for row, _o, reason in conflicts}
    assert reasons == {(2, "之后的导入批次 "), (2, "导入后已被修改"), (3, "导入后已被修改")}
    assert "企业名称" in next(r for row, _o, r in conflicts if row == 3)
    Enterprise.objects.filter(pk=created.pk).delete()
    assert (2, "该对象已被删除") in {(row, r) for row, _o, r in revert_conflicts(batch)}


def test_removing_a_creation_that_others_hang_on_is_refused(district, enterprise_file):
    """A post added since to the imported enterprise would go with it (CASCADE)."""
    result = ent_import(district.town_a, *enterprise_file)
    batch = ImportBatch.objects.get(pk=result.batch_id)
    post = PostFactory(enterprise=Enterprise.objects.get(uscc=make_uscc(7)))
    conflicts = revert_conflicts(batch)
    assert (2, "新建甲公司") in {(row, obj.split("“")[1].rstrip("”")) for row, obj, _r in conflicts}
    assert any("连带删除本批次之外" in reason for _row, _o, reason in conflicts)
    with pytest.raises(RevertRefused):
        revert_batch(batch, actor=district.district)
    assert Post.objects.filter(pk=post.pk).exists()
    assert Enterprise.objects.filter(uscc=make_uscc(7)).exists()


def test_revert_is_for_district_admins_within_scope(district, enterprise_file):
    result = ent_import(district.town_a, *enterprise_file)
    batch = ImportBatch.objects.get(pk=result.batch_id)
    with pytest.raises(RevertRefused, match="区安委办管理员"):
        revert_batch(batch, actor=district.town_a)
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.COMMITTED


def test_a_batch_whose_file_was_removed_still_reads_and_reverts(district, enterprise_file):
    before = snapshot(Enterprise)
    result = ent_import(district.town_a, *enterprise_file)
    batch = ImportBatch.objects.get(pk=result.batch_id)
    default_storage.delete(batch.file_path)
    assert not batches.kept_file_exists(batch)
    assert batches.describe_missing_file(batch)
    assert batch.changes.count() == 3
    revert_batch(batch, actor=district.district)
    assert snapshot(Enterprise) == before


def test_the_command_prints_the_batch_id(district, tmp_path, capsys, enterprise_file):
    path = tmp_path / "e.xlsx"
    path.write_bytes(xlsx_bytes([list(HEADERS), enterprise_file[0]]))
    call_command("import", "enterprises", str(path), "--json")
    payload = json.loads(capsys.readouterr().out)
    batch = ImportBatch.objects.get()
    assert payload["batch_id"] == batch.pk and batch.username == batches.SYSTEM_USERNAME
    call_command("import", "enterprises", str(path), "--json", "--dry-run")
    assert json.loads(capsys.readouterr().out)["batch_id"] is None


# Plan tables -----------------------------------------------------------------------------

PLAN_MODELS = (Task, Target, Assignment)


@pytest.fixture
def plan(district):
    plan = PlanFactory(unit=district.root)
    month = TaskFactory(plan=plan, number="三(一)5", title="安全生产月")
    month.lead_units.set([district.dept_unit])
    month.cooperating_units.set([district.town_a_unit])
    TargetFactory(task=month, name="宣传活动", value=Decimal("3"), unit_label="场", order=0)
    TargetFactory(task=month, name="覆盖企业", value=Decimal("9"), unit_label="家", order=1)
    grid = TaskFactory(plan=plan, number="三(二)3", title="网格员培训", kind=TaskKind.TRAINING)
    grid.lead_units.set([district.town_a_unit, district.town_b_unit])
    TargetFactory(task=grid, name="网格员培训", value=Decimal("1"), unit_label="次")
    from xuanpei.plans.services import sync_assignments

    for task in (month, grid):
        sync_assignments(task)
    return plan


@pytest.mark.parametrize(
    ("name", "exporter", "edits", "new"),
    [
        (
            "plan_publicity",
            PublicityTaskExporter,
            # 三(一)5: another cooperating unit and targets (one dropped, one changed)
            {(3, 6): "西新城", (3, 8): "宣传活动≥5场"},
            [None, "三(一)10", "应急科普", "科普进社区", "各新城", "甲街道", "5月", "科普活动≥2场", "总结"],
        ),
        (
            "plan_training",
            TrainingTaskExporter,
            {(3, 3): "网格员业务培训"},
            [None, "三(二)9", "新培训", "内容", "网格员", "授课", "东新城", "", "6月", "培训≥1次"],
        ),
    ],
)  # fmt: skip
def test_a_plan_table_batch_records_tasks_and_targets_and_reverts(
    district, plan, name, exporter, edits, new
):
    before = snapshot(*PLAN_MODELS)
    logs = LogEntry.objects.count()
    content = edited(export_bytes(plan, exporter), edits, append=[new])
    result = run_import(
        name, content, filename="t.xlsx", user=district.district, options={"plan": plan.pk}
    )
    assert (result.created, result.updated) == (1, 1), result.errors
    assert LogEntry.objects.count() == logs
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert (batch.importer, batch.created, batch.updated) == (name, 1, 1)
    kinds = {(r.content_type.model, r.action) for r in batch.changes.all()}
    assert {("task", Action.CREATED), ("task", Action.UPDATED), ("target", Action.CREATED)} <= (
        kinds
    )
    assert ("assignment", Action.CREATED) in kinds  # the published plan's new assignments
    created_task = Task.objects.get(plan=plan, number=new[1])
    assert batch.changes.get(object_id=created_task.pk, content_type__model="task").row_number

    # Dry run: nothing.
    run_import(
        name,
        content,
        filename="t.xlsx",
        user=district.district,
        options={"plan": plan.pk},
        dry_run=True,
    )
    assert ImportBatch.objects.count() == 1

    revert_batch(batch, actor=district.district)
    assert snapshot(*PLAN_MODELS) == before
    assert LogEntry.objects.count() == logs + 1  # the batch's status change only


def test_a_failed_plan_import_writes_no_batch(district, plan):
    content = edited(export_bytes(plan), {(3, 6): "没有这个单位"})
    result = run_import(
        "plan_publicity",
        content,
        filename="t.xlsx",
        user=district.district,
        options={"plan": plan.pk},
    )
    assert result.error and result.batch_id is None
    assert not ImportBatch.objects.exists()


def test_batch_rows_go_in_by_copy_on_postgresql(district, monkeypatch):
    """The change table is written set-based: COPY on PostgreSQL, bulk_create on SQLite."""
    used, real = [], batches._copy_rows

    def spy(rows):
        used.append(len(rows))
        real(rows)

    monkeypatch.setattr(batches, "_copy_rows", spy)
    result = ent_import(district.town_a, ent_row(make_uscc(7)), ent_row(make_uscc(8)))
    assert ImportBatchRow.objects.filter(batch_id=result.batch_id).count() == 2
    assert used == ([2] if connection.vendor == "postgresql" else [])


def test_a_plan_workbook_rolled_back_by_its_other_sheet_keeps_no_batch(district, plan):
    buffer = io.BytesIO()
    write_plan_workbook(plan, buffer)
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    workbook.worksheets[0]["C3"] = "改名的任务"
    workbook.worksheets[1]["J3"] = "培训多次"  # an unreadable target: the whole file fails
    changed = io.BytesIO()
    workbook.save(changed)
    results = import_plan_workbook(plan, changed.getvalue(), user=district.district)
    assert all(r.batch_id is None for r in results.values())
    assert not ImportBatch.objects.exists()
    assert (
        not default_storage.exists(batches.BATCH_DIR)
        or not default_storage.listdir(batches.BATCH_DIR)[1]
    )
