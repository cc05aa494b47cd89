"""What-if planning: choose K firms to attract that close the most weighted gaps."""

from __future__ import annotations

from dataclasses import dataclass

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.facts import Profiles
from chaingraph.analysis.gaps import GapReport, SegmentGap, gaps, is_leader
from chaingraph.analysis.targets import targets
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


def plan(
    store: GraphStore,
    base: str,
    budget: int,
    *,
    chain: str | None = None,
    config: AnalysisConfig | None = None,
) -> Plan:
    """Greedy choice of ``budget`` firms maximising the weighted gap value closed.

    A segment's value is ``priority weight × (0.7 × min(1, local firms / min_local_firms)
    + 0.3 × led locally)``; attracting a firm adds it to every focus segment where it
    makes a product. Each step takes the firm with the largest marginal gain (ties:
    higher target score, then smaller id), so the order shows diminishing returns.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> result = plan(tiny_store(), "base:yinping", 2)
    >>> [(p.name, p.marginal_gain) for p in result.picks]
    [('日伺服', 1.0), ('苏减速', 0.7)]
    >>> result.completeness_before, result.completeness_after
    ({'chain:robot': 0.5}, {'chain:robot': 1.0})
    """
    if budget < 1:
        from chaingraph.errors import ConfigError

        raise ConfigError("--budget must be at least 1")
    config = config or AnalysisConfig()
    report = gaps(store, base, chain=chain, config=config)
    profiles = Profiles(store)
    focus = [g for g in report.segments if g.priority is not None]
    counts = {g.segment: g.local_firms for g in focus}
    led = {g.segment: g.local_leaders > 0 for g in focus}
    candidates = _candidates(store, report, config, profiles)

    def value(seg: str, n: int, lead: bool) -> float:
        weight = config.priority_weight(next(g.priority for g in focus if g.segment == seg))
        return weight * (0.7 * min(1.0, n / config.min_local_firms) + 0.3 * lead)

    before = sum(value(g.segment, counts[g.segment], led[g.segment]) for g in focus)
    completeness_before = _completeness(focus, counts)
    picks: list[Pick] = []
    chosen: set[str] = set()
    for order in range(1, budget + 1):
        best: tuple[float, float, str] | None = None
        for company, (segments, leader, score, _) in candidates.items():
            if company in chosen:
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
        picks.append(
            Pick(
                order, company, profiles.get(company).name, segments, round(gain, 3), score, reason
            )
        )
    after = sum(value(g.segment, counts[g.segment], led[g.segment]) for g in focus)
    return Plan(
        report.subject,
        budget,
        tuple(picks),
        completeness_before,
        _completeness(focus, counts),
        round(before, 3),
        round(after, 3),
    )


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
                is_leader(profile.tags, profile.global_rank, config),
                score,
                reason,
            )
    return found


def _completeness(focus: list[SegmentGap], counts: dict[str, int]) -> dict[str, float]:
    by_chain: dict[str, list[bool]] = {}
    for g in focus:
        by_chain.setdefault(g.chain, []).append(counts[g.segment] > 0)
    return {c: round(sum(v) / len(v), 3) for c, v in sorted(by_chain.items())}
