"""Gap analysis (建链/补链/强链/延链/优势) of a base or region, segment by segment."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.facts import Scope, resolve_scope
from chaingraph.store.aggregates import LeaderInput, SegmentCoverage
from chaingraph.store.base import GraphStore

__all__ = ["ChainSummary", "GapReport", "InputGap", "SegmentGap", "gaps", "is_leader"]

STATUSES = ("建链", "补链", "强链", "延链", "优势")
LEADER_RANK = 100  # a global rank at most this makes a leader


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
        global_rank is not None and global_rank <= LEADER_RANK
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
    notes: list[str] = []
    if not scope.priorities:
        notes.append(f"{scope.subject.name} 没有声明重点产业 (no focus declared): pass --chain")

    coverage = _coverage(store, scope.priorities, scope, config)
    adjacent: set[str] = set()
    for seg in scope.priorities:
        adjacent |= set(coverage[seg].upstream) | set(coverage[seg].downstream)
    coverage.update(_coverage(store, sorted(adjacent - coverage.keys()), scope, config))
    adjacent -= set(scope.priorities)

    rows: dict[str, SegmentGap] = {}
    for seg, priority in scope.priorities.items():
        rows[seg] = _classify(coverage[seg], priority, coverage, config)
    for seg in sorted(adjacent):
        cov = coverage[seg]
        if cov.local:
            continue
        rows[seg] = SegmentGap(
            seg,
            cov.name,
            cov.chain,
            cov.stage,
            None,
            0,
            0,
            cov.makers,
            cov.national,
            "延链",
            "延链(相邻环节): 与重点环节有投入产出关系、本地尚无企业",
            round(config.severity["延链"] * config.adjacent_priority_weight, 3),
            (),
        )

    focus_products = {p for seg in scope.priorities for p in coverage[seg].products}
    leader_inputs = store.leader_inputs(
        sorted(focus_products), scope.area, config.leader_tags, LEADER_RANK
    )
    inputs = _input_gaps(leader_inputs)
    ordered = sorted(rows.values(), key=lambda g: (-g.severity, g.chain, g.segment))
    return GapReport(
        scope.subject.id,
        scope.subject.name,
        scope.area,
        scope.area_name,
        tuple(ordered),
        tuple(inputs),
        tuple(_chain_summaries(store, rows, leader_inputs, coverage)),
        tuple(notes),
    )


def _coverage(
    store: GraphStore, segments: Iterable[str], scope: Scope, config: AnalysisConfig
) -> dict[str, SegmentCoverage]:
    return store.segment_coverage(segments, scope.area, config.leader_tags, LEADER_RANK)


def _classify(
    cov: SegmentCoverage,
    priority: int,
    coverage: dict[str, SegmentCoverage],
    config: AnalysisConfig,
) -> SegmentGap:
    local, leaders, national = cov.local, cov.local_leaders, cov.national
    if not local:
        up_local = [s for s in cov.upstream if coverage[s].local]
        down_local = [s for s in cov.downstream if coverage[s].local]
        if up_local and down_local:
            status = "补链"
            rule = (
                f"补链(断链): 本地无企业，但上游{_names(coverage, up_local)}与下游"
                f"{_names(coverage, down_local)}均有本地企业"
            )
        else:
            status, rule = (
                "建链",
                f"建链: 本地无企业 (全国 {national} 家，其他地区 {cov.makers} 家)",
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
    severity = config.severity[status] * config.priority_weight(priority) * cov.weight
    return SegmentGap(
        cov.segment,
        cov.name,
        cov.chain,
        cov.stage,
        priority,
        len(local),
        len(leaders),
        cov.makers - len(local),
        national,
        status,
        rule,
        round(severity, 3),
        cov.local_names,
    )


def _names(coverage: dict[str, SegmentCoverage], ids: list[str], limit: int = 2) -> str:
    names = [coverage[i].name for i in ids[:limit]]
    return "、".join(names) + ("等" if len(ids) > limit else "")


def _input_gaps(leader_inputs: list[LeaderInput]) -> list[InputGap]:
    """Inputs of local leaders' products (in the focus chains) that no local firm makes."""
    found = [
        InputGap(
            row.input,
            row.input_name,
            row.input_segments[0] if row.input_segments else "",
            row.product,
            row.product_name,
            row.leader_names,
            row.makers,
            f"延链(以商招商): 本地龙头{'、'.join(row.leader_names)}所需投入，本地无供应",
        )
        for row in leader_inputs
        if not row.local_makers
    ]
    return sorted(found, key=lambda g: (g.for_product, g.product))


def _chain_summaries(
    store: GraphStore,
    rows: dict[str, SegmentGap],
    leader_inputs: list[LeaderInput],
    coverage: dict[str, SegmentCoverage],
) -> list[ChainSummary]:
    by_chain: dict[str, list[SegmentGap]] = {}
    for row in rows.values():
        if row.priority is not None:
            by_chain.setdefault(row.chain, []).append(row)
    chains = store.get_many(by_chain)
    summaries = []
    for chain_id, segs in sorted(by_chain.items()):
        weights = {g.segment: coverage[g.segment].weight for g in segs}
        total = sum(weights.values())
        present = [g for g in segs if g.local_firms > 0]
        completeness = sum(weights[g.segment] for g in present) / total if total else 0.0
        products = {p for g in segs for p in coverage[g.segment].products}
        pairs = {(r.input, r.product) for r in leader_inputs if r.product in products}
        supported = len(
            {
                (r.input, r.product)
                for r in leader_inputs
                if r.product in products and r.local_makers
            }
        )
        node = chains.get(chain_id)
        summaries.append(
            ChainSummary(
                chain_id,
                node.name if node else chain_id,
                len(segs),
                len(present),
                round(completeness, 3),
                len(pairs),
                supported,
                round(supported / len(pairs), 3) if pairs else None,
            )
        )
    return summaries
