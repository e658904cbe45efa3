"""The grid-officer quarterly rule (issue #12 §6): quarters exact at their
boundaries and at year ends, and the met / not met / in progress matrix."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xuanpei.training.choices import QuarterStatus
from xuanpei.training.quarters import (
    Quarter,
    alert_day,
    first_day,
    last_day,
    missed_officers,
    needs_alert,
    quarter_of,
    quarter_status,
    quarters_of_year,
)

MET = QuarterStatus.MET
NOT_MET = QuarterStatus.NOT_MET
IN_PROGRESS = QuarterStatus.IN_PROGRESS
NOT_STARTED = QuarterStatus.NOT_STARTED

dates = st.dates(min_value=date(1900, 1, 1), max_value=date(9998, 12, 31))


# Quarters -------------------------------------------------------------------------------


@given(dates)
def test_every_date_falls_in_exactly_one_quarter_of_its_year(day):
    q = quarter_of(day)
    assert first_day(q) <= day <= last_day(q)
    assert [day in other for other in quarters_of_year(day.year)].count(True) == 1
    assert q.year == day.year


@given(dates)
def test_consecutive_quarters_tile_without_gap_or_overlap(day):
    q = quarter_of(day)
    assert q.next().first_day == q.last_day + timedelta(days=1)
    assert q.previous().last_day == q.first_day - timedelta(days=1)
    assert q.next().previous() == q
    assert q < q.next()


@given(st.integers(min_value=1900, max_value=9998))
def test_the_four_quarters_cover_the_year_from_1_january_to_31_december(year):
    quarters = quarters_of_year(year)
    assert quarters[0].first_day == date(year, 1, 1)
    assert quarters[-1].last_day == date(year, 12, 31)
    total = sum((q.last_day - q.first_day).days + 1 for q in quarters)
    assert total == (date(year + 1, 1, 1) - date(year, 1, 1)).days
    assert quarter_of(date(year, 12, 31)) == Quarter(year, 4)
    assert quarter_of(date(year + 1, 1, 1)) == Quarter(year + 1, 1)
    assert Quarter(year, 4).next() == Quarter(year + 1, 1)


@given(dates)
def test_the_alert_day_is_the_first_day_of_the_quarters_last_month(day):
    q = quarter_of(day)
    alert = alert_day(q)
    assert alert in q and alert.day == 1 and alert.month == 3 * q.number
    assert (q.last_day - alert).days < 31


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (date(2026, 3, 31), Quarter(2026, 1)),
        (date(2026, 4, 1), Quarter(2026, 2)),
        (date(2026, 6, 30), Quarter(2026, 2)),
        (date(2026, 7, 1), Quarter(2026, 3)),
        (date(2026, 9, 30), Quarter(2026, 3)),
        (date(2026, 10, 1), Quarter(2026, 4)),
        (date(2026, 12, 31), Quarter(2026, 4)),
        (date(2027, 1, 1), Quarter(2027, 1)),
        (date(2028, 2, 29), Quarter(2028, 1)),
    ],
)
def test_quarter_boundaries(day, quarter):
    assert quarter_of(day) == quarter


def test_quarter_days_and_alert_days_as_written():
    assert (Quarter(2026, 1).first_day, Quarter(2026, 1).last_day) == (
        date(2026, 1, 1),
        date(2026, 3, 31),
    )
    assert Quarter(2026, 2).last_day == date(2026, 6, 30)
    assert Quarter(2026, 3).last_day == date(2026, 9, 30)
    assert Quarter(2026, 4).last_day == date(2026, 12, 31)
    assert [alert_day(q) for q in quarters_of_year(2026)] == [
        date(2026, 3, 1),
        date(2026, 6, 1),
        date(2026, 9, 1),
        date(2026, 12, 1),
    ]
    assert alert_day(Quarter(2026, 4), alert_months=2) == date(2026, 11, 1)
    assert str(Quarter(2026, 3)) == "2026Q3"
    assert Quarter(2026, 3).label() == "2026年第3季度"


@pytest.mark.parametrize("number", [0, 5])
def test_a_quarter_number_outside_1_to_4_is_refused(number):
    with pytest.raises(ValueError):
        Quarter(2026, number)


# The matrix across the year end 2026 → 2027 --------------------------------------------------

OFFICERS = {"a", "b", "c"}
Q4 = Quarter(2026, 4)
Q1 = Quarter(2027, 1)
# One session on the last day of 2026 (everyone), one on the first day of 2027 (c missing).
SESSIONS = [(date(2026, 12, 31), ["a", "b", "c"]), (date(2027, 1, 1), ["a", "b"])]


@pytest.mark.parametrize(
    ("quarter", "on", "status", "missed"),
    [
        (Q4, date(2026, 9, 30), NOT_STARTED, {"a", "b", "c"}),
        (Q4, date(2026, 10, 1), IN_PROGRESS, {"a", "b", "c"}),
        (Q4, date(2026, 12, 30), IN_PROGRESS, {"a", "b", "c"}),  # the session is still planned
        (Q4, date(2026, 12, 31), MET, set()),
        (Q4, date(2027, 1, 1), MET, set()),
        (Q1, date(2026, 12, 31), NOT_STARTED, {"a", "b", "c"}),  # Dec 31 does not count for Q1
        (Q1, date(2027, 1, 1), IN_PROGRESS, {"c"}),
        (Q1, date(2027, 3, 31), IN_PROGRESS, {"c"}),
        (Q1, date(2027, 4, 1), NOT_MET, {"c"}),
        (Q1, date(2028, 1, 1), NOT_MET, {"c"}),
    ],
)
def test_matrix_across_the_year_end(quarter, on, status, missed):
    assert quarter_status(quarter, SESSIONS, OFFICERS, on) == status
    assert missed_officers(quarter, SESSIONS, OFFICERS, on) == missed


def test_a_session_on_the_quarters_last_day_counts_for_it_and_not_for_the_next():
    sessions = [(date(2026, 9, 30), ["a", "b", "c"])]
    assert quarter_status(Quarter(2026, 3), sessions, OFFICERS, date(2026, 10, 1)) == MET
    assert quarter_status(Quarter(2026, 4), sessions, OFFICERS, date(2027, 1, 1)) == NOT_MET


def test_a_session_on_the_next_quarters_first_day_does_not_save_the_quarter_before():
    sessions = [(date(2026, 7, 1), ["a", "b", "c"])]
    assert quarter_status(Quarter(2026, 2), sessions, OFFICERS, date(2026, 7, 1)) == NOT_MET
    assert quarter_status(Quarter(2026, 3), sessions, OFFICERS, date(2026, 7, 1)) == MET


def test_every_officer_must_attend_but_any_of_the_quarters_sessions_will_do():
    sessions = [(date(2026, 7, 10), ["a", "b"]), (date(2026, 8, 20), ["c"])]
    assert quarter_status(Quarter(2026, 3), sessions, OFFICERS, date(2026, 7, 31)) == IN_PROGRESS
    assert quarter_status(Quarter(2026, 3), sessions, OFFICERS, date(2026, 8, 20)) == MET


def test_a_quarter_without_sessions_is_not_met_even_with_no_officer_in_post():
    assert quarter_status(Quarter(2026, 3), [], set(), date(2026, 10, 1)) == NOT_MET
    one = [(date(2026, 8, 1), [])]
    assert quarter_status(Quarter(2026, 3), one, set(), date(2026, 10, 1)) == MET


def test_the_plan_can_ask_for_more_than_one_session_a_quarter():
    one = [(date(2026, 8, 1), ["a", "b", "c"])]
    assert quarter_status(Quarter(2026, 3), one, OFFICERS, date(2026, 10, 1), min_sessions=2) == (
        NOT_MET
    )
    two = one + [(date(2026, 9, 30), [])]
    assert quarter_status(Quarter(2026, 3), two, OFFICERS, date(2026, 10, 1), min_sessions=2) == (
        MET
    )


@given(st.lists(st.tuples(dates, st.sets(st.sampled_from("abcd"))), max_size=8), dates, dates)
def test_status_is_one_of_four_and_agrees_with_the_day(sessions, inside, on):
    q = quarter_of(inside)
    status = quarter_status(q, sessions, OFFICERS, on)
    if on < q.first_day:
        assert status == NOT_STARTED
    elif status == MET:
        assert not missed_officers(q, sessions, OFFICERS, on)
        assert any(q.first_day <= d <= on for d, _ in sessions)
    else:
        assert status == (IN_PROGRESS if on <= q.last_day else NOT_MET)


# The last-month alert ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "alert"),
    [
        (date(2026, 11, 30), False),
        (date(2026, 12, 1), True),
        (date(2026, 12, 31), True),
        (date(2027, 1, 1), False),  # Q4 is over (not met), Q1's last month has not come
    ],
)
def test_an_unmet_quarter_alerts_in_its_last_month_only(on, alert):
    assert needs_alert(Q4, [], OFFICERS, on) is alert
    assert needs_alert(quarter_of(on), [], OFFICERS, on) is (on.month in (3, 6, 9, 12))


def test_a_met_quarter_does_not_alert():
    sessions = [(date(2026, 12, 1), ["a", "b", "c"])]
    assert needs_alert(Q4, sessions, OFFICERS, date(2026, 12, 1)) is False
    assert needs_alert(Q4, sessions, OFFICERS, date(2026, 11, 30)) is False


def test_the_alert_can_start_two_months_before_the_end():
    assert needs_alert(Quarter(2027, 1), [], OFFICERS, date(2027, 1, 31), alert_months=2) is False
    assert needs_alert(Quarter(2027, 1), [], OFFICERS, date(2027, 2, 1), alert_months=2) is True
