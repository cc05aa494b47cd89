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
    """

    def __init__(self, graph: Any) -> None:
        # networkx's adjacency dicts, read directly: going through its views costs a
        # wrapper object per neighbour, which dominated at a million firms.
        self._pred: dict[str, dict[str, dict[str, dict[str, Any]]]] = graph._pred
        self._succ: dict[str, dict[str, dict[str, dict[str, Any]]]] = graph._succ
        self._node: dict[str, dict[str, Any]] = graph._node
        self._sources: dict[tuple[str, str], tuple[str, ...]] = {}
        self._targets: dict[tuple[str, str, str], tuple[str, ...]] = {}
        self._inside: dict[str, frozenset[str]] = {}
        self._leaders: dict[tuple[tuple[str, ...], int], frozenset[str]] = {}
        self._names: dict[str, str] | None = None
        self.cache: dict[object, object] = {}

    def _scan(self, target: str, rel_type: str, adjacency: Any = None) -> list[str]:
        return [
            u
            for u, edges in (adjacency or self._pred).get(target, {}).items()
            if any(d["t"] == rel_type for d in edges.values())
        ]

    def targets(self, source: str, rel_type: str) -> tuple[str, ...]:
        """The targets of ``rel_type`` relationships out of ``source``, sorted."""
        key = ("out", source, rel_type)
        found = self._targets.get(key)
        if found is None:
            found = self._targets[key] = tuple(sorted(self._scan(source, rel_type, self._succ)))
        return found

    def sources(self, target: str, rel_type: str) -> tuple[str, ...]:
        """The sources of ``rel_type`` relationships into ``target``, sorted."""
        found = self._sources.get((target, rel_type))
        if found is None:
            found = self._sources[target, rel_type] = tuple(sorted(self._scan(target, rel_type)))
        return found

    def makers(self, product: str) -> tuple[str, ...]:
        """Every firm with a ``MAKES`` relationship to ``product``, sorted."""
        return self.sources(product, "MAKES")

    def places_within(self, area: str) -> set[str]:
        """``area`` and every place whose ``IN`` ancestors reach it within the depth limit."""
        found = {area}
        frontier = [area]
        for _ in range(MAX_PLACE_DEPTH):
            frontier = [c for p in frontier for c in self._scan(p, "IN") if c not in found]
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
                firms.update(self._scan(place, "LOCATED_IN"))
            found = self._inside[area] = frozenset(firms)
        return found

    def leaders(self, leader_tags: Sequence[str], leader_rank: int) -> frozenset[str]:
        """Every firm that is a leader by these tags and rank."""
        key = (tuple(leader_tags), leader_rank)
        found = self._leaders.get(key)
        if found is None:
            found = self._leaders[key] = frozenset(
                n
                for n, d in self._node.items()
                if d["t"] == "Company" and leader_of(d["p"], leader_tags, leader_rank)
            )
        return found

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
    # million firms): set operations and itemgetter keep the per-firm work in C.
    def names(self, node_ids: Sequence[str]) -> tuple[str, ...]:
        names = self.index.names()
        if len(node_ids) < 2:
            return tuple(names.get(i, i) for i in node_ids)
        try:
            return tuple(itemgetter(*node_ids)(names))
        except KeyError:
            return tuple(names.get(i, i) for i in node_ids)

    def select_inside(self, company_ids: Sequence[str], area: str) -> list[str]:
        return sorted(self.index.inside(area).intersection(company_ids))

    def select_leaders(
        self, company_ids: Sequence[str], leader_tags: Sequence[str], leader_rank: int
    ) -> list[str]:
        leaders = self.index.leaders(leader_tags, leader_rank)
        return sorted(leaders.intersection(company_ids))

    def sources(self, target: str, rel_type: str) -> tuple[str, ...]:
        return self.index.sources(target, rel_type)

    def targets(self, source: str, rel_type: str) -> tuple[str, ...]:
        return self.index.targets(source, rel_type)

    def inside(self, area: str) -> Container[str]:
        return self.index.inside(area)

    def count_inside(self, company_ids: Iterable[str], area: str) -> int:
        inside = self.index.inside(area)
        if isinstance(company_ids, set | frozenset):
            return len(inside & company_ids)  # walks the smaller of the two
        return len(inside.intersection(company_ids))

    def is_leader(self, company_id: str, leader_tags: Sequence[str], leader_rank: int) -> bool:
        return company_id in self.index.leaders(leader_tags, leader_rank)
