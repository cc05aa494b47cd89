"""Target enterprises for a base's gaps, ranked by an explainable weighted score."""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.facts import (
    CompanyProfile,
    Profiles,
    firm_basics,
    segment_direct_makers,
)
from chaingraph.analysis.gaps import GapReport, SegmentGap, gaps
from chaingraph.store.base import GraphStore

__all__ = ["ScoreParts", "Target", "score_company", "targets"]

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
    [('核心零部件', '日伺服', 56.5), ('减速器', '苏减速', 63.5)]
    >>> best[1].reason
    '数据不足·谐波减速器：为本地工业机器人企业提供关键部件；专精特新"小巨人"；苏州市'
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
        _leader_inputs(store, report),
        {r.target for r in store.relationships("FOCUSES_ON", source=report.subject)},
        _names(store, {p for per in candidates_by_segment.values() for p in per}),
    )
    rows: list[Target] = []
    for gap in report.segments:
        if gap.segment in candidates_by_segment:
            rows.extend(search.best(gap, candidates_by_segment[gap.segment], top))
    return rows


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
        held = cache.setdefault(("target-bounds", repr(config)), {}) if cache is not None else {}
        assert isinstance(held, dict)
        self._static: dict[str, float] = held.setdefault("static", {})
        self._ranked: dict[tuple[str, tuple[str, ...]], list[tuple[float, str]]] = held.setdefault(
            "ranked", {}
        )
        weights = config.score_weights
        ranges = {
            "supply_ties": (0.0, 0.6, 1.0),
            "proximity": (0.0, *config.proximity_scores.values()),
            "confidence": (0.5, 1.0),
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
    leader_inputs: dict[str, str]
    focus_products: set[str]
    product_names: dict[str, str]

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
            for negative_bound, company, product in chunk:
                # A pair's rounded score can exceed its bound by the 0.05 of rounding.
                if len(best) >= top and 100 * -negative_bound + 0.05 + 1e-6 < threshold:
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
                    self.product_names,
                    self.leader_inputs,
                    self.focus_products,
                    self.area,
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
    return sorted(best.values(), key=lambda t: (-t.score, t.company))[:top]


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
        _names(store, [product]),
        {},
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
    product_names: Mapping[str, str],
    leader_inputs: dict[str, str],
    focus_products: set[str],
    area: str,
) -> Target:
    priority_weight = config.priority_weight(priority)
    leadership, scale, technology = _record_parts(
        config,
        profile.tags,
        profile.global_rank,
        profile.revenue_cny_100m,
        profile.listing_board,
    )
    local_customers = [c for c in profile.customers if area and profiles.is_local(c, area)]
    feeds = [p for p in profile.makes if p in leader_inputs]
    supply_ties = 1.0 if local_customers else 0.6 if feeds else 0.0
    alignment = 1.0 if product in focus_products else priority_weight
    confidence = 1.0 - 0.5 * profile.unverified_share
    parts = ScoreParts(
        round(config.severity[status] * priority_weight, 3),
        leadership,
        scale,
        technology,
        supply_ties,
        config.proximity_scores.get(profile.proximity, 0.0),
        round(alignment, 3),
        round(confidence, 3),
    )
    weights = config.score_weights
    score = round(100 * sum(weights[k] * getattr(parts, k) for k in weights), 1)
    product_name = product_names.get(product, product)
    if local_customers:
        tie = f"已向本地{profiles.get(local_customers[0]).name}供货"
    elif feeds:
        # Name the leader's product this gap's product goes into, when it is one of the feeds.
        fed = product if product in leader_inputs else feeds[0]
        tie = f"为本地{leader_inputs[fed]}企业提供关键部件"
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


def _leader_inputs(store: GraphStore, report: GapReport) -> dict[str, str]:
    """Input product -> name of the local leader's product it goes into."""
    found: dict[str, str] = {}
    for gap in report.inputs:
        found.setdefault(gap.product, gap.for_product_name)
    return found


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
