"""What the Neo4j gap and target queries read instead of walking every maker.

The named queries of ``queries/`` that answer the gap and target reads start from the
local firms (walking ``IN`` backwards from the area, then ``LOCATED_IN``) and read the
national figures from what this module keeps in the database:

- ``Segment.cg_members``: the segment's products (the contract's *members*: those
  ``IN_SEGMENT`` it or a segment of the same name, and those named as it), sorted ids;
  ``Product.cg_segments``: the segments a product is a member of, sorted ids.
- ``Product.cg_makers`` / ``Segment.cg_makers``: how many firms make the product (one
  of the segment's products); ``cg_national``: of those, how many have a site in China
  (:data:`~chaingraph.store.base.NATION`).
- ``Company.cg_sites``: a maker's *site key*, the sorted ids of its ``LOCATED_IN``
  targets joined by :data:`SEP`. Firms with one site key lie inside the same places of
  any ring, so ``cg_ring_keys`` / ``cg_ring_makers`` on each product and segment (and on
  the stamp, for every maker) count the makers per site key, as indexes into the
  stamp's ``sitekeys`` and counts (:func:`pack`: unsigned 32-bit numbers). The makers of
  a segment inside a ring of places are then the sum over the site keys with a site
  inside it: exact, and a few thousand numbers however many firms.
- The labels ``CgMaker`` (a company making a product) and ``CgNationalMaker`` (one with
  a site in China too), so the economy counts are two reads of Neo4j's count store.
- One node ``:ChaingraphDerived`` (no ``Entity`` label, so no read of the store sees it)
  stamped with :data:`VERSION` and the number of ``Entity`` nodes and of relationships
  when the figures were made, holding the site keys.

:meth:`Neo4jStore.merge <chaingraph.store.neo4j.Neo4jStore.merge>` brings them up to date
after writing (:func:`refresh` with what it :class:`Touched`: the firms, products and segments the merge
touched, or everything when it changed the places or more than a fraction of the
graph). A database written some other way (``neo4j-admin database import``, another
tool) has no stamp or a stamp whose counts differ: :func:`ensure_fresh`, run when a store
opens and before each read that relies on the figures, finds that from the count store
(two reads, no scan) and refreshes everything first, so stale figures never answer.
Refreshing everything reads one :class:`~chaingraph.store.neo4j.snapshot.Snapshot`
(every company once, :mod:`~chaingraph.store.neo4j.firms`, and the places, segments and
products) and computes the figures above from it (:class:`Everything`) by the same
definitions as the per-firm Cypher here, which a merge's refresh runs for what it
touched; the writes go in two lanes at once (:func:`run_jobs`). A merge into an empty
database computes them from its input instead, while its rows are written
(:mod:`~chaingraph.store.neo4j.first_load`).
The properties are in :data:`~chaingraph.store.neo4j.encoding.NODE_RESERVED`: reading a
node back never shows them, and a data property of the same name cannot overwrite them.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chaingraph.collector import collector_paused
from chaingraph.model import Node, Relationship
from chaingraph.store.base import MAX_PLACE_DEPTH, NATION
from chaingraph.store.neo4j import candidates, firms, rosters, snapshot
from chaingraph.store.neo4j.connection import Connection, chunked
from chaingraph.store.neo4j.encoding import DERIVED_PROPERTIES

if TYPE_CHECKING:
    import neo4j

__all__ = [
    "DERIVED_PROPERTIES",
    "FIGURE_NODE_LABELS",
    "LABELS",
    "SEP",
    "VERSION",
    "Everything",
    "Touched",
    "counts",
    "ensure_fresh",
    "is_fresh",
    "pack",
    "refresh",
    "run_jobs",
    "stamp_if",
    "unpack",
]

# Raise when what is derived, or how, changes: every store then refreshes once.
VERSION = 6
SEP = "\x1f"  # between the site ids of a site key (never in an id a person types)
STAMP_LABEL = "ChaingraphDerived"
# labels of the nodes that hold derived figures only (no Entity label)
FIGURE_NODE_LABELS = (
    STAMP_LABEL,
    rosters.ROSTER_LABEL,
    candidates.HEAD_LABEL,
    candidates.PAGE_LABEL,
)
# labels derived, beside the model's
LABELS = ("CgMaker", "CgNationalMaker", *FIGURE_NODE_LABELS)
# Above this many touched firms, one full pass is cheaper than many small ones.
FULL_REFRESH_FIRMS = 50_000
_WRITE_CHUNK = 10_000

_STAMP_READ = f"""
OPTIONAL MATCH (m:{STAMP_LABEL}) WITH m ORDER BY m.version DESC LIMIT 1
CALL () {{ MATCH (n:Entity) RETURN count(n) AS nodes }}
CALL () {{ MATCH ()-[r]->() RETURN count(r) AS rels }}
RETURN m.version AS version, m.nodes AS stamped_nodes, m.rels AS stamped_rels, nodes, rels
"""
# With $expect ([nodes, relationships]) the stamp is written only if the database holds
# that many (a first load's figures, computed from its input: see stamp_if).
_STAMP_WRITE = f"""
CALL () {{ MATCH (n:Entity) RETURN count(n) AS nodes }}
CALL () {{ MATCH ()-[r]->() RETURN count(r) AS rels }}
WITH nodes, rels WHERE $expect IS NULL OR [nodes, rels] = $expect
CALL () {{ MATCH (m:{STAMP_LABEL}) DETACH DELETE m }}
CREATE (:{STAMP_LABEL} {{version: $version, nodes: nodes, rels: rels, sitekeys: $sitekeys,
                         ring_keys: $ring_keys, ring_makers: $ring_makers}})
