"""Reports: static, offline HTML reports of a base (index, maps, gap and target tables,
coverage chart; needs the ``maps`` extra) and the text reports the commands print
(:mod:`chaingraph.reports.text`, base install).

The HTML names are imported on first use (PEP 562), so that the text reports do not
import the map and chart code.
"""

from typing import TYPE_CHECKING, Any

# name -> module that defines it
_LAZY = {
    "ReportFiles": "chaingraph.reports.build",
    "build_report": "chaingraph.reports.build",
    "cjk_font": "chaingraph.reports.chart",
    "coverage_counts": "chaingraph.reports.chart",
    "coverage_png": "chaingraph.reports.chart",
    "SiteFiles": "chaingraph.reports.site",
    "build_site": "chaingraph.reports.site",
}

if TYPE_CHECKING:
    from chaingraph.reports.build import ReportFiles, build_report
    from chaingraph.reports.chart import cjk_font, coverage_counts, coverage_png
    from chaingraph.reports.site import SiteFiles, build_site


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'chaingraph.reports' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "ReportFiles",
    "SiteFiles",
    "build_report",
    "build_site",
    "cjk_font",
    "coverage_counts",
    "coverage_png",
]
