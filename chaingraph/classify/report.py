"""What a classification run amounts to: how many rows landed in which chain, segment and
town, with what evidence (:func:`summarise`), and the collected run the CLI prints
(:func:`classify_report`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from chaingraph.classify.core import EVIDENCE_RANK, ClassifiedRow, Options, classify_files
from chaingraph.errors import Issue
from chaingraph.store.base import GraphStore

__all__ = ["ClassifyReport", "Summary", "classify_report", "summarise"]


@dataclass(frozen=True)
class Summary:
    """How many rows landed where, with what evidence."""

    rows: int
    matched: dict[str, int]
    chains: dict[str, int]
    segments: dict[str, int]
    towns: dict[str, int]
    evidence: dict[str, int]
    closed: int
    unclassified: int
    bad_rows: int
    unmapped_columns: dict[str, list[str]]


def summarise(
    rows: Iterable[ClassifiedRow], bad_rows: int = 0, unmapped: dict[str, list[str]] | None = None
) -> Summary:
    """Counts per match kind, chain, segment, town and evidence level."""
    total = closed = unclassified = 0
    matched: dict[str, int] = {}
    chains: dict[str, int] = {}
    segments: dict[str, int] = {}
    towns: dict[str, int] = {}
    evidence: dict[str, int] = {}
    for row in rows:
        total += 1
        closed += row.closed
        unclassified += not row.chains
        by = row.match["by"] if row.match else "new"
        matched[by] = matched.get(by, 0) + 1
        for chain in row.chains:
            chains[chain] = chains.get(chain, 0) + 1
        for seg in row.segments:
            segments[seg["name"]] = segments.get(seg["name"], 0) + 1
        best = max((EVIDENCE_RANK[s["evidence"]] for s in row.segments), default=0)
        level = {3: "strong", 2: "medium", 1: "weak", 0: "none"}[best]
        evidence[level] = evidence.get(level, 0) + 1
        if row.town_name:
            towns[row.town_name] = towns.get(row.town_name, 0) + 1
    return Summary(
        total,
        dict(sorted(matched.items())),
        dict(sorted(chains.items(), key=lambda kv: (-kv[1], kv[0]))),
        dict(sorted(segments.items(), key=lambda kv: (-kv[1], kv[0]))),
        dict(sorted(towns.items(), key=lambda kv: (-kv[1], kv[0]))),
        evidence,
        closed,
        unclassified,
        bad_rows,
        unmapped or {},
    )


@dataclass(frozen=True)
class ClassifyReport:
    """Every row classified, the summary, and the bad rows skipped."""

    rows: list[ClassifiedRow]
    summary: Summary
    bad: list[Issue]


def classify_report(
    store: GraphStore,
    paths: Sequence[str | Path],
    *,
    mapping: str | Path | None = None,
    options: Options | None = None,
) -> ClassifyReport:
    """:func:`classify_files` collected, with its :class:`Summary` (what the CLI prints).

    Examples
    --------
    >>> from chaingraph.dataset import open_default_store
    >>> from chaingraph.resources import data_dir
    >>> sample = data_dir("ontology").parent / "examples" / "registry-sample.csv"
    >>> report = classify_report(open_default_store(), [sample])
    >>> report.summary.rows > 0
    True
    """
    bad: list[Issue] = []
    unmapped: dict[str, list[str]] = {}
    rows = list(
        classify_files(store, paths, mapping=mapping, options=options, bad=bad, unmapped=unmapped)
    )
    return ClassifyReport(rows, summarise(rows, len(bad), unmapped), bad)
