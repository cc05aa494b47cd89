"""Overviews of what a store holds: counts by type, per chain and per base."""

from __future__ import annotations

from dataclasses import dataclass

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

    Parameters
    ----------
    store
        The graph.

    Returns
    -------
    list of TypeCount
        Every node type, then every relationship type of the model, with its Chinese
        label and count (0 included).

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

    Parameters
    ----------
    store
        The graph.
    home_region
        The region whose firms count as local (default 东莞市).

    Returns
    -------
    list of ChainOverview
        One row per chain, in the store's order.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> row = chain_overview(tiny_store())[0]
    >>> (row.segments, row.products, row.local_companies, row.elsewhere_companies)
    (4, 4, 2, 2)
    """
    return [
        ChainOverview(
            c.chain,
            c.name,
            c.segments,
            c.products,
            c.companies,
            c.local_companies,
            c.companies - c.local_companies,
            c.facts,
            round(c.unverified / c.facts, 3) if c.facts else 0.0,
        )
        for c in store.chain_counts(home_region)
    ]


def base_overview(store: GraphStore) -> list[BaseOverview]:
    """Per base: location, planned area (as the plan states it), focus and firms inside.

    Parameters
    ----------
    store
        The graph.

    Returns
    -------
    list of BaseOverview
        One row per base: its location (as recorded, else its regions), area in 亩 and
        km², focus as ``name(P<priority>)`` and the firms located in the base itself.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> row = base_overview(tiny_store())[0]
    >>> row.name, row.location, row.area_km2, row.focus, row.companies_in_base
    ('银瓶高端装备产业基地', '谢岗镇 / 东莞市 / 广东省 / 中国', 17.61, ('工业机器人(P1)',), 1)
    """
    return [
        BaseOverview(
            b.node.id,
            b.node.name,
            b.node.get("location") or " / ".join(b.regions),
            b.node.get("area_mu"),
            b.node.get("area_km2"),
            tuple(f"{name}(P{priority})" for priority, _, name in b.focus),
            b.companies,
        )
        for b in store.base_facts()
    ]
