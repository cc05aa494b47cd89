"""The embedded default store: a networkx MultiDiGraph saved to one file."""

from __future__ import annotations

import os
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from chaingraph.collector import collector_paused
from chaingraph.errors import StoreError
from chaingraph.model import Model, Node, Relationship
from chaingraph.names import name_key, normalize_text
from chaingraph.store.base import (
    DEFAULT_LEADER_RULE,
    AnalysisCache,
    BaseFacts,
    ChainCounts,
    CompanyFacts,
    EconomyCounts,
    GraphStore,
    LeaderInput,
    LeaderRule,
    MergeReport,
    ProductSupply,
    SegmentCoverage,
)
from chaingraph.store.candidates import CandidatePage, MakerClass, arrange, pages_asked
from chaingraph.store.merging import check_batch, collapse_batch, merge_props
from chaingraph.store.networkx import aggregates, firmfacts
from chaingraph.store.networkx.aggregates import Walker
from chaingraph.store.networkx.columns import ReadFacts
from chaingraph.store.networkx.fileformat import (
    file_signature,
    read_store_file,
    write_store_file,
)
from chaingraph.store.networkx.index import AnalysisIndex, IndexedWalker
from chaingraph.store.networkx.locking import store_lock
from chaingraph.store.networkx.reader import edge_key, load_rows
from chaingraph.store.networkx.warm import warm
from chaingraph.store.records import Headquarters, RecordBasics, shares_of

__all__ = ["NetworkxStore"]


def _same_path(a: Path, b: Path) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


