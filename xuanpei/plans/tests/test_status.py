"""Assignment status from periods and reports (issue #4 §3), case by case and by property."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from xuanpei.plans.choices import AssignmentStatus as S
from xuanpei.plans.choices import Comparator, Timeframe
from xuanpei.plans.choices import ReportStatus as R
from xuanpei.plans.periods import periods
from xuanpei.plans.status import (
    QuantityFact,
    ReportFact,
    TargetFact,
    assignment_status,
    meets,
    target_progress,
    targets_met,
)

QUARTERS = periods(Timeframe.QUARTERLY, 2022)
YEAR = periods(Timeframe.ALL_YEAR, 2022)


def test_quarterly_periods_end_on_quarter_ends_with_chinese_labels():
    assert [p.key for p in QUARTERS] == ["2022Q1", "2022Q2", "2022Q3", "2022Q4"]
    assert [p.due for p in QUARTERS] == [
        date(2022, 3, 31),
        date(2022, 6, 30),
        date(2022, 9, 30),
        date(2022, 12, 31),
    ]
    assert QUARTERS[0].label == "2022年第一季度"


def test_date_range_and_monthly_periods():
    (r,) = periods(Timeframe.DATE_RANGE, 2022, start=date(2022, 6, 1), end=date(2022, 6, 30))
    assert (r.key, r.start, r.due, r.label) == (
        "2022R",
        date(2022, 6, 1),
        date(2022, 6, 30),
        "6月1日至6月30日",
    )
    months = periods(Timeframe.MONTHLY, 2024)
    assert len(months) == 12 and months[1].due == date(2024, 2, 29)


def test_nothing_reported_before_the_due_date_is_not_started():
    assert assignment_status(YEAR, [], date(2022, 5, 1)).status == S.NOT_STARTED


def test_a_draft_makes_it_in_progress_and_a_submission_submitted():
    assert (
        assignment_status(YEAR, [ReportFact("2022", R.DRAFT, 1)], date(2022, 5, 1)).status
        == S.IN_PROGRESS
    )
    assert (
        assignment_status(YEAR, [ReportFact("2022", R.SUBMITTED, 1)], date(2022, 5, 1)).status
        == S.SUBMITTED
    )


def test_returned_then_resubmitted_follows_the_latest_report():
    facts = [ReportFact("2022", R.RETURNED, 1)]
    assert assignment_status(YEAR, facts, date(2022, 5, 1)).status == S.RETURNED
    facts.append(ReportFact("2022", R.SUBMITTED, 2))
    assert assignment_status(YEAR, facts, date(2022, 5, 1)).status == S.SUBMITTED


def test_a_quarter_that_ended_without_an_accepted_report_is_overdue():
    facts = [ReportFact("2022Q1", R.SUBMITTED, 1)]
    result = assignment_status(QUARTERS, facts, date(2022, 4, 1))
    assert result.status == S.OVERDUE
    assert [p.key for p in result.overdue] == ["2022Q1"]


def test_the_due_day_itself_is_not_late():
    assert assignment_status(QUARTERS, [], date(2022, 3, 31)).status == S.NOT_STARTED


def test_an_accepted_quarter_then_the_next_in_course():
    facts = [ReportFact("2022Q1", R.ACCEPTED, 1)]
    result = assignment_status(QUARTERS, facts, date(2022, 5, 1))
    assert result.status == S.IN_PROGRESS
    assert result.next_due == date(2022, 6, 30)


def test_every_period_accepted_is_accepted():
    facts = [ReportFact(p.key, R.ACCEPTED, i) for i, p in enumerate(QUARTERS)]
    assert assignment_status(QUARTERS, facts, date(2023, 2, 1)).status == S.ACCEPTED


def test_a_granted_adjustment_moves_the_due_date():
    on = date(2022, 4, 10)
    assert assignment_status(QUARTERS, [], on).status == S.OVERDUE
    moved = assignment_status(QUARTERS, [], on, {"2022Q1": date(2022, 4, 15)})
    assert moved.status == S.NOT_STARTED


@given(
    st.lists(
        st.tuples(st.sampled_from([p.key for p in QUARTERS]), st.sampled_from(list(R))),
        max_size=8,
    ),
    st.dates(min_value=date(2021, 12, 1), max_value=date(2023, 2, 1)),
)
def test_overdue_exactly_when_an_ended_quarter_lacks_an_accepted_report(facts, on):
    reports = [ReportFact(k, s, i) for i, (k, s) in enumerate(facts)]
    accepted = {k for k, s in facts if s == R.ACCEPTED}
    late = [p.key for p in QUARTERS if p.due < on and p.key not in accepted]
    result = assignment_status(QUARTERS, reports, on)
    assert (result.status == S.OVERDUE) == bool(late)
    assert [p.key for p in result.overdue] == late
    if accepted == {p.key for p in QUARTERS}:
        assert result.status == S.ACCEPTED


# Issue #8: several reports a period, reopening, targets and exceptions ---------------------

FACTS = st.lists(
    st.tuples(st.sampled_from([p.key for p in QUARTERS]), st.sampled_from(list(R)), st.booleans()),
    max_size=10,
)


def closing(facts) -> set[str]:
    """Periods with an accepted report not reopened — written out from the issue's words."""
    return {k for k, s, reopened in facts if s == R.ACCEPTED and not reopened}


