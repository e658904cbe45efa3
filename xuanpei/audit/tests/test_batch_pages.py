"""The import-batch pages (issue #10 items 2 and 3): district admins only, the list's
filters and counts, one batch's change table, its original file and xlsx, the revert."""

import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from xuanpei.accounts.factories import UserFactory
from xuanpei.audit import views_batches
from xuanpei.audit.context import acting_as
from xuanpei.audit.factories import ImportBatchFactory, ImportBatchRowFactory
from xuanpei.audit.models import ImportBatch, ImportBatchRow
from xuanpei.core.imports.service import run_import
from xuanpei.core.imports.testing import xlsx_bytes
from xuanpei.core.models import Job
from xuanpei.core.permissions import Role
from xuanpei.orgs.factories import make_uscc
from xuanpei.orgs.importers import HEADERS
from xuanpei.orgs.models import Enterprise


def detail_url(batch):
    return reverse("audit:importbatch_detail", args=[batch.pk])


@pytest.fixture
def batch(district):
    """town_a's import: ent_a1 created (row 2), ent_a2 updated (row 3, address changed)."""
    batch = ImportBatchFactory(user=district.town_a, unit=district.town_a_unit)
    ImportBatchRowFactory(batch=batch, obj=district.ent_a1, row_number=2)
    ImportBatchRowFactory(
        batch=batch,
        obj=district.ent_a2,
        row_number=3,
        action=ImportBatchRow.Action.UPDATED,
        changes={"地址": ["旧地址", "新地址"]},
    )
    return batch


