"""The bulletin as DOCX laid out per GB/T 9704-2012 (domain.md §5), with python-docx.

A4; 天头 37 mm, 订口 28 mm, so bottom 35 mm and right 26 mm: 版心 156 × 225 mm; 22 lines
of 3号 (16 pt) 仿宋 at a fixed 28.95 pt; 发文机关标志 in red 小标宋 and the 发文字号 centred
above a red rule the width of the 版心; title 2号 (22 pt) 小标宋 centred; 主送 flush left;
body paragraphs indented 2 characters, headings 一、 in 黑体; 附件说明, 落款 and 成文日期
(2026年7月5日); page numbers "— 1 —" in 4号 (14 pt) 宋体, 7 mm below the 版心, odd pages
right and even pages left; the attachment (the score table) on a new page under "附件"
in 3号黑体. Fonts come from settings.BULLETIN_FONTS (role → substitution chain); the
first name of each chain is written as the East Asian font (w:eastAsia) on every style
and run, and the second as its `altName` in the font table, so Word falls back; the PDF
uses the whole chain as a CSS font stack.
Text typed in the browser is inserted as text runs: markup in it stays literal.
"""

from __future__ import annotations

import io

from django.conf import settings
from docx import Document as new_docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from xuanpei.assessment.bulletin_content import Document, document

# Role → substitution chain (domain.md §5): the first is written, the second is its altName.
DEFAULT_FONTS = {
    "title": ["方正小标宋简体", "华文中宋", "思源宋体", "Noto Serif CJK SC"],
    "body": ["仿宋_GB2312", "仿宋", "华文仿宋", "FandolFang", "Noto Serif CJK SC"],
    "heading": ["黑体", "SimHei", "Noto Sans CJK SC"],
    "kai": ["楷体_GB2312", "楷体", "华文楷体", "LXGW WenKai", "Noto Serif CJK SC"],
    "page": ["宋体", "SimSun", "Noto Serif CJK SC"],
}
LATIN = "Times New Roman"

PAGE_W, PAGE_H = 210, 297
TOP, LEFT, BOTTOM, RIGHT = 37, 28, 35, 26  # mm: 版心 156 × 225
TITLE_PT, BODY_PT, PAGE_NUMBER_PT, TABLE_PT = 22, 16, 14, 12
LINE_PT = 28.95  # 225 mm / 22 lines
RED = RGBColor(0xE6, 0x00, 0x12)


def fonts() -> dict[str, list[str]]:
    configured = getattr(settings, "BULLETIN_FONTS", None) or {}
    return {role: list(configured.get(role) or chain) for role, chain in DEFAULT_FONTS.items()}


def font(role: str) -> str:
    return fonts()[role][0]


def _set_rfonts(rpr, east_asia: str) -> None:
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:ascii"), LATIN)
    rfonts.set(qn("w:hAnsi"), LATIN)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), LATIN)


def style_run(run, role: str, size: float, *, bold=False, color: RGBColor | None = None):
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = LATIN
    _set_rfonts(run._element.get_or_add_rPr(), font(role))
    if color is not None:
        run.font.color.rgb = color
    return run


def _fixed_lines(paragraph, *, indent_chars: float = 0, align=None, size=BODY_PT) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PT if size <= BODY_PT else size * 1.3)
    fmt.space_before = fmt.space_after = Pt(0)
    if indent_chars:
        fmt.first_line_indent = Pt(size * indent_chars)
    if align is not None:
        paragraph.alignment = align


def add_text(
    doc, text: str, role="body", *, size=BODY_PT, indent=2, align=None, bold=False, color=None
):
    p = doc.add_paragraph()
    _fixed_lines(p, indent_chars=indent, align=align, size=size)
    if text:
        style_run(p.add_run(text), role, size, bold=bold, color=color)
    return p


def _blank(doc, n=1) -> None:
    for _ in range(n):
        add_text(doc, "", indent=0)


def _bottom_rule(paragraph, color="E60012", size=12) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", str(size)), ("space", "1"), ("color", color)):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    ppr.append(borders)


def _styles(doc) -> None:
    """East Asian fonts and sizes on every style of the template (w:eastAsia)."""
    for style in doc.styles:
        if getattr(style, "font", None) is None:
            continue
        rpr = style.element.get_or_add_rPr()
        _set_rfonts(rpr, font("body"))
        style.font.name = LATIN
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    # document defaults too (docDefaults/rPrDefault)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            _set_rfonts(rpr, font("body"))


