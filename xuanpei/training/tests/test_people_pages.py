"""Grid officer and cadre pages and API (issue #12 item 1): one person everywhere, a unit
sees the posts in its subtree only, ID numbers masked, writes through the services."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from xuanpei.training.factories import UnitPostFactory
from xuanpei.training.models import UnitPost
from xuanpei.workforce.factories import PersonFactory, PostFactory, make_id_number
from xuanpei.workforce.models import Person

ID1 = make_id_number(811)


@pytest.fixture
def officers(district):
    d = district
    east = UnitPostFactory(
        person=PersonFactory(name="东城网格员", id_number=ID1), unit=d.village_a,
        phone="13912345678", title="网格长", start_date=date(2025, 1, 1),
    )  # fmt: skip
    west = UnitPostFactory(person=PersonFactory(name="西城网格员"), unit=d.town_b_sub)
    cadre = UnitPostFactory(person=PersonFactory(name="东城干部"), unit=d.street_a, role="cadre")
    return d, east, west, cadre


def test_a_town_lists_its_own_grid_officers_with_masked_ids(officers, client):
    d, east, _west, _cadre = officers
    client.force_login(d.town_a)
    page = client.get(reverse("training:grid_officer_list")).content.decode()
    assert "东城网格员" in page and "西城网格员" not in page
    assert "东城干部" not in page  # a cadre is not a grid officer
    assert ID1 not in page and f"{ID1[:3]}***********{ID1[-4:]}" in page


def test_a_viewer_sees_phones_masked_and_an_admin_whole(officers, client):
    d, *_ = officers
    client.force_login(d.town_a_viewer)
    page = client.get(reverse("training:grid_officer_list")).content.decode()
    assert "13912345678" not in page and "139****5678" in page
    client.force_login(d.town_a)
    assert "13912345678" in client.get(reverse("training:grid_officer_list")).content.decode()


def test_the_list_filters_by_unit_subtree_status_and_search(officers, client):
    d, east, _west, _cadre = officers
    UnitPostFactory(
        person=PersonFactory(name="离任网格员"), unit=d.street_a, end_date=date(2025, 1, 1)
    )
    client.force_login(d.district)
    url = reverse("training:grid_officer_list")
    by_unit = client.get(url, {"unit": d.town_a_unit.pk}).content.decode()
    assert "东城网格员" in by_unit and "西城网格员" not in by_unit
    left = client.get(url, {"status": "left"}).content.decode()
    assert "离任网格员" in left and "东城网格员" not in left
    on_duty = client.get(url, {"status": "on_duty"}).content.decode()
    assert "离任网格员" not in on_duty and "东城网格员" in on_duty
    assert "西城网格员" in client.get(url, {"q": "西城"}).content.decode()
    assert "东城网格员" in client.get(url, {"q": "5678"}).content.decode()


def test_cadres_list_only_cadres(officers, client):
    d, *_ = officers
    client.force_login(d.town_a)
    page = client.get(reverse("training:cadre_list")).content.decode()
    assert "东城干部" in page and "东城网格员" not in page


def test_a_sibling_town_gets_404_on_anothers_post(officers, client):
    d, east, *_ = officers
    client.force_login(d.town_b)
    for name in ("unitpost_detail", "unitpost_edit", "unitpost_end"):
        assert client.get(reverse(f"training:{name}", args=[east.pk])).status_code == 404


def test_adding_an_officer_reuses_the_person_an_enterprise_met_first(district, client):
    d = district
    worker = PostFactory(enterprise=d.ent_a1).person
    client.force_login(d.town_a)
    response = client.post(
        reverse("training:unitpost_add"),
        {
            "role": "grid_officer",
            "name": worker.name,
            "id_number": worker.id_number,
            "unit": d.village_a.pk,
            "phone": "029-88886666",
            "start_date": "2025-03-01",
        },
    )
    assert response.status_code == 302
    post = UnitPost.objects.get()
    assert post.person == worker and post.unit == d.village_a
    assert Person.objects.filter(id_number=worker.id_number).count() == 1


def test_adding_checks_the_id_number_the_grid_and_the_scope(district, client):
    d = district
    client.force_login(d.town_a)
    url = reverse("training:unitpost_add")
    base = {"role": "grid_officer", "name": "新网格员", "id_number": ID1}
    bad_id = client.post(url, {**base, "id_number": "110105194912310021", "unit": d.village_a.pk})
    assert bad_id.status_code == 200 and "id_number" in bad_id.context["form"].errors
    department = client.post(url, {**base, "unit": d.dept_unit.pk})
    assert department.status_code == 200 and "unit" in department.context["form"].errors
    foreign = client.post(url, {**base, "unit": d.town_b_sub.pk})
    assert foreign.status_code == 200 and "unit" in foreign.context["form"].errors
    assert not UnitPost.objects.exists() and not Person.objects.filter(id_number=ID1).exists()
    twice = {**base, "unit": d.village_a.pk}
    assert client.post(url, twice).status_code == 302
    again = client.post(url, twice)
    assert again.status_code == 200 and UnitPost.objects.count() == 1
    assert "不能重复登记" in again.content.decode()


def test_editing_and_ending_a_post(officers, client):
    d, east, *_ = officers
    client.force_login(d.town_a)
    response = client.post(
        reverse("training:unitpost_edit", args=[east.pk]),
        {
            "unit": d.street_a.pk,
            "title": "专职网格员",
            "phone": "13912345678",
            "start_date": "2025-01-01",
        },
    )
    assert response.status_code == 302
    east.refresh_from_db()
    assert (east.unit, east.title) == (d.street_a, "专职网格员")
    early = client.post(
        reverse("training:unitpost_end", args=[east.pk]), {"end_date": "2024-12-31"}
    )
    assert early.status_code == 200 and "离任日期不能早于任职日期" in early.content.decode()
    client.post(reverse("training:unitpost_end", args=[east.pk]), {"end_date": "2025-06-30"})
    east.refresh_from_db()
    assert east.end_date == date(2025, 6, 30)


def test_a_read_only_user_may_not_edit_a_post(officers, client):
    d, east, *_ = officers
    client.force_login(d.town_a_viewer)
    assert client.get(reverse("training:unitpost_edit", args=[east.pk])).status_code == 403


def test_the_api_creates_through_the_service_and_masks_ids(district, client):
    d = district
    client.force_login(d.town_a)
    url = reverse("api:unitpost-list")
    created = client.post(
        url,
        {"role": "grid_officer", "name": "接口网格员", "id_number": ID1, "unit": d.village_a.pk},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["id_number_masked"] == f"{ID1[:3]}***********{ID1[-4:]}"
    assert ID1 not in created.content.decode()
    foreign = client.post(
        url,
        {"role": "grid_officer", "name": "接口网格员", "id_number": ID1, "unit": d.town_b_sub.pk},
        content_type="application/json",
    )
    assert foreign.status_code == 400
    listed = client.get(url, {"role": "grid_officer"}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["name"] for r in rows] == ["接口网格员"]
    post_id = rows[0]["id"]
    patched = client.patch(
        reverse("api:unitpost-detail", args=[post_id]),
        {"end_date": "2020-01-01", "start_date": "2021-01-01"},
        content_type="application/json",
    )
    assert patched.status_code == 400 and "离任日期不能早于任职日期" in patched.content.decode()


def test_the_list_and_export_pages_link_import_and_export(officers, client):
    d, *_ = officers
    client.force_login(d.town_a)
    page = client.get(reverse("training:grid_officer_list")).content.decode()
    assert reverse("training:grid_officer_import") in page
    assert reverse("training:grid_officer_export") in page
    export = client.get(reverse("training:grid_officer_export"))
    assert export.status_code == 200
    assert client.get(reverse("training:grid_officer_import")).status_code == 200
    assert client.get(reverse("training:grid_officer_import_template")).status_code == 200


def test_the_list_takes_a_fixed_number_of_queries(officers, client, django_assert_max_num_queries):
    d, *_ = officers
    for _i in range(30):
        UnitPostFactory(unit=d.village_a)
    client.force_login(d.district)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("training:grid_officer_list")).status_code == 200


def test_the_detail_names_the_grid_by_its_path(officers, client):
    d, east, *_ = officers
    client.force_login(d.town_a)
    page = client.get(reverse("training:unitpost_detail", args=[east.pk])).content.decode()
    assert "东新城 / 甲街道 / 甲社区" in page
