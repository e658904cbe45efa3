"""Issue #8 item 1 for the plan tables: blank cells keep a task's fields, （清空） clears one,
and an update lists its changes as the cells read (完成时限, 工作目标)."""

import pytest

from xuanpei.plans.tests.test_task_tables import edited, export_bytes, imp, plan, state

pytestmark = pytest.mark.django_db
__all__ = ["plan"]  # the fixture, shared with the table tests

# Row 4 of the exported key-task list is 三(一)5; columns 4 任务内容 … 9 工作成果.
BLANK_ALL_OPTIONAL = {(4, 4): None, (4, 6): None, (4, 7): None, (4, 8): None, (4, 9): None}


def test_blank_optional_cells_leave_the_task_as_it_is(district, plan):
    before = state(plan)
    result = imp(plan, edited(export_bytes(plan), BLANK_ALL_OPTIONAL), user=district.district)
    assert result.ok, result.errors
    assert (result.updated, result.unchanged) == (0, 2)
    assert state(plan) == before
    month = plan.tasks.get(number="三(一)5")
    assert month.other_units == "区委宣传部"  # written in the 配合单位 cell by the export
    assert month.targets.count() == 2


def test_the_clear_marker_empties_one_field_and_the_preview_names_it(district, plan):
    content = edited(export_bytes(plan), {**BLANK_ALL_OPTIONAL, (4, 9): "（清空）"})
    preview = imp(plan, content, user=district.district, dry_run=True)
    assert [(c.object, c.field, c.old, c.new) for c in preview.changes] == [
        ("三(一)5 安全生产月", "工作成果", "活动总结", "")
    ]
    result = imp(plan, content, user=district.district)
    assert result.ok and result.updated == 1
    month = plan.tasks.get(number="三(一)5")
    assert month.deliverables == ""
    assert month.content.startswith("组织开展")


def test_changed_timeframe_and_targets_are_listed_as_their_cells_read(district, plan):
    content = edited(
        export_bytes(plan), {(4, 7): "2022年7月1日至7月31日", (4, 8): "宣传活动≥5场；持证率=100%"}
    )
    result = imp(plan, content, user=district.district, dry_run=True)
    changes = {c.field: (c.old, c.new) for c in result.changes}
    assert changes == {
        "完成时限": ("2022年6月1日至6月30日", "2022年7月1日至7月31日"),
        "工作目标": ("宣传活动≥3场；持证率=100%", "宣传活动≥5场；持证率=100%"),
    }


def test_a_clear_marker_on_a_required_cell_is_refused(district, plan):
    before = state(plan)
    result = imp(plan, edited(export_bytes(plan), {(4, 5): "(清空)"}), user=district.district)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (4, "牵头单位", "牵头单位是必填项，不能清空")
    ]
    assert state(plan) == before


def test_an_all_or_nothing_preview_with_a_bad_row_offers_no_confirm_button(client, district, plan):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(district.district, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("plans:task_import", args=[plan.pk]) + "?table=publicity"
    content = edited(export_bytes(plan), {(4, 5): "没有这个单位"})
    html = client.post(
        url, {"file": SimpleUploadedFile("t.xlsx", content)}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "未找到单位“没有这个单位”" in html
    assert "确认导入" not in html
    assert "任何一行有错误时整个文件都不导入" in html
    assert "将新增和更新的企业数" not in html
