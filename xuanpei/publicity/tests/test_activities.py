"""The activity ledger (issue #11 §3, §8): recording, bad input, review, duplicates, the
public page, stored XSS and the shared file checker's photo cleaning."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import strip_tags
from PIL import Image

from xuanpei.accounts.factories import UserFactory
from xuanpei.core import uploads
from xuanpei.core.permissions import Role
from xuanpei.notifications.models import Notification
from xuanpei.plans.factories import PlanFactory, TaskFactory
from xuanpei.publicity import services_activities as svc
from xuanpei.publicity.dictionaries import AUDIENCES, FORMS, ensure_ledger_dictionaries
from xuanpei.publicity.factories import CampaignFactory
from xuanpei.publicity.factories_ledger import ActivityFactory
from xuanpei.publicity.models_ledger import (
    Activity,
    ActivityFile,
    ActivityForm,
    Audience,
    ReviewStatus,
)

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


def jpeg_with_gps(size=(3000, 2000)) -> bytes:
    img = Image.new("RGB", size, (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    gps = exif.get_ifd(0x8825)
    gps[2] = (31.0, 14.0, 0.0)  # GPSLatitude
    gps[1] = "N"
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif, quality=60)
    return out.getvalue()


def photo(name="现场.jpg", data=None):
    return SimpleUploadedFile(name, data or jpeg_with_gps((64, 48)), content_type="image/jpeg")


@pytest.fixture
def street_user(district):
    """A 填报员 of 甲街道 (a 镇街 under 东新城)."""
    return UserFactory(username="street_a", unit=district.street_a, role=Role.REPORTER)


def new(unit, **fields) -> Activity:
    defaults = {"title": "安全生产月宣传咨询日", "held_on": date(2024, 6, 16), "place": "文化广场"}
    return Activity(unit=unit, **{**defaults, **fields})


# Dictionaries -----------------------------------------------------------------------------


def test_the_dictionaries_come_back_after_a_flush_empties_them(db):
    Audience.objects.all().delete()
    ActivityForm.objects.all().delete()
    assert ensure_ledger_dictionaries() == len(AUDIENCES) + len(FORMS)
    assert ensure_ledger_dictionaries() == 0
    assert Audience.objects.filter(name="特种作业人员").exists()
    assert ActivityForm.objects.filter(name="户外广告/电子屏").exists()


# The shared file checker: photos ---------------------------------------------------------


def test_a_photo_loses_its_gps_location_and_is_downscaled():
    checked = uploads.check_file(photo(data=jpeg_with_gps()), clean_photo=True)
    with Image.open(io.BytesIO(checked.content)) as img:
        assert max(img.size) == uploads.PHOTO_MAX_SIDE and img.size == (2560, 1707)
        assert not img.getexif() and 0x8825 not in img.getexif()
    assert checked.size == len(checked.content) and checked.thumbnail


def test_a_40_mb_photo_is_refused_naming_the_file(settings):
    big = SimpleUploadedFile("大照片.jpg", b"\xff\xd8\xff" + b"0" * (40 * 1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        uploads.check_file(big, clean_photo=True)
    assert "大照片.jpg" in exc.value.messages[0] and "超过了 20 MB" in exc.value.messages[0]


# Recording and bad input -----------------------------------------------------------------


def test_a_street_records_an_activity_with_a_photo_stored_without_gps(district, street_user):
    activity = svc.create_activity(
        new(district.street_a, participants=120),
        actor=street_user,
        relations=svc.Relations(materials=[("宣传册", 200)]),
        files=[photo()],
    )
    assert activity.status == ReviewStatus.DRAFT and activity.created_by == street_user
    item = activity.files.get()
    assert item.kind == "image" and item.thumbnail
    with item.file.open("rb") as fh, Image.open(fh) as img:
        assert 0x8825 not in img.getexif()
    assert list(activity.materials.values_list("kind", "count")) == [("宣传册", 200)]


def test_an_enterprise_records_for_its_territory_whatever_the_form_says(district):
    activity = svc.create_activity(new(district.town_b_unit), actor=district.enterprise)
    assert activity.enterprise == district.ent_a1 and activity.unit == district.street_a


def test_a_unit_cannot_record_for_a_unit_outside_its_scope(district, street_user):
    with pytest.raises(ValidationError) as exc:
        svc.create_activity(new(district.town_b_sub), actor=street_user)
    assert "组织单位不在您的管辖范围内" in exc.value.message_dict["unit"][0]
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"participants": 2_000_000}, "participants", "参与人数须在 0 至 1,000,000 之间"),
        ({"media_links": "javascript:alert(1)"}, "media_links", "不是 http:// 或 https://"),
        ({"media_links": "ftp://x.cn/a"}, "media_links", "ftp://x.cn/a"),
    ],
)
def test_bad_input_is_refused_naming_the_field(district, street_user, fields, field, text):
    with pytest.raises(ValidationError) as exc:
        svc.create_activity(new(district.street_a, **fields), actor=street_user, files=[photo()])
    assert text in " ".join(exc.value.message_dict[field])
    assert not Activity.objects.exists() and not ActivityFile.objects.exists()


def test_a_campaign_or_task_of_another_year_is_refused(district, street_user):
    campaign = CampaignFactory(unit=district.root, year=2023, name="安全生产月")
    task = TaskFactory(plan=PlanFactory(unit=district.root, year=2023), number="三(一)5")
    with pytest.raises(ValidationError) as exc:
        svc.create_activity(
            new(district.street_a),
            actor=street_user,
            relations=svc.Relations(campaigns=[campaign], tasks=[task]),
        )
    errors = exc.value.message_dict
    assert "属于2023年，与活动日期（2024年）不符" in errors["campaigns"][0]
    assert "三(一)5" in errors["tasks"][0] and "2023年计划" in errors["tasks"][0]


def test_a_file_that_is_not_what_its_name_says_stores_nothing(district, street_user, settings):
    fake = SimpleUploadedFile("照片.jpg", b"MZ\x90\x00" + b"\x00" * 100)
    with pytest.raises(ValidationError) as exc:
        svc.create_activity(new(district.street_a), actor=street_user, files=[photo(), fake])
    assert "照片.jpg" in exc.value.messages[0] and "Windows 可执行程序" in exc.value.messages[0]
    assert not Activity.objects.exists()
    media = settings.MEDIA_ROOT / "publicity"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_future_activity_may_be_drafted_but_not_submitted(district, street_user):
    future = svc.create_activity(
        new(district.street_a, held_on=date.today() + timedelta(days=3)), actor=street_user
    )
    with pytest.raises(ValidationError) as exc:
        svc.submit_activity(future, actor=street_user)
    assert "晚于今天" in exc.value.message_dict["held_on"][0]
    future.refresh_from_db()
    assert future.status == ReviewStatus.DRAFT


# Review -----------------------------------------------------------------------------------


def test_the_unit_above_accepts_and_the_recorder_hears_of_it(district, street_user):
    activity = svc.create_activity(new(district.street_a), actor=street_user)
    svc.submit_activity(activity, actor=street_user)
    assert Notification.objects.get(unit=district.town_a_unit).url == activity.get_absolute_url()
    assert list(svc.reviewable_activities(district.town_a)) == [activity]
    assert not svc.reviewable_activities(district.town_b).exists()
    with pytest.raises(PermissionDenied):
        svc.accept_activity(activity, actor=district.town_b)
    with pytest.raises(PermissionDenied):  # the recorder does not review itself
        svc.accept_activity(activity, actor=street_user)

    svc.accept_activity(activity, actor=district.town_a)
    activity.refresh_from_db()
    assert activity.status == ReviewStatus.ACCEPTED and activity.reviewed_by == district.town_a
    assert Notification.objects.filter(unit=district.street_a, title__contains="已通过").exists()


def test_returning_needs_a_reason_and_reopens_the_activity_for_editing(district, street_user):
    activity = svc.create_activity(new(district.street_a), actor=street_user)
    svc.submit_activity(activity, actor=street_user)
    with pytest.raises(ValidationError):
        svc.return_activity(activity, actor=district.town_a, comment=" ")
    svc.return_activity(activity, actor=district.town_a, comment="请补充照片")
    activity.refresh_from_db()
    assert activity.status == ReviewStatus.RETURNED and svc.can_edit(street_user, activity)


def test_an_enterprise_activity_is_reviewed_by_its_territory(district):
    activity = svc.create_activity(new(district.street_a), actor=district.enterprise)
    svc.submit_activity(activity, actor=district.enterprise)
    reviewer = UserFactory(unit=district.street_a, role=Role.UNIT_ADMIN)
    assert list(svc.reviewable_activities(reviewer)) == [activity]
    assert not svc.reviewable_activities(district.town_a).exists()


def test_the_districts_own_activity_is_accepted_on_submit(district):
    activity = svc.create_activity(new(district.root), actor=district.district)
    assert svc.submit_activity(activity, actor=district.district).status == ReviewStatus.ACCEPTED


def test_a_likely_duplicate_is_flagged_on_the_submit_page_and_to_the_reviewer(
    district, street_user, client
):
    ActivityFactory(unit=district.street_a, title="安全生产月 宣传咨询日活动")
    activity = svc.create_activity(new(district.street_a), actor=street_user)
    ActivityFactory(unit=district.street_a, title="消防演练")  # not similar
    assert [a.title for a in svc.likely_duplicates(activity)] == ["安全生产月 宣传咨询日活动"]

    client.force_login(street_user)
    url = reverse("publicity:activity_submit", args=[activity.pk])
    assert 'id="duplicates"' in client.get(url).content.decode()
    assert client.post(url).status_code == 302  # still submittable
    client.force_login(district.town_a)
    assert "疑似重复" in client.get(reverse("publicity:activity_queue")).content.decode()


def test_the_queue_finds_the_duplicates_of_a_whole_page_in_one_query(
    district, street_user, client, django_assert_max_num_queries
):
    # Two days of the same street: each submitted activity has one look-alike that day.
    for day in (date(2024, 6, 16), date(2024, 6, 17)):
        ActivityFactory(unit=district.street_a, held_on=day, title="安全生产月 宣传咨询日活动")
        ActivityFactory(unit=district.street_a, held_on=day, title="消防演练")  # not similar
        submitted = svc.create_activity(new(district.street_a, held_on=day), actor=street_user)
        svc.submit_activity(submitted, actor=street_user)
    for i in range(8):  # more submitted activities, none alike: no more queries
        other = svc.create_activity(
            new(district.street_a, title="应急科普讲座", held_on=date(2024, 3, 1 + i)),
            actor=street_user,
        )
        svc.submit_activity(other, actor=street_user)
    found = svc.likely_duplicates_of(svc.reviewable_activities(district.town_a))
    by_day = {
        a.held_on: [d.title for d in found[a.pk]]
        for a in svc.reviewable_activities(district.town_a)
        if a.title == "安全生产月宣传咨询日"
    }
    assert by_day == {
        date(2024, 6, 16): ["安全生产月 宣传咨询日活动"],
        date(2024, 6, 17): ["安全生产月 宣传咨询日活动"],
    }
    client.force_login(district.town_a)
    client.get(reverse("publicity:activity_queue"))  # the session renewed once
    with django_assert_max_num_queries(8):
        body = client.get(reverse("publicity:activity_queue")).content.decode()
    assert body.count("疑似重复") == 2


# Pages, the public page and stored XSS ----------------------------------------------------


def test_the_add_page_records_with_materials_and_a_photo(district, street_user, client):
    ensure_ledger_dictionaries()
    campaign = CampaignFactory(unit=district.root, year=2024, name="安全生产月")
    client.force_login(street_user)
    page = client.get(reverse("publicity:activity_add"), {"year": 2024})
    assert page.status_code == 200
    response = client.post(
        reverse("publicity:activity_add"),
        {
            "title": "进社区宣讲",
            "unit": district.street_a.pk,
            "held_on": "2024-06-16",
            "place": "甲社区活动室",
            "locality": district.village_a.pk,
            "to_community": "on",
            "campaigns": [campaign.pk],
            "audiences": [Audience.objects.get(name="老年人").pk],
            "participants": "80",
            "materials-TOTAL_FORMS": "1",
            "materials-INITIAL_FORMS": "0",
            "materials-0-kind": "折页",
            "materials-0-count": "300",
            "files": [photo()],
        },
    )
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == activity.get_absolute_url()
    assert activity.to_community and activity.locality == district.village_a
    assert activity.materials.get().count == 300 and activity.files.count() == 1
    assert list(activity.campaigns.all()) == [campaign]


def test_the_add_page_offers_last_years_campaigns_on_request(district, street_user, client):
    """In January last year's 安全生产月 can still be recorded: a year switch on the page."""
    this_year = date.today().year
    last = CampaignFactory(unit=district.root, year=this_year - 1, name="去年的安全生产月")
    current = CampaignFactory(unit=district.root, year=this_year, name="今年的安全生产月")
    client.force_login(street_user)
    url = reverse("publicity:activity_add")

    page = client.get(url).content.decode()
    assert current.name in page and last.name not in page
    assert f'href="?year={this_year - 1}"' in page  # the switch

    page = client.get(url, {"year": this_year - 1}).content.decode()
    assert last.name in page and current.name not in page
    for junk in ("1999", "abc", str(this_year + 1)):  # not offered: this year's
        page = client.get(url, {"year": junk}).content.decode()
        assert current.name in page and last.name not in page


