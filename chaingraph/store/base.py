"""The store contract: every read and write the analyses use, and what each answer means.

:class:`GraphStore` is the one interface both engines implement side by side:
:class:`~chaingraph.store.networkx.NetworkxStore` (embedded, one file; its aggregates are
Python walks over indexes) and :class:`~chaingraph.store.neo4j.Neo4jStore` (a Neo4j 5.26
server; each aggregate is one named query of ``queries/``). The result records (written
in :mod:`chaingraph.store.answers`, imported from here), the leader rule and the
definitions below are the contract both follow exactly; the contract tests
(``tests/test_store_contract.py``) hold both engines to them.

Definitions
-----------
- **places of a region or base**: the place itself, then every region reachable through
  ``IN`` (any parent), at most :data:`MAX_PLACE_DEPTH` hops away, nearest first, ties by id.
- **sites of a company**: the places of every ``LOCATED_IN`` target. A firm is *local* to
  an area when the area is among its sites, *national* when :data:`NATION` is.
- **headquarters**: the ``LOCATED_IN`` target with key :data:`HQ_ROLE` (the smallest id if
  there are several), with its places.
- **leader**: what :class:`LeaderRule` says (a leader tag, or a global rank at most the
  rule's rank).
- **chain of a segment**: the chain reachable through ``PART_OF`` (the smallest id if several).
- **evaluated segments** under a chain or segment: the segment itself (if a segment) and
  every segment below it, keeping those with no sub-segment or with products of their own.
- **products of a segment** (its *members*): the products with ``IN_SEGMENT`` to it, to any
  other segment with the same ``name``, and the products whose ``name`` is the segment's
  name: a segment or product filed under two chains is one thing.
- **evidence of a firm in a segment**: the best of its ``MAKES`` facts into the segment's
  products by :func:`fact_rank`.
- Lists of ids are sorted; lists of names follow the order of their ids, except where a
  field says they are sorted by name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, TypeVar

from chaingraph.model import Model, Node, Relationship, load_model
from chaingraph.store.answers import (
    BaseFacts,
    ChainCounts,
    CompanyFacts,
    EconomyCounts,
    LeaderInput,
    Place,
    ProductSupply,
    SegmentCoverage,
)
from chaingraph.store.cache import AnalysisCache
from chaingraph.store.candidates import CandidateReads
from chaingraph.store.lookup import NameMatch, resolve, search_names
from chaingraph.store.records import (
    Headquarters,
    RecordBasics,
    record_basics_by_nodes,
    revenue_shares_by_facts,
)

__all__ = [
    "DEFAULT_LEADER_RULE",
    "DEFAULT_LEADER_TAGS",
    "EVIDENCE_GRADES",
    "HQ_ROLE",
    "MAX_CHAIN_DEPTH",
    "MAX_PLACE_DEPTH",
    "NATION",
    "UNVERIFIED",
    "AnalysisCache",
    "BaseFacts",
    "ChainCounts",
    "CompanyFacts",
    "Direction",
    "EconomyCounts",
    "GraphStore",
    "LeaderInput",
    "LeaderRule",
    "MergeReport",
    "NameMatch",
    "Place",
    "ProductSupply",
    "SegmentCoverage",
    "fact_rank",
]

Direction = Literal["out", "in"]
T = TypeVar("T")

MAX_PLACE_DEPTH = 20  # hops of IN followed from a site to the regions around it
MAX_CHAIN_DEPTH = 100  # hops of PART_OF followed from a segment up to its chain
HQ_ROLE = "总部"
NATION = "region:cn"
FACT_TYPES = ("MAKES", "LOCATED_IN", "SUPPLIES")  # with the company record: a firm's facts
EVIDENCE_GRADES = ("weak", "medium", "strong")  # a MAKES ``evidence``; missing = medium
UNVERIFIED = "unverified"  # the ``source`` of a fact nobody has checked
DEFAULT_LEADER_TAGS = ("龙头企业", "链主", "全球百强", "单项冠军")


# -- the rules ---------------------------------------------------------------------


@dataclass(frozen=True)
class LeaderRule:
    """Who counts as a leader (龙头): a firm with any of ``tags``, or a global rank at
    most ``rank``.

    The one definition of a leader. The embedded engine asks :meth:`holds`; the Cypher
    queries receive :meth:`parameters` as ``$leader_tags`` and ``$leader_rank``.

    Examples
    --------
    >>> rule = LeaderRule(("链主",), 100)
    >>> rule.holds({"tags": ["链主"]}), rule.holds({"global_rank": {"rank": 250}})
    (True, False)
    >>> rule.holds_for(("专精特新",), 12)
    True
    >>> rule.parameters()
    {'leader_tags': ['链主'], 'leader_rank': 100}
    """

    tags: tuple[str, ...] = DEFAULT_LEADER_TAGS
    rank: int = 100

    def holds(self, props: Mapping[str, Any]) -> bool:
        """Whether a firm with these (stored) properties is a leader."""
        tags = props.get("tags") or ()
        return self.holds_for(
            tags if isinstance(tags, list | tuple) else (),
            (props.get("global_rank") or {}).get("rank"),
        )

    def holds_for(self, tags: Iterable[str], rank: object) -> bool:
        """Whether a firm with these tags and global rank (None when unknown) is a leader."""
        return not self._tag_set.isdisjoint(tags) or self.rank_holds(rank)

    @cached_property
    def _tag_set(self) -> frozenset[str]:
        # built once per rule: a hub city asks this for 10^5 makers
        return frozenset(self.tags)

    def rank_holds(self, rank: object) -> bool:
        """Whether a global rank (an int, or None when unknown) makes a leader."""
        return isinstance(rank, int) and rank <= self.rank

    def parameters(self) -> dict[str, Any]:
        """The rule as query parameters."""
        return {"leader_tags": list(self.tags), "leader_rank": self.rank}


DEFAULT_LEADER_RULE = LeaderRule()


def fact_rank(props: Mapping[str, Any]) -> tuple[bool, int]:
    """How strong one ``MAKES`` fact is: (verified, index of its grade in
    :data:`EVIDENCE_GRADES`); a missing or unknown ``evidence`` counts as medium.

    Examples
    --------
    >>> fact_rank({"source": "unverified"}), fact_rank({"source": "年报", "evidence": "strong"})
    ((False, 1), (True, 2))
    """
    grade = props.get("evidence")
    rank = EVIDENCE_GRADES.index(grade) if grade in EVIDENCE_GRADES else 1
    return props.get("source") != UNVERIFIED, rank


# -- the records ---------------------------------------------------------------------


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
        """Whether the merge created or updated anything."""
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


# -- the contract --------------------------------------------------------------------


class GraphStore(CandidateReads, ABC):
    """A chain graph: typed nodes with stable ids and typed, keyed relationships.

    Both engines merge idempotently (merging data already present changes nothing) and
    give the same answer to every read; see the module's definitions.

    Parameters
    ----------
    model : Model, optional
        The ontology nodes and relationships are checked against (the bundled one when
        not given).
    """

    model: Model

    def __init__(self, model: Model | None = None) -> None:
        self.model = model or load_model()

    # -- basic reads -------------------------------------------------------------------
    @abstractmethod
    def get(self, node_id: str) -> Node | None:
        """The node with this id, or None."""

    @abstractmethod
    def get_many(self, node_ids: Iterable[str]) -> dict[str, Node]:
        """The nodes with these ids that exist, by id (one round trip on a server)."""

    @abstractmethod
    def nodes(self, type: str | None = None) -> Iterator[Node]:
        """Every node (of one type when given), ordered by id."""

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
        """Id of the company whose legal or short name has this
        :func:`~chaingraph.names.name_key`, or None."""

    def neighbors(
        self, node_id: str, type: str | None = None, direction: Direction = "out"
    ) -> list[str]:
        """Ids one relationship away (``out``: targets of ``node_id``; ``in``: sources)."""
        if direction == "out":
            return [r.target for r in self.relationships(type, source=node_id)]
        return [r.source for r in self.relationships(type, target=node_id)]

    def require(self, node_id_or_name: str, type: str | None = None) -> Node:
        """The node with this id or (unique) name, alias, short form or pinyin.

        Raises
        ------
        NotFound
            Nothing fits (the message lists near names) or several nodes fit
            (:class:`~chaingraph.errors.Ambiguous`).
        """
        return resolve(self, node_id_or_name, type)

    def search_names(
        self, text: str, type: str | None = None, limit: int = 5, cutoff: float = 50
    ) -> list[NameMatch]:
        """Nodes whose name or alias is near ``text``, best first (one per node)."""
        return search_names(self, text, type, limit, cutoff)

    def place_ancestors(self, place_id: str) -> list[str]:
        """A place, then the regions it lies in through ``IN``, nearest first (ties by id),
        at most :data:`MAX_PLACE_DEPTH` hops up."""
        found = [place_id]
        seen = {place_id}
        frontier = [place_id]
        for _ in range(MAX_PLACE_DEPTH):
            parents = sorted(
                {r.target for p in frontier for r in self.relationships("IN", source=p)} - seen
            )
            if not parents:
                break
            found.extend(parents)
            seen.update(parents)
            frontier = parents
        return found

    def chain_of(self, segment_id: str) -> str:
        """The chain above a segment through ``PART_OF`` (smallest id if several), or ""."""
        seen = {segment_id}
        frontier = [segment_id]
        chains: set[str] = set()
        for _ in range(MAX_CHAIN_DEPTH):
            parents = {r.target for s in frontier for r in self.relationships("PART_OF", source=s)}
            parents -= seen
            if not parents:
                break
            chains.update(n.id for n in self.get_many(parents).values() if n.type == "Chain")
            seen |= parents
            frontier = sorted(parents)
        return min(chains, default="")

    def company_sites(self, company_id: str) -> frozenset[str]:
        """Every region and base a company has a site in, with the regions enclosing them."""
        places: set[str] = set()
        for rel in self.relationships("LOCATED_IN", source=company_id):
            places.update(self.place_ancestors(rel.target))
        return frozenset(places)

    def record_basics(self, company_ids: Sequence[str]) -> RecordBasics:
        """Each firm's ``basics_of`` by kind (:func:`~chaingraph.store.records.record_basics_by_nodes`)."""
        return record_basics_by_nodes(self, company_ids)

    def headquarters(self, company_ids: Sequence[str]) -> Headquarters | None:
        """Each firm's headquarters site (``CompanyFacts.hq``), or None: each firm to read."""
        return None

    def revenue_shares(self, company_ids: Iterable[str]) -> dict[str, dict[str, float]]:
        """Per id asked: :func:`~chaingraph.store.records.revenue_shares_by_facts`."""
        return revenue_shares_by_facts(self, company_ids)

    def analysis_cache(self) -> AnalysisCache | None:
        """Where analyses may keep derived data, emptied whenever the store changes; None
        when the store cannot tell it changed (a server other clients write to)."""
        return None

    def one_analysis(self) -> AbstractContextManager[None]:
        """A block of reads making one analysis, where a store that checks its derived
        figures before aggregate reads (Neo4j: ``fresh``) checks once; blocks nest."""
        return nullcontext()

    # -- aggregates: what the analyses read in bulk --------------------------------------
    @abstractmethod
    def evaluated_segments(self, root: str) -> list[str]:
        """Segments under a chain or segment judged on their own, sorted by id.

        Parameters
        ----------
        root : str
            A chain or segment id.

        Returns
        -------
        list of str
            Leaves, and parents holding products directly (the root too, if a segment).
        """

    @abstractmethod
    def focus_priorities(self, base_id: str) -> dict[str, int]:
        """The evaluated segments a base focuses on (``FOCUSES_ON`` a chain, segment or
        product), each with its best priority (1 = highest; 3 when none is given).

        Returns
        -------
        dict of str to int
            By segment id, sorted.
        """

    @abstractmethod
    def company_facts(self, company_ids: Iterable[str]) -> dict[str, CompanyFacts]:
        """Sites, headquarters, fact counts, products and customers of each company found.

        Returns
        -------
        dict of str to CompanyFacts
            Ids that are not companies are left out.
        """

    @abstractmethod
    def segment_coverage(
        self,
        segment_ids: Iterable[str],
        area: str,
        leader: LeaderRule = DEFAULT_LEADER_RULE,
        *,
        names: bool = True,
    ) -> dict[str, SegmentCoverage]:
        """Each segment found with its products, their makers, the makers with a site in
        ``area`` (and which of those are leaders by ``leader``), and its neighbours.

        Parameters
        ----------
        segment_ids : iterable of str
            Segment ids; other ids are left out of the answer.
        area : str
            A region or base id ("" for none: nobody is local).
        leader : LeaderRule
            Who counts as a leader.
        names : bool
            False: ``local_names`` is ``()``, everything else as with True. A hub city
            has 10^5 local firms in a segment; a reader that only counts them (the
            target search's gap report) need not fetch and decode all their names.
        """

    @abstractmethod
    def ring_makers(
        self, segment_ids: Iterable[str], rings: Sequence[Sequence[str]]
    ) -> dict[str, tuple[int, ...]]:
        """Per segment id, for each ring (a list of places): how many of its makers have
        a site in any place of the ring, each firm once a ring (the ``local`` firms of
        :meth:`segment_coverage` over the ring's places, united; 0 for an id that is not
        a segment); by definition one :meth:`segment_coverage` per place, united."""

    @abstractmethod
    def economy_counts(self, area: str) -> EconomyCounts:
        """How many firms make any product: with a site in ``area``, in China, anywhere."""

    @abstractmethod
    def leader_inputs(
        self, product_ids: Iterable[str], area: str, leader: LeaderRule = DEFAULT_LEADER_RULE
    ) -> list[LeaderInput]:
        """Inputs (``INPUT_TO``) of those products that a leader with a site in ``area``
        makes, with how many firms make each input and how many of them are in ``area``.

        Returns
        -------
        list of LeaderInput
            By product id, then input in ``INPUT_TO`` order (sorted ids).
        """

    @abstractmethod
    def local_users(
        self, product_ids: Iterable[str], area: str
    ) -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
        """Per product found: each product it is an input to, by id, with that product's
        makers with a site in ``area`` (sorted; none when ``area`` is empty)."""

    @abstractmethod
    def segment_candidates(
        self, segment_ids: Iterable[str], area: str
    ) -> dict[str, dict[str, tuple[str, ...]]]:
        """Per segment: each of its products -> its makers with no site in ``area``
        (every maker when ``area`` is empty)."""

    @abstractmethod
    def product_supply(self, chain: str | None = None) -> list[ProductSupply]:
        """Every product (of one chain's segments when given) with its makers, by id."""

    @abstractmethod
    def chain_counts(self, home_region: str) -> list[ChainCounts]:
        """Per chain, by id: segments, products, their makers, those in ``home_region``,
        and their facts (how many, how many unverified)."""

    @abstractmethod
    def base_facts(self) -> list[BaseFacts]:
        """Per base, by id: its focus, the regions it lies in and how many firms have a
        site inside."""

    # -- writing -----------------------------------------------------------------------
    @abstractmethod
    def merge(self, nodes: Iterable[Node], relationships: Iterable[Relationship]) -> MergeReport:
        """Add or update nodes and relationships, all or nothing.

        Nodes are matched by id, relationships by ``(type, source, target, key)``. Scalar
        properties are overwritten by incoming non-null values; ``aliases`` and ``tags``
        are merged as ordered sets (:func:`~chaingraph.store.merging.merge_props`).

        Parameters
        ----------
        nodes, relationships : iterable
            Relationship endpoints must exist in the store or in ``nodes``.

        Returns
        -------
        MergeReport
            What changed; merging the same data again reports only ``unchanged``.

        Raises
        ------
        DataError
            Anything the model does not allow (:func:`~chaingraph.store.merging.check_batch`),
            before anything is written. A server store then writes in batches that are
            each all or nothing, and finishes an interrupted load when run again.
        """

    def close(self) -> None:
        """Release resources (connections, file handles)."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
