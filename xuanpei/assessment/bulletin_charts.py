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
    """A PNG bar chart (150 dpi, 16 × 8 cm) of `values` per label, values on the bars."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    family = _font_family()
    rc = {"axes.unicode_minus": False}
    if family:
        rc["font.sans-serif"] = [family, "DejaVu Sans"]
        rc["font.family"] = "sans-serif"
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(6.3, 3.15), dpi=150)
        ax = fig.add_subplot()
        numbers = [float(v) for v in values]
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
        ax.set_title(title, fontsize=10)
        ax.set_ylim(0, max([100.0, *numbers]) * 1.1)
        ax.bar_label(bars, labels=[f"{n:.2f}" for n in numbers], fontsize=7)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
    return out.getvalue()
