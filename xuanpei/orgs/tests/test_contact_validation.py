"""Phones and e-mail are checked where people type them (issue #8 item 7): the enterprise
form, the API, the enterprise import, the user forms and the roster import."""

from django.urls import reverse
from rest_framework.test import APIClient

from xuanpei.accounts.models import User
from xuanpei.core.imports.service import run_import
from xuanpei.core.imports.testing import xlsx_bytes
from xuanpei.orgs.importers import HEADERS
from xuanpei.orgs.models import Enterprise
from xuanpei.orgs.tests.test_enterprise_import import NEW, row
from xuanpei.orgs.tests.test_views import form_data
from xuanpei.workforce.models import Person
from xuanpei.workforce.roster.plan import HEADERS as ROSTER_HEADERS
from xuanpei.workforce.tests.roster_data import roster_row

BAD_PHONE = "abc-不是电话"


def test_the_enterprise_form_refuses_a_phone_that_is_no_phone(client, district):
    ent = district.ent_a1
    before = ent.safety_phone
    client.force_login(district.town_a)
    edit = reverse("orgs:enterprise_edit", args=[ent.pk])

    response = client.post(edit, form_data(district, uscc=ent.uscc, safety_phone=BAD_PHONE))

    assert response.status_code == 200
    assert "电话号码“abc-不是电话”格式不正确" in response.content.decode()
    ent.refresh_from_db()
    assert ent.safety_phone == before


def test_the_enterprise_form_stores_several_numbers_normalised(client, district):
    ent = district.ent_a1
    client.force_login(district.town_a)
    edit = reverse("orgs:enterprise_edit", args=[ent.pk])

    typed = "０２９－８８８８６６６６；139 1234 5678"
    response = client.post(edit, form_data(district, uscc=ent.uscc, safety_phone=typed))

    assert response.status_code == 302
    ent.refresh_from_db()
    assert ent.safety_phone == "029-88886666、13912345678"


def test_the_api_refuses_a_bad_phone_in_chinese(district):
    api = APIClient()
    api.force_authenticate(district.town_a)
    url = reverse("api:enterprise-detail", args=[district.ent_a1.pk])

    bad = api.patch(url, {"safety_phone": BAD_PHONE}, format="json")
    good = api.patch(url, {"safety_phone": "029 8888 6666"}, format="json")

    assert bad.status_code == 400
    assert "格式不正确" in bad.json()["safety_phone"][0]
    assert good.status_code == 200
    assert Enterprise.objects.get(pk=district.ent_a1.pk).safety_phone == "02988886666"


def test_an_imported_bad_phone_is_a_row_error_naming_row_column_and_reason(district):
    data = xlsx_bytes([list(HEADERS), row(联系电话=BAD_PHONE)])

    result = run_import("enterprises", data, filename="e.xlsx", user=district.town_a)

    assert [(e.row, e.column, e.value) for e in result.errors] == [(2, "联系电话", BAD_PHONE)]
    assert "格式不正确" in result.errors[0].message
    assert not Enterprise.objects.filter(uscc=NEW).exists()


def test_an_imported_phone_is_stored_normalised(district):
    data = xlsx_bytes([list(HEADERS), row(联系电话="(029)88886666转123")])

    result = run_import("enterprises", data, filename="e.xlsx", user=district.town_a)

    assert result.errors == []
    assert Enterprise.objects.get(uscc=NEW).safety_phone == "029-88886666-123"


def test_the_user_form_refuses_a_bad_phone_and_a_bad_email(client, district):
    from xuanpei.accounts.tests.test_users import new_user_form

    client.force_login(district.town_a)
    response = client.post(
        reverse("accounts:user_add"),
        new_user_form(unit=district.street_a, phone=BAD_PHONE, email="zhangsan@"),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "格式不正确" in html and "电子邮箱" in html
    assert not User.objects.filter(username="new_person").exists()


def test_the_profile_refuses_a_bad_phone(client, district):
    user = district.town_a
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"), {"first_name": "王", "email": "", "phone": BAD_PHONE}
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.phone != BAD_PHONE


def test_a_roster_row_with_a_bad_phone_is_rejected(district, workforce_dictionaries):
    ent = district.ent_a1
    data = xlsx_bytes([list(ROSTER_HEADERS), roster_row(ent.uscc, 1, 手机号=BAD_PHONE)])

    result = run_import("roster", data, filename="r.xlsx", user=district.district)

    assert [(e.row, e.column) for e in result.errors] == [(2, "手机号")]
    assert "格式不正确" in result.errors[0].message
    assert not Person.objects.exists()


def test_the_detail_page_links_each_valid_number_and_no_bad_one(client, district):
    Enterprise.objects.filter(pk=district.ent_a1.pk).update(
        safety_phone="029-88886666-123、13912345678"
    )
    Enterprise.objects.filter(pk=district.ent_a2.pk).update(safety_phone=BAD_PHONE)
    client.force_login(district.town_a)

    good = client.get(district.ent_a1.get_absolute_url()).content.decode()
    bad = client.get(district.ent_a2.get_absolute_url()).content.decode()

    assert 'href="tel:02988886666,123"' in good and 'href="tel:13912345678"' in good
    assert BAD_PHONE in bad and "tel:abc" not in bad
