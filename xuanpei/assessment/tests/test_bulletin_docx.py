"""The bulletin's DOCX read back with python-docx against GB/T 9704-2012 (domain.md §5),
and its PDF rendered to PNG pages (issue #13 done-when)."""

import io
import re
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from tests.personas import build_district
from xuanpei.assessment import bulletin_docx, bulletin_pdf
from xuanpei.assessment import services_bulletins as services
from xuanpei.assessment.factories import QuarterRunFactory, UnitScoreFactory
from xuanpei.assessment.models import AssessedKind

pytestmark = pytest.mark.django_db

# domain.md §5
DOC_CODE_RULE = re.compile(r"^\S+〔\d{4}〕[1-9]\d*号$")
MM = 36000  # EMU per millimetre
SCRIPT = "<script>alert('x')</script>加强<b>督导</b>"


@pytest.fixture
def issued(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    d = build_district()
    run = QuarterRunFactory(unit=d.root, year=2026, quarter=2)
    cert = {
        "code": "cert",
        "name": "三项岗位持证率",
        "weight": "10",
        "value": "0.8",
        "score": "8",
        "detail": "持证率80%",
        "records_url": "",
    }
    UnitScoreFactory(run=run, unit=d.town_a_unit, total=Decimal("92.5"), rank=1, items=[cert])
    UnitScoreFactory(run=run, unit=d.town_b_unit, total=Decimal("85"), rank=2)
    UnitScoreFactory(
        run=run, unit=d.dept_unit, assessed_kind=AssessedKind.DEPARTMENT, total=88, rank=1
    )
    bulletin = services.draft_bulletin(year=2026, quarter=2, actor=d.district)
    bulletin = services.update_bulletin(
        bulletin, actor=d.district, next_steps=SCRIPT, doc_code="测安委办〔2026〕7号"
    )
    return services.issue_bulletin(
        bulletin, actor=d.district, doc_code="测安委办〔2026〕7号", today=date(2026, 7, 5)
    )


def read_docx(bulletin):
    with bulletin.docx.open("rb") as fh:
        return Document(io.BytesIO(fh.read()))


def paragraph(doc, text):
    found = [p for p in doc.paragraphs if p.text == text]
    assert found, text
    return found[0]


def east_asia(run):
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def test_page_is_a4_with_the_standard_margins(issued):
    section = read_docx(issued).sections[0]
    assert round(section.page_width / MM) == 210 and round(section.page_height / MM) == 297
    assert round(section.top_margin / MM) == 37  # 天头 37 ± 1 mm
    assert round(section.left_margin / MM) == 28  # 订口 28 ± 1 mm
    # 版心 156 × 225 mm
    width = section.page_width - section.left_margin - section.right_margin
    height = section.page_height - section.top_margin - section.bottom_margin
    assert round(width / MM) == 156 and round(height / MM) == 225


def test_title_is_2hao_xiaobiaosong_centred(issued):
    doc = read_docx(issued)
    title = paragraph(doc, "关于2026年第二季度全区应急管理宣传教育培训工作情况的通报")
    assert title.alignment == 1  # centre
    for run in title.runs:
        assert run.font.size == Pt(22)
        assert east_asia(run) == "方正小标宋简体"


def test_body_is_3hao_fangsong_with_east_asian_fonts_everywhere(issued):
    doc = read_docx(issued)
    body = [p for p in doc.paragraphs if p.text.startswith("2026年第二季度，全区共开展")]
    assert body
    for run in body[0].runs:
        assert run.font.size == Pt(16)
        assert east_asia(run) == "仿宋_GB2312"
    assert body[0].paragraph_format.first_line_indent == Pt(32)  # 2 characters
    heading = paragraph(doc, "一、总体情况")
    assert east_asia(heading.runs[0]) == "黑体"
    # Every run of the body, the tables and the footers names its East Asian font.
    runs = doc.element.body.iter(qn("w:r"))
    footers = [s.footer for s in doc.sections] + [s.even_page_footer for s in doc.sections]
    all_runs = list(runs) + [r for f in footers for r in f._element.iter(qn("w:r"))]
    for r in all_runs:
        if r.find(qn("w:t")) is None:
            continue
        assert r.rPr.rFonts.get(qn("w:eastAsia")), r.xml[:200]
    # …and every style with fonts.
    for style in doc.styles:
        rpr = style.element.rPr
        if rpr is not None and rpr.rFonts is not None:
            assert rpr.rFonts.get(qn("w:eastAsia"))


def test_doc_code_date_and_attachment(issued):
    doc = read_docx(issued)
    code = paragraph(doc, "测安委办〔2026〕7号")
    assert DOC_CODE_RULE.match(code.text) and code.alignment == 1
    texts = [p.text for p in doc.paragraphs]
    assert "2026年7月5日" in texts  # 成文日期: Arabic numerals, no leading zeros
    assert texts.index("各新城、镇街安委办，区安委会各成员单位：") > texts.index(
        "关于2026年第二季度全区应急管理宣传教育培训工作情况的通报"
    )
    # The attachment starts a new page with the 附件 label in 黑体.
    label = texts.index("附件")
    breaks = [
        i
        for i, p in enumerate(doc.paragraphs)
        if any(b.get(qn("w:type")) == "page" for b in p._p.iter(qn("w:br")))
    ]
    assert breaks and breaks[-1] < label
    assert east_asia(doc.paragraphs[label].runs[0]) == "黑体"
    # The score table is there twice (二、 and the attachment), naming the units.
    assert len(doc.tables) >= 4
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert {"东新城", "西新城", "教育局", "92.50"} <= cells
    assert len(doc.inline_shapes) == 2  # one chart per unit type


def test_page_numbers_dash_4hao_songti_odd_right_even_left(issued):
    doc = read_docx(issued)
    assert doc.settings.odd_and_even_pages_header_footer
    section = doc.sections[0]
    for footer, align in ((section.footer, 2), (section.even_page_footer, 0)):
        p = footer.paragraphs[0]
        assert p.alignment == align
        assert p.text.replace(" ", "") == "——"  # the PAGE field sits between the dashes
        assert "PAGE" in p._p.xml
        for run in p.runs:
            assert run.font.size == Pt(14)
            assert east_asia(run) == "宋体"


def test_markup_typed_in_the_browser_stays_text(issued):
    doc = read_docx(issued)
    assert SCRIPT in [p.text for p in doc.paragraphs]


def test_fonts_are_configurable(issued, settings):
    settings.BULLETIN_FONTS = {"body": ["仿宋", "Noto Serif CJK SC"], "title": ["华文中宋"]}
    doc = Document(io.BytesIO(bulletin_docx.render(issued, charts=False)))
    title = paragraph(doc, issued.title)
    assert east_asia(title.runs[0]) == "华文中宋"
    body = paragraph(doc, "一、总体情况").runs[0]
    assert east_asia(body) == "黑体"  # not configured: the default chain
    assert east_asia(paragraph(doc, SCRIPT).runs[0]) == "仿宋"
    table = doc.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"
    )
    assert '<w:altName w:val="Noto Serif CJK SC"/>' in table.blob.decode()  # the substitute


