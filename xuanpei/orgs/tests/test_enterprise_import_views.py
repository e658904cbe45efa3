"""The enterprise import, export and template pages, and the job pages behind them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from xuanpei.core.imports.testing import csv_bytes, xlsx_bytes
from xuanpei.core.models import Job
from xuanpei.orgs.factories import EnterpriseFactory, make_uscc
from xuanpei.orgs.importers import HEADERS
from xuanpei.orgs.models import Enterprise

IMPORT = reverse("orgs:enterprise_import")
EXPORT = reverse("orgs:enterprise_export")
TEMPLATE = reverse("orgs:enterprise_import_template")
NEW = make_uscc(11)


def good_and_bad_file():
    return xlsx_bytes(
        [
            HEADERS,
            ["新导入公司", NEW, "甲街道", "", "工矿商贸", "小型", "一般", "", "", "", ""],
            ["坏行", "123", "甲街道", "", "工矿商贸", "", "", "", "", "", ""],
        ]
    )


def login(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def upload(client, data, name="企业.xlsx", htmx=True):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data)}, **headers)


def sheet_values(response, sheet=None):
    content = b"".join(response.streaming_content)
    workbook = load_workbook(io.BytesIO(content))
    return [list(r) for r in (workbook[sheet] if sheet else workbook.active).values]


def test_anonymous_users_are_sent_to_login(client, district):
    for url in (IMPORT, EXPORT, TEMPLATE):
        assert client.get(url).status_code == 302


def test_users_without_the_import_grant_get_403(client, district):
    for user in (district.town_a_viewer, district.enterprise):
        login(client, user)
        assert client.get(IMPORT).status_code == 403
        assert client.get(TEMPLATE).status_code == 403


def test_import_page_shows_the_upload_form(client, district):
    response = login(client, district.town_a).get(IMPORT)
    assert response.status_code == 200
    assert "上传并检查" in response.content.decode()


def test_template_has_exactly_the_issue_headers(client, district):
    response = login(client, district.town_a).get(TEMPLATE)
    assert response.status_code == 200
    assert (
        sheet_values(response)[0]
        == HEADERS
        == [
            "企业名称",
            "统一社会信用代码",
            "属地",
            "行业主管部门",
            "行业领域",
            "规模",
            "风险等级",
            "地址",
            "法定代表人",
            "安全负责人",
            "联系电话",
        ]
    )


def test_preview_shows_row_errors_and_writes_nothing_then_commit_lands_the_good_rows(
    client, district
):
    login(client, district.town_a)
    before = Enterprise.objects.count()
    response = upload(client, good_and_bad_file())
    html = response.content.decode()
    assert response.status_code == 200
    assert "第二步：检查结果（尚未写入）" in html
    assert "统一社会信用代码应为18位，实际为3位" in html
    assert "确认导入 1 行" in html
    assert Enterprise.objects.count() == before
    preview = Job.objects.get(user=district.town_a)
    assert preview.result["rejected"] == 1

    report = client.get(reverse("core:job_report", args=[preview.pk]))
    assert sheet_values(report, "错误列表") == [
        ["行号", "列", "内容", "错误原因"],
        [3, "统一社会信用代码", "123", "统一社会信用代码应为18位，实际为3位"],
    ]

    response = client.post(IMPORT, {"job": preview.pk}, HTTP_HX_REQUEST="true")
    assert "导入完成：新增 1 条" in response.content.decode()
    assert Enterprise.objects.count() == before + 1
    assert Enterprise.objects.get(uscc=NEW).created_by == district.town_a


def test_a_preview_cannot_be_committed_or_read_by_someone_else(client, district):
    login(client, district.town_a)
    upload(client, good_and_bad_file())
    preview = Job.objects.get(user=district.town_a)
    login(client, district.town_b)
    assert client.post(IMPORT, {"job": preview.pk}).status_code == 404
    assert client.get(reverse("core:job_detail", args=[preview.pk])).status_code == 404
    assert client.get(reverse("core:job_report", args=[preview.pk])).status_code == 404
    assert not Enterprise.objects.filter(uscc=NEW).exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("企业.pdf", b"%PDF", "不支持的文件类型"),
        ("企业.xlsx", b"", "文件是空的"),
        ("企业.csv", csv_bytes([["甲", "乙"], ["x", "y"]]), "未找到表头"),
        ("企业.csv", csv_bytes([["企业名称"], ["x"]]), "缺少必填列"),
    ],
)
def test_bad_files_get_a_clear_message_not_a_500(client, district, name, data, message):
    response = upload(login(client, district.town_a), data, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_file_over_the_limit_is_refused_before_it_is_stored(client, district, settings):
    settings.IMPORT_MAX_BYTES = 100
    response = upload(login(client, district.town_a), good_and_bad_file())
    assert "超过了" in response.content.decode()
    assert not Job.objects.exists()


def test_without_htmx_the_full_page_is_rendered(client, district):
    response = upload(login(client, district.town_a), good_and_bad_file(), htmx=False)
    html = response.content.decode()
    assert "<html" in html and "确认导入 1 行" in html


def test_large_files_run_as_a_job_and_the_page_polls_its_progress(client, district, settings):
    settings.IMPORT_INLINE_MAX_BYTES = 0  # every file is "large"
    settings.JOB_RUNNER = "sync"  # run the job at once instead of in a thread
    login(client, district.town_a)
    upload(client, good_and_bad_file())
    job = Job.objects.get(user=district.town_a)
    assert job.status == Job.Status.DONE
    assert job.progress_total >= 3

    running = Job.objects.create(
        kind="import",
        user=district.town_a,
        status=Job.Status.RUNNING,
        params={"dry_run": True},
        progress_done=40,
        progress_total=100,
    )
    url = reverse("core:job_detail", args=[running.pk])
    html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert f'hx-get="{url}"' in html and "40%" in html
    html = client.get(reverse("core:job_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "确认导入 1 行" in html.content.decode()


def test_the_thread_runner_starts_after_commit_and_records_failure(
    district, settings, monkeypatch, django_capture_on_commit_callbacks
):
    import threading

    from xuanpei.core import jobs

    settings.JOB_RUNNER = "thread"
    started = []
    real_thread = threading.Thread

    class RecordingThread(real_thread):
        def start(self):
            started.append(self)
            self.run()  # run in the test thread: the test database is not shared

    monkeypatch.setattr(threading, "Thread", RecordingThread)
    # No heartbeat thread: run inline it would beat forever (and it takes the lock
    # `_alive` holds). Whether one was already running depended on the tests before.
    monkeypatch.setattr(jobs, "_beater", [object()])
    # The thread closes its own connections when done; here it shares the test's.
    monkeypatch.setattr(jobs.connections, "close_all", lambda: None)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(kind="import", user=district.town_a, params={"path": "missing"})
    job.refresh_from_db()
    assert started and job.status == Job.Status.FAILED
    assert job.error == "上传的文件已过期，请重新上传"


def test_export_writes_the_scoped_filtered_list(client, district):
    login(client, district.town_a)
    rows = sheet_values(client.get(EXPORT))
    assert rows[0] == HEADERS
    assert sorted(r[0] for r in rows[1:]) == ["东城乙企业", "东城甲企业"]
    rows = sheet_values(client.get(EXPORT + "?q=甲"))
    assert [r[0] for r in rows[1:]] == ["东城甲企业"]
    rows = sheet_values(login(client, district.department).get(EXPORT))
    assert [r[0] for r in rows[1:]] == ["西城教育监管企业"]


def test_export_neutralises_formula_cells(client, district):
    EnterpriseFactory(name="=1+2", unit=district.street_a, sector=district.sector)
    rows = sheet_values(login(client, district.town_a).get(EXPORT + "?q==1"))
    assert rows[1][0] == "'=1+2"


def test_viewers_may_export(client, district):
    assert login(client, district.town_a_viewer).get(EXPORT).status_code == 200
