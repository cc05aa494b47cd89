"""Gap analysis (建链/补链/强链/延链/优势) of a base or region, segment by segment."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.facts import Scope, resolve_scope
from chaingraph.analysis.gap_rules import (
    INSUFFICIENT,
    LocalEvidence,
    Reference,
    decisive,
    fact_of,
    unsure_names,
    verdict,
)
from chaingraph.analysis.rings import RingCounts, Rings, ring_counts, rings_of
from chaingraph.store.base import EconomyCounts, GraphStore, LeaderInput, SegmentCoverage

__all__ = [
    "ChainSummary",
    "GapReport",
    "InputGap",
    "SegmentGap",
    "decisive",
    "gaps",
    "status_severity",
]

STATUSES = ("建链", "补链", "强链", "数据不足", "延链", "优势")


@dataclass(frozen=True)
class SegmentGap:
    """One segment's local standing and the rule that set its status.

    ``rule`` names the rule that fired with its numbers, e.g.
    ``强链(薄弱): 区位商 0.44 < 1 (…)``.
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
    # The numbers behind the verdict (see gaps()):
    local_decisive: int = 0  # local firms with decisive evidence (verified, or strong)
    local_unverified: int = 0  # local firms whose best fact is unverified
    local_weak: int = 0  # local firms whose best fact is weak evidence
    expected_local: float | None = None  # local firms expected at the rest of China's density
    location_quotient: float | None = None  # 区位商 on decisive local firms
    decide_by: str = ""  # for 数据不足: what would decide it
    # Base scope: makers ring by ring (None where the ring does not apply, see rings.py):
    in_base: int | None = None  # in the base or its 镇/功能区
    in_city: int | None = None  # in the base's city
    in_metro: int | None = None  # in the metropolitan area (深莞惠)
    in_gba: int | None = None  # in the Greater Bay Area (大湾区)
    rings: str = ""  # the four counts as the table shows them, e.g. "0/3/12/15"
    reference_firms: int | None = None  # makers in China outside the area (the 区位商 reference)


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
    coverage_note: str = ""  # one line: how much the data knows here (see audit)
    ring_names: str = ""  # what the rings are, e.g. "谢岗镇/东莞市/深莞惠/大湾区"
    # Each product of a focus segment (gap or not) with the best focus priority holding
    # it, by product id: what the base wants, read by the target score's focus weight.
    focus_products: tuple[tuple[str, int], ...] = ()


def gaps(
    store: GraphStore,
    base: str | None = None,
    *,
    region: str | None = None,
    chain: str | None = None,
    config: AnalysisConfig | None = None,
    names: bool = True,
) -> GapReport:
    """Classify every focus segment of a base (or region) and list 延链 opportunities.

    A local firm's evidence in a segment is its best ``MAKES`` fact into the segment's
    products (see :mod:`chaingraph.store.base`); it is *decisive* when the fact
    is verified (a source other than ``unverified``) and not weak, or its ``evidence``
    is strong. The economy is the firms that make any product. The reference is the
    firms the data knows in China *outside* the area (:class:`Reference`): ``L`` local
    firms, ``R`` firms elsewhere in China, ``k`` of them making the segment (a local
    firm is never part of its own reference). For a count ``n`` of local firms:

    - ``n == 0``: expected = k × L / R, the local count at the rest of China's density;
      below ``min_expected_local`` (3: none by chance ≈ e^-3 = 5%), **数据不足** (absence
      says nothing); else **补链 (断链)** when local firms sit both upstream and
      downstream of it, else **建链**.
    - ``n > 0``: with ``k`` < ``min_known_makers``, **数据不足** (density cannot be
      judged); else the location quotient (区位商) LQ = (n / L) / (k / R): **强链 (薄弱)**
      when LQ < ``location_quotient`` (or n < ``min_local_firms``), **强链 (缺龙头)**
      when no local leader, **优势** otherwise. 建链 and 补链 are for missing links
      only: a segment with local makers is never one.

    A 数据不足 row says in ``decide_by`` what would decide it (the firms to check, or
    how many more makers elsewhere the data must know).
    The verdict is taken twice: counting every local firm, and counting only the
    decisive ones. When the two differ, the status is **数据不足** and ``decide_by``
    names the firms whose facts, once checked, decide it.
    **延链**: segments adjacent (up/downstream) to the focus that are outside it and
    have no local firm; and inputs of local leaders' products with no local maker.

    Parameters
    ----------
    store
        The graph (either engine).
    base, region
        Exactly one: the base (its local area follows ``config.scope``) or the region
        to judge (id or name).
    chain
        Only this chain's segments (id or name); a region without it is judged on
        every chain.
    config
        Thresholds and weights (:class:`AnalysisConfig`); the defaults when None.
    names
        False: each row's ``local_names`` is left empty, all else as with True (the
        target search reads counts and statuses only; a hub city's 10^5 names cost
        it a fifth of a second to fetch and decode).

    Returns
    -------
    GapReport
        One :class:`SegmentGap` per focus segment, then the 延链 neighbours; the 延链
        inputs of local leaders; completeness and 本地配套率 per chain; the local
        area, the one-line coverage note, the ring names and notes.

    Raises
    ------
    ConfigError
        When neither or both of ``base`` and ``region`` are given.
    NotFound
        For an unknown base, region or chain (with near names), or a base that lies in
        no city when ``config.scope`` is ``"city"``.

    Examples
    --------
    >>> from chaingraph.testing import evidence_store, tiny_store
    >>> report = gaps(tiny_store(), "base:yinping")
    >>> [(g.name, g.status) for g in report.segments]
    [('减速器', '数据不足'), ('核心零部件', '数据不足'), ('机器人本体', '数据不足'), ('系统集成', '数据不足')]
    >>> [(i.name, i.for_product_name) for i in report.inputs]
    [('谐波减速器', '工业机器人'), ('伺服电机', '工业机器人')]
    >>> for g in gaps(evidence_store(), "base:home").segments:
    ...     print(g.name, g.status, g.local_decisive, g.location_quotient)
    传感器 建链 0 None
    电机 强链 1 0.44
    结构件 强链 2 1.6
    控制器 数据不足 0 None
    整机 优势 3 2.4
    >>> gaps(tiny_store())
    Traceback (most recent call last):
    ...
    chaingraph.errors.ConfigError: name exactly one of --base or --region
    """
    with store.one_analysis():
        return _report(store, base, region, chain, config or AnalysisConfig(), names)


