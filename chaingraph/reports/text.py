"""The text reports the commands print, built from analysis results.

Each ``*_text`` function returns what a command prints as a table (``--format
table``): headings, notes and tables rendered by :func:`chaingraph.output.render`.
Each ``*_payload`` function returns what it prints as JSON (``--format json``), for
:func:`chaingraph.output.write_json`. The command line only chooses which to print;
library users get the same text::

    from chaingraph.reports.text import gaps_text
    print(gaps_text(gaps(store, "银瓶")))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from chaingraph.analysis.audit import Audit
from chaingraph.analysis.compare import Comparison, SegmentComparison
from chaingraph.analysis.gaps import ChainSummary, GapReport
from chaingraph.analysis.neighbourhood import Neighbourhood
from chaingraph.analysis.plan import Plan
from chaingraph.analysis.summary import (
    BaseOverview,
    ChainOverview,
    TypeCount,
    base_overview,
    chain_overview,
    type_counts,
)
from chaingraph.analysis.targets import TargetList
from chaingraph.exports import target_rows
from chaingraph.output import as_rows, field_names, render

if TYPE_CHECKING:
    from chaingraph.classify.core import ClassifiedRow
    from chaingraph.classify.load import LoadDiff
    from chaingraph.classify.report import ClassifyReport
    from chaingraph.loaders.pipeline import LoadReport
    from chaingraph.nlp.merge import IngestReport
    from chaingraph.store.base import GraphStore

__all__ = [
    "CLASSIFY_COLUMNS",
    "INGEST_COLUMNS",
    "NEIGHBOUR_COLUMNS",
    "OVERVIEW_SECTIONS",
    "audit_text",
    "classified_row",
    "classify_diff_counts",
    "classify_diff_payload",
    "classify_diff_text",
    "classify_payload",
    "classify_text",
    "comparison_text",
    "gaps_text",
    "ingest_columns",
    "ingest_line",
    "ingest_payload",
    "ingest_summary",
    "load_summary",
    "node_payload",
    "node_text",
    "overview",
    "overview_payload",
    "overview_text",
    "plan_text",
    "targets_payload",
    "targets_text",
]

# -- gaps, targets, compare, plan, audit -------------------------------------------

_GAP_SEGMENT_COLUMNS = [
    "status",
    "name",
    "chain",
    "stage",
    "priority",
    "local_firms",
    "local_decisive",
    "local_leaders",
    "national_firms",
    "reference_firms",
    "location_quotient",
    "rings",
    "rule",
]
_GAP_INPUT_COLUMNS = ["name", "for_product_name", "local_leaders", "makers_elsewhere"]


def gaps_text(report: GapReport) -> str:
    """A gap report as text: subject and rings, coverage, notes, then three tables
    (completeness and 本地配套率 per chain, segments, 延链 inputs).

    Parameters
    ----------
    report
        From :func:`chaingraph.analysis.gaps.gaps`.

    Returns
    -------
    str
        Ends with a newline.

    Examples
    --------
    >>> from chaingraph.analysis.gaps import gaps
    >>> from chaingraph.testing import tiny_store
    >>> text = gaps_text(gaps(tiny_store(), "base:yinping"))
    >>> text.splitlines()[0]
    '# 银瓶高端装备产业基地  (本地范围: 东莞市; 圈层 rings = 谢岗镇/东莞市/深莞惠/大湾区)'
    >>> [line for line in text.splitlines() if line.startswith("## ")]
    ['## 链条完整度 / 本地配套率', '## 环节', '## 延链 · 本地龙头所需投入无本地供应']
    """
    return (
        f"# {report.subject_name}  (本地范围: {report.area_name}; "
        f"圈层 rings = {report.ring_names})\n"
        + f"{report.coverage_note}\n"
        + "".join(f"note: {n}\n" for n in report.notes)
        + "\n## 链条完整度 / 本地配套率\n"
        + render(as_rows(report.chains), field_names(ChainSummary), "table")
        + "\n## 环节\n"
        + render(as_rows(report.segments), _GAP_SEGMENT_COLUMNS, "table")
        + "\n## 延链 · 本地龙头所需投入无本地供应\n"
        + render(as_rows(report.inputs), _GAP_INPUT_COLUMNS, "table")
    )


_TARGET_TABLE_COLUMNS = ["status", "segment_name", "score", "name", "city", "reason"]


def targets_text(found: TargetList) -> str:
    """A target list as text: coverage, notes, the ranked firms and the tie rule.

    Parameters
    ----------
    found
        From :func:`chaingraph.analysis.targets.target_list`.

    Returns
    -------
    str

    Examples
    --------
    >>> from chaingraph.analysis.targets import target_list
    >>> from chaingraph.testing import tiny_store
    >>> text = targets_text(target_list(tiny_store(), "base:yinping", top=2))
    >>> text.splitlines()[-1].startswith("排序: 得分高者优先；")
    True
    """
    return (
        f"{found.coverage_note}\n"
        + "".join(f"note: {n}\n" for n in found.notes)
        + render(target_rows(found.rows), _TARGET_TABLE_COLUMNS, "table")
        + f"排序: 得分高者优先；{found.tie_rule}\n"
    )


def targets_payload(found: TargetList) -> dict[str, Any]:
    """A target list for JSON: ``coverage_note``, ``tie_rule``, ``notes`` and the flat
    ``rows`` (:func:`chaingraph.exports.target_rows`, columns
    :data:`~chaingraph.exports.TARGET_COLUMNS`)."""
    return {
        "coverage_note": found.coverage_note,
        "tie_rule": found.tie_rule,
        "notes": list(found.notes),
        "rows": target_rows(found.rows),
    }


def comparison_text(result: Comparison) -> str:
    """A benchmark (对标) of two bases or regions as text: who a and b are, the
    coverage warning if any, then one row per segment.

    Examples
    --------
    >>> from chaingraph.analysis.compare import comparison
    >>> from chaingraph.testing import tiny_store
    >>> text = comparison_text(comparison(tiny_store(), "base:yinping", "region:cn-suzhou"))
    >>> text.splitlines()[2]
    'difference = a_local_firms - b_local_firms'
    """
    return (
        f"a = {result.a_name} (本地范围 {result.a_area}, 已知制造企业 {result.a_firms} 家)\n"
        f"b = {result.b_name} (本地范围 {result.b_area}, 已知制造企业 {result.b_firms} 家)\n"
        f"difference = a_local_firms - b_local_firms\n"
        + (f"warning: {result.coverage_warning}\n" if result.coverage_warning else "")
        + render(as_rows(result.rows), field_names(SegmentComparison), "table")
    )


_PICK_COLUMNS = ["order", "name", "facility", "land_km2", "marginal_gain", "score", "reason"]


def plan_text(result: Plan) -> str:
    """A plan (attract K firms) as text: notes, the picks, completeness before and
    after per chain, the weighted gap value and the land it takes.

    Examples
    --------
    >>> from chaingraph.analysis.plan import plan
    >>> from chaingraph.testing import tiny_store
    >>> text = plan_text(plan(tiny_store(), "base:yinping", 1))
    >>> "## 链条完整度 (前 → 后)" in text, text.splitlines()[-1].startswith("用地: 基地 ")
    (True, True)
    """
    summary = [
        {
            "chain": c,
            "before": result.completeness_before[c],
            "after": result.completeness_after.get(c),
        }
        for c in result.completeness_before
    ]
    land = (
        f"用地: 基地 {result.land_km2} km²，可用 {result.land_open_km2} km²，"
        f"本方案占用 {result.land_used_km2} km²\n"
    )
    return (
        "".join(f"note: {n}\n" for n in result.notes)
        + render(as_rows(result.picks), _PICK_COLUMNS, "table")
        + "\n## 链条完整度 (前 → 后)\n"
        + render(summary, ["chain", "before", "after"], "table")
        + f"\nweighted gap value: {result.value_before} → {result.value_after}\n"
        + land
    )


_AUDIT_SEGMENT_COLUMNS = [
    "status",
    "name",
    "chain",
    "local_firms",
    "local_with_town",
    "local_decisive",
    "local_unverified",
    "local_weak",
    "national_firms",
    "verified_share",
    "decide_by",
]


def audit_text(result: Audit) -> str:
    """A coverage audit as text: subject, note, the totals, then one row per focus segment.

    Examples
    --------
    >>> from chaingraph.analysis.audit import audit
    >>> from chaingraph.testing import tiny_store
    >>> text = audit_text(audit(tiny_store(), "base:yinping"))
    >>> text.splitlines()[0], "## 重点环节" in text
    ('# 银瓶高端装备产业基地  (本地范围: 东莞市)', True)
    """
    summary = {k: v for k, v in dataclasses.asdict(result).items() if k not in ("segments", "note")}
    return (
        f"# {result.subject_name}  (本地范围: {result.area_name})\n{result.note}\n\n"
        + render([summary], list(summary), "table")
        + "\n## 重点环节\n"
        + render(as_rows(result.segments), _AUDIT_SEGMENT_COLUMNS, "table")
    )


# -- info, show --------------------------------------------------------------------

# Section -> (the analysis that lists it, its record type), in the order printed.
OVERVIEW_SECTIONS: dict[str, tuple[Any, type]] = {
    "types": (type_counts, TypeCount),
    "chains": (chain_overview, ChainOverview),
    "bases": (base_overview, BaseOverview),
}


def overview(store: GraphStore, section: str | None = None) -> dict[str, list[Any]]:
    """What a store holds, by section (:data:`OVERVIEW_SECTIONS`): counts by type, per
    chain, per base; every section when ``section`` is None.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> list(overview(tiny_store())), list(overview(tiny_store(), "bases"))
    (['types', 'chains', 'bases'], ['bases'])
    """
    names = list(OVERVIEW_SECTIONS) if section is None else [section]
    return {name: OVERVIEW_SECTIONS[name][0](store) for name in names}


def overview_columns(section: str) -> list[str]:
    """The columns of one overview section."""
    return field_names(OVERVIEW_SECTIONS[section][1])


def overview_text(sections: Mapping[str, Sequence[Any]]) -> str:
    """Overview sections (:func:`overview`) as text: a ``## section`` heading and a table each."""
    return "".join(
        f"## {name}\n" + render(as_rows(items), overview_columns(name), "table") + "\n"
        for name, items in sections.items()
    )


