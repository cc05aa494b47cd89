"""卡脖子 candidates: products with one supplier or one supplier country, and products whose
removal cuts off the most downstream products."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from chaingraph.analysis.facts import Profiles
from chaingraph.store.aggregates import NATION
from chaingraph.store.base import GraphStore

__all__ = ["Chokepoint", "chokepoints"]

_ROOT = "__inputs__"


@dataclass(frozen=True)
class Chokepoint:
    """A product's supply concentration and how much depends on it downstream.

    ``cut_off`` counts downstream products every input path of which runs through
    this product (its dominated set in the INPUT_TO graph): remove it and they lose
    all supply. ``downstream`` counts every product it feeds, directly or not.
    """

    product: str
    name: str
    makers: int
    countries: tuple[str, ...]
    single_supplier: bool
    single_country: bool
    downstream: int
    cut_off: int
    reason: str


def chokepoints(
    store: GraphStore, chain: str | None = None, *, top: int | None = None
) -> list[Chokepoint]:
    """Products ranked by supply concentration and downstream dependence.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> [(c.name, c.makers, c.cut_off) for c in chokepoints(tiny_store())][:2]
    [('工业机器人', 1, 1), ('谐波减速器', 1, 0)]
    """
    graph = nx.DiGraph()
    graph.add_edges_from((r.source, r.target) for r in store.relationships("INPUT_TO"))
    supply = store.product_supply(store.require(chain, "Chain").id if chain else None)
    graph.add_nodes_from(s.product for s in supply)
    graph.add_edges_from((_ROOT, n) for n in list(graph.nodes) if graph.in_degree(n) == 0)
    dominators = _dominated_counts(graph)
    profiles = Profiles(store)
    profiles.preload({m for s in supply for m in s.makers})
    rows = []
    for item in supply:
        product, makers = item.product, item.makers
        countries = tuple(sorted({_country(profiles, m) for m in makers}))
        downstream = len(nx.descendants(graph, product)) if product in graph else 0
        cut_off = dominators.get(product, 0)
        single_supplier, single_country = len(makers) == 1, len(countries) == 1
        why = []
        if not makers:
            why.append("无已知供应商")
        elif single_supplier:
            why.append("仅1家供应商")
        elif single_country:
            why.append(f"供应商均在{countries[0]}")
        if cut_off:
            why.append(f"断供将切断下游{cut_off}种产品")
        rows.append(
            Chokepoint(
                product,
                item.name,
                len(makers),
                countries,
                single_supplier,
                single_country,
                downstream,
                cut_off,
                "；".join(why),
            )
        )
    rows.sort(
        key=lambda c: (
            -(c.single_supplier or c.single_country) * 1,
            -c.cut_off,
            -c.downstream,
            c.makers,
            c.product,
        )
    )
    return [r for r in rows if r.reason][:top] if top else [r for r in rows if r.reason]


def _dominated_counts(graph: nx.DiGraph) -> dict[str, int]:
    if _ROOT not in graph or not nx.is_directed_acyclic_graph(graph):
        # Cycles (equipment that makes its own inputs) break dominance; fall back to nothing.
        return {}
    idom = nx.immediate_dominators(graph, _ROOT)
    tree = nx.DiGraph((d, n) for n, d in idom.items() if n != d)
    return {n: len(nx.descendants(tree, n)) for n in tree if n != _ROOT}


def _country(profiles: Profiles, company: str) -> str:
    """中国 for a firm with a site in China and a headquarters not abroad; else the
    country (outermost region) of its headquarters, or 未知."""
    profile = profiles.get(company)
    if NATION in profile.places and profile.proximity != "境外":
        return "中国"
    hq = profiles.facts(company).hq
    return hq[-1].name if hq else "未知"
