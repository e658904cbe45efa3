"""The activity import's set-based path (`Importer.bulk_write`, core/imports/bulk.py) against
the row-by-row path it replaced: the same activities, links, counts, messages, batch change
rows and plan-target refreshes from one file; a dry run writes nothing; a field's checks
give full_clean's messages."""

from __future__ import annotations

import re

import pytest
from auditlog.models import LogEntry
from django.db import connection, transaction

from xuanpei.audit.models import ImportBatch, ImportBatchRow
from xuanpei.publicity import metrics
from xuanpei.publicity.importers import ActivityImporter
from xuanpei.publicity.models_ledger import Activity, ReviewStatus
from xuanpei.publicity.tests import test_ledger_import as ledger_tests
from xuanpei.publicity.tests.test_ledger_import import (
    ACTIVITY_HEADERS,
    activity_row,
    counts,
    errors,
    imp,
)

plan_2024 = ledger_tests.plan_2024  # the fixture: campaigns and a plan task of 2024

pytestmark = pytest.mark.django_db

STAMPS = {"created_at", "updated_at", "submitted_at", "reviewed_at"}
M2M = ("campaigns", "tasks", "audiences", "forms")
TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2})?")


def _times(value):
    """A time stamped during the import, as text, differs between two runs too."""
    if isinstance(value, str):
        return TIME.sub("<time>", value)
    if isinstance(value, dict):
        return {k: _times(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_times(v) for v in value)
    return value


def _stamp(values: dict | None) -> dict | None:
    """Timestamps differ between two runs: keep that they are there, not their value."""
    if values is None:
        return None
    return {k: ("<time>" if k in STAMPS and v is not None else v) for k, v in values.items()}


def snapshot(result) -> dict:
    """Everything an import leaves behind, by title instead of by id (ids differ per run)."""
    activities, titles = {}, {}
    for a in Activity.objects.order_by("title", "pk"):
        titles[a.pk] = a.title
        values = {
            f.attname: getattr(a, f.attname)
            for f in Activity._meta.concrete_fields
            if f.attname != "id" and f.attname not in STAMPS
        }
        values.update({name: sorted(getattr(a, name).values_list("pk", flat=True)) for name in M2M})
        values["stamps"] = [getattr(a, s) is not None for s in sorted(STAMPS)]
        activities.setdefault(a.title, []).append(values)
    batch_rows = sorted(
        (
            r.row_number,
            r.action,
            titles.get(r.object_id),
            r.object_repr,
            _times(r.changes),
            _stamp(r.before),
            _stamp(r.after),
        )
        for r in ImportBatchRow.objects.filter(batch_id=result.batch_id)
    )
    return {
        "counts": counts(result),
        "errors": errors(result),
        "changes": _times([(c.row, c.field, c.old, c.new) for c in result.changes]),
        "activities": activities,
        "batch_rows": batch_rows,
        "batches": ImportBatch.objects.count(),
        "log_entries": LogEntry.objects.filter(content_type__model="activity").count(),
    }


@pytest.fixture
def ledger(district, plan_2024):
    """Two returned activities of 甲街道 (so that a file may correct them)."""
    d = district
    first = activity_row(**{"活动名称": "已有活动一"})
    second = activity_row(**{"活动名称": "已有活动二", "对应计划任务": "", "宣传对象": "市民"})
    imp("activities", [first, second], ACTIVITY_HEADERS, user=d.town_a)
    Activity.objects.update(status=ReviewStatus.RETURNED)
    return {a.title: a for a in Activity.objects.all()}


def mixed_file(ledger) -> list[list]:
    one, two = ledger["已有活动一"], ledger["已有活动二"]
    return [
        activity_row(**{"活动名称": "新活动甲"}),
        activity_row(
            **{
                "活动名称": "新活动乙",
                "宣传对象": "",
                "活动形式": "",
                "五进": "",
                "宣传主题活动": "",
                "对应计划任务": "",
                "所在村/社区": "",
                "开始时间": "",
                "结束时间": "",
                "媒体报道链接": "",
            }
        ),  # fmt: skip
        # A correction: a count, the tasks cleared, other audiences, the summary cleared.
        activity_row(
            **{
                "活动编号": str(one.pk),
                "活动名称": "已有活动一",
                "参与人数": "450",
                "对应计划任务": "（清空）",
                "宣传对象": "中小学生",
                "活动简介": "（清空）",
            }
        ),  # fmt: skip
        # Only a task added: a many-to-many change alone.
        activity_row(**{"活动编号": str(two.pk), "活动名称": "已有活动二", "宣传对象": "市民"}),
        activity_row(**{"活动名称": "坏行一", "宣传对象": "外星人"}),
        activity_row(**{"活动名称": "坏行二", "宣传对象": "外星人"}),  # the same bad text again
        activity_row(**{"活动名称": "坏行三", "参与人数": "-3", "活动日期": "2024-13-01"}),
        activity_row(**{"活动名称": "新活动丙", "参与人数": "1.2万"}),
    ]


def run_once(monkeypatch, django_capture_on_commit_callbacks, rows, *, bulk: bool, user):
    """Import `rows` with the set-based or the row-by-row writer and roll it back."""
    refreshed: list = []
    monkeypatch.setattr(ActivityImporter, "bulk_write", bulk)
    monkeypatch.setattr(metrics, "refresh_paths", lambda pairs: refreshed.append(set(pairs)))
    metrics._pending().clear()
    with transaction.atomic():
        with django_capture_on_commit_callbacks(execute=True):
            result = imp("activities", rows, ACTIVITY_HEADERS, user=user)
        snap = snapshot(result)
        snap["refreshed"] = set().union(*refreshed)
        transaction.set_rollback(True)
    return snap


def test_bulk_path_leaves_what_the_row_by_row_path_leaves(
    district, ledger, monkeypatch, django_capture_on_commit_callbacks
):
    rows = mixed_file(ledger)
    by_row = run_once(
        monkeypatch, django_capture_on_commit_callbacks, rows, bulk=False, user=district.town_a
    )
    bulk = run_once(
        monkeypatch, django_capture_on_commit_callbacks, rows, bulk=True, user=district.town_a
    )
    assert by_row["counts"] == (8, 5, 3, 3, 2, 0), by_row["errors"]
    # Each bad row keeps its own Excel row number, the repeated text included.
    assert [(r, c) for r, c, _m in by_row["errors"]][:2] == [(6, "宣传对象"), (7, "宣传对象")]
    assert len(by_row["batch_rows"]) == 5 and by_row["log_entries"] == 0
    assert by_row["refreshed"]  # the plan task's computed target was refreshed
    for key in by_row:
        assert bulk[key] == by_row[key], key


def test_bulk_path_reimport_of_an_export_changes_nothing(district, plan_2024):
    from xuanpei.publicity.importers import ActivityExporter
    from xuanpei.publicity.tests.test_ledger_import import export_rows

    d = district
    rows = [activity_row(**{"活动名称": f"活动{i}"}) for i in range(30)]
    first = imp("activities", rows, ACTIVITY_HEADERS, user=d.town_a)
    assert counts(first) == (30, 30, 0, 30, 0, 0)
    assert ImportBatchRow.objects.filter(batch_id=first.batch_id).count() == 30
    links = Activity.tasks.through.objects.count()
    exported = export_rows(ActivityExporter, user=d.town_a)
    again = imp("activities", exported[1:], exported[0], user=d.town_a)
    assert counts(again) == (30, 30, 0, 0, 0, 30), errors(again)
    assert Activity.tasks.through.objects.count() == links == 30
    unchanged = ImportBatchRow.objects.filter(batch_id=again.batch_id)
    assert {r.action for r in unchanged} == {ImportBatchRow.Action.UNCHANGED}


def test_bulk_dry_run_writes_nothing(district, plan_2024):
    rows = [activity_row(**{"活动名称": f"活动{i}"}) for i in range(5)]
    result = imp("activities", rows, ACTIVITY_HEADERS, user=district.town_a, dry_run=True)
    assert counts(result) == (5, 5, 0, 5, 0, 0)
    assert not Activity.objects.exists()
    assert not Activity.campaigns.through.objects.exists()
    assert not ImportBatch.objects.exists() and not ImportBatchRow.objects.exists()


def test_a_failed_bulk_commit_writes_nothing(district, plan_2024, monkeypatch):
    """All or nothing: a write that fails half-way (here the batch rows) rolls back all."""
    from xuanpei.core.imports import batches

    def broken(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(batches.BatchRows, "flush", broken)
    rows = [activity_row(**{"活动名称": f"活动{i}"}) for i in range(3)]
    result = imp("activities", rows, ACTIVITY_HEADERS, user=district.town_a)
    assert result.error and "所有数据均未写入" in result.error
    assert not Activity.objects.exists() and not Activity.tasks.through.objects.exists()
    assert not ImportBatch.objects.exists()


def test_field_checks_answer_as_full_clean(district):
    """`Importer._clean_fields` (answers kept per value) gives full_clean's messages."""
    importer = ActivityImporter()
    names = ["title", "place", "participants", "status", "held_on"]
    exclude = [f.name for f in Activity._meta.fields if f.name not in names]
    for values in (
        {"title": "x" * 201, "place": "", "participants": -1, "status": "bogus"},
        {"title": "ok", "place": "p" * 201, "participants": 3, "status": "accepted"},
        {"title": "ok", "place": "广场", "participants": -1, "status": "bogus"},  # again: kept
    ):
        activity = Activity(unit=district.street_a, held_on="2024-06-01", **values)
        try:
            Activity(unit=district.street_a, held_on="2024-06-01", **values).full_clean(
                exclude=exclude, validate_unique=False, validate_constraints=False
            )
            expected = {}
        except Exception as exc:  # noqa: BLE001 - ValidationError, compared below
            expected = exc.message_dict
        assert importer._clean_fields(activity, exclude) == expected
        assert expected  # every case is refused by something


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_path_sets_ids_from_the_sequence(district, plan_2024):
    rows = [activity_row(**{"活动名称": f"活动{i}"}) for i in range(3)]
    imp("activities", rows, ACTIVITY_HEADERS, user=district.town_a)
    later = Activity.objects.create(
        title="之后", unit=district.street_a, held_on="2024-06-02", place="p"
    )
    assert later.pk > max(Activity.objects.exclude(pk=later.pk).values_list("pk", flat=True))


def media_snapshot(result) -> dict:
    from xuanpei.publicity.models_ledger import MediaPost

    posts = {
        p.url: {
            f.attname: getattr(p, f.attname)
            for f in MediaPost._meta.concrete_fields
            if f.attname != "id" and f.attname not in STAMPS
        }
        for p in MediaPost.objects.all()
    }
    urls = dict(MediaPost.objects.values_list("pk", "url"))
    rows = sorted(
        (r.row_number, r.action, urls.get(r.object_id), r.object_repr, _times(r.changes),
         _stamp(r.before), _stamp(r.after))
        for r in ImportBatchRow.objects.filter(batch_id=result.batch_id)
    )  # fmt: skip
    return {"counts": counts(result), "errors": errors(result), "posts": posts, "rows": rows}


def test_media_posts_bulk_path_leaves_what_the_row_by_row_path_leaves(
    district, monkeypatch, django_capture_on_commit_callbacks
):
    from xuanpei.publicity.importers import MediaPostImporter
    from xuanpei.publicity.models_ledger import MediaPost
    from xuanpei.publicity.tests.test_ledger_import import MEDIA_HEADERS, media_row

    d = district
    imp("media-posts", [media_row(), media_row(**{"链接": "https://x.example/2"})],
        MEDIA_HEADERS, user=d.town_a)  # fmt: skip
    rows = [
        media_row(**{"阅读量": "5000", "点赞数": "", "转发数": "（清空）"}),  # an update
        media_row(**{"链接": "https://x.example/2"}),  # unchanged
        media_row(**{"链接": "https://x.example/3", "渠道": "抖音", "阅读量": "1.2万"}),
        media_row(**{"链接": "https://x.example/4", "渠道": "传真"}),  # refused
    ]
    snaps, marked = {}, {}
    for bulk in (False, True):
        monkeypatch.setattr(MediaPostImporter, "bulk_write", bulk)
        metrics._pending().clear()
        with transaction.atomic():
            result = imp("media-posts", rows, MEDIA_HEADERS, user=d.town_a)
            snaps[bulk] = media_snapshot(result)
            marked[bulk] = {k: set(v) for k, v in metrics._pending().items()}
            transaction.set_rollback(True)
    assert snaps[False]["counts"] == (4, 3, 1, 1, 1, 1), snaps[False]["errors"]
    updated = MediaPost.objects.get(url="https://mp.weixin.qq.com/s/a1").pk
    assert len(snaps[False]["rows"]) == 3 and marked[False] == {"mediapost": {updated}}
    assert snaps[True] == snaps[False] and marked[True] == marked[False]