RETURN count(*) AS stamped
"""
_COUNTS = """
CALL () { MATCH (n:Entity) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS rels }
RETURN nodes, rels
"""
_STAMP_KEYS = f"MATCH (m:{STAMP_LABEL}) RETURN m.sitekeys AS keys ORDER BY m.version DESC LIMIT 1"
# Firm labels of some firms (by id; a full refresh computes them: .firms).
_FIRM_LABELS = f"""
UNWIND $ids AS id
MATCH (f:Entity {{id: id}}) WHERE f:Company
WITH f, EXISTS {{ (f)-[:MAKES]->() }} AS maker,
     EXISTS {{ (f)-[:LOCATED_IN]->(:Entity)-[:IN*0..{MAX_PLACE_DEPTH}]->(:Entity {{id: $nation}}) }}
       AS national
CALL (f, maker, national) {{
  FOREACH (_ IN CASE WHEN maker THEN [1] ELSE [] END | SET f:CgMaker)
  FOREACH (_ IN CASE WHEN maker THEN [] ELSE [1] END | REMOVE f:CgMaker)
  FOREACH (_ IN CASE WHEN maker AND national THEN [1] ELSE [] END | SET f:CgNationalMaker)
  FOREACH (_ IN CASE WHEN maker AND national THEN [] ELSE [1] END | REMOVE f:CgNationalMaker)
}}
"""
# The sites of each maker as one text, its site key: the ids of its LOCATED_IN targets,
# sorted, joined by SEP. Firms with one site key lie in the same places of any ring.
_SITE_KEY = """
reduce(k = null, site_id IN COLLECT {
         MATCH (f)-[:LOCATED_IN]->(site:Entity) RETURN DISTINCT site.id AS site_id ORDER BY site_id
       } | CASE WHEN k IS NULL THEN site_id ELSE k + $sep + site_id END)
