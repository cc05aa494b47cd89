"""Bring a city's enterprise registry in: classify rows into chains, segments and
products with evidence, place them in towns, resolve them against known firms, and
load them (``chaingraph classify``, ``chaingraph load --classify``)."""

from chaingraph.classify.core import ClassifiedRow, Options, classify_files
from chaingraph.classify.report import ClassifyReport, Summary, classify_report, summarise

__all__ = [
    "ClassifiedRow",
    "ClassifyReport",
    "Options",
    "Summary",
    "classify_files",
    "classify_report",
    "summarise",
]
