"""Gap analysis (建链/补链/强链/延链/优势) of a base or region, segment by segment."""

from __future__ import annotations

from dataclasses import dataclass

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.facts import (
    Profiles,
    Scope,
    resolve_scope,
    segment_direct_makers,
    segment_neighbours,
)
from chaingraph.analysis.structure import chain_of_segment
from chaingraph.store.base import GraphStore

__all__ = ["ChainSummary", "GapReport", "InputGap", "SegmentGap", "gaps", "is_leader"]

STATUSES = ("建链", "补链", "强链", "延链", "优势")


@dataclass(frozen=True)
class SegmentGap:
    """One segment's local standing and the rule that set its status.

    ``rule`` names the rule that fired with its numbers, e.g.
    ``补链(薄弱): 本地企业 1 < 阈值 2``.
    """

    segment: str
    name: str
    chain: str
    stage: str
    priority: int | None
    local_firms: int
    local_leaders: int
    elsewhere_firms: int
    national_firms: int
    status: str
    rule: str
    severity: float
    local_names: tuple[str, ...]


@dataclass(frozen=True)
class InputGap:
    """延链 (以商招商): an input of a local leader's product that no local firm makes."""

    product: str
    name: str
    segment: str
    for_product: str
    for_product_name: str
    local_leaders: tuple[str, ...]
    makers_elsewhere: int
    rule: str


@dataclass(frozen=True)
class ChainSummary:
    """Completeness (weighted share of segments present) and 本地配套率 of one chain."""

    chain: str
    name: str
    segments: int
    present: int
    completeness: float
    local_leader_inputs: int
    local_supported_inputs: int
    local_supply_rate: float | None


@dataclass(frozen=True)
class GapReport:
    subject: str
    subject_name: str
    area: str
    area_name: str
    segments: tuple[SegmentGap, ...]
    inputs: tuple[InputGap, ...]
    chains: tuple[ChainSummary, ...]
    notes: tuple[str, ...]


def is_leader(tags: tuple[str, ...], global_rank: int | None, config: AnalysisConfig) -> bool:
    """A 龙头: any configured leader tag, or a global rank within the top 100."""
    return bool(set(tags) & set(config.leader_tags)) or (
        global_rank is not None and global_rank <= 100
    )


