"""Static, offline HTML reports of a base: index, maps, gap and target tables, coverage chart."""

from chaingraph.reports.build import ReportFiles, build_report
from chaingraph.reports.chart import cjk_font, coverage_counts, coverage_png

__all__ = ["ReportFiles", "build_report", "cjk_font", "coverage_counts", "coverage_png"]
