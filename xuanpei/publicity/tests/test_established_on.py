"""An activity dated before its unit existed is refused (issue #11, Bad input).

`orgs.Unit.established_on` (成立日期, blank = unknown) and the one rule
`services_activities.established_error`, read by the pages, the API and the xlsx import
alike: the day before the 成立日期 is refused with a Chinese message naming the field and
the unit, the day itself is allowed, and a unit with no 成立日期 refuses nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from xuanpei.accounts.factories import UserFactory
from xuanpei.core.imports.service import run_import
from xuanpei.core.imports.testing import xlsx_bytes
from xuanpei.core.permissions import Role
from xuanpei.orgs.models import Unit
from xuanpei.publicity import services_activities as svc
from xuanpei.publicity.importers import ACTIVITY_COLUMNS
from xuanpei.publicity.models_ledger import Activity, ReviewStatus

pytestmark = pytest.mark.django_db

FOUNDED = date(2015, 3, 1)
HEADERS = [c.header for c in ACTIVITY_COLUMNS]
MESSAGE = "活动日期（2015-02-28）早于单位“甲街道”的成立日期（2015-03-01）"


@pytest.fixture
def street(district):
    """甲街道, founded on 2015-03-01, and its 填报员."""
    district.street_a.established_on = FOUNDED
    district.street_a.save(update_fields=["established_on"])
    return UserFactory(username="street_a", unit=district.street_a, role=Role.REPORTER)


# --------------------------------------------------------------------------- the rule


@given(
    founded=st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2030, 12, 31))),
    held_on=st.dates(date(2000, 1, 1), date(2030, 12, 31)),
)
def test_the_rule_refuses_exactly_the_days_before_the_founding_day(founded, held_on):
    unit = Unit(name="某镇", established_on=founded)
    reason = svc.established_error(unit, held_on)
    assert bool(reason) == (founded is not None and held_on < founded)
    if reason:
        assert reason == (
            f"活动日期（{held_on.isoformat()}）早于单位“某镇”的成立日期（{founded.isoformat()}）"
        )


def test_no_unit_or_no_date_refuses_nothing():
    assert svc.established_error(None, date(2001, 1, 1)) == ""
    assert svc.established_error(Unit(name="某镇", established_on=FOUNDED), None) == ""


# --------------------------------------------------------------------------- the page


def post_add(client, district, day: str):
    return client.post(
        reverse("publicity:activity_add"),
        {
            "title": "进社区宣讲",
            "unit": district.street_a.pk,
            "held_on": day,
            "place": "甲社区活动室",
            "participants": "40",
            "materials-TOTAL_FORMS": "0",
            "materials-INITIAL_FORMS": "0",
        },
    )


def test_the_add_page_refuses_a_day_before_the_unit_existed(district, street, client):
    client.force_login(street)
    response = post_add(client, district, "2015-02-28")
    assert response.status_code == 200 and not Activity.objects.exists()
    assert response.context["form"].errors["held_on"] == [MESSAGE]
    assert MESSAGE in response.content.decode()


def test_the_add_page_takes_the_founding_day_itself(district, street, client):
    client.force_login(street)
    response = post_add(client, district, "2015-03-01")
    activity = Activity.objects.get()
    assert response.status_code == 302 and activity.held_on == FOUNDED


def test_a_unit_with_no_founding_date_refuses_nothing_on_the_page(district, client):
    user = UserFactory(username="street_a", unit=district.street_a, role=Role.REPORTER)
    assert district.street_a.established_on is None
    client.force_login(user)
    assert post_add(client, district, "2001-01-02").status_code == 302
    assert Activity.objects.get().held_on == date(2001, 1, 2)


def test_the_edit_page_refuses_moving_the_date_before_the_unit_existed(district, street, client):
    client.force_login(street)
    post_add(client, district, "2015-03-01")
    activity = Activity.objects.get()
    response = client.post(
        reverse("publicity:activity_edit", args=[activity.pk]),
        {
            "title": "进社区宣讲",
            "held_on": "2015-02-28",
            "place": "甲社区活动室",
            "participants": "40",
            "materials-TOTAL_FORMS": "0",
            "materials-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and MESSAGE in response.content.decode()
    activity.refresh_from_db()
    assert activity.held_on == FOUNDED


def test_a_draft_saved_before_the_date_was_known_cannot_be_submitted(district, street):
    """The 成立日期 entered after the draft was saved still stops its submission."""
    district.street_a.established_on = None
    district.street_a.save(update_fields=["established_on"])
    draft = svc.create_activity(
        Activity(unit=district.street_a, title="旧活动", held_on=date(2014, 5, 1), place="广场"),
        actor=street,
    )
    district.street_a.established_on = FOUNDED
    district.street_a.save(update_fields=["established_on"])
    with pytest.raises(ValidationError) as caught:
        svc.submit_activity(draft, actor=street)
    assert "早于单位“甲街道”的成立日期（2015-03-01）" in caught.value.message_dict["held_on"][0]
    draft.refresh_from_db()
    assert draft.status == ReviewStatus.DRAFT


# --------------------------------------------------------------------------- the API


def test_the_api_refuses_a_day_before_the_unit_existed_and_takes_the_day_itself(district, street):
    client = APIClient()
    client.force_authenticate(street)
    body = {"title": "接口登记", "held_on": "2015-02-28", "place": "广场"}
    bad = client.post("/api/v1/activities/", body, format="json")
    assert bad.status_code == 400 and bad.json()["held_on"] == [MESSAGE]
    assert not Activity.objects.exists()
    good = client.post("/api/v1/activities/", {**body, "held_on": "2015-03-01"}, format="json")
    assert good.status_code == 201, good.content
    pk = good.json()["id"]
    moved = client.patch(f"/api/v1/activities/{pk}/", {"held_on": "2015-02-28"}, format="json")
    assert moved.status_code == 400 and moved.json()["held_on"] == [MESSAGE]
    assert Activity.objects.get().held_on == FOUNDED


# --------------------------------------------------------------------------- the import


def row(day: str, title: str, unit: str = "甲街道") -> list[str]:
    values = {"活动名称": title, "组织单位": unit, "活动日期": day, "活动地点": "甲社区广场"}
    return [values.get(h, "") for h in HEADERS]


def test_the_import_refuses_the_row_with_its_excel_row_field_and_reason(district, street):
    district.town_a_unit.established_on = date(2014, 1, 6)
    district.town_a_unit.save(update_fields=["established_on"])
    rows = [
        row("2015-03-01", "成立当天"),
        row("2015-02-28", "成立前一天"),
        row("2014-01-05", "新城成立前", unit="东新城"),
        row("2014-01-06", "新城成立当天", unit="东新城"),
        row("2003-05-01", "未知成立日期的新城", unit="西新城"),
    ]
    result = run_import(
        "activities", xlsx_bytes([HEADERS, *rows]), filename="f.xlsx", user=district.district
    )
    assert (result.rows, result.accepted, result.rejected, result.created) == (5, 3, 2, 3)
    found = [(e.row, e.column, e.message) for e in result.errors]
    assert found == [
        (3, "活动日期", MESSAGE),
        (4, "活动日期", "活动日期（2014-01-05）早于单位“东新城”的成立日期（2014-01-06）"),
    ]
    assert sorted(Activity.objects.values_list("title", flat=True)) == sorted(
        ["成立当天", "新城成立当天", "未知成立日期的新城"]
    )


def test_an_import_update_moving_the_date_before_the_unit_existed_is_refused(district, street):
    activity = Activity.objects.create(
        unit=district.street_a,
        title="草稿",
        held_on=FOUNDED + timedelta(days=10),
        place="广场",
        status=ReviewStatus.DRAFT,
    )
    data = row("2015-02-28", "草稿")
    data[HEADERS.index("活动编号")] = str(activity.pk)
    result = run_import(
        "activities", xlsx_bytes([HEADERS, data]), filename="f.xlsx", user=district.town_a
    )
    assert [(e.row, e.column, e.message) for e in result.errors] == [(2, "活动日期", MESSAGE)]
    activity.refresh_from_db()
    assert activity.held_on == FOUNDED + timedelta(days=10)


# --------------------------------------------------------------------------- the unit


def test_the_unit_page_shows_the_founding_date_or_unknown(district, street, client):
    client.force_login(district.district)
    page = client.get(reverse("orgs:unit_detail", args=[district.street_a.pk]))
    assert "成立日期 2015-03-01" in " ".join(page.content.decode().split())
    other = client.get(reverse("orgs:unit_detail", args=[district.town_b_unit.pk]))
    assert "成立日期 不详" in " ".join(other.content.decode().split())


def test_the_district_sets_a_founding_date_through_the_units_api(district):
    client = APIClient()
    client.force_authenticate(district.district)
    url = reverse("api:unit-detail", args=[district.town_b_unit.pk])
    response = client.patch(url, {"established_on": "2014-01-06"}, format="json")
    assert response.status_code == 200 and response.json()["established_on"] == "2014-01-06"
    district.town_b_unit.refresh_from_db()
    assert district.town_b_unit.established_on == date(2014, 1, 6)
    cleared = client.patch(url, {"established_on": None}, format="json")
    assert cleared.status_code == 200 and cleared.json()["established_on"] is None


def test_a_founding_date_in_the_future_is_refused_by_the_api_as_by_the_page(district):
    """One rule on the model field (core.validators.validate_not_in_future)."""
    client = APIClient()
    client.force_authenticate(district.district)
    url = reverse("api:unit-detail", args=[district.town_b_unit.pk])
    tomorrow = date.today() + timedelta(days=2)
    response = client.patch(url, {"established_on": tomorrow.isoformat()}, format="json")
    assert response.status_code == 400
    assert response.json()["established_on"] == ["日期不能晚于今天"]
    district.town_b_unit.refresh_from_db()
    assert district.town_b_unit.established_on is None
