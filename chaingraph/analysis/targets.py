"""Target enterprises for a base's gaps, ranked by an explainable weighted score."""

from __future__ import annotations

import dataclasses
import heapq
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.facts import (
    CompanyProfile,
    Profiles,
    firm_basics,
    segment_direct_makers,
)
from chaingraph.analysis.gaps import GapReport, SegmentGap, gaps
from chaingraph.errors import ConfigError
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

_TOP_TECH_TAGS = ("单项冠军", "隐形冠军", "专精特新小巨人")
_TAG_LABELS = {"专精特新小巨人": '专精特新"小巨人"'}
_TIE_PHRASES = {
    "建链": "填补本地空白环节",
    "补链": "补强本地薄弱环节",
    "强链": "本地该环节缺少龙头",
    "数据不足": "本地该环节数据不足、待核实",
    "延链": "延伸本地产业链",
}


@dataclass(frozen=True)
class ScoreParts:
    """Each score component, 0..1, before weighting (see :class:`AnalysisConfig`)."""

    severity: float
    leadership: float
    scale: float
    technology: float
    supply_ties: float
    proximity: float
    plan_alignment: float
    confidence: float


@dataclass(frozen=True)
class Target:
    """A firm to attract for one gap, its score (0..100), its parts and a checkable reason."""

    segment: str
    segment_name: str
    status: str
    company: str
    name: str
    city: str
    product: str
    product_name: str
    score: float
    parts: ScoreParts
    tags: tuple[str, ...]
    unverified: bool
    reason: str
    # Facts behind the reason, each checkable in the data:
    supplies_local: tuple[str, ...] = ()  # "本地企业: 产品→其产品" (an INPUT_TO link)
    evidence: tuple[str, ...] = ()  # product fact, tags, listing, revenue with provenance
    sources: tuple[str, ...] = ()  # distinct sources of those facts
    as_of: str = ""  # the firm record's as_of
    facts: int = 0  # how many facts the store holds on the firm


@dataclass(frozen=True)
class TargetList:
    """A base's targets: one ranked list (or per-segment lists), and how to read it."""

    rows: tuple[Target, ...]
    coverage_note: str
    tie_rule: str
    notes: tuple[str, ...]


TIE_RULE = "同分依次比较: 可配套本地企业数多者优先、数据事实多者优先、企业ID小者优先"


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

    Score = 100 × Σ weight × component, components in :class:`ScoreParts`:
    gap severity (建链 > 补链 > 强链 > 延链, × focus priority), leadership (龙头/链主/
    global top 100/隐形冠军/专精特新), scale (revenue, log-scaled), technology,
    supply ties to local firms, proximity (大湾区 > 广东 > 中国 > 境外), plan
    alignment (focus priority) and data confidence (facts marked ``unverified``
    lower it and flag the row). Ties go to the smaller company id.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> best = targets(tiny_store(), "base:yinping", top=1)
    >>> [(t.segment_name, t.name, t.score) for t in best]
    [('核心零部件', '日伺服', 55.47), ('减速器', '苏减速', 61.47)]
    >>> best[1].reason
    '数据不足·谐波减速器：可向本地莞工机器人供应谐波减速器（谐波减速器→工业机器人）；专精特新"小巨人"；苏州市；数据截至2024'
    """
    config = config or AnalysisConfig()
    report = report or gaps(store, base, region=region, chain=chain, config=config)
    profiles = Profiles(store)
    wanted_segment = store.require(segment, "Segment").id if segment else None
    gap_segments = [
        g.segment
        for g in report.segments
        if g.status != "优势" and not (wanted_segment and g.segment != wanted_segment)
    ]
    candidates_by_segment = store.segment_candidates(gap_segments, report.area)
    search = _Search(
        config,
        profiles,
        _Bounds(store, config),
        report.area,
        _Filter(
            tuple(tags),
            [_place(store, r) for r in regions_in],
            [_place(store, r) for r in regions_out],
            min_revenue,
        ),
        *_users(store, report.area, {p for per in candidates_by_segment.values() for p in per}),
        {r.target for r in store.relationships("FOCUSES_ON", source=report.subject)},
        store,
        _product_weights(report, candidates_by_segment, config),
    )
    rows: list[Target] = []
    for gap in report.segments:
        if gap.segment in candidates_by_segment:
            rows.extend(search.best(gap, candidates_by_segment[gap.segment], top))
    return [_describe(store, profiles, t) for t in rows]


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
    Scores are those of :func:`targets` (gap severity × focus priority weights both
    the severity and plan-alignment parts); equal scores follow :data:`TIE_RULE`.

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
    [('苏减速', '减速器', 61.47), ('日伺服', '核心零部件', 55.47)]
    >>> found.rows[0].supplies_local
    ('莞工机器人: 谐波减速器→工业机器人',)
    """
    config = config or AnalysisConfig()
    if min_revenue is not None and not _any_revenue(store):
        raise ConfigError(
            "--min-revenue: no firm in the data has a revenue figure (revenue_cny_100m); "
            "drop the filter or load revenues first"
        )
    report = gaps(store, base, region=region, chain=chain, config=config)
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
            if held is None or _order(t) < _order(held):
                best[t.company] = t
        rows = sorted(best.values(), key=_order)[:top]
    return TargetList(tuple(rows), report.coverage_note, TIE_RULE, tuple(notes))


