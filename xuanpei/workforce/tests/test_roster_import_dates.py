"""Property tests of `core.imports.values.parse_date`, the roster import's date reader."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from xuanpei.core.imports.values import EXCEL_EPOCH, clean_cell, parse_date

DAYS = st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31))


@given(
    DAYS,
    st.sampled_from(
        [
            "{y}-{m:02d}-{d:02d}",
            "{y}/{m}/{d}",
            "{y}.{m}.{d}",
            "{y}年{m}月{d}日",
            "{y} 年 {m} 月 {d} 日",
            "{y}{m:02d}{d:02d}",
        ]
    ),
)
def test_every_written_form_reads_back_the_same_day(day, pattern):
    text = pattern.format(y=day.year, m=day.month, d=day.day)
    assert parse_date(text) == day


@given(DAYS)
def test_an_excel_serial_reads_back_the_same_day(day):
    serial = (day - EXCEL_EPOCH).days
    assert parse_date(str(serial)) == day
    assert parse_date(clean_cell(float(serial))) == day


@given(DAYS)
def test_a_calamine_date_cell_reads_back_its_day(day):
    midnight = datetime.combine(day, datetime.min.time())
    assert parse_date(clean_cell(midnight)) == day
    assert parse_date(clean_cell(day)) == day


@given(st.text(max_size=20))
def test_any_text_gives_a_date_or_a_chinese_validation_error(text):
    try:
        result = parse_date(text)
    except ValidationError as exc:
        assert "日期" in exc.messages[0]
    else:
        assert isinstance(result, date)


@pytest.mark.parametrize("text", ["2022-02-30", "2022/13/1", "2022年0月1日", "60", "3000000"])
def test_impossible_dates_and_out_of_range_serials_are_refused(text):
    with pytest.raises(ValidationError):
        parse_date(text)


def test_full_width_digits_are_read_after_cleaning():
    assert parse_date(clean_cell("２０２２－０３－０５")) == date(2022, 3, 5)
    assert parse_date("2022-03-05") - parse_date("2022-03-04") == timedelta(days=1)
