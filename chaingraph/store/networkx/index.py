"""Indexes the embedded store keeps for the analyses: makers per product, firms per area.

Gap and target rules ask, for tens of thousands of firms per query, "who makes
this product" and "has this firm a site in that area". Walking each firm's sites
every time made ``gaps`` grow with the graph; these indexes answer both from
sets built once per store state (a merge drops them, see
:meth:`NetworkxStore.merge <chaingraph.store.networkx.NetworkxStore.merge>`).
The answers are the ones :class:`chaingraph.store.networkx.aggregates.Walker` defines.

A store read from a file also hands over :class:`ReadFacts`, noted row by row while the
file was read (names, makers, leader fields, evidence ranks), so that the first query
after opening does not walk every firm for them (issue 22).
"""

from __future__ import annotations

from array import array
from collections.abc import Container, Iterable, Sequence
from itertools import chain, filterfalse
from typing import Any

import numpy as np

from chaingraph.model import Relationship
from chaingraph.store.base import (
    EVIDENCE_GRADES,
    FACT_TYPES,
    MAX_PLACE_DEPTH,
    NATION,
    AnalysisCache,
    EconomyCounts,
    GraphStore,
    LeaderRule,
    Place,
    fact_rank,
)
from chaingraph.store.networkx.aggregates import Walker
from chaingraph.store.networkx.columns import FirmColumns, Positions, ReadFacts
from chaingraph.store.records import Headquarters, RecordBasics

