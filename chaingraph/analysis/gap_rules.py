"""The rules that set a focus segment's gap status: its local firms' evidence counted,
the reference it is measured against, and the verdict (see :func:`~chaingraph.analysis.gaps.gaps`)."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from itertools import compress, count, islice

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.store.base import EconomyCounts, GraphStore, SegmentCoverage

__all__ = [
    "INSUFFICIENT",
    "UNSURE_SHOWN",
    "LocalEvidence",
    "Reference",
    "decisive",
    "fact_of",
    "unsure_names",
    "verdict",
]

INSUFFICIENT = "数据不足"


def decisive(verified: bool, grade: str) -> bool:
    """Whether a firm's best fact in a segment decides a verdict: verified and not weak,
    or strong evidence."""
    return grade == "strong" or (verified and grade != "weak")


@dataclass(frozen=True)
class LocalEvidence:
    """A segment's local firms by their best fact: how many of each (verified, grade)
    pair, which pairs are unsure (not decisive), and where in ``local`` the first
    :data:`UNSURE_SHOWN` unsure firms are (the ones a rule names)."""

    pairs: Counter[tuple[bool, str]]
    unsure_of: dict[tuple[bool, str], bool]
    first_unsure: tuple[int, ...]

    @classmethod
    def of(cls, cov: SegmentCoverage) -> LocalEvidence:
        local = cov.local
        verified, grades = cov.local_verified, cov.local_grades
        if not len(local) == len(verified) == len(grades):
            raise ValueError(f"{cov.segment}: local firms and facts differ in length")
        if cov.local_names and len(cov.local_names) != len(local):
            raise ValueError(f"{cov.segment}: local firms and names differ in length")
        # Counted in C (Counter, compress, a lookup per pair): a hub city has 10^5 local
        # firms in a segment, and a Python frame per firm cost most of a warm gaps call.
        if local and verified.count(verified[0]) == len(local) == grades.count(grades[0]):
            pairs = Counter({(verified[0], grades[0]): len(local)})  # one kind: no zip
        else:
            pairs = Counter(zip(verified, grades, strict=True))
        unsure_of = {pair: not decisive(*pair) for pair in pairs}
        unsure = sum(n for pair, n in pairs.items() if unsure_of[pair])
        if unsure in (0, len(local)):
            first = tuple(range(min(unsure, UNSURE_SHOWN)))
        else:
            flags = map(unsure_of.__getitem__, zip(verified, grades, strict=True))
            first = tuple(islice(compress(count(), flags), UNSURE_SHOWN))
        return cls(pairs, unsure_of, first)

    @property
    def sure(self) -> int:
        return sum(n for pair, n in self.pairs.items() if not self.unsure_of[pair])


UNSURE_SHOWN = 4  # unsure local firms a rule may name (three, and whether there are more)


def unsure_names(
    store: GraphStore, coverage: dict[str, SegmentCoverage], evidence: dict[str, LocalEvidence]
) -> dict[str, list[str]]:
    """Per segment, the names of its first unsure local firms: from ``local_names``, or
    (coverage read without names) from one read of those few firms' names."""
    ids = {seg: [coverage[seg].local[i] for i in ev.first_unsure] for seg, ev in evidence.items()}
    unnamed = [seg for seg in evidence if ids[seg] and not coverage[seg].local_names]
    names = store.node_names(c for seg in unnamed for c in ids[seg]) if unnamed else {}
    return {
        seg: (
            [names.get(c, c) for c in ids[seg]]
            if seg in unnamed
            else [coverage[seg].local_names[i] for i in ev.first_unsure]
        )
        for seg, ev in evidence.items()
    }


