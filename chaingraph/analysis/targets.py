"""Target enterprises for a base's gaps, ranked by an explainable weighted score.

How one firm is scored for one gap (the parts, the reason, the tie rule) is in
:mod:`~chaingraph.analysis.target_score`; how a gap's makers are walked without
scoring them all, in :mod:`~chaingraph.analysis.target_search`. This module puts them
together and adds the facts behind each reason.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.facts import Profiles
from chaingraph.analysis.gaps import GapReport, gaps
from chaingraph.analysis.target_score import (
    TIE_RULE,
    ScoreParts,
    Target,
    score_company,
    target_order,
)
from chaingraph.analysis.target_search import (
    ScoreBounds,
    TargetFilter,
    TargetSearch,
    local_users_and_names,
    place_id,
    product_weights,
    served_weights,
)
from chaingraph.collector import collector_paused
from chaingraph.errors import ConfigError
from chaingraph.model import Relationship
from chaingraph.store.base import GraphStore

__all__ = [
    "TIE_RULE",
    "ScoreParts",
    "Target",
    "TargetList",
    "score_company",
    "target_list",
    "targets",
]


@dataclass(frozen=True)
class TargetList:
    """A base's targets: one ranked list (or per-segment lists), and how to read it."""

    rows: tuple[Target, ...]
    coverage_note: str
    tie_rule: str
    notes: tuple[str, ...]


def targets(
    store: GraphStore,
    base: str | None = None,
    *,
    region: str | None = None,
    chain: str | None = None,
    segment: str | None = None,
    top: int = 5,
    tags: Sequence[str] = (),
    regions_in: Sequence[str] = (),
    regions_out: Sequence[str] = (),
    min_revenue: float | None = None,
    config: AnalysisConfig | None = None,
    report: GapReport | None = None,
) -> list[Target]:
    """The ``top`` best firms outside the base for each gap segment (or only ``segment``).

    Score = 100 × focus × Σ weight × component, components in :class:`ScoreParts`:
    gap severity (建链 > 补链 > 强链 > 延链, × focus priority), leadership (龙头/链主/
    global top 100/隐形冠军/专精特新), scale (revenue, log-scaled), technology,
    supply ties to local firms, proximity (大湾区 > 广东 > 中国 > 境外), plan
    alignment (focus priority) and data confidence (facts marked ``unverified``
    lower it and flag the row).

    ``focus`` (:func:`~chaingraph.analysis.target_score.focus_weight`) is how much the
    base wants what the firm would bring: the priority weight of the gap segment it is
    targeted for (P1 1.0, P2 0.5, P3 0.3, 延链 0.3), raised to that of the base's focus
    product it would go into at a local firm (an ``INPUT_TO`` link; 以商招商: a
    materials firm feeding the local makers of a P1 product serves P1). It multiplies,
    so a base's list is led by its own priorities: a P3 target scores at most 30 and
    fills the list only below every P1 firm scoring over 30, and two bases with
    different first priorities get different lists. Ties: :data:`TIE_RULE`.

    Parameters
    ----------
    store
        The graph.
    base, region
        Exactly one (unless ``report`` is given): the base or region to find firms for.
    chain
        Only this chain's segments (id or name).
    segment
        Only this gap segment (id or name).
    top
        Firms per gap segment.
    tags
        Keep only firms carrying one of these tags.
    regions_in, regions_out
        Keep only firms with a site in one of ``regions_in``, and none in
        ``regions_out`` (regions or bases, ids or names).
    min_revenue
        Keep only firms with at least this revenue (亿元, ``revenue_cny_100m``).
    config
        Weights and thresholds (:class:`AnalysisConfig`).
    report
        A gap report already computed for the subject (saves computing it again).

    Returns
    -------
    list of Target
        Per gap segment in the report's order, its best ``top`` firms, best first,
        each with its score parts, reason and the facts behind it.

    Raises
    ------
    ConfigError
        When neither or both of ``base`` and ``region`` are given (and no ``report``).
    NotFound
        For an unknown base, region, chain, segment or filter region (with near names).

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> best = targets(tiny_store(), "base:yinping", top=1)
    >>> [(t.segment_name, t.name, t.score) for t in best]
    [('减速器', '苏减速', 63.97), ('核心零部件', '日伺服', 55.47)]
    >>> best[0].reason
    '数据不足·谐波减速器：可向本地莞工机器人供应谐波减速器（谐波减速器→工业机器人）；专精特新"小巨人"；苏州市；数据截至2024'
    """
    # The call makes tens of thousands of small objects and frees them itself; the
    # cyclic collector would walk them (and, at a million firms, the store's young
    # objects) many times over for nothing: paused while it runs (issue 22).
    with collector_paused(), store.one_analysis():
        config = config or AnalysisConfig()
        # counts and statuses only: the rows' local names are never shown here
        report = report or gaps(store, base, region=region, chain=chain, config=config, names=False)
        profiles = Profiles(store)
        wanted_segment = store.require(segment, "Segment").id if segment else None
        gap_segments = [
            g.segment
            for g in report.segments
            if g.status != "优势" and not (wanted_segment and g.segment != wanted_segment)
        ]
        bounds = ScoreBounds(store, config)
        # per gap segment and product: its makers outside the area, or (a server store) its
        # makers' classes, read a page at a time in bound order (local makers are skipped)
        candidates_by_segment: Mapping[str, Mapping[str, tuple[Any, ...]]] = (
            store.candidate_classes(gap_segments)
            if bounds.paged
            else store.segment_candidates(gap_segments, report.area)
        )
        search = TargetSearch(
            config,
            profiles,
            bounds,
            report.area,
            TargetFilter(
                tuple(tags),
                [place_id(store, r) for r in regions_in],
                [place_id(store, r) for r in regions_out],
                min_revenue,
            ),
            *local_users_and_names(
                store, report.area, {p for per in candidates_by_segment.values() for p in per}
            ),
            {r.target for r in store.relationships("FOCUSES_ON", source=report.subject)},
            store,
            product_weights(report, candidates_by_segment, config),
            served_weights(report, config),
        )
        # every gap's search walked side by side: one read per step for all of them
        found = search.best_of_each(
            [
                (gap, candidates_by_segment[gap.segment])
                for gap in report.segments
                if gap.segment in candidates_by_segment
            ],
            top,
        )
        rows = [t for per_gap in found for t in per_gap]
        return describe_targets(store, profiles, rows)