__all__ = ["AnalysisIndex", "IndexedWalker", "ReadFacts"]


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
    >>> index.local_makers("seg:robot.body", "region:cn-dongguan")
    ('co:dg-robot',)
    """

    def __init__(
        self,
        graph: Any,
        seeds: dict[str, dict[str, array[int]]] | None = None,
        read_facts: ReadFacts | None = None,
        by_type: dict[str, dict[str, None]] | None = None,
    ) -> None:
        # networkx's adjacency dicts, read directly: going through its views costs a
        # wrapper object per neighbour, which dominated at a million firms.
        self._pred: dict[str, dict[str, dict[str, dict[str, Any]]]] = graph._pred
        self._succ: dict[str, dict[str, dict[str, dict[str, Any]]]] = graph._succ
        self._node: dict[str, dict[str, Any]] = graph._node
        # Sources by relationship type and target, gathered while a file was read
        # (NetworkxStore._load_rows), so that the first query need not scan for them.
        # (node numbers: see FirmColumns, built on first use from the same notes)
        self._seeds = seeds or {}
        self._read = read_facts
        self._ids: list[str] = read_facts.ids if read_facts is not None else []
        self._columns: FirmColumns | None = None
        self._firms: dict[str, Positions] = {}
        self._local_firms: dict[tuple[str, str], Positions] = {}
        # answers made from node numbers, by id(), with those numbers (record_basics)
        self._made: dict[int, tuple[tuple[str, ...], Positions]] = {}
        # node ids by type, kept by the store: a walk over one type's nodes, not all 10^6
        self._by_type = by_type
        self._sources: dict[tuple[str, str], tuple[str, ...]] = {}
        self._targets: dict[tuple[str, str], tuple[str, ...]] = {}
        self._children: dict[str, list[str]] | None = None
        self._places_within: dict[str, frozenset[str]] = {}
        self._ancestors: dict[str, list[str]] = {}
        self.places: dict[str, Place] = {}  # as CompanyFacts lists them
        self._inside: dict[str, frozenset[str]] = {}
        self._segment_makers: dict[str, tuple[str, ...]] = {}
        self._segment_products: dict[str, tuple[str, ...]] = {}
        self._named: dict[tuple[str, str], list[str]] | None = None
        self._economy: dict[str, EconomyCounts] = {}
        self._all_makers: frozenset[str] | None = None
        self._local: dict[tuple[str, str], tuple[str, ...]] = {}
        self._outside: dict[tuple[str, str], tuple[str, ...]] = {}
        self._local_names: dict[tuple[str, str], tuple[str, ...]] = {}
        self._local_leaders: dict[tuple[str, str, LeaderRule], tuple[str, ...]] = {}
        self._local_facts: dict[tuple[str, str], tuple[tuple[bool, str], ...]] = {}
        self._ranks: dict[int, tuple[bool, int]] = {}
        self._within_any: dict[tuple[str, ...], frozenset[str]] = {}
        self._ring_counts: dict[tuple[str, tuple[str, ...]], int] = {}
        self._leaders: dict[LeaderRule, dict[str, bool]] = {}
        self.cache = AnalysisCache()

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

    def _unsorted_sources(self, target: str, rel_type: str) -> list[str]:
        seeded = self._seeds.get(rel_type)
        if seeded is not None:
            return list(map(self._ids.__getitem__, seeded.get(target, ())))
        return self._scan(self._pred.get(target, {}), rel_type)

    def targets(self, source: str, rel_type: str) -> tuple[str, ...]:
        """The targets of ``rel_type`` relationships out of ``source``, sorted."""
        found = self._targets.get((source, rel_type))
        if found is None:
            found = tuple(sorted(self._scan(self._succ.get(source, {}), rel_type)))
            self._targets[source, rel_type] = found
        return found

    def sources(self, target: str, rel_type: str) -> tuple[str, ...]:
        """The sources of ``rel_type`` relationships into ``target``, sorted, once each."""
        found = self._sources.get((target, rel_type))
        if found is None:
            # sorted first, then repeats dropped: the reader's lists come mostly in
            # order, which sorting passes over in one run (a set would scramble them)
            found = tuple(dict.fromkeys(sorted(self._unsorted_sources(target, rel_type))))
            self._sources[target, rel_type] = found
        return found

    def _typed(self, *types: str) -> Iterable[tuple[str, dict[str, Any]]]:
        """(id, data) of the nodes of these types (and maybe others: check ``data["t"]``)."""
        if self._by_type is None:
            return self._node.items()
        node = self._node
        return [(n, node[n]) for t in types for n in self._by_type.get(t, ())]

    def makers(self, product: str) -> tuple[str, ...]:
        """Every firm with a ``MAKES`` relationship to ``product``, sorted."""
        return self.sources(product, "MAKES")

    def named(self, node_type: str, name: str) -> tuple[str, ...]:
        """Ids of the products or segments named exactly ``name``, sorted."""
        if self._named is None:
            self._named = {}
            for node_id, data in self._typed("Product", "Segment"):
                if data["t"] in ("Product", "Segment"):
                    value = data["p"].get("name")
                    if isinstance(value, str) and value:
                        self._named.setdefault((data["t"], value), []).append(node_id)
        return tuple(sorted(self._named.get((node_type, name), ())))

    def segment_products(self, segment: str) -> tuple[str, ...]:
        """The products that belong to a segment, whichever chain files them, sorted."""
        found = self._segment_products.get(segment)
        if found is None:
            own = self.sources(segment, "IN_SEGMENT")
            data = self._node.get(segment)
            name = data["p"].get("name") if data is not None else None
            if isinstance(name, str) and name:
                members = set(own).union(self.named("Product", name))
                for twin in self.named("Segment", name):
                    if twin != segment:
                        members.update(self.sources(twin, "IN_SEGMENT"))
                found = tuple(sorted(members))
            else:
                found = own
            self._segment_products[segment] = found
        return found

    def best_fact(self, company: str, products: Container[str]) -> tuple[bool, str]:
        """(verified, grade) of a firm's best MAKES fact into one of ``products``."""
        best = (False, -1)
        ranks = self._ranks
        for product, edges in self._succ.get(company, {}).items():
            if product in products:
                for edge in edges.values():
                    if edge["t"] == "MAKES":
                        # Relationships read from a file share equal property dicts
                        # (NetworkxStore._load_rows): rank each dict once. The graph
                        # holds every dict while this index lives (a merge drops it).
                        props = edge["p"]
                        rank = ranks.get(id(props))
                        if rank is None:
                            rank = ranks[id(props)] = fact_rank(props)
                        if rank > best:
                            best = rank
        # a maker has at least one MAKES fact; none would read as unverified, medium
        return best[0], EVIDENCE_GRADES[best[1]] if best[1] >= 0 else "medium"

    def local_facts(self, segment: str, area: str) -> tuple[tuple[bool, str], ...]:
        """:meth:`best_fact` of each of :meth:`local_makers` in the segment's products."""
        found = self._local_facts.get((segment, area))
        if found is None:
            local = self.local_makers(segment, area)
            rank = self._uniform_rank(self.segment_products(segment))
            if rank is not None:
                # every fact into the segment ranks alike: so does each firm's best
                found = ((rank[0], EVIDENCE_GRADES[rank[1]]),) * len(local)
            else:
                member = frozenset(self.segment_products(segment))
                best_fact = self.best_fact
                found = tuple(best_fact(c, member) for c in local)
            self._local_facts[segment, area] = found
        return found

    def local_fact_columns(
        self, segment: str, area: str
    ) -> tuple[tuple[bool, ...], tuple[str, ...]]:
        """:meth:`local_facts` as two columns: verified, grade."""
        rank = self._uniform_rank(self.segment_products(segment))
        if rank is not None:
            count = self.count_local(segment, area)
            return (rank[0],) * count, (EVIDENCE_GRADES[rank[1]],) * count
        facts = self.local_facts(segment, area)
        return tuple(f[0] for f in facts), tuple(f[1] for f in facts)

    def _uniform_rank(self, products: Iterable[str]) -> tuple[bool, int] | None:
        """The rank all ``MAKES`` facts into ``products`` share, as the reader noted
        (None if they differ, or nothing was noted)."""
        read = self._read
        if read is None:
            return None
        ranks = {read.product_rank(p) for p in products if p in read.fact_props}
        return ranks.pop() if len(ranks) == 1 else None

    def economy(self, area: str) -> EconomyCounts:
        """Firms making any product: in ``area``, in China, anywhere."""
        found = self._economy.get(area)
        if found is None:
            columns = self.columns()
            if columns is not None:
                local = columns.economy(self.places_within(area)) if area else 0
                nation = columns.economy(self.places_within(NATION))
                found = EconomyCounts(area, local, nation, columns.economy(None))
            else:
                makers = self.all_makers()
                local = len(makers & self.inside(area)) if area else 0
                nation = len(makers & self.inside(NATION))
                found = EconomyCounts(area, local, nation, len(makers))
            self._economy[area] = found
        return found

    def all_makers(self) -> frozenset[str]:
        """The companies with a ``MAKES`` relationship."""
        if self._all_makers is None:
            node = self._node
            candidates = (n for n in node if self._makes(n))
            self._all_makers = frozenset(n for n in candidates if node[n]["t"] == "Company")
        return self._all_makers

    def columns(self) -> FirmColumns | None:
        """The reader's notes as integer arrays (None once a merge dropped them)."""
        if self._columns is None and self._read is not None and self._seeds:
            self._columns = FirmColumns(self._read, self._seeds)
        return self._columns

    def firms(self, group: str, columns: FirmColumns) -> Positions:
        """:meth:`group_makers` as node numbers, in id order."""
        found = self._firms.get(group)
        if found is None:
            data = self._node.get(group)
            if data is not None and data["t"] == "Segment":
                found = columns.makers(self.segment_products(group))
            else:
                found = columns.makers((group,))
            self._firms[group] = found
        return found

    def local_firms(self, group: str, area: str, columns: FirmColumns) -> Positions:
        """:meth:`local_makers` as node numbers, in id order."""
        found = self._local_firms.get((group, area))
        if found is None:
            found = columns.within(self.firms(group, columns), self.places_within(area))
            self._local_firms[group, area] = found
        return found

    def count_makers(self, group: str) -> int:
        """How many :meth:`group_makers` there are."""
        columns = self.columns()
        if columns is not None:
            return len(self.firms(group, columns))
        return len(self.group_makers(group))

    def count_product_makers(self, product: str) -> int:
        """How many :meth:`makers` a product has."""
        columns = self.columns()
        if columns is not None:
            return len(columns.makers((product,)))
        return len(self.makers(product))

    def count_local(self, group: str, area: str) -> int:
        """How many :meth:`local_makers` there are."""
        columns = self.columns()
        if columns is not None:
            return len(self.local_firms(group, area, columns))
        return len(self.local_makers(group, area))

    def out_edges(self, node_id: str) -> dict[str, dict[str, dict[str, Any]]]:
        """A node's out-edges as networkx keeps them: target -> key -> data."""
        return self._succ.get(node_id, {})

    def place_ancestors(self, place_id: str, store: GraphStore) -> list[str]:
        """``store.place_ancestors``, kept for this store state."""
        found = self._ancestors.get(place_id)
        if found is None:
            found = self._ancestors[place_id] = store.place_ancestors(place_id)
        return found

    def record_basics(self, company_ids: Sequence[str]) -> RecordBasics | None:
        """The store's ``record_basics`` from the reader's notes (None without them)."""
        columns = self.columns()
        if columns is None:
            return None
        return columns.basics(self._numbers(company_ids), self._node)

    def headquarters(self, company_ids: Sequence[str]) -> Headquarters | None:
        """The store's ``headquarters`` from the reader's notes (None without them)."""
        columns = self.columns()
        if columns is None:
            return None
        return columns.headquarters(self._numbers(company_ids))

    def _numbers(self, company_ids: Sequence[str]) -> Positions:
        """The node numbers of ``company_ids`` (-1: no node); those of an answer this
        index made from numbers without looking them up."""
        made = self._made.get(id(company_ids))
        if made is not None and made[0] is company_ids:
            return made[1]
        assert self._read is not None  # the columns come from it
        number = self._read.number
        return np.fromiter((number.get(c, -1) for c in company_ids), dtype=np.int32)

    def _makes(self, company: str) -> bool:
        return any(
            k == "MAKES" or k.startswith("MAKES\x1f")
            for edges in self._succ.get(company, {}).values()
            for k in edges
        )

    def segment_makers(self, segment: str) -> tuple[str, ...]:
        """The makers of the products of a segment, sorted, once each."""
        found = self._segment_makers.get(segment)
        if found is None:
            products = self.segment_products(segment)
            columns = self.columns()
            if columns is not None:
                found = columns.ids(self.firms(segment, columns))
            elif len(products) == 1:
                found = self.makers(products[0])
            else:
                # each product's makers are sorted: sorting them one after the other
                # merges runs (far cheaper than sorting a set), then repeats go
                found = tuple(dict.fromkeys(sorted(chain(*map(self.makers, products)))))
            self._segment_makers[segment] = found
        return found

    def group_makers(self, group: str) -> tuple[str, ...]:
        """The makers of a product, or of the products a segment holds directly."""
        data = self._node.get(group)
        if data is not None and data["t"] == "Segment":
            return self.segment_makers(group)
        return self.makers(group)

    def places_within(self, area: str) -> frozenset[str]:
        """``area`` and every place whose ``IN`` ancestors reach it within the depth limit."""
        if self._children is None:
            # Walked down from the few places, not up from each region's many firms.
            self._children = {}
            for place, data in self._typed("Region", "Base"):
                if data["t"] in ("Region", "Base"):
                    for parent in self._scan(self._succ.get(place, {}), "IN"):
                        self._children.setdefault(parent, []).append(place)
        held = self._places_within.get(area)
        if held is not None:
            return held
        found = {area}
        frontier = [area]
        for _ in range(MAX_PLACE_DEPTH):
            frontier = [c for p in frontier for c in self._children.get(p, ()) if c not in found]
            if not frontier:
                break
            found.update(frontier)
        held = self._places_within[area] = frozenset(found)
        return held

    def inside(self, area: str) -> frozenset[str]:
        """The firms with a ``LOCATED_IN`` site within ``area``."""
        found = self._inside.get(area)
        if found is None:
            firms: set[str] = set()
            for place in self.places_within(area):
                firms.update(self._unsorted_sources(place, "LOCATED_IN"))
            found = self._inside[area] = frozenset(firms)
        return found

    def local_makers(self, group: str, area: str) -> tuple[str, ...]:
        """:meth:`group_makers` with a site in ``area``, sorted."""
        found = self._local.get((group, area))
        if found is None and (columns := self.columns()) is not None:
            found = self._local[group, area] = columns.ids(self.local_firms(group, area, columns))
        if found is None:
            # filter() with the set's own method tests membership without a Python
            # frame per firm: a segment has up to 10^5 makers.
            found = tuple(filter(self.inside(area).__contains__, self.group_makers(group)))
            self._local[group, area] = found
        return found

    def within_any(self, places: tuple[str, ...]) -> frozenset[str]:
        """The firms with a ``LOCATED_IN`` site within any of ``places``."""
        if len(places) == 1:
            return self.inside(places[0])
        found = self._within_any.get(places)
        if found is None:
            found = frozenset().union(*(self.inside(p) for p in places))
            self._within_any[places] = found
        return found

    def ring_count(self, segment: str, places: tuple[str, ...]) -> int:
        """How many makers of a segment's products have a site within any of ``places``
        (0 if ``segment`` is no segment)."""
        key = (segment, places)
        found = self._ring_counts.get(key)
        if found is None:
            data = self._node.get(segment)
            if data is None or data["t"] != "Segment" or not places:
                found = 0
            elif (columns := self.columns()) is not None:
                within = frozenset().union(*map(self.places_within, places))
                found = columns.count_within(self.firms(segment, columns), within)
            elif len(places) == 1 and (segment, places[0]) in self._local:
                found = len(self._local[segment, places[0]])
            else:
                # counted in C: no tuple of the local firms, no Python frame per firm
                found = len(self.within_any(places).intersection(self.segment_makers(segment)))
            self._ring_counts[key] = found
        return found

    def outside_makers(self, product: str, area: str) -> tuple[str, ...]:
        """:meth:`makers` with no site in ``area`` (all of them if ``area`` is empty)."""
        if not area:
            return self.makers(product)
        found = self._outside.get((product, area))
        if found is None and (columns := self.columns()) is not None:
            found, firms = columns.outside_ids(product, self.places_within(area))
            self._outside[product, area] = found
            self._made[id(found)] = (found, firms)
        if found is None:
            inside = self.inside(area)
            found = tuple(filterfalse(inside.__contains__, self.makers(product)))
            self._outside[product, area] = found
        return found

    def local_names(self, group: str, area: str) -> tuple[str, ...]:
        """The names of :meth:`local_makers` (as :attr:`Node.name` reads them), in order."""
        held = self._local_names.get((group, area))
        if held is not None:
            return held
        node = self._node
        local = self.local_makers(group, area)
        columns = self.columns()
        # the names the reader noted; the others one by one
        noted = (
            columns.names(self.local_firms(group, area, columns)) if columns is not None else None
        )
        found: tuple[str, ...]
        if noted is None:
            found = tuple(str(node[c]["p"].get("name", c)) if c in node else c for c in local)
        else:
            found = noted
        self._local_names[group, area] = found
        return found

    def local_leaders(self, group: str, area: str, leader: LeaderRule) -> tuple[str, ...]:
        """Those of :meth:`local_makers` that are leaders by ``leader``."""
        key = (group, area, leader)
        found = self._local_leaders.get(key)
        if found is None:
            columns = self.columns()
            if columns is not None:
                local_firms = self.local_firms(group, area, columns)
                found = columns.ids(columns.leaders(local_firms, leader, self._node))
            else:
                local = self.local_makers(group, area)
                flags = self.leader_flags(local, leader)
                found = tuple(c for c in local if flags[c])
            self._local_leaders[key] = found
        return found

    def leader_flags(self, company_ids: Iterable[str], leader: LeaderRule) -> dict[str, bool]:
        """Whether each firm is a leader by ``leader`` (and any asked before)."""
        flags = self._leaders.setdefault(leader, {})
        node = self._node
        for company in company_ids:
            if company not in flags:
                data = node.get(company)
                flags[company] = data is not None and leader.holds(data["p"])
        return flags


