"""The bulletin as PDF: the same content as the DOCX (`bulletin_content.document`),
rendered as HTML with print CSS (A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm, 3号仿宋
body, 2号小标宋 title, page numbers "— 1 —" through @page counters, odd right and even
left) by WeasyPrint. The CSS font stacks are the substitution chains of
settings.BULLETIN_FONTS, ending in the Noto CJK fonts the server has, so the PDF shows
Chinese. Charts are inline data: URIs; every other URL is refused, so text typed in
the browser (escaped by the template anyway) cannot make the renderer fetch anything.
"""

from __future__ import annotations

import base64

from django.template.loader import render_to_string

from xuanpei.assessment.bulletin_content import Document, document
from xuanpei.assessment.bulletin_docx import fonts

FALLBACK = {"title": "Noto Serif CJK SC", "heading": "Noto Sans CJK SC"}


def font_stacks() -> dict[str, str]:
    stacks = {}
    for role, chain in fonts().items():
        names = [*chain, FALLBACK.get(role, "Noto Serif CJK SC"), "Noto Sans CJK SC"]
        stacks[role] = ", ".join(f'"{n}"' for n in dict.fromkeys(names)) + ", serif"
    return stacks


def context(content: Document) -> dict:
    return {
        "doc": content,
        "b": content.bulletin,
        "fonts": font_stacks(),
        "charts": [
            base64.b64encode(t.chart).decode("ascii") if t.chart else "" for t in content.tables
        ],
    }


def render_html(content: Document) -> str:
    return render_to_string("assessment/bulletin_document.html", context(content))


def _fetcher():
    """Only inline data: URLs (the charts); http, file and the rest are refused."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def render(bulletin, *, content: Document | None = None) -> bytes:
    """The PDF bytes; pass `content` to reuse one `document()` (charts drawn once)."""
    from weasyprint import HTML

    html = render_html(content or document(bulletin))
    return HTML(string=html, url_fetcher=_fetcher()).write_pdf()