def gaps(
    store: GraphStore,
    base: str | None = None,
    *,
    region: str | None = None,
    chain: str | None = None,
    config: AnalysisConfig | None = None,
) -> GapReport:
    """Classify every focus segment of a base (or region) and list 延链 opportunities.

    Rules, in order (thresholds from :class:`AnalysisConfig`):

    - **建链**: no local firm makes any product of the segment.
    - **补链 (断链)**: no local firm, but local firms sit both upstream and downstream of it.
    - **补链 (薄弱)**: local firms, but fewer than ``min_local_firms``.
    - **强链**: enough local firms, but no local leader, or local firms are less than
      ``min_national_share`` of the firms in China.
    - **优势**: enough local firms, led locally, with a fair national share.
    - **延链**: segments adjacent (up/downstream) to the focus that are outside it and
      have no local firm; and inputs of local leaders' products with no local maker.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> report = gaps(tiny_store(), "base:yinping")
    >>> [(g.name, g.status) for g in report.segments]
    [('核心零部件', '建链'), ('减速器', '建链'), ('机器人本体', '补链'), ('系统集成', '补链')]
    >>> [(i.name, i.for_product_name) for i in report.inputs]
    [('谐波减速器', '工业机器人'), ('伺服电机', '工业机器人')]
    """
    config = config or AnalysisConfig()
    scope = resolve_scope(store, config, base, region, chain)
    profiles = Profiles(store)
    notes: list[str] = []
    if not scope.priorities:
        notes.append(f"{scope.subject.name} 没有声明重点产业 (no focus declared): pass --chain")

    makers = {seg: segment_direct_makers(store, seg) for seg in scope.priorities}
    rows: dict[str, SegmentGap] = {}
    local_cache: dict[str, list[str]] = {}

    def local_of(seg: str) -> list[str]:
        if seg not in local_cache:
            firms = {c for cs in segment_direct_makers(store, seg).values() for c in cs}
            local_cache[seg] = sorted(c for c in firms if profiles.is_local(c, scope.area))
        return local_cache[seg]

    for seg, priority in scope.priorities.items():
        firms = sorted({c for cs in makers[seg].values() for c in cs})
        rows[seg] = _classify(store, seg, priority, firms, scope, profiles, config, local_of)

    adjacent: set[str] = set()
    for seg in scope.priorities:
        up, down = segment_neighbours(store, seg)
        adjacent |= (up | down) - set(scope.priorities)
    for seg in sorted(adjacent):
        if local_of(seg):
            continue
        firms = sorted({c for cs in segment_direct_makers(store, seg).values() for c in cs})
        node = store.get(seg)
        rows[seg] = SegmentGap(
            seg,
            node.name if node else seg,
            chain_of_segment(store, seg) or "",
            node.get("stage", "") if node else "",
            None,
            0,
            0,
            len(firms),
            _national(firms, profiles),
            "延链",
            "延链(相邻环节): 与重点环节有投入产出关系、本地尚无企业",
            round(config.severity["延链"] * config.adjacent_priority_weight, 3),
            (),
        )

    inputs = _input_gaps(store, scope, profiles, config)
    ordered = sorted(rows.values(), key=lambda g: (-g.severity, g.chain, g.segment))
    return GapReport(
        scope.subject.id,
        scope.subject.name,
        scope.area,
        scope.area_name,
        tuple(ordered),
        tuple(inputs),
        tuple(_chain_summaries(store, scope, rows, inputs, profiles, config)),
        tuple(notes),
    )


def _national(firms: list[str], profiles: Profiles) -> int:
    return sum(1 for c in firms if "region:cn" in profiles.get(c).places)


def _classify(
    store: GraphStore,
    seg: str,
    priority: int,
    firms: list[str],
    scope: Scope,
    profiles: Profiles,
    config: AnalysisConfig,
    local_of: object,
) -> SegmentGap:
    local = [c for c in firms if profiles.is_local(c, scope.area)]
    leaders = [
        c for c in local if is_leader(profiles.get(c).tags, profiles.get(c).global_rank, config)
    ]
    national = _national(firms, profiles)
    node = store.get(seg)
    if not local:
        up, down = segment_neighbours(store, seg)
        up_local = [s for s in sorted(up) if local_of(s)]  # type: ignore[operator]
        down_local = [s for s in sorted(down) if local_of(s)]  # type: ignore[operator]
        if up_local and down_local:
            status = "补链"
            rule = (
                f"补链(断链): 本地无企业，但上游{_names(store, up_local)}与下游"
                f"{_names(store, down_local)}均有本地企业"
            )
        else:
            status, rule = (
                "建链",
                f"建链: 本地无企业 (全国 {national} 家，其他地区 {len(firms)} 家)",
            )
    elif len(local) < config.min_local_firms:
        status, rule = "补链", f"补链(薄弱): 本地企业 {len(local)} < 阈值 {config.min_local_firms}"
    elif not leaders:
        status, rule = "强链", f"强链: 本地企业 {len(local)} 家，但无龙头企业"
    elif national and len(local) / national < config.min_national_share:
        share = len(local) / national
        status = "强链"
        rule = f"强链: 本地占全国 {share:.1%} < {config.min_national_share:.0%}"
    else:
        status, rule = "优势", f"优势: 本地企业 {len(local)} 家，龙头 {len(leaders)} 家"
    severity = config.severity[status] * config.priority_weight(priority) * _weight(store, seg)
    return SegmentGap(
        seg,
        node.name if node else seg,
        chain_of_segment(store, seg) or "",
        node.get("stage", "") if node else "",
        priority,
        len(local),
        len(leaders),
        len(firms) - len(local),
        national,
        status,
        rule,
        round(severity, 3),
        tuple(profiles.get(c).name for c in local),
    )


