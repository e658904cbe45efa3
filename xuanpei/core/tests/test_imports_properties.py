"""Property tests: header variants, cell cleaning and USCC normalisation."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from xuanpei.core.imports.headers import find_header, normalize_header
from xuanpei.core.imports.values import clean_cell, neutralise
from xuanpei.core.validators import USCC_CHARSET, normalize_code, uscc_check_char
from xuanpei.orgs.importers import COLUMNS, parse_risk, parse_uscc

HEADERS = [c.header for c in COLUMNS]
SPACES = st.text(alphabet=" \u3000\t\u00a0", max_size=3)


def full_width(text: str, mask: list[bool]) -> str:
    """Turn ASCII characters into their full-width forms where `mask` says so."""
    out = []
    for ch, flag in zip(text, mask + [False] * len(text), strict=False):
        out.append(chr(ord(ch) + 0xFEE0) if flag and "!" <= ch <= "~" else ch)
    return "".join(out)


@given(
    header=st.sampled_from(HEADERS + [a for c in COLUMNS for a in c.aliases]),
    before=SPACES,
    after=SPACES,
    inner=SPACES,
    mask=st.lists(st.booleans(), max_size=20),
    star=st.sampled_from(["", "*", "＊"]),
)
def test_any_spacing_or_full_width_variant_of_a_header_maps_to_its_column(
    header, before, after, inner, mask, star
):
    middle = len(header) // 2
    variant = before + full_width(header[:middle] + inner + header[middle:], mask) + star + after
    expected = next(c.key for c in COLUMNS if header in (c.header, *c.aliases))
    assert normalize_header(variant) == normalize_header(header)
    others = [c.header for c in COLUMNS if c.required and c.key != expected]
    mapped = find_header([(1, [*others, variant])], COLUMNS)
    assert mapped.positions[expected] == len(others)


@given(st.text(max_size=40))
def test_normalize_header_is_idempotent(text):
    assert normalize_header(normalize_header(text)) == normalize_header(text)


@given(
    st.text(max_size=40).filter(
        lambda s: not unicodedata.normalize("NFKC", s).strip().startswith("=")
    )
)
def test_clean_cell_is_idempotent_on_non_formulas(text):
    once = clean_cell(text)
    if not once.startswith("="):
        assert clean_cell(once) == once


@given(st.text(max_size=40))
def test_an_exported_cell_imports_back_to_the_same_text(text):
    value = unicodedata.normalize("NFKC", text).strip()
    assert clean_cell(neutralise(value)) == value


@given(st.text(max_size=30))
def test_uscc_normalisation_is_idempotent(text):
    assert normalize_code(normalize_code(text)) == normalize_code(text)


@given(
    body=st.text(alphabet=USCC_CHARSET, min_size=10, max_size=10),
    mask=st.lists(st.booleans(), max_size=18),
    lower=st.booleans(),
    spaces=SPACES,
)
def test_a_valid_uscc_parses_whatever_its_width_case_or_spacing(body, mask, lower, spaces):
    code = "91610100" + body[:9]
    code += uscc_check_char(code)
    typed = full_width(code.lower() if lower else code, mask)
    typed = spaces + typed[:9] + spaces + typed[9:] + spaces
    assert parse_uscc(typed) == code
    assert parse_uscc(parse_uscc(typed)) == code


@given(
    core=st.sampled_from([("重大", "major"), ("较大", "high"), ("一般", "general"), ("低", "low")]),
    suffix=st.sampled_from(["", "风险"]),
    colour=st.sampled_from(["", "（红）", "(红)", "（橙）", "（黄）", "（蓝）"]),
)
def test_risk_labels_parse_with_or_without_risk_word_and_colour(core, suffix, colour):
    label, value = core
    assert parse_risk(label + suffix + colour) == value


# The clear marker (issue #8) ------------------------------------------------------------


@given(
    opening=st.sampled_from(["（", "("]),
    closing=st.sampled_from(["）", ")"]),
    spaces=st.lists(SPACES, min_size=4, max_size=4),
)
def test_the_clear_marker_is_recognised_in_either_width_and_any_spacing(opening, closing, spaces):
    from xuanpei.core.imports.changes import is_clear_marker

    a, b, c, d = spaces
    assert is_clear_marker(f"{a}{opening}{b}清{c}空{d}{closing}")


@given(st.text(max_size=8))
def test_only_the_clear_marker_clears(text):
    from xuanpei.core.imports.changes import is_clear_marker

    # Anything that is not （清空） once widths and spaces are ignored keeps its meaning:
    # 清空 without brackets, （清空吗）, or an ordinary value.
    squeezed = "".join(unicodedata.normalize("NFKC", text).split())
    assert is_clear_marker(text) == (squeezed == "(清空)")
    assert not is_clear_marker(text + "x")
    assert not is_clear_marker("清空")