"""
_SOME_SITE_KEYS = f"""
UNWIND $ids AS firm_id
MATCH (f:Entity {{id: firm_id}}) WHERE f:Company
SET f.cg_sites = coalesce({_SITE_KEY}, '')
"""
_MAKERS_BY_SITES = "MATCH (f:CgMaker) RETURN f.cg_sites AS key, count(f) AS n"
_SET_MEMBERS = """
UNWIND $rows AS row
MATCH (s:Entity {id: row[0]}) WHERE s:Segment
SET s.cg_members = row[1]
"""
_SET_SEGMENTS = """
UNWIND $rows AS row
MATCH (p:Entity {id: row[0]}) WHERE p:Product
SET p.cg_segments = row[1]
"""
_PRODUCT_COUNTS = """
UNWIND $ids AS id
MATCH (p:Entity {id: id}) WHERE p:Product
CALL (p) {
  MATCH (f:Company)-[:MAKES]->(p)
  WITH DISTINCT f
  WITH coalesce(f.cg_sites, '') AS key, count(f) AS n,
       count(CASE WHEN f:CgNationalMaker THEN 1 END) AS national
  RETURN sum(n) AS makers, sum(national) AS national, collect([key, n]) AS by_sites
}
SET p.cg_makers = makers, p.cg_national = national
RETURN p.id AS product, by_sites
"""
_PRODUCT_RINGS = """
UNWIND $rows AS row
MATCH (p:Entity {id: row[0]}) WHERE p:Product
SET p.cg_ring_keys = row[1], p.cg_ring_makers = row[2]
"""
_SEGMENT_COUNTS = """
UNWIND $ids AS id
MATCH (s:Entity {id: id}) WHERE s:Segment
CALL (s) {
  UNWIND coalesce(s.cg_members, []) AS pid
  MATCH (f:Company)-[:MAKES]->(:Entity {id: pid})
  WITH DISTINCT f
  WITH coalesce(f.cg_sites, '') AS key, count(f) AS n,
       count(CASE WHEN f:CgNationalMaker THEN 1 END) AS national
  RETURN sum(n) AS makers, sum(national) AS national, collect([key, n]) AS by_sites
}
SET s.cg_makers = makers, s.cg_national = national
RETURN s.id AS segment, by_sites
"""
_SEGMENT_RINGS = """
UNWIND $rows AS row
MATCH (s:Entity {id: row[0]}) WHERE s:Segment
SET s.cg_ring_keys = row[1], s.cg_ring_makers = row[2]
"""
# Counts and rings of every product and segment, computed from one read of every firm.
_PRODUCT_ALL = """
UNWIND $rows AS row
MATCH (p:Entity {id: row[0]}) WHERE p:Product
SET p.cg_makers = row[1], p.cg_national = row[2], p.cg_ring_keys = row[3],
    p.cg_ring_makers = row[4]
"""
_SEGMENT_ALL = """
UNWIND $rows AS row
MATCH (s:Entity {id: row[0]}) WHERE s:Segment
SET s.cg_makers = row[1], s.cg_national = row[2], s.cg_ring_keys = row[3],
    s.cg_ring_makers = row[4]
"""
_PRODUCTS_OF = """
UNWIND $ids AS id
MATCH (f:Entity {id: id})-[:MAKES]->(p:Product)
RETURN collect(DISTINCT p.id) AS products
"""


@dataclass(frozen=True)
class Touched:
    """What one merge wrote, as far as the derived figures care."""

    firms: frozenset[str]  # companies whose labels may change
    products: frozenset[str]  # products whose counts (or properties) may change
    places: bool  # an IN relationship: which places lie in China may change

    @classmethod
    def of(cls, nodes: Iterable[Node], relationships: Iterable[Relationship]) -> Touched:
        """What merging ``nodes`` and ``relationships`` may change."""
        firms: set[str] = set()
        products: set[str] = set()
        places = False
        for node in nodes:
            if node.type == "Company":
                firms.add(node.id)
            elif node.type == "Product":
                products.add(node.id)
        for rel in relationships:
            if rel.type in ("MAKES", "LOCATED_IN"):
                firms.add(rel.source)
                if rel.type == "MAKES":
                    products.add(rel.target)
            elif rel.type == "IN":
                places = True
        return cls(frozenset(firms), frozenset(products), places)


def _write(conn: Connection, text: str, doing: str, **params: Any) -> list[neo4j.Record]:
    """Run one statement in an auto-commit transaction (``CALL … IN TRANSACTIONS``
    needs one), records returned."""

    def run() -> list[neo4j.Record]:
        with conn.session() as session:
            return list(session.run(text, params))

    return conn.guard(run, doing)


def is_fresh(conn: Connection) -> bool:
    """Whether the stamp matches this :data:`VERSION` and the database's counts."""
    (row,) = conn.read(_STAMP_READ, "checking the derived figures")
    return bool(
        row["version"] == VERSION
        and row["stamped_nodes"] == row["nodes"]
        and row["stamped_rels"] == row["rels"]
    )