def _report(
    store: GraphStore,
    base: str | None,
    region: str | None,
    chain: str | None,
    config: AnalysisConfig,
    names: bool,
) -> GapReport:
    scope = resolve_scope(store, config, base, region, chain)
    notes: list[str] = []
    if not scope.priorities:
        notes.append(f"{scope.subject.name} 没有声明重点产业 (no focus declared): pass --chain")

    coverage = _coverage(store, scope.priorities, scope, config, names)
    economy = store.economy_counts(scope.area)
    adjacent: set[str] = set()
    for seg in scope.priorities:
        adjacent |= set(coverage[seg].upstream) | set(coverage[seg].downstream)
    coverage.update(_coverage(store, sorted(adjacent - coverage.keys()), scope, config, names))
    adjacent -= set(scope.priorities)

    evidence = {seg: LocalEvidence.of(coverage[seg]) for seg in scope.priorities}
    named = unsure_names(store, coverage, evidence)
    rows: dict[str, SegmentGap] = {}
    for seg, priority in scope.priorities.items():
        rows[seg] = _classify(
            coverage[seg], evidence[seg], named[seg], priority, coverage, economy, config
        )
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
            f"延链(相邻环节): 与重点环节有投入产出关系、本地尚无企业 (全国已知 {cov.national} 家)",
            round(config.severity["延链"] * config.adjacent_priority_weight, 3),
            (),
        )

    focus_products = {p for seg in scope.priorities for p in coverage[seg].products}
    leader_inputs = store.leader_inputs(sorted(focus_products), scope.area, config.leader)
    inputs = _input_gaps(leader_inputs)
    rings = rings_of(store, scope.subject)
    counts = ring_counts(store, rings, rows)
    rows = {seg: _with_rings(row, counts[seg], rings) for seg, row in rows.items()}
    ordered = sorted(rows.values(), key=lambda g: (-g.severity, g.chain, g.segment))
    wanted: dict[str, int] = {}
    for seg, priority in scope.priorities.items():
        for product in coverage[seg].products:
            wanted[product] = min(priority, wanted.get(product, priority))
    return GapReport(
        scope.subject.id,
        scope.subject.name,
        scope.area,
        scope.area_name,
        tuple(ordered),
        tuple(inputs),
        tuple(_chain_summaries(store, rows, leader_inputs, coverage)),
        tuple(notes),
        coverage_note(rows.values(), economy, scope.area_name),
        rings.label,
        tuple(sorted(wanted.items())),
    )


def _with_rings(row: SegmentGap, counts: RingCounts, rings: Rings) -> SegmentGap:
    """The row with its ring counts, and a note on the rule when the city has no maker
    but the metropolitan area or the Greater Bay Area has (firms nearby to attract)."""
    rule = row.rule
    if counts.in_city == 0 and (counts.in_metro or counts.in_gba):
        nearby = [
            f"{name}有 {n} 家"
            for name, n in ((rings.metro_name, counts.in_metro), ("大湾区", counts.in_gba))
            if n
        ]
        rule += f"；{rings.city_name}无，" + "，".join(nearby) + " (可就近招引)"
    shown = "/".join(
        "-" if n is None else str(n)
        for n in (counts.in_base, counts.in_city, counts.in_metro, counts.in_gba)
    )
    return dataclasses.replace(
        row,
        rule=rule,
        in_base=counts.in_base,
        in_city=counts.in_city,
        in_metro=counts.in_metro,
        in_gba=counts.in_gba,
        rings=shown,
    )