def _order(t: Target) -> tuple[float, int, int, str]:
    return (-t.score, -len(t.supplies_local), -t.facts, t.company)


def _any_revenue(store: GraphStore) -> bool:
    return any(n.get("revenue_cny_100m") for n in store.nodes("Company"))


@dataclass(frozen=True)
class _Filter:
    tags: tuple[str, ...]
    include: list[str]
    exclude: list[str]
    min_revenue: float | None


class _Bounds:
    """Upper bounds of target scores from a firm's own record, to rank makers by.

    A score's parts from the firm's record (leadership, scale, technology) are known
    without reading its relationships; the rest (supply ties, proximity, confidence)
    are bounded by their best values. Walking a segment's makers by this bound and
    stopping once the ``top``-th score beats the next bound scores tens of firms
    instead of every maker. A store that can tell when it changes keeps the bounds.
    """

    def __init__(self, store: GraphStore, config: AnalysisConfig) -> None:
        self.store = store
        self.config = config
        cache = store.analysis_cache()
        held: dict[str, dict[Any, Any]] = (
            cache.slot(("target-bounds", repr(config)), dict) if cache is not None else {}
        )
        self._static: dict[str, float] = held.setdefault("static", {})
        self._ranked: dict[tuple[str, tuple[str, ...]], list[tuple[float, str]]] = held.setdefault(
            "ranked", {}
        )
        weights = config.score_weights
        ranges = {
            "supply_ties": (0.0, 1.0),
            "proximity": (0.0, *config.proximity_scores.values()),
            "confidence": (0.0, 1.0),
        }
        self.open_parts = sum(
            max(weights.get(part, 0.0) * v for v in values) for part, values in ranges.items()
        )

    def ranked(self, product: str, makers: tuple[str, ...]) -> list[tuple[float, str]]:
        """``(-bound from the record, firm)`` for these makers of a product, as a heap:
        popping gives the best bound first (ties: smaller id).

        A heap, not a sorted list: a search reads tens of a gap's 10^4-10^5 makers, and
        building a heap costs a fraction of sorting them all.
        """
        key = (product, makers)
        found = self._ranked.get(key)
        if found is None:
            static = self._static
            missing = [c for c in makers if c not in static]
            if missing:
                weights = self.config.score_weights
                parts = (
                    weights.get("leadership", 0.0),
                    weights.get("scale", 0.0),
                    weights.get("technology", 0.0),
                )
                for company, node in self.store.get_many(missing).items():
                    leadership, scale, technology = _record_parts(self.config, *firm_basics(node))
                    static[company] = (
                        parts[0] * leadership + parts[1] * scale + parts[2] * technology
                    )
            found = [(-static[c], c) for c in makers if c in static]
            heapq.heapify(found)
            self._ranked[key] = found
        return found


