"""A static HTML report of one base that a consultant can zip and send: it opens offline.

Layout of the output folder::

    index.html      summary: chain completeness, coverage chart, links
    gaps.html       the gap table (every segment, the rule that fired) and 延链 inputs
    targets.html    the target table (firms to attract, score and reason)
    maps/*.html     one interactive map per focus chain (see chaingraph.maps)
    maps/*.png      the same maps as pictures (also inlined in index.html, so the
                    report reads without JavaScript)
    coverage.png    the coverage chart (also inlined in index.html)
    gaps.xlsx, targets.xlsx   the two tables for Excel
"""

from __future__ import annotations

import base64
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from chaingraph.optional import missing

try:
    import jinja2
except ImportError as exc:  # pragma: no cover - only without the [maps] extra
    raise missing("jinja2") from exc
if importlib.util.find_spec("matplotlib") is None:  # pragma: no cover - imported when charting
    raise missing("matplotlib")

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.gaps import STATUSES, GapReport, gaps
from chaingraph.analysis.targets import Target, targets
from chaingraph.errors import ConfigError
from chaingraph.exports import export_gaps, export_targets, gap_rows, target_rows
from chaingraph.fs import atomic_write_bytes
from chaingraph.maps.chain_map import STATUS_COLOURS, STATUS_MEANINGS, chain_map, chain_subreport
from chaingraph.maps.html import file_stem, write_map
from chaingraph.maps.render import render_pictures
from chaingraph.reports.chart import cjk_font, coverage_counts, coverage_png
from chaingraph.store.base import GraphStore

__all__ = ["ReportFiles", "build_report"]


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`build_report` wrote: the folder, its index page, every file, and notes."""

    directory: Path
    index: Path
    files: tuple[Path, ...]
    maps: tuple[Path, ...]
    notes: tuple[str, ...]
    report: GapReport | None = None


def build_report(
    store: GraphStore,
    base: str | None,
    directory: Path,
    *,
    region: str | None = None,
    top: int = 5,
    companies: str = "none",
    config: AnalysisConfig | None = None,
    pictures: bool = True,
    home: str | None = None,
) -> ReportFiles:
    """Write the report of a base (or region) into ``directory`` (created if needed).

    Every page is self-contained (styles and the chart inlined, maps with their
    scripts inlined) and links to the others by relative paths, so the folder works
    zipped, mailed and opened from disk with no network.

    Parameters
    ----------
    pictures
        Also draw each map as a PNG (in headless Chromium, see
        :mod:`chaingraph.maps.render`) and show it on the index page. Without
        Playwright or Chromium the report is still written, with a note saying so.
    home
        A relative link back to a site's index (see :func:`build_site`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from chaingraph.testing import tiny_store
    >>> out = build_report(tiny_store(), "base:yinping", pathlib.Path(tempfile.mkdtemp()),
    ...                    pictures=False)
    >>> sorted(p.relative_to(out.directory).as_posix() for p in out.files)  # doctest: +NORMALIZE_WHITESPACE
    ['coverage.png', 'gaps.html', 'gaps.xlsx', 'index.html', 'maps/robot.html',
     'targets.html', 'targets.xlsx']
    """
    directory = Path(directory)
    config = config or AnalysisConfig()
    report = gaps(store, base, region=region, config=config)
    found = targets(store, top=top, config=config, report=report)
    notes = list(report.notes)
    written: list[Path] = []

    maps: list[dict[str, str | int | None]] = []
    map_paths: list[Path] = []
    drawn = []
    for summary in report.chains:
        part = chain_subreport(store, report, summary.chain)
        picture = chain_map(
            store, report=part, found_targets=found, companies=companies, config=config
        )
        path = write_map(picture, directory / "maps" / f"{file_stem(summary.chain)}.html")
        maps.append(
            {
                "name": summary.name,
                "href": f"maps/{path.name}",
                "segments": sum(1 for n in picture.nodes if n.kind == "segment"),
                "png": None,
            }
        )
        drawn.append((picture, {"png": path.with_suffix(".png")}))
        map_paths.append(path)
        written.append(path)
    if pictures and drawn:
        try:
            made = render_pictures(drawn)
        except ConfigError as exc:
            notes.append(f"未生成地图图片：{exc}")
        else:
            for entry, shot in zip(maps, made, strict=True):
                written.append(shot.path)
                entry["png"] = "data:image/png;base64," + base64.b64encode(
                    shot.path.read_bytes()
                ).decode("ascii")
                entry["png_href"] = f"maps/{shot.path.name}"

    chart_uri = None
    font = cjk_font()
    if font is None:
        notes.append("未找到中文字体，未生成覆盖图（安装 fonts-noto-cjk 后重新生成）")
    else:
        png = coverage_png(report, font)
        written.append(atomic_write_bytes(directory / "coverage.png", png))
        chart_uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")

    written.append(export_gaps(report, directory / "gaps.xlsx", store))
    written.append(export_targets(found, directory / "targets.xlsx"))

    counts = coverage_counts(report)
    context = {
        "report": report,
        "notes": notes,
        "statuses": [(s, STATUS_COLOURS[s], STATUS_MEANINGS[s]) for s in STATUSES],
        "colours": STATUS_COLOURS,
        "maps": maps,
        "chart_uri": chart_uri,
        "coverage": [
            (row, [c.get(s, 0) for s in STATUSES], sum(c.values())) for row, c in counts.items()
        ],
        "gap_rows": gap_rows(report, store),
        "target_rows": target_rows(found),
        "targets_by_status": _by_status(found),
        "top": top,
        "home": home,
    }
    for page in ("index.html", "gaps.html", "targets.html"):
        html = _environment().get_template(page).render(page=page, **context)
        written.append(atomic_write_bytes(directory / page, html.encode("utf-8")))
    return ReportFiles(
        directory=directory,
        index=directory / "index.html",
        files=tuple(written),
        maps=tuple(map_paths),
        notes=tuple(notes),
        report=report,
    )


def _by_status(found: Sequence[Target]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for t in found:
        counts[t.status] += 1
    return counts


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("chaingraph.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["join_names"] = lambda items: "、".join(str(i) for i in items)
    return env
