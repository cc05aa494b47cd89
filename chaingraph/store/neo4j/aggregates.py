"""The aggregate reads of the Neo4j engine: one named query of ``queries/`` each.

Each function runs one query (:func:`chaingraph.queries.query`) through a
:class:`~chaingraph.store.neo4j.connection.Connection` and maps its rows to the records
of :mod:`chaingraph.store.base`, so the analyses aggregate inside Neo4j and never pull
the whole graph. Lists come back sorted by id, as from the embedded engine (firm lists
are sorted here, in Python: faster than a ``Sort`` of many rows in Neo4j, and Python's
order of text is the reference). The leader rule reaches the queries as parameters
(:meth:`~chaingraph.store.base.LeaderRule.parameters`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import numpy as np

from chaingraph.model import Relationship
from chaingraph.queries import query, query_names, query_parameters
from chaingraph.store.base import (
    EVIDENCE_GRADES,
    BaseFacts,
    ChainCounts,
    CompanyFacts,
    EconomyCounts,
    LeaderInput,
    LeaderRule,
    Place,
    ProductSupply,
    SegmentCoverage,
)
from chaingraph.store.neo4j import derived, rosters
from chaingraph.store.neo4j.candidates import stored_basics
from chaingraph.store.neo4j.connection import Connection, chunked
from chaingraph.store.neo4j.encoding import (
    EXTRA,
    NODE_RESERVED,
    REL_RESERVED,
    decode_node,
    decode_props,
)
from chaingraph.store.records import KindTable, RecordBasics, shares_of

if TYPE_CHECKING:
    import neo4j

__all__ = [
    "base_facts",
    "chain_counts",
    "chain_of",
    "company_facts",
    "company_sites",
    "economy_counts",
    "evaluated_segments",
    "focus_priorities",
    "leader_inputs",
    "local_users",
    "makes_facts",
    "place_ancestors",
    "planned_queries",
    "product_supply",
    "ring_makers",
    "segment_candidates",
    "segment_coverage",
]

# Values of the right type for each parameter of the named queries, for planned_queries().
_SAMPLE: dict[str, Any] = {
    "ids": ["co:x"],
    "segments": ["seg:x"],
    "products": ["prod:x"],
    "leader_tags": ["龙头企业"],
    "leader_rank": 100,
    "rings": [["region:x"]],
    "sep": rosters.SEP,
    "keys": ["x"],
    "names": True,
}


# -- running the named queries ---------------------------------------------------------


def _records(conn: Connection, name: str, **params: Any) -> list[neo4j.Record]:
    """The records of a named query, as the driver gives them (no ``Record.data()``
    copy: the aggregate queries return plain values only, and copying tens of thousands
    of ids costs more than the query)."""
    return conn.read(query(name), f"running query {name}", **params)


def planned_queries() -> list[tuple[str, dict[str, Any]]]:
    """Every named query as sent, with parameters of the types the store passes (the
    plan cache tells plans apart by parameter types), for
    :meth:`~chaingraph.store.neo4j.connection.Connection.warm`."""
    return [
        (query(name), {p: _SAMPLE.get(p, "") for p in query_parameters(name)})
        for name in query_names()
    ]


# The queries ``gaps`` and ``targets`` send, and values for the parameters that name
# one node: ids that match nothing, so a rehearsal reads next to nothing.
REHEARSED = (
    "segment_coverage",
    "rosters",
    "leader_product_inputs",
    "economy_counts",
    "ring_makers",
    "focus_segments",
    "place_ancestors",
    "local_users",
    "candidate_classes",
    "candidate_pages",
    "company_profiles",
    "revenue_shares",
    "evaluated_segments",
    "node_names",
    "makes_facts",
)
_NOTHING = {"area": "region:cg-none", "base": "base:cg-none", "place": "region:cg-none"}


def rehearsed_queries() -> list[tuple[str, dict[str, Any]]]:
    """The queries of :data:`REHEARSED` as sent, with parameters that match nothing: run
    once on opening, so their first real call finds them compiled (``EXPLAIN`` plans a
    query; its first run still builds the runtime's code, 0.1-1 s a query)."""
    return [
        (
            query(name),
            {p: _NOTHING.get(p, _SAMPLE.get(p, "seg:cg-none")) for p in query_parameters(name)},
        )
        for name in REHEARSED
    ]


# -- places and chains -------------------------------------------------------------------


def place_ancestors(conn: Connection, place_id: str) -> list[str]:
    (row,) = _records(conn, "place_ancestors", place=place_id)
    return [place_id, *row["regions"]]


def chain_of(conn: Connection, segment_id: str) -> str:
    (row,) = _records(conn, "chain_of", segment=segment_id)
    return str(row["chain"] or "")


def company_sites(conn: Connection, company_id: str) -> frozenset[str]:
    (row,) = _records(conn, "company_sites", company=company_id)
    return frozenset(row["places"])


# -- segments and firms ------------------------------------------------------------------


def evaluated_segments(conn: Connection, root: str) -> list[str]:
    return [r["segment"] for r in _records(conn, "evaluated_segments", root=root)]


def focus_priorities(conn: Connection, base_id: str) -> dict[str, int]:
    rows = _records(conn, "focus_segments", base=base_id)
    return {r["segment"]: int(r["priority"]) for r in rows}


def company_facts(conn: Connection, company_ids: Iterable[str]) -> dict[str, CompanyFacts]:
    text = query("company_profiles")
    found: dict[str, CompanyFacts] = {}
    for chunk in chunked(company_ids, 2000):
        (row,) = conn.read(text, "running query company_profiles", ids=chunk)
        # each site's regions, nearest first, walked once for all the firms there
        chains = {
            site: tuple(Place(p["id"], p["level"], bool(p["gba"]), p["name"]) for p in places)
            for site, places in row["chains"]
        }
        places_of = {site: frozenset(p.id for p in chain) for site, chain in chains.items()}
        for (
            company,
            node_type,
            props,
            raw,
            sites,
            head,
            facts,
            unverified,
            makes,
            customers,
        ) in row["firms"]:
            found[company] = CompanyFacts(
                decode_node(company, node_type, props, raw),
                frozenset().union(*(places_of[site] for site in sites)),
                chains[head] if head is not None else (),
                int(facts),
                int(unverified),
                tuple(makes),
                tuple(customers),
            )
    return {i: found[i] for i in dict.fromkeys(company_ids) if i in found}


def _leaders(conn: Connection, area: str, leader: LeaderRule) -> dict[str, tuple[str, list[str]]]:
    """The leaders by ``leader`` among the makers with a site in ``area``: by id, their
    name and the products they make (from the rosters of the rule's tags and of ranked
    firms: a few hundred firms, never every local maker)."""
    if not area:
        return {}
    keys = [rosters.key(area, rosters.TAG, tag) for tag in dict.fromkeys(leader.tags)]
    keys.append(rosters.key(area, rosters.RANK))
    found: dict[str, tuple[str, list[str]]] = {}
    for k, row in rosters.read(conn, keys).items():
        by_rank = k.split(rosters.SEP)[1] == rosters.RANK
        for firm, name, rank, made in rosters.unpack_json(row["entries"]):
            if not by_rank or leader.rank_holds(rank):
                found[firm] = (name, made)
    return found


def segment_coverage(
    conn: Connection,
    segment_ids: Iterable[str],
    area: str,
    leader: LeaderRule,
    *,
    names: bool = True,
) -> dict[str, SegmentCoverage]:
    wanted = list(dict.fromkeys(segment_ids))
    rows = _records(
        conn, "segment_coverage", segments=wanted, area=area, sep=rosters.SEP, names=names
    )
    leaders = _leaders(conn, area, leader) if any(r["local_ids"] for r in rows) else {}
    # which leaders make each product: a leader in a segment's roster makes one of its
    # products, so each segment tries only those (not every leader of a city, 10^3)
    makers: dict[str, list[str]] = {}
    for firm, (_, made) in leaders.items():
        for product in made:
            makers.setdefault(product, []).append(firm)
    found = {}
    for r in rows:
        # The roster of (area, segment): ids sorted, names, best fact codes.
        local = tuple(rosters.unpack_json(r["local_ids"]))
        local_names = tuple(rosters.unpack_json(r["local_names"]))
        facts = bytes(r["local_facts"] or b"")
        found[r["segment"]] = SegmentCoverage(
            r["segment"],
            r["name"],
            str(r["stage"]),
            float(r["weight"]),
            r["chain"],
            tuple(sorted(r["products"])),
            int(r["makers"]),
            local,
            local_names,
            _among(local, {f for p in r["products"] for f in makers.get(p, ())}),
            int(r["national"]),
            tuple(r["upstream"]),
            tuple(r["downstream"]),
            tuple(map(bool, facts.translate(_VERIFIED))),
            tuple(map(_GRADE_OF.__getitem__, facts)),
        )
    return {s: found[s] for s in wanted if s in found}


_GRADE_OF = tuple(EVIDENCE_GRADES[code % 3] for code in range(6))
_VERIFIED = bytes(int(code >= 3) for code in range(256))  # fact code -> verified


def _among(local: tuple[str, ...], wanted: Iterable[str]) -> tuple[str, ...]:
    """The ids of ``wanted`` in ``local`` (sorted ids), in order: a binary search per
    wanted id (a few hundred leaders against 10^5 local firms)."""
    found = []
    for firm in wanted:
        at = bisect_left(local, firm)
        if at < len(local) and local[at] == firm:
            found.append(firm)
    return tuple(sorted(found))


def _inside_keys(keys: Sequence[str], inside: Iterable[str]) -> list[bool]:
    """Per site key: whether one of its sites is among the places ``inside``."""
    places = set(inside)
    return [not places.isdisjoint(key.split(derived.SEP)) for key in keys]


def _makers_inside(matched: Any, ring_keys: Any, ring_makers: Any) -> int:
    """How many makers have a site key that ``matched`` marks (numpy: a city's segments
    times rings times thousands of site keys)."""
    at = np.frombuffer(bytes(ring_keys or b""), dtype="<u4")
    counts = np.frombuffer(bytes(ring_makers or b""), dtype="<u4")
    if not len(at):
        return 0
    flags = matched if isinstance(matched, np.ndarray) else np.asarray(matched, dtype=bool)
    return int(counts[flags[at]].sum(dtype=np.int64))


def _area_keys(conn: Connection, area: str) -> list[bool]:
    """Per site key of the database: whether it has a site inside ``area``."""
    (row,) = _records(conn, "ring_makers", segments=[], rings=[[area]])
    return _inside_keys(row["keys"], dict(row["rings"]).get(0, ()))


def ring_makers(
    conn: Connection, segment_ids: Iterable[str], rings: Sequence[Sequence[str]]
) -> dict[str, tuple[int, ...]]:
    segs = sorted(set(segment_ids))
    found: dict[str, tuple[int, ...]] = {s: (0,) * len(rings) for s in segs}
    if not rings or not segs:
        return found
    (row,) = _records(conn, "ring_makers", segments=segs, rings=[list(r) for r in rings])
    inside = dict(row["rings"])
    matched = [
        np.asarray(_inside_keys(row["keys"], inside.get(i, ())), dtype=bool)
        for i in range(len(rings))
    ]
    for segment, ring_keys, ring_makers in row["segments"]:
        found[segment] = tuple(_makers_inside(m, ring_keys, ring_makers) for m in matched)
    return found


def economy_counts(conn: Connection, area: str) -> EconomyCounts:
    (row,) = _records(conn, "economy_counts", area=area)
    matched = _inside_keys(row["keys"], row["inside"])
    local = _makers_inside(matched, row["ring_keys"], row["ring_makers"])
    return EconomyCounts(area, local, int(row["national"]), int(row["total"]))


def leader_inputs(
    conn: Connection, product_ids: Iterable[str], area: str, leader: LeaderRule
) -> list[LeaderInput]:
    wanted = set(product_ids)
    leaders = _leaders(conn, area, leader)
    made: dict[str, list[str]] = {}
    for firm, (_, products) in sorted(leaders.items()):
        for product in products:
            if product in wanted:
                made.setdefault(product, []).append(firm)
    if not made:
        return []
    rows = _records(conn, "leader_product_inputs", products=sorted(made))
    # one array for every row (not a list made an array per row: 10^2 rows at 1M)
    matched = np.asarray(_area_keys(conn, area) if rows else [], dtype=bool)
    return [
        LeaderInput(
            r["product"],
            r["product_name"],
            r["input"],
            r["input_name"],
            tuple(r["input_segments"]),
            tuple(made[r["product"]]),
            tuple(sorted(leaders[f][0] for f in made[r["product"]])),
            int(r["makers"]),
            _makers_inside(matched, r["ring_keys"], r["ring_makers"]),
        )
        for r in rows
    ]


def local_users(
    conn: Connection, product_ids: Iterable[str], area: str
) -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
    wanted = list(dict.fromkeys(product_ids))
    # the area's product rosters (rosters.py): one read per user product
    prefix = rosters.key(area, rosters.PROD) if area else ""
    rows = _records(conn, "local_users", products=wanted, prefix=prefix)
    local = {
        r["user"]: tuple(rosters.unpack_json(r["local"])) for r in rows if r["user"] is not None
    }
    users: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for product, user in rows[0]["pairs"] if rows else ():
        held = users.setdefault(product, [])
        if user is not None:
            held.append((user, local[user]))
    return {p: tuple(sorted(users[p])) for p in wanted if p in users}


def segment_candidates(
    conn: Connection, segment_ids: Iterable[str], area: str
) -> dict[str, dict[str, tuple[str, ...]]]:
    wanted = list(dict.fromkeys(segment_ids))
    found: dict[str, dict[str, tuple[str, ...]]] = {s: {} for s in wanted}
    rows = _records(conn, "segment_candidates", segments=wanted, area=area)
    # Products by id within each segment, as the embedded engine gives them.
    for r in sorted(rows, key=itemgetter("segment", "product")):
        found[r["segment"]][r["product"]] = tuple(sorted(r["makers"]))
    return found


def record_basics(conn: Connection, company_ids: Sequence[str]) -> RecordBasics:
    """Each firm's :func:`~chaingraph.store.records.basics_of` from the few properties it
    reads (the named query ``record_basics``), by kind."""
    found: dict[str, int] = {}
    table = KindTable()
    text = query("record_basics")
    for chunk in chunked(company_ids, 20_000):
        (row,) = conn.read(text, "running query record_basics", ids=chunk)
        for basics_row in row["rows"]:
            found[basics_row[0]] = table.number(stored_basics(basics_row))
    return RecordBasics(tuple(table.kinds), [found.get(i, -1) for i in company_ids])


def node_names(conn: Connection, node_ids: Iterable[str]) -> dict[str, str]:
    """:meth:`GraphStore.node_names` from the name alone (the named query ``node_names``);
    a record kept as JSON (older databases) or a name kept outside the plain properties
    is decoded as ``decode_node`` would."""
    wanted = list(dict.fromkeys(node_ids))
    found: dict[str, str] = {}
    text = query("node_names")
    for chunk in chunked(wanted, 20_000):
        (row,) = conn.read(text, "running query node_names", ids=chunk)
        for node_id, name, extra, legacy in row["rows"]:
            if name is None or legacy is not None:
                stored = {"name": name, EXTRA: extra}
                props = decode_props(
                    legacy,
                    {k: v for k, v in stored.items() if v is not None},
                    NODE_RESERVED,
                    f"node {node_id!r}",
                )
                name = props.get("name", node_id)
            found[node_id] = str(name)
    return {i: found[i] for i in wanted if i in found}


def makes_facts(
    conn: Connection, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], Relationship]:
    """:meth:`GraphStore.makes_facts` in one read per 20,000 pairs (the named query
    ``makes_facts``), decoded as ``Neo4jStore.relationships`` decodes them."""
    wanted = list(dict.fromkeys(pairs))
    found: dict[tuple[str, str], Relationship] = {}
    text = query("makes_facts")
    for at in range(0, len(wanted), 20_000):
        chunk = wanted[at : at + 20_000]
        (row,) = conn.read(
            text,
            "running query makes_facts",
            ids=[firm for firm, _ in chunk],
            products=[product for _, product in chunk],
        )
        for source, target, key, props, raw in row["rows"]:
            if (source, target) not in found:
                found[(source, target)] = Relationship(
                    "MAKES",
                    source,
                    target,
                    key or "",
                    decode_props(props, raw, REL_RESERVED, f"MAKES {source!r} -> {target!r}"),
                )
    return {pair: found[pair] for pair in wanted if pair in found}


