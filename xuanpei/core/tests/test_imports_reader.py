"""The file reader, header mapping and cell cleaning of the import machinery."""

import pytest
from django.core.exceptions import ValidationError

from xuanpei.core.imports import Column, ImportFileError
from xuanpei.core.imports.headers import find_header, normalize_header
from xuanpei.core.imports.reader import read_table
from xuanpei.core.imports.testing import csv_bytes, xlsx_bytes
from xuanpei.core.imports.values import clean_cell, neutralise, split_names

COLUMNS = (
    Column("name", "企业名称", required=True),
    Column("uscc", "统一社会信用代码", aliases=("信用代码", "社会信用代码"), required=True),
    Column("phone", "联系电话"),
)


def rows_of(data, filename):
    return list(read_table(data, filename=filename).rows)


def test_xlsx_rows_carry_excel_row_numbers_below_title_rows():
    data = xlsx_bytes([["企业名称", "联系电话"], ["甲", 13800000000]], title_rows=[["名单"], []])
    rows = rows_of(data, "a.xlsx")
    assert rows[2] == (3, ["企业名称", "联系电话"])
    assert rows[3][0] == 4
    assert clean_cell(rows[3][1][1]) == "13800000000"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_is_read_in_utf8_with_or_without_bom_and_in_gbk(encoding):
    data = csv_bytes([["企业名称", "属地"], ["西安某某有限公司", "东新城"]], encoding=encoding)
    assert rows_of(data, "a.csv") == [
        (1, ["企业名称", "属地"]),
        (2, ["西安某某有限公司", "东新城"]),
    ]


def test_csv_row_numbers_count_records_not_lines():
    data = b'a,b\n"two\nlines",x\nlast,y\n'
    assert [n for n, _ in rows_of(data, "a.csv")] == [1, 2, 3]


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("a.pdf", b"%PDF-1.4", "不支持的文件类型"),
        ("noext", b"x", "不支持的文件类型"),
        ("a.xlsx", b"", "文件是空的"),
        ("a.csv", b"", "文件是空的"),
        ("a.csv", b"  \n\n", "文件是空的"),
        ("a.xlsx", b"just text, not a workbook", "不是有效的 Excel 文件"),
        ("a.xlsx", b"PK\x03\x04broken zip", "无法读取 Excel 文件"),
        ("a.csv", b"PK\x03\x04\x00\x00", "不是 CSV 文本"),
    ],
)
def test_unreadable_files_get_a_chinese_message(filename, data, message):
    with pytest.raises(ImportFileError) as exc:
        rows_of(data, filename)
    assert message in exc.value.message


def test_files_over_the_size_limit_are_rejected(settings):
    settings.IMPORT_MAX_BYTES = 10
    with pytest.raises(ImportFileError) as exc:
        rows_of(b"a,b\n1,2\n3,4\n", "a.csv")
    assert "超过了" in exc.value.message


def test_a_real_formula_in_xlsx_is_seen_as_a_formula():
    data = xlsx_bytes([["企业名称"], ['=HYPERLINK("http://x","点我")']])
    (_, header), (_, cells) = rows_of(data, "a.xlsx")
    assert cells[0].startswith("=HYPERLINK")
    with pytest.raises(ValidationError):
        clean_cell(cells[0])


def test_header_row_is_found_below_titles_with_spaces_full_width_and_aliases():
    rows = [(1, ["2024年 企业名单"]), (2, []), (3, [" 企业 名称 ", "社会信用代码＊", "ＸＸ"])]
    header = find_header(rows, COLUMNS)
    assert header.row_number == 3
    assert header.positions == {"name": 0, "uscc": 1}


def test_missing_required_header_is_named():
    with pytest.raises(ImportFileError) as exc:
        find_header([(1, ["企业名称", "联系电话"])], COLUMNS)
    assert "统一社会信用代码" in exc.value.message


def test_no_header_at_all_is_reported():
    with pytest.raises(ImportFileError) as exc:
        find_header([(1, ["a", "b"])], COLUMNS)
    assert "未找到表头" in exc.value.message


def test_the_same_column_twice_is_reported():
    with pytest.raises(ImportFileError) as exc:
        find_header([(1, ["企业名称", "信用代码", "统一社会信用代码"])], COLUMNS)
    assert "重复" in exc.value.message


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("  ＡＢＣ１２３ ", "ABC123"),
        (13800000000.0, "13800000000"),
        (1.5, "1.5"),
        (None, ""),
        ("'=SUM(A1)", "=SUM(A1)"),
        ("'-5", "-5"),
        ("'plain", "'plain"),
        ("-", "-"),
    ],
)
def test_cells_are_normalised_and_export_quotes_removed(raw, text):
    assert clean_cell(raw) == text


def test_a_cell_starting_with_equals_is_rejected():
    with pytest.raises(ValidationError) as exc:
        clean_cell('=HYPERLINK("http://evil","x")')
    assert "公式" in exc.value.messages[0]


def test_neutralise_prefixes_formula_characters_only():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("+86 138") == "'+86 138"
    assert neutralise("@x") == "'@x"
    assert neutralise("-") == "'-"
    assert neutralise("普通") == "普通"


def test_names_split_on_chinese_and_western_separators():
    assert split_names("教育局、住建局，应急局;教育局；  ") == ["教育局", "住建局", "应急局"]


def test_normalize_header_drops_required_marks_and_notes():
    assert normalize_header("＊企业名称（必填）") == normalize_header("企业名称")
