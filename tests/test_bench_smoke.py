"""Smoke test of the benchmark harness (bench/) on tiny sizes, so that it does not rot.

Nothing here is timed against a threshold: the figures live in docs/benchmarks.md,
written by `python -m bench.run`.
"""

import csv

import pytest
import python_calamine

from bench import compliance, gen_roster, limits, report, roster
from bench.measure import fresh_pg_db, pg_available
from bench.run import _parser
from xuanpei.core.validators import parse_id_number


@pytest.fixture
def tiny_xlsx(tmp_path):
    return gen_roster.roster_file(200, fmt="xlsx", bad=0.05, directory=tmp_path)


def test_generated_roster_has_the_issue_headers_valid_ids_and_is_cached(tiny_xlsx, tmp_path):
    sheet = python_calamine.load_workbook(str(tiny_xlsx.path)).get_sheet_by_index(0).to_python()
    assert sheet[1] == gen_roster.HEADERS
    assert len(sheet) == 2 + 200
    good = [r for r, (_row, bad) in zip(sheet[2:], gen_roster.rows(200, bad=0.05), strict=True)
            if not bad]  # fmt: skip
    assert 0 < tiny_xlsx.bad_rows < 200
    for row in good:
        parse_id_number(row[3], allow_legacy=False)
        if row[5] == "特种作业人员" and row[9]:
            assert row[9] == "T" + row[3]
    usccs = {r[0] for r in good}
    assert usccs <= {u for u, _ in gen_roster.enterprises(200)}
    mtime = tiny_xlsx.path.stat().st_mtime_ns
    again = gen_roster.roster_file(200, fmt="xlsx", bad=0.05, directory=tmp_path)
    assert again == tiny_xlsx and again.path.stat().st_mtime_ns == mtime


def test_csv_roster_has_the_same_rows_as_the_xlsx(tiny_xlsx, tmp_path):
    f = gen_roster.roster_file(200, fmt="csv", bad=0.05, directory=tmp_path)
    with f.path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == gen_roster.HEADERS
    assert [r[3] for r in rows[1:]] == [
        r[3] for r, _bad in gen_roster.rows(200, bad=0.05, as_text=True)
    ]
    assert f.bad_rows == tiny_xlsx.bad_rows


@pytest.mark.skipif(not pg_available(), reason="needs PostgreSQL on 127.0.0.1:5432")
def test_limit_copies_every_raw_row(tiny_xlsx):
    with fresh_pg_db("smoke") as db:
        measured = limits.measure("xlsx", tiny_xlsx.path, db)
    assert measured["copied"] == 202  # title and header rows are raw rows too
    assert measured["wall_s"] > 0 and measured["peak_mb"] > 0


def test_platform_and_hand_written_sql_agree_on_a_tiny_district(district, workforce_dictionaries):
    counts = compliance.build(people=300, enterprises=4, demo=False)
    assert counts["people"] == 300 and counts["posts"] >= 300
    result = compliance.measure(repeat=1)  # asserts platform == SQL (and snapshots) itself
    assert 0 < result["totals"]["compliant"] < result["totals"]["required"]
    assert result["ratio"] is not None
    if result["dashboard"] is not None:
        assert result["dashboard"]["bytes"] > 0
    lines = compliance.summarize({"db": "test", "counts": counts, **result})
    assert all(line["measure"] for line in lines)


def test_report_replaces_rows_of_the_same_measure(tmp_path):
    doc = tmp_path / "benchmarks.md"
    line = {"measure": "roster import 200 rows xlsx → postgres: rows/s", "limit": "1 rows/s",
            "ours": "1 rows/s", "ratio": 1.0, "target": "≥ 0.50× limit", "pass": True}  # fmt: skip
    machine = {"nproc": 2, "ram_gb": 1.0, "python": "3.11", "system": "Linux"}
    report.update([line], command="python -m bench.run x", machine=machine, seconds=1, doc=doc)
    report.update(
        [{**line, "ratio": 0.25, "pass": False}],
        command="python -m bench.run y",
        machine=machine,
        seconds=2,
        doc=doc,
    )
    data = report.load(doc)
    assert len(data["results"]) == 1 and data["results"][0]["ratio"] == 0.25
    assert len(data["log"]) == 2
    assert "**FAIL**" in doc.read_text() and "`python -m bench.run y`" in doc.read_text()


def test_roster_summary_reads_a_run_result(tiny_xlsx):
    ours = {"ok": True, "exit": 1, "wall_s": 2.0, "peak_mb": 90.0, "rows_per_s": 100.0,
            "counts": {"accepted": 190, "rejected": 10}}  # fmt: skip
    result = {
        "db": "postgres",
        "file": tiny_xlsx.meta(),
        "limit": {"wall_s": 1.0, "peak_mb": 60.0},
        "calamine_read": {"wall_s": 0.5, "peak_mb": 40.0},
        "floor": {
            "seconds": 1.0,
            "counts": {"workforce_person": 1, "workforce_post": 1, "workforce_certificate": 1},
        },  # fmt: skip
        "ours": ours,
    }
    speed, record, floor, memory = roster.summarize(result)
    # The target (issue #10): ours ÷ the storage floor's rows/s; ours ÷ the limit for the record.
    assert speed["ratio"] == pytest.approx(0.5) and speed["pass"] is True
    assert "floor" in speed["target"] and "floor" in speed["limit"]
    assert record["ratio"] == pytest.approx(0.5) and record["pass"] is None
    assert floor["ratio"] == pytest.approx(1.0)
    assert memory["ratio"] == pytest.approx(1.5) and memory["pass"] is False
    slow = roster.summarize({**result, "floor": {**result["floor"], "seconds": 0.5}})
    assert slow[0]["ratio"] == pytest.approx(0.25) and slow[0]["pass"] is False
    missing = roster.summarize({**result, "ours": None, "missing": "no importer", "floor": None})
    assert missing[0]["pass"] is None and "no importer" in missing[0]["ours"]


def test_command_line_accepts_the_documented_options():
    args = _parser().parse_args(["roster", "--rows", "100k", "--db", "sqlite", "--format", "csv"])
    assert (args.what, args.rows, args.db, args.format) == ("roster", 100_000, ["sqlite"], ["csv"])


def test_bulletin_bench_reads_the_stages_the_command_reports():
    """bench/bulletin.py times `xuanpei bulletin -v 2` by the lines its Stages print."""
    from bench.bulletin import STAGE_RE, STAGES
    from xuanpei.assessment.management.commands.bulletin import Stages

    clock = Stages()
    for name in STAGES:
        clock.lap(name)
    found = dict(STAGE_RE.findall(clock.report()))
    assert list(found) == list(STAGES)
    assert all(float(seconds) >= 0 for seconds in found.values())
