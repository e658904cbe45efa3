"""The legal minimum training hours, case by case (issue #12 §5, "done when").

Expected hours are written as the regulation states them in domain.md §2 —
3号令 Art. 9/13 and 安委〔2012〕10号 — never read back from the table under test.
"""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xuanpei.orgs.sectors import SECTORS
from xuanpei.training.choices import SectorClass, TrainingGroup, TrainingKind
from xuanpei.training.minimums import (
    CONSTRUCTION_SECTOR_CODES,
    HIGH_RISK_SECTOR_NAMES,
    MINIMUMS,
)
from xuanpei.training.rules import (
    PostSpan,
    check_year,
    credited_hours,
    group_of_post_type,
    minimum_for,
    sector_class,
)

MANAGER = TrainingGroup.MANAGER
STAFF = TrainingGroup.STAFF
INITIAL = TrainingKind.INITIAL
YEARLY = TrainingKind.YEARLY


def manager(start, end=None, *, high_risk=False, employer="A", sector_code="industry_trade"):
    return PostSpan(MANAGER, start, end, high_risk, sector_code, employer)


def staff(start, end=None, *, high_risk=False, employer="A", sector_code="industry_trade"):
    return PostSpan(STAFF, start, end, high_risk, sector_code, employer)


# Managers (主要负责人、安全生产管理人员): 3号令 Art. 9 ----------------------------------


def test_a_new_manager_owes_32_hours_in_the_year_of_appointment_then_12_a_year():
    posts = [manager(date(2026, 3, 1))]
    first = check_year(posts, [], 2026)
    assert (first.kind, first.required) == (INITIAL, Decimal(32))
    later = check_year(posts, [], 2027)
    assert (later.kind, later.required) == (YEARLY, Decimal(12))
    assert "第九条" in first.source


def test_a_high_risk_manager_owes_48_hours_initially_then_16_a_year():
    posts = [manager(date(2026, 3, 1), high_risk=True, sector_code="hazardous_chemicals")]
    assert check_year(posts, [], 2026).required == Decimal(48)
    assert check_year(posts, [], 2026).kind == INITIAL
    assert check_year(posts, [], 2028).required == Decimal(16)
    assert check_year(posts, [], 2028).kind == YEARLY


def test_principal_and_safety_manager_are_managers_every_other_post_is_staff():
    assert group_of_post_type("principal") == MANAGER
    assert group_of_post_type("safety_manager") == MANAGER
    for code in ("special_operation", "special_equipment", "construction_special", "other"):
        assert group_of_post_type(code) == STAFF


def test_a_construction_manager_falls_back_to_the_general_manager_row():
    posts = [manager(date(2026, 5, 1), sector_code="construction")]
    assert check_year(posts, [], 2026).required == Decimal(32)
    assert check_year(posts, [], 2027).required == Decimal(12)


# Staff (新上岗从业人员 / 每年再培训): 3号令 Art. 13, 安委〔2012〕10号 ---------------------


def test_a_new_hire_owes_24_hours_in_the_year_hired_then_8_a_year():
    posts = [staff(date(2026, 9, 15))]
    hired = check_year(posts, [(date(2026, 9, 10), 16)], 2026)
    assert (hired.kind, hired.required, hired.credited, hired.shortfall) == (
        INITIAL,
        Decimal(24),
        Decimal(16),
        Decimal(8),
    )
    assert check_year(posts, [], 2027).required == Decimal(8)
    assert "安委〔2012〕10号" in check_year(posts, [], 2027).source


def test_a_high_risk_new_hire_owes_72_hours_then_20_a_year():
    posts = [staff(date(2026, 1, 5), high_risk=True, sector_code="non_coal_mine")]
    assert check_year(posts, [], 2026).required == Decimal(72)
    assert check_year(posts, [], 2027).required == Decimal(20)


def test_construction_staff_owe_32_hours_then_20_a_year():
    posts = [staff(date(2026, 4, 1), sector_code="construction")]
    assert check_year(posts, [], 2026).required == Decimal(32)
    assert check_year(posts, [], 2027).required == Decimal(20)


def test_the_high_risk_flag_wins_over_the_construction_code():
    assert sector_class(high_risk=True, sector_code="construction") == SectorClass.HIGH_RISK
    assert sector_class(high_risk=False, sector_code="construction") == SectorClass.CONSTRUCTION
    assert sector_class(high_risk=False, sector_code="education") == SectorClass.GENERAL


def test_a_worker_hired_by_another_employer_is_new_there_again():
    posts = [staff(date(2019, 2, 1), date(2026, 5, 31)), staff(date(2026, 6, 1), employer="B")]
    check = check_year(posts, [], 2026)
    assert (check.kind, check.required) == (INITIAL, Decimal(24))
    assert [p.kind for p in check.parts] == [YEARLY, INITIAL]


def test_a_worker_moving_post_within_the_same_employer_owes_the_yearly_hours_only():
    # Art. 17: a new post repeats the 车间/班组 levels, not the 24 h initial training.
    posts = [staff(date(2019, 2, 1), date(2026, 5, 31)), staff(date(2026, 6, 1))]
    check = check_year(posts, [], 2026)
    assert (check.kind, check.required) == (YEARLY, Decimal(8))


def test_a_worker_back_after_a_year_away_at_the_same_employer_is_not_new():
    posts = [staff(date(2018, 1, 1), date(2024, 6, 30)), staff(date(2026, 3, 1))]
    assert check_year(posts, [], 2025).kind is None
    assert (check_year(posts, [], 2026).kind, check_year(posts, [], 2026).required) == (
        YEARLY,
        Decimal(8),
    )


