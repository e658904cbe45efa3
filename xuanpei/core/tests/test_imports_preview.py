"""Issue #8 item 10: the import preview shows bad rows as in the file, pages through many
errors, lists field changes old → new, and names what each importer imports."""

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from xuanpei.core.imports.testing import xlsx_bytes
from xuanpei.core.models import Job
from xuanpei.orgs.importers import HEADERS
from xuanpei.orgs.models import Enterprise

IMPORT = reverse("orgs:enterprise_import")


def login(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def upload(client, data):
    file = SimpleUploadedFile("企业.xlsx", data)
    return client.post(IMPORT, {"file": file}, HTTP_HX_REQUEST="true").content.decode()


def bad_row(n):
    return [f"坏企业{n}", f"91X{n}", "甲街道", "", "工矿商贸", "", "", "", "", "", ""]


def test_the_preview_shows_a_bad_row_as_in_the_file_with_the_bad_cell_and_its_reason(
    client, district
):
    login(client, district.town_a)
    html = upload(client, xlsx_bytes([HEADERS, bad_row(1)]))
    table = html[html.index('id="import-errors"') :]
    # The file's header and the row's other cells are shown as they were typed.
    assert '<th class="text-nowrap">统一社会信用代码</th>' in table
    assert "坏企业1" in table and "甲街道" in table
    reason = "统一社会信用代码应为18位，实际为4位"
    cell = re.search(
        r'<td class="table-danger import-bad[^"]*" title="([^"]+)">(.*?)</td>', table, re.S
    )
    assert cell is not None and cell.group(1) == reason and "91X1" in cell.group(2)
    # Visible without hovering (a phone): the row's reasons, right after its number.
    reasons = re.search(r'<td class="text-danger import-reason">(.*?)</td>', table, re.S)
    assert f"统一社会信用代码：{reason}" in reasons.group(1)


def test_thousands_of_errors_are_paged_not_rendered_at_once(client, district):
    login(client, district.town_a)
    html = upload(client, xlsx_bytes([HEADERS, *[bad_row(n) for n in range(1, 46)]]))
    first = html[html.index('id="import-errors"') :]
    assert first.count("import-bad") == 20
    assert "第 1 / 3 页（共 45 条）" in first
    job = Job.objects.get(user=district.town_a)
    page = client.get(reverse("core:job_rows", args=[job.pk]), {"what": "errors", "page": 3})
    text = page.content.decode()
    assert text.count("import-bad") == 5
    assert "坏企业41" in text and "坏企业45" in text and "坏企业40" not in text
    assert "第 3 / 3 页（共 45 条）" in text


def test_another_user_cannot_page_through_someone_elses_preview(client, district):
    login(client, district.town_a)
    upload(client, xlsx_bytes([HEADERS, bad_row(1)]))
    job = Job.objects.get(user=district.town_a)
    login(client, district.town_b)
    assert client.get(reverse("core:job_rows", args=[job.pk])).status_code == 404


def test_the_preview_lists_the_field_changes_of_an_update_old_to_new(client, district):
    ent = district.ent_a1
    Enterprise.objects.filter(pk=ent.pk).update(address="东路1号", safety_phone="13800000000")
    login(client, district.town_a)
    cells = {"企业名称": ent.name, "统一社会信用代码": ent.uscc, "属地": "甲街道"}
    cells.update(行业领域="工矿商贸", 地址="西路9号")
    html = upload(client, xlsx_bytes([HEADERS, [cells.get(h, "") for h in HEADERS]]))
    changes = html[html.index('id="import-changes"') :]
    row = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", changes))
    assert "地址 东路1号 → 西路9号" in row
    assert "联系电话" not in row  # blank: kept, so not a change
    assert "将更新" in html and "确认导入 1 行" in html
    # The confirm button comes before the lists: it cannot cover them.
    assert html.index("确认导入") < html.index('id="import-changes"')
    # No errors, but the changes download as their own report.
    job = Job.objects.get(user=district.town_a)
    response = client.get(reverse("core:job_report", args=[job.pk]))
    assert (
        "导入变更明细" in response["Content-Disposition"]
        or "%E5%AF%BC%E5%85%A5" in (response["Content-Disposition"])
    )
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["变更明细"]
    assert [c.value for c in workbook["变更明细"][2]][2:] == ["地址", "东路1号", "西路9号"]


def test_each_import_page_names_what_it_imports(client, district):
    login(client, district.district)
    roster = client.get(reverse("workforce:roster_import")).content.decode()
    assert "将新增和更新的企业数" not in roster
    assert "将新增和更新的人员、岗位和证书数" in roster
    enterprises = client.get(IMPORT).content.decode()
    assert "将新增和更新的企业数" in enterprises
