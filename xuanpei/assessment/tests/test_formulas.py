"""Indicator formulas (issue #13 item 1, "Done when": formulas tested on fixtures with
hand-computed answers). Q2 2026 = 1 April – 30 June. The tree (tests/personas.py):
东新城 ⊃ 甲街道 ⊃ 甲社区; 西新城 ⊃ 乙镇; 教育局, 住建局 under the district. A unit's
figure counts its whole subtree (东新城 counts 甲街道's records)."""

from datetime import date
from decimal import Decimal

import pytest

from xuanpei.assessment.formulas import FORMULAS, quarter_bounds
from xuanpei.plans.choices import Timeframe
from xuanpei.plans.factories import AssignmentFactory, PlanFactory, TaskFactory
from xuanpei.publicity.factories import CampaignFactory
from xuanpei.publicity.factories_ledger import ActivityFactory
from xuanpei.publicity.factories_media import MediaPostFactory
from xuanpei.publicity.models_ledger import ReviewStatus
from xuanpei.training.factories import AttendanceFactory, TrainingSessionFactory, local
from xuanpei.training.models import TrainingSession
from xuanpei.workforce.choices import PostTypeCode
from xuanpei.workforce.factories import CertificateFactory, PostFactory

pytestmark = pytest.mark.django_db

ACCEPTED = ReviewStatus.ACCEPTED
HELD = TrainingSession.Status.HELD


def run(source, units, **params):
    return FORMULAS[source](units, 2026, 2, params=params)


def ratios(results):
    return {pk: r.score_ratio for pk, r in results.items()}


def test_quarter_bounds():
    assert quarter_bounds(2026, 1) == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarter_bounds(2024, 1) == (date(2024, 1, 1), date(2024, 3, 31))
    assert quarter_bounds(2026, 2) == (date(2026, 4, 1), date(2026, 6, 30))
    assert quarter_bounds(2026, 4) == (date(2026, 10, 1), date(2026, 12, 31))


def test_publicity_activities_and_reach_against_quotas(district):
    d = district
    ActivityFactory(unit=d.street_a, held_on=date(2026, 4, 10), participants=50, status=ACCEPTED)
    ActivityFactory(unit=d.street_a, held_on=date(2026, 4, 10), participants=50, status=ACCEPTED)
    ActivityFactory(unit=d.street_a, held_on=date(2026, 5, 5), participants=100, status=ACCEPTED)
    ActivityFactory(unit=d.town_a_unit, held_on=date(2026, 6, 30), participants=50, status=ACCEPTED)
    ActivityFactory(unit=d.street_a, held_on=date(2026, 5, 5), participants=999)  # draft
    ActivityFactory(unit=d.street_a, held_on=date(2026, 3, 31), participants=999, status=ACCEPTED)
    ActivityFactory(unit=d.town_b_sub, held_on=date(2026, 6, 1), participants=40, status=ACCEPTED)
    units = [d.town_a_unit, d.street_a, d.town_b_unit, d.town_b_sub]
    got = run(
        "publicity_activities",
        units,
        quota={"new_town": 4, "town_street": 2},
        reach={"new_town": 200, "town_street": 100},
    )
    # 东新城: 4 activities (3 of 甲街道 + its own), 250 people: min(1, 4/4)=1, min(1, 250/200)=1
    # 甲街道: 3 activities, 200 people: min(1, 3/2)=1, min(1, 200/100)=1
    # 西新城: 1 activity (乙镇's), 40 people: (1/4 + 40/200)/2 = (0.25 + 0.2)/2 = 0.225
    # 乙镇: (1/2 + 40/100)/2 = (0.5 + 0.4)/2 = 0.45
    assert ratios(got) == {
        d.town_a_unit.pk: 1,
        d.street_a.pk: 1,
        d.town_b_unit.pk: Decimal("0.225"),
        d.town_b_sub.pk: Decimal("0.45"),
    }
    assert got[d.town_a_unit.pk].value == 4
    assert got[d.town_a_unit.pk].detail == "开展活动 4 次（应 ≥ 4 次），覆盖 250 人（应 ≥ 200 人）"
    assert f"unit={d.town_b_unit.pk}" in got[d.town_b_unit.pk].records_url
    assert "start=2026-04-01" in got[d.town_b_unit.pk].records_url


