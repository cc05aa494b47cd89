"""Every product's makers in classes and pages, kept ready for the target search.

The target search reads a gap product's makers best score bound first and stops after
tens of firms (:mod:`chaingraph.store.candidates`): so the makers are kept per product
in *classes* (same tags, top rank, board, and whether a revenue is given), each sorted
by revenue (largest first, then by id) and cut into pages of
:data:`~chaingraph.store.candidates.PAGE`, in nodes without the ``Entity`` label (no
store read sees them):

- ``:CgCandidates`` per (product, class): ``product``, ``cls`` (the class key),
  ``count``, ``tops`` (per page, the revenue of its first maker), ``key``;
- ``:CgCandidatePage`` per (product, class, page): ``key`` (product, class key and page
  number joined by :data:`SEP`), ``ids`` (JSON list, zlib-compressed), ``revenues``.

The named queries ``candidate_classes`` (a gap's products and their classes: a few rows
per product) and ``candidate_pages`` read them. :func:`all_jobs` makes them all from
every maker's row as the full refresh reads it (a bulk import, a full refresh, a first
load); :func:`refresh_products` remakes those of some products (what a
merge touched: a firm's tags or revenue move it between classes of its products).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import suppress
from typing import Any

from chaingraph.store.candidates import CandidatePage, MakerClass, arrange
from chaingraph.store.neo4j.connection import Connection, chunked
from chaingraph.store.neo4j.encoding import EXTRA, NODE_RESERVED, decode_props
from chaingraph.store.neo4j.rosters import AWAIT_INDEXES, pack_json, unpack_json
from chaingraph.store.records import FirmBasics, basics_of

__all__ = [
    "HEAD_LABEL",
    "PAGE_LABEL",
    "SEP",
    "all_jobs",
    "page_key",
    "read_classes",
    "read_pages",
    "refresh_products",
    "stored_basics",
]

HEAD_LABEL = "CgCandidates"
PAGE_LABEL = "CgCandidatePage"
SEP = "\x1f"
_WRITE_ROWS = 2_000  # pages per write transaction

INDEXES = (
    f"CREATE RANGE INDEX cg_candidates_product IF NOT EXISTS FOR (c:{HEAD_LABEL}) ON (c.product)",
    f"CREATE RANGE INDEX cg_candidate_page_key IF NOT EXISTS FOR (c:{PAGE_LABEL}) ON (c.key)",
)
# a maker: the properties basics_of reads (as record_basics.cypher) and what it makes
_MAKER = """
RETURN f.id AS id, f.tags AS tags, f.revenue_cny_100m AS revenue, f.props_extra AS extra,
       f.props_json AS legacy,
       COLLECT { MATCH (f)-[:MAKES]->(p:Product) RETURN DISTINCT p.id } AS products
"""
_MAKERS_OF = f"""
UNWIND $products AS pid
MATCH (:Product {{id: pid}})<-[:MAKES]-(f:CgMaker)
WITH DISTINCT f
{_MAKER}
"""
_DELETE_ALL = f"""
MATCH (c) WHERE c:{HEAD_LABEL} OR c:{PAGE_LABEL}
CALL (c) {{ DELETE c }} IN TRANSACTIONS OF 5000 ROWS
"""
_DELETE_PRODUCTS = f"""
UNWIND $products AS pid
MATCH (c:{HEAD_LABEL} {{product: pid}})
CALL (c) {{
  MATCH (page:{PAGE_LABEL}) WHERE page.key STARTS WITH c.key + $sep
  DELETE page
}}
DELETE c
"""
_WRITE_HEADS = f"""
UNWIND $rows AS row
CREATE (c:{HEAD_LABEL}) SET c = row
"""
_WRITE_PAGES = f"""
UNWIND $rows AS row
CREATE (c:{PAGE_LABEL}) SET c = row
"""


def page_key(product: str, key: str, number: int) -> str:
    """The ``key`` of one page of a product's class."""
    return f"{product}{SEP}{key}{SEP}{number}"


def stored_basics(row: Any) -> FirmBasics:
    """A maker's basics from a row ``(id, tags, revenue, extra, legacy, ...)`` of the
    named queries ``record_basics`` and ``candidate_classes``, as ``decode_node`` reads them."""
    node_id, tags, revenue, extra, legacy = row[:5]
    stored = {"tags": tags, "revenue_cny_100m": revenue, EXTRA: extra}
    props = decode_props(
        legacy,
        {k: v for k, v in stored.items() if v is not None},
        NODE_RESERVED,
        f"node {node_id!r}",
    )
    return basics_of(props)


def _read(conn: Connection, text: str, doing: str, **params: Any) -> list[Any]:
    def run() -> list[Any]:
        with conn.session() as session:
            return [tuple(r.values()) for r in session.run(text, params)]

    return conn.guard(run, doing)


def _run(conn: Connection, text: str, doing: str, **params: Any) -> None:
    def run() -> None:
        with conn.session() as session:
            session.run(text, params).consume()

    conn.guard(run, doing)


