"""The inbox: scoped to the user's unit or enterprise, unread first, mark read, navbar badge."""

import pytest
from django.urls import reverse

from xuanpei.notifications import services
from xuanpei.notifications.models import Notification


def note(key, **kwargs):
    kwargs.setdefault("title", f"提醒{key}")
    return Notification.objects.create(kind="test", key=key, **kwargs)


@pytest.fixture
def notes(district):
    d = district
    return {
        "town_a": note("town_a", unit=d.town_a_unit),
        "street_a": note("street_a", unit=d.street_a, level="danger"),
        "ent_a1": note("ent_a1", enterprise=d.ent_a1),
        "ent_a2": note("ent_a2", enterprise=d.ent_a2),
        "town_b": note("town_b", unit=d.town_b_unit),
        "ent_b1": note("ent_b1", enterprise=d.ent_b1),
    }


def keys(qs):
    return {n.key for n in qs}


def test_each_user_sees_the_messages_addressed_to_their_own_unit_or_enterprise(notes, district):
    assert keys(services.inbox(district.town_a)) == {"town_a"}
    assert keys(services.inbox(district.town_a_viewer)) == {"town_a"}
    assert keys(services.inbox(district.enterprise)) == {"ent_a1"}
    assert keys(services.inbox(district.town_b)) == {"town_b"}
    assert keys(services.inbox(district.department)) == set()


def test_unit_admins_may_widen_the_inbox_to_their_subtree(notes, district):
    assert keys(services.inbox(district.town_a, subtree=True)) == {
        "town_a",
        "street_a",
        "ent_a1",
        "ent_a2",
    }
    assert keys(services.inbox(district.district, subtree=True)) == set(notes)
    # Neither a viewer nor an enterprise user can widen theirs.
    assert keys(services.inbox(district.town_a_viewer, subtree=True)) == {"town_a"}
    assert keys(services.inbox(district.enterprise, subtree=True)) == {"ent_a1"}


def test_the_page_lists_unread_first_and_hides_foreign_messages(notes, district, client):
    services.mark_read(notes["town_a"], user=district.town_a)
    newer = note("newer", unit=district.town_a_unit, title="较新的提醒")
    client.force_login(district.town_a)
    body = client.get(reverse("notifications:notification_list")).content.decode()
    assert body.index(newer.title) < body.index("提醒town_a<")
    assert "提醒street_a" not in body and "提醒town_b" not in body
    body = client.get(reverse("notifications:notification_list") + "?scope=subtree").content
    body = body.decode()
    assert "提醒street_a" in body and "提醒ent_a2" in body and "提醒town_b" not in body


def test_the_list_is_bounded_in_queries(notes, district, client, django_assert_max_num_queries):
    for i in range(30):
        note(f"many{i}", unit=district.town_a_unit)
    client.force_login(district.town_a)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("notifications:notification_list") + "?scope=subtree")
    assert response.status_code == 200


def test_marking_one_read_and_the_badge_count(notes, district, client):
    client.force_login(district.enterprise)
    home = client.get(reverse("core:home")).content.decode()
    assert 'id="unread-badge">1<' in home
    response = client.post(reverse("notifications:notification_read", args=[notes["ent_a1"].pk]))
    assert response.status_code == 302
    notes["ent_a1"].refresh_from_db()
    assert notes["ent_a1"].read_at is not None
    assert 'id="unread-badge"' not in client.get(reverse("core:home")).content.decode()


def test_opening_a_message_marks_it_read_and_follows_its_link(notes, district, client):
    notes["ent_a1"].url = "/workforce/certificates/due/?window=review"
    notes["ent_a1"].save()
    client.force_login(district.enterprise)
    response = client.post(
        reverse("notifications:notification_read", args=[notes["ent_a1"].pk]), {"open": "1"}
    )
    assert response["Location"] == "/workforce/certificates/due/?window=review"


@pytest.mark.parametrize("persona", ["town_b", "department", "enterprise", "town_a_viewer"])
def test_a_foreign_message_cannot_be_marked_read(notes, district, client, persona):
    client.force_login(getattr(district, persona))
    response = client.post(reverse("notifications:notification_read", args=[notes["ent_a2"].pk]))
    assert response.status_code == 404
    notes["ent_a2"].refresh_from_db()
    assert notes["ent_a2"].read_at is None


def test_mark_all_read_touches_only_the_inbox(notes, district, client):
    client.force_login(district.town_a)
    client.post(reverse("notifications:notification_read_all"))
    assert set(
        Notification.objects.filter(read_at__isnull=False).values_list("key", flat=True)
    ) == {"town_a"}
    client.post(reverse("notifications:notification_read_all"), {"scope": "subtree"})
    assert set(Notification.objects.filter(read_at__isnull=True).values_list("key", flat=True)) == {
        "town_b",
        "ent_b1",
    }


def test_raising_is_idempotent_by_key(district):
    first = services.raise_notifications(
        [Notification(kind="t", key="k1", title="a", unit=district.street_a)]
    )
    again = services.raise_notifications(
        [
            Notification(kind="t", key="k1", title="a", unit=district.street_a),
            Notification(kind="t", key="k2", title="b", enterprise=district.ent_a1),
        ]
    )
    assert [n.key for n in first] == ["k1"]
    assert [n.key for n in again] == ["k2"]
    assert Notification.objects.count() == 2
