"""``company_facts`` from the adjacency dicts: the first ``targets`` call reads thousands of firms.

The answer is that of :func:`chaingraph.store.networkx.aggregates.company_facts` (the
reference walk); this one reads each firm's out-edges as networkx keeps them, with no
:class:`~chaingraph.model.Relationship` per fact and one pass over them (issue 22).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chaingraph.model import Node
from chaingraph.store.base import HQ_ROLE, UNVERIFIED, CompanyFacts, Place
from chaingraph.store.networkx.index import IndexedWalker

__all__ = ["company_facts"]


def company_facts(
    walk: IndexedWalker, node: Mapping[str, dict[str, Any]], company_ids: Iterable[str]
) -> dict[str, CompanyFacts]:
    """Facts of each company found (ids that are not companies are left out); ``node``
    the graph's node data by id.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> from chaingraph.store.networkx import aggregates
    >>> store = tiny_store()
    >>> walk = store._walker()
    >>> ids = ["co:dg-robot", "co:jp-servo", "prod:servo-motor"]
    >>> company_facts(walk, store.graph._node, ids) == aggregates.company_facts(walk, ids)
    True
    """
    index = walk.index
    node_data = node.get
    ancestors = walk.place_ancestors
    found: dict[str, CompanyFacts] = {}
    for company in dict.fromkeys(company_ids):
        data = node_data(company)
        if data is None or data["t"] != "Company":
            continue
        props = data["p"]
        places: set[str] = set()
        hq_sites: list[str] = []
        makes: set[str] = set()
        customers: set[str] = set()
        facts = 1
        unverified = 1 if props.get("source") == UNVERIFIED else 0
        for target, edges in index.out_edges(company).items():
            for edge in edges.values():
                kind = edge["t"]
                if kind == "LOCATED_IN":
                    places.update(ancestors(target))
                    if edge["k"] == HQ_ROLE:
                        hq_sites.append(target)
                elif kind == "MAKES":
                    makes.add(target)
                elif kind == "SUPPLIES":
                    customers.add(target)
                else:
                    continue
                facts += 1
                if edge["p"].get("source") == UNVERIFIED:
                    unverified += 1
        hq: tuple[Place, ...] = ()
        if hq_sites:
            hq = tuple(map(walk.place, ancestors(min(hq_sites))))
        found[company] = CompanyFacts(
            Node(company, data["t"], props),
            frozenset(places),
            hq,
            facts,
            unverified,
            tuple(sorted(makes)),
            tuple(sorted(customers)),
        )
    return found