class NetworkxStore(GraphStore):
    """Chain graph held in memory as a :class:`networkx.MultiDiGraph`.

    Node attributes are ``{"t": type, "p": props}``; an edge's networkx key is
    its relationship type plus its discriminating key, so merging an edge that
    exists updates it instead of adding a parallel one.

    The ``props`` of the nodes and relationships it returns are the store's own
    dicts, and relationships read from a file share equal ones: treat them as
    read-only and change data through :meth:`merge`.

    Examples
    --------
    >>> from chaingraph.model import Node, Relationship
    >>> store = NetworkxStore()
    >>> nodes = [Node("chain:ic", "Chain", {"name": "集成电路"}),
    ...          Node("seg:ic.design", "Segment", {"name": "芯片设计", "stage": "上游"})]
    >>> rels = [Relationship("PART_OF", "seg:ic.design", "chain:ic")]
    >>> store.merge(nodes, rels).nodes_created
    2
    >>> store.merge(nodes, rels).changed
    False
    >>> store.count_nodes("Segment"), store.count_relationships()
    (1, 1)
    """

    def __init__(self, path: str | Path | None = None, model: Model | None = None) -> None:
        super().__init__(model)
        self.path = Path(path) if path is not None else None
        self.meta: dict[str, Any] = {}
        # The file as it was when read (see save): a save over a file another process
        # saved since would lose that process's changes.
        self._opened = False
        self._opened_as: tuple[int, ...] | None = None
        self.graph = nx.MultiDiGraph()
        self._by_type: dict[str, dict[str, None]] = defaultdict(dict)
        self._names: dict[str, dict[str, None]] = defaultdict(dict)
        self._uscc: dict[str, str] = {}
        # name_key -> the companies having it; a key shared by several names none.
        self._company_keys: dict[str, dict[str, None]] = defaultdict(dict)
        self._names_built = False
        self._edge_counts: dict[str, int] = defaultdict(int)
        # Sites with their enclosing regions and the analysis indexes, read by every
        # gap rule for every firm; dropped by each merge, which may move a firm or a region.
        self._sites: dict[str, frozenset[str]] = {}
        self._index: AnalysisIndex | None = None
        # Sources of the relationships the analyses look up by target, gathered while
        # the file was read; stale after a merge, so the index then scans the graph.
        self._seeds: dict[str, dict[str, array[int]]] | None = None
        # Leader and evidence facts gathered while the file was read (same life as seeds).
        self._read_facts: ReadFacts | None = None

    # -- files ---------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, model: Model | None = None) -> NetworkxStore:
        """Load the store saved at ``path`` (an empty store if the file does not exist)."""
        store = cls(path, model)
        if store.path is not None:
            store._opened = True
            store._opened_as = file_signature(store.path)
            if store.path.exists():
                with collector_paused(freeze_after=True):
                    meta, nodes, edges = read_store_file(store.path)
                    store.meta = meta
                    store._load_rows(nodes, edges)
                    # what the first analysis reads, built under the paused collector
                    warm(store, store._analysis_index())
        return store

    def save(self, path: str | Path | None = None) -> Path:
        """Write the store atomically to ``path`` (default: where it was opened).

        Holds the file's write lock (:func:`~chaingraph.store.networkx.locking.store_lock`) while
        writing, and refuses (:class:`StoreError`, nothing written) to overwrite the file
        it was opened from if another process saved it since: that would lose the other
        process's changes. Take the lock for the whole read-modify-write
        (:func:`chaingraph.dataset.updating_store`) to wait for the other writer instead.
        """
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("no path to save to: pass one or open the store from a file")
        nodes = ((n, d["t"], d["p"]) for n, d in self.graph.nodes(data=True))
        edges = ((d["t"], u, v, d["k"], d["p"]) for u, v, d in self.graph.edges(data=True))
        with store_lock(target):
            same_file = self.path is not None and _same_path(target, self.path)
            if same_file and self._opened and self._opened_as != file_signature(target):
                raise StoreError(
                    f"{target}: another process changed this store since it was opened; "
                    "nothing was written; open it again and repeat the change"
                )
            write_store_file(target, self.meta, nodes, edges)
            if same_file:
                self._opened, self._opened_as = True, file_signature(target)
        return target

    def _load_rows(self, nodes: list[Any], edges: list[Any]) -> None:
        # Consumes the rows (chaingraph.store.networkx.reader); notes what the first
        # analysis needs on the way.
        self._seeds, self._read_facts = load_rows(
            self.path or Path("<store>"),
            self.model,
            self.graph,
            self._by_type,
            self._edge_counts,
            nodes,
            edges,
        )

    # -- indexes ---------------------------------------------------------------
    # Only text is indexed: a store file or a Neo4j someone else filled may hold a
    # name that is a number or a list, which must neither crash nor be found.
    # The name indexes are built on first use: normalising every name took a third
    # of opening a large store, and analyses never read them.
    def _name_indexes(self) -> None:
        if not self._names_built:
            self._names_built = True
            for node_id, data in self.graph._node.items():
                self._index_names(node_id, data["t"], data["p"])

    def _unindex_node(self, node_id: str, props: dict[str, Any]) -> None:
        """Forget a node's names before re-indexing it, so a renamed node is not found by
        its old name (which a reopened store would not know either)."""
        if not self._names_built:
            return
        for text in _node_names(props):
            ids = self._names.get(normalize_text(text).lower())
            if ids is not None:
                ids.pop(node_id, None)
                if not ids:
                    del self._names[normalize_text(text).lower()]
        uscc = _text(props, "uscc")
        if uscc and self._uscc.get(uscc) == node_id:
            del self._uscc[uscc]
        for field in ("legal_name", "name"):
            shown = _text(props, field)
            if shown:
                holders = self._company_keys.get(name_key(shown))
                if holders is not None:
                    holders.pop(node_id, None)
                    if not holders:
                        del self._company_keys[name_key(shown)]

    def _index_node(self, node_id: str, node_type: str, props: dict[str, Any]) -> None:
        self._by_type[node_type][node_id] = None
        if self._names_built:
            self._index_names(node_id, node_type, props)

    def _index_names(self, node_id: str, node_type: str, props: dict[str, Any]) -> None:
        for text in _node_names(props):
            self._names[normalize_text(text).lower()][node_id] = None
        if node_type == "Company":
            uscc = _text(props, "uscc")
            if uscc:
                self._uscc[uscc] = node_id
            for field in ("legal_name", "name"):
                shown = _text(props, field)
                if shown:
                    self._company_keys[name_key(shown)][node_id] = None

    # -- reading -----------------------------------------------------------------
    def get(self, node_id: str) -> Node | None:
        data = self.graph._node.get(node_id)
        return None if data is None else Node(node_id, data["t"], data["p"])

    def get_many(self, node_ids: Iterable[str]) -> dict[str, Node]:
        # networkx's node view costs more than the lookup; target scoring reads 10^5 firms.
        node = self.graph._node
        found = {}
        for node_id in node_ids:
            data = node.get(node_id)
            if data is not None:
                found[node_id] = Node(node_id, data["t"], data["p"])
        return found

    def nodes(self, type: str | None = None) -> Iterator[Node]:
        ids: Iterable[str] = self._by_type.get(type, {}) if type else self.graph.nodes
        for node_id in ids:
            data = self.graph.nodes[node_id]
            yield Node(node_id, data["t"], data["p"])

    def relationships(
        self,
        type: str | None = None,
        *,
        source: str | None = None,
        target: str | None = None,
    ) -> Iterator[Relationship]:
        if source is not None:
            if source not in self.graph:
                return
            edges = self.graph.out_edges(source, data=True)
        elif target is not None:
            if target not in self.graph:
                return
            edges = self.graph.in_edges(target, data=True)
        else:
            edges = self.graph.edges(data=True)
        for u, v, d in edges:
            if type is not None and d["t"] != type:
                continue
            if target is not None and v != target:
                continue
            yield Relationship(d["t"], u, v, d["k"], d["p"])

    def count_nodes(self, type: str | None = None) -> int:
        return len(self._by_type.get(type, {})) if type else self.graph.number_of_nodes()

    def count_relationships(self, type: str | None = None) -> int:
        return self._edge_counts.get(type, 0) if type else self.graph.number_of_edges()

    def ids_by_name(self, name: str, type: str | None = None) -> list[str]:
        self._name_indexes()
        ids = self._names.get(normalize_text(name).lower(), {})
        return [i for i in ids if type is None or self.graph.nodes[i]["t"] == type]

    def names(self, type: str | None = None) -> Iterator[tuple[str, str, str]]:
        for node in self.nodes(type):
            for text in _node_names(node.props):
                yield node.id, node.type, text

    def company_by_uscc(self, uscc: str) -> str | None:
        self._name_indexes()
        return self._uscc.get(uscc)

    def company_by_name_key(self, key: str) -> str | None:
        # Several companies with one key (kept apart by their USCC): no single answer.
        self._name_indexes()
        holders = self._company_keys.get(key, {})
        return next(iter(holders)) if len(holders) == 1 else None

    def record_basics(self, company_ids: Sequence[str]) -> RecordBasics:
        found = self._analysis_index().record_basics(company_ids)
        return found if found is not None else super().record_basics(company_ids)

    def headquarters(self, company_ids: Sequence[str]) -> Headquarters | None:
        return self._analysis_index().headquarters(company_ids)

    def analysis_cache(self) -> AnalysisCache:
        return self._analysis_index().cache

    def company_sites(self, company_id: str) -> frozenset[str]:
        sites = self._sites.get(company_id)
        if sites is None:
            sites = self._sites[company_id] = super().company_sites(company_id)
        return sites

    # -- aggregates: Python walks over the indexes (chaingraph.store.networkx.aggregates) --
    def _analysis_index(self) -> AnalysisIndex:
        if self._index is None:
            self._index = AnalysisIndex(self.graph, self._seeds, self._read_facts, self._by_type)
        return self._index

    def _walker(self) -> Walker:
        return IndexedWalker(self, self._analysis_index())

    def evaluated_segments(self, root: str) -> list[str]:
        return aggregates.evaluated_segments(self, root)

    def focus_priorities(self, base_id: str) -> dict[str, int]:
        return aggregates.focus_priorities(self, base_id)

    def company_facts(self, company_ids: Iterable[str]) -> dict[str, CompanyFacts]:
        walk = IndexedWalker(self, self._analysis_index())
        return firmfacts.company_facts(walk, self.graph._node, company_ids)

    def revenue_shares(self, company_ids: Iterable[str]) -> dict[str, dict[str, float]]:
        # the adjacency dicts read directly: no Relationship per fact (first targets call)
        succ = self.graph._succ
        return {
            company: shares_of(
                (target, d["p"].get("revenue_share"))
                for target, edges in succ.get(company, {}).items()
                for d in edges.values()
                if d["t"] == "MAKES"
            )
            for company in dict.fromkeys(company_ids)
        }

    def segment_coverage(
        self,
        segment_ids: Iterable[str],
        area: str,
        leader: LeaderRule = DEFAULT_LEADER_RULE,
        *,
        names: bool = True,
    ) -> dict[str, SegmentCoverage]:
        return aggregates.segment_coverage(self._walker(), segment_ids, area, leader, names=names)

    def ring_makers(
        self, segment_ids: Iterable[str], rings: Sequence[Sequence[str]]
    ) -> dict[str, tuple[int, ...]]:
        index = self._analysis_index()
        places = [tuple(sorted(set(ring))) for ring in rings]
        return {
            seg: tuple(index.ring_count(seg, ring) for ring in places)
            for seg in sorted(set(segment_ids))
        }

    def economy_counts(self, area: str) -> EconomyCounts:
        return aggregates.economy_counts(self._walker(), area)

    def leader_inputs(
        self, product_ids: Iterable[str], area: str, leader: LeaderRule = DEFAULT_LEADER_RULE
    ) -> list[LeaderInput]:
        return aggregates.leader_inputs(self._walker(), product_ids, area, leader)

    def local_users(
        self, product_ids: Iterable[str], area: str
    ) -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
        return aggregates.local_users(self._walker(), product_ids, area)

    def segment_candidates(
        self, segment_ids: Iterable[str], area: str
    ) -> dict[str, dict[str, tuple[str, ...]]]:
        return aggregates.segment_candidates(self._walker(), segment_ids, area)

    def makes_facts(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Relationship]:
        found: dict[tuple[str, str], Relationship] = {}
        for firm, product in dict.fromkeys(pairs):
            for rel in self.relationships("MAKES", source=firm, target=product):
                found[(firm, product)] = rel
                break
        return found

    def node_names(self, node_ids: Iterable[str]) -> dict[str, str]:
        # Node.name from the node data, no Node per id (a town's 10^4 local users)
        node = self.graph._node
        return {
            i: str(data["p"].get("name", i)) for i in node_ids if (data := node.get(i)) is not None
        }

    def candidate_classes(
        self, segment_ids: Iterable[str]
    ) -> dict[str, dict[str, tuple[MakerClass, ...]]]:
        walk = self._walker()
        return {
            seg: {p: self._arranged(p)[0] for p in walk.segment_products(seg)}
            for seg in dict.fromkeys(segment_ids)
        }

    def candidate_pages(
        self, wanted: Iterable[tuple[str, str, int]]
    ) -> dict[tuple[str, str, int], CandidatePage]:
        asked = list(wanted)
        return pages_asked(asked, {p: self._arranged(p)[1] for p in {w[0] for w in asked}})

    def _arranged(
        self, product: str
    ) -> tuple[tuple[MakerClass, ...], dict[str, list[CandidatePage]]]:
        """A product's makers in classes and pages (:func:`arrange`), kept until a change."""
        held: dict[str, Any] = self.analysis_cache().slot(("candidates",), dict)
        found = held.get(product)
        if found is None:
            makers = self._walker().makers(product)
            basics = self.record_basics(makers)
            kinds, kind_of = basics.kinds, basics.kind_of
            found = held[product] = arrange(
                (m, kinds[k]) for m, k in zip(makers, kind_of, strict=True) if k >= 0
            )
        return found

    def product_supply(self, chain: str | None = None) -> list[ProductSupply]:
        return aggregates.product_supply(self._walker(), chain)

    def chain_counts(self, home_region: str) -> list[ChainCounts]:
        return aggregates.chain_counts(self._walker(), home_region)

    def base_facts(self) -> list[BaseFacts]:
        return aggregates.base_facts(self._walker())

    # -- writing -----------------------------------------------------------------
    def merge(self, nodes: Iterable[Node], relationships: Iterable[Relationship]) -> MergeReport:
        self._sites.clear()
        self._index = None
        self._seeds = None
        self._read_facts = None
        nodes, relationships = collapse_batch(nodes, relationships)
        # Check everything before touching the graph, so a bad batch writes nothing.
        ids = {n.id for n in nodes} | {e for r in relationships for e in (r.source, r.target)}
        check_batch(
            self.model,
            nodes,
            relationships,
            {i: self.graph.nodes[i]["t"] for i in ids if i in self.graph},
        )

        created = updated = unchanged = 0
        touched_nodes: list[str] = []
        touched_rels: list[list[str]] = []
        for node in nodes:
            data = self.graph.nodes.get(node.id)
            if data is None:
                props = merge_props({}, node.props)
                self.graph.add_node(node.id, t=node.type, p=props)
                created += 1
            else:
                props = merge_props(data["p"], node.props)
                if props == data["p"]:
                    unchanged += 1
                    continue
                self._unindex_node(node.id, data["p"])
                data["p"] = props
                updated += 1
            self._index_node(node.id, node.type, props)
            touched_nodes.append(node.id)

        rel_created = rel_updated = 0
        for rel in relationships:
            ekey = edge_key(rel.type, rel.key)
            existing = self.graph.get_edge_data(rel.source, rel.target, ekey)
            if existing is None:
                self.graph.add_edge(
                    rel.source,
                    rel.target,
                    key=ekey,
                    t=rel.type,
                    k=rel.key,
                    p=merge_props({}, rel.props),
                )
                self._edge_counts[rel.type] += 1
                rel_created += 1
            else:
                props = merge_props(existing["p"], rel.props)
                if props == existing["p"]:
                    unchanged += 1
                    continue
                existing["p"] = props
                rel_updated += 1
            touched_rels.append([rel.type, rel.source, rel.target, rel.key])
        self._note_changes(touched_nodes, touched_rels)
        return MergeReport(created, updated, rel_created, rel_updated, unchanged)

    def _note_changes(self, nodes: list[str], relationships: list[list[str]]) -> None:
        """Record in the store's own metadata that data was merged into it.

        ``user_loads`` counts the merges that changed something; in a default store
        (built from the bundled dataset) ``user_changes`` also lists what they touched,
        so that a refresh for new bundled data re-applies exactly those
        (:func:`chaingraph.dataset.open_default_store`).
        """
        if not nodes and not relationships:
            return
        self.meta["user_loads"] = int(self.meta.get("user_loads", 0)) + 1
        if self.meta.get("default_store"):
            changes = self.meta.get("user_changes")
            if not (
                isinstance(changes, dict)
                and isinstance(changes.get("nodes"), list)
                and isinstance(changes.get("relationships"), list)
            ):
                changes = self.meta["user_changes"] = {"nodes": [], "relationships": []}
            known_nodes = {n for n in changes["nodes"] if isinstance(n, str)}
            changes["nodes"].extend(n for n in dict.fromkeys(nodes) if n not in known_nodes)
            known_rels = {tuple(r) for r in changes["relationships"] if isinstance(r, list)}
            changes["relationships"].extend(r for r in relationships if tuple(r) not in known_rels)


def _text(props: dict[str, Any], field: str) -> str | None:
    value = props.get(field)
    return value if isinstance(value, str) and value else None


def _node_names(props: dict[str, Any]) -> Iterator[str]:
    for field in ("name", "legal_name"):
        text = _text(props, field)
        if text:
            yield text
    aliases = props.get("aliases")
    if isinstance(aliases, list):
        yield from (a for a in aliases if isinstance(a, str) and a)