@dataclass
class _Search:
    """The best firms for each gap: makers walked by score bound, scored exactly."""

    config: AnalysisConfig
    profiles: Profiles
    bounds: _Bounds
    area: str
    filter: _Filter
    users: dict[str, tuple[tuple[str, tuple[str, ...]], ...]]
    names: Mapping[str, str]
    focus_products: set[str]
    store: GraphStore
    fit: Mapping[str, float]  # product -> best priority weight of a gap segment holding it

    def best(
        self, gap: SegmentGap, per_product: Mapping[str, tuple[str, ...]], top: int
    ) -> list[Target]:
        config, weights = self.config, self.config.score_weights
        priority_weight = config.priority_weight(gap.priority)
        known = weights.get("severity", 0.0) * round(
            config.severity[gap.status] * priority_weight, 3
        )
        streams = []
        for product, makers in sorted(per_product.items()):
            alignment = 1.0 if product in self.focus_products else round(priority_weight, 3)
            fixed = known + weights.get("plan_alignment", 0.0) * alignment + self.bounds.open_parts
            streams.append(_pairs(fixed, product, self.bounds.ranked(product, makers)))
        pairs = heapq.merge(*streams)
        best: dict[str, Target] = {}
        threshold = -math.inf  # the top-th best score once there are ``top`` firms
        # Most gaps are settled within the first few firms: start small, then widen.
        chunk_size = max(10, 2 * top)
        while chunk := list(islice(pairs, min(chunk_size, 4096))):
            chunk_size *= 2
            # Fetch the chunk's facts in one read (one round trip on a server store).
            self.profiles.preload(company for _, company, _ in chunk)
            self.profiles.preload(
                c for _, company, _ in chunk for c in self.profiles.get(company).customers
            )
            # Every product of the chunk's firms: whom else locally could they supply.
            wanted = {p for _, company, _ in chunk for p in self.profiles.get(company).makes}
            missing = sorted(wanted - self.users.keys())
            if missing:
                self.users.update(self.store.local_users(missing, self.area))
            for negative_bound, company, product in chunk:
                # A pair's rounded score can exceed its bound by the 0.05 of rounding.
                if len(best) >= top and 100 * -negative_bound + 0.005 + 1e-6 < threshold:
                    return _ranked(best, top)
                profile = self.profiles.get(company)
                if self.area in profile.places or not _passes(profile, self.filter):
                    continue
                target = _score(
                    config,
                    self.profiles,
                    profile,
                    gap.segment,
                    gap.name,
                    gap.status,
                    gap.priority,
                    product,
                    self.users,
                    self.names,
                    self.focus_products,
                    self.area,
                    self.fit,
                )
                held = best.get(company)
                # Equal scores keep the smaller product id, as a walk in product order would.
                if held is None or (target.score, held.product) > (held.score, target.product):
                    best[company] = target
                    if len(best) >= top:
                        threshold = heapq.nlargest(top, (t.score for t in best.values()))[-1]
        return _ranked(best, top)


def _pairs(
    fixed: float, product: str, ranked: list[tuple[float, str]]
) -> Iterator[tuple[float, str, str]]:
    """``(-bound, firm, product)`` for one product's makers, best bound first, popped
    lazily from a copy of the heap (the copy keeps the cached heap whole)."""
    heap = ranked.copy()
    pop = heapq.heappop
    while heap:
        negative, company = pop(heap)
        # -(fixed + bound) exactly: IEEE negation is exact and addition symmetric.
        yield negative - fixed, company, product


def _ranked(best: dict[str, Target], top: int) -> list[Target]:
    return sorted(best.values(), key=_order)[:top]


def score_company(
    store: GraphStore,
    company: str,
    segment: str,
    status: str,
    priority: int | None,
    config: AnalysisConfig | None = None,
) -> ScoreParts:
    """The score components of one firm for one gap (used by ``plan`` and tests)."""
    config = config or AnalysisConfig()
    profiles = Profiles(store)
    product = next(iter(segment_direct_makers(store, segment)), "")
    return _score(
        config,
        profiles,
        profiles.get(company),
        segment,
        segment,
        status,
        priority,
        product,
        {},
        _names(store, [product]),
        set(),
        "",
    ).parts