def _font_table(doc) -> None:
    """Each chain's first substitute as `altName` in the font table (Word substitutes it)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    try:
        table_part = doc.part.part_related_by(RT.FONT_TABLE)
    except KeyError:
        return
    from lxml import etree

    root = etree.fromstring(table_part.blob)
    known = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for chain in fonts().values():
        if chain[0] in known:
            continue
        known.add(chain[0])
        el = etree.SubElement(root, qn("w:font"))
        el.set(qn("w:name"), chain[0])
        if len(chain) > 1:
            alt = etree.SubElement(el, qn("w:altName"))
            alt.set(qn("w:val"), chain[1])  # one name: what Word and LibreOffice read
        charset = etree.SubElement(el, qn("w:charset"))
        charset.set(qn("w:val"), "86")  # GB2312
    table_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_field(paragraph, role="page", size=PAGE_NUMBER_PT) -> None:
    style_run(paragraph.add_run("— "), role, size)
    run = style_run(paragraph.add_run(), role, size)
    for tag, attr in (("w:fldChar", "begin"), ("w:instrText", None), ("w:fldChar", "end")):
        el = OxmlElement(tag)
        if attr:
            el.set(qn("w:fldCharType"), attr)
        else:
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        run._r.append(el)
    style_run(paragraph.add_run(" —"), role, size)


def _page_numbers(doc, section) -> None:
    """Odd pages right (indented one character), even pages left (one character in)."""
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        p.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            p.paragraph_format.right_indent = Pt(PAGE_NUMBER_PT)
        else:
            p.paragraph_format.left_indent = Pt(PAGE_NUMBER_PT)
        _page_field(p)


def _layout(section) -> None:
    section.page_width, section.page_height = Mm(PAGE_W), Mm(PAGE_H)
    section.top_margin, section.bottom_margin = Mm(TOP), Mm(BOTTOM)
    section.left_margin, section.right_margin = Mm(LEFT), Mm(RIGHT)
    # The number's top sits 7 mm below the 版心 (a 4号 line is ≈ 5 mm high).
    section.footer_distance = Mm(BOTTOM - 7 - 5)
    section.header_distance = Mm(15)


# The score table's columns in mm (156 mm 版心): the unit's name gets the room it needs
# (住房和城乡建设局 on one line), the numbers what theirs need.
SCORE_COLUMNS_MM = (14, 34, 22, 22, 21, 21, 22)


def _column_widths(count: int):
    if count != len(SCORE_COLUMNS_MM):
        return None  # another table: Word's automatic widths
    return [Mm(w) for w in SCORE_COLUMNS_MM]


def _table(doc, table, *, size=TABLE_PT) -> None:
    grid = doc.add_table(rows=1 + len(table.rows), cols=len(table.header))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = OxmlElement("w:tblHeader")  # the header row repeats on each page
    header.set(qn("w:val"), "true")
    grid.rows[0]._tr.get_or_add_trPr().append(header)
    widths = _column_widths(len(table.header))
    if widths:  # the grid (LibreOffice, WPS) and each cell (Word) say the same
        grid.autofit = False
        for column, width in zip(grid.columns, widths, strict=True):
            column.width = width
    for r, values in enumerate([table.header, *table.rows]):
        for c, value in enumerate(values):
            cell = grid.cell(r, c)
            if widths:
                cell.width = widths[c]
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(2)
            style_run(p.add_run(value), "heading" if r == 0 else "body", size)


def _caption(doc, text: str) -> None:
    p = add_text(doc, text, "heading", size=TABLE_PT + 2, indent=0, align=WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.keep_with_next = True  # never alone at a page's foot


def build(content: Document):
    """The python-docx document of `content`."""
    b = content.bulletin
    doc = new_docx()
    _styles(doc)
    _font_table(doc)
    section = doc.sections[0]
    _layout(section)
    _page_numbers(doc, section)

    # 版头: 发文机关标志 (red 小标宋), 发文字号 centred, red rule the width of the 版心.
    add_text(
        doc,
        content.org_mark,
        "title",
        size=content.org_mark_pt,
        indent=0,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        color=RED,
    )
    _blank(doc)
    code = add_text(
        doc, content.doc_code or "（发文字号待定）", indent=0, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    _bottom_rule(code)
    _blank(doc, 2)
    # 主体: title, 主送, body.
    add_text(doc, b.title, "title", size=TITLE_PT, indent=0, align=WD_ALIGN_PARAGRAPH.CENTER)
    _blank(doc)
    add_text(doc, b.addressees, indent=0)
    if not content.ended:
        add_text(doc, "（本季度未结束，本通报为草稿。）", "kai")
    for heading, lines in content.sections:
        add_text(doc, heading, "heading")
        for line in lines:
            add_text(doc, line)
        if heading.startswith("二、"):
            for table in content.tables:
                _caption(doc, table.caption)
                _table(doc, table)
                if table.chart:
                    p = doc.add_paragraph()
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    p.add_run().add_picture(io.BytesIO(table.chart), width=Mm(150))
    _blank(doc)
    add_text(doc, f"附件：{content.attachment_title}")
    _blank(doc, 2)
    signer = add_text(doc, b.signer, indent=0, align=WD_ALIGN_PARAGRAPH.RIGHT)
    signer.paragraph_format.right_indent = Pt(BODY_PT * 4)
    dated = add_text(
        doc, content.date_text or "年　月　日", indent=0, align=WD_ALIGN_PARAGRAPH.RIGHT
    )
    dated.paragraph_format.right_indent = Pt(BODY_PT * 4)

    # 附件 on a new page.
    add_text(doc, "", indent=0).add_run().add_break(WD_BREAK.PAGE)
    add_text(doc, "附件", "heading", indent=0)
    _blank(doc)
    add_text(
        doc,
        content.attachment_title,
        "title",
        size=TITLE_PT,
        indent=0,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _blank(doc)
    for table in content.tables:
        _caption(doc, table.caption)
        _table(doc, table)
    if not content.tables:
        add_text(doc, "（本季度尚无考核得分）", indent=0, align=WD_ALIGN_PARAGRAPH.CENTER)
    return doc


def render(bulletin, *, charts: bool = True, content: Document | None = None) -> bytes:
    """The DOCX bytes; pass `content` to reuse one `document()` (charts drawn once)."""
    out = io.BytesIO()
    build(content or document(bulletin, charts=charts)).save(out)
    return out.getvalue()
