"""Workforce API: scoped people, posts and certificates; personal data masked or audited."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from xuanpei.core.validators import mask_id_number
from xuanpei.workforce.factories import CertificateFactory, PersonFactory, PostFactory


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def people(district):
    welder = PersonFactory(name="焊工甲", phone="13911112222")
    PostFactory(person=welder, enterprise=district.ent_a1, special=True)
    special = CertificateFactory(
        holder=welder,
        enterprise=district.ent_a1,
        special=True,
        issue_date=timezone.localdate() - timedelta(days=100),
    )
    clerk = PersonFactory(name="安全员乙")
    PostFactory(person=clerk, enterprise=district.ent_a1)
    foreign = PersonFactory(name="西城丙")
    PostFactory(person=foreign, enterprise=district.ent_b1)
    foreign_cert = CertificateFactory(holder=foreign, enterprise=district.ent_b1)
    return {
        "welder": welder,
        "special": special,
        "clerk": clerk,
        "foreign": foreign,
        "foreign_cert": foreign_cert,
    }


def get(api, user, name, *args, **params):
    api.force_authenticate(user)
    response = api.get(reverse(f"api:{name}", args=args), params)
    return response, response.content.decode()


def names(response):
    return {
        row.get("name") or row.get("holder", {}).get("name") for row in response.json()["results"]
    }


def access_entries():
    return LogEntry.objects.filter(action=LogEntry.Action.ACCESS)


def test_an_enterprise_lists_only_its_own_people(api, district, people):
    response, _ = get(api, district.enterprise, "person-list")
    assert response.status_code == 200
    assert names(response) == {"焊工甲", "安全员乙"}


def test_a_new_town_and_a_department_see_their_own_people(api, district, people):
    response, _ = get(api, district.town_b, "person-list")
    assert names(response) == {"西城丙"}
    supervised = PersonFactory(name="监管丁")
    PostFactory(person=supervised, enterprise=district.supervised)
    response, _ = get(api, district.department, "person-list")
    assert names(response) == {"监管丁"}


def test_a_foreign_person_or_certificate_is_a_404(api, district, people):
    response, _ = get(api, district.enterprise, "person-detail", people["foreign"].pk)
    assert response.status_code == 404
    response, _ = get(api, district.town_a, "certificate-detail", people["foreign_cert"].pk)
    assert response.status_code == 404


def test_masked_roles_never_receive_whole_id_numbers_or_phones(api, district, people):
    welder = people["welder"]
    for user in (district.enterprise, district.town_a_viewer):
        for name, args in (
            ("person-list", ()),
            ("person-detail", (welder.pk,)),
            ("certificate-list", ()),
            ("certificate-detail", (people["special"].pk,)),
            ("post-list", ()),
        ):
            response, body = get(api, user, name, *args)
            assert response.status_code == 200, (user, name)
            assert welder.id_number not in body, (user, name)
            assert "13911112222" not in body
            assert welder.birth_date.isoformat() not in body
    _, body = get(api, district.enterprise, "person-detail", welder.pk)
    assert mask_id_number(welder.id_number) in body and "139****2222" in body
    _, body = get(api, district.enterprise, "certificate-detail", people["special"].pk)
    assert "T" + mask_id_number(welder.id_number) in body
    assert not access_entries().exists()


def test_admins_receive_whole_id_numbers_and_each_is_audit_logged(api, district, people):
    welder = people["welder"]
    response, body = get(api, district.town_a, "person-list")
    assert welder.id_number in body and "13911112222" in body
    logged = access_entries()
    assert {e.object_pk for e in logged} == {str(welder.pk), str(people["clerk"].pk)}
    assert all(e.actor == district.town_a for e in logged)
    assert all(e.additional_data == {"field": "id_number", "via": "api"} for e in logged)
    # The certificate number embeds the ID number: reading it is a disclosure too.
    get(api, district.town_a, "certificate-detail", people["special"].pk)
    assert access_entries().filter(object_pk=str(welder.pk)).count() == 2


def test_a_token_request_is_logged_under_the_token_user(api, district, people):
    token = Token.objects.create(user=district.district)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get(reverse("api:person-detail", args=[people["welder"].pk]))
    assert response.status_code == 200
    assert access_entries().get().actor == district.district


def test_certificates_carry_their_status_today(api, district, people):
    response, _ = get(api, district.enterprise, "certificate-detail", people["special"].pk)
    data = response.json()
    assert data["status"] == "valid" and data["status_display"] == "有效"
    assert data["holder"] == {"id": people["welder"].pk, "name": "焊工甲"}
    assert data["enterprise"]["name"] == district.ent_a1.name


def test_posts_say_whether_they_are_covered(api, district, people):
    response, _ = get(api, district.enterprise, "post-list")
    by_person = {row["person"]["name"]: row["is_compliant"] for row in response.json()["results"]}
    assert by_person == {"焊工甲": True, "安全员乙": False}


def test_people_filter_by_compliance_and_search(api, district, people):
    response, _ = get(api, district.town_a, "person-list", compliance="non_compliant")
    assert names(response) == {"安全员乙"}
    response, _ = get(api, district.district, "person-list", q="西城")
    assert names(response) == {"西城丙"}


def test_certificates_filter_by_whole_number_only(api, district, people):
    number = people["special"].number
    response, _ = get(api, district.enterprise, "certificate-list", number=number.lower())
    assert response.json()["count"] == 1
    response, _ = get(api, district.enterprise, "certificate-list", number=number[:8])
    assert response.json()["count"] == 0


def test_the_api_is_read_only(api, district, people):
    api.force_authenticate(district.district)
    url = reverse("api:person-detail", args=[people["welder"].pk])
    assert api.patch(url, {"name": "改名"}, format="json").status_code == 405
    assert api.delete(url).status_code == 405
    assert api.post(reverse("api:certificate-list"), {}, format="json").status_code == 405


def test_api_lists_use_a_bounded_number_of_queries(
    api, district, people, django_assert_max_num_queries
):
    for _ in range(10):
        person = PersonFactory()
        PostFactory(person=person, enterprise=district.ent_a1, special=True)
        CertificateFactory(holder=person, enterprise=district.ent_a1, special=True)
    api.force_authenticate(district.town_a)
    for name in ("person-list", "post-list", "certificate-list"):
        with django_assert_max_num_queries(12):
            assert api.get(reverse(f"api:{name}")).status_code == 200


def test_anonymous_requests_are_refused(api, people):
    assert api.get(reverse("api:person-list")).status_code in (401, 403)
