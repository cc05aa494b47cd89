"""What-if planning: choose K firms to attract that close the most weighted gaps."""

from __future__ import annotations

from dataclasses import dataclass

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.facts import Profiles
from chaingraph.analysis.gaps import GapReport, SegmentGap, gaps
from chaingraph.analysis.targets import targets
from chaingraph.errors import ConfigError
from chaingraph.store.base import GraphStore

__all__ = ["Pick", "Plan", "plan"]


@dataclass(frozen=True)
class Pick:
    """One chosen firm, in order, with what it adds."""

    order: int
    company: str
    name: str
    segments: tuple[str, ...]
    marginal_gain: float
    score: float
    reason: str
    facility: str = ""  # what it would build here (see AnalysisConfig.facility_rules)
    land_km2: float = 0.0


@dataclass(frozen=True)
class Plan:
    """The picks and completeness per chain before and after attracting them."""

    subject: str
    budget: int
    picks: tuple[Pick, ...]
    completeness_before: dict[str, float]
    completeness_after: dict[str, float]
    value_before: float
    value_after: float
    land_km2: float | None = None  # the base's area
    land_open_km2: float | None = None  # the share of it the plan may fill
    land_used_km2: float = 0.0
    notes: tuple[str, ...] = ()


def plan(
    store: GraphStore,
    base: str,
    budget: int,
    *,
    chain: str | None = None,
    config: AnalysisConfig | None = None,
) -> Plan:
    """Greedy choice of ``budget`` firms maximising the weighted gap value closed, within
    what the base can host.

    A segment's value is ``plan priority weight × (0.7 × min(1, local firms /
    min_local_firms) + 0.3 × led locally)`` (``plan_priority_weights``: P1 1.0, P2 0.3,
    P3 0.15), so the base's first focus is filled first; attracting
    a firm adds it to every focus segment where it makes a product. Each firm brings
    one facility, whose kind and land come from the gap segments it fills
    (``config.facility_rules``: a 晶圆厂 takes 1 km², 研发设计 0.02 km², …; a mine
    cannot be placed in a park). Picks must fit in ``plan_land_share`` of the base's
    ``area_km2``. Each step takes the firm with the largest marginal gain that fits
    (ties: higher target score, then smaller id), so the order shows diminishing returns.

    Parameters
    ----------
    store
        The graph.
    base
        The base to plan for (id or name).
    budget
        How many firms to pick (at least 1).
    chain
        Only this chain's focus segments (id or name).
    config
        Weights, facility rules and land share (:class:`AnalysisConfig`).

    Returns
    -------
    Plan
        The picks in the order taken (each with its facility, land and marginal gain),
        completeness per chain and weighted gap value before and after, the land the
        plan may and does use, and notes (e.g. firms whose facility cannot be placed).

    Raises
    ------
    ConfigError
        When ``budget`` is below 1.
    NotFound
        For an unknown base or chain (with near names).

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> result = plan(tiny_store(), "base:yinping", 2)
    >>> [(p.name, p.marginal_gain, p.facility) for p in result.picks]
    [('日伺服', 1.0, '制造工厂'), ('苏减速', 0.7, '制造工厂')]
    >>> result.completeness_before, result.completeness_after
    ({'chain:robot': 0.5}, {'chain:robot': 1.0})
    >>> result.land_open_km2, result.land_used_km2
    (3.522, 0.4)
    >>> plan(tiny_store(), "base:yinping", 0)
    Traceback (most recent call last):
    ...
    chaingraph.errors.ConfigError: --budget must be at least 1
    """
    if budget < 1:
        raise ConfigError("--budget must be at least 1")
    config = config or AnalysisConfig()
    report = gaps(store, base, chain=chain, config=config)
    profiles = Profiles(store)
    focus = [g for g in report.segments if g.priority is not None]
    counts = {g.segment: g.local_firms for g in focus}
    led = {g.segment: g.local_leaders > 0 for g in focus}
    candidates = _candidates(store, report, config, profiles)

    def value(seg: str, n: int, lead: bool) -> float:
        priority = next(g.priority for g in focus if g.segment == seg)
        weights = config.plan_priority_weights
        weight = weights.get(priority or 0, min(weights.values()))
        return weight * (0.7 * min(1.0, n / config.min_local_firms) + 0.3 * lead)

    names = {g.segment: g.name for g in focus}
    facility = {c: _facility(config, [names[s] for s in v[0]]) for c, v in candidates.items()}
    base_node = store.get(report.subject)
    area = base_node.get("area_km2") if base_node is not None else None
    land = float(area) if isinstance(area, int | float) and area > 0 else None
    open_land = round(land * config.plan_land_share, 3) if land is not None else None
    notes = []
    unplaceable = sorted(c for c, (_, km2) in facility.items() if km2 is None)
    if unplaceable:
        notes.append(f"{len(unplaceable)} 家企业的设施无法落在园区 (如资源开采)，未纳入")
    if open_land is None:
        notes.append("基地无面积数据 (area_km2)，未做用地约束")
    used = 0.0
    before = sum(value(g.segment, counts[g.segment], led[g.segment]) for g in focus)
    completeness_before = _completeness(focus, counts)
    picks: list[Pick] = []
    chosen: set[str] = set()
    too_big = 0
    for order in range(1, budget + 1):
        best: tuple[float, float, str] | None = None
        for company, (segments, leader, score, _) in candidates.items():
            if company in chosen:
                continue
            km2 = facility[company][1]
            if km2 is None or (open_land is not None and used + km2 > open_land + 1e-9):
                too_big += order == 1 and km2 is not None
                continue
            gain = sum(
                value(s, counts[s] + 1, led[s] or leader) - value(s, counts[s], led[s])
                for s in segments
            )
            key = (round(gain, 6), score, company)
            if best is None or (key[0], key[1], _neg(key[2])) > (best[0], best[1], _neg(best[2])):
                best = key
        if best is None or best[0] <= 0:
            break
        gain, score, company = best
        segments, leader, _, reason = candidates[company]
        for s in segments:
            counts[s] += 1
            led[s] = led[s] or leader
        chosen.add(company)
        kind, km2 = facility[company]
        used += km2 or 0.0
        picks.append(
            Pick(
                order,
                company,
                profiles.get(company).name,
                segments,
                round(gain, 3),
                score,
                reason,
                kind,
                km2 or 0.0,
            )
        )
    if too_big:
        notes.append(f"{too_big} 家企业所需用地超出基地可用面积 {open_land} km²，未纳入")
    after = sum(value(g.segment, counts[g.segment], led[g.segment]) for g in focus)
    return Plan(
        report.subject,
        budget,
        tuple(picks),
        completeness_before,
        _completeness(focus, counts),
        round(before, 3),
        round(after, 3),
        land,
        open_land,
        round(used, 3),
        tuple(notes),
    )