def target_list(
    store: GraphStore,
    base: str | None = None,
    *,
    region: str | None = None,
    chain: str | None = None,
    segment: str | None = None,
    top: int = 10,
    per_segment: int | None = None,
    tags: Sequence[str] = (),
    regions_in: Sequence[str] = (),
    regions_out: Sequence[str] = (),
    min_revenue: float | None = None,
    config: AnalysisConfig | None = None,
) -> TargetList:
    """The base's targets as one list, best first across its gap segments (or, with
    ``per_segment``, the best ``per_segment`` firms of each gap segment).

    A firm that fits several gaps appears once, for the gap where it scores best.
    Scores are those of :func:`targets`: the focus weight (the base's priority of the
    gap, or of the focus product the firm would supply locally) multiplies the score,
    so the list is led by the base's own priorities and lower-priority gaps fill it
    below them; equal scores follow :data:`TIE_RULE`.

    Parameters
    ----------
    store
        The graph.
    base, region
        Exactly one: the base or region to find firms for.
    chain, segment
        Only this chain's segments, or only this gap segment (ids or names).
    top
        Length of the list (ignored with ``per_segment``).
    per_segment
        Per-segment lists of this many firms instead of one list.
    tags, regions_in, regions_out, min_revenue
        Filters, as in :func:`targets`.
    config
        Weights and thresholds (:class:`AnalysisConfig`).

    Returns
    -------
    TargetList
        The rows, the gap analysis's one-line coverage note, the tie rule and notes.

    Raises
    ------
    ConfigError
        For ``min_revenue`` when no firm in the store has a revenue figure; as
        :func:`gaps` does.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> found = target_list(tiny_store(), "base:yinping", top=2)
    >>> [(t.name, t.segment_name, t.score) for t in found.rows]
    [('苏减速', '减速器', 63.97), ('日伺服', '核心零部件', 55.47)]
    >>> found.rows[0].supplies_local
    ('莞工机器人: 谐波减速器→工业机器人',)
    """
    config = config or AnalysisConfig()
    if min_revenue is not None and not _any_revenue(store):
        raise ConfigError(
            "--min-revenue: no firm in the data has a revenue figure (revenue_cny_100m); "
            "drop the filter or load revenues first"
        )
    report = gaps(store, base, region=region, chain=chain, config=config, names=False)
    depth = per_segment if per_segment is not None else top
    found = targets(
        store,
        segment=segment,
        top=depth,
        tags=tags,
        regions_in=regions_in,
        regions_out=regions_out,
        min_revenue=min_revenue,
        config=config,
        report=report,
    )
    notes = []
    if not found:
        notes.append("没有符合条件的企业 (no firm passes the filters)")
    if per_segment is not None:
        rows = found
    else:
        best: dict[str, Target] = {}
        for t in found:
            held = best.get(t.company)
            if held is None or target_order(t) < target_order(held):
                best[t.company] = t
        rows = sorted(best.values(), key=target_order)[:top]
    return TargetList(tuple(rows), report.coverage_note, TIE_RULE, tuple(notes))


