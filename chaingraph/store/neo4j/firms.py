"""Every company read once, for the full refresh of the derived figures.

A full :func:`~chaingraph.store.neo4j.derived.refresh` (after ``neo4j-admin database
import``, a change of the places, a new :data:`~chaingraph.store.neo4j.derived.VERSION`)
used to walk every firm in Cypher once per figure: the ``CgMaker`` labels, the
``CgNationalMaker`` labels, the site keys, the counts per product and per segment, the
local rosters and the candidate classes; at a million firms that took minutes, most of
it in those walks. Here one query reads each company with its sites and ``MAKES``
facts (:func:`read`), and every figure is computed from those rows in Python, by the
same definitions as the Cypher of the partial refresh (which a merge still runs, for
the few firms it touched):

- a firm is a *maker* when it has a ``MAKES`` relationship (to any node), *national*
  when a maker with a ``LOCATED_IN`` target that is China or reaches it through ``IN``
  in at most :data:`~chaingraph.store.base.MAX_PLACE_DEPTH` hops;
- its site key is its distinct ``LOCATED_IN`` target ids, sorted, joined by ``SEP``
  (``''`` for none);
- a product's makers are the distinct companies with a ``MAKES`` into it; a segment's,
  those of its members.

:func:`label_jobs` writes labels and site keys only where they change, addressing the
nodes by ``elementId`` (no index seek; a first load's firms, computed before their nodes
existed, by id), in transactions of :data:`WRITE_ROWS`.
The companies are read in pages in id order (so the rosters need no sorting by id).
"""

from __future__ import annotations

import queue
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chaingraph.store.neo4j.connection import Connection

__all__ = ["BackgroundWrites", "Firms", "label_jobs", "read"]

WRITE_ROWS = 20_000  # nodes per write transaction: small enough for any heap

# One row per company; lists of its sites and of its MAKES facts (target id, whether
# the target is a Product, source, evidence): what every derived figure needs.
_ROW = """
[elementId(f), f.id, f.name, f.tags, f.global_rank_no, f.revenue_cny_100m, f.props_extra,
 f.props_json, f:CgMaker, f:CgNationalMaker, f.cg_sites,
 [(f)-[:LOCATED_IN]->(site:Entity) | site.id],
 [(f)-[m:MAKES]->(p) | [p.id, p:Product, m.source, m.evidence]]]
"""
# Pages in id order from the id index, each one record (the driver's cost per record
# is several times the server's per row; a list element costs it next to nothing).
_PAGE = f"""
MATCH (f:Entity) WHERE f.id > $after AND f:Company
WITH f ORDER BY f.id LIMIT $limit
RETURN collect({_ROW}) AS rows
"""
# Companies the pages cannot reach (no text id, or no Entity label): none that
# chaingraph wrote, but a database written by other tools may hold some.
_REST = f"""
MATCH (f:Company) WHERE NOT (f:Entity AND coalesce(f.id > '', false))
RETURN collect({_ROW}) AS rows
"""
READ_PAGE = 20_000  # companies per page read
# Label writes by kind of change; each row: [elementId, site key] (or [id, site key]:
# the _BY_ID forms, for firms known by id only: a first load's, computed from its input).
_SET_NATIONAL = """
UNWIND $rows AS row
MATCH (f) WHERE elementId(f) = row[0]
SET f:CgMaker:CgNationalMaker, f.cg_sites = row[1]
"""
_SET_MAKER = """
UNWIND $rows AS row
MATCH (f) WHERE elementId(f) = row[0]
SET f:CgMaker, f.cg_sites = row[1]
REMOVE f:CgNationalMaker
"""
_SET_NONE = """
UNWIND $rows AS row
MATCH (f) WHERE elementId(f) = row[0]
REMOVE f:CgMaker:CgNationalMaker
"""
_BY_ID = {
    text: text.replace("MATCH (f) WHERE elementId(f) = row[0]", "MATCH (f:Entity {id: row[0]})")
    for text in (_SET_NATIONAL, _SET_MAKER, _SET_NONE)
}
# row fields of _ROW
ELEMENT, ID, NAME, TAGS, RANK, REVENUE, EXTRA, LEGACY = range(8)
WAS_MAKER, WAS_NATIONAL, WAS_KEY, SITES, MAKES = range(8, 13)


