"""User management pages: unit admins manage their subtree, district admins everyone."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from xuanpei.accounts.factories import TEST_PASSWORD, UserFactory
from xuanpei.accounts.models import User
from xuanpei.core.permissions import Role

NEW_PASSWORD = "Neue-Passwort-2026"


def login(client, user):
    client.force_login(user)
    return client


def new_user_form(unit=None, enterprise=None, **extra):
    return {
        "username": "new_person",
        "first_name": "新同事",
        "email": "",
        "phone": "13811112222",
        "unit": unit.pk if unit else "",
        "enterprise": enterprise.pk if enterprise else "",
        "role": Role.REPORTER,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **extra,
    }


def test_a_unit_admin_lists_only_the_users_of_its_subtree(district, client):
    d = district
    UserFactory(username="village_user", unit=d.village_a)
    UserFactory(username="west_user", unit=d.town_b_sub)
    html = login(client, d.town_a).get(reverse("accounts:user_list")).content.decode()
    assert "village_user" in html and "town_a_viewer" in html and ">enterprise<" in html
    assert "west_user" not in html and "town_b" not in html and ">district<" not in html


def test_the_district_admin_lists_everyone(district, client):
    response = login(client, district.district).get(reverse("accounts:user_list"), {"q": "town"})
    assert {u.username for u in response.context["object_list"]} == {
        "town_a",
        "town_b",
        "town_a_viewer",
    }


@pytest.mark.parametrize("persona", ["town_a_viewer", "department", "enterprise"])
def test_users_who_do_not_manage_users_get_403(district, client, persona):
    login(client, getattr(district, persona))
    assert client.get(reverse("accounts:user_list")).status_code == 403
    assert client.get(reverse("accounts:user_add")).status_code == 403


def test_anonymous_visitors_are_sent_to_login(district, client):
    response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_user_outside_the_subtree_is_a_404(district, client):
    d = district
    login(client, d.town_a)
    for name in ("user_detail", "user_edit", "user_password"):
        assert client.get(reverse(f"accounts:{name}", args=[d.town_b.pk])).status_code == 404
    assert client.post(reverse("accounts:user_deactivate", args=[d.town_b.pk])).status_code == 404
    d.town_b.refresh_from_db()
    assert d.town_b.is_active


def test_a_unit_admin_creates_a_user_in_its_subtree(district, client):
    d = district
    response = login(client, d.town_a).post(reverse("accounts:user_add"), new_user_form(d.street_a))
    assert response.status_code == 302
    user = User.objects.get(username="new_person")
    assert (
        user.unit == d.street_a and user.role == Role.REPORTER and user.check_password(NEW_PASSWORD)
    )
    entry = LogEntry.objects.get_for_object(user).get()
    assert entry.actor == d.town_a


def test_a_unit_admin_creates_an_enterprise_account_in_scope(district, client):
    d = district
    login(client, d.town_a).post(reverse("accounts:user_add"), new_user_form(enterprise=d.ent_a2))
    assert User.objects.get(username="new_person").enterprise == d.ent_a2


def test_a_unit_or_enterprise_outside_the_subtree_cannot_be_chosen(district, client):
    d = district
    login(client, d.town_a)
    response = client.post(reverse("accounts:user_add"), new_user_form(d.town_b_sub))
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    response = client.post(reverse("accounts:user_add"), new_user_form(enterprise=d.ent_b1))
    assert "enterprise" in response.context["form"].errors
    assert not User.objects.filter(username="new_person").exists()


def test_a_unit_admin_cannot_grant_the_district_admin_role(district, client):
    d = district
    response = login(client, d.town_a).post(
        reverse("accounts:user_add"), new_user_form(d.street_a, role=Role.DISTRICT_ADMIN)
    )
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(username="new_person").exists()


def test_a_user_needs_exactly_one_home(district, client):
    d = district
    login(client, d.district)
    both = client.post(reverse("accounts:user_add"), new_user_form(d.street_a, enterprise=d.ent_a1))
    neither = client.post(reverse("accounts:user_add"), new_user_form())
    for response in (both, neither):
        assert response.context["form"].errors["unit"] == ["请选择所属单位或所属企业（二选一）"]
    assert not User.objects.filter(username="new_person").exists()


def test_a_weak_password_is_rejected_in_chinese(district, client):
    d = district
    response = login(client, d.town_a).post(
        reverse("accounts:user_add"),
        new_user_form(d.street_a, password1="abcdefghijk", password2="abcdefghijk"),
    )
    errors = response.context["form"].errors["password1"]
    assert "密码须至少包含小写字母、大写字母、数字、符号中的三类" in errors
    assert not User.objects.filter(username="new_person").exists()


def test_a_taken_username_is_rejected(district, client):
    d = district
    response = login(client, d.town_a).post(
        reverse("accounts:user_add"), new_user_form(d.street_a, username="TOWN_B")
    )
    assert response.context["form"].errors["username"]


def test_a_unit_admin_edits_a_user_and_the_change_is_audited(district, client):
    d = district
    url = reverse("accounts:user_edit", args=[d.town_a_viewer.pk])
    data = {
        "first_name": "改名",
        "email": "",
        "phone": "",
        "unit": d.street_a.pk,
        "enterprise": "",
        "role": Role.REPORTER,
    }
    assert login(client, d.town_a).post(url, data).status_code == 302
    d.town_a_viewer.refresh_from_db()
    assert (d.town_a_viewer.first_name, d.town_a_viewer.unit, d.town_a_viewer.role) == (
        "改名",
        d.street_a,
        Role.REPORTER,
    )
    entry = LogEntry.objects.get_for_object(d.town_a_viewer).latest("timestamp")
    assert entry.actor == d.town_a and "role" in entry.changes_dict


def test_an_admin_cannot_change_their_own_role_or_unit(district, client):
    d = district
    url = reverse("accounts:user_edit", args=[d.town_a.pk])
    data = {"first_name": "我", "unit": d.street_a.pk, "enterprise": "", "role": Role.VIEWER}
    login(client, d.town_a).post(url, data)
    d.town_a.refresh_from_db()
    assert d.town_a.first_name == "我"
    assert (d.town_a.unit, d.town_a.role) == (d.town_a_unit, Role.UNIT_ADMIN)


def test_deactivating_a_user_blocks_login_and_revokes_the_token(district, client):
    from rest_framework.authtoken.models import Token

    from xuanpei.accounts.services import issue_api_token

    d = district
    issue_api_token(d.town_a_viewer)
    login(client, d.town_a).post(reverse("accounts:user_deactivate", args=[d.town_a_viewer.pk]))
    d.town_a_viewer.refresh_from_db()
    assert not d.town_a_viewer.is_active
    assert not Token.objects.filter(user=d.town_a_viewer).exists()
    client.post(reverse("accounts:user_activate", args=[d.town_a_viewer.pk]))
    d.town_a_viewer.refresh_from_db()
    assert d.town_a_viewer.is_active


def test_nobody_deactivates_themselves(district, client):
    d = district
    login(client, d.town_a).post(reverse("accounts:user_deactivate", args=[d.town_a.pk]))
    d.town_a.refresh_from_db()
    assert d.town_a.is_active


def test_deactivate_answers_only_post(district, client):
    url = reverse("accounts:user_deactivate", args=[district.town_a_viewer.pk])
    assert login(client, district.town_a).get(url).status_code == 405


def test_a_manager_resets_a_password(district, client):
    d = district
    url = reverse("accounts:user_password", args=[d.town_a_viewer.pk])
    response = login(client, d.town_a).post(url, {"password1": "short", "password2": "short"})
    assert response.status_code == 200 and response.context["form"].errors["password1"]
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    d.town_a_viewer.refresh_from_db()
    assert d.town_a_viewer.check_password(NEW_PASSWORD)


def test_a_unit_admin_cannot_manage_a_district_admin_placed_in_its_subtree(district, client):
    d = district
    odd = UserFactory(username="odd_admin", unit=d.street_a, role=Role.DISTRICT_ADMIN)
    login(client, d.town_a)
    assert client.get(reverse("accounts:user_edit", args=[odd.pk])).status_code == 404


def test_every_user_sees_and_edits_their_profile(district, client):
    d = district
    login(client, d.enterprise)
    assert client.get(reverse("accounts:profile")).status_code == 200
    client.post(
        reverse("accounts:profile"),
        {"first_name": "企业联系人", "email": "a@example.cn", "phone": ""},
    )
    d.enterprise.refresh_from_db()
    assert d.enterprise.first_name == "企业联系人"


def test_a_user_changes_their_own_password_and_stays_logged_in(district, client):
    d = district
    login(client, d.enterprise)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    d.enterprise.refresh_from_db()
    assert d.enterprise.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_the_profile_issues_a_token_once_and_revokes_it(district, client):
    from rest_framework.authtoken.models import Token

    d = district
    login(client, d.department)
    response = client.post(reverse("accounts:api_token"), {"op": "issue"})
    key = Token.objects.get(user=d.department).key
    assert key in response.content.decode()
    assert key not in client.get(reverse("accounts:profile")).content.decode()
    client.post(reverse("accounts:api_token"), {"op": "revoke"})
    assert not Token.objects.filter(user=d.department).exists()


def test_the_management_pages_render_for_a_unit_admin(district, client):
    d = district
    login(client, d.town_a)
    pk = d.town_a_viewer.pk
    for url in (
        reverse("accounts:user_list"),
        reverse("accounts:user_add"),
        reverse("accounts:user_detail", args=[pk]),
        reverse("accounts:user_edit", args=[pk]),
        reverse("accounts:user_password", args=[pk]),
        reverse("accounts:password_change"),
    ):
        assert client.get(url).status_code == 200, url
    form = client.get(reverse("accounts:user_add")).context["form"]
    assert set(form.fields["unit"].queryset) == {d.town_a_unit, d.street_a, d.village_a}
    assert set(form.fields["enterprise"].queryset) == {d.ent_a1, d.ent_a2}
    assert Role.DISTRICT_ADMIN not in dict(form.fields["role"].choices)
    partial = client.get(reverse("accounts:user_list"), HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content