@pytest.mark.parametrize("persona", ["town_a", "department", "enterprise"])
def test_only_district_admins_may_open_the_batch_pages(district, client, batch, persona):
    client.force_login(getattr(district, persona))
    for url in (
        reverse("audit:importbatch_list"),
        detail_url(batch),
        reverse("audit:importbatch_file", args=[batch.pk]),
        reverse("audit:importbatch_changes_export", args=[batch.pk]),
        reverse("audit:importbatch_revert", args=[batch.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("audit:importbatch_revert", args=[batch.pk])).status_code == 403
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.COMMITTED


def test_a_batch_outside_the_admins_scope_is_a_404(district, client, batch):
    # A district admin's role attached to 西新城 only reaches 西新城's batches.
    west_admin = UserFactory(unit=district.town_b_unit, role=Role.DISTRICT_ADMIN)
    client.force_login(west_admin)
    assert client.get(detail_url(batch)).status_code == 404
    assert client.get(reverse("audit:importbatch_file", args=[batch.pk])).status_code == 404
    client.force_login(district.district)
    assert client.get(reverse("audit:importbatch_detail", args=[batch.pk + 999])).status_code == 404


def test_the_list_filters_by_importer_user_and_date(district, client, batch):
    old = ImportBatchFactory(
        user=district.district,
        importer="roster",
        label="持证人员名册",
        started_at=timezone.now() - timedelta(days=10),
    )
    client.force_login(district.district)
    url = reverse("audit:importbatch_list")

    def listed(**params):
        return {b.pk for b in client.get(url, params).context["object_list"]}

    assert listed() == {batch.pk, old.pk}
    assert listed(importer="roster") == {old.pk}
    assert listed(user="town_a") == {batch.pk}
    day = timezone.localdate() - timedelta(days=3)
    assert listed(date_from=day.isoformat()) == {batch.pk}
    assert listed(date_to=day.isoformat()) == {old.pk}
    html = client.get(url).content.decode()
    # Every count links to the batch's change table, filtered by what it counts.
    assert f'href="{detail_url(batch)}?action=1#changes"' in html
    assert f'href="{detail_url(batch)}?action=2#changes"' in html


def test_the_detail_shows_counts_and_the_change_table_with_links(district, client, batch):
    client.force_login(district.district)
    response = client.get(detail_url(batch))
    html = response.content.decode()
    assert response.status_code == 200
    assert "企业名录.xlsx" in html and "town_a" in html
    assert reverse("orgs:enterprise_detail", args=[district.ent_a1.pk]) in html
    assert "地址：<span" in html and "旧地址" in html and "新地址" in html
    assert 'id="revert-button"' in html
    updated = client.get(detail_url(batch), {"action": ImportBatchRow.Action.UPDATED})
    assert [i["row"].row_number for i in updated.context["items"]] == [3]


def test_the_change_table_pages_through_htmx(district, client, batch, monkeypatch):
    monkeypatch.setattr(views_batches, "CHANGES_PAGE_SIZE", 1)
    client.force_login(district.district)
    response = client.get(detail_url(batch), {"page": 2}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="change-table"') and "<html" not in html
    assert "旧地址" in html and 'hx-get="?page=1"' in html


def test_a_gone_objects_row_reads_without_a_link(district, client, batch):
    url = reverse("orgs:enterprise_detail", args=[district.ent_a2.pk])
    Enterprise.objects.filter(pk=district.ent_a2.pk).delete()
    client.force_login(district.district)
    html = client.get(detail_url(batch)).content.decode()
    assert "东城乙企业" in html and url not in html


def test_the_change_table_downloads_as_xlsx_with_text_never_a_formula(district, client, batch):
    ImportBatchRowFactory(
        batch=batch,
        obj=district.ent_b1,
        row_number=4,
        action=ImportBatchRow.Action.UPDATED,
        changes={"法定代表人": ["张三", "=HYPERLINK(1)"]},
    )
    client.force_login(district.district)
    response = client.get(reverse("audit:importbatch_changes_export", args=[batch.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Excel行号", "对象类型", "对象ID", "对象", "操作", "字段", "原值", "新值"]
    assert rows[1][:5] == [2, "企业", district.ent_a1.pk, "东城甲企业", "新增"]
    assert rows[2][4:] == ["更新", "地址", "旧地址", "新地址"]
    assert rows[3][5:] == ["法定代表人", "张三", "'=HYPERLINK(1)"]


def test_the_original_file_downloads_and_a_removed_one_is_said_so(district, client, batch):
    batch.file_path = default_storage.save("imports/batches/1-abc.xlsx", ContentFile(b"PK-data"))
    batch.save(update_fields=["file_path"])
    client.force_login(district.district)
    file_url = reverse("audit:importbatch_file", args=[batch.pk])
    response = client.get(file_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"PK-data"
    assert "attachment" in response["Content-Disposition"]
    assert file_url in client.get(detail_url(batch)).content.decode()

    default_storage.delete(batch.file_path)
    html = client.get(detail_url(batch)).content.decode()
    assert "原始文件已超过保存期限被删除" in html and file_url not in html
    response = client.get(file_url, follow=True)
    assert response.status_code == 200
    assert "原始文件已超过保存期限被删除" in response.content.decode()


# The revert (through the real import and revert services) -------------------------------


def enterprise_row(name, uscc):
    values = {h: "" for h in HEADERS}
    values.update(
        {
            "企业名称": name,
            "统一社会信用代码": uscc,
            "属地": "甲街道",
            "行业领域": "工矿商贸",
            "规模": "小型",
            "风险等级": "一般",
        }
    )
    return [values[h] for h in HEADERS]


@pytest.fixture
def imported(district):
    """The district imported one new enterprise; its batch."""
    data = xlsx_bytes([HEADERS, enterprise_row("撤销测试企业", make_uscc(71))])
    result = run_import("enterprises", data, filename="新企业.xlsx", user=district.district)
    assert result.created == 1 and result.batch_id
    return ImportBatch.objects.get(pk=result.batch_id)


def test_the_revert_shows_what_it_changes_then_removes_the_created_enterprise(
    district, client, imported
):
    client.force_login(district.district)
    url = reverse("audit:importbatch_revert", args=[imported.pk])
    html = client.get(url).content.decode()
    assert "删除本批次新增的企业 1 个" in html and 'id="revert-form"' in html
    assert Enterprise.objects.filter(name="撤销测试企业").exists()

    response = client.post(url, {"reason": "导错了文件"})
    revert = ImportBatch.objects.get(reverts=imported)
    assert response.status_code == 302 and response["Location"] == detail_url(revert)
    assert not Enterprise.objects.filter(name="撤销测试企业").exists()
    assert revert.reason == "导错了文件" and revert.user == district.district
    imported.refresh_from_db()
    assert imported.status == ImportBatch.Status.REVERTED
    # Each batch links to the other; the reverted one offers no second revert.
    html = client.get(detail_url(imported)).content.decode()
    assert detail_url(revert) in html and "导错了文件" in html and 'id="revert-button"' not in html
    assert detail_url(imported) in client.get(detail_url(revert)).content.decode()
    again = client.post(url, {"reason": "再来一次"})
    assert ImportBatch.objects.filter(reverts=imported).count() == 1
    assert again.status_code == 409 and "撤销" in again.content.decode()


def test_a_batch_edited_since_lists_its_conflicts_and_offers_no_button(district, client, imported):
    ent = Enterprise.objects.get(name="撤销测试企业")
    with acting_as(district.town_a):
        ent.address = "导入后改的地址"
        ent.save()
    client.force_login(district.district)
    url = reverse("audit:importbatch_revert", args=[imported.pk])
    html = client.get(url).content.decode()
    assert 'id="revert-conflicts"' in html and "撤销测试企业" in html
    assert 'id="revert-form"' not in html
    response = client.post(url, {"reason": "试试"})
    assert response.status_code == 409
    assert 'id="revert-refused"' in response.content.decode()
    assert Enterprise.objects.filter(pk=ent.pk).exists()
    assert not ImportBatch.objects.filter(reverts=imported).exists()


def test_a_large_batch_is_reverted_by_a_background_job(
    district, client, imported, monkeypatch, settings
):
    settings.JOB_RUNNER = "sync"
    monkeypatch.setattr(views_batches, "REVERT_INLINE_MAX_ROWS", 0)
    client.force_login(district.district)
    response = client.post(reverse("audit:importbatch_revert", args=[imported.pk]))
    job = Job.objects.get(kind="batch_revert")
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.status == Job.Status.DONE, job.error
    revert = ImportBatch.objects.get(reverts=imported)
    assert job.result == {"batch": imported.pk, "revert_batch": revert.pk}
    assert not Enterprise.objects.filter(name="撤销测试企业").exists()
    assert detail_url(revert) in client.get(response["Location"]).content.decode()


def test_the_list_and_the_detail_cost_a_few_queries_whatever_their_size(
    district, client, batch, django_assert_max_num_queries
):
    for _ in range(30):
        ImportBatchFactory(user=district.town_a)
    for ent in (district.ent_b1, district.supervised) * 20:
        ImportBatchRowFactory(batch=batch, obj=ent)
    client.force_login(district.district)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("audit:importbatch_list")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(detail_url(batch)).status_code == 200