class IndexedWalker(Walker):
    """A :class:`Walker` answering from the store's :class:`AnalysisIndex`."""

    def __init__(self, store: GraphStore, index: AnalysisIndex) -> None:
        super().__init__(store)
        self.index = index

    # The reads below run over every maker of a segment (10^4-10^5 firms at a million
    # firms): the index keeps each answer per segment or product and area.
    def sources(self, target: str, rel_type: str) -> tuple[str, ...]:
        return self.index.sources(target, rel_type)

    def targets(self, source: str, rel_type: str) -> tuple[str, ...]:
        return self.index.targets(source, rel_type)

    def segment_makers(self, segment_id: str) -> tuple[str, ...]:
        return self.index.segment_makers(segment_id)

    def named(self, node_type: str, name: str) -> tuple[str, ...]:
        return self.index.named(node_type, name)

    def segment_products(self, segment_id: str) -> tuple[str, ...]:
        return self.index.segment_products(segment_id)

    def best_fact(self, company_id: str, products: Container[str]) -> tuple[bool, str]:
        return self.index.best_fact(company_id, products)

    def economy(self, area: str) -> EconomyCounts:
        return self.index.economy(area)

    def local_facts(self, segment_id: str, area: str) -> tuple[tuple[bool, str], ...]:
        return self.index.local_facts(segment_id, area)

    def local_fact_columns(
        self, segment_id: str, area: str
    ) -> tuple[tuple[bool, ...], tuple[str, ...]]:
        return self.index.local_fact_columns(segment_id, area)

    def count_makers(self, product_id: str) -> int:
        return self.index.count_product_makers(product_id)

    def count_segment_makers(self, segment_id: str) -> int:
        return self.index.count_makers(segment_id)

    def count_local(self, group_id: str, area: str) -> int:
        return self.index.count_local(group_id, area)

    def group_makers(self, group_id: str) -> tuple[str, ...]:
        return self.index.group_makers(group_id)

    def local_makers(self, group_id: str, area: str) -> tuple[str, ...]:
        return self.index.local_makers(group_id, area)

    def outside_makers(self, product_id: str, area: str) -> tuple[str, ...]:
        return self.index.outside_makers(product_id, area)

    def local_names(self, group_id: str, area: str) -> tuple[str, ...]:
        return self.index.local_names(group_id, area)

    def local_leaders(self, group_id: str, area: str, leader: LeaderRule) -> tuple[str, ...]:
        return self.index.local_leaders(group_id, area, leader)

    def inside(self, area: str) -> Container[str]:
        return self.index.inside(area)

    def place_ancestors(self, place_id: str) -> list[str]:
        return self.index.place_ancestors(place_id, self.store)

    def place(self, place_id: str) -> Place:
        return self.index.places.get(place_id) or self.index.places.setdefault(
            place_id, super().place(place_id)
        )

    def facts_out(self, company_id: str) -> list[Relationship]:
        # the adjacency dicts read directly: no networkx view per firm
        return [
            Relationship(d["t"], company_id, target, d["k"], d["p"])
            for target, edges in self.index.out_edges(company_id).items()
            for d in edges.values()
            if d["t"] in FACT_TYPES
        ]

    def is_leader(self, company_id: str, leader: LeaderRule) -> bool:
        return self.index.leader_flags((company_id,), leader)[company_id]