def _best(source: Any, evidence: Any) -> int:
    """A ``MAKES`` fact coded as ``segment_coverage.cypher`` codes it: 3 × verified +
    grade (strong 2, weak 0, else 1)."""
    verified = 3 if source != "unverified" else 0
    return verified + (2 if evidence == "strong" else 0 if evidence == "weak" else 1)


@dataclass
class Firms:
    """Every company's row of :data:`_ROW`, and what the refresh derives from them:
    per firm its maker and national flags and site key, per ``MAKES`` target the firms
    making it (by position in ``rows``)."""

    rows: list[tuple[Any, ...]]
    maker: list[bool]
    national: list[bool]
    site_key: list[str]
    makers_of: dict[Any, list[int]]
    # whether the rows' first field is the firm's id, not its elementId (a first
    # load's rows, made before its nodes existed)
    by_id: bool = False

    @classmethod
    def of(
        cls,
        rows: list[tuple[Any, ...]],
        national_places: frozenset[Any],
        sep: str,
        *,
        by_id: bool = False,
    ) -> Firms:
        """Derive the flags, site keys and makers per target from the rows read (or,
        ``by_id``, made from a first load's input)."""
        maker: list[bool] = []
        national: list[bool] = []
        site_key: list[str] = []
        makers_of: dict[Any, list[int]] = {}
        for number, row in enumerate(rows):
            makes = row[MAKES]
            sites = sorted({site for site in row[SITES] if site is not None})
            is_maker = bool(makes)
            maker.append(is_maker)
            national.append(is_maker and not national_places.isdisjoint(sites))
            site_key.append(sep.join(sites))
            for target in {fact[0] for fact in makes}:
                makers_of.setdefault(target, []).append(number)
        return cls(rows, maker, national, site_key, makers_of, by_id)

    def label_changes(self) -> Iterator[tuple[str, list[Any]]]:
        """(statement, row) for each company whose labels or site key change."""
        text: Mapping[str, str] = _BY_ID if self.by_id else {t: t for t in _BY_ID}
        for number, row in enumerate(self.rows):
            maker, national, site_key = (
                self.maker[number],
                self.national[number],
                self.site_key[number],
            )
            if maker:
                if not row[WAS_MAKER] or row[WAS_NATIONAL] != national or row[WAS_KEY] != site_key:
                    yield text[_SET_NATIONAL if national else _SET_MAKER], [row[ELEMENT], site_key]
            elif row[WAS_MAKER] or row[WAS_NATIONAL]:
                yield text[_SET_NONE], [row[ELEMENT], None]

    def counts(self, firms: Iterable[int]) -> tuple[int, int, list[tuple[str, int]]]:
        """Makers, national makers and makers per site key of these distinct firms (the
        figures ``_PRODUCT_COUNTS`` and ``_SEGMENT_COUNTS`` of the partial refresh)."""
        by_key: Counter[str] = Counter()
        makers = national = 0
        for number in firms:
            makers += 1
            national += self.national[number]
            by_key[self.site_key[number]] += 1
        return makers, national, list(by_key.items())

    def economy(self) -> list[tuple[str, int]]:
        """Makers per site key, over every maker."""
        return list(
            Counter(
                k for k, is_maker in zip(self.site_key, self.maker, strict=True) if is_maker
            ).items()
        )

    def _listed_makers(self) -> Iterator[tuple[Any, ...]]:
        """The makers with an id (what the roster and candidate reads match)."""
        for number, row in enumerate(self.rows):
            firm = row[ID]
            if self.maker[number] and isinstance(firm, str) and firm > "":
                yield row

    def roster_rows(self, segments_of: Mapping[str, Any]) -> Iterator[tuple[Any, ...]]:
        """Each maker as a row of ``rosters._FIRM_BODY``: id, name, tags, rank, sites,
        segments with the best fact, products made (sorted)."""
        for row in self._listed_makers():
            best: dict[str, int] = {}
            made: set[Any] = set()
            for target, is_product, source, evidence in row[MAKES]:
                if not is_product:
                    continue
                made.add(target)
                fact = _best(source, evidence)
                for segment in segments_of.get(target, ()):
                    if best.get(segment, -1) < fact:
                        best[segment] = fact
            name = row[NAME] if row[NAME] is not None else row[ID]
            yield (
                row[ID],
                name,
                row[TAGS],
                row[RANK],
                list(dict.fromkeys(row[SITES])),
                list(best.items()),
                sorted(made),
            )

    def candidate_rows(self) -> Iterator[tuple[Any, ...]]:
        """Each maker as a row of ``candidates._MAKER``: id, tags, revenue, extra,
        legacy, products made."""
        for row in self._listed_makers():
            products = list(dict.fromkeys(t for t, is_product, _, _ in row[MAKES] if is_product))
            yield (row[ID], row[TAGS], row[REVENUE], row[EXTRA], row[LEGACY], products)


