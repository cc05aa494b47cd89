"""卡脖子: products that depend on foreign supply, with how concentrated that supply is,
the domestic alternatives, and how much depends on the product downstream."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import networkx as nx

from chaingraph.analysis.facts import Profiles
from chaingraph.store.base import NATION, GraphStore

__all__ = ["DOMESTIC", "Chokepoint", "chokepoints"]

_ROOT = "__inputs__"
DOMESTIC = "中国"
ABROAD = "境外"
MIN_FOREIGN_SHARE = 0.5  # a product is listed when at least this share of suppliers is foreign


@dataclass(frozen=True)
class Chokepoint:
    """A product's dependence on foreign supply.

    Suppliers are the firms the data knows to make the product, plus the foreign
    suppliers the ontology cites for it (``foreign_dependence``) that the data does not
    hold as firms. ``foreign_share`` is the share of them outside China;
    ``top_country`` the foreign country with the most of them and
    ``top_country_share`` its share of all suppliers; ``domestic_suppliers`` the
    alternatives in China and ``local_suppliers`` how many of those are in the region
    asked about. ``cut_off`` counts downstream products every input path of which runs
    through this product; ``downstream`` every product it feeds, directly or not.
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
    foreign_suppliers: int = 0
    domestic_suppliers: int = 0
    foreign_share: float = 0.0
    top_country: str = ""
    top_country_share: float = 0.0
    local_suppliers: int = 0
    foreign_names: tuple[str, ...] = ()
    cited: bool = False
    source: str = ""
    as_of: str = ""


def chokepoints(
    store: GraphStore,
    chain: str | None = None,
    *,
    top: int | None = None,
    region: str | None = None,
    min_foreign_share: float = MIN_FOREIGN_SHARE,
) -> list[Chokepoint]:
    """Products that depend on foreign supply, most dependent first.

    A product is listed when it has at least one foreign supplier and either at least
    ``min_foreign_share`` of its suppliers are foreign or the ontology cites it as a
    foreign-dependent item. A product supplied only from China is never listed.

    Parameters
    ----------
    store
        The graph.
    chain
        Only products of this chain (id or name).
    top
        At most this many rows.
    region
        Count the domestic suppliers with a site in this region (id or name) as local.
    min_foreign_share
        The share of foreign suppliers that lists a product not cited in the ontology.

    Returns
    -------
    list of Chokepoint
        By foreign share, then single-country concentration, then fewer domestic
        alternatives, then more downstream products, then product id.

    Raises
    ------
    NotFound
        For an unknown chain or region (with near names).

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> [(c.name, c.foreign_suppliers, c.top_country) for c in chokepoints(tiny_store())]
    [('伺服电机', 1, '日本')]
    """
    graph = nx.DiGraph()
    graph.add_edges_from((r.source, r.target) for r in store.relationships("INPUT_TO"))
    supply = store.product_supply(store.require(chain, "Chain").id if chain else None)
    graph.add_nodes_from(s.product for s in supply)
    graph.add_edges_from((_ROOT, n) for n in list(graph.nodes) if graph.in_degree(n) == 0)
    dominators = _dominated_counts(graph)
    area = store.require(region, "Region").id if region else ""
    profiles = Profiles(store)
    profiles.preload({m for s in supply for m in s.makers})
    products = store.get_many([s.product for s in supply])
    rows = []
    for item in supply:
        node = products.get(item.product)
        cited = _cited(node.props if node else {})
        makers = item.makers
        country = {m: _country(profiles, m) for m in makers}
        names = {m: profiles.get(m).name for m in makers}
        # Cited suppliers the data does not hold as firms count once each, in the
        # country the citation gives them.
        cited_countries = list(cited.get("countries", ()))
        extra = [
            (s, cited_countries[i] if i < len(cited_countries) else ABROAD)
            for i, s in enumerate(cited.get("suppliers", ()))
            if not any(names[m] in s for m in makers)
        ]
        known = [country[m] for m in makers if country[m] != "未知"] + [c for _, c in extra]
        foreign = [c for c in known if c != DOMESTIC]
        if not foreign or not (cited or len(foreign) / len(known) >= min_foreign_share):
            continue
        domestic = [m for m in makers if country[m] == DOMESTIC]
        counts = Counter(c for c in foreign if c != ABROAD) or Counter(foreign)
        top_country, top_count = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        local = sum(1 for m in domestic if area and area in profiles.get(m).places)
        countries = tuple(sorted(set(known)))
        downstream = len(nx.descendants(graph, item.product)) if item.product in graph else 0
        cut_off = dominators.get(item.product, 0)
        foreign_names = tuple(
            sorted(names[m] for m in makers if country[m] not in (DOMESTIC, "未知"))
        )
        share = round(len(foreign) / len(known), 3)
        why = [
            f"境外供应商 {len(foreign)}/{len(known)} ({share:.0%})，{top_country}占 "
            f"{top_count / len(known):.0%}",
            f"国内替代 {len(domestic)} 家" + (f" (本地 {local} 家)" if area else ""),
        ]
        if cited:
            why.append(
                f"公开资料: {cited.get('note', '')} (来源 {cited['source']}, {cited['as_of']})"
            )
        if cut_off:
            why.append(f"断供将切断下游{cut_off}种产品")
        rows.append(
            Chokepoint(
                item.product,
                item.name,
                len(makers),
                countries,
                len(known) == 1,
                len(countries) == 1,
                downstream,
                cut_off,
                "；".join(why),
                len(foreign),
                len(domestic),
                share,
                top_country,
                round(top_count / len(known), 3),
                local,
                foreign_names + tuple(s for s, _ in extra),
                bool(cited),
                str(cited.get("source", "")),
                str(cited.get("as_of", "")),
            )
        )
    rows.sort(
        key=lambda c: (
            -c.foreign_share,
            -c.top_country_share,
            c.domestic_suppliers,
            -c.downstream,
            c.product,
        )
    )
    return rows[:top] if top else rows


def _cited(props: dict[str, Any]) -> dict[str, Any]:
    found = props.get("foreign_dependence")
    return found if isinstance(found, dict) and found.get("source") else {}


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
        return DOMESTIC
    hq = profiles.facts(company).hq
    return hq[-1].name if hq else "未知"