def overview_payload(sections: Mapping[str, Sequence[Any]]) -> dict[str, list[dict[str, Any]]]:
    """Overview sections for JSON: one key per section, a list of rows each."""
    return {name: as_rows(items) for name, items in sections.items()}


NEIGHBOUR_COLUMNS = ["direction", "relationship", "id", "type", "name", "detail"]


def node_text(view: Neighbourhood) -> str:
    """A node and its neighbours as text: name, type and id, its properties, then a
    table of neighbours.

    Examples
    --------
    >>> from chaingraph.analysis.neighbourhood import neighbourhood
    >>> from chaingraph.testing import tiny_store
    >>> print(node_text(neighbourhood(tiny_store(), "base:yinping")).splitlines()[0])
    银瓶高端装备产业基地  [Base base:yinping]
    """
    props = "\n".join(f"  {k}: {v}" for k, v in sorted(view.node.props.items()))
    also = f"  (same name: {', '.join(view.same_name)})" if view.same_name else ""
    head = f"{view.node.name}  [{view.node.type} {view.node.id}]{also}\n{props}\n\n"
    return head + render(as_rows(view.neighbours), NEIGHBOUR_COLUMNS, "table")


def node_payload(view: Neighbourhood) -> dict[str, Any]:
    """A node and its neighbours for JSON: ``node`` and ``neighbours``."""
    return {"node": dataclasses.asdict(view.node), "neighbours": as_rows(view.neighbours)}


