"""Assignment status from periods and reports (issue #4 §3), case by case and by property."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from xuanpei.plans.choices import AssignmentStatus as S
from xuanpei.plans.choices import ReportStatus as R
from xuanpei.plans.choices import Timeframe
from xuanpei.plans.periods import periods
from xuanpei.plans.status import ReportFact, assignment_status

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
