"""The coverage chart of a report: for each chain, how many segments have each gap status."""

from __future__ import annotations

import io
import re
from collections import Counter
from functools import cache

from chaingraph.analysis.gaps import STATUSES, GapReport
from chaingraph.maps.chain_map import STATUS_COLOURS

__all__ = ["CJK_FONT_FAMILIES", "cjk_font", "coverage_counts", "coverage_png"]

# Fonts with Chinese glyphs, most preferred first (Linux, Windows, macOS).
CJK_FONT_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
)
_CJK_FILE = re.compile(r"(NotoSansCJK|NotoSerifCJK|SourceHanSans|wqy-|msyh|simhei|PingFang)", re.I)
ADJACENT_ROW = "相邻环节（延链）"


@cache
def cjk_font() -> str | None:
    """The family name of an installed font that has Chinese glyphs, or None.

    Looks in matplotlib's font list, then among system font files (a font installed
    after matplotlib built its cache is found there and added).
    """
    from matplotlib import font_manager

    def known() -> set[str]:
        return {f.name for f in font_manager.fontManager.ttflist}

    names = known()
    for family in CJK_FONT_FAMILIES:
        if family in names:
            return family
    for path in sorted(font_manager.findSystemFonts()):
        if _CJK_FILE.search(path):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    names = known()
    return next((f for f in CJK_FONT_FAMILIES if f in names), None)


def coverage_counts(report: GapReport) -> dict[str, Counter[str]]:
    """Chain name (and one row for adjacent 延链 segments) -> segments per status.

    Examples
    --------
    >>> from chaingraph.analysis.gaps import gaps
    >>> from chaingraph.testing import tiny_store
    >>> coverage_counts(gaps(tiny_store(), "base:yinping"))
    {'工业机器人': Counter({'数据不足': 4})}
    """
    names = {c.chain: c.name for c in report.chains}
    counts: dict[str, Counter[str]] = {name: Counter() for name in names.values()}
    for gap in report.segments:
        row = ADJACENT_ROW if gap.priority is None else names.get(gap.chain, gap.chain)
        counts.setdefault(row, Counter())[gap.status] += 1
    if ADJACENT_ROW in counts:  # adjacent segments last
        counts[ADJACENT_ROW] = counts.pop(ADJACENT_ROW)
    return counts


def coverage_png(report: GapReport, font: str) -> bytes:
    """A horizontal stacked bar chart (PNG) of :func:`coverage_counts`, labels in ``font``."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    counts = coverage_counts(report)
    rows = list(counts)[::-1]  # first chain on top
    # Names are data: never mathtext ("$\\foo{$" made the report fail), never so long
    # that the chart cannot lay out. Rows sit at positions, so two names cut to the
    # same label stay two bars.
    with rc_context(
        {
            "font.family": [font, "DejaVu Sans"],
            "axes.unicode_minus": False,
            "text.parse_math": False,
        }
    ):
        height = 1.5 + 0.55 * max(1, len(rows))
        fig = Figure(figsize=(8.5, height), dpi=110)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        left = [0] * len(rows)
        for status in STATUSES:
            values = [counts[r].get(status, 0) for r in rows]
            bars = ax.barh(
                range(len(rows)), values, left=left, color=STATUS_COLOURS[status], label=status
            )
            ax.bar_label(
                bars,
                labels=[str(v) if v else "" for v in values],
                label_type="center",
                color="white",
                fontsize=9,
            )
            left = [a + b for a, b in zip(left, values, strict=True)]
        ax.set_yticks(range(len(rows)), [_label(r, 24) for r in rows])
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("环节数")
        ax.set_title(f"{_label(report.subject_name, 40)} · 环节覆盖（按缺口状态）", loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        # The legend in its own strip under the axis label, never over it.
        fig.legend(
            *ax.get_legend_handles_labels(),
            ncols=len(STATUSES),
            loc="lower center",
            frameon=False,
        )
        fig.tight_layout(rect=(0, 0.4 / height, 1, 1))
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _label(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters for a chart label.

    >>> _label("东莞市松山湖高新技术产业开发区", 8)
    '东莞市松山湖高…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"
