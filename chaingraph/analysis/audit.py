"""Coverage audit: how much the data knows about a place, to read before trusting a verdict."""

from __future__ import annotations

from dataclasses import dataclass

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.gaps import INSUFFICIENT, gaps
from chaingraph.analysis.structure import place_ancestors
from chaingraph.model import Node
from chaingraph.store.base import GraphStore

__all__ = ["Audit", "SegmentAudit", "audit"]

TOWN_LEVELS = ("town", "district")  # a site this precise places a firm inside the city


@dataclass(frozen=True)
class SegmentAudit:
    """What the data knows about one focus segment, here and in China."""

    segment: str
    name: str
    chain: str
    status: str
    local_firms: int  # firms making its products with a site in the scope
    local_with_town: int  # of them, placed in a town (镇/街道) or a base
    local_decisive: int  # with a verified (not weak) or strong-evidence product fact
    local_unverified: int  # whose best product fact is marked unverified
    local_weak: int  # whose best product fact is verified but weak evidence
    national_firms: int  # makers with a site in China
    known_makers: int  # makers anywhere
    verified_share: float | None  # local_decisive / local_firms
    thin: bool  # decided on thin data (数据不足)
    decide_by: str


@dataclass(frozen=True)
class Audit:
    """The coverage of one base or region: firms, places, evidence, thin verdicts.

    ``unverified_share`` is the share of facts marked ``unverified`` among every firm's
    facts in the store (a company record and its MAKES, LOCATED_IN and SUPPLIES
    relationships); ``local_unverified_share`` the same among the scope's firms.
    """

    subject: str
    subject_name: str
    area: str
    area_name: str
    companies: int  # firms with a site in the scope
    with_town: int  # of them, placed in a town (镇/街道) or a base inside it
    makers: int  # of them, firms making a product
    national_makers: int  # firms making a product with a site in China
    facts: int
    unverified_share: float | None
    local_facts: int
    local_unverified_share: float | None
    segments: tuple[SegmentAudit, ...]
    thin_segments: int
    note: str


def audit(
    store: GraphStore,
    base: str | None = None,
    *,
    region: str | None = None,
    chain: str | None = None,
    config: AnalysisConfig | None = None,
) -> Audit:
    """Firms known per focus segment locally and nationally, with town, evidence mix,
    verified share, and the segments decided on thin data.

    Parameters
    ----------
    store
        The graph.
    base, region
        Exactly one: the base (its local area follows ``config.scope``) or region.
    chain
        Only this chain's segments (id or name).
    config
        Thresholds of the gap rules (:class:`AnalysisConfig`).

    Returns
    -------
    Audit
        Totals for the scope and one :class:`SegmentAudit` per focus segment, thin
        (数据不足) segments first.

    Raises
    ------
    ConfigError
        When neither or both of ``base`` and ``region`` are given.
    NotFound
        For an unknown base, region or chain (with near names).

    Examples
    --------
    >>> from chaingraph.testing import evidence_store
    >>> report = audit(evidence_store(), "base:home")
    >>> report.companies, report.with_town, report.unverified_share, report.local_unverified_share
    (4, 1, 0.023, 0.133)
    >>> [(s.name, s.local_firms, s.local_decisive, s.thin) for s in report.segments][:2]
    [('控制器', 1, 0, True), ('整机', 3, 3, False)]
    """
    config = config or AnalysisConfig()
    report = gaps(store, base, region=region, chain=chain, config=config)
    economy = store.economy_counts(report.area)
    all_ids = sorted(n.id for n in store.nodes("Company"))
    facts = store.company_facts(all_ids)
    local = {c: f for c, f in facts.items() if report.area and report.area in f.places}
    places = store.get_many(sorted({p for f in local.values() for p in f.places}))
    inside = _places_inside(store, report.area, places)
    with_town = {
        c
        for c, f in local.items()
        if any(
            p in inside
            and (places[p].type == "Base" or places[p].props.get("level") in TOWN_LEVELS)
            for p in f.places
            if p in places
        )
    }
    focus = [g for g in report.segments if g.priority is not None]
    coverage = store.segment_coverage([g.segment for g in focus], report.area)
    rows = []
    for g in focus:
        ids = coverage[g.segment].local if g.segment in coverage else ()
        rows.append(
            SegmentAudit(
                g.segment,
                g.name,
                g.chain,
                g.status,
                g.local_firms,
                sum(1 for c in ids if c in with_town),
                g.local_decisive,
                g.local_unverified,
                g.local_weak,
                g.national_firms,
                g.local_firms + g.elsewhere_firms,
                round(g.local_decisive / g.local_firms, 3) if g.local_firms else None,
                g.status == INSUFFICIENT,
                g.decide_by,
            )
        )
    rows.sort(key=lambda r: (not r.thin, -r.local_firms, r.chain, r.segment))
    total = sum(f.facts for f in facts.values())
    local_total = sum(f.facts for f in local.values())
    thin = sum(1 for r in rows if r.thin)
    return Audit(
        report.subject,
        report.subject_name,
        report.area,
        report.area_name,
        len(local),
        len(with_town),
        economy.local,
        economy.national,
        total,
        _share(sum(f.unverified for f in facts.values()), total),
        local_total,
        _share(sum(f.unverified for f in local.values()), local_total),
        tuple(rows),
        thin,
        f"{report.area_name}: 已知企业 {len(local)} 家 (其中定位到镇/街道或基地 {len(with_town)} 家); "
        f"{thin}/{len(rows)} 个重点环节数据不足",
    )


def _places_inside(store: GraphStore, area: str, places: dict[str, Node]) -> set[str]:
    """Those of ``places`` that lie inside ``area`` (through IN), the area excluded."""
    return {p for p in places if p != area and area in place_ancestors(store, p)}


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None