def test_campaign_coverage_counts_the_district_campaigns_of_the_quarter(district):
    d = district
    june = CampaignFactory(
        unit=d.root, year=2026, start_date=date(2026, 6, 1), end_date=date(2026, 6, 30)
    )
    may = CampaignFactory(
        unit=d.root, year=2026, start_date=date(2026, 5, 12), end_date=date(2026, 5, 18)
    )
    CampaignFactory(unit=d.root, year=2026, start_date=date(2026, 9, 1), end_date=date(2026, 9, 30))
    own = CampaignFactory(
        unit=d.town_b_unit, year=2026, start_date=date(2026, 4, 1), end_date=date(2026, 4, 30)
    )
    ActivityFactory(unit=d.street_a, held_on=date(2026, 6, 16), status=ACCEPTED, campaigns=[june])
    ActivityFactory(unit=d.street_a, held_on=date(2026, 5, 12), status=ACCEPTED, campaigns=[may])
    ActivityFactory(
        unit=d.town_b_sub, held_on=date(2026, 6, 16), status=ACCEPTED, campaigns=[june, own]
    )
    ActivityFactory(unit=d.town_b_sub, held_on=date(2026, 5, 12), campaigns=[may])  # draft
    units = [d.town_a_unit, d.town_b_unit, d.dept_unit]
    got = run("campaign_coverage", units)
    # Two district campaigns run in Q2 (June, May; September is Q3; 西新城's own is not the
    # district's). 东新城 covers 2/2 = 1; 西新城 1/2 (the May one only in a draft); 教育局 0/2.
    assert ratios(got) == {d.town_a_unit.pk: 1, d.town_b_unit.pk: Decimal("0.5"), d.dept_unit.pk: 0}
    assert got[d.town_b_unit.pk].detail == "覆盖主题活动 1/2 项"


def test_training_sessions_and_people_times(district):
    d = district
    may = TrainingSessionFactory(unit=d.street_a, starts_at=local(2026, 5, 10, 9, 0), status=HELD)
    for _ in range(3):
        AttendanceFactory(session=may)
    june = TrainingSessionFactory(
        unit=d.town_a_unit, starts_at=local(2026, 6, 2, 9, 0), status=HELD
    )
    AttendanceFactory(session=june)
    TrainingSessionFactory(unit=d.town_a_unit, starts_at=local(2026, 6, 3, 9, 0))  # draft
    b = TrainingSessionFactory(unit=d.town_b_sub, starts_at=local(2026, 4, 20, 9, 0), status=HELD)
    AttendanceFactory(session=b)
    got = run(
        "training_sessions",
        [d.town_a_unit, d.town_b_unit],
        quota={"new_town": 2},
        people={"new_town": 4},
    )
    # 东新城: 2 held sessions, 3 + 1 = 4 人次: (min(1, 2/2) + min(1, 4/4))/2 = 1
    # 西新城: 1 session, 1 人次: (1/2 + 1/4)/2 = 0.375
    assert ratios(got) == {d.town_a_unit.pk: 1, d.town_b_unit.pk: Decimal("0.375")}
    assert got[d.town_b_unit.pk].detail == "举办培训 1 期（应 ≥ 2 期），1 人次（应 ≥ 4 人次）"


def test_grid_training_at_least_once_a_quarter(district):
    d = district
    TrainingSessionFactory(
        unit=d.street_a,
        kind=TrainingSession.Kind.GRID_OFFICER,
        starts_at=local(2026, 6, 30, 23, 30),  # still 30 June in Asia/Shanghai
        status=HELD,
    )
    TrainingSessionFactory(
        unit=d.town_b_sub,
        kind=TrainingSession.Kind.GRID_OFFICER,
        starts_at=local(2026, 7, 1, 9, 0),  # Q3
        status=HELD,
    )
    TrainingSessionFactory(unit=d.town_b_sub, starts_at=local(2026, 5, 1, 9, 0), status=HELD)
    units = [d.town_a_unit, d.street_a, d.town_b_unit, d.town_b_sub]
    got = run("grid_training", units, minimum=1)
    # 三(二)2(2) 每季度至少一次: 甲街道's session counts for 甲街道 and 东新城; 西新城 held
    # its grid session in Q3 and only a sector session in Q2.
    assert ratios(got) == {
        d.town_a_unit.pk: 1,
        d.street_a.pk: 1,
        d.town_b_unit.pk: 0,
        d.town_b_sub.pk: 0,
    }
    assert got[d.town_b_unit.pk].detail == "网格员培训 0 次（应 ≥ 1 次），未达要求"


def test_media_output_against_the_quota(district):
    d = district
    MediaPostFactory(unit=d.town_a_unit, published_on=date(2026, 4, 1))
    MediaPostFactory(unit=d.street_a, published_on=date(2026, 6, 30))
    MediaPostFactory(unit=d.street_a, published_on=date(2026, 7, 1))  # Q3
    got = run("media_output", [d.town_a_unit, d.town_b_unit], quota={"new_town": 3})
    # 东新城: 2 posts in Q2 → 2/3; 西新城: 0/3
    assert ratios(got) == {d.town_a_unit.pk: Decimal(2) / Decimal(3), d.town_b_unit.pk: 0}
    assert got[d.town_a_unit.pk].detail == "新媒体发布 2 条（应 ≥ 3 条）"


