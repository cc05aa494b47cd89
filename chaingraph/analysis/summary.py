"""Overviews of what a store holds: counts by type, per chain and per base."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chaingraph.analysis.structure import (
    chain_products,
    chain_segments,
    companies_within,
    makers,
    place_ancestors,
)
from chaingraph.store.base import GraphStore

__all__ = [
    "BaseOverview",
    "ChainOverview",
    "TypeCount",
    "base_overview",
    "chain_overview",
    "type_counts",
]

HOME_REGION = "region:cn-dongguan"


@dataclass(frozen=True)
class TypeCount:
    """How many nodes or relationships of one type."""

    kind: str
    type: str
    label_zh: str
    count: int


@dataclass(frozen=True)
class ChainOverview:
    """One chain's size, how much of it is local, and how much is unverified."""

    chain: str
    name: str
    segments: int
    products: int
    companies: int
    local_companies: int
    elsewhere_companies: int
    facts: int
    unverified_share: float


@dataclass(frozen=True)
class BaseOverview:
    """One base: where it is, how big, what it focuses on, and firms located inside it."""

    base: str
    name: str
    location: str
    area_mu: float | None
    area_km2: float | None
    focus: tuple[str, ...]
    companies_in_base: int


def type_counts(store: GraphStore) -> list[TypeCount]:
    """Node and relationship counts per type, in model order.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> [(c.type, c.count) for c in type_counts(tiny_store())][:3]
    [('Chain', 1), ('Segment', 4), ('Product', 4)]
    """
    model = store.model
    rows = [
        TypeCount("node", t, spec.get("label_zh", t), store.count_nodes(t))
        for t, spec in model.node_types.items()
    ]
    rows += [
        TypeCount("relationship", t, spec.get("label_zh", t), store.count_relationships(t))
        for t, spec in model.relationship_types.items()
    ]
    return rows


def chain_overview(store: GraphStore, home_region: str = HOME_REGION) -> list[ChainOverview]:
    """Per chain: segments, products, firms local to ``home_region`` or elsewhere, and the
    share of company facts (company records and their makes/sites/supplies) marked ``unverified``.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> row = chain_overview(tiny_store())[0]
    >>> (row.segments, row.products, row.local_companies, row.elsewhere_companies)
    (4, 4, 2, 2)
    """
    rows = []
    for chain in store.nodes("Chain"):
        segments = chain_segments(store, chain.id)
        products = chain_products(store, chain.id)
        firms = makers(store, products)
        local = companies_within(store, firms, home_region)
        facts = unverified = 0
        for firm in firms:
            records: list[Any] = [store.get(firm)]
            records += [
                r
                for r in store.relationships(source=firm)
                if r.type in ("MAKES", "LOCATED_IN", "SUPPLIES")
            ]
            for record in records:
                if record is None:
                    continue
                facts += 1
                unverified += record.props.get("source") == "unverified"
        rows.append(
            ChainOverview(
                chain.id,
                chain.name,
                len(segments),
                len(products),
                len(firms),
                len(local),
                len(firms) - len(local),
                facts,
                round(unverified / facts, 3) if facts else 0.0,
            )
        )
    return sorted(rows, key=lambda r: r.chain)


def base_overview(store: GraphStore) -> list[BaseOverview]:
    """Per base: location, planned area (as the plan states it), focus and firms inside."""
    rows = []
    for base in store.nodes("Base"):
        focus = sorted(
            (r.props.get("priority", 9), r.target)
            for r in store.relationships("FOCUSES_ON", source=base.id)
        )
        names = tuple(f"{store.get(t).name}(P{p})" for p, t in focus if store.get(t))  # type: ignore[union-attr]
        inside = {
            r.source
            for r in store.relationships("LOCATED_IN")
            if base.id in place_ancestors(store, r.target)
        }
        location = base.get("location") or " / ".join(
            n.name for n in (store.get(p) for p in place_ancestors(store, base.id)[1:]) if n
        )
        rows.append(
            BaseOverview(
                base.id,
                base.name,
                location,
                base.get("area_mu"),
                base.get("area_km2"),
                names,
                len(inside),
            )
        )
    return sorted(rows, key=lambda r: r.base)
