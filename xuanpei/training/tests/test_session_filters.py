"""The session list's filters that the counts link with (computed targets, statistics):
`status=done` (held or archived), the local start date range, a department's unit and a
sector. A count's link must open exactly the sessions the count counted."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xuanpei.training.factories import TrainingSessionFactory, local
from xuanpei.training.models import TrainingSession

pytestmark = pytest.mark.django_db

HELD, ARCHIVED, DRAFT = (TrainingSession.Status.HELD, TrainingSession.Status.ARCHIVED, "draft")


def titles(client, **params) -> set[str]:
    response = client.get(reverse("training:session_list"), params)
    assert response.status_code == 200
    return {s.title for s in response.context["object_list"]}


def test_done_is_held_or_archived_and_dates_are_local_days(district, client):
    unit = district.town_a_unit
    # 31 March 23:30 Beijing time is still Q1 (15:30 UTC); 1 April 00:10 is Q2.
    TrainingSessionFactory(
        unit=unit, title="一季度末", status=HELD, starts_at=local(2026, 3, 31, 23, 30)
    )
    TrainingSessionFactory(
        unit=unit, title="二季度初", status=ARCHIVED, starts_at=local(2026, 4, 1, 0, 10)
    )
    TrainingSessionFactory(unit=unit, title="计划中", status=DRAFT, starts_at=local(2026, 3, 20, 9))
    client.force_login(district.district)
    q1 = {"date_from": "2026-01-01", "date_to": "2026-03-31"}
    assert titles(client, status="done", **q1) == {"一季度末"}
    assert titles(client, **q1) == {"一季度末", "计划中"}
    assert titles(client, status="done", date_from="2026-04-01", date_to="2026-06-30") == {
        "二季度初"
    }
    assert titles(client, status="done", year=2026) == {"一季度末", "二季度初"}
    assert titles(client, status="held", year=2026) == {"一季度末"}


def test_a_departments_classes_and_a_sector(district, client):
    TrainingSessionFactory(unit=district.dept_unit, title="教育局专题培训", status=HELD)
    TrainingSessionFactory(unit=district.town_a_unit, title="东新城培训", status=HELD)
    TrainingSessionFactory(
        unit=district.ent_a1.unit, enterprise=district.ent_a1, title="企业全员培训", status=HELD
    )
    client.force_login(district.district)
    assert titles(client, unit=district.dept_unit.pk) == {"教育局专题培训"}
    assert titles(client, sector=district.ent_a1.sector_id) == {"企业全员培训"}
