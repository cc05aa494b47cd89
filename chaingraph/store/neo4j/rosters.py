"""Local firms of every place, kept ready: what the Neo4j gap queries read in O(segments).

A city may hold 10^5 makers: walking them on every ``gaps`` call costs seconds however
the walk is written. So the local firms are kept, per place (every region or base a
maker has a site in, with the regions around it: the contract's *sites*), in nodes
``:CgRoster`` (no ``Entity`` label: no store read sees them), one per

- **(place, segment)**: the makers of the segment's members with a site in the place,
  sorted by id: ``ids`` and ``names`` (JSON lists, zlib-compressed: one property each, decoded in C) and
  ``facts`` (one byte per firm: its best ``MAKES`` fact into the members coded
  3 × verified + grade, as ``segment_coverage.cypher`` codes it);
- **(place, tag)**: the makers in the place with that tag, and **(place, rank)**: those
  with a global rank, each as JSON ``[id, name, rank or null, products made]`` sorted
  by id. The leader rule is a parameter of the reads: its tags and rank pick the
  rosters to read, so a default-rule read fetches the few hundred leaders only;
- **(place, product)**: the makers of the product with a site in the place, ``ids``
  only (what ``local_users`` reads: the local users of a gap product's outputs).

Each roster has ``key`` = place, kind and what (segment id, tag or "") joined by
:data:`~chaingraph.store.neo4j.derived.SEP`, under a range index. A place with no
roster of a key has no such firm: rosters are made for every place reached from a
maker's site, so a missing one is an empty one.

They are made in full by :func:`all_jobs` from every maker's row as the full refresh
reads it (:meth:`~chaingraph.store.neo4j.firms.Firms.roster_rows`: a bulk import, a
change of the places, a first load) and
patched by :func:`patch` after a merge: a merge only adds or updates (never removes a
site or a product), so a touched firm's rosters are those of its present sites and
segments; its old entries there are replaced. Segments whose members changed are
rebuilt whole (their old firms may have left).
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain
from typing import Any

import orjson

from chaingraph.store.base import MAX_PLACE_DEPTH
from chaingraph.store.neo4j.connection import Connection, chunked

__all__ = [
    "ROSTER_LABEL",
    "all_jobs",
    "closure_of",
    "key",
    "patch",
    "place_closure",
    "places_within",
    "rebuild",
]

ROSTER_LABEL = "CgRoster"
SEG, TAG, RANK, PROD = "seg", "tag", "rank", "prod"
SEP = "\x1f"
_WRITE_BYTES = 8_000_000  # roughly, per write transaction

_PLACES = "MATCH (a:Entity)-[:IN]->(b:Entity) RETURN a.id AS child, b.id AS parent"
# What a maker's rosters hold: name, tags, rank, sites, and per segment of its products
# its best fact and the products (best fact as segment_coverage.cypher codes it).
_FIRM_BODY = """
CALL (f) {
  MATCH (f)-[m:MAKES]->(p:Product)
  UNWIND coalesce(p.cg_segments, []) AS sid
  WITH sid, max(CASE WHEN coalesce(m.source, '') <> 'unverified' THEN 3 ELSE 0 END
                + CASE m.evidence WHEN 'strong' THEN 2 WHEN 'weak' THEN 0 ELSE 1 END) AS best
  RETURN collect([sid, best]) AS segs
}
RETURN f.id AS id, coalesce(f.name, f.id) AS name, f.tags AS tags, f.global_rank_no AS rank,
       COLLECT { MATCH (f)-[:LOCATED_IN]->(site:Entity) RETURN DISTINCT site.id } AS sites,
       segs,
       COLLECT { MATCH (f)-[:MAKES]->(p:Product) RETURN DISTINCT p.id AS pid ORDER BY pid } AS made
