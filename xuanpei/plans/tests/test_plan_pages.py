"""Plan pages: list, detail, create/edit with sections, 印发/结束/复制, the plan document."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xuanpei.plans.choices import PlanKind, PlanStatus
from xuanpei.plans.models import Assignment, Plan, PlanSection, Task
from xuanpei.plans.tests.plan_pages_data import accept, assignment, district_plan

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"plans:{name}", args=args)


def plan_post(**overrides):
    data = {
        "kind": PlanKind.DISTRICT,
        "year": "2027",
        "title": "测试区2027年应急管理宣传教育培训工作计划",
        "doc_number": "测试安委办发〔2027〕1号",
        "preamble": "导语",
        "rows-TOTAL_FORMS": "2",
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "50",
        "rows-0-number": "一、",
        "rows-0-heading": "总体思路",
        "rows-0-body": "思路正文",
        "rows-1-number": "二、",
        "rows-1-heading": "总体目标",
        "rows-1-body": "目标正文",
    }
    data.update(overrides)
    return data


# The list and the detail ---------------------------------------------------------------


def test_the_list_shows_plans_with_counts_and_every_unit_reads_the_issued_district_plan(
    district, client, django_assert_max_num_queries
):
    plan = district_plan(district)
    district_plan(district, 2023, issue=False, title="测试区2023年计划草稿")
    client.force_login(district.district)
    with django_assert_max_num_queries(14):
        body = client.get(url("plan_list")).content.decode()
    assert plan.title in body and "测试安委办发〔2022〕3号" in body
    assert "测试区2023年计划草稿" in body and "草稿" in body
    # 3 tasks; 8 assignments, none accepted, all overdue (2022 is past)
    assert '8 / <span class="text-success">0</span>' in body

    client.force_login(district.town_b)
    body = client.get(url("plan_list")).content.decode()
    assert plan.title in body
    assert "测试区2023年计划草稿" not in body  # drafts stay with the issuer
    assert "2 / " in body  # 西新城's own two assignments


def test_the_detail_shows_sections_tasks_by_kind_units_targets_and_progress(district, client):
    plan = district_plan(district)
    accept(
        assignment(plan, "三(一)1", district.town_a_unit),
        reporter=district.town_a,
        reviewer=district.district,
    )
    client.force_login(district.district)
    body = client.get(url("plan_detail", plan.pk)).content.decode()
    for text in ("总体思路", "坚持问题导向", "宣传", "培训", "要求", "学习宣传重要论述"):
        assert text in body
    assert "东新城" in body and "教育局" in body and "甲街道" in body
    assert "网格员培训≥1次" in body and "（每期）" in body
    assert "已验收 1" in body and "已逾期" in body
    for action in ("plan_edit", "plan_close", "plan_copy", "task_add", "task_import"):
        assert url(action, plan.pk) in body
    assert url("plan_issue", plan.pk) not in body  # already issued
    assert url("task_export", plan.pk) + "?table=publicity" in body


def test_a_town_reads_the_plan_without_the_issuers_buttons(district, client):
    plan = district_plan(district)
    client.force_login(district.town_a)
    response = client.get(url("plan_detail", plan.pk))
    body = response.content.decode()
    assert response.status_code == 200 and "学习宣传重要论述" in body
    for action in ("plan_edit", "plan_close", "plan_copy", "task_add", "task_import"):
        assert url(action, plan.pk) not in body
    assert url("task_export", plan.pk) + "?table=training" in body  # units read it offline
    assert client.get(url("plan_edit", plan.pk)).status_code == 404
    assert client.post(url("plan_close", plan.pk)).status_code == 404
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ISSUED


# Create and edit -----------------------------------------------------------------------


def test_the_district_creates_a_draft_plan_with_its_sections_in_order(district, client):
    client.force_login(district.district)
    response = client.post(url("plan_add"), plan_post())
    plan = Plan.objects.get(year=2027)
    assert response.status_code == 302 and response["Location"] == url("plan_detail", plan.pk)
    assert plan.status == PlanStatus.DRAFT and plan.unit == district.root
    assert plan.created_by == district.district
    sections = list(plan.sections.values_list("order", "number", "heading"))
    assert sections == [(0, "一、", "总体思路"), (1, "二、", "总体目标")]


def test_a_bad_document_number_is_explained_and_nothing_is_saved(district, client):
    client.force_login(district.district)
    response = client.post(url("plan_add"), plan_post(doc_number="测试安委办发[2027]01号"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "发文字号格式应为" in body and "六角括号" in body
    assert not Plan.objects.exists() and not PlanSection.objects.exists()


def test_only_the_district_makes_a_district_plan_and_only_one_a_year(district, client):
    district_plan(district, 2027, issue=False)
    client.force_login(district.district)
    body = client.post(url("plan_add"), plan_post()).content.decode()
    assert "2027年度的区级计划已存在" in body
    client.force_login(district.town_a)
    # A town is not offered 区级计划 at all (issue #8 §4), and a forged post is refused.
    body = client.post(url("plan_add"), plan_post(year="2028")).content.decode()
    assert "不在可用的选项中" in body
    assert Plan.objects.count() == 1


def test_a_section_can_be_edited_and_deleted(district, client):
    plan = district_plan(district, issue=False)
    first, second = plan.sections.order_by("order")
    client.force_login(district.district)
    data = plan_post(
        kind=PlanKind.DISTRICT,
        year="2022",
        title="改过的标题",
        doc_number="",
        **{
            "rows-TOTAL_FORMS": "2",
            "rows-INITIAL_FORMS": "2",
            "rows-0-id": str(first.pk),
            "rows-0-number": "一、",
            "rows-0-heading": "总体思路（修订）",
            "rows-0-body": "新正文",
            "rows-1-id": str(second.pk),
            "rows-1-number": "二、",
            "rows-1-heading": "总体目标",
            "rows-1-body": "全面覆盖",
            "rows-1-DELETE": "on",
        },
    )
    response = client.post(url("plan_edit", plan.pk), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    plan.refresh_from_db()
    assert plan.title == "改过的标题"
    assert list(plan.sections.values_list("heading", flat=True)) == ["总体思路（修订）"]


# 印发, 结束, 复制 -------------------------------------------------------------------------


def test_issuing_a_draft_splits_its_tasks_and_a_second_issue_is_refused(district, client):
    plan = district_plan(district, issue=False)
    assert not Assignment.objects.exists()
    client.force_login(district.district)
    response = client.post(url("plan_issue", plan.pk), follow=True)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ISSUED and plan.issued_on is not None
    assert Assignment.objects.filter(task__plan=plan).count() == 8
    assert "计划已印发" in response.content.decode()

    response = client.post(url("plan_issue", plan.pk), follow=True)
    assert "只有草稿状态的计划可以印发" in response.content.decode()


def test_closing_a_plan(district, client):
    plan = district_plan(district)
    client.force_login(district.district)
    client.post(url("plan_close", plan.pk))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    body = client.post(url("plan_close", plan.pk), follow=True).content.decode()
    assert "只有已印发的计划可以结束" in body


def test_copying_asks_the_year_and_makes_a_draft_of_next_year(district, client):
    plan = district_plan(district)
    client.force_login(district.district)
    form = client.get(url("plan_copy", plan.pk)).content.decode()
    assert 'value="2023"' in form
    response = client.post(url("plan_copy", plan.pk), {"year": "2023", "doc_number": ""})
    new = Plan.objects.get(year=2023)
    assert response["Location"] == url("plan_detail", new.pk)
    assert new.status == PlanStatus.DRAFT and new.copied_from == plan
    assert new.tasks.count() == 3 and "2023" in new.title

    body = client.post(url("plan_copy", plan.pk), {"year": "2023"}).content.decode()
    assert "2023年度的计划已存在" in body
    body = client.post(url("plan_copy", plan.pk), {"year": "2024", "doc_number": "错误"}).content
    assert "发文字号格式应为" in body.decode()
    assert Plan.objects.filter(year=2024).count() == 0


# The plan document -----------------------------------------------------------------------


def test_the_plan_document_is_checked_stored_under_a_new_name_and_served_in_scope(district, client):
    plan = district_plan(district, issue=False)
    client.force_login(district.district)
    fake = SimpleUploadedFile("计划.pdf", b"MZ not a pdf", content_type="application/pdf")
    data = plan_post(year="2022", title=plan.title, doc_number="", file=fake)
    data.update({"rows-TOTAL_FORMS": "0"})
    body = client.post(url("plan_edit", plan.pk), data).content.decode()
    assert "文件内容不是有效的 PDF 文件" in body
    exe = SimpleUploadedFile("../../x.exe", b"MZ", content_type="application/octet-stream")
    body = client.post(url("plan_edit", plan.pk), {**data, "file": exe}).content.decode()
    assert "计划文件只能是 PDF 或 DOCX 格式" in body
    plan.refresh_from_db()
    assert not plan.file

    pdf = SimpleUploadedFile("../../计划.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    assert client.post(url("plan_edit", plan.pk), {**data, "file": pdf}).status_code == 302
    plan.refresh_from_db()
    assert plan.file.name.startswith("plans/") and ".." not in plan.file.name
    assert "计划" not in plan.file.name
    response = client.get(url("plan_file", plan.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(district.town_a)  # a draft: not visible below the district
    assert client.get(url("plan_file", plan.pk)).status_code == 404


def test_the_navigation_points_to_the_plans(district, client):
    client.force_login(district.town_a)
    body = client.get(reverse("core:home")).content.decode()
    assert f'href="{url("plan_list")}"' in body


def test_task_count_is_per_plan(district):
    plan = district_plan(district)
    assert Task.objects.filter(plan=plan).count() == 3


def test_the_detail_runs_a_fixed_number_of_queries(district, client, django_assert_max_num_queries):
    plan = district_plan(district)
    client.force_login(district.district)
    with django_assert_max_num_queries(22):
        assert client.get(url("plan_detail", plan.pk)).status_code == 200
