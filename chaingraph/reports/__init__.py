"""Static, offline HTML reports of a base: index, maps, gap and target tables, coverage chart."""

from chaingraph.reports.build import ReportFiles, build_report
from chaingraph.reports.chart import cjk_font, coverage_counts, coverage_png
from chaingraph.reports.site import SiteFiles, build_site

__all__ = [
    "ReportFiles",
    "SiteFiles",
    "build_report",
    "build_site",
    "cjk_font",
    "coverage_counts",
    "coverage_png",
]
