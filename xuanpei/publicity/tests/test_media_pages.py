"""New-media pages (issue #11 item 5): the list's filters, add/edit refusals with Chinese
messages, stored XSS escaped, an enterprise's post on its 属地, and the tallies
hand-counted on a small fixture, every number a link to the posts behind it."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from xuanpei.publicity.factories import CampaignFactory
from xuanpei.publicity.factories_media import MediaPostFactory
from xuanpei.publicity.models_ledger import MediaPost

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'


@pytest.fixture
def posts(district):
    """Five 2024 posts and one of 2023, hand-counted below."""
    d = district
    return [
        MediaPostFactory(unit=d.street_a, channel="wechat", published_on=date(2024, 6, 3),
                         views=100, likes=10, shares=1, title="甲街道六月推文"),
        MediaPostFactory(unit=d.village_a, channel="douyin", published_on=date(2024, 6, 20),
                         views=1000, likes=50, shares=5, title="甲社区抖音"),
        MediaPostFactory(unit=d.town_a_unit, channel="wechat", published_on=date(2024, 11, 9),
                         views=300, likes=3, shares=0, title="东新城消防推文"),
        MediaPostFactory(unit=d.town_b_sub, channel="portal", published_on=date(2024, 6, 16),
                         views=7, likes=0, shares=0, title="乙镇网站稿"),
        MediaPostFactory(unit=d.root, channel="press", published_on=date(2024, 1, 5),
                         views=5000, likes=0, shares=0, title="区级报纸稿"),
        MediaPostFactory(unit=d.street_a, channel="wechat", published_on=date(2023, 6, 3),
                         views=999, title="去年推文"),
    ]  # fmt: skip


def test_the_tallies_roll_up_to_children_and_link_to_the_posts_behind_them(district, posts, client):
    d = district
    client.force_login(d.district)
    ctx = client.get(reverse("publicity:media_tally"), {"year": 2024}).context
    units = {str(r["label"]): (r["n"], r["views"], r["likes"], r["shares"]) for r in ctx["by_unit"]}
    assert units == {
        "测试区（本级）": (1, 5000, 0, 0),
        "东新城": (3, 1400, 63, 6),
        "西新城": (1, 7, 0, 0),
        "教育局": (0, 0, 0, 0),
        "住建局": (0, 0, 0, 0),
    }
    channels = {r["key"]: r["n"] for r in ctx["by_channel"]}
    assert channels == {"wechat": 2, "weibo": 0, "app": 0, "douyin": 1, "channels": 0,
                        "portal": 1, "press": 1}  # fmt: skip
    months = [r["n"] for r in ctx["by_month"]]
    assert months == [1, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1, 0]
    assert (ctx["total"]["n"], ctx["total"]["views"]) == (5, 6407)

    # 东新城's number opens exactly its three posts.
    east = next(r for r in ctx["by_unit"] if r["label"] == "东新城")
    listed = client.get(east["url"]).context["object_list"]
    assert sorted(p.title for p in listed) == ["东新城消防推文", "甲社区抖音", "甲街道六月推文"]
    june = client.get(ctx["by_month"][5]["url"]).context["object_list"]
    assert len(june) == 3

    # 东新城 sees its own subtree: 本级 and 甲街道 (with 甲社区 rolled up).
    client.force_login(d.town_a)
    ctx = client.get(reverse("publicity:media_tally"), {"year": 2024}).context
    units = {str(r["label"]): r["n"] for r in ctx["by_unit"]}
    assert units == {"东新城（本级）": 1, "甲街道": 2}
    own = next(r for r in ctx["by_unit"] if r["label"] == "东新城（本级）")
    assert [p.title for p in client.get(own["url"]).context["object_list"]] == ["东新城消防推文"]
    assert "乙镇网站稿" not in client.get(reverse("publicity:media_list")).content.decode()


def test_the_tally_export_has_the_same_numbers(district, posts, client):
    client.force_login(district.town_a)
    response = client.get(reverse("publicity:media_tally_export"), {"year": 2024})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("分组", "名称", "发布条数", "阅读量", "点赞数", "转发数")
    assert ("单位", "甲街道", 2, 1100, 60, 6) in rows
    assert rows[-1] == (None, "合计", 3, 1400, 63, 6)


def test_list_filters_by_channel_dates_campaign_and_search(district, posts, client):
    d = district
    june = CampaignFactory(unit=d.root, year=2024, name="安全生产月")
    posts[0].campaigns.add(june)
    client.force_login(d.district)
    url = reverse("publicity:media_list")

    def titles(**params):
        return sorted(p.title for p in client.get(url, params).context["object_list"])

    assert titles(channel="wechat", date_from="2024-01-01") == ["东新城消防推文", "甲街道六月推文"]
    assert titles(campaign=june.pk) == ["甲街道六月推文"]
    assert titles(q="抖音") == ["甲社区抖音"]
    assert titles(unit=d.street_a.pk, date_to="2024-12-31", date_from="2024-01-01") == [
        "甲社区抖音", "甲街道六月推文",
    ]  # fmt: skip


def form_data(**values):
    data = {
        "unit": "",
        "channel": "wechat",
        "account": "平安东新城",
        "kind": "post",
        "title": "新增推文",
        "url": "https://mp.weixin.qq.com/s/new",
        "published_on": "2024-06-16",
        "views": "10",
        "likes": "1",
        "shares": "0",
    }
    data.update(values)
    return data


def test_add_refuses_bad_link_negative_counts_and_future_date_in_chinese(district, client):
    d = district
    client.force_login(d.town_a)
    future = (date.today() + timedelta(days=2)).isoformat()
    response = client.post(
        reverse("publicity:media_add"),
        form_data(
            unit=d.town_a_unit.pk, url="javascript:alert(1)", views="-1", published_on=future
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "格式不正确" in errors["url"][0]
    assert errors["views"] == ["阅读量不能为负数"]
    assert errors["published_on"] == ["发布日期不能晚于今天"]
    assert not MediaPost.objects.exists()


def test_stored_html_is_escaped_on_list_and_detail(district, client):
    d = district
    client.force_login(d.town_a)
    response = client.post(
        reverse("publicity:media_add"), form_data(unit=d.town_a_unit.pk, title=XSS, account=XSS)
    )
    assert response.status_code == 302
    post = MediaPost.objects.get()
    for url in (reverse("publicity:media_list"), post.get_absolute_url()):
        body = client.get(url).content.decode()
        assert XSS not in body and "&lt;script&gt;" in body


def test_an_enterprise_post_sits_on_its_home_unit_and_an_outsider_gets_404(district, client):
    d = district
    client.force_login(d.enterprise)
    response = client.post(reverse("publicity:media_add"), form_data())
    assert response.status_code == 302
    post = MediaPost.objects.get()
    assert (post.enterprise, post.unit, post.created_by) == (d.ent_a1, d.street_a, d.enterprise)
    client.force_login(d.town_b)
    assert client.get(post.get_absolute_url()).status_code == 404
    client.force_login(d.town_a)
    assert client.post(reverse("publicity:media_delete", args=[post.pk])).status_code == 302
    assert not MediaPost.objects.exists()


def test_import_pages_and_templates_and_the_api(district, client):
    from rest_framework.test import APIClient

    d = district
    client.force_login(d.town_a)
    for name in ("publicity:media_import", "publicity:activity_import"):
        assert client.get(reverse(name)).status_code == 200
    for name in ("publicity:media_import_template", "publicity:activity_import_template"):
        response = client.get(reverse(name))
        headers = next(
            load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
                values_only=True
            )
        )
        assert headers[:2] in (("发布单位", "渠道"), ("活动编号", "活动名称"))

    api = APIClient()
    api.force_authenticate(d.town_a)
    url = "/api/v1/media-posts/"
    data = {"unit": d.street_a.pk, "channel": "weibo", "account": "甲街道", "title": "微博",
            "url": "https://weibo.com/1", "published_on": "2024-06-01", "views": -1}  # fmt: skip
    response = api.post(url, data, format="json")
    assert response.status_code == 400 and "负数" in str(response.json())
    data["views"] = 5
    assert api.post(url, data, format="json").status_code == 201
    api.force_authenticate(d.town_b)
    assert api.get(url).json()["count"] == 0