# A person who changed post mid-year: the strictest requirement held ---------------------


def test_a_worker_promoted_to_safety_manager_mid_year_owes_the_managers_32_hours():
    posts = [staff(date(2015, 3, 1), date(2026, 6, 30)), manager(date(2026, 7, 1))]
    check = check_year(posts, [(date(2026, 2, 1), 8), (date(2026, 8, 1), 12)], 2026)
    assert (check.kind, check.required, check.credited, check.shortfall) == (
        INITIAL,
        Decimal(32),
        Decimal(20),
        Decimal(12),
    )
    assert {(p.kind, p.hours) for p in check.parts} == {
        (YEARLY, Decimal(8)),
        (INITIAL, Decimal(32)),
    }
    # The next year: only the manager post, yearly.
    assert (check_year(posts, [], 2027).kind, check_year(posts, [], 2027).required) == (
        YEARLY,
        Decimal(12),
    )


def test_a_manager_moving_from_a_high_risk_firm_to_a_general_one_keeps_the_stricter_16():
    posts = [
        manager(date(2020, 1, 1), date(2026, 6, 30), high_risk=True, sector_code="fireworks"),
        manager(date(2026, 7, 1), employer="B"),
    ]
    check = check_year(posts, [], 2026)
    # Already trained 48 h as a manager: the general post is no 初次 (≥ 32 h done).
    assert (check.kind, check.required) == (YEARLY, Decimal(16))
    assert check_year(posts, [], 2027).required == Decimal(12)


def test_a_manager_moving_into_a_high_risk_firm_owes_the_48_hour_initial_training():
    posts = [
        manager(date(2020, 1, 1), date(2026, 6, 30)),
        manager(date(2026, 7, 1), high_risk=True, sector_code="metal_smelting", employer="B"),
    ]
    check = check_year(posts, [], 2026)
    assert (check.kind, check.required) == (INITIAL, Decimal(48))
    assert check_year(posts, [], 2027).required == Decimal(16)


def test_a_manager_record_split_in_two_is_not_a_second_appointment():
    posts = [manager(date(2021, 1, 1), date(2026, 3, 31)), manager(date(2026, 4, 1))]
    assert check_year(posts, [], 2026).kind == YEARLY


# Hours credited ---------------------------------------------------------------------------


def test_a_year_with_no_sessions_falls_short_by_the_whole_requirement():
    check = check_year([manager(date(2020, 1, 1))], [], 2026)
    assert (check.credited, check.shortfall, check.met) == (Decimal(0), Decimal(12), False)


def test_only_sessions_dated_in_the_year_count_and_the_shortfall_never_goes_below_zero():
    sessions = [
        (date(2025, 12, 31), 40),
        (date(2026, 1, 1), Decimal("1.5")),
        (date(2026, 12, 31), "10.5"),
        (date(2027, 1, 1), 40),
    ]
    check = check_year([manager(date(2020, 1, 1))], sessions, 2026)
    assert (check.credited, check.shortfall, check.met) == (Decimal(12), Decimal(0), True)
    more = check_year([manager(date(2020, 1, 1))], sessions + [(date(2026, 6, 1), 3)], 2026)
    assert (more.credited, more.shortfall) == (Decimal(15), Decimal(0))


def test_a_person_without_a_post_that_year_owes_nothing():
    check = check_year([staff(date(2020, 1, 1), date(2025, 12, 31))], [(date(2026, 5, 1), 4)], 2026)
    assert (check.kind, check.required, check.credited, check.shortfall) == (
        None,
        Decimal(0),
        Decimal(4),
        Decimal(0),
    )


def test_a_post_with_an_unknown_start_owes_the_yearly_hours():
    assert check_year([manager(None)], [], 2026).kind == YEARLY


@pytest.mark.parametrize("bad", [-1, "-0.5", "NaN", float("inf"), "abc"])
def test_negative_non_finite_or_garbage_hours_are_refused(bad):
    with pytest.raises(ValueError):
        credited_hours([(date(2026, 1, 1), bad)], 2026)


@given(
    st.lists(
        st.tuples(
            st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)),
            st.decimals(min_value=0, max_value=100, places=1),
        ),
        max_size=20,
    ),
    st.integers(min_value=2025, max_value=2027),
)
def test_shortfall_is_the_requirement_less_the_years_hours_never_negative(sessions, year):
    check = check_year([staff(date(2025, 6, 1), high_risk=True)], sessions, year)
    in_year = sum((h for d, h in sessions if d.year == year), Decimal(0))
    assert check.credited == in_year
    assert check.shortfall == max(check.required - in_year, Decimal(0))
    assert check.required == (Decimal(72) if year == 2025 else Decimal(20))


# The table itself ---------------------------------------------------------------------------


def test_the_table_has_one_row_per_group_and_class_each_citing_its_source():
    keys = [(m.group, m.sector_class) for m in MINIMUMS]
    assert len(keys) == len(set(keys))
    assert all(m.initial_source and m.yearly_source for m in MINIMUMS)
    assert minimum_for(STAFF, SectorClass.HIGH_RISK).initial_hours == Decimal(72)


def test_the_sector_dictionary_flags_exactly_the_high_risk_sectors_of_domain_md():
    names = {s.name for s in SECTORS}
    flagged = {s.name for s in SECTORS if s.high_risk}
    assert flagged == HIGH_RISK_SECTOR_NAMES & names
    assert {"煤矿", "非煤矿山", "危险化学品", "烟花爆竹", "金属冶炼"} == HIGH_RISK_SECTOR_NAMES
    assert {s.code for s in SECTORS} >= CONSTRUCTION_SECTOR_CODES