# -- load, classify, ingest-text ---------------------------------------------------


def load_summary(report: LoadReport) -> dict[str, Any]:
    """One row saying what a load read and what its merge changed."""
    return {
        "files": len(report.files),
        "nodes_read": report.nodes_read,
        "relationships_read": report.relationships_read,
        **dataclasses.asdict(report.merge),
    }


CLASSIFY_COLUMNS = [
    "name",
    "legal_name",
    "match",
    "chains",
    "segments",
    "products",
    "town",
    "region",
    "status",
    "why",
]


def classified_row(row: ClassifiedRow) -> dict[str, Any]:
    """A classified registry row for a table or CSV: lists joined, evidence and
    confidence inline."""

    def items(entries: list[dict[str, Any]]) -> str:
        return "; ".join(f"{e['name']}[{e['evidence']} {e['confidence']:.2f}]" for e in entries)

    match = row.match
    region = "/".join(v for v in row.region.values() if v)
    return {
        "file": row.file,
        "line": row.line,
        "name": row.name,
        "legal_name": row.legal_name,
        "match": f"{match['name']} ({match['id']}, {match['by']})" if match else "",
        "chains": "; ".join(row.chains),
        "segments": items(row.segments),
        "products": items(row.products),
        "town": row.town_name or "",
        "region": region,
        "status": row.status or "",
        "why": "; ".join(row.why),
    }