def ensure_fresh(conn: Connection) -> bool:
    """Refresh everything when the stamp is missing or stale; whether it was."""
    if is_fresh(conn):
        return False
    refresh(conn)
    return True


def refresh(conn: Connection, touched: Touched | None = None) -> None:
    """Bring the derived figures up to date: everything (``touched`` None), or what a
    merge touched; then stamp the database."""
    doing = "deriving the figures the gap queries read"
    full = touched is None or touched.places or len(touched.firms) > FULL_REFRESH_FIRMS
    if full:
        # a million rows of small lists and no garbage cycles: each full collection
        # would visit them all, again and again while they are read and used
        with collector_paused():
            stamp = _write_everything(conn, snapshot.Snapshot.read(conn, doing), doing)
    else:
        assert touched is not None
        keys = _refresh_touched(conn, touched, doing)
        makers_by_sites = [(r["key"], r["n"]) for r in conn.read(_MAKERS_BY_SITES, doing)]
        stamp = keys.stamp(makers_by_sites)
    _write(conn, _STAMP_WRITE, doing, version=VERSION, expect=None, **stamp)


def stamp_if(conn: Connection, stamp: dict[str, Any], nodes: int, relationships: int) -> bool:
    """Stamp the figures (``stamp``: :meth:`_SiteKeys.stamp`'s parameters) only if the
    database holds ``nodes`` entities and ``relationships`` relationships; whether it
    did (:mod:`~chaingraph.store.neo4j.first_load`)."""
    doing = "deriving the figures the gap queries read"
    expect = [nodes, relationships]
    (row,) = _write(conn, _STAMP_WRITE, doing, version=VERSION, expect=expect, **stamp)
    return bool(row["stamped"])


def counts(conn: Connection) -> tuple[int, int]:
    """The entities and relationships the database holds (two count-store reads)."""
    (row,) = conn.read(_COUNTS, "counting what the database holds")
    return row["nodes"], row["rels"]


# The lanes of a full refresh's writes (Everything.jobs): each lane's jobs run in order,
# the two lanes at once (they write disjoint nodes), so the server uses two cores.
FIGURES, LISTS = 0, 1  # firm labels and product/segment figures; rosters and candidates


def run_jobs(conn: Connection, jobs: Iterable[tuple[int, str, list[Any]]], doing: str) -> None:
    """Run write jobs ``(lane, text, rows)``, each in its own transaction, those of one
    lane in order, from a thread per lane (:class:`.firms.BackgroundWrites`) while the
    caller computes the next ones."""
    writers: dict[int, firms.BackgroundWrites] = {}
    try:
        for lane, text, rows in jobs:
            if lane not in writers:
                writers[lane] = firms.BackgroundWrites(conn, doing)
            writers[lane](text, rows)
    except BaseException:
        for writes in writers.values():
            writes.close(raising=False)  # the error here is the one to tell
        raise
    # every lane finished before the first lane's error (if any) is raised
    for writes in writers.values():
        writes.close(raising=False)
    for writes in writers.values():
        writes.close()


class _SiteKeys:
    """The stamp's ``sitekeys``, numbered as they are first met."""

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self.keys = list(keys)
        self.index = {key: i for i, key in enumerate(self.keys)}

    def packed(self, by_sites: Iterable[tuple[str, int]]) -> tuple[bytes, bytes]:
        """Site keys (as indexes into the stamp's ``sitekeys``) and maker counts."""
        index, keys = self.index, self.keys
        at, counts = array("I"), array("I")
        for key, n in sorted(by_sites, key=lambda kn: str(kn[0])):
            if key:
                if key not in index:
                    index[key] = len(keys)
                    keys.append(key)
                at.append(index[key])
                counts.append(int(n))
        return pack(at), pack(counts)

    def stamp(self, makers_by_sites: Iterable[tuple[str, int]]) -> dict[str, Any]:
        """The stamp's ``sitekeys``, ``ring_keys`` and ``ring_makers`` (the makers per
        site key of the whole economy): the parameters of :data:`_STAMP_WRITE`."""
        ring_keys, ring_makers = self.packed(makers_by_sites)
        return {"sitekeys": self.keys, "ring_keys": ring_keys, "ring_makers": ring_makers}


