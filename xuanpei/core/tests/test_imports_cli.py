"""`xuanpei import` / `xuanpei export`: exit codes, --json counts, reports, --user scope."""

import io
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from xuanpei.audit.models import ImportBatch
from xuanpei.core.imports.testing import csv_bytes, xlsx_bytes
from xuanpei.orgs.factories import make_uscc
from xuanpei.orgs.importers import HEADERS
from xuanpei.orgs.models import Enterprise

GOOD = ["命令行公司", make_uscc(21), "甲街道", "", "工矿商贸", "", "", "", "", "", ""]
BAD = ["坏公司", "91XX", "甲街道", "", "工矿商贸", "", "", "", "", "", ""]


def run(*args):
    """Run the command; return (exit code, stdout)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_all_rows_accepted_exits_0_with_json_counts(district, tmp_path):
    path = write(tmp_path, "ok.xlsx", xlsx_bytes([HEADERS, GOOD]))
    code, out = run("import", "enterprises", path, "--json")
    assert code == 0
    assert json.loads(out) == {
        "rows": 1,
        "accepted": 1,
        "rejected": 0,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "dry_run": False,
        "batch_id": ImportBatch.objects.get().pk,  # issue #10: the import's audit batch
    }
    assert Enterprise.objects.filter(name="命令行公司").exists()


def test_rejected_rows_exit_1_and_write_the_report(district, tmp_path):
    path = write(tmp_path, "mixed.csv", csv_bytes([HEADERS, GOOD, BAD], encoding="gbk"))
    report = tmp_path / "report.xlsx"
    code, out = run("import", "enterprises", path, "--report", str(report), "--json")
    assert code == 1
    assert json.loads(out)["rejected"] == 1 and json.loads(out)["created"] == 1
    workbook = load_workbook(report)
    rows = list(workbook["错误列表"].values)
    assert rows[0] == ("行号", "列", "内容", "错误原因")
    assert rows[1][:3] == (3, "统一社会信用代码", "91XX")
    # The first sheet is the file itself, the bad cell marked and the reason appended.
    original = workbook.worksheets[0]
    assert [c.value for c in original[1]] == [*HEADERS, "错误原因"]
    assert original["B3"].value == "91XX" and original["B3"].comment is not None
    assert original["B3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert original.cell(row=3, column=len(HEADERS) + 1).value.startswith("统一社会信用代码：")
    assert original["B2"].comment is None


def test_dry_run_writes_nothing(district, tmp_path):
    path = write(tmp_path, "ok.xlsx", xlsx_bytes([HEADERS, GOOD]))
    code, out = run("import", "enterprises", path, "--dry-run", "--json")
    assert code == 0 and json.loads(out)["created"] == 1
    assert not Enterprise.objects.filter(name="命令行公司").exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [("a.xlsx", b""), ("a.doc", b"xx"), ("a.xlsx", b"not excel"), ("a.csv", b"x,y\n1,2\n")],
)
def test_unreadable_files_exit_2(district, tmp_path, name, data):
    code, out = run("import", "enterprises", write(tmp_path, name, data), "--json")
    assert code == 2
    assert json.loads(out)["error"]


def test_a_missing_file_exits_2(district, tmp_path):
    assert run("import", "enterprises", str(tmp_path / "nope.xlsx"))[0] == 2


def test_user_option_applies_that_users_scope(district, tmp_path):
    foreign = ["越界公司", make_uscc(22), "乙镇", "", "工矿商贸", "", "", "", "", "", ""]
    path = write(tmp_path, "f.xlsx", xlsx_bytes([HEADERS, foreign]))
    code, out = run("import", "enterprises", path, "--user", "town_a", "--json")
    assert (code, json.loads(out)["rejected"]) == (1, 1)
    code, out = run("import", "enterprises", path, "--json")  # system import: full scope
    assert (code, json.loads(out)["created"]) == (0, 1)


def test_export_then_import_changes_nothing(district, tmp_path):
    out_path = tmp_path / "all.xlsx"
    code, out = run("export", "enterprises", "--out", str(out_path))
    assert code == 0 and "4" in out
    code, out = run("import", "enterprises", str(out_path), "--json")
    counts = json.loads(out)
    assert (code, counts["rows"], counts["unchanged"]) == (0, 4, 4)


def test_export_with_user_contains_only_that_scope(district, tmp_path):
    out_path = tmp_path / "a.xlsx"
    run("export", "enterprises", "--out", str(out_path), "--user", "town_a")
    names = sorted(r[0] for r in list(load_workbook(out_path).active.values)[1:])
    assert names == ["东城乙企业", "东城甲企业"]