def revenue_shares(conn: Connection, company_ids: Iterable[str]) -> dict[str, dict[str, float]]:
    """:meth:`GraphStore.revenue_shares` in one read per 20,000 firms."""
    wanted = list(dict.fromkeys(company_ids))
    facts: dict[str, list[tuple[str, object]]] = {c: [] for c in wanted}
    text = query("revenue_shares")
    for chunk in chunked(wanted, 20_000):
        (row,) = conn.read(text, "running query revenue_shares", ids=chunk)
        for company, product, share, extra in row["rows"]:
            if share is None and extra is not None:
                share = decode_props(None, {EXTRA: extra}, REL_RESERVED, company).get(
                    "revenue_share"
                )
            facts[company].append((product, share))
    return {c: shares_of(facts[c]) for c in wanted}


# -- overviews ---------------------------------------------------------------------------


def product_supply(conn: Connection, chain: str | None = None) -> list[ProductSupply]:
    return [
        ProductSupply(r["product"], r["name"], tuple(r["makers"]))
        for r in _records(conn, "chokepoints", chain=chain)
    ]


def chain_counts(conn: Connection, home_region: str) -> list[ChainCounts]:
    return [
        ChainCounts(
            r["chain"],
            r["name"],
            int(r["segments"]),
            int(r["products"]),
            int(r["companies"]),
            int(r["local_companies"]),
            int(r["facts"]),
            int(r["unverified"]),
        )
        for r in _records(conn, "chain_overview", home=home_region)
    ]


def base_facts(conn: Connection) -> list[BaseFacts]:
    return [
        BaseFacts(
            decode_node(r["id"], r["type"], r["props"], r["raw"]),
            tuple(sorted((p, t, n) for p, t, n in r["focus"])),
            tuple(r["regions"]),
            int(r["companies"]),
        )
        for r in _records(conn, "base_overview")
    ]
