"""An admin's reach (issue #9 item 2, docs/decisions.md "Who manages an enterprise's accounts").

Enterprise accounts are managed along the 属地 chain (the unit admins whose subtree
holds the enterprise, and the district); a department's admin manages only the
users of its own unit, not those of the enterprises it supervises. An admin of a
unit does not manage another admin of the same unit: only a higher level does.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from xuanpei.accounts import services
from xuanpei.accounts.factories import TEST_PASSWORD, UserFactory
from xuanpei.accounts.models import User
from xuanpei.core.permissions import Role
from xuanpei.core.views import ScopeViolation

NEW_PASSWORD = "Neue-Passwort-2026"


@pytest.fixture
def dept_admin(district):
    return UserFactory(username="dept_admin", unit=district.dept_unit, role=Role.UNIT_ADMIN)


@pytest.fixture
def supervised_user(district):
    # An account of an enterprise in 西新城 that 教育局 supervises.
    return UserFactory(username="supervised_user", enterprise=district.supervised)


def test_a_department_admin_cannot_reset_the_password_of_a_supervised_enterprise_user(
    district, client, dept_admin, supervised_user
):
    client.force_login(dept_admin)
    for name in ("user_detail", "user_edit", "user_password"):
        url = reverse(f"accounts:{name}", args=[supervised_user.pk])
        assert client.get(url).status_code == 404
    url = reverse("accounts:user_password", args=[supervised_user.pk])
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 404
    with pytest.raises(ScopeViolation):
        services.reset_password(supervised_user, actor=dept_admin, password=NEW_PASSWORD)
    supervised_user.refresh_from_db()
    assert supervised_user.check_password(TEST_PASSWORD)


def test_a_department_admin_cannot_change_the_role_of_a_supervised_enterprise_user(
    district, client, dept_admin, supervised_user
):
    with pytest.raises(ScopeViolation):
        services.update_user(supervised_user, actor=dept_admin, role=Role.UNIT_ADMIN)
    supervised_user.refresh_from_db()
    assert supervised_user.role == Role.REPORTER


def test_a_department_admin_cannot_open_an_account_for_a_supervised_enterprise(
    district, client, dept_admin
):
    client.force_login(dept_admin)
    form = client.get(reverse("accounts:user_add")).context["form"]
    assert "enterprise" not in form.fields  # a department's subtree holds no enterprise
    response = client.post(
        reverse("accounts:user_add"),
        {
            "username": "new_person",
            "first_name": "新同事",
            "unit": "",
            "enterprise": district.supervised.pk,
            "role": Role.UNIT_ADMIN,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200 and response.context["form"].errors
    with pytest.raises(ScopeViolation):
        services.create_user(
            actor=dept_admin,
            username="new_person",
            password=NEW_PASSWORD,
            enterprise=district.supervised,
            role=Role.REPORTER,
        )
    assert not User.objects.filter(username="new_person").exists()


def test_a_department_admin_lists_only_the_users_of_its_own_unit(
    district, client, dept_admin, supervised_user
):
    colleague = UserFactory(username="dept_colleague", unit=district.dept_unit)
    client.force_login(dept_admin)
    listed = set(client.get(reverse("accounts:user_list")).context["object_list"])
    assert {colleague, dept_admin, district.department} <= listed
    assert supervised_user not in listed and district.enterprise not in listed


def test_the_territorial_chain_manages_the_supervised_enterprise_accounts(
    district, supervised_user
):
    town_b_street_admin = UserFactory(
        username="b_street_admin", unit=district.town_b_sub, role=Role.UNIT_ADMIN
    )
    for actor in (town_b_street_admin, district.town_b, district.district):
        services.reset_password(supervised_user, actor=actor, password=NEW_PASSWORD)
        supervised_user.refresh_from_db()
        assert supervised_user.check_password(NEW_PASSWORD)
    with pytest.raises(ScopeViolation):
        services.reset_password(supervised_user, actor=district.town_a, password=NEW_PASSWORD)


def test_a_unit_admin_cannot_reset_the_password_of_another_admin_of_the_same_unit(district, client):
    peer = UserFactory(username="town_a_peer", unit=district.town_a_unit, role=Role.UNIT_ADMIN)
    client.force_login(district.town_a)
    for name in ("user_detail", "user_edit", "user_password"):
        assert client.get(reverse(f"accounts:{name}", args=[peer.pk])).status_code == 404
    with pytest.raises(ScopeViolation):
        services.reset_password(peer, actor=district.town_a, password=NEW_PASSWORD)
    with pytest.raises(ScopeViolation):
        services.update_user(peer, actor=district.town_a, role=Role.VIEWER)
    with pytest.raises(ScopeViolation):
        services.set_active(peer, actor=district.town_a, active=False)
    peer.refresh_from_db()
    assert peer.check_password(TEST_PASSWORD) and peer.role == Role.UNIT_ADMIN and peer.is_active
    # The level above does it.
    services.reset_password(peer, actor=district.district, password=NEW_PASSWORD)
    peer.refresh_from_db()
    assert peer.check_password(NEW_PASSWORD)


def test_a_unit_admin_manages_the_admin_of_a_unit_below(district):
    street_admin = UserFactory(
        username="street_admin", unit=district.street_a, role=Role.UNIT_ADMIN
    )
    services.reset_password(street_admin, actor=district.town_a, password=NEW_PASSWORD)
    street_admin.refresh_from_db()
    assert street_admin.check_password(NEW_PASSWORD)


def test_a_unit_admin_cannot_make_a_second_admin_of_its_own_unit(district, client):
    d = district
    with pytest.raises(ValidationError) as exc:
        services.update_user(d.town_a_viewer, actor=d.town_a, role=Role.UNIT_ADMIN)
    assert exc.value.message_dict["role"] == ["本单位的管理员须由上级单位设置"]
    d.town_a_viewer.refresh_from_db()
    assert d.town_a_viewer.role == Role.VIEWER
    client.force_login(d.town_a)
    response = client.post(
        reverse("accounts:user_add"),
        {
            "username": "new_person",
            "first_name": "新同事",
            "unit": d.town_a_unit.pk,
            "enterprise": "",
            "role": Role.UNIT_ADMIN,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert "本单位的管理员须由上级单位设置" in response.content.decode()
    assert not User.objects.filter(username="new_person").exists()


def test_the_district_makes_an_admin_of_a_town(district):
    services.update_user(district.town_a_viewer, actor=district.district, role=Role.UNIT_ADMIN)
    district.town_a_viewer.refresh_from_db()
    assert district.town_a_viewer.role == Role.UNIT_ADMIN


def test_the_navigation_bar_on_a_user_page_names_the_admin_not_the_user_shown(district, client):
    client.force_login(district.district)
    for name in ("user_detail", "user_edit", "user_password"):
        response = client.get(reverse(f"accounts:{name}", args=[district.town_a_viewer.pk]))
        assert response.context["user"] == district.district
        assert response.context["object"] == district.town_a_viewer
