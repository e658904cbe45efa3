"""Smoke test of the activity import benchmark (bench/activities.py, bench/gen_activities.py)
on tiny sizes, so that it does not rot. Nothing is timed against a threshold here."""

import pytest
import python_calamine

from bench import activities, gen_activities
from bench.run import _parser
from xuanpei.publicity.importers import ACTIVITY_COLUMNS

TREE = {
    "district": "测试区",
    "new_towns": [
        {"name": "东新城", "towns": [{"name": "甲街道", "villages": ["甲社区", "乙社区"]}]},
        {"name": "西新城", "towns": [{"name": "乙镇", "villages": ["丙村"]}]},
    ],
}


def test_generated_file_has_the_template_columns_and_is_cached(tmp_path):
    f = gen_activities.activity_file(300, TREE, bad=0.05, directory=tmp_path)
    sheet = python_calamine.load_workbook(str(f.path)).get_sheet_by_index(0).to_python()
    assert sheet[0] == [c.header for c in ACTIVITY_COLUMNS] == gen_activities.ACTIVITY_HEADERS
    assert len(sheet) == 301 and 0 < f.bad_rows < 60
    units = {r[2] for r in sheet[1:]}
    assert units <= {"测试区", "东新城", "西新城", "甲街道", "乙镇", "不存在街道"}
    mtime = f.path.stat().st_mtime_ns
    again = gen_activities.activity_file(300, TREE, bad=0.05, directory=tmp_path)
    assert again == f and again.path.stat().st_mtime_ns == mtime
    other = gen_activities.activity_file(300, {**TREE, "district": "别区"}, directory=tmp_path)
    assert other.path != f.path  # another tree, another file


@pytest.mark.django_db
def test_a_generated_file_imports_and_only_its_bad_rows_are_refused(tmp_path):
    from xuanpei.core.imports.service import run_import
    from xuanpei.publicity.models_ledger import Activity

    tree = activities.seed()  # the demo district, the year's campaigns and plan tasks
    f = gen_activities.activity_file(200, tree, bad=0.05, directory=tmp_path)
    result = run_import("activities", str(f.path), filename=f.path.name)
    assert (result.rows, result.rejected) == (200, f.bad_rows), result.errors[:3]
    assert Activity.objects.count() == result.created == 200 - f.bad_rows
    assert Activity.campaigns.through.objects.exists() and Activity.tasks.through.objects.exists()


def test_summary_reads_a_run_result():
    result = {
        "db": "postgres",
        "file": {"rows": 1000},
        "limit": {"wall_s": 1.0, "peak_mb": 100.0},
        "ours": {
            "ok": True,
            "exit": 1,
            "wall_s": 4.0,
            "peak_mb": 150.0,
            "rows_per_s": 250.0,
            "counts": {"accepted": 990, "rejected": 10},
        },  # fmt: skip
        "floor": {
            "seconds": 2.0,
            "counts": {
                "publicity_activity": 990,
                "publicity_activity_tasks": 500,
                "audit_importbatchrow": 990,
            },
        },  # fmt: skip
    }
    speed, floor, memory = activities.summarize(result)
    assert speed["ratio"] == pytest.approx(0.25) and speed["pass"] is False
    assert floor["ratio"] == pytest.approx(0.5) and floor["pass"] is None
    assert memory["ratio"] == pytest.approx(1.5) and memory["pass"] is None
    fast = activities.summarize({**result, "ours": {**result["ours"], "rows_per_s": 400.0}})
    assert fast[0]["pass"] is True


def test_command_line_accepts_activities():
    args = _parser().parse_args(["activities", "--rows", "100k", "--db", "postgres"])
    assert (args.what, args.rows, args.db) == ("activities", 100_000, ["postgres"])