def _facility(config: AnalysisConfig, segment_names: list[str]) -> tuple[str, float | None]:
    """The facility a firm filling these segments would bring, and its land in km²."""
    for kind, keywords, km2 in config.facility_rules:
        if any(k in name for name in segment_names for k in keywords):
            return kind, km2
    return config.default_facility[0], config.default_facility[1]


def _neg(company: str) -> tuple[int, ...]:
    # Larger tuples win in the comparison; invert the id so the smaller id wins ties.
    return tuple(-ord(c) for c in company)


def _candidates(
    store: GraphStore, report: GapReport, config: AnalysisConfig, profiles: Profiles
) -> dict[str, tuple[tuple[str, ...], bool, float, str]]:
    """Firm -> (focus segments it would join, is it a leader, best target score, reason)."""
    focus = {g.segment for g in report.segments if g.priority is not None}
    best: dict[str, tuple[float, str]] = {}
    for t in targets(store, report=report, top=10**6, config=config):
        if t.company not in best or t.score > best[t.company][0]:
            best[t.company] = (t.score, t.reason)
    joins: dict[str, set[str]] = {}
    for segment, per_product in store.segment_candidates(sorted(focus), "").items():
        for makers in per_product.values():
            for company in makers:
                joins.setdefault(company, set()).add(segment)
    profiles.preload(best)
    found = {}
    for company, (score, reason) in best.items():
        segments = tuple(sorted(joins.get(company, ())))
        if segments:
            profile = profiles.get(company)
            found[company] = (
                segments,
                config.leader.holds_for(profile.tags, profile.global_rank),
                score,
                reason,
            )
    return found


def _completeness(focus: list[SegmentGap], counts: dict[str, int]) -> dict[str, float]:
    by_chain: dict[str, list[bool]] = {}
    for g in focus:
        by_chain.setdefault(g.chain, []).append(counts[g.segment] > 0)
    return {c: round(sum(v) / len(v), 3) for c, v in sorted(by_chain.items())}
