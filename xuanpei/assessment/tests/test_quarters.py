"""One rule for a quarter written as text (`quarters.parse_quarter`), read by the forms
(`forms.parse_quarter`, a ValidationError) and the dashboards' `?period=`
(`dashboards.parse_period`, a PeriodError): property tests over both callers."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from xuanpei.assessment import dashboards, forms, quarters

YEARS = st.integers(min_value=quarters.YEARS[0], max_value=quarters.YEARS[1])
QUARTERS = st.integers(min_value=1, max_value=4)
OUTSIDE = st.one_of(
    st.integers(min_value=1000, max_value=quarters.YEARS[0] - 1),
    st.integers(min_value=quarters.YEARS[1] + 1, max_value=9999),
)
SPACES = st.sampled_from(["", " ", "  ", "\t"])


def _all_refuse(text: str) -> None:
    with pytest.raises(quarters.QuarterError) as exc:
        quarters.parse_quarter(text)
    assert "年份Q季度" in str(exc.value)
    with pytest.raises(ValidationError):
        forms.parse_quarter(text)
    if text:  # an empty ?period= means "the latest quarter", not an error
        with pytest.raises(dashboards.PeriodError):
            dashboards.parse_period(text)


@given(YEARS, QUARTERS, st.sampled_from("Qq"), SPACES, SPACES)
def test_a_valid_quarter_round_trips_through_every_caller(year, quarter, q, before, after):
    text = f"{before}{year}{q}{quarter}{after}"
    assert quarters.parse_quarter(text) == (year, quarter)
    assert forms.parse_quarter(text) == (year, quarter)
    period = dashboards.parse_period(text)
    assert (period.year, period.number) == (year, quarter)
    assert quarters.parse_quarter(quarters.format_quarter(year, quarter)) == (year, quarter)


@given(YEARS, st.one_of(st.just(0), st.integers(min_value=5, max_value=9)))
def test_quarter_0_or_5_to_9_is_refused(year, quarter):
    _all_refuse(f"{year}Q{quarter}")


@given(OUTSIDE, QUARTERS)
def test_a_year_outside_the_range_is_refused(year, quarter):
    _all_refuse(f"{year}Q{quarter}")


@given(st.text(max_size=30))
def test_junk_is_refused_or_is_a_quarter(text):
    try:
        year, quarter = quarters.parse_quarter(text)
    except quarters.QuarterError as exc:
        assert len(str(exc)) < 200  # the echo of the input is cut short
        with pytest.raises(ValidationError):
            forms.parse_quarter(text)
    else:
        assert quarters.YEARS[0] <= year <= quarters.YEARS[1] and 1 <= quarter <= 4


@pytest.mark.parametrize(
    "text",
    ["", "2026", "2026Q", "Q2", "26Q2", "02026Q2", "2026Q12", "2026-Q2", "2026Q2x", "二〇二六Q2"],
)
def test_examples_of_junk(text):
    _all_refuse(text)


def test_an_empty_period_is_no_period():
    assert dashboards.parse_period("") is None and dashboards.parse_period(None) is None