def _names(store: GraphStore, ids: list[str], limit: int = 2) -> str:
    names = [n.name for n in (store.get(i) for i in ids[:limit]) if n]
    return "、".join(names) + ("等" if len(ids) > limit else "")


def _input_gaps(
    store: GraphStore, scope: Scope, profiles: Profiles, config: AnalysisConfig
) -> list[InputGap]:
    """Inputs of local leaders' products (in the focus chains) that no local firm makes."""
    focus_products = {p for seg in scope.priorities for p in segment_direct_makers(store, seg)}
    leaders_by_product: dict[str, list[str]] = {}
    for product in sorted(focus_products):
        for rel in store.relationships("MAKES", target=product):
            profile = profiles.get(rel.source)
            if profiles.is_local(rel.source, scope.area) and is_leader(
                profile.tags, profile.global_rank, config
            ):
                leaders_by_product.setdefault(product, []).append(rel.source)
    found: dict[tuple[str, str], InputGap] = {}
    for product, leaders in leaders_by_product.items():
        for rel in store.relationships("INPUT_TO", target=product):
            makers = [m.source for m in store.relationships("MAKES", target=rel.source)]
            if any(profiles.is_local(m, scope.area) for m in makers):
                continue
            node, target = store.get(rel.source), store.get(product)
            segs = [r.target for r in store.relationships("IN_SEGMENT", source=rel.source)]
            leader_names = tuple(sorted(profiles.get(c).name for c in leaders))
            found[(rel.source, product)] = InputGap(
                rel.source,
                node.name if node else rel.source,
                segs[0] if segs else "",
                product,
                target.name if target else product,
                leader_names,
                len(makers),
                f"延链(以商招商): 本地龙头{'、'.join(leader_names)}所需投入，本地无供应",
            )
    return sorted(found.values(), key=lambda g: (g.for_product, g.product))


def _chain_summaries(
    store: GraphStore,
    scope: Scope,
    rows: dict[str, SegmentGap],
    inputs: list[InputGap],
    profiles: Profiles,
    config: AnalysisConfig,
) -> list[ChainSummary]:
    by_chain: dict[str, list[SegmentGap]] = {}
    for row in rows.values():
        if row.priority is not None:
            by_chain.setdefault(row.chain, []).append(row)
    missing_inputs = {(g.product, g.for_product) for g in inputs}
    summaries = []
    for chain_id, segs in sorted(by_chain.items()):
        weights = {g.segment: _weight(store, g.segment) for g in segs}
        total = sum(weights.values())
        present = [g for g in segs if g.local_firms > 0]
        completeness = sum(weights[g.segment] for g in present) / total if total else 0.0
        leader_inputs: set[tuple[str, str]] = set()
        for g in segs:
            for product, makers in segment_direct_makers(store, g.segment).items():
                if any(
                    profiles.is_local(m, scope.area)
                    and is_leader(profiles.get(m).tags, profiles.get(m).global_rank, config)
                    for m in makers
                ):
                    leader_inputs.update(
                        (r.source, product) for r in store.relationships("INPUT_TO", target=product)
                    )
        supported = len(leader_inputs - missing_inputs)
        node = store.get(chain_id)
        summaries.append(
            ChainSummary(
                chain_id,
                node.name if node else chain_id,
                len(segs),
                len(present),
                round(completeness, 3),
                len(leader_inputs),
                supported,
                round(supported / len(leader_inputs), 3) if leader_inputs else None,
            )
        )
    return summaries


def _weight(store: GraphStore, segment: str) -> float:
    node = store.get(segment)
    return float(node.get("weight", 1.0)) if node else 1.0
