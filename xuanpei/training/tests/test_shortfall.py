"""Hours per person against the legal minimums, through the SQL (issue #12 §5).

Expected hours are the regulation's, as domain.md §2 states them (3号令 Art. 9:
managers 32 h then 12 h a year, 高危 48 h / 16 h; Art. 13 and 安委〔2012〕10号: new
staff 24 h, 高危 72 h, then 8 h a year, 高危 20 h) — never read back from the SQL
under test. A seeded random district holds the SQL to `rules.check_year` person by
person.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from xuanpei.orgs.factories import EnterpriseFactory, SectorFactory
from xuanpei.orgs.models import Sector
from xuanpei.training import shortfall
from xuanpei.training.factories import AttendanceFactory, TrainingSessionFactory, local
from xuanpei.training.rules import PostSpan, check_year, group_of_post_type
from xuanpei.training.shortfall import Filters
from xuanpei.workforce.choices import PostTypeCode
from xuanpei.workforce.factories import PersonFactory, PostFactory, get_post_type

pytestmark = pytest.mark.django_db

PRINCIPAL = PostTypeCode.PRINCIPAL
SAFETY = PostTypeCode.SAFETY_MANAGER
OTHER = PostTypeCode.OTHER
EQUIPMENT = PostTypeCode.SPECIAL_EQUIPMENT


def sector(code, *, high_risk=False):
    found = Sector.objects.filter(code=code).first()
    if found is not None:
        if found.high_risk != high_risk:
            found.high_risk = high_risk
            found.save(update_fields=["high_risk"])
        return found
    return SectorFactory(code=code, name=f"行业{code}", high_risk=high_risk)


def post(person, enterprise, post_type, start, end=None):
    return PostFactory(
        person=person,
        enterprise=enterprise,
        post_type=get_post_type(post_type),
        start_date=start,
        end_date=end,
    )


def attend(person, unit, when, hours):
    session = TrainingSessionFactory(
        unit=unit, starts_at=when, ends_at=when + timedelta(hours=8), hours=Decimal(8)
    )
    return AttendanceFactory(session=session, person=person, hours_credited=Decimal(hours))


def by_person(user, year, **filters):
    return {
        r.person_id: r
        for r in shortfall.rows(user, Filters(year=year, **filters), below_only=False)
    }


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The page caches its answers under the data's fingerprint (largest ids), which
    # a rolled-back test may hand on to the next one.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def hazardous():
    return sector("hazardous_chemicals", high_risk=True)


@pytest.fixture
def ent_hr(district, hazardous):
    return EnterpriseFactory(name="高危化工企业", unit=district.street_a, sector=hazardous)


# Managers (3号令 Art. 9) -------------------------------------------------------------


def test_a_new_manager_owes_32_hours_in_the_first_year_then_12(district):
    person = post(PersonFactory(), district.ent_a1, PRINCIPAL, date(2026, 3, 1)).person
    first = by_person(district.district, 2026)[person.pk]
    assert (first.kind, first.required, first.shortfall) == ("initial", 32, 32)
    later = by_person(district.district, 2027)[person.pk]
    assert (later.kind, later.required) == ("yearly", 12)


def test_a_high_risk_manager_owes_48_then_16(district, ent_hr):
    person = post(PersonFactory(), ent_hr, SAFETY, date(2026, 5, 2)).person
    assert by_person(district.district, 2026)[person.pk].required == 48
    assert by_person(district.district, 2027)[person.pk].required == 16


def test_a_manager_moving_employer_mid_year_is_not_new_again(district):
    # Art. 9 "初次": the initial minimum follows the person, not the employer.
    person = PersonFactory()
    post(person, district.ent_a1, PRINCIPAL, date(2019, 1, 1), date(2026, 6, 30))
    post(person, district.ent_a2, PRINCIPAL, date(2026, 7, 1))
    row = by_person(district.district, 2026)[person.pk]
    assert (row.kind, row.required) == ("yearly", 12)


def test_a_manager_moving_to_a_high_risk_firm_owes_its_higher_initial_minimum(district, ent_hr):
    person = PersonFactory()
    post(person, district.ent_a1, SAFETY, date(2019, 1, 1), date(2026, 6, 30))
    post(person, ent_hr, SAFETY, date(2026, 7, 1))
    row = by_person(district.district, 2026)[person.pk]
    assert (row.kind, row.required, row.enterprise_id) == ("initial", 48, ent_hr.pk)


# Staff (3号令 Art. 13; 安委〔2012〕10号) -----------------------------------------------


def test_new_staff_owe_24_hours_then_8_a_year(district):
    person = post(PersonFactory(), district.ent_a1, OTHER, date(2026, 9, 1)).person
    assert by_person(district.district, 2026)[person.pk].required == 24
    assert by_person(district.district, 2027)[person.pk].required == 8


def test_new_high_risk_staff_owe_72_hours_then_20(district, ent_hr):
    person = post(PersonFactory(), ent_hr, EQUIPMENT, date(2026, 2, 1)).person
    first = by_person(district.district, 2026)[person.pk]
    assert (first.kind, first.required) == ("initial", 72)
    assert by_person(district.district, 2027)[person.pk].required == 20


def test_construction_staff_owe_32_then_20(district):
    ent = EnterpriseFactory(unit=district.street_a, sector=sector("construction"))
    person = post(PersonFactory(), ent, OTHER, date(2026, 2, 1)).person
    assert by_person(district.district, 2026)[person.pk].required == 32
    assert by_person(district.district, 2027)[person.pk].required == 20


def test_staff_hired_by_another_employer_are_new_there_again(district):
    person = PersonFactory()
    post(person, district.ent_a1, OTHER, date(2020, 1, 1), date(2026, 3, 31))
    post(person, district.ent_a2, OTHER, date(2026, 4, 1))
    row = by_person(district.district, 2026)[person.pk]
    assert (row.kind, row.required, row.enterprise_id) == ("initial", 24, district.ent_a2.pk)


def test_staff_promoted_to_manager_mid_year_owe_the_managers_initial_32(district):
    person = PersonFactory()
    post(person, district.ent_a1, OTHER, date(2018, 1, 1), date(2026, 5, 31))
    post(person, district.ent_a1, SAFETY, date(2026, 6, 1))
    row = by_person(district.district, 2026)[person.pk]
    assert (row.kind, row.required, row.post_type_id) == ("initial", 32, SAFETY)
    assert by_person(district.district, 2027)[person.pk].required == 12


def test_a_post_ended_before_the_year_owes_nothing(district):
    person = post(PersonFactory(), district.ent_a1, OTHER, date(2020, 1, 1), date(2025, 12, 31))
    assert person.person_id not in by_person(district.district, 2026)


# Hours credited --------------------------------------------------------------------


def test_only_sessions_starting_in_the_year_local_time_count(district):
    person = post(PersonFactory(), district.ent_a1, PRINCIPAL, date(2020, 1, 1)).person
    unit = district.town_a_unit
    attend(person, unit, local(2025, 12, 31, 23, 30), 4)  # Shanghai time: still 2025
    attend(person, unit, local(2026, 1, 1, 0, 30), 3)  # 2025-12-31 16:30 UTC: 2026 here
    attend(person, unit, local(2026, 6, 1, 9, 0), Decimal("4.5"))
    row = by_person(district.district, 2026)[person.pk]
    assert (row.required, row.credited, row.shortfall) == (12, Decimal("7.5"), Decimal("4.5"))
    attend(person, unit, local(2026, 9, 1, 9, 0), 8)
    row = by_person(district.district, 2026)[person.pk]
    assert (row.credited, row.shortfall) == (Decimal("15.5"), 0)
    assert person.pk not in {r.person_id for r in shortfall.rows(district.district, Filters(2026))}


# Scope -------------------------------------------------------------------------------


def test_an_enterprise_sees_only_its_own_people(district):
    mine = post(PersonFactory(), district.ent_a1, OTHER, date(2020, 1, 1)).person
    theirs = post(PersonFactory(), district.ent_a2, OTHER, date(2020, 1, 1)).person
    west = post(PersonFactory(), district.ent_b1, OTHER, date(2020, 1, 1)).person
    assert set(by_person(district.enterprise, 2026)) == {mine.pk}
    assert set(by_person(district.town_a, 2026)) == {mine.pk, theirs.pk}
    assert set(by_person(district.district, 2026)) == {mine.pk, theirs.pk, west.pk}
    # Naming another enterprise does not widen the scope.
    assert by_person(district.enterprise, 2026, enterprise_id=district.ent_a2.pk) == {}
    totals = shortfall.totals(district.enterprise, Filters(2026), "enterprise")
    assert [(t.key, t.people, t.below) for t in totals] == [(district.ent_a1.pk, 1, 1)]


def test_a_person_working_elsewhere_too_shows_at_the_viewers_post(district, ent_hr):
    person = PersonFactory()
    post(person, district.ent_a1, OTHER, date(2020, 1, 1))
    post(person, district.ent_b1, SAFETY, date(2020, 1, 1))
    # The requirement is the person's (the strictest post, 12 h); the row sits at the
    # viewer's own post.
    row = by_person(district.enterprise, 2026)[person.pk]
    assert (row.enterprise_id, row.required) == (district.ent_a1.pk, 12)
    assert by_person(district.district, 2026)[person.pk].enterprise_id == district.ent_b1.pk


def test_totals_per_enterprise_sector_and_unit_add_up(district, ent_hr):
    for ent, n in ((district.ent_a1, 3), (district.ent_b1, 2), (ent_hr, 1)):
        for _ in range(n):
            post(PersonFactory(), ent, OTHER, date(2020, 1, 1))
    done = post(PersonFactory(), district.ent_a1, OTHER, date(2020, 1, 1)).person
    attend(done, district.town_a_unit, local(2026, 4, 1, 9, 0), 8)
    f = Filters(2026)
    per_ent = {
        t.key: (t.people, t.below) for t in shortfall.totals(district.district, f, "enterprise")
    }
    assert per_ent == {district.ent_a1.pk: (4, 3), district.ent_b1.pk: (2, 2), ent_hr.pk: (1, 1)}
    per_sector = {t.key: t.below for t in shortfall.totals(district.district, f, "sector")}
    assert per_sector == {district.sector.pk: 5, ent_hr.sector_id: 1}
    per_unit = {
        t.label: t.below for t in shortfall.totals(district.district, f, "unit", unit_depth=2)
    }
    assert per_unit == {"东新城": 4, "西新城": 2}
    total = shortfall.grand_total(district.district, f)
    assert (total.people, total.below) == (7, 6)
    # Staff held since 2020 owe the yearly minimum: 8 h, or 20 h in the 高危 firm.
    assert total.shortfall == 5 * 8 + 20


# The SQL agrees with rules.check_year, person by person -------------------------------


def _world(district, hazardous, rng):
    construction = sector("construction")
    enterprises = [
        district.ent_a1,
        district.ent_a2,
        district.ent_b1,
        EnterpriseFactory(unit=district.street_a, sector=hazardous),
        EnterpriseFactory(unit=district.town_b_sub, sector=construction),
    ]
    types = [PRINCIPAL, SAFETY, OTHER, EQUIPMENT]
    sessions = [
        TrainingSessionFactory(
            unit=district.town_a_unit,
            starts_at=local(2024 + k % 4, 1 + k % 12, 1 + k % 27, 8 + k % 12, 0),
            hours=Decimal(8),
        )
        for k in range(24)
    ]
    people = {}
    for _ in range(60):
        person = PersonFactory()
        spans = []
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            ent = rng.choice(enterprises)
            ptype = rng.choice(types)
            start = (
                None if rng.random() < 0.1 else date(2023, 1, 1) + timedelta(rng.randrange(1700))
            )
            end = None
            if rng.random() < 0.35:
                end = (start or date(2023, 1, 1)) + timedelta(rng.randrange(900))
            if end is None and any(
                s.end is None and s.employer == ent.pk and t == ptype for s, t in spans
            ):
                end = (start or date(2023, 1, 1)) + timedelta(30)  # one on-duty post of a kind
            post(person, ent, ptype, start, end)
            spans.append(
                (
                    PostSpan(
                        group_of_post_type(ptype),
                        start,
                        end,
                        ent.sector.high_risk,
                        ent.sector.code,
                        ent.pk,
                    ),
                    ptype,
                )
            )
        attended = []
        for session in rng.sample(sessions, rng.randrange(6)):
            hours = Decimal(rng.randrange(0, 17)) / 2
            AttendanceFactory(session=session, person=person, hours_credited=hours)
            attended.append(
                (session.starts_at.astimezone(local(2026, 1, 1, 0).tzinfo).date(), hours)
            )
        people[person.pk] = ([s for s, _ in spans], attended)
    return people


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sql_agrees_with_check_year_person_by_person(district, hazardous, seed):
    people = _world(district, hazardous, random.Random(seed))
    for year in (2024, 2025, 2026, 2027):
        got = by_person(district.district, year)
        for pk, (spans, attended) in people.items():
            want = check_year(spans, attended, year)
            if want.kind is None:
                assert pk not in got, (year, pk, spans)
                continue
            row = got[pk]
            assert (row.kind, row.required, row.credited, row.shortfall) == (
                want.kind,
                want.required,
                want.credited,
                want.shortfall,
            ), (year, spans, attended)


# The page -----------------------------------------------------------------------------


def test_the_page_lists_the_people_below_their_minimum_with_totals(client, district):
    late = post(PersonFactory(name="欠学时人员"), district.ent_a1, OTHER, date(2020, 1, 1)).person
    done = post(PersonFactory(name="已达标人员"), district.ent_a1, OTHER, date(2020, 1, 1)).person
    attend(done, district.town_a_unit, local(2026, 4, 1, 9, 0), 8)
    post(PersonFactory(name="西城人员"), district.ent_b1, OTHER, date(2020, 1, 1))
    client.force_login(district.district)
    page = client.get(reverse("training:shortfall"), {"year": 2026}).content.decode()
    assert "欠学时人员" in page and "西城人员" in page and "已达标人员" not in page
    assert "东新城" in page and "东城甲企业" in page
    client.force_login(district.enterprise)
    page = client.get(reverse("training:shortfall"), {"year": 2026}).content.decode()
    assert "欠学时人员" in page and "西城人员" not in page
    page = client.get(
        reverse("training:shortfall"), {"year": 2026, "enterprise": district.ent_b1.pk}
    ).content.decode()
    assert "西城人员" not in page
    assert late.pk


def test_the_page_rejects_a_bad_year_with_a_message(client, district):
    client.force_login(district.district)
    response = client.get(reverse("training:shortfall"), {"year": "abc"})
    assert response.status_code == 200
    assert "年度" in response.content.decode()


def test_the_export_is_an_xlsx_of_the_same_people(client, district):
    from io import BytesIO

    from openpyxl import load_workbook

    post(PersonFactory(name="欠学时人员"), district.ent_a1, OTHER, date(2020, 1, 1))
    post(PersonFactory(name="西城人员"), district.ent_b1, OTHER, date(2020, 1, 1))
    client.force_login(district.enterprise)
    response = client.get(reverse("training:shortfall_export"), {"year": 2026})
    assert response.status_code == 200
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    values = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
    assert "欠学时人员" in values and "西城人员" not in values


def test_filters_narrow_to_a_group_a_unit_and_a_sector(district, ent_hr):
    boss = post(PersonFactory(), district.ent_a1, PRINCIPAL, date(2020, 1, 1)).person
    worker = post(PersonFactory(), district.ent_a1, OTHER, date(2020, 1, 1)).person
    west = post(PersonFactory(), district.ent_b1, OTHER, date(2020, 1, 1)).person
    risky = post(PersonFactory(), ent_hr, OTHER, date(2020, 1, 1)).person
    admin = district.district
    assert set(by_person(admin, 2026, group="manager")) == {boss.pk}
    assert set(by_person(admin, 2026, group="staff")) == {worker.pk, west.pk, risky.pk}
    town_b = district.town_b_unit.path
    assert set(by_person(admin, 2026, unit_path=town_b)) == {west.pk}
    assert set(by_person(admin, 2026, sector_id=ent_hr.sector_id)) == {risky.pk}
    assert set(by_person(admin, 2026, enterprise_id=district.ent_a1.pk)) == {boss.pk, worker.pk}


def test_a_department_sees_the_people_of_the_enterprises_it_supervises(district):
    mine = post(PersonFactory(), district.supervised, OTHER, date(2020, 1, 1)).person
    post(PersonFactory(), district.ent_b1, OTHER, date(2020, 1, 1))
    assert set(by_person(district.department, 2026)) == {mine.pk}


def test_the_page_drills_down_to_a_unit_and_reports_an_unknown_one(client, district):
    post(PersonFactory(name="东城欠学时"), district.ent_a1, OTHER, date(2020, 1, 1))
    post(PersonFactory(name="西城欠学时"), district.ent_b1, OTHER, date(2020, 1, 1))
    client.force_login(district.town_a)
    url = reverse("training:shortfall")
    page = client.get(url, {"year": 2026, "unit": district.street_a.pk}).content.decode()
    assert "东城欠学时" in page and "西城欠学时" not in page
    page = client.get(url, {"year": 2026, "unit": district.town_b_unit.pk}).content.decode()
    assert "所选属地不存在或不在您的管辖范围内" in page and "西城欠学时" not in page


def test_the_cached_page_follows_new_attendance_and_corrections(client, district):
    person = post(PersonFactory(name="补学人员"), district.ent_a1, OTHER, date(2020, 1, 1)).person
    client.force_login(district.district)
    url = reverse("training:shortfall")
    assert "补学人员" in client.get(url, {"year": 2026}).content.decode()
    attendance = attend(person, district.town_a_unit, local(2026, 5, 6, 9, 0), 4)
    assert "补学人员" in client.get(url, {"year": 2026}).content.decode()  # 4 of 8 h
    attendance.hours_credited = Decimal(8)  # the organiser's correction of an existing row
    attendance.save()
    assert "补学人员" not in client.get(url, {"year": 2026}).content.decode()