"""
_SOME_FIRMS = f"UNWIND $ids AS fid MATCH (f:Entity {{id: fid}}) WHERE f:CgMaker\n{_FIRM_BODY}"
_MAKERS_OF = """
UNWIND $products AS pid
MATCH (:Entity {id: pid})<-[:MAKES]-(f:CgMaker)
RETURN collect(DISTINCT f.id) AS ids
"""
_MEMBERS = "UNWIND $segments AS sid MATCH (s:Segment {id: sid}) RETURN s.cg_members AS members"
_DELETE_ALL = f"""
MATCH (r:{ROSTER_LABEL})
CALL (r) {{ DELETE r }} IN TRANSACTIONS OF 5000 ROWS
"""
_DELETE_SEGMENTS = f"""
UNWIND $segments AS sid
MATCH (r:{ROSTER_LABEL} {{kind: '{SEG}', what: sid}})
DELETE r
"""
_READ = f"""
UNWIND $keys AS k
MATCH (r:{ROSTER_LABEL} {{key: k}})
RETURN r.key AS key, r.ids AS ids, r.names AS names, r.facts AS facts, r.entries AS entries
"""
_WRITE = f"""
UNWIND $rows AS row
MERGE (r:{ROSTER_LABEL} {{key: row.key}})
SET r += row
"""
# After every roster was deleted: no key to look up.
_CREATE = f"""
UNWIND $rows AS row
CREATE (r:{ROSTER_LABEL})
SET r = row
"""
_DROP = f"UNWIND $keys AS k MATCH (r:{ROSTER_LABEL} {{key: k}}) DELETE r"
INDEX = f"CREATE RANGE INDEX cg_roster_key IF NOT EXISTS FOR (r:{ROSTER_LABEL}) ON (r.key)"
AWAIT_INDEXES = "CALL db.awaitIndexes(300)"


def _dumps(value: object) -> str:
    """Compact JSON, Chinese as is (orjson: what ``json.dumps(value,
    ensure_ascii=False, separators=(",", ":"))`` writes, several times faster; a full
    refresh writes a million firms' rosters)."""
    return orjson.dumps(value).decode()


def pack_json(value: object) -> bytes:
    """A list as stored in a roster: compact JSON, zlib-compressed (a third of the bytes
    to read from disk and send; decompressing costs less than that saves)."""
    return zlib.compress(orjson.dumps(value), 1)


def _pack_text(text: str) -> bytes:
    return zlib.compress(text.encode(), 1)


def unpack_json(data: bytes | bytearray | None) -> Any:
    """What :func:`pack_json` stored ([] for none).

    >>> unpack_json(pack_json(["co:a", "东莞"]))
    ['co:a', '东莞']
    """
    return orjson.loads(zlib.decompress(data)) if data else []


def key(place: str, kind: str, what: str = "") -> str:
    """The ``key`` of the roster of ``place`` of one kind (``seg``, ``tag``, ``rank``,
    ``prod``)."""
    return f"{place}{SEP}{kind}{SEP}{what}"


def place_closure(conn: Connection) -> dict[str, frozenset[str]]:
    """Each place with an ``IN`` relationship: itself and every place reached through
    ``IN`` in at most :data:`MAX_PLACE_DEPTH` hops (a site's places)."""
    return closure_of(
        (row["child"], row["parent"]) for row in conn.read(_PLACES, "reading the places")
    )


def places_within(closure: Mapping[str, frozenset[str]], place: str) -> frozenset[str]:
    """``place`` and every place of ``closure`` that reaches it (the places inside it).

    >>> sorted(places_within(closure_of([("town", "city"), ("city", "province")]), "city"))
    ['city', 'town']
    """
    return frozenset(inside for inside, reached in closure.items() if place in reached) | {place}


def closure_of(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """:func:`place_closure` of these ``IN`` relationships, ``(child, parent)``.

    >>> sorted(closure_of([("town", "city"), ("city", "province")])["town"])
    ['city', 'province', 'town']
    """
    parents: dict[str, set[str]] = {}
    for child, parent in pairs:
        parents.setdefault(child, set()).add(parent)
    closure: dict[str, frozenset[str]] = {}
    for place in parents:
        seen = {place}
        frontier = {place}
        for _ in range(MAX_PLACE_DEPTH):
            frontier = {p for f in frontier for p in parents.get(f, ())} - seen
            if not frontier:
                break
            seen |= frontier
        closure[place] = frozenset(seen)
    return closure


class _Rosters:
    """Rosters gathered in memory: firms numbered as they come, per (set of places,
    kind, what) the firms' numbers, and per segment each firm's best fact. Firms of one
    site key share the set: a firm costs one entry per segment, product, tag and rank,
    not one per place too; :meth:`rows` spreads the entries over the places."""

    def __init__(self, closure: Mapping[str, frozenset[str]]) -> None:
        self.closure = closure
        self.ids: list[str] = []
        self.names: list[str] = []
        self.lead: dict[int, str] = {}  # firm number -> its entry's JSON tail
        self.groups: dict[tuple[frozenset[str], str, str], array[int]] = {}
        self.facts: dict[str, dict[int, int]] = {}  # segment -> firm number -> best fact
        self._places: dict[tuple[str, ...], frozenset[str]] = {}

    def places(self, sites: Iterable[str]) -> frozenset[str]:
        wanted = tuple(sorted(set(sites)))
        found = self._places.get(wanted)
        if found is None:
            found = self._places[wanted] = frozenset().union(
                *(self.closure.get(s, frozenset((s,))) for s in wanted)
            )
        return found

    def add(self, row: Any, segments: frozenset[str] | None = None) -> None:
        """One firm row of ``_FIRM_BODY`` (only its rosters of ``segments`` when given,
        with its tag and rank rosters left out)."""
        firm, name, tags, rank, sites, segs, made = row
        places = self.places(sites)
        if not places:
            return
        number = len(self.ids)
        self.ids.append(firm)
        self.names.append(name)
        facts = self.facts
        for sid, best in segs:
            if segments is None or sid in segments:
                self._append(places, SEG, sid, number)
                found = facts.get(sid)
                if found is None:
                    found = facts[sid] = {}
                found[number] = int(best)
        if segments is not None:
            return
        for pid in made:
            self._append(places, PROD, pid, number)
        tag_list = [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
        ranked = isinstance(rank, int) and not isinstance(rank, bool)
        if not tag_list and not ranked:
            return
        self.lead[number] = _dumps([rank if ranked else None, made])
        for tag in dict.fromkeys(tag_list):
            self._append(places, TAG, tag, number)
        if ranked:
            self._append(places, RANK, "", number)

    def _append(self, places: frozenset[str], kind: str, what: str, number: int) -> None:
        held = self.groups.get((places, kind, what))
        if held is None:
            held = self.groups[places, kind, what] = array("I")
        held.append(number)

    def _spread(self) -> dict[str, list[array[int]]]:
        """Per roster key, the number arrays of the groups it gathers."""
        spread: dict[str, list[array[int]]] = {}
        for (places, kind, what), numbers in self.groups.items():
            for place in places:
                spread.setdefault(key(place, kind, what), []).append(numbers)
        return spread

    def rows(self) -> Iterator[dict[str, Any]]:
        """Each roster as the properties written, firms sorted by id."""
        ids, names, lead, facts = self.ids, self.names, self.lead, self.facts
        rank: list[int] | None = None
        if any(ids[i] > ids[i + 1] for i in range(len(ids) - 1)):
            # number the firms by id instead: numbers then sort into id order
            order = sorted(range(len(ids)), key=ids.__getitem__)
            rank = [0] * len(ids)
            for position, number in enumerate(order):
                rank[number] = position
            ids = [ids[n] for n in order]
            names = [names[n] for n in order]
            lead = {rank[n]: tail for n, tail in lead.items()}
            facts = {s: {rank[n]: f for n, f in held.items()} for s, held in facts.items()}
        entries: dict[int, str] = {}
        id_of, name_of = ids.__getitem__, names.__getitem__
        for k, groups in self._spread().items():
            place, kind, what = k.split(SEP)
            # each group's numbers rise (firms come in order): one sorted() merges the
            # runs in C; with ids out of order, numbers are first mapped to id ranks
            numbers: Sequence[int]
            if rank is not None:
                numbers = sorted(map(rank.__getitem__, chain.from_iterable(groups)))
            elif len(groups) == 1:
                numbers = groups[0]
            else:
                numbers = sorted(chain.from_iterable(groups))
            row: dict[str, Any] = {"key": k, "place": place, "kind": kind, "what": what}
            row["count"] = len(numbers)
            if kind == SEG:
                row["ids"] = pack_json(list(map(id_of, numbers)))
                row["names"] = pack_json(list(map(name_of, numbers)))
                row["facts"] = bytes(map(facts[what].__getitem__, numbers))
            elif kind == PROD:
                row["ids"] = pack_json(list(map(id_of, numbers)))
            else:
                for n in numbers:
                    if n not in entries:  # a leader's entry, made once for all its rosters
                        entries[n] = f"[{_dumps(ids[n])},{_dumps(names[n])},{lead[n][1:]}"
                row["entries"] = _pack_text("[" + ",".join(map(entries.__getitem__, numbers)) + "]")
            yield row


def _run(conn: Connection, text: str, doing: str, **params: Any) -> None:
    """Run one statement in an auto-commit transaction (``CALL … IN TRANSACTIONS``
    needs one)."""

    def run() -> None:
        with conn.session() as session:
            session.run(text, params).consume()

    conn.guard(run, doing)


def _batches(rows: Iterable[dict[str, Any]], text: str) -> Iterator[tuple[str, list[Any]]]:
    """Rosters as write jobs ``(text, rows)`` of about :data:`_WRITE_BYTES` each."""
    batch: list[dict[str, Any]] = []
    size = 0
    for row in rows:
        batch.append(row)
        size += sum(len(v) for v in row.values() if isinstance(v, str | bytes)) + 100
        if size >= _WRITE_BYTES:
            yield text, batch
            batch, size = [], 0
    if batch:
        yield text, batch


def _write_rows(conn: Connection, rows: Iterable[dict[str, Any]], doing: str) -> None:
    """Write rosters, merged by key, in transactions of about :data:`_WRITE_BYTES`."""
    for text, batch in _batches(rows, _WRITE):
        _run(conn, text, doing, rows=batch)


def _read_firms(conn: Connection, text: str, doing: str, **params: Any) -> Iterator[Any]:
    def run() -> list[Any]:
        with conn.session() as session:
            return [tuple(r.values()) for r in session.run(text, params)]

    yield from conn.guard(run, doing)


def all_jobs(
    firm_rows: Iterable[Any], closure: Mapping[str, frozenset[str]]
) -> Iterator[tuple[str, list[Any]]]:
    """Every roster made anew from ``firm_rows`` (every maker as a row of
    ``_FIRM_BODY``, as :meth:`.firms.Firms.roster_rows` gives them), as write jobs
    ``(text, rows)`` to run in order, each in its own transaction: the index, the old
    rosters deleted, the new ones created. ``closure``: :func:`place_closure`.

    Nothing is read from the database: a full refresh computes the jobs from what it
    read, a first load from its input (:mod:`~chaingraph.store.neo4j.snapshot`)."""
    yield INDEX, []
    yield AWAIT_INDEXES, []
    yield _DELETE_ALL, []
    rosters = _Rosters(closure)
    for row in firm_rows:
        rosters.add(row)
    yield from _batches(rosters.rows(), _CREATE)


def rebuild(conn: Connection, segments: Iterable[str]) -> None:
    """Make the rosters of these segments anew (their members changed: their old firms
    may have left), reading their makers."""
    doing = "keeping the local firms of each place"
    wanted = sorted(set(segments))
    if not wanted:
        return
    _run(conn, INDEX, doing)
    _run(conn, AWAIT_INDEXES, doing)
    rosters = _Rosters(place_closure(conn))
    members: set[str] = set()
    for row in conn.read(_MEMBERS, doing, segments=wanted):
        members.update(row["members"] or ())
    firms: set[str] = set()
    for chunk in chunked(sorted(members), 2000):
        (row,) = conn.read(_MAKERS_OF, doing, products=chunk)
        firms.update(row["ids"])
    _run(conn, _DELETE_SEGMENTS, doing, segments=wanted)
    only = frozenset(wanted)
    for chunk in chunked(sorted(firms), 20_000):
        for row in _read_firms(conn, _SOME_FIRMS, doing, ids=chunk):
            rosters.add(row, only)
    _write_rows(conn, rosters.rows(), doing)


def patch(conn: Connection, firms: Iterable[str]) -> None:
    """Replace these firms' entries in the rosters of their present sites and segments
    (a firm no longer a maker is only taken out of those)."""
    doing = "keeping the local firms of each place"
    touched = sorted(set(firms))
    if not touched:
        return
    closure = place_closure(conn)
    fresh = _Rosters(closure)
    for chunk in chunked(touched, 20_000):
        for row in _read_firms(conn, _SOME_FIRMS, doing, ids=chunk):
            fresh.add(row)
    gone = set(touched)
    new_rows = {row["key"]: row for row in fresh.rows()}
    keys = sorted(new_rows)
    out: list[dict[str, Any]] = []
    drop: list[dict[str, Any]] = []
    for chunk in chunked(keys, 500):
        held = {r["key"]: r for r in conn.read(_READ, doing, keys=chunk)}
        for k in chunk:
            merged = _merged(held.get(k), new_rows[k], gone)
            (out if merged["count"] else drop).append(merged)
    _write_rows(conn, out, doing)
    if drop:
        _run(conn, _DROP, doing, keys=[r["key"] for r in drop])


def _merged(old: Any, new: dict[str, Any], gone: set[str]) -> dict[str, Any]:
    """A roster with the firms ``gone`` taken out and ``new``'s firms put in, by id."""
    if old is None:
        return new
    if new["kind"] == SEG:
        entries = {
            i: (n, f)
            for i, n, f in zip(
                unpack_json(old["ids"]), unpack_json(old["names"]), bytes(old["facts"]), strict=True
            )
            if i not in gone
        }
        entries.update(
            zip(
                unpack_json(new["ids"]),
                zip(unpack_json(new["names"]), new["facts"], strict=True),
                strict=True,
            )
        )
        ordered = sorted(entries)
        return {
            **new,
            "count": len(ordered),
            "ids": pack_json(ordered),
            "names": pack_json([entries[i][0] for i in ordered]),
            "facts": bytes(entries[i][1] for i in ordered),
        }
    if new["kind"] == PROD:
        kept = {i for i in unpack_json(old["ids"]) if i not in gone}
        ordered = sorted(kept.union(unpack_json(new["ids"])))
        return {**new, "count": len(ordered), "ids": pack_json(ordered)}
    lead = {e[0]: e for e in unpack_json(old["entries"]) if e[0] not in gone}
    lead.update((e[0], e) for e in unpack_json(new["entries"]))
    ordered = sorted(lead)
    return {
        **new,
        "count": len(ordered),
        "entries": pack_json([lead[i] for i in ordered]),
    }


def read(conn: Connection, keys: Iterable[str]) -> dict[str, Any]:
    """The rosters of these keys that exist, by key (the named query ``rosters``)."""
    from chaingraph.queries import query

    found: dict[str, Any] = {}
    for chunk in chunked(keys, 2000):
        for r in conn.read(query("rosters"), "reading the local firms", keys=chunk):
            found[r["key"]] = r
    return found