def status_severity(config: AnalysisConfig, status: str, local: int, national: int) -> float:
    """The severity of a status (``config.severity``); a 数据不足 row leans by what the
    data shows: × (0.8 + 0.4 × the share of the segment's known makers in China that
    are not local), so with the default 0.5 it runs from 0.4 (every known maker is
    local) to 0.6 (none is), between 延链 and 强链; with no maker known, 0.5.

    Examples
    --------
    >>> config = AnalysisConfig()
    >>> status_severity(config, "数据不足", 0, 3), status_severity(config, "数据不足", 3, 3)
    (0.6, 0.4)
    >>> status_severity(config, "建链", 0, 3)
    1.0
    """
    base = config.severity[status]
    if status != INSUFFICIENT or national <= 0:
        return base  # nothing known anywhere leans neither way
    outside = max(national - local, 0) / national
    return round(base * (0.8 + 0.4 * outside), 3)


def coverage_note(rows: Iterable[SegmentGap], economy: EconomyCounts, area_name: str) -> str:
    """One line on how far the verdicts can be trusted: firms known, evidence, thin rows."""
    judged = [g for g in rows if g.priority is not None]
    local = sum(g.local_firms for g in judged)
    decided = sum(g.local_decisive for g in judged)
    thin = sum(1 for g in judged if g.status == INSUFFICIENT)
    return (
        f"数据覆盖: {area_name}已知制造企业 {economy.local} 家 (全国 {economy.national} 家); "
        f"重点环节本地企业 {local} 家次，其中证据确凿 {decided} 家次; "
        f"{thin}/{len(judged)} 个环节数据不足 (详见 chaingraph audit)"
    )


def _coverage(
    store: GraphStore, segments: Iterable[str], scope: Scope, config: AnalysisConfig, names: bool
) -> dict[str, SegmentCoverage]:
    return store.segment_coverage(segments, scope.area, config.leader, names=names)


def _classify(
    cov: SegmentCoverage,
    evidence: LocalEvidence,
    unsure: list[str],
    priority: int,
    coverage: dict[str, SegmentCoverage],
    economy: EconomyCounts,
    config: AnalysisConfig,
) -> SegmentGap:
    """A focus segment's row; ``unsure``: the names of its first unsure local firms."""
    local = cov.local
    pairs, unsure_of = evidence.pairs, evidence.unsure_of
    sure_count = evidence.sure
    unsure_count = len(local) - sure_count
    firm = set(cov.local_leaders)
    sure_leader = any(not unsure_of[fact_of(cov, c)] for c in firm)
    reference = Reference.of(cov, economy)
    every = verdict(cov, len(local), bool(firm), coverage, reference, config)
    proven = verdict(cov, sure_count, sure_leader, coverage, reference, config, bool(unsure_count))
    status, rule, lq = proven
    decide_by = ""
    if every[0] != proven[0]:
        listed = "、".join(unsure[:3]) + ("等" if unsure_count > 3 else "")
        decide_by = f"核实{listed}的产品事实"
        status = INSUFFICIENT
        rule = (
            f"数据不足: 本地 {len(local)} 家中 {unsure_count} 家仅有未核实或弱证据 ({listed})；"
            f"若属实为{every[0]}，否则为{proven[0]}"
        )
    else:
        if unsure_count:
            listed = "、".join(unsure[:3]) + ("等" if unsure_count > 3 else "")
            rule += f"；另有 {unsure_count} 家仅有未核实或弱证据 ({listed})"
        if status == INSUFFICIENT:
            decide_by = reference.decide_by(sure_count, config)
    severity = (
        status_severity(config, status, len(local), cov.national)
        * config.priority_weight(priority)
        * cov.weight
    )
    return SegmentGap(
        cov.segment,
        cov.name,
        cov.chain,
        cov.stage,
        priority,
        len(local),
        len(cov.local_leaders),
        cov.makers - len(local),
        cov.national,
        status,
        rule,
        round(severity, 3),
        cov.local_names,
        sure_count,
        sum(n for (v, _), n in pairs.items() if not v),
        sum(n for (v, g), n in pairs.items() if v and g == "weak"),
        round(reference.expected, 2),
        lq,
        decide_by,
        reference_firms=reference.segment,
    )


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