def test_post_compliance_rate_by_territory_and_by_supervising_department(district):
    d = district
    issued = date(2025, 6, 1)  # valid on 30 June 2026
    covered = PostFactory(enterprise=d.ent_a1)
    CertificateFactory(holder=covered.person, enterprise=d.ent_a1, issue_date=issued)
    PostFactory(enterprise=d.ent_a2)  # no certificate
    principal = PostFactory(enterprise=d.ent_b1, post_type_id=PostTypeCode.PRINCIPAL)
    CertificateFactory(holder=principal.person, enterprise=d.ent_b1, issue_date=issued)
    units = [d.town_a_unit, d.street_a, d.town_b_unit, d.other_dept_unit, d.dept_unit]
    got = run("post_compliance", units)
    # 东新城 and 甲街道: ent_a1 1/1 + ent_a2 0/1 = 1/2 = 50%; 西新城: ent_b1 1/1 = 100%;
    # 住建局 supervises ent_b1: 1/1; 教育局 supervises an enterprise without posts: full marks.
    assert ratios(got) == {
        d.town_a_unit.pk: Decimal("0.5"),
        d.street_a.pk: Decimal("0.5"),
        d.town_b_unit.pk: 1,
        d.other_dept_unit.pk: 1,
        d.dept_unit.pk: 1,
    }
    assert got[d.town_a_unit.pk].detail == "持证 1/2 人，持证率 50.0%"
    assert got[d.dept_unit.pk].detail == "无应持证岗位"


def test_post_compliance_counts_a_new_towns_own_firms_and_leaves_closed_ones_out(district):
    """As the 持证率 dashboard counts: a firm sitting on the new town itself is in the new
    town's subtree (it once replaced the subtree's total), a firm closed before the
    quarter's end is not counted at all."""
    from xuanpei.orgs.factories import EnterpriseFactory

    d = district
    issued = date(2025, 6, 1)
    covered = PostFactory(enterprise=d.ent_a1)
    CertificateFactory(holder=covered.person, enterprise=d.ent_a1, issue_date=issued)
    own = EnterpriseFactory(unit=d.town_a_unit)  # 东新城 本级
    PostFactory(enterprise=own)  # no certificate
    closed = EnterpriseFactory(unit=d.street_a, is_active=False, closed_at=date(2026, 5, 1))
    PostFactory(enterprise=closed)  # no certificate, but closed on 30 June
    got = run("post_compliance", [d.town_a_unit, d.street_a])
    # 东新城: ent_a1 1/1 + its own firm 0/1 = 1/2; 甲街道: ent_a1 1/1 (the closed one left out).
    assert ratios(got) == {d.town_a_unit.pk: Decimal("0.5"), d.street_a.pk: 1}
    assert got[d.town_a_unit.pk].detail == "持证 1/2 人，持证率 50.0%"


def test_plan_assignments_on_time_at_the_quarter_end(district):
    d = district
    plan = PlanFactory(unit=d.root, year=2026)
    due_may = TaskFactory(
        plan=plan,
        timeframe=Timeframe.DATE_RANGE,
        start_date=date(2026, 4, 1),
        end_date=date(2026, 5, 31),
    )
    all_year = TaskFactory(plan=plan)
    AssignmentFactory(task=due_may, unit=d.town_a_unit)  # nothing reported: overdue on 30 June
    AssignmentFactory(task=all_year, unit=d.town_a_unit)  # due 31 December: not overdue
    AssignmentFactory(task=all_year, unit=d.town_b_unit)
    other_year = TaskFactory(
        plan=PlanFactory(unit=d.root, year=2025),
        timeframe=Timeframe.DATE_RANGE,
        start_date=date(2025, 4, 1),
        end_date=date(2025, 5, 31),
    )
    AssignmentFactory(task=other_year, unit=d.town_b_unit)  # another year's plan
    got = run("plan_on_time", [d.town_a_unit, d.town_b_unit, d.street_a])
    # 东新城: 1 of 2 not overdue = 0.5; 西新城 1/1; 甲街道 has no assignment: full marks.
    assert ratios(got) == {d.town_a_unit.pk: Decimal("0.5"), d.town_b_unit.pk: 1, d.street_a.pk: 1}
    assert got[d.town_a_unit.pk].detail == "按期完成 1/2 项（逾期 1 项）"
    assert got[d.street_a.pk].detail == "本年度无分解任务"