def read(conn: Connection, doing: str) -> list[tuple[Any, ...]]:
    """Every company's row: in id order, :data:`READ_PAGE` a read, then any company
    without a text id."""
    rows: list[tuple[Any, ...]] = []
    after = ""
    while True:
        (record,) = conn.read(_PAGE, doing, after=after, limit=READ_PAGE)
        page = record["rows"]
        rows.extend(map(tuple, page))
        if len(page) < READ_PAGE:
            break
        after = page[-1][ID]
    (record,) = conn.read(_REST, doing)
    rows.extend(map(tuple, record["rows"]))
    return rows


class BackgroundWrites:
    """Write statements run one after another in a thread while the caller computes
    the next ones: the server writes labels and rosters while Python builds the rest.

    :meth:`__call__` queues ``(text, rows)``; :meth:`close` waits for every write and
    raises the first error (a failed write stops the writes after it). At most
    :data:`QUEUED` batches wait: enough for every label batch of a million firms (their
    rows hold strings the firm rows hold anyway) and the rosters' first ~0.5 GB, so
    the computing rarely waits for the server.
    """

    QUEUED = 64

    def __init__(self, conn: Connection, doing: str) -> None:
        self.conn, self.doing = conn, doing
        self._jobs: queue.Queue[tuple[str, list[Any]] | None] = queue.Queue(self.QUEUED)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="chaingraph-writes", daemon=True)
        self._thread.start()

    def __call__(self, text: str, rows: list[Any]) -> None:
        if self._error is not None:
            self.close()
        self._jobs.put((text, rows))

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._error is None:
                text, rows = job

                def write(text: str = text, rows: list[Any] = rows) -> None:
                    _run(self.conn, text, rows)

                try:
                    self.conn.guard(write, self.doing)
                except BaseException as exc:  # handed to the caller by close()
                    self._error = exc

    def close(self, *, raising: bool = True) -> None:
        """Wait for the queued writes; raise the first error (if ``raising``)."""
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()
        if raising and self._error is not None:
            raise self._error


def label_jobs(firms: Firms) -> Iterator[tuple[str, list[Any]]]:
    """The labels and site keys that change, as write jobs ``(text, rows)`` of
    :data:`WRITE_ROWS` nodes."""
    batches: dict[str, list[list[Any]]] = {}
    for text, row in firms.label_changes():
        held = batches.setdefault(text, [])
        held.append(row)
        if len(held) >= WRITE_ROWS:
            yield text, batches.pop(text)
    yield from batches.items()


def _run(conn: Connection, text: str, rows: list[list[Any]]) -> None:
    with conn.session() as session:
        session.run(text, {"rows": rows}).consume()
