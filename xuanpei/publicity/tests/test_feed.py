"""The private iCalendar link: what it holds, how it is escaped, how it is revoked."""

import pytest
from django.urls import reverse

from xuanpei.publicity import ics, services
from xuanpei.publicity.factories import CampaignFactory
from xuanpei.publicity.models import CalendarFeed

pytestmark = pytest.mark.django_db

EVIL = "<script>alert(1)</script>, 注意;\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:伪造"


@pytest.fixture
def campaigns(district):
    y = 2026
    return {
        "district": CampaignFactory(unit=district.root, year=y, name="安全生产月", theme=EVIL),
        "town_a": CampaignFactory(unit=district.town_a_unit, year=y, name="东新城活动"),
        "street": CampaignFactory(unit=district.street_a, year=y, name="甲街道活动"),
        "town_b": CampaignFactory(unit=district.town_b_unit, year=y, name="西新城活动"),
    }


def _events(body: str) -> list[str]:
    unfolded = body.replace("\r\n ", "")
    return [line for line in unfolded.split("\r\n") if line.startswith("SUMMARY:")]


def test_a_streets_feed_holds_its_own_its_towns_and_the_districts_campaigns(
    district, campaigns, client
):
    feed = services.regenerate_feed(district.street_a, actor=district.district)

    response = client.get(reverse("publicity:feed_ics", args=[feed.token]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    names = " ".join(_events(body))
    assert "东新城活动" in names and "甲街道活动" in names and "安全生产月" in names
    assert "西新城活动" not in body
    assert "DTSTART;VALUE=DATE:20260901\r\nDTEND;VALUE=DATE:20260902" in body


def test_a_theme_with_markup_and_line_breaks_stays_text_in_one_event(district, campaigns, client):
    feed = services.regenerate_feed(district.root, actor=district.district)
    body = client.get(reverse("publicity:feed_ics", args=[feed.token])).content.decode()

    lines = body.replace("\r\n ", "").split("\r\n")
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 1  # the district's own
    assert not [line for line in lines if line.startswith("SUMMARY:伪造")]
    assert "\\n" in body and "\\;" in body and "\\," in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_regenerating_revokes_the_old_link_and_a_wrong_token_is_404(district, campaigns, client):
    old = services.regenerate_feed(district.town_a_unit, actor=district.town_a).token
    new = services.regenerate_feed(district.town_a_unit, actor=district.town_a).token

    assert old != new and CalendarFeed.objects.get().token == new
    assert client.get(reverse("publicity:feed_ics", args=[old])).status_code == 404
    assert client.get(reverse("publicity:feed_ics", args=["nope"])).status_code == 404
    assert client.get(reverse("publicity:feed_ics", args=[new])).status_code == 200


def test_the_unit_page_shows_the_link_and_only_editors_may_regenerate_it(district, client):
    client.force_login(district.town_a)
    assert client.post(reverse("publicity:feed_regenerate")).status_code == 302
    token = CalendarFeed.objects.get(unit=district.town_a_unit).token
    assert token in client.get(reverse("publicity:feed")).content.decode()

    client.force_login(district.town_a_viewer)
    page = client.get(reverse("publicity:feed")).content.decode()
    assert token in page and "feed-regenerate" not in page
    assert client.post(reverse("publicity:feed_regenerate")).status_code == 403
    assert CalendarFeed.objects.get(unit=district.town_a_unit).token == token

    client.force_login(district.enterprise)
    assert client.get(reverse("publicity:feed")).status_code == 403


def test_folding_never_splits_a_character():
    line = "SUMMARY:" + "安全生产月" * 30
    folded = ics.fold(line)
    assert folded.replace("\r\n ", "") == line
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
