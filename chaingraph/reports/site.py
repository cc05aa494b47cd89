"""The reports of every base as one small offline site: an index of the bases, each
linking to its own report (see :func:`~chaingraph.reports.build.build_report`).

Layout of the output folder::

    index.html          the bases: completeness per chain, segments per gap status
    <base>/index.html   each base's report (maps, pictures, gap and target tables)

Every link is relative and no page loads anything from the network, so the folder
works zipped, mailed and opened from disk.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.gaps import STATUSES
from chaingraph.fs import atomic_write_bytes
from chaingraph.maps.chain_map import STATUS_COLOURS, STATUS_MEANINGS
from chaingraph.maps.html import file_stem
from chaingraph.reports.build import ReportFiles, _environment, build_report
from chaingraph.store.base import GraphStore

__all__ = ["SiteFiles", "build_site"]


@dataclass(frozen=True)
class SiteFiles:
    """What :func:`build_site` wrote: the folder, its index, and each base's report."""

    directory: Path
    index: Path
    reports: tuple[ReportFiles, ...]
    files: tuple[Path, ...]
    notes: tuple[str, ...]


def build_site(
    store: GraphStore,
    directory: Path,
    *,
    top: int = 5,
    companies: str = "none",
    config: AnalysisConfig | None = None,
    pictures: bool = True,
) -> SiteFiles:
    """Write a report for every base in the store, and an index page linking them.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from chaingraph.testing import tiny_store
    >>> site = build_site(tiny_store(), pathlib.Path(tempfile.mkdtemp()), pictures=False)
    >>> [p.relative_to(site.directory).as_posix() for p in site.files if p.suffix == ".html"][-1]
    'index.html'
    >>> site.reports[0].index.relative_to(site.directory).as_posix()
    'yinping/index.html'
    """
    directory = Path(directory)
    config = config or AnalysisConfig()
    built: list[ReportFiles] = []
    rows = []
    notes: list[str] = []
    for base in store.nodes("Base"):
        stem = file_stem(base.id)
        out = build_report(
            store,
            base.id,
            directory / stem,
            top=top,
            companies=companies,
            config=config,
            pictures=pictures,
            home="../index.html",
        )
        built.append(out)
        notes += [f"{base.name}: {n}" for n in out.notes if n.startswith("未生成")]
        report = out.report
        assert report is not None
        counts = Counter(g.status for g in report.segments)
        rows.append(
            {
                "name": base.name,
                "href": f"{stem}/index.html",
                "chains": [
                    (
                        c.name,
                        c.completeness,
                        c.present,
                        c.segments,
                        f"{stem}/maps/{file_stem(c.chain)}.html",
                    )
                    for c in report.chains
                ],
                "counts": [counts.get(s, 0) for s in STATUSES],
                "total": len(report.segments),
            }
        )
    html = (
        _environment()
        .get_template("site.html")
        .render(
            rows=rows,
            statuses=[(s, STATUS_COLOURS[s], STATUS_MEANINGS[s]) for s in STATUSES],
            notes=list(dict.fromkeys(notes)),
        )
    )
    index = atomic_write_bytes(directory / "index.html", html.encode("utf-8"))
    files = [p for r in built for p in r.files] + [index]
    return SiteFiles(directory, index, tuple(built), tuple(files), tuple(dict.fromkeys(notes)))
