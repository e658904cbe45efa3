"""The one rule for a quarter written as text (issue #13): "2026Q2" → (2026, 2).

A four-digit year within `YEARS` (dates stay computable around it), then Q or q, then
the quarter 1–4; spaces around the parts are allowed. Everything else is refused with
one Chinese message (`QuarterError`), which the form fields and the dashboards' `?period=`
wrap into the exception type they need.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

YEARS = (2000, 2100)  # the years a quarter may name, both included
QUARTER_RE = re.compile(r"^\s*(\d{4})\s*[Qq]\s*([1-4])\s*$")
MAX_ECHO = 20  # how much of a refused text the message repeats


class QuarterError(ValueError):
    """A text that is not a quarter; the message is Chinese and shown to the user."""


def format_quarter(year: int, quarter: int) -> str:
    """(2026, 2) → "2026Q2": what `parse_quarter` reads back."""
    return f"{year}Q{quarter}"


def parse_quarter(text: str | None) -> tuple[int, int]:
    """ "2026Q2" → (2026, 2); QuarterError (naming the expected form) otherwise."""
    match = QUARTER_RE.match(text or "")
    if not match or not YEARS[0] <= int(match.group(1)) <= YEARS[1]:
        raise QuarterError(
            _("季度“%(raw)s”格式不正确，应写成“年份Q季度”，例如 2026Q2（年份 %(lo)s–%(hi)s）")
            % {"raw": (text or "")[:MAX_ECHO], "lo": YEARS[0], "hi": YEARS[1]}
        )
    return int(match.group(1)), int(match.group(2))
