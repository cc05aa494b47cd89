"""What a full refresh of the derived figures reads: from the database, or from a first
load's input.

A full :func:`~chaingraph.store.neo4j.derived.refresh` computes every derived figure
from one :class:`Snapshot`: every company as a row of :data:`.firms._ROW`, the ``IN``
relationships between places, the segments and products with the ``IN_SEGMENT``
filings, and the ids of every product and segment. :meth:`Snapshot.read` reads it.

:meth:`Snapshot.of_input` makes the same rows from the input of a merge into an empty
database (a first load), before anything is written: after such a merge the database
holds exactly that input, stored as :mod:`~chaingraph.store.neo4j.encoding` encodes
it, so the figures can be computed while the rows are still being written (in a forked
process, :class:`~chaingraph.store.neo4j.derived.Ahead`) instead of read back after.
The rows are built by the definitions of the queries here (a company's sites: one entry
per ``LOCATED_IN`` relationship; its ``MAKES`` facts: target id, whether the target is a
product, the stored ``source`` and ``evidence``), and a real-Neo4j test checks that
both give the same stored figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chaingraph.model import Node, Relationship
from chaingraph.store.merging import merge_props
from chaingraph.store.neo4j import firms
from chaingraph.store.neo4j.connection import Connection
from chaingraph.store.neo4j.encoding import EXTRA, REL_RESERVED, encode_node, storable
from chaingraph.store.neo4j.rosters import closure_of, places_within

__all__ = ["STRUCTURE", "Snapshot", "maker_labels"]

# The segments and products (a few thousand): names, the stored member lists, filings.
STRUCTURE = """
CALL () { MATCH (s:Segment) RETURN collect([s.id, s.name]) AS segments }
CALL () { MATCH (p:Product) RETURN collect([p.id, p.name, p.cg_segments]) AS products }
CALL () {
  MATCH (p:Product)-[:IN_SEGMENT]->(s:Segment) RETURN collect(DISTINCT [p.id, s.id]) AS filed
}
CALL () { MATCH (s:Segment) RETURN collect([s.id, s.cg_members]) AS members }
RETURN segments, products, filed, members
"""
_PLACES = "MATCH (a:Entity)-[:IN]->(b:Entity) RETURN collect([a.id, b.id]) AS pairs"
_ALL_IDS = "MATCH (n:{label}) RETURN collect(n.id) AS ids"
# of_input reads a MAKES fact's source and evidence as stored under their own names
assert not {"source", "evidence"} & REL_RESERVED


@dataclass(frozen=True)
class Snapshot:
    """Everything a full refresh computes the derived figures from.

    Attributes
    ----------
    firm_rows
        Every company as a row of :data:`.firms._ROW`, in id order.
    places
        ``(child, parent)`` of every ``IN`` relationship between two entities.
    structure
        The row of :data:`STRUCTURE`: ``segments``, ``products``, ``filed``, ``members``.
    products, segments
        The ids of every product and every segment.
    by_id
        Whether a firm row's first field is the firm's id (rows made from an input,
        before its nodes existed) rather than its ``elementId``.
    """

    firm_rows: list[tuple[Any, ...]]
    places: list[tuple[str, str]]
    structure: dict[str, Any]
    products: list[str]
    segments: list[str]
    by_id: bool = False

    @classmethod
    def read(cls, conn: Connection, doing: str) -> Snapshot:
        """Read it from the database."""
        (places,) = conn.read(_PLACES, doing)
        (structure,) = conn.read(STRUCTURE, doing)
        (products,) = conn.read(_ALL_IDS.format(label="Product"), doing)
        (segments,) = conn.read(_ALL_IDS.format(label="Segment"), doing)
        return cls(
            firms.read(conn, doing),
            [(a, b) for a, b in places["pairs"]],
            structure.data(),
            list(products["ids"]),
            list(segments["ids"]),
        )

    @classmethod
    def of_input(
        cls,
        nodes: Sequence[Node],
        relationships: Sequence[Relationship],
        labelled: Mapping[str, tuple[bool, str]] | None = None,
    ) -> Snapshot:
        """What :meth:`read` would read once ``nodes`` and ``relationships`` (collapsed,
        :func:`~chaingraph.store.merging.collapse_batch`: one entry per node id and per
        relationship) are merged into an empty database, the firms of ``labelled``
        created with their derived labels and site key (:func:`maker_labels`)."""
        labelled = labelled or {}
        types = {node.id: node.type for node in nodes}
        sites: dict[str, list[str]] = {}
        makes: dict[str, list[list[Any]]] = {}
        places: list[tuple[str, str]] = []
        filed: dict[tuple[str, str], None] = {}
        for rel in relationships:
            if rel.type == "LOCATED_IN":
                sites.setdefault(rel.source, []).append(rel.target)
            elif rel.type == "MAKES":
                # m.source and m.evidence as stored: the value if Neo4j stores it as it
                # is (encoding._split; neither name is reserved), else null
                source, evidence = rel.props.get("source"), rel.props.get("evidence")
                makes.setdefault(rel.source, []).append(
                    [
                        rel.target,
                        types.get(rel.target) == "Product",
                        source if storable(source) else None,
                        evidence if storable(evidence) else None,
                    ]
                )
            elif rel.type == "IN":
                places.append((rel.source, rel.target))
            elif (
                rel.type == "IN_SEGMENT"
                and types.get(rel.source) == "Product"
                and types.get(rel.target) == "Segment"
            ):
                filed[rel.source, rel.target] = None
        rows: list[tuple[Any, ...]] = []
        named: dict[str, dict[str, Any]] = {}
        for node in nodes:
            if node.type not in ("Company", "Product", "Segment"):
                continue
            stored = encode_node(node.id, node.type, merge_props({}, node.props), lookups=False)
            if node.type != "Company":
                named[node.id] = stored
                continue
            rows.append(
                (
                    node.id,  # the elementId's place: see by_id
                    node.id,
                    stored.get("name"),
                    stored.get("tags"),
                    stored.get("global_rank_no"),
                    stored.get("revenue_cny_100m"),
                    stored.get(EXTRA),
                    stored.get("props_json"),
                    *_was(labelled.get(node.id)),
                    sites.get(node.id, []),
                    makes.get(node.id, []),
                )
            )
        rows.sort(key=lambda row: row[firms.ID])
        products = [n.id for n in nodes if n.type == "Product"]
        segments = [n.id for n in nodes if n.type == "Segment"]
        structure = {
            "segments": [[s, named[s].get("name")] for s in segments],
            "products": [[p, named[p].get("name"), None] for p in products],
            "filed": [list(pair) for pair in filed],
            "members": [[s, None] for s in segments],
        }
        return cls(rows, places, structure, products, segments, by_id=True)


def _was(made: tuple[bool, str] | None) -> tuple[bool, bool, str | None]:
    """A firm row's stored labels and site key (WAS_MAKER, WAS_NATIONAL, WAS_KEY)."""
    if made is None:
        return False, False, None
    return True, made[0], made[1]


def maker_labels(
    nodes: Sequence[Node], relationships: Sequence[Relationship], nation: str, sep: str
) -> dict[str, tuple[bool, str]]:
    """Per firm of ``nodes`` that makes something (has a ``MAKES`` relationship), whether
    it is national and its site key, by the definitions of :class:`.firms.Firms`, for a
    first load to create its makers labelled (a firm the two disagree on would get its
    labels put right by the refresh's label writes: the row says what was created)."""
    places: list[tuple[str, str]] = []
    sites: dict[str, set[str]] = {}
    makers: set[str] = set()
    for rel in relationships:
        if rel.type == "MAKES":
            makers.add(rel.source)
        elif rel.type == "LOCATED_IN":
            sites.setdefault(rel.source, set()).add(rel.target)
        elif rel.type == "IN":
            places.append((rel.source, rel.target))
    national = places_within(closure_of(places), nation)
    made: dict[str, tuple[bool, str]] = {}
    for node in nodes:
        if node.type == "Company" and node.id in makers:
            held = sorted(sites.get(node.id, ()))
            made[node.id] = (not national.isdisjoint(held), sep.join(held))
    return made
