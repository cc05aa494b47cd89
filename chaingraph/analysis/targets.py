"""Target enterprises for a base's gaps, ranked by an explainable weighted score."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.facts import CompanyProfile, Profiles, segment_direct_makers
from chaingraph.analysis.gaps import GapReport, gaps
from chaingraph.store.base import GraphStore

__all__ = ["ScoreParts", "Target", "score_company", "targets"]

_TOP_TECH_TAGS = ("单项冠军", "隐形冠军", "专精特新小巨人")
_TAG_LABELS = {"专精特新小巨人": '专精特新"小巨人"'}
_TIE_PHRASES = {
    "建链": "填补本地空白环节",
    "补链": "补强本地薄弱环节",
    "强链": "本地该环节缺少龙头",
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
    [('核心零部件', '日伺服', 69.0), ('减速器', '苏减速', 76.0)]
    >>> best[1].reason
    '建链·谐波减速器：为本地工业机器人企业提供关键部件；专精特新"小巨人"；苏州市'
    """
    config = config or AnalysisConfig()
    report = report or gaps(store, base, region=region, chain=chain, config=config)
    profiles = Profiles(store)
    area = report.area
    wanted_segment = store.require(segment, "Segment").id if segment else None
    include = [_place(store, r) for r in regions_in]
    exclude = [_place(store, r) for r in regions_out]
    leader_inputs = _leader_inputs(store, report)
    focus_products = {r.target for r in store.relationships("FOCUSES_ON", source=report.subject)}

    gap_segments = [
        g.segment
        for g in report.segments
        if g.status != "优势" and not (wanted_segment and g.segment != wanted_segment)
    ]
    candidates_by_segment = store.segment_candidates(gap_segments, area)
    firms = {c for per in candidates_by_segment.values() for cs in per.values() for c in cs}
    profiles.preload(firms)
    profiles.preload({c for firm in firms for c in profiles.get(firm).customers})
    product_names = _names(store, {p for per in candidates_by_segment.values() for p in per})

    rows: list[Target] = []
    for gap in report.segments:
        if gap.segment not in candidates_by_segment:
            continue
        candidates: dict[str, Target] = {}
        for product, makers in sorted(candidates_by_segment[gap.segment].items()):
            for company in makers:
                profile = profiles.get(company)
                if area in profile.places or not _passes(
                    profile, tags, include, exclude, min_revenue
                ):
                    continue
                target = _score(
                    config,
                    profiles,
                    profile,
                    gap.segment,
                    gap.name,
                    gap.status,
                    gap.priority,
                    product,
                    product_names,
                    leader_inputs,
                    focus_products,
                    area,
                )
                best = candidates.get(company)
                if best is None or target.score > best.score:
                    candidates[company] = target
        ranked = sorted(candidates.values(), key=lambda t: (-t.score, t.company))
        rows.extend(ranked[:top])
    return rows


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
    leadership = max((config.leadership_scores.get(t, 0.0) for t in profile.tags), default=0.0)
    if profile.global_rank is not None and profile.global_rank <= 100:
        leadership = 1.0
    if profile.revenue_cny_100m:
        scale = min(
            1.0,
            math.log10(1 + profile.revenue_cny_100m)
            / math.log10(1 + config.scale_full_revenue_cny_100m),
        )
    else:
        scale = 0.3 if profile.listing_board else 0.0
    if set(profile.tags) & set(_TOP_TECH_TAGS):
        technology = 1.0
    elif profile.listing_board and "科创板" in profile.listing_board:
        technology = 0.8
    elif set(profile.tags) & {"高新技术企业", "专精特新"}:
        technology = 0.6
    else:
        technology = 0.0
    local_customers = [c for c in profile.customers if area and profiles.is_local(c, area)]
    feeds = [p for p in profile.makes if p in leader_inputs]
    supply_ties = 1.0 if local_customers else 0.6 if feeds else 0.0
    alignment = 1.0 if product in focus_products else priority_weight
    confidence = 1.0 - 0.5 * profile.unverified_share
    parts = ScoreParts(
        round(config.severity[status] * priority_weight, 3),
        round(leadership, 3),
        round(scale, 3),
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


def _names(store: GraphStore, ids: Iterable[str]) -> dict[str, str]:
    return {node_id: node.name for node_id, node in store.get_many(ids).items()}


def _leader_inputs(store: GraphStore, report: GapReport) -> dict[str, str]:
    """Input product -> name of the local leader's product it goes into."""
    found: dict[str, str] = {}
    for gap in report.inputs:
        found.setdefault(gap.product, gap.for_product_name)
    return found


def _passes(
    profile: CompanyProfile,
    tags: Sequence[str],
    include: list[str],
    exclude: list[str],
    min_revenue: float | None,
) -> bool:
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
