"""Indexes the embedded store keeps for the analyses: makers per product, firms per area.

Gap and target rules ask, for tens of thousands of firms per query, "who makes
this product" and "has this firm a site in that area". Walking each firm's sites
every time made ``gaps`` grow with the graph; these indexes answer both from
sets built once per store state (a merge drops them, see
:meth:`NetworkxStore.merge <chaingraph.store.networkx_store.NetworkxStore.merge>`).
The answers are the ones :class:`chaingraph.store.aggregates.Walker` defines.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from chaingraph.store.aggregates import MAX_PLACE_DEPTH, Walker, leader_of

if TYPE_CHECKING:
    from chaingraph.store.networkx_store import NetworkxStore

__all__ = ["AnalysisIndex", "IndexedWalker"]


class AnalysisIndex:
    """Lazily built answers over one :class:`networkx.MultiDiGraph` state.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> index = AnalysisIndex(tiny_store().graph)
    >>> index.makers("prod:servo-motor")
    ('co:jp-servo',)
    >>> sorted(index.inside("region:cn-dongguan"))
    ['co:dg-integrator', 'co:dg-robot']
    >>> index.segment_inside("seg:robot.body", "region:cn-dongguan")
    ('co:dg-robot',)
    """

    def __init__(self, graph: Any) -> None:
        # networkx's adjacency dicts, read directly: going through its views costs a
        # wrapper object per neighbour, which dominated at a million firms.
        self._pred: dict[str, dict[str, dict[str, dict[str, Any]]]] = graph._pred
        self._succ: dict[str, dict[str, dict[str, dict[str, Any]]]] = graph._succ
        self._node: dict[str, dict[str, Any]] = graph._node
        self._sources: dict[tuple[str, str], tuple[str, ...]] = {}
        self._targets: dict[tuple[str, str], tuple[str, ...]] = {}
        self._inside: dict[str, frozenset[str]] = {}
        self._segment_makers: dict[str, tuple[str, ...]] = {}
        self._segment_inside: dict[tuple[str, str], tuple[str, ...]] = {}
        self._leaders: dict[tuple[tuple[str, ...], int], dict[str, bool]] = {}
        self._names: dict[str, str] | None = None
        self.cache: dict[object, object] = {}

    @staticmethod
    def _scan(adjacency: dict[str, dict[str, dict[str, Any]]], rel_type: str) -> list[str]:
        # The store keys an edge by its type, or its type, "\x1f" and its key (see
        # NetworkxStore), so the type shows in the key without reading the edge data.
        prefix = rel_type + "\x1f"
        return [
            n
            for n, edges in adjacency.items()
            if rel_type in edges or any(k.startswith(prefix) for k in edges)
        ]

    def targets(self, source: str, rel_type: str) -> tuple[str, ...]:
        """The targets of ``rel_type`` relationships out of ``source``, sorted."""
        found = self._targets.get((source, rel_type))
        if found is None:
            found = tuple(sorted(self._scan(self._succ.get(source, {}), rel_type)))
            self._targets[source, rel_type] = found
        return found

    def sources(self, target: str, rel_type: str) -> tuple[str, ...]:
        """The sources of ``rel_type`` relationships into ``target``, sorted."""
        found = self._sources.get((target, rel_type))
        if found is None:
            found = tuple(sorted(self._scan(self._pred.get(target, {}), rel_type)))
            self._sources[target, rel_type] = found
        return found

    def makers(self, product: str) -> tuple[str, ...]:
        """Every firm with a ``MAKES`` relationship to ``product``, sorted."""
        return self.sources(product, "MAKES")

    def segment_makers(self, segment: str) -> tuple[str, ...]:
        """The makers of the products a segment holds directly, sorted, once each."""
        found = self._segment_makers.get(segment)
        if found is None:
            products = self.sources(segment, "IN_SEGMENT")
            if len(products) == 1:
                found = self.makers(products[0])
            else:
                found = tuple(sorted(set().union(*(self.makers(p) for p in products))))
            self._segment_makers[segment] = found
        return found

    def places_within(self, area: str) -> set[str]:
        """``area`` and every place whose ``IN`` ancestors reach it within the depth limit."""
        found = {area}
        frontier = [area]
        for _ in range(MAX_PLACE_DEPTH):
            frontier = [
                c
                for p in frontier
                for c in self._scan(self._pred.get(p, {}), "IN")
                if c not in found
            ]
            if not frontier:
                break
            found.update(frontier)
        return found

    def inside(self, area: str) -> frozenset[str]:
        """The firms with a ``LOCATED_IN`` site within ``area``."""
        found = self._inside.get(area)
        if found is None:
            firms: set[str] = set()
            for place in self.places_within(area):
                firms.update(self._scan(self._pred.get(place, {}), "LOCATED_IN"))
            found = self._inside[area] = frozenset(firms)
        return found

    def segment_inside(self, segment: str, area: str) -> tuple[str, ...]:
        """The segment's makers with a site in ``area``, sorted."""
        found = self._segment_inside.get((segment, area))
        if found is None:
            inside = self.inside(area)
            found = tuple(c for c in self.segment_makers(segment) if c in inside)
            self._segment_inside[segment, area] = found
        return found

    def leader_flags(
        self, company_ids: Iterable[str], leader_tags: Sequence[str], leader_rank: int
    ) -> dict[str, bool]:
        """Whether each firm is a leader by these tags and rank (and any asked before)."""
        flags = self._leaders.setdefault((tuple(leader_tags), leader_rank), {})
        for company in company_ids:
            if company not in flags:
                data = self._node.get(company)
                flags[company] = data is not None and leader_of(data["p"], leader_tags, leader_rank)
        return flags

    def names(self) -> dict[str, str]:
        """Every node's name by id (the id when it has none), as :attr:`Node.name` reads."""
        if self._names is None:
            self._names = {n: str(d["p"].get("name", n)) for n, d in self._node.items()}
        return self._names