def test_a_reopened_acceptance_no_longer_closes_its_period():
    facts = [ReportFact("2022", R.ACCEPTED, 1, reopened=True)]
    assert assignment_status(YEAR, facts, date(2022, 5, 1)).status == S.IN_PROGRESS
    assert assignment_status(YEAR, facts, date(2023, 1, 2)).status == S.OVERDUE
    facts.append(ReportFact("2022", R.ACCEPTED, 2))
    assert assignment_status(YEAR, facts, date(2023, 1, 2)).status == S.ACCEPTED


def test_done_periods_with_targets_short_wait_for_more_progress_then_fall_overdue():
    facts = [ReportFact("2022", R.ACCEPTED, 1)]
    mid = assignment_status(YEAR, facts, date(2022, 5, 1), targets_met=False)
    assert (mid.status, mid.short, mid.next_due) == (S.IN_PROGRESS, True, date(2022, 12, 31))
    late = assignment_status(YEAR, facts, date(2023, 1, 1), targets_met=False)
    assert late.status == S.OVERDUE and [p.key for p in late.overdue] == ["2022"]
    excepted = assignment_status(YEAR, facts, date(2023, 1, 1), targets_met=False, exception=True)
    assert excepted.status == S.ACCEPTED and excepted.overdue == []


@given(
    FACTS,
    st.dates(min_value=date(2021, 12, 1), max_value=date(2023, 2, 1)),
    st.booleans(),
    st.booleans(),
)
def test_accepted_exactly_when_every_period_is_done_and_targets_met_or_excepted(
    facts, on, met, exception
):
    reports = [ReportFact(k, s, i, reopened=r) for i, (k, s, r) in enumerate(facts)]
    done = closing(facts)
    result = assignment_status(QUARTERS, reports, on, targets_met=met, exception=exception)
    every = done == {p.key for p in QUARTERS}
    assert (result.status == S.ACCEPTED) == (every and (met or exception))
    assert result.accepted == [p.key for p in QUARTERS if p.key in done]
    late = [p.key for p in QUARTERS if p.due < on and p.key not in done]
    if late:
        assert result.status == S.OVERDUE and [p.key for p in result.overdue] == late
    elif every and not (met or exception):
        # Short of the targets: overdue once the last period's due date has passed.
        assert (result.status == S.OVERDUE) == (QUARTERS[-1].due < on)
    else:
        assert result.status != S.OVERDUE


AMOUNTS = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False)


@given(
    st.lists(
        st.tuples(st.sampled_from([p.key for p in QUARTERS]), AMOUNTS), min_size=0, max_size=8
    ),
    AMOUNTS,
    st.sampled_from(list(Comparator)),
    st.booleans(),
)
def test_counts_add_up_rates_keep_the_latest_and_per_period_targets_need_every_period(
    values, goal, comparator, per_period
):
    keys = [p.key for p in QUARTERS]
    count = TargetFact(1, comparator, goal, per_period=per_period)
    rate = TargetFact(2, comparator, goal, per_period=per_period, rate=True)
    quantities = [QuantityFact(k, t, v, i) for i, (k, v) in enumerate(values) for t in (1, 2)]
    summed, latest = target_progress([count, rate], quantities, keys)
    if values:
        assert summed.total == sum(v for _k, v in values)
        assert latest.total == values[-1][1]
    else:
        assert summed.total is None and latest.total is None and not summed.met
    for key in keys:
        mine = [v for k, v in values if k == key]
        assert summed.by_period.get(key) == (sum(mine) if mine else None)
    if per_period:
        assert summed.met == all(meets(count, summed.by_period.get(k)) for k in keys)
    else:
        assert summed.met == meets(count, summed.total)
    assert targets_met([count, rate], quantities, keys) == (summed.met and latest.met)


def test_five_brand_activities_are_met_by_three_then_two():
    target = TargetFact(1, Comparator.AT_LEAST, Decimal("5"))
    first = [QuantityFact("2022", 1, Decimal("3"), 1)]
    assert not targets_met([target], first, ["2022"])
    assert targets_met([target], [*first, QuantityFact("2022", 1, Decimal("2"), 2)], ["2022"])
    rate = TargetFact(2, Comparator.EXACTLY, Decimal("100"), rate=True)
    twice = [QuantityFact("2022", 2, Decimal("100"), 1), QuantityFact("2022", 2, Decimal("100"), 2)]
    assert targets_met([rate], twice, ["2022"])  # 100% twice is 100%, not 200%
