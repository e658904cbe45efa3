"""The calendar rules (domain.md §6), pure: a table of known dates 2022–2030 and properties.

Sources for 全国中小学生安全教育日 ("每年3月份最后一周的星期一", since 1996):
- 2019-03-25 "第24个": 66.wendadaohang.com/zd/UpiivsvDi2vnxp9ixD9.html, m.all-bahamas.com/news/22099.html
- 2020-03-30: 91wnl.com/article235305
- 2022-03-28 "第27个": www.taiwan.cn/xwzx/PoliticsNews/202203/t20220328_12422295.htm
- 2025-03-31 "第30个": fudaoke.com/exam/2935362.html, njxcx.com/product/3227.html
  (31 March 2025 is a Monday: "the Monday of the last week" is the last Monday, not
  the Monday of the last full week, which would be 24 March)
- 2023-03-27, 2024-03-25: as the brief (issue #11) lists them.
Later years follow the same rule (the last Monday of March), computed by hand from a
calendar. 《安全生产法》宣传周 12.1–12.7 since 2017 (国务院安委会, domain.md §6);
the fixed days are those of domain.md §6.
"""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xuanpei.publicity.calendar import RuleSpec, describe, nth_weekday, occurrence, spec_errors
from xuanpei.publicity.choices import COMPUTED_KINDS, RuleKind
from xuanpei.publicity.national import NATIONAL_RULES

NATIONAL = {
    spec["name"]: RuleSpec(**{k: v for k, v in spec.items() if k not in ("name", "note")})
    for spec in NATIONAL_RULES
}

# 全国中小学生安全教育日, 2019–2030 (the last Monday of March).
SCHOOL_DAY = {
    2019: date(2019, 3, 25),
    2020: date(2020, 3, 30),
    2022: date(2022, 3, 28),
    2023: date(2023, 3, 27),
    2024: date(2024, 3, 25),
    2025: date(2025, 3, 31),
    2026: date(2026, 3, 30),
    2027: date(2027, 3, 29),
    2028: date(2028, 3, 27),
    2029: date(2029, 3, 26),
    2030: date(2030, 3, 25),
}


@pytest.mark.parametrize(("year", "expected"), sorted(SCHOOL_DAY.items()))
def test_the_school_safety_day_is_the_monday_of_marchs_last_week(year, expected):
    assert occurrence(NATIONAL["全国中小学生安全教育日"], year) == (expected, expected)


@pytest.mark.parametrize("year", range(2022, 2031))
def test_the_fixed_days_weeks_and_months_fall_on_their_dates_every_year(year):
    d = lambda m, day: date(year, m, day)  # noqa: E731
    table = {
        "全民国家安全教育日": (d(4, 15), d(4, 15)),
        "《职业病防治法》宣传周": (d(4, 25), d(5, 1)),
        "全国防灾减灾日": (d(5, 12), d(5, 12)),
        "安全生产月": (d(6, 1), d(6, 30)),
        "全国安全宣传咨询日": (d(6, 16), d(6, 16)),
        "国际减灾日": (d(10, 13), d(10, 13)),
        "全国消防日": (d(11, 9), d(11, 9)),
        "119消防宣传月": (d(11, 1), d(11, 30)),
        "《安全生产法》宣传周": (d(12, 1), d(12, 7)),
        "全国交通安全日": (d(12, 2), d(12, 2)),
    }
    for name, dates in table.items():
        assert occurrence(NATIONAL[name], year) == dates, name


def test_rules_entered_each_year_and_years_before_the_first_give_no_dates():
    for name in ("防灾减灾宣传周", "安全生产万里行", "岁末年初", "汛期"):
        assert occurrence(NATIONAL[name], 2024) is None
    assert occurrence(NATIONAL["《安全生产法》宣传周"], 2016) is None  # first held 2017
    assert occurrence(NATIONAL["《安全生产法》宣传周"], 2017) == (
        date(2017, 12, 1),
        date(2017, 12, 7),
    )
    old = RuleSpec(
        RuleKind.NTH_WEEKDAY, month=6, weekday=6, nth=2, since_year=2002, until_year=2013
    )
    assert occurrence(old, 2013) == (date(2013, 6, 9),) * 2  # 2002–2013: second Sunday of June
    assert occurrence(old, 2014) is None


def test_a_rule_in_words():
    assert describe(NATIONAL["全国中小学生安全教育日"]) == "每年3月最后一个星期一"
    assert describe(NATIONAL["《安全生产法》宣传周"]) == "每年12月1日—12月7日"
    assert describe(NATIONAL["防灾减灾宣传周"]) == "每年按通知确定日期"


def test_bad_rules_name_the_field_and_the_reason():
    assert "day" in spec_errors(RuleSpec(RuleKind.FIXED_DAY, month=2, day=29))
    assert "day" in spec_errors(RuleSpec(RuleKind.FIXED_DAY, month=4, day=31))
    assert "month" in spec_errors(RuleSpec(RuleKind.MONTH, month=13))
    wraps = spec_errors(RuleSpec(RuleKind.FIXED_RANGE, month=12, day=25, end_month=1, end_day=5))
    assert wraps == {"end_day": "结束日期早于开始日期（固定时段不能跨年）"}
    assert set(spec_errors(RuleSpec(RuleKind.NTH_WEEKDAY, month=3, weekday=9, nth=5))) == {
        "weekday",
        "nth",
    }
    assert spec_errors(RuleSpec(RuleKind.BY_NOTICE)) == {}


# --------------------------------------------------------------------------- properties

days = st.tuples(st.integers(1, 12), st.integers(1, 31))


@st.composite
def computed_specs(draw):
    kind = draw(st.sampled_from(sorted(COMPUTED_KINDS)))
    (m, d), (m2, d2) = sorted([draw(days), draw(days)])
    return RuleSpec(
        kind,
        month=m,
        day=d,
        end_month=m2,
        end_day=d2,
        weekday=draw(st.integers(0, 6)),
        nth=draw(st.sampled_from([1, 2, 3, 4, -1])),
        since_year=draw(st.none() | st.integers(1990, 2040)),
    )


@given(spec=computed_specs(), year=st.integers(1950, 2150))
def test_every_occurrence_lies_in_its_year_and_starts_before_it_ends(spec, year):
    dates = occurrence(spec, year)
    if spec_errors(spec) or (spec.since_year and year < spec.since_year):
        assert dates is None
        return
    if dates is None:  # only an nth weekday with no 4th… never: every month has four
        pytest.fail(f"{spec} gave nothing in {year}")
    start, end = dates
    assert start.year == end.year == year
    assert start <= end
    assert start.month == spec.month


@given(year=st.integers(1996, 2200))
def test_the_school_safety_day_is_a_monday_in_the_last_seven_days_of_march(year):
    (day, _same) = occurrence(NATIONAL["全国中小学生安全教育日"], year)
    assert day.weekday() == 0 and day.month == 3 and day.day >= 25


@given(
    year=st.integers(1900, 2200),
    month=st.integers(1, 12),
    weekday=st.integers(0, 6),
    nth=st.integers(1, 4),
)
def test_the_nth_weekday_is_that_weekday_in_that_month(year, month, weekday, nth):
    day = nth_weekday(year, month, weekday, nth)
    assert day.month == month and day.weekday() == weekday
    assert (day.day - 1) // 7 == nth - 1