def _any_revenue(store: GraphStore) -> bool:
    return any(n.get("revenue_cny_100m") for n in store.nodes("Company"))


def describe_targets(store: GraphStore, profiles: Profiles, rows: list[Target]) -> list[Target]:
    """Each target with the facts behind it (:func:`_describe`), the product facts of
    all of them read at once."""
    makes = store.makes_facts([(t.company, t.product) for t in rows])
    return [_describe(profiles, t, makes.get((t.company, t.product))) for t in rows]


def _describe(profiles: Profiles, target: Target, fact: Relationship | None) -> Target:
    """A target with the facts behind it: its product fact (``fact``, the first
    ``MAKES`` from the firm to the product), tags, listing and revenue, each with its
    source; the sources; the record's as_of; and a reason citing them."""
    node = profiles.facts(target.company).node
    record_source = str(node.get("source") or "")
    evidence: list[str] = []
    sources: set[str] = {record_source} if record_source else set()
    if fact is not None:
        fact_source = str(fact.props.get("source") or "")
        checked = "未核实" if fact_source == "unverified" else "已核实"
        grade = fact.props.get("evidence")
        evidence.append(
            f"生产{target.product_name}: {checked}"
            + (f"·证据{grade}" if grade else "")
            + (f"，来源 {fact_source}" if fact_source and fact_source != "unverified" else "")
            + (f"，{fact.props['as_of']}" if fact.props.get("as_of") else "")
        )
        if fact_source:
            sources.add(fact_source)
    # a tag cites its own source (tags_source) where the record has one, else the record's
    held = str(node.get("tags_source") or record_source)
    tag_source = "未核实" if held == "unverified" else f"来源 {held}"
    if node.get("tags_source") and target.tags:
        sources.add(held)
    for tag in target.tags:
        evidence.append(f"{tag}（{tag_source}）")
    extras = []
    listing = node.get("listing") or {}
    if isinstance(listing, dict) and listing.get("board"):
        extras.append(f"上市: {listing['board']} {listing.get('code', '')}".strip())
    revenue = node.get("revenue_cny_100m")
    if revenue:
        year = node.get("revenue_year")
        extras.append(f"营收 {revenue} 亿元" + (f"（{year}年）" if year else ""))
        if node.get("revenue_source"):
            sources.add(str(node.get("revenue_source")))
    evidence += extras
    as_of = str(node.get("as_of") or "")
    reason = target.reason
    if extras:
        reason += "；" + "；".join(extras)
    if as_of:
        reason += f"；数据截至{as_of}"
    return dataclasses.replace(
        target,
        reason=reason,
        evidence=tuple(evidence),
        sources=tuple(sorted(sources)),
        as_of=as_of,
    )
