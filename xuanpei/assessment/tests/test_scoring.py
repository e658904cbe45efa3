"""Quarterly scoring (issue #13 item 2 and Bad input): runs, ranks within unit type,
previous quarter and year to date, freezing on publish, the unended quarter, weights
that do not add up to 100, manual entries with reason and evidence, the job.

The default library on the empty test district (no activity, session, post or plan
assignment) scores, by its written rules, every assessed unit 45 points:
  新城/镇街: plan 20 (no assignment = none overdue) + publicity 0 + campaigns 10 (none
  running) + training 0 + new media 0 + 持证率 15 (no post to certify) + grid 0 = 45;
  行业部门: plan 20 + 0 + campaigns 10 + 0 + 0 + 持证率 15 + sector rating 0 = 45.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xuanpei.assessment import querysets
from xuanpei.assessment import services_scoring as scoring
from xuanpei.assessment.models import AssessedKind, Indicator, QuarterRun, UnitScore
from xuanpei.core.jobs import start_job
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.factories import add_unit
from xuanpei.publicity.factories_ledger import ActivityFactory
from xuanpei.publicity.models_ledger import ReviewStatus

pytestmark = pytest.mark.django_db

ENDED = date(2026, 7, 15)  # Q2 2026 (1 April – 30 June) has ended
EMPTY_TOTAL = Decimal("45.00")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def evidence():
    return SimpleUploadedFile("督查记录.pdf", b"%PDF-1.4 test", content_type="application/pdf")


def compute(district, quarter=2, today=ENDED):
    return scoring.compute_run(year=2026, quarter=quarter, actor=district.district, today=today)


def totals(run):
    return {s.unit.name: s.total for s in run.scores.select_related("unit")}


def indicator(code, year=2026):
    return Indicator.objects.get(code=code, indicator_set__year=year)


def entry(district, code, unit, points=None, *, quarter=2, level="", with_evidence=True):
    return scoring.save_manual_entry(
        indicator=indicator(code),
        unit=unit,
        year=2026,
        quarter=quarter,
        points=None if points is None else Decimal(points),
        reason="督查记录",
        evidence=evidence() if with_evidence else None,
        level=level,
        actor=district.district,
    )


def test_compute_scores_every_assessed_unit_by_its_type(district):
    run = compute(district)
    kinds = dict(run.scores.values_list("unit__name", "assessed_kind"))
    assert kinds == {
        "东新城": AssessedKind.NEW_TOWN,
        "西新城": AssessedKind.NEW_TOWN,
        "甲街道": AssessedKind.TOWN_STREET,
        "乙镇": AssessedKind.TOWN_STREET,
        "教育局": AssessedKind.DEPARTMENT,
        "住建局": AssessedKind.DEPARTMENT,
    }
    assert set(totals(run).values()) == {EMPTY_TOTAL}
    assert run.quarter_ended and run.status == QuarterRun.Status.DRAFT
    for score in run.scores.all():
        assert score.rank == 1  # all tied within their type
        scored = [i for i in score.items if i["kind"] == Indicator.Kind.SCORED]
        assert sum(Decimal(i["weight"]) for i in scored) == 100
        assert set(score.items[0]) >= {
            "code",
            "name",
            "weight",
            "value",
            "score",
            "detail",
            "records_url",
        }
    town = UnitScore.objects.get(run=run, unit=district.town_a_unit)
    codes = [i["code"] for i in town.items]
    assert "grid_training" in codes and "sector_rating" not in codes
    dept = UnitScore.objects.get(run=run, unit=district.dept_unit)
    assert "sector_rating" in [i["code"] for i in dept.items]
    assert "grid_training" not in [i["code"] for i in dept.items]


def test_bonuses_and_deductions_are_capped_and_ranked_within_type(district):
    d = district
    compute(d)  # creates the year's default set
    for level in ("national", "province", "city"):  # 3 + 2 + 1 = 6, capped at 5
        entry(d, "typical_cases", d.town_a_unit, level=level)
    entry(d, "inspection_deduction", d.town_a_unit, "2")
    entry(d, "inspection_deduction", d.town_b_unit, "-20")  # capped at 10
    entry(d, "inspection_bonus", d.street_a, "1")
    entry(d, "sector_rating", d.dept_unit, "8")
    run = compute(d)
    # 东新城 45 + 5 − 2 = 48; 西新城 45 − 10 = 35; 甲街道 45 + 1 = 46; 乙镇 45;
    # 教育局 45 + 8 = 53; 住建局 45.
    assert totals(run) == {
        "东新城": Decimal("48.00"),
        "西新城": Decimal("35.00"),
        "甲街道": Decimal("46.00"),
        "乙镇": Decimal("45.00"),
        "教育局": Decimal("53.00"),
        "住建局": Decimal("45.00"),
    }
    ranks = {s.unit.name: s.rank for s in run.scores.select_related("unit")}
    assert ranks == {"东新城": 1, "西新城": 2, "甲街道": 1, "乙镇": 2, "教育局": 1, "住建局": 2}
    town = UnitScore.objects.get(run=run, unit=d.town_a_unit)
    items = {i["code"]: i for i in town.items}
    assert items["typical_cases"]["score"] == "5.00"
    assert items["inspection_deduction"]["score"] == "-2.00"
    assert items["inspection_deduction"]["detail"] == "录入 1 条，合计 -2.00 分"


def test_ranks_ties_share_a_rank_and_the_next_skips():
    got = scoring.ranks(
        {
            1: ("new_town", Decimal("90")),
            2: ("new_town", Decimal("90")),
            3: ("new_town", Decimal("80")),
            4: ("town_street", Decimal("70")),
            5: ("town_street", Decimal("75")),
        }
    )
    assert got == {1: 1, 2: 1, 3: 3, 4: 2, 5: 1}


def test_previous_quarter_is_the_published_score_and_ytd_the_mean(district):
    d = district
    compute(d, quarter=1, today=ENDED)
    entry(d, "inspection_deduction", d.town_a_unit, "4", quarter=1)
    q1 = compute(d, quarter=1, today=ENDED)  # 东新城 45 − 4 = 41
    scoring.publish_run(run=q1, actor=d.district)
    entry(d, "inspection_deduction", d.town_a_unit, "1", quarter=1)  # after publishing Q1
    q2 = compute(d)
    town = UnitScore.objects.get(run=q2, unit=d.town_a_unit)
    # previous = Q1's published 41 (not 40); year to date = (41 + 45) / 2 = 43
    assert (town.total, town.previous_total, town.ytd_total) == (
        Decimal("45.00"),
        Decimal("41.00"),
        Decimal("43.00"),
    )
    other = UnitScore.objects.get(run=q2, unit=d.town_b_unit)
    assert (other.previous_total, other.ytd_total) == (EMPTY_TOTAL, EMPTY_TOTAL)


def test_previous_quarter_is_computed_when_not_published(district):
    d = district
    compute(d)
    entry(d, "inspection_deduction", d.town_a_unit, "3", quarter=1)
    q2 = compute(d)
    town = UnitScore.objects.get(run=q2, unit=d.town_a_unit)
    # Q1 computed: 45 − 3 = 42; year to date (42 + 45) / 2 = 43.5
    assert (town.previous_total, town.ytd_total) == (Decimal("42.00"), Decimal("43.50"))
    assert not QuarterRun.objects.filter(quarter=1).exists()


def test_published_results_never_change_after_later_edits(district):
    d = district
    run = compute(d)
    scoring.publish_run(run=run, actor=d.district)
    before = {s.unit_id: (s.total, s.items, s.rank, s.ytd_total) for s in run.scores.all()}
    plan = indicator("plan_on_time")
    # Later edits: new accepted activities, a manual deduction, a changed indicator.
    for _ in range(6):
        ActivityFactory(
            unit=d.town_a_unit,
            held_on=date(2026, 5, 1),
            participants=200,
            status=ReviewStatus.ACCEPTED,
        )
    entry(d, "inspection_deduction", d.town_b_unit, "5")
    Indicator.objects.filter(pk=plan.pk).update(name="改名后的指标", weight=Decimal("30"))
    with pytest.raises(ValidationError) as exc:
        compute(d)
    assert exc.value.messages == ["该季度考核已发布，不能重新计算"]
    run.refresh_from_db()
    after = {s.unit_id: (s.total, s.items, s.rank, s.ytd_total) for s in run.scores.all()}
    assert after == before
    frozen = {i["code"]: i for i in run.snapshot["indicators"]}
    assert frozen["plan_on_time"]["name"] == "计划任务按期完成"
    assert frozen["plan_on_time"]["weight"] == "20.00"
    assert run.published_by == d.district and run.published_at is not None


def test_an_unended_quarter_is_a_draft_marked_and_never_published(district):
    d = district
    last_day = date(2026, 6, 30)  # not over yet
    run = compute(d, today=last_day)
    assert run.quarter_ended is False
    with pytest.raises(ValidationError) as exc:
        scoring.publish_run(run=run, actor=d.district, today=last_day)
    assert exc.value.messages == ["季度尚未结束，只能保存为草稿，不能发布"]
    with pytest.raises(ValidationError) as exc:  # once over, a draft computed before is stale
        scoring.publish_run(run=run, actor=d.district, today=date(2026, 7, 1))
    assert exc.value.messages == ["该季度考核计算于季度结束前，请重新计算后再发布"]
    run = compute(d, today=date(2026, 7, 1))
    assert run.quarter_ended is True
    scoring.publish_run(run=run, actor=d.district)
    with pytest.raises(ValidationError):
        scoring.publish_run(run=run, actor=d.district)


def test_weights_that_do_not_add_up_to_100_are_refused_with_the_sum(district):
    d = district
    compute(d)
    Indicator.objects.filter(code="plan_on_time").update(weight=Decimal("15"))
    with pytest.raises(ValidationError) as exc:
        compute(d)
    assert "计分指标权重合计为 95，应为 100" in exc.value.messages[0]


def test_a_deduction_needs_reason_and_evidence(district):
    d = district
    compute(d)
    for reason, proof in (("", evidence()), ("督查记录", None), ("  ", None)):
        with pytest.raises(ValidationError) as exc:
            scoring.save_manual_entry(
                indicator=indicator("inspection_deduction"),
                unit=d.town_a_unit,
                year=2026,
                quarter=2,
                points=Decimal("-1"),
                reason=reason,
                evidence=proof,
                actor=d.district,
            )
        assert "扣分必须填写事由并上传佐证材料" in exc.value.messages
    saved = entry(d, "inspection_deduction", d.town_a_unit, "1.5")
    assert saved.points == Decimal("-1.5") and saved.evidence


def test_manual_entry_refuses_a_computed_indicator_and_a_unit_type_it_does_not_fit(district):
    d = district
    compute(d)
    with pytest.raises(ValidationError) as exc:
        entry(d, "publicity_activities", d.town_a_unit, "3")
    assert "indicator" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        entry(d, "sector_rating", d.town_a_unit, "3")  # a 新城 is not a 行业部门
    assert "unit" in exc.value.message_dict


def test_only_the_district_computes(district):
    with pytest.raises(PermissionDenied):
        scoring.compute_run(year=2026, quarter=2, actor=district.town_a, today=ENDED)


def test_the_background_job_computes_the_run(district, settings):
    settings.JOB_RUNNER = "sync"
    job = start_job(
        kind="assessment_compute", user=district.district, params={"year": 2026, "quarter": 2}
    )
    assert job.status == job.Status.DONE, job.error
    assert job.result["scores"] == 6
    assert QuarterRun.objects.get(year=2026, quarter=2).scores.count() == 6


def test_the_query_count_does_not_grow_with_the_units(district, django_assert_max_num_queries):
    compute(district)
    with CaptureQueriesContext(connection) as few:
        compute(district)
    for i in range(5):
        town = add_unit(district.root, f"新城{i}", UnitKind.NEW_TOWN)
        add_unit(town, f"街道{i}", UnitKind.SUBDISTRICT)
        add_unit(district.root, f"部门{i}", UnitKind.DEPARTMENT)
    with django_assert_max_num_queries(len(few)):
        run = compute(district)
    assert run.scores.count() == 6 + 15


def test_lost_points_name_what_costs_the_unit_points(district):
    d = district
    compute(d)
    entry(d, "inspection_deduction", d.town_a_unit, "2")
    run = compute(d)
    score = UnitScore.objects.get(run=run, unit=d.town_a_unit)
    lost = {r["code"]: r["lost"] for r in querysets.lost_points(score)}
    # Empty district (module docstring): publicity 15, training 15, media 15, grid 10 lost
    # in full, and the 2-point deduction; plan, campaigns and 持证率 are at full marks.
    assert lost == {
        "publicity_activities": "15.00",
        "training_sessions": "15.00",
        "media_output": "15.00",
        "grid_training": "10.00",
        "inspection_deduction": "2.00",
    }
