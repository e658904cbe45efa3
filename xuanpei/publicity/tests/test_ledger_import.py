"""Import and export of media posts and activities (issue #11 item 9), on the foundation's
contract: counts, Excel row numbers, exit codes, an export re-imports unchanged, blank
keeps, （清空） clears, scope, one audit batch per commit and no LogEntry per object."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from xuanpei.audit.models import ImportBatch, ImportBatchRow
from xuanpei.core.imports.service import run_import
from xuanpei.core.imports.testing import xlsx_bytes
from xuanpei.plans.factories import PlanFactory, TaskFactory
from xuanpei.publicity.factories import CampaignFactory
from xuanpei.publicity.importers import (
    ACTIVITY_COLUMNS,
    MEDIA_COLUMNS,
    ActivityExporter,
    MediaPostExporter,
    parse_count,
    parse_five_in,
)
from xuanpei.publicity.models_ledger import Activity, MediaPost, ReviewStatus

pytestmark = pytest.mark.django_db

MEDIA_HEADERS = [c.header for c in MEDIA_COLUMNS]
ACTIVITY_HEADERS = [c.header for c in ACTIVITY_COLUMNS]


def media_row(**values):
    base = {
        "发布单位": "甲街道",
        "渠道": "微信公众号",
        "账号": "平安甲街道",
        "形式": "图文",
        "标题": "安全生产月，我们在行动",
        "链接": "https://mp.weixin.qq.com/s/a1",
        "发布日期": "2024-06-03",
        "原创/转发": "原创",
        "阅读量": "1200",
        "点赞数": "30",
        "转发数": "5",
    }
    base.update(values)
    return [base[h] for h in MEDIA_HEADERS]


def imp(name, rows, headers, user=None, dry_run=False):
    data = xlsx_bytes([headers, *rows])
    return run_import(name, data, filename="f.xlsx", user=user, dry_run=dry_run)


def counts(result):
    return (result.rows, result.accepted, result.rejected, result.created, result.updated,
            result.unchanged)  # fmt: skip


def errors(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def export_rows(exporter_cls, user=None):
    exporter = exporter_cls(user=user)
    buffer = io.BytesIO()
    exporter.write(exporter.queryset(), buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    return [[("" if v is None else v) for v in r] for r in sheet.iter_rows(values_only=True)]


# --------------------------------------------------------------------------- media posts


def test_media_import_creates_then_an_export_reimports_unchanged_one_batch_no_logentry(district):
    d = district
    rows = [
        media_row(),
        media_row(**{"链接": "https://www.douyin.com/video/9", "渠道": "抖音", "形式": "微视频",
                     "阅读量": "1.2万", "原创/转发": "转发", "发布单位": "东新城"}),
    ]  # fmt: skip
    result = imp("media-posts", rows, MEDIA_HEADERS, user=d.town_a)
    assert counts(result) == (2, 2, 0, 2, 0, 0)
    video = MediaPost.objects.get(url="https://www.douyin.com/video/9")
    assert (video.unit, video.channel, video.kind, video.views, video.is_original) == (
        d.town_a_unit, "douyin", "video", 12000, False,
    )  # fmt: skip
    batch = ImportBatch.objects.get()
    assert batch.pk == result.batch_id
    assert (
        ImportBatchRow.objects.filter(batch=batch, action=ImportBatchRow.Action.CREATED).count()
        == 2
    )
    assert not LogEntry.objects.filter(content_type__model="mediapost").exists()

    exported = export_rows(MediaPostExporter, user=d.town_a)
    assert exported[0] == MEDIA_HEADERS
    again = imp("media-posts", exported[1:], exported[0], user=d.town_a)
    assert counts(again) == (2, 2, 0, 0, 0, 2)


def test_media_reimport_updates_counts_blank_keeps_and_clear_empties(district):
    d = district
    imp("media-posts", [media_row()], MEDIA_HEADERS, user=d.town_a)
    later = media_row(**{"阅读量": "5000", "点赞数": "", "转发数": "（清空）"})
    result = imp("media-posts", [later], MEDIA_HEADERS, user=d.town_a)
    assert counts(result) == (1, 1, 0, 0, 1, 0)
    post = MediaPost.objects.get()
    assert (post.views, post.likes, post.shares, post.title) == (
        5000,
        30,
        0,
        "安全生产月，我们在行动",
    )
    assert {(c.field, c.old, c.new) for c in result.changes} == {
        ("阅读量", "1200", "5000"), ("转发数", "5", "0"),
    }  # fmt: skip


def test_media_bad_rows_name_row_column_and_reason_and_nothing_of_them_is_written(district):
    d = district
    future = (date.today() + timedelta(days=3)).isoformat()
    rows = [
        media_row(),  # row 2: fine
        media_row(**{"链接": "ftp://example.com/x"}),
        media_row(**{"链接": "https://a.cn/3", "阅读量": "-5"}),
        media_row(**{"链接": "https://a.cn/4", "发布日期": future}),
        media_row(**{"链接": "https://a.cn/5", "发布单位": "不存在的街道"}),
        media_row(**{"链接": "https://a.cn/6", "发布单位": "乙镇"}),  # 西新城's
        media_row(**{"链接": "https://a.cn/7", "渠道": "传单"}),
        media_row(),  # the same link as row 2
    ]
    result = imp("media-posts", rows, MEDIA_HEADERS, user=d.town_a)
    assert counts(result) == (8, 1, 7, 1, 0, 0)
    found = {(row, column): message for row, column, message in errors(result)}
    assert set(found) == {
        (3, "链接"), (4, "阅读量"), (5, "发布日期"), (6, "发布单位"), (7, "发布单位"),
        (8, "渠道"), (9, "链接"),
    }  # fmt: skip
    assert "格式不正确" in found[(3, "链接")]
    assert "负数" in found[(4, "阅读量")]
    assert "晚于今天" in found[(5, "发布日期")]
    assert "不在您的管辖范围内" in found[(7, "发布单位")]
    assert "第 2 行" in found[(9, "链接")]
    assert list(MediaPost.objects.values_list("url", flat=True)) == [
        "https://mp.weixin.qq.com/s/a1"
    ]


def test_a_link_of_another_towns_post_cannot_be_overwritten(district):
    d = district
    imp("media-posts", [media_row(**{"发布单位": "乙镇"})], MEDIA_HEADERS)  # system import
    result = imp("media-posts", [media_row(**{"阅读量": "1"})], MEDIA_HEADERS, user=d.town_a)
    assert result.rejected == 1 and "不在您的管辖范围内" in result.errors[0].message
    assert MediaPost.objects.get().views == 1200


def test_an_enterprise_imports_its_own_posts_onto_its_home_unit(district):
    d = district
    ok = media_row(**{"发布单位": "甲街道"})
    other = media_row(**{"发布单位": "东新城", "链接": "https://a.cn/x"})
    result = imp("media-posts", [ok, other], MEDIA_HEADERS, user=d.enterprise)
    assert counts(result)[:3] == (2, 1, 1)
    post = MediaPost.objects.get()
    assert (post.enterprise, post.unit) == (d.ent_a1, d.street_a)


def cli(name, *args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import", name, *map(str, args), stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_media_cli_exit_codes_json_and_export_round_trip(district, tmp_path):
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx_bytes([MEDIA_HEADERS, media_row()]))
    code, out, _ = cli("media-posts", good, "--json", "--dry-run")
    assert code == 0 and json.loads(out)["accepted"] == 1 and not MediaPost.objects.exists()
    code, out, _ = cli("media-posts", good, "--json", "--user", "town_a")
    assert code == 0 and json.loads(out)["created"] == 1

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx_bytes([MEDIA_HEADERS, media_row(**{"阅读量": "-1"})]))
    report = tmp_path / "report.xlsx"
    code, _out, _ = cli("media-posts", bad, "--report", report)
    assert code == 1 and report.exists()

    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a spreadsheet")
    code, _out, err = cli("media-posts", junk)
    assert code == 2

    out_file = tmp_path / "export.xlsx"
    call_command("export", "media-posts", "--out", str(out_file), stdout=io.StringIO())
    code, out, _ = cli("media-posts", out_file, "--json")
    assert code == 0 and json.loads(out)["unchanged"] == 1


# --------------------------------------------------------------------------- activities


@pytest.fixture
def plan_2024(district):
    d = district
    june = CampaignFactory(unit=d.root, year=2024, name="安全生产月",
                           start_date=date(2024, 6, 1), end_date=date(2024, 6, 30))  # fmt: skip
    CampaignFactory(unit=d.root, year=2023, name="消防宣传月",
                    start_date=date(2023, 11, 1), end_date=date(2023, 11, 30))  # fmt: skip
    plan = PlanFactory(unit=d.root, year=2024)
    task = TaskFactory(plan=plan, number="三(一)5")
    TaskFactory(plan=PlanFactory(unit=d.root, year=2023), number="三(一)6")
    return june, task


def activity_row(**values):
    base = {
        "活动编号": "",
        "活动名称": "安全生产月咨询日进社区",
        "组织单位": "甲街道",
        "活动日期": "2024-06-16",
        "开始时间": "09:00",
        "结束时间": "11:30",
        "活动地点": "甲社区广场",
        "所在村/社区": "甲社区",
        "五进": "社区、家庭",
        "宣传对象": "市民、老年人",
        "活动形式": "咨询台、发放资料",
        "参与人数": "300",
        "宣传主题活动": "安全生产月",
        "对应计划任务": "三(一)5",
        "活动简介": "设咨询台，发放资料，讲解燃气安全。",
        "媒体报道链接": "https://mp.weixin.qq.com/s/a1",
    }
    base.update(values)
    return [base[h] for h in ACTIVITY_HEADERS]


def test_activities_import_and_their_export_reimports_unchanged(district, plan_2024):
    d = district
    june, task = plan_2024
    own = activity_row(**{"组织单位": "东新城", "所在村/社区": "", "活动名称": "东新城宣讲"})
    result = imp("activities", [activity_row(), own], ACTIVITY_HEADERS, user=d.town_a)
    assert counts(result) == (2, 2, 0, 2, 0, 0), errors(result)
    street = Activity.objects.get(unit=d.street_a)
    assert (street.locality, street.five_in, street.participants) == (
        d.village_a, ["community", "family"], 300,
    )  # fmt: skip
    assert list(street.campaigns.all()) == [june] and list(street.tasks.all()) == [task]
    assert sorted(a.name for a in street.audiences.all()) == ["市民", "老年人"]
    # 东新城 reviews 甲街道's activity; its own goes to the district for review.
    assert street.status == ReviewStatus.ACCEPTED and street.reviewed_by == d.town_a
    assert Activity.objects.get(unit=d.town_a_unit).status == ReviewStatus.SUBMITTED
    batch = ImportBatch.objects.get()
    assert (
        ImportBatchRow.objects.filter(batch=batch, action=ImportBatchRow.Action.CREATED).count()
        >= 2
    )
    assert not LogEntry.objects.filter(content_type__model="activity").exists()

    exported = export_rows(ActivityExporter, user=d.town_a)
    again = imp("activities", exported[1:], exported[0], user=d.town_a)
    assert counts(again) == (2, 2, 0, 0, 0, 2), errors(again)


def test_an_activity_update_by_code_blank_keeps_clear_empties(district, plan_2024):
    d = district
    imp("activities", [activity_row()], ACTIVITY_HEADERS, user=d.town_a)
    activity = Activity.objects.get()
    change = activity_row(**{"活动编号": str(activity.pk), "参与人数": "350", "活动简介": "（清空）",
                             "宣传对象": "", "五进": "", "媒体报道链接": ""})  # fmt: skip
    # Accepted on import (东新城 reviews 甲街道): no longer changed, as on the pages.
    refused = imp("activities", [change], ACTIVITY_HEADERS, user=d.town_a)
    assert counts(refused) == (1, 0, 1, 0, 0, 0)
    assert "只有草稿或已退回的活动可以修改" in refused.errors[0].message

    Activity.objects.filter(pk=activity.pk).update(status=ReviewStatus.RETURNED)
    result = imp("activities", [change], ACTIVITY_HEADERS, user=d.town_a)
    assert counts(result) == (1, 1, 0, 0, 1, 0), errors(result)
    activity.refresh_from_db()
    assert (activity.participants, activity.summary, activity.five_in, activity.status) == (
        350, "", ["community", "family"], ReviewStatus.ACCEPTED,
    )  # fmt: skip
    assert activity.audiences.count() == 2 and activity.media_links
    assert ("状态", "已退回", "已通过") in {(c.field, c.old, c.new) for c in result.changes}


def test_activity_bad_rows(district, plan_2024):
    d = district
    imp("activities", [activity_row()], ACTIVITY_HEADERS)  # system import
    other = Activity.objects.get()
    other.unit = d.town_b_sub
    other.locality = None
    other.save()
    future = (date.today() + timedelta(days=1)).isoformat()
    rows = [
        activity_row(**{"宣传主题活动": "消防宣传月"}),  # 2023's campaign
        activity_row(**{"对应计划任务": "三(一)6"}),  # 2023's task
        activity_row(**{"对应计划任务": "九(九)9"}),
        activity_row(**{"组织单位": "乙镇", "所在村/社区": ""}),
        activity_row(**{"所在村/社区": "乙镇"}),
        activity_row(**{"活动日期": future}),
        activity_row(**{"参与人数": "-3"}),
        activity_row(**{"五进": "工厂"}),
        activity_row(**{"活动编号": str(other.pk)}),  # 西新城's activity
        activity_row(**{"媒体报道链接": "javascript:alert(1)"}),
        activity_row(**{"开始时间": "11:00", "结束时间": "10:00"}),
    ]
    result = imp("activities", rows, ACTIVITY_HEADERS, user=d.town_a)
    assert counts(result) == (11, 0, 11, 0, 0, 0)
    found = {row: (column, message) for row, column, message in errors(result)}
    assert found[2] == ("宣传主题活动", "宣传主题活动“消防宣传月”不是2024年的，活动只能对应当年的")
    assert found[3][0] == "对应计划任务" and "不是2024年的" in found[3][1]
    assert found[4] == ("对应计划任务", "未找到计划任务“九(九)9”")
    assert found[5][0] == "组织单位" and "不在您的管辖范围内" in found[5][1]
    assert found[6][0] == "所在村/社区" and "辖区内" in found[6][1]
    assert found[7][0] == "活动日期"
    assert found[8][0] == "参与人数"
    assert found[9][0] == "五进" and "工厂" in found[9][1]
    assert found[10][0] == "活动编号" and "不在您的管辖范围内" in found[10][1]
    assert found[11][0] == "媒体报道链接"
    assert found[12][0] == "结束时间"
    assert Activity.objects.count() == 1


def test_activity_cli_and_export_command(district, plan_2024, tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(xlsx_bytes([ACTIVITY_HEADERS, activity_row()]))
    code, out, _ = cli("activities", path, "--json", "--user", "town_a")
    assert code == 0 and json.loads(out)["created"] == 1
    out_file = tmp_path / "export.xlsx"
    call_command("export", "activities", "--out", str(out_file), stdout=io.StringIO())
    code, out, _ = cli("activities", out_file, "--json", "--user", "town_a")
    assert code == 0 and json.loads(out)["unchanged"] == 1


# --------------------------------------------------------------------------- parsers


@given(st.integers(min_value=0, max_value=100_000_000))
def test_parse_count_reads_plain_and_grouped_integers(n):
    assert parse_count(str(n)) == n
    assert parse_count(f"{n:,}") == n


@given(st.integers(min_value=1, max_value=10_000))
def test_parse_count_refuses_negatives_and_reads_wan(n):
    with pytest.raises(Exception, match="负数"):
        parse_count(f"-{n}")
    assert parse_count(f"{n}万") == n * 10_000


@given(st.sets(st.sampled_from(["企业", "农村", "社区", "学校", "家庭"])))
def test_parse_five_in_accepts_any_subset_with_or_without_jin(words):
    values = parse_five_in("、".join(sorted(words)))
    assert len(values) == len(words)
    assert parse_five_in("，".join("进" + w for w in words)) == values