def _score(
    config: AnalysisConfig,
    profiles: Profiles,
    profile: CompanyProfile,
    segment: str,
    segment_name: str,
    status: str,
    priority: int | None,
    product: str,
    users: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]],
    names: Mapping[str, str],
    focus_products: set[str],
    area: str,
    fit: Mapping[str, float] | None = None,
) -> Target:
    priority_weight = config.priority_weight(priority)
    leadership, scale, technology = _record_parts(
        config,
        profile.tags,
        profile.global_rank,
        profile.revenue_cny_100m,
        profile.listing_board,
    )
    product_name = names.get(product, product)
    # Local firms this product goes into (an INPUT_TO link to a product they make),
    # never the product itself or one of the same name (no circular claims).
    links: dict[str, str] = {}
    for user, local in users.get(product, ()):
        if user == product or names.get(user, user) == product_name:
            continue
        for firm in local:
            links.setdefault(firm, user)
    already = sorted(c for c in profile.customers if c in links)
    # Breadth: the local firms any of its products goes into (through INPUT_TO).
    reach = {
        firm
        for made in profile.makes
        for user, local in users.get(made, ())
        if user != made
        for firm in local
    }
    if already:
        supply_ties = 1.0
    elif links:
        supply_ties = 0.4 + 0.3 * _saturating(len(links), 20) + 0.2 * _saturating(len(reach), 40)
    else:
        supply_ties = 0.2 * _saturating(len(reach), 40)
    alignment = 1.0 if product in focus_products else priority_weight
    if fit is not None and profile.makes:
        # Half the gap's own alignment, half how much of the firm's business the base
        # needs: its products' best priority weights among the gap segments, averaged.
        alignment = 0.5 * alignment + 0.5 * sum(fit.get(p, 0.0) for p in profile.makes) / len(
            profile.makes
        )
    facts = profiles.facts(profile.id).facts
    confidence = 0.6 * (1.0 - profile.unverified_share) + 0.4 * _saturating(facts, 20)
    parts = ScoreParts(
        round(config.severity[status] * priority_weight, 3),
        leadership,
        scale,
        technology,
        round(supply_ties, 3),
        config.proximity_scores.get(profile.proximity, 0.0),
        round(alignment, 3),
        round(confidence, 3),
    )
    weights = config.score_weights
    score = round(100 * sum(weights[k] * getattr(parts, k) for k in weights), 2)
    ordered = already + sorted(c for c in links if c not in already)
    supplies = tuple(
        f"{names.get(c, c)}: {product_name}→{names.get(links[c], links[c])}"
        + ("（已有供货记录）" if c in already else "")
        for c in ordered
    )
    if supplies:
        shown = "、".join(names.get(c, c) for c in ordered[:2]) + (
            f"等{len(ordered)}家" if len(ordered) > 2 else ""
        )
        via = names.get(links[ordered[0]], links[ordered[0]])
        verb = "已向" if already else "可向"
        tie = f"{verb}本地{shown}供应{product_name}（{product_name}→{via}）"
    else:
        tie = _TIE_PHRASES.get(status, "")
    tag = next(
        (
            t
            for t in (*config.leader_tags, "隐形冠军", "专精特新小巨人", "专精特新", "上市")
            if t in profile.tags
        ),
        None,
    )
    parts_text = [f"{status}·{product_name}：{tie}"]
    if tag:
        parts_text.append(_TAG_LABELS.get(tag, tag))
    if profile.city:
        parts_text.append(profile.city)
    unverified = profile.unverified_share > 0.5
    if unverified:
        parts_text.append("部分信息未核实")
    return Target(
        segment,
        segment_name,
        status,
        profile.id,
        profile.name,
        profile.city,
        product,
        product_name,
        score,
        parts,
        profile.tags,
        unverified,
        "；".join(parts_text),
        supplies,
        facts=facts,
    )


def _product_weights(
    report: GapReport,
    candidates: Mapping[str, Mapping[str, tuple[str, ...]]],
    config: AnalysisConfig,
) -> dict[str, float]:
    """Each product of the report's gap segments -> the best priority weight among them."""
    weights: dict[str, float] = {}
    for gap in report.segments:
        weight = config.priority_weight(gap.priority)
        for product in candidates.get(gap.segment, {}):
            weights[product] = max(weight, weights.get(product, 0.0))
    return weights


