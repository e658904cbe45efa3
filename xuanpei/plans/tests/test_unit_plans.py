"""Units' own yearly plans (requirement 四(一)): a unit writes or uploads its plan against
the district plan and submits it; the district sees who has and who has not."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xuanpei.plans import services
from xuanpei.plans.choices import PlanKind, PlanStatus
from xuanpei.plans.models import Plan
from xuanpei.plans.tests.plan_pages_data import district_plan

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"plans:{name}", args=args)


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_a_town_writes_its_plan_as_a_draft_then_submits_it(district, client):
    plan = district_plan(district)
    client.force_login(district.town_a)
    form = client.get(url("unitplan_add", plan.pk)).content.decode()
    assert "东新城2022年应急管理宣传教育培训工作计划" in form  # the suggested title
    response = client.post(
        url("unitplan_add", plan.pk),
        {"title": "东新城2022年宣传教育培训计划", "doc_number": "", "preamble": "一、目标……"},
    )
    own = Plan.objects.get(kind=PlanKind.UNIT, unit=district.town_a_unit)
    assert response["Location"] == url("plan_detail", own.pk)
    assert own.parent == plan and own.year == 2022 and own.status == PlanStatus.DRAFT
    assert district.town_a_unit in services.missing_unit_plans(plan)

    # Opening the page again edits the same plan (one per unit and district plan).
    assert client.get(url("unitplan_add", plan.pk))["Location"] == url("unitplan_edit", own.pk)
    response = client.post(
        url("unitplan_edit", own.pk),
        {"title": own.title, "doc_number": "", "preamble": "一、目标……", "submit": "1"},
    )
    own.refresh_from_db()
    assert own.status == PlanStatus.ISSUED and own.issued_on is not None
    assert district.town_a_unit not in services.missing_unit_plans(plan)


def test_the_district_sees_who_has_submitted_and_who_has_not(district, client):
    plan = district_plan(district)
    client.force_login(district.town_a)
    client.post(
        url("unitplan_add", plan.pk),
        {"title": "东新城计划", "preamble": "正文", "submit": "1"},
    )
    client.force_login(district.district)
    body = client.get(url("plan_detail", plan.pk)).content.decode()
    section = body.split('id="unit-plans"')[1]
    assert "各单位年度计划" in body
    assert "已提交 1 · 应提交 4 · 未提交 3" in section
    assert "东新城计划" in section
    for name in ("西新城", "甲街道", "教育局"):
        assert name in section
    assert url("unitplan_add", plan.pk) not in body  # the district writes no unit plan
    dashboard = client.get(url("plan_dashboard", plan.pk)).content.decode()
    assert "未交单位计划" in dashboard


def test_a_town_sees_only_its_own_rows_and_the_button_to_write(district, client):
    plan = district_plan(district)
    client.force_login(district.town_b)
    body = client.get(url("plan_detail", plan.pk)).content.decode()
    section = body.split('id="unit-plans"')[1]
    assert "西新城" in section and "东新城" not in section
    assert url("unitplan_add", plan.pk) in body


def test_a_plan_needs_text_or_a_file_and_the_file_is_checked(district, client):
    plan = district_plan(district)
    client.force_login(district.town_b)
    body = client.post(url("unitplan_add", plan.pk), {"title": "西新城计划"}).content.decode()
    assert "请填写计划正文或上传计划文件（至少一项）" in body
    fake = SimpleUploadedFile("计划.docx", b"not a zip")
    body = client.post(
        url("unitplan_add", plan.pk), {"title": "西新城计划", "file": fake}
    ).content.decode()
    assert "文件内容不是有效的 DOCX 文件" in body
    assert not Plan.objects.filter(kind=PlanKind.UNIT).exists()

    good = SimpleUploadedFile("西新城计划.docx", docx_bytes())
    client.post(url("unitplan_add", plan.pk), {"title": "西新城计划", "file": good, "submit": "1"})
    own = Plan.objects.get(kind=PlanKind.UNIT, unit=district.town_b_unit)
    assert own.status == PlanStatus.ISSUED and own.file.name.endswith(".docx")
    client.force_login(district.district)
    response = client.get(url("plan_file", own.pk))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    client.force_login(district.town_a)  # a sibling never gets it
    assert client.get(url("plan_file", own.pk)).status_code == 404


def test_only_unit_users_write_unit_plans(district, client):
    plan = district_plan(district)
    client.force_login(district.district)
    assert client.get(url("unitplan_add", plan.pk)).status_code == 403
    draft = district_plan(district, 2023, issue=False)
    client.force_login(district.town_a)
    assert client.get(url("unitplan_add", draft.pk)).status_code == 404  # not issued yet
    client.force_login(district.enterprise)
    assert client.get(url("unitplan_add", plan.pk)).status_code in (403, 404)
    assert not Plan.objects.filter(kind=PlanKind.UNIT).exists()


def test_a_unit_plan_page_shows_its_text_and_a_submit_button_while_draft(district, client):
    plan = district_plan(district)
    client.force_login(district.town_a)
    client.post(url("unitplan_add", plan.pk), {"title": "东新城计划", "preamble": "正文内容"})
    own = Plan.objects.get(kind=PlanKind.UNIT)
    body = client.get(url("plan_detail", own.pk)).content.decode()
    assert "正文内容" in body and url("plan_issue", own.pk) in body
    assert plan.title in body  # the district plan it answers
    client.post(url("plan_issue", own.pk))
    own.refresh_from_db()
    assert own.status == PlanStatus.ISSUED
