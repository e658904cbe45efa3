"""Dashboards (issue #13 item 4): the district cockpit and a unit's dashboard, on a
factories-built world whose numbers are counted by hand below."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from xuanpei.assessment.dashboards import PeriodError, parse_period, points_lost
from xuanpei.assessment.factories import QuarterRunFactory, UnitScoreFactory
from xuanpei.assessment.models import AssessedKind, QuarterRun
from xuanpei.core.context_processors import menu_for
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.factories import add_unit
from xuanpei.publicity.factories_ledger import ActivityFactory
from xuanpei.publicity.models_ledger import ReviewStatus
from xuanpei.training.factories import AttendanceFactory, TrainingSessionFactory, local
from xuanpei.training.models import TrainingSession

pytestmark = pytest.mark.django_db

# Measured: 20 each (session, user, scores, one aggregate per figure and trend, the menu badge).
COCKPIT_QUERIES = 22
UNIT_QUERIES = 22
COCKPIT = reverse("assessment:cockpit")
MINE = reverse("assessment:unit_dashboard")

# 东新城's items: weight − score is 5 (持证率), 3 (督查 deduction), 2 (计划), 0 (新媒体).
TOWN_A_ITEMS = [
    {
        "code": "plan",
        "name": "计划任务按时完成",
        "weight": "20",
        "score": "18",
        "value": "9/10",
        "detail": "1项逾期",
        "records_url": "/plans/inbox/?status=overdue",
    },
    {
        "code": "media",
        "name": "新媒体宣传",
        "weight": 10,
        "score": 10,
        "value": 12,
        "detail": "",
        "records_url": "/publicity/media/",
    },
    {
        "code": "cert",
        "name": "三项岗位持证率",
        "weight": "15",
        "score": "10",
        "value": "66.7%",
        "detail": "",
        "records_url": "https://evil.example/x",
    },
    {
        "code": "inspect",
        "name": "督查扣分",
        "weight": "0",
        "score": "-3",
        "value": None,
        "detail": "台账不全",
        "records_url": "",
    },
]


def build_scored_world(d):
    """Q1 and Q2 2026 runs; scores of two new towns, two 镇街 and a department; Q2
    activities and sessions in both new towns (plus rows that must not count)."""
    q1 = QuarterRunFactory(unit=d.root, year=2026, quarter=1, status=QuarterRun.Status.PUBLISHED)
    q2 = QuarterRunFactory(
        unit=d.root,
        year=2026,
        quarter=2,
        indicator_set=q1.indicator_set,
        status=QuarterRun.Status.PUBLISHED,
    )
    UnitScoreFactory(run=q1, unit=d.town_a_unit, total=Decimal("85"), rank=1)
    UnitScoreFactory(run=q1, unit=d.town_b_unit, total=Decimal("80"), rank=2)
    new_town = AssessedKind.NEW_TOWN
    street = AssessedKind.TOWN_STREET
    UnitScoreFactory(
        run=q2,
        unit=d.town_a_unit,
        assessed_kind=new_town,
        total=Decimal("92"),
        previous_total=Decimal("85"),
        rank=1,
        items=TOWN_A_ITEMS,
    )
    UnitScoreFactory(
        run=q2,
        unit=d.town_b_unit,
        assessed_kind=new_town,
        total=Decimal("78"),
        previous_total=Decimal("80"),
        rank=2,
    )
    UnitScoreFactory(run=q2, unit=d.street_a, assessed_kind=street, total=Decimal("65"), rank=1)
    UnitScoreFactory(run=q2, unit=d.town_b_sub, assessed_kind=street, total=Decimal("55"), rank=2)
    UnitScoreFactory(
        run=q2, unit=d.dept_unit, assessed_kind=AssessedKind.DEPARTMENT, total=Decimal("88"), rank=1
    )
    ok = ReviewStatus.ACCEPTED
    ActivityFactory(unit=d.town_a_unit, held_on=date(2026, 4, 20), participants=50, status=ok)
    ActivityFactory(unit=d.street_a, held_on=date(2026, 6, 30), participants=30, status=ok)
    ActivityFactory(unit=d.town_b_unit, held_on=date(2026, 5, 5), participants=100, status=ok)
    ActivityFactory(unit=d.town_a_unit, held_on=date(2026, 2, 1), participants=7, status=ok)
    ActivityFactory(unit=d.town_a_unit, held_on=date(2026, 5, 1), participants=999)  # a draft
    held = TrainingSession.Status.HELD
    s_a = TrainingSessionFactory(unit=d.town_a_unit, status=held, starts_at=local(2026, 5, 10, 9))
    s_b = TrainingSessionFactory(unit=d.town_b_unit, status=held, starts_at=local(2026, 6, 2, 9))
    for session, n in ((s_a, 2), (s_b, 1)):
        for _ in range(n):
            AttendanceFactory(session=session)
    TrainingSessionFactory(unit=d.town_a_unit, starts_at=local(2026, 5, 20, 9))  # planned
    return q2


def figures(response) -> dict:
    return {f.key: f.value for f in response.context["board"].figures}


def test_the_cockpit_counts_the_quarters_records(client, district):
    build_scored_world(district)
    client.force_login(district.district)
    response = client.get(COCKPIT, {"period": "2026Q2"})
    assert response.status_code == 200
    got = figures(response)
    # Accepted activities held 1 Apr – 30 Jun: 3, reaching 50 + 30 + 100; drafts and Q1 not.
    assert got["activities"] == 3 and got["reach"] == 180
    # Held sessions starting in Q2: 2, with 2 + 1 signed-in attendances; planned ones not.
    assert got["sessions"] == 2 and got["attendances"] == 3
    trend = response.context["board"].trend
    assert trend["activities"] == [1, 3, 0, 0]
    assert trend["sessions"] == [0, 2, 0, 0]
    averages = {a["label"]: a["values"] for a in trend["averages"]}
    assert averages["新城"][:2] == [82.5, 85.0]  # (85+80)/2, (92+78)/2


def test_the_cockpit_map_colours_each_unit_by_band(client, district):
    build_scored_world(district)
    client.force_login(district.district)
    board = client.get(COCKPIT, {"period": "2026Q2"}).context["board"]
    bands = {c["name"]: c["band"] for g in board.groups for c in g["cells"]}
    assert bands == {
        "东新城": "excellent",
        "西新城": "pass",
        "甲街道": "pass",
        "乙镇": "fail",
        "教育局": "good",
    }
    assert [g["label"] for g in board.groups] == ["新城", "镇街", "行业部门"]
    assert board.ranking[0]["names"] == ["东新城", "西新城"]


@pytest.mark.parametrize("persona", ["town_a", "town_b", "department", "enterprise"])
def test_the_cockpit_is_the_districts_only(client, district, persona):
    build_scored_world(district)
    client.force_login(getattr(district, persona))
    assert client.get(COCKPIT).status_code == 403


def test_a_unit_sees_its_score_rank_change_and_points_lost(client, district):
    build_scored_world(district)
    client.force_login(district.town_a)
    response = client.get(MINE, {"period": "2026Q2"})
    assert response.status_code == 200
    board = response.context["board"]
    assert board.unit == district.town_a_unit
    assert board.peers == 2 and board.change == Decimal("7")
    assert [i.code for i in board.lost] == ["cert", "inspect", "plan", "media"]
    assert [i.lost for i in board.lost] == [5, 3, 2, 0]
    html = response.content.decode()
    assert "第1名/共2个同类单位" in html
    assert 'href="/plans/inbox/?status=overdue"' in html
    assert "evil.example" not in html  # only site-relative record links


def test_a_new_town_opens_its_subtrees_units_but_never_a_siblings(client, district):
    build_scored_world(district)
    client.force_login(district.town_a)
    response = client.get(MINE, {"period": "2026Q2", "unit": district.street_a.pk})
    assert response.context["board"].score.total == Decimal("65")
    assert [c[1] for c in response.context["unit_choices"]] == ["东新城", "甲街道"]
    assert "西新城" not in response.content.decode()
    for foreign in (district.town_b_unit, district.town_b_sub):
        assert client.get(MINE, {"unit": foreign.pk}).status_code == 404
    assert client.get(MINE, {"unit": "x"}).status_code == 404


def test_the_district_picks_any_unit(client, district):
    build_scored_world(district)
    client.force_login(district.district)
    response = client.get(MINE, {"period": "2026Q2", "unit": district.town_b_unit.pk})
    board = response.context["board"]
    assert board.score.rank == 2 and board.change == Decimal("-2")
    assert len(response.context["unit_choices"]) == 5


def test_an_enterprise_is_not_offered_the_unit_dashboard(client, district):
    build_scored_world(district)
    client.force_login(district.enterprise)
    assert client.get(MINE).status_code == 403
    labels = [e["label"] for m in menu_for(district.enterprise) for e in m.get("children", [])]
    assert "本单位考核" not in [str(x) for x in labels]


def test_a_malformed_period_is_reported_not_a_500(client, district):
    build_scored_world(district)
    client.force_login(district.district)
    response = client.get(MINE, {"period": "2026Q9"}, follow=True)
    assert response.status_code == 200
    assert "格式不正确" in response.content.decode()
    assert response.context["quarter"].number == 2  # the latest scored quarter


def test_a_quarter_without_scores_says_so(client, district):
    build_scored_world(district)
    client.force_login(district.town_a)
    response = client.get(MINE, {"period": "2025Q4"})
    assert "尚未计算" in response.content.decode()


def test_points_lost_orders_by_loss_and_puts_bonuses_last():
    items = [
        # A bonus's weight is its cap: 2 of 5 earned is a gain of 2, not a loss of 3.
        {"code": "bonus", "name": "典型经验", "kind": "bonus", "weight": 5, "score": 2},
        # A deduction costs its points whatever weight it carries.
        {"code": "ded", "name": "督查", "kind": "deduction", "weight": 10, "score": -3},
        {"code": "a", "name": "甲", "weight": 10, "score": 9.5},
        {"code": "b", "name": "乙", "weight": 20, "score": 12},
        {"code": "junk", "name": "丙", "weight": "abc", "score": None},
    ]
    got = points_lost(items)
    assert [i.code for i in got] == ["b", "ded", "a", "junk", "bonus"]
    assert got[1].lost == Decimal(3)
    assert got[-1].lost == Decimal(-2)


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        ("2026Q2", True),
        ("2026q4", True),
        ("2026Q5", False),
        ("26Q1", False),
        ("<script>", False),
        ("0000Q1", False),
        ("9999Q4", False),
    ],
)
def test_parse_period(raw, ok):
    if ok:
        assert parse_period(raw).year == 2026
    else:
        with pytest.raises(PeriodError):
            parse_period(raw)


def test_the_rate_of_certified_posts_is_the_readers_own(client, district):
    """持证率 = compliant / required posts (domain.md: 三项岗位 持证上岗), within the scope:
    东新城's 3 of 4, not 西新城's 1 of 10; the district sees 4 of 14."""
    from django.utils import timezone

    from xuanpei.training.quarters import quarter_of
    from xuanpei.workforce.models import ComplianceSnapshot

    today = timezone.localdate()
    ComplianceSnapshot.objects.create(enterprise=district.ent_a1, on=today, required=4, compliant=3)
    ComplianceSnapshot.objects.create(
        enterprise=district.ent_b1, on=today, required=10, compliant=1
    )
    period = str(quarter_of(today))
    client.force_login(district.town_a)
    board = client.get(MINE, {"period": period}).context["board"]
    assert {f.key: f.value for f in board.figures}["rate"] == 75.0
    client.force_login(district.district)
    assert figures(client.get(COCKPIT, {"period": period}))["rate"] == round(400 / 14, 1)


def test_a_computed_run_reads_back_on_the_units_dashboard(client, district):
    """Scores written by the scoring service (not the factories): the scored items'
    weights add up to 100 (issue #13: refused otherwise), so the points lost on the page
    add up to 100 − total, and every item links to the records behind it."""
    from xuanpei.assessment import services_scoring

    services_scoring.compute_run(
        year=2026, quarter=2, actor=district.district, today=date(2026, 7, 15)
    )
    client.force_login(district.town_a)
    board = client.get(MINE, {"period": "2026Q2"}).context["board"]
    assert board.score is not None and board.peers == 2  # 东新城 and 西新城
    assert sum(i.lost for i in board.lost) == Decimal(100) - board.score.total
    assert [i.lost for i in board.lost] == sorted((i.lost for i in board.lost), reverse=True)
    assert all(i.records_url.startswith("/") for i in board.lost if i.lost > 0)


def test_the_pages_take_a_few_queries_whatever_the_number_of_units(
    client, district, django_assert_max_num_queries
):
    run = build_scored_world(district)
    for i in range(8):  # more units: the same number of queries
        town = add_unit(district.root, f"新城{i}", UnitKind.NEW_TOWN)
        UnitScoreFactory(run=run, unit=town, total=Decimal(50 + i), rank=3 + i)
    client.force_login(district.district)
    with django_assert_max_num_queries(COCKPIT_QUERIES):
        response = client.get(COCKPIT, {"period": "2026Q2"})
    assert f'content="{300}"' in response.content.decode()  # the wall screen reloads itself
    with django_assert_max_num_queries(UNIT_QUERIES):
        client.get(MINE, {"period": "2026Q2"})