def test_a_bad_participant_count_on_the_page_is_a_chinese_message(district, street_user, client):
    client.force_login(street_user)
    response = client.post(
        reverse("publicity:activity_add"),
        {
            "title": "x",
            "unit": district.street_a.pk,
            "held_on": "2024-06-16",
            "place": "p",
            "participants": "-5",
            "materials-TOTAL_FORMS": "0",
            "materials-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and not Activity.objects.exists()
    assert "参与人数" in response.content.decode()


def test_stored_xss_is_escaped_on_list_detail_and_public_page(district, client):
    activity = ActivityFactory(
        unit=district.street_a,
        title=XSS,
        place=XSS,
        summary=XSS,
        status=ReviewStatus.ACCEPTED,
        is_public=True,
    )
    client.force_login(district.district)
    for url in (
        reverse("publicity:activity_list"),
        reverse("publicity:activity_detail", args=[activity.pk]),
        reverse("publicity_public:page"),
    ):
        body = client.get(url).content.decode()
        assert XSS not in body and ESCAPED in body, url


def test_the_public_page_shows_only_published_activities_and_their_thumbnails(
    district, street_user, client
):
    CampaignFactory(
        unit=district.root,
        name="安全生产月",
        theme="人人讲安全",
        start_date=date.today(),
        end_date=date.today() + timedelta(days=5),
    )
    shown = svc.create_activity(
        new(district.street_a, title="公开的活动", participants=77),
        actor=street_user,
        files=[photo()],
    )
    hidden = svc.create_activity(
        new(district.street_a, title="未公开的活动"), actor=street_user, files=[photo()]
    )
    svc.submit_activity(shown, actor=street_user)
    svc.accept_activity(shown, actor=district.town_a)
    with pytest.raises(PermissionDenied):
        svc.publish_activity(shown, actor=district.town_a)
    with pytest.raises(ValidationError):  # a draft is not published
        svc.publish_activity(hidden, actor=district.district)
    svc.publish_activity(shown, actor=district.district)

    body = client.get(reverse("publicity_public:page")).content.decode()  # anonymous
    text = strip_tags(body)  # what a reader sees: a random token in an attribute may hold "77"
    assert body.count("公开的活动") == 1 and "未公开的活动" not in body
    assert "人人讲安全" in text and "77" not in text and "甲街道" not in text
    ok = client.get(reverse("publicity_public:thumbnail", args=[shown.files.get().pk]))
    assert ok.status_code == 200 and ok["Content-Type"] == "image/jpeg"
    no = client.get(reverse("publicity_public:thumbnail", args=[hidden.files.get().pk]))
    assert no.status_code == 404
    # Anonymous full-size files stay behind login.
    full = client.get(reverse("publicity:activity_file", args=[shown.files.get().pk]))
    assert full.status_code == 302


def test_the_ledger_list_answers_in_few_queries(district, client, django_assert_max_num_queries):
    for n in range(5):
        ActivityFactory(unit=district.street_a, title=f"活动{n}")
    client.force_login(district.town_a)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("publicity:activity_list"))
    assert response.status_code == 200 and response.context["paginator"].count == 5


def test_the_api_records_submits_and_the_town_accepts(district, street_user, client):
    client.force_login(street_user)
    created = client.post(
        "/api/v1/activities/",
        {
            "title": "接口登记的活动",
            "held_on": "2024-06-16",
            "place": "广场",
            "start_time": "09:30",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["unit"] == district.street_a.pk
    assert created.json()["start_time"] == "09:30"
    pk = created.json()["id"]
    bad = client.post(
        "/api/v1/activities/",
        {"title": "x", "held_on": "2024-06-16", "place": "p", "participants": -1},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "参与人数" in bad.json()["participants"][0]
    assert client.post(f"/api/v1/activities/{pk}/submit/").json()["status"] == "submitted"
    client.force_login(district.town_a)
    returned = client.post(f"/api/v1/activities/{pk}/return/", {}, content_type="application/json")
    assert returned.status_code == 400 and "审核意见" in returned.json()["comment"][0]
    accepted = client.post(f"/api/v1/activities/{pk}/accept/")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