def _saturating(count: int, full: int) -> float:
    """0 for none, rising as log(1 + count), 1 from ``full`` on."""
    return min(1.0, math.log1p(count) / math.log1p(full))


def _describe(store: GraphStore, profiles: Profiles, target: Target) -> Target:
    """A target with the facts behind it: its product fact, tags, listing and revenue,
    each with its source; the sources; the record's as_of; and a reason citing them."""
    node = profiles.facts(target.company).node
    record_source = str(node.get("source") or "")
    evidence: list[str] = []
    sources: set[str] = {record_source} if record_source else set()
    for rel in store.relationships("MAKES", source=target.company, target=target.product):
        fact_source = str(rel.props.get("source") or "")
        checked = "未核实" if fact_source == "unverified" else "已核实"
        grade = rel.props.get("evidence")
        evidence.append(
            f"生产{target.product_name}: {checked}"
            + (f"·证据{grade}" if grade else "")
            + (f"，来源 {fact_source}" if fact_source and fact_source != "unverified" else "")
            + (f"，{rel.props['as_of']}" if rel.props.get("as_of") else "")
        )
        if fact_source:
            sources.add(fact_source)
        break
    tag_source = "未核实" if record_source == "unverified" else f"来源 {record_source}"
    for tag in target.tags:
        evidence.append(f"{tag}（{tag_source}）")
    extras = []
    listing = node.get("listing") or {}
    if isinstance(listing, dict) and listing.get("board"):
        extras.append(f"上市: {listing['board']} {listing.get('code', '')}".strip())
    revenue = node.get("revenue_cny_100m")
    if revenue:
        extras.append(f"营收 {revenue} 亿元")
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


def _record_parts(
    config: AnalysisConfig,
    tags: tuple[str, ...],
    global_rank: int | None,
    revenue: float | None,
    board: str | None,
) -> tuple[float, float, float]:
    """Leadership, scale and technology: the score parts a firm's own record sets."""
    leadership = max((config.leadership_scores.get(t, 0.0) for t in tags), default=0.0)
    if global_rank is not None and global_rank <= 100:
        leadership = 1.0
    if revenue:
        scale = min(
            1.0, math.log10(1 + revenue) / math.log10(1 + config.scale_full_revenue_cny_100m)
        )
    else:
        scale = 0.3 if board else 0.0
    if set(tags) & set(_TOP_TECH_TAGS):
        technology = 1.0
    elif board and "科创板" in board:
        technology = 0.8
    elif set(tags) & {"高新技术企业", "专精特新"}:
        technology = 0.6
    else:
        technology = 0.0
    return round(leadership, 3), round(scale, 3), technology


def _names(store: GraphStore, ids: Iterable[str]) -> dict[str, str]:
    return {node_id: node.name for node_id, node in store.get_many(ids).items()}


def _users(
    store: GraphStore, area: str, products: Iterable[str]
) -> tuple[dict[str, tuple[tuple[str, tuple[str, ...]], ...]], dict[str, str]]:
    """Local users of each product (see ``GraphStore.local_users``) and the names of
    the products and firms involved."""
    users = store.local_users(sorted(set(products)), area)
    ids = set(users)
    for pairs in users.values():
        for user, local in pairs:
            ids.add(user)
            ids.update(local)
    return users, _names(store, ids)


def _passes(profile: CompanyProfile, wanted: _Filter) -> bool:
    tags, include, exclude, min_revenue = (
        wanted.tags,
        wanted.include,
        wanted.exclude,
        wanted.min_revenue,
    )
    if tags and not set(tags) & set(profile.tags):
        return False
    if include and not set(include) & profile.places:
        return False
    if exclude and set(exclude) & profile.places:
        return False
    return not (min_revenue is not None and (profile.revenue_cny_100m or 0) < min_revenue)


def _place(store: GraphStore, name: str) -> str:
    node = store.get(name)
    if node is not None and node.type in ("Region", "Base"):
        return node.id
    return store.require(name, "Region").id
