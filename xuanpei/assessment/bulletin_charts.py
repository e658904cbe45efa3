"""Charts of the bulletin (matplotlib, PNG): a bar of scores per unit with Chinese labels.

matplotlib caches its font list, so the CJK font file is registered explicitly with
`font_manager.fontManager.addfont` (platform-notes.md); the file is the first of
settings.BULLETIN_CHART_FONT_FILES that exists (Noto Sans CJK SC from fonts-noto-cjk
by default), and its family goes first in `font.sans-serif`.
"""

from __future__ import annotations

import functools
import io
from decimal import Decimal
from pathlib import Path

from django.conf import settings

MAX_COLUMNS = 12  # more units than this: horizontal bars
ROW_INCHES = 0.24  # a horizontal bar's row
MAX_INCHES = 9.0  # the tallest chart (the 版心 is 22.5 cm high)

DEFAULT_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


@functools.cache
def _font_family() -> str | None:
    from matplotlib import font_manager

    for path in getattr(settings, "BULLETIN_CHART_FONT_FILES", DEFAULT_FONT_FILES):
        if Path(path).exists():
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(fname=path).get_name()
    return None


def bar_chart(title: str, labels: list[str], values: list[Decimal]) -> bytes:
    """A PNG bar chart (150 dpi, 16 cm wide) of `values` per label, values on the bars:
    columns for a few units, horizontal bars (taller figure) for many."""
    import matplotlib

    matplotlib.use("Agg")

    family = _font_family()
    rc = {"axes.unicode_minus": False}
    if family:
        rc["font.sans-serif"] = [family, "DejaVu Sans"]
        rc["font.family"] = "sans-serif"
    with matplotlib.rc_context(rc):
        numbers = [float(v) for v in values]
        if len(labels) > MAX_COLUMNS:
            fig = _horizontal(labels, numbers)
        else:
            fig = _columns(labels, numbers)
        fig.axes[0].set_title(title, fontsize=10)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
    return out.getvalue()


def _columns(labels: list[str], numbers: list[float]):
    """Up to MAX_COLUMNS units: a column each, names under the columns."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.3, 3.15), dpi=150)
    ax = fig.add_subplot()
    bars = ax.bar(range(len(labels)), numbers, color="#c0392b", width=0.6)
    ax.set_xticks(
        range(len(labels)),
        labels,
        rotation=30 if len(labels) > 6 else 0,
        ha="right" if len(labels) > 6 else "center",
        fontsize=8,
    )
    if len(labels) < 4:  # a lone bar stays bar-shaped
        pad = (4 - len(labels)) / 2
        ax.set_xlim(-0.5 - pad, len(labels) - 0.5 + pad)
    ax.set_ylabel("得分", fontsize=9)
    ax.set_ylim(0, max([100.0, *numbers]) * 1.1)
    ax.bar_label(bars, labels=[f"{n:.2f}" for n in numbers], fontsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _horizontal(labels: list[str], numbers: list[float]):
    """More units (25 镇街): a bar per row, the first at the top, names readable at the
    left and each score at its bar's end — columns this many would overlap."""
    from matplotlib.figure import Figure

    height = min(ROW_INCHES * len(labels) + 0.9, MAX_INCHES)
    fig = Figure(figsize=(6.3, height), dpi=150)
    ax = fig.add_subplot()
    rows = range(len(labels))
    bars = ax.barh(rows, numbers, color="#c0392b", height=0.6)
    ax.set_yticks(rows, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("得分", fontsize=9)
    ax.set_xlim(0, max([100.0, *numbers]) * 1.12)
    ax.bar_label(bars, labels=[f"{n:.2f}" for n in numbers], fontsize=7, padding=2)
    ax.spines[["top", "right"]].set_visible(False)
    return fig