class IndexedWalker(Walker):
    """A :class:`Walker` answering from the store's :class:`AnalysisIndex`."""

    def __init__(self, store: NetworkxStore, index: AnalysisIndex) -> None:
        super().__init__(store)
        self.index = index

    def name(self, node_id: str) -> str:
        return self.index.names().get(node_id, node_id)

    # The bulk reads below run over every maker of a segment (10^4-10^5 firms at a
    # million firms): cached per segment, with set operations and itemgetter keeping
    # the per-firm work in C.
    def names(self, node_ids: Sequence[str]) -> tuple[str, ...]:
        names = self.index.names()
        if len(node_ids) < 2:
            return tuple(names.get(i, i) for i in node_ids)
        try:
            return tuple(itemgetter(*node_ids)(names))
        except KeyError:
            return tuple(names.get(i, i) for i in node_ids)

    def sources(self, target: str, rel_type: str) -> tuple[str, ...]:
        return self.index.sources(target, rel_type)

    def targets(self, source: str, rel_type: str) -> tuple[str, ...]:
        return self.index.targets(source, rel_type)

    def segment_makers(self, segment_id: str) -> tuple[str, ...]:
        return self.index.segment_makers(segment_id)

    def segment_inside(self, segment_id: str, area: str) -> tuple[str, ...]:
        return self.index.segment_inside(segment_id, area)

    def segment_count_inside(self, segment_id: str, area: str) -> int:
        return len(self.index.segment_inside(segment_id, area))

    def inside(self, area: str) -> Container[str]:
        return self.index.inside(area)

    def select_inside(self, company_ids: Sequence[str], area: str) -> list[str]:
        return sorted(self.index.inside(area).intersection(company_ids))

    def select_leaders(
        self, company_ids: Sequence[str], leader_tags: Sequence[str], leader_rank: int
    ) -> list[str]:
        flags = self.index.leader_flags(company_ids, leader_tags, leader_rank)
        return sorted(c for c in company_ids if flags[c])

    def is_leader(self, company_id: str, leader_tags: Sequence[str], leader_rank: int) -> bool:
        return self.index.leader_flags((company_id,), leader_tags, leader_rank)[company_id]

    def count_inside(self, company_ids: Iterable[str], area: str) -> int:
        inside = self.index.inside(area)
        if isinstance(company_ids, set | frozenset):
            return len(inside & company_ids)  # walks the smaller of the two
        return len(inside.intersection(company_ids))