@dataclass(frozen=True)
class Reference:
    """What a segment's local presence is measured against: the firms the data knows in
    China *outside* the area (the local firms are not in their own reference).

    ``firms``: firms outside the area (in China) making any product; ``segment``: those
    of them making one of the segment's products; ``local``: firms in the area making any
    product. ``expected`` = segment × local / firms, the local count the area would hold
    at the rest of the country's density.
    """

    local: int
    firms: int
    segment: int

    @classmethod
    def of(cls, cov: SegmentCoverage, economy: EconomyCounts) -> Reference:
        # every local maker has a site in China, so it is inside ``national``
        return cls(
            economy.local,
            max(economy.national - economy.local, 0),
            max(cov.national - len(cov.local), 0),
        )

    def decide_by(self, n: int, config: AnalysisConfig) -> str:
        """What would decide a thin verdict for ``n`` local firms: more firms known
        elsewhere (a registry export through ``load --classify``)."""
        if n == 0:
            needed = (
                math.ceil(config.min_expected_local * self.firms / self.local) if self.local else 0
            )
            return (
                f"补充本地以外国内该环节的企业名录 (已知 {self.segment} 家，按现有企业规模需约 "
                f"{needed} 家才能预期本地 {config.min_expected_local:g} 家)，或本地的完整企业名录"
            )
        return (
            f"补充本地以外国内该环节的企业名录 (已知 {self.segment} 家，"
            f"需 ≥ {config.min_known_makers} 家；如工商登记导出 load --classify)"
        )

    @property
    def expected(self) -> float:
        return self.segment * self.local / self.firms if self.firms else 0.0

    def quotient(self, n: int) -> float:
        """区位商: (n / local firms) / (segment firms / firms), both outside-the-area."""
        return round((n / self.local) / (self.segment / self.firms), 2)


def fact_of(cov: SegmentCoverage, company: str) -> tuple[bool, str]:
    """(verified, grade) of one local firm (``cov.local`` is sorted: found by bisection)."""
    at = bisect_left(cov.local, company)
    if at >= len(cov.local) or cov.local[at] != company:
        at = cov.local.index(company)
    return cov.local_verified[at], cov.local_grades[at]


def verdict(
    cov: SegmentCoverage,
    n: int,
    led: bool,
    coverage: dict[str, SegmentCoverage],
    ref: Reference,
    config: AnalysisConfig,
    unsure: bool = False,
) -> tuple[str, str, float | None]:
    """(status, rule, location quotient) for ``n`` local firms, ``led`` if one leads
    (``unsure``: other local firms exist, on evidence not counted here)."""
    none = "本地无证据确凿的企业" if unsure else "本地无企业"
    elsewhere = f"本地以外国内已知 {ref.segment} 家 (共 {ref.firms} 家企业)"
    thin = ref.segment < max(config.min_known_makers, 1) or not ref.local
    if n == 0:
        if ref.expected < config.min_expected_local:
            return (
                INSUFFICIENT,
                f"数据不足: {none}，而{elsewhere}，按同等密度预期本地 {ref.expected:.1f} 家 "
                f"< {config.min_expected_local:g}，无法区分空白与漏录",
                None,
            )
        up_local = [s for s in cov.upstream if coverage[s].local]
        down_local = [s for s in cov.downstream if coverage[s].local]
        if up_local and down_local:
            return (
                "补链",
                f"补链(断链): {none} (预期 {ref.expected:.1f} 家)，但上游"
                f"{_names(coverage, up_local)}与下游{_names(coverage, down_local)}均有本地企业",
                None,
            )
        return (
            "建链",
            f"建链: {none}；{elsewhere}，按同等密度预期本地 {ref.expected:.1f} 家",
            None,
        )
    if thin:
        return (
            INSUFFICIENT,
            f"数据不足: 本地 {n} 家，但本地以外国内仅知 {ref.segment} 家 "
            f"(< {config.min_known_makers})，集聚度无法判断",
            None,
        )
    lq = ref.quotient(n)
    numbers = f"本地 {n}/{ref.local} 家，本地以外国内 {ref.segment}/{ref.firms} 家"
    # Local makers exist, so the link is there to strengthen (强链), never to fill (补链
    # is for a missing link): weak against the rest of China's density, or without a leader.
    if n < config.min_local_firms or lq < config.location_quotient:
        return (
            "强链",
            f"强链(薄弱): 区位商 {lq:.2f} < {config.location_quotient:g} ({numbers})",
            lq,
        )
    if not led:
        return (
            "强链",
            f"强链(缺龙头): 区位商 {lq:.2f} ≥ {config.location_quotient:g} ({numbers})，"
            "但无本地龙头",
            lq,
        )
    return "优势", f"优势: 区位商 {lq:.2f} ({numbers})，有本地龙头", lq


def _names(coverage: dict[str, SegmentCoverage], ids: list[str], limit: int = 2) -> str:
    names = [coverage[i].name for i in ids[:limit]]
    return "、".join(names) + ("等" if len(ids) > limit else "")