class Everything:
    """Every figure computed anew from one snapshot: :meth:`jobs` yields the writes in
    order, computing as it goes (a full refresh writes while it computes); once they
    are all yielded, :attr:`stamp` holds the stamp's parameters."""

    def __init__(self, snap: snapshot.Snapshot) -> None:
        self.snap = snap
        self.stamp: dict[str, Any] = {}

    def jobs(self) -> Iterator[tuple[int, str, list[Any]]]:
        """The writes ``(lane, text, rows)``: lane :data:`FIGURES` or :data:`LISTS`."""
        snap = self.snap
        closure = rosters.closure_of(snap.places)
        in_china = rosters.places_within(closure, NATION)
        everyone = firms.Firms.of(snap.firm_rows, in_china, SEP, by_id=snap.by_id)
        for text, rows in firms.label_jobs(everyone):
            yield FIGURES, text, rows
        _, member_of, members, writes = _structure(snap.structure)
        for text, rows in writes:
            yield FIGURES, text, rows
        keys = _SiteKeys()
        ring_rows: list[list[Any]] = []
        for product in sorted(set(snap.products)):
            makers, national, by_sites = everyone.counts(everyone.makers_of.get(product, ()))
            ring_rows.append([product, makers, national, *keys.packed(by_sites)])
        for text, rows in _chunks(_PRODUCT_ALL, ring_rows):
            yield FIGURES, text, rows
        ring_rows = []
        for segment in sorted(set(snap.segments)):
            made_by: set[int] = set()
            for product in members.get(segment, ()):
                made_by.update(everyone.makers_of.get(product, ()))
            makers, national, by_sites = everyone.counts(made_by)
            ring_rows.append([segment, makers, national, *keys.packed(by_sites)])
        for text, rows in _chunks(_SEGMENT_ALL, ring_rows):
            yield FIGURES, text, rows
        segments_of = {product: sorted(held) for product, held in member_of.items()}
        for text, rows in rosters.all_jobs(everyone.roster_rows(segments_of), closure):
            yield LISTS, text, rows
        for text, rows in candidates.all_jobs(everyone.candidate_rows()):
            yield LISTS, text, rows
        self.stamp = keys.stamp(everyone.economy())


def _write_everything(conn: Connection, snap: snapshot.Snapshot, doing: str) -> dict[str, Any]:
    """Compute and write every figure of ``snap``; the stamp's parameters."""
    everything = Everything(snap)
    run_jobs(conn, everything.jobs(), doing)
    return everything.stamp


def _chunks(text: str, rows: list[Any]) -> Iterator[tuple[str, list[Any]]]:
    """``rows`` as write jobs of :data:`_WRITE_CHUNK` rows."""
    for i in range(0, len(rows), _WRITE_CHUNK):
        yield text, rows[i : i + _WRITE_CHUNK]


