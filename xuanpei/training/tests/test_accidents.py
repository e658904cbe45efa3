"""Training after accidents (issue #12 §7): an accident creates training obligations for
主要负责人, 安全管理人员 and all staff with a deadline; sessions with those people signed
in fulfil them; open ones show on the enterprise's page, to its 属地 and supervising
departments, and in reminders. Bad input: an accident dated in the future."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from xuanpei.notifications.models import Notification
from xuanpei.training import obligations
from xuanpei.training.factories import AttendanceFactory, TrainingSessionFactory
from xuanpei.training.models import Accident, TrainingObligation, TrainingSession
from xuanpei.training.reminders import send_training_reminders
from xuanpei.training.services_accidents import (
    ACCIDENT_KINDS,
    DEFAULT_DEADLINE_DAYS,
    record_accident,
)
from xuanpei.workforce.choices import PostTypeCode
from xuanpei.workforce.factories import PostFactory, get_post_type

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
Audience = TrainingObligation.Audience


def at(day, hour=9):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def staff(enterprise, name, code=PostTypeCode.OTHER):
    return PostFactory(
        person__name=name, enterprise=enterprise, post_type=get_post_type(code)
    ).person


@pytest.fixture
def people(district):
    ent = district.ent_a1
    return {
        "principal": staff(ent, "王主要", PostTypeCode.PRINCIPAL),
        "manager": staff(ent, "李安管", PostTypeCode.SAFETY_MANAGER),
        "worker": staff(ent, "赵工人"),
    }


def accident_at(
    district, *, occurred_on=TODAY - timedelta(days=10), today=TODAY, ent=None, actor=None
):
    return record_accident(
        enterprise=ent or district.ent_a1,
        occurred_on=occurred_on,
        kind="机械伤害",
        severity=Accident.Severity.ORDINARY,
        injuries=1,
        actor=actor or district.town_a,
        today=today,
    )


def held_class(district, day, *, status=TrainingSession.Status.HELD, **kw):
    kw.setdefault("enterprise", district.ent_a1)
    kw.setdefault("kind", TrainingSession.Kind.ACCIDENT_UNIT)
    return TrainingSessionFactory(unit=district.street_a, starts_at=at(day), status=status, **kw)


def attend(session, *persons):
    for person in persons:
        AttendanceFactory(session=session, person=person)


def by_audience(accident):
    return {o.audience: o for o in TrainingObligation.objects.filter(accident=accident)}


# --------------------------------------------------------------------------- creation


def test_recording_an_accident_creates_the_three_obligations_with_the_deadline(district):
    accident = accident_at(district)

    found = by_audience(accident)
    assert set(found) == {Audience.PRINCIPAL, Audience.SAFETY_MANAGER, Audience.ALL_STAFF}
    assert {o.due_on for o in found.values()} == {TODAY + timedelta(days=DEFAULT_DEADLINE_DAYS)}
    assert all(o.fulfilled_on is None for o in found.values())


def test_the_deadline_is_a_setting(district, settings):
    settings.TRAINING_ACCIDENT_DEADLINE_DAYS = 15
    accident = accident_at(district)
    assert {o.due_on for o in by_audience(accident).values()} == {TODAY + timedelta(days=15)}


def test_the_form_offers_the_twenty_gb6441_categories():
    assert len(ACCIDENT_KINDS) == 20
    assert ACCIDENT_KINDS[0] == "物体打击" and ACCIDENT_KINDS[-1] == "其他伤害"
    assert "中毒和窒息" in ACCIDENT_KINDS


def test_an_accident_dated_in_the_future_is_refused_and_nothing_is_saved(district):
    with pytest.raises(ValidationError) as exc:
        accident_at(district, occurred_on=TODAY + timedelta(days=1))
    assert "事故日期不能晚于今天" in exc.value.message_dict["occurred_on"]
    assert not Accident.objects.exists() and not TrainingObligation.objects.exists()


def test_an_unknown_category_is_refused(district):
    with pytest.raises(ValidationError) as exc:
        record_accident(
            enterprise=district.ent_a1,
            occurred_on=TODAY,
            kind="天灾",
            severity="ordinary",
            actor=district.town_a,
        )
    assert "GB 6441" in exc.value.message_dict["kind"][0]


def test_an_enterprise_account_does_not_record_accidents(district):
    with pytest.raises(PermissionDenied):
        record_accident(
            enterprise=district.ent_a1,
            occurred_on=TODAY,
            kind="触电",
            severity="ordinary",
            actor=district.enterprise,
        )
    assert not Accident.objects.exists()


# --------------------------------------------------------------------------- fulfilment


def test_a_class_with_everyone_signed_in_before_the_deadline_fulfils_all_three(district, people):
    accident = accident_at(district)
    day = TODAY - timedelta(days=2)
    attend(held_class(district, day), *people.values())

    found = by_audience(accident)
    assert {o.fulfilled_on for o in found.values()} == {day}


def test_one_missing_person_keeps_all_staff_open_and_is_named(district, people):
    accident = accident_at(district)
    attend(held_class(district, TODAY - timedelta(days=2)), people["principal"], people["manager"])

    found = by_audience(accident)
    assert found[Audience.PRINCIPAL].fulfilled_on and found[Audience.SAFETY_MANAGER].fulfilled_on
    open_one = found[Audience.ALL_STAFF]
    assert open_one.fulfilled_on is None
    assert obligations.status_of(open_one) == obligations.OPEN
    assert [p.name for p in obligations.missing_people(open_one)] == ["赵工人"]


def test_people_trained_in_different_classes_fulfil_it_on_the_later_date(district, people):
    accident = accident_at(district)
    first, second = TODAY - timedelta(days=5), TODAY - timedelta(days=1)
    attend(held_class(district, first), people["principal"], people["manager"])
    attend(held_class(district, second), people["worker"])

    assert by_audience(accident)[Audience.ALL_STAFF].fulfilled_on == second
    assert by_audience(accident)[Audience.PRINCIPAL].fulfilled_on == first


def test_a_class_after_the_deadline_does_not_fulfil_and_the_obligation_is_overdue(district, people):
    # Recorded 50 days ago: the 30-day deadline passed 20 days ago.
    accident = accident_at(
        district, occurred_on=TODAY - timedelta(days=60), today=TODAY - timedelta(days=50)
    )
    attend(held_class(district, TODAY - timedelta(days=10)), *people.values())

    found = by_audience(accident)
    assert all(o.fulfilled_on is None for o in found.values())
    assert {obligations.status_of(o) for o in found.values()} == {obligations.OVERDUE}


def test_a_class_on_the_deadline_day_counts(district, people):
    accident = accident_at(
        district, occurred_on=TODAY - timedelta(days=40), today=TODAY - timedelta(days=30)
    )
    due = by_audience(accident)[Audience.PRINCIPAL].due_on
    assert due == TODAY
    attend(held_class(district, due), people["principal"])
    assert by_audience(accident)[Audience.PRINCIPAL].fulfilled_on == due


def test_a_class_before_or_on_the_accident_day_does_not_count(district, people):
    occurred = TODAY - timedelta(days=10)
    attend(held_class(district, occurred - timedelta(days=3)), *people.values())
    attend(held_class(district, occurred), *people.values())
    accident = accident_at(district, occurred_on=occurred)
    assert all(o.fulfilled_on is None for o in by_audience(accident).values())


def test_a_planned_class_counts_once_it_is_marked_held(district, people):
    accident = accident_at(district)
    session = held_class(district, TODAY - timedelta(days=1), status=TrainingSession.Status.DRAFT)
    attend(session, people["principal"])
    assert by_audience(accident)[Audience.PRINCIPAL].fulfilled_on is None

    session.status = TrainingSession.Status.HELD
    session.save()
    assert by_audience(accident)[Audience.PRINCIPAL].fulfilled_on == TODAY - timedelta(days=1)


def test_another_enterprises_class_does_not_count_but_a_unit_accident_class_does(district, people):
    accident = accident_at(district)
    day = TODAY - timedelta(days=1)
    other = held_class(district, day, enterprise=district.ent_a2, kind=TrainingSession.Kind.SECTOR)
    attend(other, people["principal"])
    assert by_audience(accident)[Audience.PRINCIPAL].fulfilled_on is None

    # The 属地 organises a 事故单位培训 for accident units: it counts.
    unit_class = held_class(district, day, enterprise=None)
    attend(unit_class, people["principal"])
    assert by_audience(accident)[Audience.PRINCIPAL].fulfilled_on == day


def test_an_audience_nobody_is_registered_for_stays_open(district):
    accident = accident_at(district)  # ent_a1 has no posts at all
    refreshed = obligations.refresh_obligations(district.ent_a1)
    assert refreshed == []
    assert all(o.fulfilled_on is None for o in by_audience(accident).values())


def test_a_person_who_left_is_not_in_the_audience(district, people):
    accident = accident_at(district)
    PostFactory(
        person__name="离职者",
        enterprise=district.ent_a1,
        post_type=get_post_type(PostTypeCode.OTHER),
        end_date=TODAY - timedelta(days=20),
    )
    attend(held_class(district, TODAY - timedelta(days=1)), *people.values())
    assert by_audience(accident)[Audience.ALL_STAFF].fulfilled_on is not None


def test_refresh_is_cheap_when_nothing_is_open(district, people, django_assert_max_num_queries):
    session = held_class(district, TODAY - timedelta(days=1))
    with django_assert_max_num_queries(3):  # the insert, the open-obligation look-up
        AttendanceFactory(session=session, person=people["worker"])


# --------------------------------------------------------------------------- reminders


def remind(on=None):
    """The daily training reminders (issue #12), e-mail off: how many obligation messages."""
    result = send_training_reminders(on, email=False)
    return result.raised["obligation_reminders"], obligation_notes().count()


def obligation_notes():
    return Notification.objects.filter(key__startswith="training:obligation-")


def test_reminders_go_to_enterprise_and_its_shudi_once_due_within_a_week(district, people):
    accident = accident_at(
        district, occurred_on=TODAY - timedelta(days=30), today=TODAY - timedelta(days=25)
    )  # due in 5 days
    assert remind() == (6, 6)  # 3 obligations × (the enterprise, its 属地 甲街道)
    assert {(n.enterprise_id, n.unit_id) for n in obligation_notes()} == {
        (district.ent_a1.pk, None),
        (None, district.street_a.pk),
    }
    assert remind() == (6, 6)  # idempotent: the same keys raise nothing new

    # Overdue: one more message each.
    later = accident.obligations.first().due_on + timedelta(days=1)
    assert remind(later) == (6, 12)


def test_no_reminder_far_from_the_deadline_or_once_fulfilled(district, people):
    accident_at(district)  # due in 30 days
    assert remind() == (0, 0)
    attend(held_class(district, TODAY - timedelta(days=1)), *people.values())
    assert remind(TODAY + timedelta(days=40)) == (0, 0)


def test_supervising_departments_are_reminded(district):
    accident_at(
        district,
        ent=district.supervised,
        actor=district.district,
        occurred_on=TODAY - timedelta(days=30),
        today=TODAY - timedelta(days=29),
    )
    remind()
    assert obligation_notes().filter(unit=district.dept_unit).count() == 3


# --------------------------------------------------------------------------- pages


def test_town_records_an_accident_on_the_page(client, district):
    client.force_login(district.town_a)
    response = client.post(
        reverse("training:accident_add"),
        {
            "enterprise": district.ent_a1.pk,
            "occurred_on": (TODAY - timedelta(days=1)).isoformat(),
            "kind": "触电",
            "severity": "ordinary",
            "deaths": 0,
            "injuries": 2,
            "summary": "配电箱检修时触电",
        },
    )
    assert response.status_code == 302
    accident = Accident.objects.get()
    assert accident.created_by == district.town_a
    assert accident.obligations.count() == 3


def test_the_page_refuses_a_future_date_with_the_reason(client, district):
    client.force_login(district.town_a)
    response = client.post(
        reverse("training:accident_add"),
        {
            "enterprise": district.ent_a1.pk,
            "occurred_on": (TODAY + timedelta(days=1)).isoformat(),
            "kind": "触电",
            "severity": "ordinary",
            "deaths": 0,
            "injuries": 0,
        },
    )
    assert response.status_code == 200
    assert "事故日期不能晚于今天" in response.content.decode()
    assert not Accident.objects.exists()


def test_scoping_of_accidents(client, district, people):
    accident = accident_at(district)
    detail = reverse("training:accident_detail", args=[accident.pk])

    client.force_login(district.enterprise)  # ent_a1's own account: reads, does not record
    assert client.get(detail).status_code == 200
    assert client.get(reverse("training:accident_add")).status_code == 403
    assert client.get(reverse("training:accident_edit", args=[accident.pk])).status_code == 403

    client.force_login(district.town_b)
    assert client.get(detail).status_code == 404
    assert "东城甲企业" not in client.get(reverse("training:accident_list")).content.decode()
    assert "东城甲企业" not in client.get(reverse("training:obligation_list")).content.decode()

    client.force_login(district.town_a)
    page = client.get(detail).content.decode()
    assert "赵工人" in page  # the people still missing are named


def test_a_supervising_department_sees_and_records_at_its_enterprise(client, district):
    client.force_login(district.department)
    response = client.post(
        reverse("training:accident_add"),
        {
            "enterprise": district.supervised.pk,
            "occurred_on": TODAY.isoformat(),
            "kind": "火灾",
            "severity": "ordinary",
            "deaths": 0,
            "injuries": 0,
        },
    )
    assert response.status_code == 302
    assert Accident.objects.get().enterprise == district.supervised
    # …but not at an enterprise it does not supervise.
    response = client.post(
        reverse("training:accident_add"),
        {
            "enterprise": district.ent_a1.pk,
            "occurred_on": TODAY.isoformat(),
            "kind": "火灾",
            "severity": "ordinary",
            "deaths": 0,
            "injuries": 0,
        },
    )
    assert response.status_code == 200
    assert Accident.objects.count() == 1


def test_the_obligation_list_filters_by_status(client, district, people):
    accident_at(district)
    overdue = accident_at(
        district,
        ent=district.ent_a2,
        occurred_on=TODAY - timedelta(days=60),
        today=TODAY - timedelta(days=50),
    )
    client.force_login(district.town_a)
    page = client.get(reverse("training:obligation_list"), {"status": "overdue"})
    rows = page.context["rows"]
    assert {r["obligation"].accident_id for r in rows} == {overdue.pk}
    assert {r["status"] for r in rows} == {"overdue"}


def test_the_enterprise_page_shows_its_open_obligations(client, district, people):
    accident_at(district)
    client.force_login(district.enterprise)
    page = client.get(reverse("orgs:enterprise_detail", args=[district.ent_a1.pk]))
    body = page.content.decode()
    assert "未完成的事故后培训" in body and "赵工人" in body

    attend(held_class(district, TODAY - timedelta(days=1)), *people.values())
    body = client.get(reverse("orgs:enterprise_detail", args=[district.ent_a1.pk])).content
    assert "未完成的事故后培训" not in body.decode()


# --------------------------------------------------------------------------- API


def test_the_api_creates_an_accident_with_its_obligations(client, district):
    client.force_login(district.town_a)
    response = client.post(
        "/api/v1/accidents/",
        {
            "enterprise": district.ent_a1.pk,
            "occurred_on": TODAY.isoformat(),
            "kind": "坍塌",
            "severity": "larger",
            "deaths": 3,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    accident = Accident.objects.get()
    assert accident.obligations.count() == 3
    listed = client.get("/api/v1/training-obligations/").json()
    assert {row["audience"] for row in listed["results"]} == set(Audience.values)


def test_the_api_refuses_a_future_date_and_enterprise_accounts(client, district):
    client.force_login(district.town_a)
    future = {
        "enterprise": district.ent_a1.pk,
        "occurred_on": (TODAY + timedelta(days=2)).isoformat(),
        "kind": "坍塌",
        "severity": "ordinary",
    }
    response = client.post("/api/v1/accidents/", future, content_type="application/json")
    assert response.status_code == 400
    assert "事故日期不能晚于今天" in response.content.decode()

    client.force_login(district.enterprise)
    future["occurred_on"] = TODAY.isoformat()
    response = client.post("/api/v1/accidents/", future, content_type="application/json")
    assert response.status_code == 403
    assert not Accident.objects.exists()


@pytest.mark.parametrize("accidents", [1, 6])
def test_the_lists_read_the_same_number_of_queries_for_more_rows(
    client, district, people, accidents, django_assert_max_num_queries
):
    for i in range(accidents):
        accident_at(district, occurred_on=TODAY - timedelta(days=i + 1))
    client.force_login(district.town_a)
    client.get(reverse("training:obligation_list"))  # warm the session and the menu
    with django_assert_max_num_queries(20):
        page = client.get(reverse("training:obligation_list"))
    assert len(page.context["rows"]) == 3 * accidents
    with django_assert_max_num_queries(20):
        assert client.get(reverse("training:accident_list")).status_code == 200


def test_editing_keeps_the_enterprise_and_refuses_a_future_date(client, district):
    accident = accident_at(district)
    client.force_login(district.town_a)
    url = reverse("training:accident_edit", args=[accident.pk])
    data = {
        "enterprise": district.ent_a2.pk,  # not a field of the edit form: ignored
        "occurred_on": (TODAY + timedelta(days=3)).isoformat(),
        "kind": "机械伤害",
        "severity": "ordinary",
        "deaths": 0,
        "injuries": 4,
    }
    response = client.post(url, data)
    assert "事故日期不能晚于今天" in response.content.decode()
    accident.refresh_from_db()
    assert accident.injuries == 1

    data["occurred_on"] = accident.occurred_on.isoformat()
    assert client.post(url, data).status_code == 302
    accident.refresh_from_db()
    assert (accident.injuries, accident.enterprise) == (4, district.ent_a1)


def test_a_department_sees_the_obligations_of_the_enterprises_it_supervises(client, district):
    accident_at(district, ent=district.supervised, actor=district.district)
    accident_at(district)  # ent_a1: not the department's
    client.force_login(district.department)
    rows = client.get(reverse("training:obligation_list")).context["rows"]
    assert {r["obligation"].accident.enterprise for r in rows} == {district.supervised}
    api = client.get("/api/v1/training-obligations/").json()
    assert {r["enterprise"] for r in api["results"]} == {district.supervised.pk}
    assert client.post("/api/v1/training-obligations/", {}).status_code == 405
