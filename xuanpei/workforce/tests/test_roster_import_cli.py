"""`xuanpei import roster` / `xuanpei export roster`, the export round trip and the pages."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from xuanpei.audit.models import ImportBatch
from xuanpei.core.imports.testing import xlsx_bytes
from xuanpei.workforce.importers import RosterExporter
from xuanpei.workforce.models import Certificate, Person, Post
from xuanpei.workforce.roster.plan import HEADERS
from xuanpei.workforce.tests.roster_data import roster_row, uncertified_row
from xuanpei.workforce.tests.test_roster_import import counts, imp, state


def cli(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import", "roster", *map(str, args), stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def write(tmp_path, rows, name="r.xlsx"):
    path = tmp_path / name
    path.write_bytes(xlsx_bytes([HEADERS, *rows]))
    return path


def test_cli_exit_0_and_json_counts_when_every_row_is_accepted(district, tmp_path):
    path = write(tmp_path, [roster_row(district.ent_a1.uscc, 1)])
    code, out, _err = cli(path, "--json")
    assert code == 0
    printed = json.loads(out)
    assert printed.pop("batch_id") == ImportBatch.objects.get().pk  # issue #10
    assert printed == {
        "rows": 1,
        "accepted": 1,
        "rejected": 0,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "dry_run": False,
    }


def test_cli_exit_1_with_report_and_all_or_nothing_writes_nothing(district, tmp_path):
    path = write(
        tmp_path,
        [roster_row(district.ent_a1.uscc, 1), roster_row(district.ent_a1.uscc, 2, 岗位="x")],
    )
    report = tmp_path / "report.xlsx"
    code, out, _err = cli(path, "--json", "--all-or-nothing", "--report", report)
    assert code == 1
    payload = json.loads(out)
    assert (payload["rejected"], payload["created"]) == (1, 0) and payload["error"]
    assert Person.objects.count() == 0
    sheet = load_workbook(report)["错误列表"]
    assert [c.value for c in sheet[1]] == ["行号", "列", "内容", "错误原因"]
    assert [c.value for c in sheet[2]][:3] == [3, "岗位", "x"]


def test_cli_dry_run_and_enterprise_option(district, tmp_path):
    path = write(tmp_path, [roster_row("", 1)])
    code, out, _ = cli(path, "--json", "--dry-run", "--enterprise", district.ent_a2.uscc)
    assert (code, json.loads(out)["created"], Post.objects.count()) == (0, 1, 0)
    code, out, _ = cli(path, "--json", "--enterprise", district.ent_a2.uscc)
    assert Post.objects.get().enterprise == district.ent_a2


def test_cli_exit_2_for_an_unreadable_file(district, tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"not a spreadsheet")
    code, out, _ = cli(path, "--json")
    assert code == 2 and "error" in json.loads(out)


def export_file(tmp_path, *args):
    out = tmp_path / "export.xlsx"
    call_command("export", "roster", "--out", str(out), *args, stdout=io.StringIO())
    return out


def test_export_then_import_changes_nothing(district, tmp_path):
    ent = district.ent_a1
    imp(
        xlsx_bytes(
            [
                HEADERS,
                roster_row(ent.uscc, 1),
                roster_row(ent.uscc, 2, 实际复审日期="2021-12-01"),
                uncertified_row(ent.uscc, 3, 岗位="其他从业人员", 作业类别="", 操作项目=""),
                roster_row(
                    district.ent_b1.uscc,
                    4,
                    岗位="安全生产管理人员",
                    证书类型="",
                    作业类别="",
                    操作项目="",
                    证书编号="AQ1",
                ),
            ]
        ),
        district.district,
    )
    before = state()
    path = export_file(tmp_path)
    result = imp(path, district.district, filename="export.xlsx")
    assert counts(result) == (4, 4, 0, 0, 0, 4), result.errors
    assert state() == before
    one = export_file(tmp_path, "--enterprise", ent.uscc)
    rows = list(load_workbook(one).active.iter_rows(values_only=True))
    assert rows[0] == tuple(HEADERS) and len(rows) == 4


def test_export_masks_ids_for_roles_that_may_not_see_them(district):
    imp(xlsx_bytes([HEADERS, roster_row(district.ent_a1.uscc, 1)]), district.district)
    person = Person.objects.get()
    buffer = io.BytesIO()
    exporter = RosterExporter(user=district.enterprise)
    exporter.write(exporter.queryset(), buffer)
    row = list(load_workbook(buffer).active.iter_rows(values_only=True))[1]
    assert person.id_number not in "".join(str(v) for v in row)
    assert row[3].startswith(person.id_number[:3]) and "*" in row[3]


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_import_page_previews_then_commits(district, client_as, settings):
    settings.JOB_RUNNER = "sync"
    client = client_as(district.town_a)
    url = reverse("workforce:roster_import")
    assert client.get(url).status_code == 200
    upload = io.BytesIO(xlsx_bytes([HEADERS, roster_row(district.ent_a1.uscc, 1)]))
    upload.name = "r.xlsx"
    response = client.post(url, {"file": upload})
    assert response.status_code == 200 and Person.objects.count() == 0
    job = response.context["job"]
    response = client.post(url, {"job": job.pk})
    assert response.status_code == 200
    assert Certificate.objects.count() == 1


def test_template_and_export_pages(district, client_as):
    client = client_as(district.town_a)
    response = client.get(reverse("workforce:roster_import_template"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in sheet[1]] == HEADERS
    imp(xlsx_bytes([HEADERS, roster_row(district.ent_b1.uscc, 1)]), district.district)
    response = client.get(reverse("workforce:roster_export"))
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert len(rows) == 1  # ent_b1 is outside 东新城: the header only


def test_a_read_only_user_gets_403_on_the_import_page(district, client_as):
    client = client_as(district.town_a_viewer)
    assert client.get(reverse("workforce:roster_import")).status_code == 403
