"""The store interface every graph backend implements (networkx embedded, Neo4j)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from chaingraph.model import Model, Node, Relationship, load_model

if TYPE_CHECKING:
    from chaingraph.store.aggregates import (
        BaseFacts,
        ChainCounts,
        CompanyFacts,
        EconomyCounts,
        LeaderInput,
        ProductSupply,
        SegmentCoverage,
        Walker,
    )

__all__ = ["Direction", "GraphStore", "MergeReport", "NameMatch"]

Direction = Literal["out", "in"]


@dataclass(frozen=True)
class MergeReport:
    """What one merge changed. Merging the same data twice reports only ``unchanged``."""

    nodes_created: int = 0
    nodes_updated: int = 0
    relationships_created: int = 0
    relationships_updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return any(
            (
                self.nodes_created,
                self.nodes_updated,
                self.relationships_created,
                self.relationships_updated,
            )
        )

    def __add__(self, other: MergeReport) -> MergeReport:
        return MergeReport(
            self.nodes_created + other.nodes_created,
            self.nodes_updated + other.nodes_updated,
            self.relationships_created + other.relationships_created,
            self.relationships_updated + other.relationships_updated,
            self.unchanged + other.unchanged,
        )


@dataclass(frozen=True)
class NameMatch:
    """A node found by name, with how well it matched (100 = exact name or alias)."""

    id: str
    type: str
    name: str
    score: float
    matched: str


class GraphStore(ABC):
    """A chain graph: typed nodes with stable ids and typed, keyed relationships.

    Implementations: :class:`~chaingraph.store.networkx_store.NetworkxStore`
    (embedded, one file) and :class:`~chaingraph.store.neo4j_store.Neo4jStore`.
    Both merge idempotently: merging data already present changes nothing.
    """

    model: Model

    def __init__(self, model: Model | None = None) -> None:
        self.model = model or load_model()

    # -- reading -----------------------------------------------------------
    @abstractmethod
    def get(self, node_id: str) -> Node | None:
        """The node with this id, or None."""

    @abstractmethod
    def nodes(self, type: str | None = None) -> Iterator[Node]:
        """Every node (of one type when given), in a stable order."""

    @abstractmethod
    def relationships(
        self,
        type: str | None = None,
        *,
        source: str | None = None,
        target: str | None = None,
    ) -> Iterator[Relationship]:
        """Relationships filtered by type and/or endpoint, in a stable order."""

    @abstractmethod
    def count_nodes(self, type: str | None = None) -> int:
        """How many nodes (of one type when given)."""

    @abstractmethod
    def count_relationships(self, type: str | None = None) -> int:
        """How many relationships (of one type when given)."""

    @abstractmethod
    def ids_by_name(self, name: str, type: str | None = None) -> list[str]:
        """Ids whose name or alias equals ``name`` after normalisation (exact)."""

    @abstractmethod
    def names(self, type: str | None = None) -> Iterator[tuple[str, str, str]]:
        """``(id, type, name-or-alias)`` for every name and alias, for fuzzy lookup."""

    @abstractmethod
    def company_by_uscc(self, uscc: str) -> str | None:
        """Id of the company with this 统一社会信用代码, or None."""

    @abstractmethod
    def company_by_name_key(self, key: str) -> str | None:
        """Id of the company whose legal or short name has this :func:`~chaingraph.names.name_key`."""

    def get_many(self, node_ids: Iterable[str]) -> dict[str, Node]:
        """The nodes with these ids that exist, by id (one round trip on a server)."""
        found = {}
        for node_id in dict.fromkeys(node_ids):
            node = self.get(node_id)
            if node is not None:
                found[node_id] = node
        return found

    def walker(self) -> Walker:
        """Memoised walks for one aggregate read (a store with indexes returns its own)."""
        from chaingraph.store import aggregates

        return aggregates.Walker(self)

    def analysis_cache(self) -> dict[object, object] | None:
        """A dict analyses may keep derived data in, emptied whenever the store changes;
        None when the store cannot tell (a server other clients write to)."""
        return None

    def company_sites(self, company_id: str) -> frozenset[str]:
        """Every region and base a company has a site in, with the regions enclosing them."""
        from chaingraph.store import aggregates

        return aggregates.company_sites(self, company_id)

    def neighbors(
        self, node_id: str, type: str | None = None, direction: Direction = "out"
    ) -> list[str]:
        """Ids one relationship away (``out``: targets of ``node_id``; ``in``: sources)."""
        if direction == "out":
            return [r.target for r in self.relationships(type, source=node_id)]
        return [r.source for r in self.relationships(type, target=node_id)]

    def require(self, node_id_or_name: str, type: str | None = None) -> Node:
        """The node with this id or (unique) name; :class:`NotFound` with near names otherwise."""
        from chaingraph.lookup import resolve

        return resolve(self, node_id_or_name, type)

    # -- aggregates -----------------------------------------------------------
    # What the analyses read, in bulk. The defaults (chaingraph.store.aggregates) walk
    # the graph through the reads above; a server store answers each with one query.
    # See chaingraph.store.aggregates for the exact definitions both must follow.

    def evaluated_segments(self, root: str) -> list[str]:
        """Segments under a chain or segment judged on their own (leaves, and parents
        holding products directly), sorted by id."""
        from chaingraph.store import aggregates

        return aggregates.evaluated_segments(self, root)

    def focus_priorities(self, base_id: str) -> dict[str, int]:
        """Evaluated segments a base focuses on (through a chain, segment or product) ->
        their best priority (1 = highest; 3 when none is given), by segment id."""
        from chaingraph.store import aggregates

        return aggregates.focus_priorities(self, base_id)

    def company_facts(self, company_ids: Iterable[str]) -> dict[str, CompanyFacts]:
        """Sites, headquarters, fact counts, products and customers of each company found."""
        from chaingraph.store import aggregates

        return aggregates.company_facts(self, company_ids)

    def segment_coverage(
        self,
        segment_ids: Iterable[str],
        area: str,
        leader_tags: Sequence[str] = (),
        leader_rank: int = 100,
    ) -> dict[str, SegmentCoverage]:
        """Each segment found with its products, their makers, the makers with a site in
        ``area`` (and which of those are leaders), and its neighbouring segments."""
        from chaingraph.store import aggregates

        return aggregates.segment_coverage(self, segment_ids, area, leader_tags, leader_rank)

    def economy_counts(self, area: str) -> EconomyCounts:
        """How many firms make any product: with a site in ``area``, in China, anywhere."""
        from chaingraph.store import aggregates

        return aggregates.economy_counts(self, area)

    def leader_inputs(
        self,
        product_ids: Iterable[str],
        area: str,
        leader_tags: Sequence[str] = (),
        leader_rank: int = 100,
    ) -> list[LeaderInput]:
        """Inputs of those products that a leader with a site in ``area`` makes, with how
        many firms make each input and how many of them are in ``area``."""
        from chaingraph.store import aggregates

        return aggregates.leader_inputs(self, product_ids, area, leader_tags, leader_rank)

    def local_users(
        self, product_ids: Iterable[str], area: str
    ) -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
        """Per product found: each product it is an input to, by id, with that product's
        makers with a site in ``area`` (sorted; none when ``area`` is empty)."""
        from chaingraph.store import aggregates

        return aggregates.local_users(self, product_ids, area)

    def segment_candidates(
        self, segment_ids: Iterable[str], area: str
    ) -> dict[str, dict[str, tuple[str, ...]]]:
        """Per segment: each product it holds directly -> its makers with no site in
        ``area`` (every maker when ``area`` is empty)."""
        from chaingraph.store import aggregates

        return aggregates.segment_candidates(self, segment_ids, area)

    def product_supply(self, chain: str | None = None) -> list[ProductSupply]:
        """Every product (of one chain when given) with the firms that make it."""
        from chaingraph.store import aggregates

        return aggregates.product_supply(self, chain)

    def chain_counts(self, home_region: str) -> list[ChainCounts]:
        """Per chain: segments, products, their makers, those in ``home_region``, facts."""
        from chaingraph.store import aggregates

        return aggregates.chain_counts(self, home_region)

    def base_facts(self) -> list[BaseFacts]:
        """Per base: focus, the regions it lies in and how many firms have a site inside."""
        from chaingraph.store import aggregates

        return aggregates.base_facts(self)

    # -- writing -----------------------------------------------------------
    @abstractmethod
    def merge(self, nodes: Iterable[Node], relationships: Iterable[Relationship]) -> MergeReport:
        """Add or update nodes and relationships, all or nothing (a server store checks
        everything first, then writes in batches that are each all or nothing, and
        finishes an interrupted load when run again).

        Nodes are matched by id, relationships by ``(type, source, target, key)``.
        Scalar properties are overwritten by incoming non-null values; ``aliases``
        and ``tags`` are merged as ordered sets. Relationship endpoints must exist
        in the store or in ``nodes``.
        """

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (connections, file handles)."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