def _rows(
    makers: Iterable[Any], products: frozenset[str] | None
) -> Iterator[tuple[str, list[tuple[str, FirmBasics]]]]:
    """Per product (of ``products``, when given): its makers with their basics."""
    by_product: dict[str, list[tuple[str, FirmBasics]]] = {}
    kinds: dict[Any, FirmBasics] = {}
    for row in makers:
        basics = stored_basics(row)
        with suppress(TypeError):  # firms share basics by the thousand: one tuple each
            basics = kinds.setdefault(basics, basics)
        for product in row[5]:
            if products is None or product in products:
                by_product.setdefault(product, []).append((row[0], basics))
    yield from by_product.items()


def _batches(
    per_product: Iterable[tuple[str, list[tuple[str, FirmBasics]]]],
) -> Iterator[tuple[str, list[Any]]]:
    """The classes and pages of these products as write jobs ``(text, rows)`` of
    :data:`_WRITE_ROWS` rows."""
    heads: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    for product, makers in per_product:
        classes, cut = arrange(makers)
        for held in classes:
            heads.append(
                {
                    "key": f"{product}{SEP}{held.key}",
                    "product": product,
                    "cls": held.key,
                    "count": held.count,
                    "tops": list(held.tops),
                }
            )
            for number, page in enumerate(cut[held.key]):
                pages.append(
                    {
                        "key": page_key(product, held.key, number),
                        "ids": pack_json([firm for firm, _ in page]),
                        "revenues": [revenue for _, revenue in page],
                    }
                )
        if len(heads) >= _WRITE_ROWS:
            yield _WRITE_HEADS, heads
            heads = []
        if len(pages) >= _WRITE_ROWS:
            yield _WRITE_PAGES, pages
            pages = []
    if heads:
        yield _WRITE_HEADS, heads
    if pages:
        yield _WRITE_PAGES, pages


def all_jobs(makers: Iterable[Any]) -> Iterator[tuple[str, list[Any]]]:
    """Every product's classes and pages made anew from ``makers`` (every maker as a
    row of ``_MAKER``, as :meth:`.firms.Firms.candidate_rows` gives them), as write
    jobs ``(text, rows)`` to run in order, each in its own transaction: the indexes,
    the old classes and pages deleted, the new ones created. Nothing is read from the
    database."""
    for text in INDEXES:
        yield text, []
    yield AWAIT_INDEXES, []
    yield _DELETE_ALL, []
    yield from _batches(_rows(makers, None))


def refresh_products(conn: Connection, products: Iterable[str]) -> None:
    """Remake the classes and pages of these products (a product with no maker left has
    none)."""
    doing = "keeping the candidate makers of each product"
    wanted = sorted(set(products))
    if not wanted:
        return
    for text in INDEXES:
        _run(conn, text, doing)
    _run(conn, AWAIT_INDEXES, doing)
    for chunk in chunked(wanted, 500):
        _run(conn, _DELETE_PRODUCTS, doing, products=chunk, sep=SEP)
        makers = _read(conn, _MAKERS_OF, doing, products=chunk)
        for text, rows in _batches(_rows(makers, frozenset(chunk))):
            _run(conn, text, doing, rows=rows)


def read_classes(
    conn: Connection, segment_ids: Iterable[str]
) -> dict[str, dict[str, tuple[MakerClass, ...]]]:
    """:meth:`~chaingraph.store.candidates.CandidateReads.candidate_classes` (the named
    query ``candidate_classes``)."""
    from chaingraph.queries import query

    wanted = list(dict.fromkeys(segment_ids))
    found: dict[str, dict[str, tuple[MakerClass, ...]]] = {s: {} for s in wanted}
    text = query("candidate_classes")
    for chunk in chunked(wanted, 500):
        for row in conn.read(text, "running query candidate_classes", segments=chunk):
            classes = []
            for key, count, tops in sorted(row["classes"]):
                fields = _fields(key)
                classes.append(MakerClass(*fields, int(count), tuple(float(t) for t in tops)))
            found[row["segment"]][row["product"]] = tuple(classes)
    for segment, products in found.items():
        found[segment] = dict(sorted(products.items()))
    return found


def _fields(key: str) -> tuple[tuple[str, ...], bool, str | None, bool]:
    """A class's fields from its key (:func:`~chaingraph.store.candidates.class_key`)."""
    tags, top, board, revenue = json.loads(key)
    return tuple(tags), bool(top), board, bool(revenue)


def read_pages(
    conn: Connection, wanted: Iterable[tuple[str, str, int]]
) -> dict[tuple[str, str, int], CandidatePage]:
    """:meth:`~chaingraph.store.candidates.CandidateReads.candidate_pages` (the named
    query ``candidate_pages``)."""
    from chaingraph.queries import query

    asked = {page_key(*w): w for w in wanted}
    found: dict[tuple[str, str, int], CandidatePage] = {}
    text = query("candidate_pages")
    for chunk in chunked(sorted(asked), 500):
        (row,) = conn.read(text, "running query candidate_pages", keys=chunk)
        for key, packed, revenues in row["rows"]:
            ids = unpack_json(packed)
            found[asked[key]] = tuple(zip(ids, (float(r) for r in revenues), strict=True))
    return found