def test_pdf_pages_render_and_show_chinese(issued, tmp_path):
    pdf = tmp_path / "b.pdf"
    with issued.pdf.open("rb") as fh:
        pdf.write_bytes(fh.read())
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2 and all(p.stat().st_size > 1000 for p in pages)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    squeezed = re.sub(r"\s+", "", text)
    assert "全区应急管理宣传教育培训工作情况的通报" in squeezed
    assert "测安委办〔2026〕7号" in squeezed and "—1—" in squeezed
    assert "<script>alert('x')</script>" in squeezed  # printed as text, not run
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True)
    assert "CJK" in fonts.stdout  # the Chinese glyphs come from an embedded CJK font


def test_pdf_refuses_to_fetch_urls(issued):
    from weasyprint import HTML

    html = '<img src="http://127.0.0.1:9/x.png"><img src="file:///etc/passwd">'
    HTML(string=html, url_fetcher=bulletin_pdf._fetcher()).write_pdf()  # no fetch, no error
    with pytest.raises(ValueError):
        bulletin_pdf._fetcher().fetch("file:///etc/passwd")


def test_score_tables_give_the_unit_name_its_room(issued):
    """住房和城乡建设局 on one line: the 单位 column is the widest of the 156 mm."""
    from docx.shared import Mm

    doc = Document(io.BytesIO(bulletin_docx.render(issued, charts=False)))
    table = doc.tables[0]
    widths = [c.width for c in table.columns]
    assert abs(widths[1] - Mm(34)) < Mm(0.5) and widths[1] == max(widths)
    assert abs(sum(widths) - Mm(156)) < Mm(1)  # the 版心 (GB/T 9704 §5.2.2)


def test_many_units_get_horizontal_bars_few_get_columns():
    """25 镇街 as columns overlapped their names; as rows each name is readable."""
    from PIL import Image

    from xuanpei.assessment.bulletin_charts import bar_chart

    def size(n):
        png = bar_chart(
            "得分", [f"第{i}街道" for i in range(n)], [Decimal(60 + i) for i in range(n)]
        )
        return Image.open(io.BytesIO(png)).size

    wide, high = size(25)
    assert high > wide  # one row per unit: taller than wide
    wide, high = size(5)
    assert high < wide