def classify_text(report: ClassifyReport, fmt: str = "table") -> str:
    """Classified rows as a table (with a summary line) or as CSV (with file and line).

    Parameters
    ----------
    report
        From :func:`chaingraph.classify.classify_report`.
    fmt
        ``table`` or ``csv``.
    """
    flat = [classified_row(r) for r in report.rows]
    columns = ["file", "line", *CLASSIFY_COLUMNS] if fmt == "csv" else CLASSIFY_COLUMNS
    text = render(flat, columns, fmt)
    if fmt == "table":
        s = report.summary
        text += (
            f"\n{s.rows} rows: matched {s.matched}; chains {s.chains}; towns {len(s.towns)}; "
            f"evidence {s.evidence}; closed {s.closed}; bad {s.bad_rows}\n"
        )
    return text


def classify_payload(report: ClassifyReport) -> dict[str, Any]:
    """Classified rows for JSON: ``{"rows": [...], "summary": {...}}``."""
    return {
        "rows": [dataclasses.asdict(r) for r in report.rows],
        "summary": dataclasses.asdict(report.summary),
    }


def classify_diff_counts(diff: LoadDiff) -> dict[str, Any]:
    """What ``load --classify`` did (or would do, dry run), counted."""
    return {
        "dry_run": diff.dry_run,
        "created": diff.created,
        "updated": diff.updated,
        "unchanged": diff.unchanged,
        "conflicts": len(diff.conflicts),
        "firms_created": diff.firms_created,
        "firms_matched": diff.firms_matched,
        "makes": diff.makes,
        "located_in": diff.located,
        "closed_skipped": diff.closed_skipped,
        "bad_rows": len(diff.bad),
    }


_CONFLICT_COLUMNS = ["file", "line", "firm", "id", "field", "stored", "incoming", "resolution"]


def classify_diff_text(diff: LoadDiff, fmt: str = "table") -> str:
    """The counts of ``load --classify``, and as a table also the conflicts not applied."""
    counts = classify_diff_counts(diff)
    text = render([counts], list(counts), fmt)
    if diff.conflicts and fmt == "table":
        conflicts = [dataclasses.asdict(c) for c in diff.conflicts]
        text += "\n## conflicts (not applied)\n" + render(conflicts, _CONFLICT_COLUMNS, fmt)
    return text


def classify_diff_payload(diff: LoadDiff) -> dict[str, Any]:
    """``load --classify`` for JSON: ``diff`` (the counts), ``conflicts`` and ``changes``."""
    return {
        "diff": classify_diff_counts(diff),
        "conflicts": [dataclasses.asdict(c) for c in diff.conflicts],
        "changes": diff.changes,
    }


_INGEST_ACTIONS = ("add", "link", "conflict", "candidate")
INGEST_COLUMNS = ["action", "kind", "subject", "value", "detail", "confidence", "start", "end"]


def ingest_summary(report: IngestReport) -> dict[str, Any]:
    """What ingesting a document found and changed: source, date, findings per action,
    the merge counts and the lines dropped."""
    return {
        "source": report.source,
        "as_of": report.as_of,
        "dry_run": report.dry_run,
        **{a: report.count(a) for a in _INGEST_ACTIONS},
        **dataclasses.asdict(report.merge),
        "dropped_lines": list(report.dropped),
    }


def ingest_payload(report: IngestReport) -> dict[str, Any]:
    """An ingested document for JSON: ``summary`` and ``findings``."""
    return {"summary": ingest_summary(report), "findings": as_rows(report.findings)}


def ingest_line(report: IngestReport) -> str:
    """One line saying what a document held: to add, already known, conflicts, candidates."""
    counts = {a: report.count(a) for a in _INGEST_ACTIONS}
    return (
        f"{report.source}: {counts['add']} to add, {counts['link']} already known, "
        f"{counts['conflict']} conflict(s), {counts['candidate']} candidate(s)"
        + (" (dry run: nothing written)" if report.dry_run else "")
    )


def ingest_columns(fmt: str) -> list[str]:
    """The finding columns printed: the short list in a table, every field in CSV."""
    if fmt == "table":
        return INGEST_COLUMNS
    from chaingraph.nlp.merge import Finding  # the command has imported it already

    return field_names(Finding)