def _refresh_touched(conn: Connection, touched: Touched, doing: str) -> _SiteKeys:
    """The figures of the firms, products and segments a merge touched."""
    products: set[str] = set(touched.products)
    found = conn.read(_STAMP_KEYS, doing)
    keys = _SiteKeys((found[0]["keys"] or []) if found else [])
    for chunk in chunked(sorted(touched.firms), _WRITE_CHUNK):
        _write(conn, _FIRM_LABELS, doing, ids=chunk, nation=NATION)
        _write(conn, _SOME_SITE_KEYS, doing, ids=chunk, sep=SEP)
        (row,) = conn.read(_PRODUCTS_OF, doing, ids=chunk)
        products.update(row["products"])
    changed_segments, member_of, _ = _refresh_structure(conn, doing)
    for chunk in chunked(sorted(products), _WRITE_CHUNK):
        rows = _write(conn, _PRODUCT_COUNTS, doing, ids=chunk)
        ring_rows = [[r["product"], *keys.packed(r["by_sites"])] for r in rows]
        _write(conn, _PRODUCT_RINGS, doing, rows=ring_rows)
    segments = set(changed_segments)
    for product in products:
        segments.update(member_of.get(product, ()))
    for chunk in chunked(sorted(segments), 500):
        rows = _write(conn, _SEGMENT_COUNTS, doing, ids=chunk)
        ring_rows = [[r["segment"], *keys.packed(r["by_sites"])] for r in rows]
        _write(conn, _SEGMENT_RINGS, doing, rows=ring_rows)
    rosters.rebuild(conn, changed_segments)
    rosters.patch(conn, touched.firms)
    candidates.refresh_products(conn, products)
    return keys


def pack(numbers: array[int]) -> bytes:
    """Unsigned 32-bit numbers as little-endian bytes (a Neo4j byte array property)."""
    if sys.byteorder != "little":
        numbers = array("I", numbers)
        numbers.byteswap()
    return numbers.tobytes()


def unpack(data: bytes | bytearray | None) -> array[int]:
    """The numbers :func:`pack` wrote.

    >>> list(unpack(pack(array("I", [3, 70000]))))
    [3, 70000]
    """
    numbers = array("I")
    numbers.frombytes(bytes(data or b""))
    if sys.byteorder != "little":
        numbers.byteswap()
    return numbers


def _refresh_structure(
    conn: Connection, doing: str
) -> tuple[set[str], dict[str, set[str]], dict[str, list[str]]]:
    """Recompute every segment's members and every product's segments (:func:`_structure`
    of what is stored), writing those that changed. Returns the segments whose members
    changed, per product the segments it is a member of, and per segment its members."""
    (row,) = conn.read(snapshot.STRUCTURE, doing)
    changed, member_of, members, writes = _structure(row.data())
    for text, rows in writes:
        _write(conn, text, doing, rows=rows)
    return changed, member_of, members


def _structure(
    row: dict[str, Any],
) -> tuple[set[str], dict[str, set[str]], dict[str, list[str]], list[tuple[str, list[Any]]]]:
    """Every segment's members and every product's segments (a few thousand products
    and segments: computed here by the contract's definition) from the row of
    :data:`.snapshot.STRUCTURE`. Returns the segments whose members changed, per
    product the segments it is a member of, per segment its members, and the write
    jobs for the lists that changed."""
    names: dict[str, str] = {s: n for s, n in row["segments"] if n}
    by_name: dict[str, set[str]] = {}
    for product, name, _ in row["products"]:
        if name:
            by_name.setdefault(name, set()).add(product)
    filed: dict[str, set[str]] = {}
    for product, segment in row["filed"]:
        filed.setdefault(segment, set()).add(product)
    filed_by_name: dict[str, set[str]] = {}
    for segment, products in filed.items():
        if segment in names:
            filed_by_name.setdefault(names[segment], set()).update(products)
    old_members = {s: m for s, m in row["members"]}
    members: dict[str, list[str]] = {}
    for segment, _ in row["segments"]:
        found = set(filed.get(segment, ()))
        name = names.get(segment)
        if name:
            found |= filed_by_name.get(name, set()) | by_name.get(name, set())
        members[segment] = sorted(found)
    changed = {s for s, m in members.items() if old_members.get(s) != m}
    member_of: dict[str, set[str]] = {}
    for segment, held in members.items():
        for product in held:
            member_of.setdefault(product, set()).add(segment)
    old_segments = {p: s for p, _, s in row["products"]}
    segment_rows = [
        [p, sorted(member_of.get(p, ()))]
        for p in old_segments
        if old_segments[p] != sorted(member_of.get(p, ()))
    ]
    member_rows = [[s, members[s]] for s in sorted(changed)]
    writes = [*_chunks(_SET_MEMBERS, member_rows), *_chunks(_SET_SEGMENTS, segment_rows)]
    return changed, member_of, members, writes
