"""The Neo4j store: the chain graph in a Neo4j server, a cluster or Aura.

For data that outgrows one process, or one graph a team shares. Everything goes
through the official ``neo4j`` driver (``neo4j-rust-ext`` speeds up its wire
format); connect with a ``neo4j://`` routing URI for a cluster or Aura, or
``bolt://`` for a single server.

Schema
------
Every node has the shared label ``Entity`` (a uniqueness constraint on
``Entity.id``) plus the label of its type (``Company``, ``Segment``…); a
relationship's Neo4j type is its chaingraph type. Labels and relationship types
come only from the model's allowlist (``ontology/model.yaml``), and are checked
against it before they are written into a query; every value travels as a query
parameter, never inside the query text.

Properties
----------
Each chaingraph property is stored once. Those Neo4j can store as they are (text,
numbers, booleans, lists of one kind) are real properties; the others (nested maps
such as ``listing`` and ``global_rank``, lists of mixed types, empty lists, numbers
beyond 64 bits, and data properties named like one chaingraph derives) go together
into ``props_extra``, one JSON object, only on the records that have any; the order
of the names, when they are not sorted, in ``props_order`` (their positions in sorted
order, e.g. ``"2013"``). Reading a
record back (its Neo4j properties without the derived ones, plus ``props_extra``, in
that order) gives exactly what was merged, with the same types. Beside them sit properties
derived for queries and for people browsing the graph: ``id`` and ``type``,
``lookup_names`` (normalised name, legal name and aliases, for exact name lookup),
``name_key`` and ``legal_name_key`` (company dedup keys), ``listing_board`` and
``global_rank_no``. A relationship also has ``key`` (what tells apart parallel ones
of one type; ``""`` when none) and is identified by ``(type, source, target, key)``.
Records written by earlier versions carry the whole properties as JSON in
``props_json``; they read as before, and the next merge that changes them writes
them the lean way.

Loading
-------
:meth:`Neo4jStore.merge` follows :func:`~chaingraph.store.merging.merge_props`
exactly like the embedded store, so both hold identical properties. It checks the
whole input first (known types, one type per id, relationship ends that exist) and
writes nothing if anything is wrong; then, nodes before relationships, it writes
batches of ``batch_size`` rows. Each batch is one managed transaction, retried by
the driver on transient errors and lost connections for at most ``retry_seconds``.
The check reads which ids are stored already; a node whose id is not is written
with ``CREATE`` without reading anything, and so is a relationship between two such
nodes (nothing can be stored for them yet), which makes a first load a plain series
of ``CREATE``. Should another loader store one of those ids after the check, the
``CREATE`` breaks the uniqueness constraint, the batch rolls back and is written
again the careful way. That way, for every other row: the batch locks its nodes
(relationships: both ends) and reads what is stored, computes the merged properties
in Python, and writes with ``UNWIND $rows ...`` only the rows that change: ``MERGE``
on the id for nodes; for relationships, ``CREATE`` for those not found between their
locked ends, ``SET`` for those found. So a reload writes nothing, a batch is written
entirely or not at all, and after a failure the same load run again skips what was
written and finishes the rest without duplicates. A thread builds the rows of the
coming batches while the server writes the current one; new relationships name their
ends by position in a list the batch looks up once (``UNWIND $ends``), not by two index
seeks per row. ``writers`` sessions write node batches at once (default one);
relationships always go through one, as parallel batches deadlock on shared hubs
(products, regions). Node writes go per label, named
in the query text from the model's allowlist; relationship types are set from a
parameter (``CREATE (a)-[r:$(row.type)]->(b)``, checked against the allowlist too),
which needs Neo4j 5.26 or newer: older servers are refused when connecting. The
constraint and indexes are created before the first write.

Reads
-----
The aggregate reads of :class:`~chaingraph.store.base.GraphStore` (segment
coverage, company profiles…) each run one named query of ``queries/``
(:func:`chaingraph.queries.query`), so the analyses aggregate inside Neo4j and
never pull the whole graph. Lists come back sorted by id, as from the embedded
store (names are sorted in Python, whose order of text is the reference).

Connection
----------
Arguments, else the environment: ``NEO4J_URI``, ``NEO4J_USER`` (default
``neo4j``), ``NEO4J_PASSWORD``, ``NEO4J_DATABASE`` (default: the server's). A
wrong password, an unreachable server or one lost during a load raise
:class:`~chaingraph.errors.StoreUnavailable` with a message saying what to do,
after ``connect_attempts`` tries (connecting) or ``retry_seconds`` of retries
(during a transaction). The password never appears in messages.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from itertools import pairwise
from operator import itemgetter
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import orjson

from chaingraph.optional import missing

try:
    import neo4j
    from neo4j import exceptions as neo4j_errors
except ImportError as exc:  # pragma: no cover - only without the [neo4j] extra
    raise missing("neo4j") from exc

from chaingraph.errors import (
    ConfigError,
    StoreCorrupt,
    StoreError,
    StoreUnavailable,
)
from chaingraph.model import Model, Node, Relationship
from chaingraph.names import name_key, normalize_text
from chaingraph.queries import query, query_names, query_parameters
from chaingraph.store.base import (
    DEFAULT_LEADER_RULE,
    EVIDENCE_GRADES,
    BaseFacts,
    ChainCounts,
    CompanyFacts,
    EconomyCounts,
    GraphStore,
    LeaderInput,
    LeaderRule,
    MergeReport,
    Place,
    ProductSupply,
    SegmentCoverage,
)
from chaingraph.store.merging import check_batch, collapse_batch, merge_props

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_WRITERS",
    "ENTITY_LABEL",
    "Neo4jStore",
    "connection_settings",
    "node_properties",
    "relationship_properties",
    "schema_statements",
]

ENTITY_LABEL = "Entity"
MIN_SERVER_VERSION = (5, 26)
DEFAULT_BATCH_SIZE = 5000
DEFAULT_WRITERS = 1
_READ_CHUNK = 5000
# Values of the right type for each parameter of the named queries, for warm().
_SAMPLE: dict[str, Any] = {
    "ids": ["co:x"],
    "segments": ["seg:x"],
    "products": ["prod:x"],
    "leader_tags": ["龙头企业"],
    "leader_rank": 100,
}
_PAGE = 5000
_SAFE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# Real properties chaingraph derives or owns; a data property of the same name stays
# in props_json only, so it cannot overwrite them.
_NODE_RESERVED = frozenset(
    {
        "id",
        "type",
        "props_json",
        "props_extra",
        "props_order",
        "lookup_names",
        "name_key",
        "legal_name_key",
        "listing_board",
        "global_rank_no",
    }
)
_REL_RESERVED = frozenset({"key", "props_json", "props_extra", "props_order"})
# Where the properties Neo4j cannot store as they are go, as one JSON object.
EXTRA = "props_extra"
# The order of the properties as merged, when not sorted by name (see _order_code).
ORDER = "props_order"
_INT64 = (-(2**63), 2**63 - 1)

T = TypeVar("T")


# -- properties -----------------------------------------------------------------


def _storable(value: Any) -> bool:
    """Whether Neo4j can store ``value`` as a property as it is (empty lists are left
    out: they carry no type, and a bulk import could not tell them from no value)."""
    kind = type(value)
    if kind is str or kind is float or kind is bool:
        return True
    if kind is int:
        return _INT64[0] <= value <= _INT64[1]
    if kind is list:
        if not value:
            return False
        first = type(value[0])
        if first not in _LIST_KINDS or any(type(v) is not first for v in value):
            return False
        return first is not int or all(_INT64[0] <= v <= _INT64[1] for v in value)
    return False


# Types a list may hold, one kind per list (subclasses such as IntEnum go to props_extra).
_LIST_KINDS = frozenset({str, float, bool, int})


def _split(props: dict[str, Any], reserved: frozenset[str], out: dict[str, Any]) -> dict[str, Any]:
    """Put into ``out`` every property Neo4j stores as it is; the others (nested maps,
    mixed lists, empty lists, numbers beyond 64 bits, names chaingraph reserves) go
    into ``props_extra`` as JSON, so each value is stored exactly once."""
    extra: dict[str, Any] | None = None
    for key, value in props.items():
        if key not in reserved and _storable(value):
            out[key] = value
        else:
            if extra is None:
                extra = {}
            extra[key] = value
    if extra:
        out[EXTRA] = orjson.dumps(extra).decode()
    keys = list(props)
    if any(a > b for a, b in pairwise(keys)):
        out[ORDER] = _order_code(keys)
    return out


def _order_code(keys: list[str]) -> str:
    """The order of ``keys`` as positions in their sorted order: digits when there are
    at most ten (``"2013"``), else comma-separated (Neo4j keeps such short numeric text
    inside the property record, without a string record of its own).

    >>> _order_code(["name", "as_of", "source"]), _decoded_order("102", ["as_of", "name", "source"])
    ('102', ['name', 'as_of', 'source'])
    """
    rank = {k: i for i, k in enumerate(sorted(keys))}
    sep = "" if len(keys) <= 10 else ","
    return sep.join(str(rank[k]) for k in keys)


def _decoded_order(code: Any, names: list[str]) -> list[str]:
    """The names (sorted) in the order ``code`` gives; sorted when it does not fit them."""
    if not isinstance(code, str):
        return names
    parts = code.split(",") if "," in code else list(code)
    if len(parts) != len(names) or not all(p.isdigit() for p in parts):
        return names
    positions = [int(p) for p in parts]
    if sorted(positions) != list(range(len(names))):
        return names
    return [names[i] for i in positions]


def node_properties(node: Node) -> dict[str, Any]:
    """The Neo4j properties of a node (see the module docstring).

    Examples
    --------
    >>> props = node_properties(Node("co:x", "Company", {"name": "Ｘ科技", "listing":
    ...     {"board": "科创板", "code": "688001"}, "global_rank": {"list": "L", "rank": 7}}))
    >>> props["name"], props["lookup_names"], props["listing_board"], props["global_rank_no"]
    ('Ｘ科技', ['x科技'], '科创板', 7)
    >>> "listing" in props, props["props_extra"].startswith('{"listing"')
    (False, True)
    """
    return _node_properties(node.id, node.type, node.props)


def _node_properties(node_id: str, node_type: str, props: dict[str, Any]) -> dict[str, Any]:
    # Apart from node_properties so a load need not build a Node per row.
    out = _split(props, _NODE_RESERVED, {})
    out["id"] = node_id
    out["type"] = node_type
    names = [props.get("name"), props.get("legal_name"), *(props.get("aliases") or ())]
    lookup = list(
        dict.fromkeys(normalize_text(n).lower() for n in names if isinstance(n, str) and n)
    )
    if lookup:
        out["lookup_names"] = lookup
    if node_type == "Company":
        for field, target in (("name", "name_key"), ("legal_name", "legal_name_key")):
            if isinstance(props.get(field), str) and props[field]:
                out[target] = name_key(props[field])
        board = (props.get("listing") or {}).get("board")
        if isinstance(board, str):
            out["listing_board"] = board
        rank = (props.get("global_rank") or {}).get("rank")
        if isinstance(rank, int) and not isinstance(rank, bool) and _storable(rank):
            out["global_rank_no"] = rank
    return out


def relationship_properties(rel: Relationship) -> dict[str, Any]:
    """The Neo4j properties of a relationship: ``key``, its plain values and, for the
    others, ``props_extra``.

    >>> relationship_properties(Relationship("FOCUSES_ON", "base:b", "chain:c", "", {"priority": 1}))
    {'priority': 1, 'key': ''}
    >>> relationship_properties(Relationship("MAKES", "co:a", "prod:p", "", {"capacity": {"t": 5}}))
    {'props_extra': '{"capacity":{"t":5}}', 'key': ''}
    """
    return _relationship_properties(rel.key, rel.props)


def _relationship_properties(key: str, props: dict[str, Any]) -> dict[str, Any]:
    # Apart from relationship_properties so a load need not build a Relationship per
    # row (a frozen dataclass: the slowest part of preparing a relationship row).
    out = _split(props, _REL_RESERVED, {})
    out["key"] = key
    return out


def _props_of(
    raw: str | None, fallback: dict[str, Any] | None, reserved: frozenset[str], what: str
) -> dict[str, Any]:
    """The chaingraph properties stored for ``what`` (a node or relationship).

    ``raw`` is ``props_json``, the whole properties as JSON that chaingraph wrote
    before 0.x and bulk files may still hold; when it is missing, the properties are
    the Neo4j ones (``fallback``) without the derived ones, plus those kept in
    ``props_extra``. A node written by something else (say, by hand in Neo4j Browser)
    reads the same way.
    """
    if raw is None:
        stored = fallback or {}
        props = {k: v for k, v in stored.items() if k not in reserved}
        extra = stored.get(EXTRA)
        if extra is not None:
            props.update(_json_object(extra, what, EXTRA))
        # In the order merged (sorted by name when no order is stored, or it does
        # not fit: a record edited by hand).
        return {k: props[k] for k in _decoded_order(stored.get(ORDER), sorted(props))}
    return _json_object(raw, what, "props_json")


def _json_object(raw: Any, what: str, field: str) -> dict[str, Any]:
    try:
        props = orjson.loads(raw) if isinstance(raw, str | bytes) else None
    except orjson.JSONDecodeError:
        props = None
    if not isinstance(props, dict):
        raise StoreCorrupt(
            f"{what} has a {field} that is not a JSON object ({str(raw)[:60]!r}); "
            "fix or delete it in Neo4j, or load the data again"
        )
    return props


def schema_statements(model: Model) -> list[str]:
    """The constraint and indexes the store relies on (idempotent: ``IF NOT EXISTS``)."""
    _check_name(ENTITY_LABEL)
    statements = [
        f"CREATE CONSTRAINT chaingraph_entity_id IF NOT EXISTS "
        f"FOR (n:{ENTITY_LABEL}) REQUIRE n.id IS UNIQUE",
    ]
    if "Company" in model.node_types:
        for prop in ("uscc", "name_key", "legal_name_key"):
            statements.append(
                f"CREATE INDEX chaingraph_company_{prop} IF NOT EXISTS "
                f"FOR (n:Company) ON (n.{prop})"
            )
    return statements


def _check_name(name: str) -> str:
    """A label or type safe to write into a query: from the allowlist and plain ASCII."""
    if not _SAFE_NAME.match(name):
        raise StoreError(f"refusing label or type {name!r}: not a plain identifier")
    return name


# -- connection settings -----------------------------------------------------------


def connection_settings(
    uri: str | None = None,
    user: str | None = None,
    password: str | None = None,
    database: str | None = None,
) -> tuple[str, str, str, str | None]:
    """``(uri, user, password, database)`` from the arguments, else ``NEO4J_*`` variables.

    Raises
    ------
    ConfigError
        No URI or no password.
    """
    uri = uri or os.environ.get("NEO4J_URI")
    if not uri:
        raise ConfigError("no Neo4j server given: pass --neo4j URI or set NEO4J_URI")
    user = user or os.environ.get("NEO4J_USER") or "neo4j"
    password = password if password is not None else os.environ.get("NEO4J_PASSWORD")
    if password is None:
        raise ConfigError(f"no password for Neo4j user {user!r}: set NEO4J_PASSWORD")
    database = database or os.environ.get("NEO4J_DATABASE") or None
    return uri, user, password, database


def redact(uri: str) -> str:
    """The URI without any user or password in it, for messages.

    >>> redact("neo4j+s://neo4j:secret@abc.databases.neo4j.io")
    'neo4j+s://abc.databases.neo4j.io'
    """
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "<unparsable URI>"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _has_credentials(uri: str) -> bool:
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    return bool(parts.username or parts.password)


# -- loading helpers ------------------------------------------------------------------


class _Fresh:
    """Ids a merge creates without reading first, shared by the thread that builds
    rows and the one that writes them; ``generation`` counts the times ids left."""

    def __init__(self, ids: set[str]) -> None:
        self.ids = ids
        self.generation = 0
        self._lock = threading.Lock()

    def discard(self, ids: Iterable[str]) -> None:
        with self._lock:
            # A new set, not changed in place: the other thread may be reading the old one.
            self.ids = self.ids.difference(ids)
            self.generation += 1


class _Written:
    """Rows of the batches written so far, for progress and for messages."""

    def __init__(self, total: int, progress: Callable[[int, int], None] | None) -> None:
        self.total = total
        self.done = 0
        self.progress = progress

        self.batches: list[int] = []

    def add(self, number: int, rows: int) -> None:
        self.batches.append(number)
        self.done += rows
        if self.progress is not None:
            self.progress(self.done, self.total)

    def failed(self, error: StoreError, number: int) -> StoreError:
        """``error`` saying what is written and how to finish the load."""
        done = sorted(self.batches)
        if not done:
            head = "Nothing was written"
        elif done == list(range(1, len(done) + 1)):
            head = f"Batches 1-{len(done)} ({self.done} of {self.total} rows) are written"
        else:
            head = (
                f"Batches {', '.join(map(str, done))} ({self.done} of {self.total} rows) "
                "are written"
            )
        return type(error)(
            f"{error}. {head}; batch {number} is not (each batch is written entirely "
            "or not at all). Run the same load again to finish it: rows already written "
            "are skipped."
        )


@dataclass
class _Prepared:
    """A batch's rows built ahead of its transaction (see :meth:`Neo4jStore._prepare`)."""

    generation: int
    nodes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    relationships: list[dict[str, Any]] = field(default_factory=list)
    ends: list[str] = field(default_factory=list)
    known: list[Any] = field(default_factory=list)


# -- the store ----------------------------------------------------------------------


class Neo4jStore(GraphStore):
    """Chain graph held in a Neo4j server (see the module docstring for the layout).

    Parameters
    ----------
    uri, user, password, database
        Connection; ``None`` reads ``NEO4J_URI``, ``NEO4J_USER`` (default ``neo4j``),
        ``NEO4J_PASSWORD`` and ``NEO4J_DATABASE`` (default: the server's default).
    batch_size
        Rows per write transaction when merging (see ``DEFAULT_BATCH_SIZE``).
    writers
        Sessions writing node batches at once when merging (see ``DEFAULT_WRITERS``;
        relationships are written by one, see :meth:`merge`).
    warm
        Plan every named query (``EXPLAIN``) on opening, so the first analysis does
        not pay for Neo4j's planning (see :meth:`warm`); off for loads and pulls.
    retry_seconds
        How long the driver retries a transaction after transient errors or a lost
        connection before giving up.
    connect_attempts
        Tries to reach the server on opening (with a short back-off between them).
    connection_timeout
        Seconds to wait for one TCP/TLS connection.

    Raises
    ------
    StoreUnavailable
        The server is unreachable or refused the credentials.
    ConfigError
        No URI or password, a malformed URI, or no such database.
    """

    def __init__(
        self,
        uri: str | None = None,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
        *,
        model: Model | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        writers: int = DEFAULT_WRITERS,
        warm: bool = True,
        retry_seconds: float = 30.0,
        connect_attempts: int = 3,
        connection_timeout: float = 10.0,
    ) -> None:
        super().__init__(model)
        if batch_size < 1:
            raise ConfigError("batch size must be at least 1")
        self.uri, self.user, password, self.database = connection_settings(
            uri, user, password, database
        )
        if _has_credentials(self.uri):
            raise ConfigError(
                f"not a usable Neo4j URI {redact(self.uri)!r}: a user or password does not go "
                "in the URI; set NEO4J_USER and NEO4J_PASSWORD"
            )
        if writers < 1:
            raise ConfigError("writers must be at least 1")
        self.batch_size = batch_size
        self.writers = writers
        self.retry_seconds = retry_seconds
        self._schema_ready = False
        self._labels = {t: _check_name(t) for t in self.model.node_types}
        self._rel_types = {t: _check_name(t) for t in self.model.relationship_types}
        try:
            self._driver = neo4j.GraphDatabase.driver(
                self.uri,
                auth=(self.user, password),
                max_transaction_retry_time=retry_seconds,
                connection_timeout=connection_timeout,
                connection_acquisition_timeout=connection_timeout * 2,
                notifications_min_severity="OFF",
                user_agent="chaingraph",
            )
        except (ValueError, neo4j_errors.ConfigurationError) as exc:
            reason = str(exc).replace(self.uri, redact(self.uri))
            raise ConfigError(f"not a usable Neo4j URI {redact(self.uri)!r}: {reason}") from None
        try:
            self._connect(max(1, connect_attempts))
        except BaseException:
            self._driver.close()
            raise
        self.warm_seconds: float | None = None
        if warm:
            self.warm()

    def __repr__(self) -> str:
        return f"Neo4jStore({redact(self.uri)!r}, database={self.database!r})"

    @property
    def where(self) -> str:
        """The server (and database) for messages, without credentials."""
        db = f" (database {self.database})" if self.database else ""
        return f"{redact(self.uri)}{db}"

    def _connect(self, attempts: int) -> None:
        reason = ""
        for attempt in range(1, attempts + 1):
            try:
                with self._driver.session(database=self.database) as session:
                    record = session.run(
                        "CALL dbms.components() YIELD name, versions "
                        "WHERE name = 'Neo4j Kernel' RETURN versions[0] AS version"
                    ).single()
                self._check_version(str(record["version"]) if record else "")
                return
            except neo4j_errors.AuthError:
                raise StoreUnavailable(
                    f"Neo4j at {self.where} refused the credentials of user {self.user!r}; "
                    "check NEO4J_USER and NEO4J_PASSWORD"
                ) from None
            except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError) as exc:
                reason = _reason(exc)
            except neo4j_errors.Neo4jError as exc:
                if "DatabaseNotFound" in str(exc.code):
                    raise ConfigError(
                        f"Neo4j at {redact(self.uri)} has no database {self.database!r}"
                    ) from None
                raise StoreError(f"Neo4j at {self.where}: {_reason(exc)}") from None
            if attempt < attempts:
                time.sleep(min(0.5 * 2 ** (attempt - 1), 4.0))
        raise StoreUnavailable(
            f"cannot reach Neo4j at {self.where} after {attempts} attempt(s) ({reason}); "
            "is the server running and the URI right?"
        )

    def _check_version(self, version: str) -> None:
        """Writes set relationship types from parameters (``CREATE ()-[r:$(type)]->()``),
        which Neo4j has since 5.26 LTS; refuse older servers up front."""
        self.server_version = version
        numbers = tuple(int(x) for x in re.findall(r"\d+", version)[:2])
        if numbers and numbers < MIN_SERVER_VERSION:
            raise StoreError(
                f"Neo4j at {self.where} is version {version}; chaingraph needs "
                f"{'.'.join(map(str, MIN_SERVER_VERSION))} or newer (5.26 LTS, 202x releases, Aura)"
            )

    def close(self) -> None:
        self._driver.close()

    def warm(self) -> float:
        """Plan every named query of ``queries/`` with ``EXPLAIN`` (nothing runs), so
        the plans are cached before the first analysis; seconds taken (also kept in
        ``warm_seconds``).

        Parameters get values of the type the store passes (lists of ids, text, a
        rank), as the plan cache tells plans apart by parameter types. A query that
        fails to plan is left for its first real call to report.
        """
        started = time.perf_counter()
        try:
            with self._session() as session:
                for name in query_names():
                    text = self._query_text(name)
                    params = {p: _SAMPLE.get(p, "") for p in query_parameters(name)}
                    try:
                        session.run(f"EXPLAIN {text}", params).consume()
                    except neo4j_errors.Neo4jError:
                        continue
        except (neo4j_errors.DriverError, neo4j_errors.Neo4jError, OSError):
            pass  # the server went away: the first real call says so
        self.warm_seconds = time.perf_counter() - started
        return self.warm_seconds

    def _query_text(self, name: str) -> str:
        """The text a named query is sent as (packed for the one read packed)."""
        if name == "company_profiles":
            return self._packed_query(name, self._PROFILE_COLUMNS)
        return query(name)

    # -- running queries ------------------------------------------------------------
    def _session(self) -> neo4j.Session:
        return self._driver.session(database=self.database)

    def _guard(self, work: Callable[[], T], doing: str) -> T:
        """Run ``work``, turning driver errors into chaingraph errors."""
        try:
            return work()
        except neo4j_errors.AuthError:
            raise StoreUnavailable(
                f"Neo4j at {self.where} refused the credentials of user {self.user!r} "
                f"while {doing}; check NEO4J_USER and NEO4J_PASSWORD"
            ) from None
        except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired) as exc:
            raise StoreUnavailable(
                f"lost Neo4j at {self.where} while {doing} ({_reason(exc)}; "
                f"retried for up to {self.retry_seconds:g}s)"
            ) from None
        except neo4j_errors.Neo4jError as exc:
            raise StoreError(
                f"Neo4j at {self.where} failed while {doing}: {_reason(exc)}"
            ) from None
        except neo4j_errors.DriverError as exc:
            raise StoreError(
                f"Neo4j at {self.where} failed while {doing}: {_reason(exc)}"
            ) from None

    def _read(self, text: str, doing: str = "reading", **params: Any) -> list[neo4j.Record]:
        def work(tx: neo4j.ManagedTransaction) -> list[neo4j.Record]:
            return list(tx.run(text, params))

        def run() -> list[neo4j.Record]:
            with self._session() as session:
                return session.execute_read(work)

        return self._guard(run, doing)

    def _read_rows(self, text: str, doing: str = "reading", **params: Any) -> list[list[Any]]:
        """The rows of a query that returns them packed in one record: one column
        ``rows``, a list of lists (see :meth:`_records_packed`)."""
        records = self._read(text, doing, **params)
        return list(records[0]["rows"]) if records else []

    def run_query(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run a named query of ``queries/`` (read only) and return its rows as dicts."""
        return [r.data() for r in self._read(query(name), f"running query {name}", **params)]

    def _chunks(self, ids: Iterable[str], size: int = _READ_CHUNK) -> Iterator[list[str]]:
        chunk: list[str] = []
        for node_id in dict.fromkeys(ids):
            chunk.append(node_id)
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    # -- reading ------------------------------------------------------------------
    # ``raw`` (every Neo4j property) is only read when ``props_json`` is missing; sent
    # always, it would carry each record twice.
    _NODE_COLUMNS = (
        "n.id AS id, n.type AS type, n.props_json AS props, "
        "CASE WHEN n.props_json IS NULL THEN properties(n) END AS raw"
    )
    # The same as one list per node, for reads that pack many nodes into one record.
    _NODE_LIST = (
        "[n.id, n.type, n.props_json, CASE WHEN n.props_json IS NULL THEN properties(n) END]"
    )

    def _node(self, record: neo4j.Record) -> Node:
        return Node(
            record["id"],
            record["type"],
            _props_of(record["props"], record["raw"], _NODE_RESERVED, f"node {record['id']!r}"),
        )

    def get(self, node_id: str) -> Node | None:
        rows = self._read(
            f"MATCH (n:{ENTITY_LABEL} {{id: $id}}) RETURN {self._NODE_COLUMNS}", id=node_id
        )
        return self._node(rows[0]) if rows else None

    def get_many(self, node_ids: Iterable[str]) -> dict[str, Node]:
        found: dict[str, Node] = {}
        for chunk in self._chunks(node_ids):
            # One record holding every node: the driver's cost per record is several
            # times the server's cost per node (see _records_packed).
            for node_id, node_type, props, raw in self._read_rows(
                f"UNWIND $ids AS id MATCH (n:{ENTITY_LABEL} {{id: id}}) "
                f"RETURN collect({self._NODE_LIST}) AS rows",
                ids=chunk,
            ):
                found[node_id] = Node(
                    node_id, node_type, _props_of(props, raw, _NODE_RESERVED, f"node {node_id!r}")
                )
        return {i: found[i] for i in dict.fromkeys(node_ids) if i in found}

    def nodes(self, type: str | None = None) -> Iterator[Node]:
        if type is not None and type not in self._labels:
            return
        after = ""
        while True:
            rows = self._read(
                f"MATCH (n:{ENTITY_LABEL}) WHERE n.id > $after "
                "AND ($type IS NULL OR n.type = $type) "
                f"RETURN {self._NODE_COLUMNS} ORDER BY n.id LIMIT $page",
                after=after,
                type=type,
                page=_PAGE,
            )
            for record in rows:
                yield self._node(record)
            if len(rows) < _PAGE:
                return
            after = rows[-1]["id"]

    _REL_COLUMNS = (
        "type(r) AS type, a.id AS source, b.id AS target, r.key AS key, "
        "r.props_json AS props, properties(r) AS raw"
    )
    _REL_ORDER = "ORDER BY source, type, target, key"

    def _relationship(self, record: neo4j.Record) -> Relationship:
        return Relationship(
            record["type"],
            record["source"],
            record["target"],
            record["key"] or "",
            _props_of(
                record["props"],
                record["raw"],
                _REL_RESERVED,
                f"{record['type']} {record['source']!r} -> {record['target']!r}",
            ),
        )

    def relationships(
        self,
        type: str | None = None,
        *,
        source: str | None = None,
        target: str | None = None,
    ) -> Iterator[Relationship]:
        if type is not None and type not in self._rel_types:
            return
        types = [type] if type else list(self._rel_types)
        if source is not None or target is not None:
            a = (
                f"(a:{ENTITY_LABEL} {{id: $source}})"
                if source is not None
                else f"(a:{ENTITY_LABEL})"
            )
            b = (
                f"(b:{ENTITY_LABEL} {{id: $target}})"
                if target is not None
                else f"(b:{ENTITY_LABEL})"
            )
            rows = self._read(
                f"MATCH {a}-[r]->{b} WHERE type(r) IN $types "
                f"RETURN {self._REL_COLUMNS} {self._REL_ORDER}",
                source=source,
                target=target,
                types=types,
            )
            yield from (self._relationship(r) for r in rows)
            return
        if type is not None:
            rel_type = self._rel_types[type]
            for record in self._read(
                f"MATCH (a:{ENTITY_LABEL})-[r:{rel_type}]->(b:{ENTITY_LABEL}) "
                f"RETURN {self._REL_COLUMNS} {self._REL_ORDER}"
            ):
                yield self._relationship(record)
            return
        # Everything: page through source nodes, so no single answer holds the whole graph.
        after = ""
        while True:
            ids = [
                r["id"]
                for r in self._read(
                    f"MATCH (n:{ENTITY_LABEL}) WHERE n.id > $after "
                    "RETURN n.id AS id ORDER BY n.id LIMIT $page",
                    after=after,
                    page=_PAGE,
                )
            ]
            if not ids:
                return
            for record in self._read(
                f"UNWIND $ids AS id MATCH (a:{ENTITY_LABEL} {{id: id}})-[r]->(b:{ENTITY_LABEL}) "
                f"WHERE type(r) IN $types RETURN {self._REL_COLUMNS} {self._REL_ORDER}",
                ids=ids,
                types=types,
            ):
                yield self._relationship(record)
            if len(ids) < _PAGE:
                return
            after = ids[-1]

    def count_nodes(self, type: str | None = None) -> int:
        if type is not None and type not in self._labels:
            return 0
        label = self._labels[type] if type else ENTITY_LABEL
        return int(self._read(f"MATCH (n:{label}) RETURN count(n) AS c")[0]["c"])

    def count_relationships(self, type: str | None = None) -> int:
        if type is not None and type not in self._rel_types:
            return 0
        types = [self._rel_types[type]] if type else list(self._rel_types.values())
        return sum(
            int(self._read(f"MATCH ()-[r:{t}]->() RETURN count(r) AS c")[0]["c"]) for t in types
        )

    def ids_by_name(self, name: str, type: str | None = None) -> list[str]:
        rows = self._read(
            f"MATCH (n:{ENTITY_LABEL}) WHERE $key IN n.lookup_names "
            "AND ($type IS NULL OR n.type = $type) RETURN n.id AS id ORDER BY id",
            key=normalize_text(name).lower(),
            type=type,
        )
        return [r["id"] for r in rows]

    def names(self, type: str | None = None) -> Iterator[tuple[str, str, str]]:
        rows = self._read(
            f"MATCH (n:{ENTITY_LABEL}) WHERE $type IS NULL OR n.type = $type "
            "RETURN n.id AS id, n.type AS type, n.name AS name, n.legal_name AS legal_name, "
            "n.aliases AS aliases ORDER BY id",
            type=type,
        )
        for r in rows:
            for text in (r["name"], r["legal_name"], *(r["aliases"] or ())):
                if text:
                    yield r["id"], r["type"], text

    def company_by_uscc(self, uscc: str) -> str | None:
        rows = self._read(
            "MATCH (n:Company) WHERE n.uscc = $uscc RETURN n.id AS id ORDER BY id LIMIT 1",
            uscc=uscc,
        )
        return rows[0]["id"] if rows else None

    def company_by_name_key(self, key: str) -> str | None:
        rows = self._read(
            "MATCH (n:Company) WHERE n.name_key = $key RETURN n.id AS id "
            "UNION MATCH (n:Company) WHERE n.legal_name_key = $key RETURN n.id AS id",
            key=key,
        )
        # Like the embedded store: a key several companies share names none of them.
        ids = {r["id"] for r in rows}
        return ids.pop() if len(ids) == 1 else None

    # -- aggregates: one named query each ---------------------------------------------
    def _records(self, name: str, **params: Any) -> list[neo4j.Record]:
        """The records of a named query, as the driver gives them.

        Unlike :meth:`run_query` no ``Record.data()`` copy: the aggregate queries return
        plain values only, and copying tens of thousands of ids costs more than the query.
        """
        return self._read(query(name), f"running query {name}", **params)

    def _records_packed(self, name: str, columns: Sequence[str], **params: Any) -> list[list[Any]]:
        """The rows of a named query as lists of ``columns``, in its order, sent back
        packed into one record.

        The query runs unchanged inside ``CALL () { ... }`` and its rows are collected:
        the driver spends tens of microseconds on each record it receives (more than
        the server spends on a firm's profile), a list element costs it next to nothing.
        For queries with many rows per call (company_profiles).
        """
        return self._read_rows(self._packed_query(name, columns), f"running query {name}", **params)

    @staticmethod
    def _packed_query(name: str, columns: Sequence[str]) -> str:
        for column in columns:
            _check_name(column)
        return f"CALL () {{\n{query(name)}\n}}\nRETURN collect([{', '.join(columns)}]) AS rows"

    def evaluated_segments(self, root: str) -> list[str]:
        return [r["segment"] for r in self._records("evaluated_segments", root=root)]

    def focus_priorities(self, base_id: str) -> dict[str, int]:
        rows = self._records("focus_segments", base=base_id)
        return {r["segment"]: int(r["priority"]) for r in rows}

    _PROFILE_COLUMNS = (
        "id", "type", "props", "raw", "places", "hq", "facts", "unverified", "makes", "customers"
    )  # fmt: skip

    def company_facts(self, company_ids: Iterable[str]) -> dict[str, CompanyFacts]:
        found: dict[str, CompanyFacts] = {}
        for chunk in self._chunks(company_ids, 2000):
            for (
                company,
                node_type,
                props,
                raw,
                places,
                hq,
                facts,
                unverified,
                makes,
                customers,
            ) in self._records_packed("company_profiles", self._PROFILE_COLUMNS, ids=chunk):
                found[company] = CompanyFacts(
                    Node(
                        company,
                        node_type,
                        _props_of(props, raw, _NODE_RESERVED, f"node {company!r}"),
                    ),
                    frozenset(places),
                    tuple(Place(p["id"], p["level"], bool(p["gba"]), p["name"]) for p in hq),
                    int(facts),
                    int(unverified),
                    tuple(makes),
                    tuple(customers),
                )
        return {i: found[i] for i in dict.fromkeys(company_ids) if i in found}

    def segment_coverage(
        self,
        segment_ids: Iterable[str],
        area: str,
        leader: LeaderRule = DEFAULT_LEADER_RULE,
    ) -> dict[str, SegmentCoverage]:
        wanted = list(dict.fromkeys(segment_ids))
        rows = self._records(
            "segment_coverage",
            segments=wanted,
            area=area,
            **leader.parameters(),
        )
        found = {}
        for r in rows:
            # The query leaves the local firms unsorted: Python sorts them faster than
            # Neo4j, and its order of text is the reference.
            # [id, name, is leader, 3 × verified + grade of its best fact]
            local = sorted(r["local"], key=itemgetter(0))
            found[r["segment"]] = SegmentCoverage(
                r["segment"],
                r["name"],
                str(r["stage"]),
                float(r["weight"]),
                r["chain"],
                tuple(sorted(r["products"])),
                int(r["makers"]),
                tuple(f[0] for f in local),
                tuple(f[1] for f in local),
                tuple(f[0] for f in local if f[2]),
                int(r["national"]),
                tuple(r["upstream"]),
                tuple(r["downstream"]),
                tuple(int(f[3]) >= 3 for f in local),
                tuple(EVIDENCE_GRADES[int(f[3]) % 3] for f in local),
            )
        return {s: found[s] for s in wanted if s in found}

    def economy_counts(self, area: str) -> EconomyCounts:
        (row,) = self._records("economy_counts", area=area)
        return EconomyCounts(area, int(row["local"]), int(row["national"]), int(row["total"]))

    def leader_inputs(
        self,
        product_ids: Iterable[str],
        area: str,
        leader: LeaderRule = DEFAULT_LEADER_RULE,
    ) -> list[LeaderInput]:
        rows = self._records(
            "local_leader_inputs",
            products=sorted(set(product_ids)),
            area=area,
            **leader.parameters(),
        )
        return [
            LeaderInput(
                r["product"],
                r["product_name"],
                r["input"],
                r["input_name"],
                tuple(r["input_segments"]),
                tuple(sorted(r["leaders"])),
                tuple(sorted(r["leader_names"])),
                int(r["makers"]),
                int(r["local_makers"]),
            )
            for r in rows
        ]

    def local_users(
        self, product_ids: Iterable[str], area: str
    ) -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
        wanted = list(dict.fromkeys(product_ids))
        rows = self._records("local_users", products=wanted, area=area)
        users: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for r in rows:
            held = users.setdefault(r["product"], [])
            if r["user"] is not None:
                held.append((r["user"], tuple(sorted(r["local"]))))
        return {p: tuple(sorted(users[p])) for p in wanted if p in users}

    def segment_candidates(
        self, segment_ids: Iterable[str], area: str
    ) -> dict[str, dict[str, tuple[str, ...]]]:
        wanted = list(dict.fromkeys(segment_ids))
        found: dict[str, dict[str, tuple[str, ...]]] = {s: {} for s in wanted}
        rows = self._records("segment_candidates", segments=wanted, area=area)
        # Products by id within each segment, as the embedded store gives them.
        for r in sorted(rows, key=itemgetter("segment", "product")):
            found[r["segment"]][r["product"]] = tuple(sorted(r["makers"]))
        return found

    def product_supply(self, chain: str | None = None) -> list[ProductSupply]:
        return [
            ProductSupply(r["product"], r["name"], tuple(r["makers"]))
            for r in self._records("chokepoints", chain=chain)
        ]

    def chain_counts(self, home_region: str) -> list[ChainCounts]:
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
            for r in self._records("chain_overview", home=home_region)
        ]

    def base_facts(self) -> list[BaseFacts]:
        return [
            BaseFacts(
                Node(
                    r["id"],
                    r["type"],
                    _props_of(r["props"], r["raw"], _NODE_RESERVED, f"node {r['id']!r}"),
                ),
                tuple(sorted((p, t, n) for p, t, n in r["focus"])),
                tuple(r["regions"]),
                int(r["companies"]),
            )
            for r in self._records("base_overview")
        ]

    # -- writing ------------------------------------------------------------------
    def ensure_schema(self) -> None:
        """Create the uniqueness constraint and indexes if missing (before the first write)."""
        if self._schema_ready:
            return

        def run() -> None:
            with self._session() as session:
                for statement in schema_statements(self.model):
                    session.run(statement).consume()
                session.run("CALL db.awaitIndexes(300)").consume()

        self._guard(run, "creating the constraint and indexes")
        self._schema_ready = True

    def clear(self) -> None:
        """Delete every chaingraph node and relationship (the schema stays), in batches."""

        def work(tx: neo4j.ManagedTransaction) -> int:
            record = tx.run(
                f"MATCH (n:{ENTITY_LABEL}) WITH n LIMIT $limit DETACH DELETE n "
                "RETURN count(*) AS deleted",
                limit=self.batch_size,
            ).single()
            return int(record["deleted"]) if record else 0

        def run() -> None:
            with self._session() as session:
                while session.execute_write(work):
                    pass

        self._guard(run, "clearing the store")

    def merge(
        self,
        nodes: Iterable[Node],
        relationships: Iterable[Relationship],
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> MergeReport:
        """Add or update nodes and relationships in batches (see the module docstring).

        ``progress(done, total)`` is called after each batch with rows written so far.

        Raises
        ------
        DataError
            The input is inconsistent; nothing was written.
        StoreUnavailable
            The server was lost; batches written before stay, the one in flight was
            rolled back, and running the same merge again finishes the load.
        """
        node_list, rel_list = collapse_batch(nodes, relationships)
        stored = self._check(node_list, rel_list)
        self.ensure_schema()
        # Ids the check found nowhere in the store. Their nodes are created without
        # reading first, and so are relationships between two of them: nothing can be
        # stored yet for these. Ids of a batch that turns out to be taken meanwhile (see
        # _write_batch) leave the set.
        fresh = {n.id for n in node_list if n.id not in stored}
        total = len(node_list) + len(rel_list)
        batches: list[tuple[str, list[Any]]] = [
            ("nodes", node_list[i : i + self.batch_size])
            for i in range(0, len(node_list), self.batch_size)
        ] + [
            ("relationships", rel_list[i : i + self.batch_size])
            for i in range(0, len(rel_list), self.batch_size)
        ]
        state = _Fresh(fresh)
        node_batches = [b for b in batches if b[0] == "nodes"]
        rel_batches = [b for b in batches if b[0] == "relationships"]
        written = _Written(total, progress)
        # Nodes first, then relationships (their ends must exist): each phase ends
        # when all its batches are written.
        report = self._write_phase(node_batches, 1, len(batches), state, written, self.writers)
        # One session for relationships: parallel ones deadlock on the hubs (products,
        # regions) that many batches link to, and the retries cost more than they gain.
        report += self._write_phase(
            rel_batches, len(node_batches) + 1, len(batches), state, written, 1
        )
        return report

    def _write_phase(
        self,
        batches: list[tuple[str, list[Any]]],
        first: int,
        count: int,
        state: _Fresh,
        written: _Written,
        writers: int,
    ) -> MergeReport:
        """Write ``batches`` (numbered from ``first`` of ``count``) in up to
        ``writers`` sessions at once.

        One thread builds the rows of the coming batches while the server writes the
        current ones (the driver waits on the socket without holding the GIL), and
        ``writers`` threads each send one batch at a time. The batches of a phase are
        disjoint (collapse_batch), so they never write the same record.
        """
        report = MergeReport()
        if not batches:
            return report
        failure: StoreError | None = None
        failed_batch = 0
        with (
            ThreadPoolExecutor(1, thread_name_prefix="chaingraph-rows") as builder,
            ThreadPoolExecutor(writers, thread_name_prefix="chaingraph-write") as pool,
        ):
            ahead = writers + 1
            built: list[Future[_Prepared]] = [
                builder.submit(self._prepare, *batch, state) for batch in batches[:ahead]
            ]
            running: dict[Future[MergeReport], tuple[int, int]] = {}

            def collect(block: bool) -> None:
                nonlocal report, failure, failed_batch
                if not running:
                    return
                finished, _ = wait(
                    running, timeout=None if block else 0, return_when=FIRST_COMPLETED
                )
                for future in finished:
                    number, size = running.pop(future)
                    try:
                        report += future.result()
                    except StoreError as exc:
                        if failure is None:
                            failure, failed_batch = exc, number
                        continue
                    written.add(number, size)

            for index, (kind, rows) in enumerate(batches):
                while len(running) >= writers:
                    collect(block=True)
                if failure is not None:
                    break
                prepared = built[index].result()
                if index + ahead < len(batches):
                    built.append(builder.submit(self._prepare, *batches[index + ahead], state))
                number = first + index

                def run(
                    kind: str = kind,
                    rows: list[Any] = rows,
                    prepared: _Prepared = prepared,
                    number: int = number,
                ) -> MergeReport:
                    return self._guard(
                        lambda: self._write_batch(kind, rows, state, prepared),
                        f"writing batch {number} of {count} ({kind})",
                    )

                running[pool.submit(run)] = (number, len(rows))
                collect(block=False)
            while running:
                collect(block=True)
            for future in built:
                future.cancel()
        if failure is not None:
            raise written.failed(failure, failed_batch)
        return report

    def _prepare(self, kind: str, rows: list[Any], state: _Fresh) -> _Prepared:
        """The rows to ``CREATE`` for a batch's fresh records (built outside the
        transaction, ahead of it) and the records to read and merge."""
        generation = state.generation
        fresh = state.ids
        prepared = _Prepared(generation)
        if kind == "nodes":
            for node in rows:
                if node.id in fresh:
                    props = merge_props({}, node.props)
                    prepared.nodes.setdefault(node.type, []).append(
                        _node_properties(node.id, node.type, props)
                    )
                else:
                    prepared.known.append(node)
        else:
            # The ends of the fresh relationships are looked up once per batch, not once
            # per row: rows name them by position in ``ends`` (a relationship batch
            # names a few thousand firms and hubs for many more rows; the lookups were
            # most of the server's work).
            position: dict[str, int] = {}
            for rel in rows:
                if rel.source in fresh and rel.target in fresh:
                    prepared.relationships.append(
                        {
                            "type": self._rel_types[rel.type],
                            "s": position.setdefault(rel.source, len(position)),
                            "t": position.setdefault(rel.target, len(position)),
                            "props": _relationship_properties(rel.key, merge_props({}, rel.props)),
                        }
                    )
                else:
                    prepared.known.append(rel)
            prepared.ends = list(position)
        return prepared

    def _write_batch(
        self, kind: str, rows: list[Any], state: _Fresh, prepared: _Prepared
    ) -> MergeReport:
        """One batch in one managed transaction (retried by the driver when transient)."""
        if prepared.generation != state.generation:
            # Ids left the fresh set since these rows were built: build them again.
            prepared = self._prepare(kind, rows, state)
        with self._session() as session:
            if kind == "relationships":
                report: MergeReport = session.execute_write(self._merge_relationships, prepared)
                return report
            try:
                report = session.execute_write(self._merge_nodes, prepared)
            except neo4j_errors.ConstraintError:
                # Someone created one of these ids since the check, so a CREATE broke
                # the uniqueness constraint and the batch rolled back. Write it again
                # reading every row; relationships to these ids are read before
                # writing too.
                state.discard(n.id for n in rows)
                report = session.execute_write(self._merge_nodes, self._prepare(kind, rows, state))
            return report

    def _check(self, nodes: list[Node], relationships: list[Relationship]) -> dict[str, str]:
        """The model's checks of every store (:func:`~chaingraph.store.merging.check_batch`).

        Returns
        -------
        dict
            The type of each id of the input (nodes and ends) already in the store.
        """
        ids = {n.id for n in nodes} | {e for r in relationships for e in (r.source, r.target)}
        stored = self._stored_types(ids)
        check_batch(self.model, nodes, relationships, stored)
        return stored

    def _stored_types(self, ids: Iterable[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in self._chunks(ids, 20_000):
            for r in self._read(
                f"UNWIND $ids AS id MATCH (n:{ENTITY_LABEL} {{id: id}}) "
                "RETURN n.id AS id, n.type AS type",
                "checking the ids to merge",
                ids=chunk,
            ):
                found[r["id"]] = r["type"]
        return found

    def _merge_nodes(self, tx: neo4j.ManagedTransaction, prepared: _Prepared) -> MergeReport:
        """Create the batch's fresh nodes; read, merge and write back the others."""
        # Per label, so the label is in the query text (from the allowlist, checked in
        # _check): CREATE (n:Entity:Company) measured ~10% less server time than
        # adding the label from a parameter (SET n:$(label)).
        report = MergeReport(sum(map(len, prepared.nodes.values())), 0, 0, 0, 0)
        for node_type, rows in prepared.nodes.items():
            tx.run(
                f"UNWIND $rows AS p CREATE (n:{ENTITY_LABEL}:{self._labels[node_type]}) SET n = p",
                rows=rows,
            ).consume()
        if prepared.known:
            report += self._merge_known_nodes(tx, prepared.known)
        return report

    def _merge_known_nodes(self, tx: neo4j.ManagedTransaction, batch: list[Node]) -> MergeReport:
        # Lock the stored nodes first (a write that changes nothing), so a concurrent
        # loader cannot change them between this read and the write below. The whole
        # map of properties comes back only when props_json is missing (_props_of).
        stored = {
            r["id"]: _props_of(r["props"], r["raw"], _NODE_RESERVED, f"node {r['id']!r}")
            for r in tx.run(
                f"UNWIND $ids AS id MATCH (n:{ENTITY_LABEL} {{id: id}}) "
                "SET n._chaingraph_lock = true REMOVE n._chaingraph_lock "
                "RETURN n.id AS id, n.props_json AS props, "
                "CASE WHEN n.props_json IS NULL THEN properties(n) END AS raw",
                ids=[n.id for n in batch],
            )
        }
        created = updated = unchanged = 0
        rows: dict[str, list[dict[str, Any]]] = {}
        for node in batch:
            old = stored.get(node.id)
            props = merge_props(old or {}, node.props)
            if old is None:
                created += 1
            elif props == old:
                unchanged += 1
                continue
            else:
                updated += 1
            rows.setdefault(node.type, []).append(_node_properties(node.id, node.type, props))
        for node_type, group in rows.items():
            # A node stored meanwhile by someone else is merged, not duplicated.
            tx.run(
                f"UNWIND $rows AS p MERGE (n:{ENTITY_LABEL} {{id: p.id}}) "
                f"SET n = p SET n:{self._labels[node_type]}",
                rows=group,
            ).consume()
        return MergeReport(created, updated, 0, 0, unchanged)

    # The stored relationship of a row, reached from its two (locked) ends. Written as a
    # quantified path of length one, which Neo4j always expands from a node: a plain
    # (a)-[r]->(b) planned while the database is empty becomes a scan of every
    # relationship per row, and cached plans outlive the emptiness.
    _STORED_RELATIONSHIP = "(a) (()-[r]->() WHERE type(r) = row.type AND r.key = row.key){1} (b)"
    _ENDS = f"MATCH (a:{ENTITY_LABEL} {{id: row.source}}), (b:{ENTITY_LABEL} {{id: row.target}}) "

    def _relationship_row(self, rel: Relationship, props: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": self._rel_types[rel.type],
            "source": rel.source,
            "target": rel.target,
            "key": rel.key,
            "props": _relationship_properties(rel.key, props),
        }

    def _merge_relationships(
        self, tx: neo4j.ManagedTransaction, prepared: _Prepared
    ) -> MergeReport:
        """Create the relationships between fresh nodes; read, merge and write the others."""
        report = MergeReport(0, 0, len(prepared.relationships), 0, 0)
        if prepared.relationships:
            # One-element lists keep every end at its position (collect drops nulls):
            # an end deleted since the check is a null there, and CREATE then fails
            # (the batch rolls back) rather than skip the row.
            record = tx.run(
                f"UNWIND $ends AS id OPTIONAL MATCH (n:{ENTITY_LABEL} {{id: id}}) "
                "WITH collect([n]) AS nodes "
                "UNWIND $rows AS row WITH nodes[row.s][0] AS a, nodes[row.t][0] AS b, row "
                "CREATE (a)-[r:$(row.type)]->(b) SET r = row.props RETURN count(r) AS n",
                ends=prepared.ends,
                rows=prepared.relationships,
            ).single()
            if record is None or record["n"] != len(prepared.relationships):
                raise StoreError(
                    "Neo4j created fewer relationships than asked for; the batch was rolled back"
                )
        created: list[dict[str, Any]] = []
        if prepared.known:
            report += self._merge_known_relationships(tx, prepared.known, created)
        if created:
            # The type is a parameter checked against the model's allowlist (_check).
            # Unlike labels (_merge_nodes), one query per type measured no cheaper.
            tx.run(
                f"UNWIND $rows AS row {self._ENDS}CREATE (a)-[r:$(row.type)]->(b) SET r = row.props",
                rows=created,
            ).consume()
        return report

    def _merge_known_relationships(
        self, tx: neo4j.ManagedTransaction, batch: list[Relationship], created: list[dict[str, Any]]
    ) -> MergeReport:
        wanted = [
            {"i": i, "type": self._rel_types[r.type], "source": r.source, "target": r.target,
             "key": r.key}
            for i, r in enumerate(batch)
        ]  # fmt: skip
        stored: dict[int, dict[str, Any]] = {}
        # Lock both ends first (see _merge_known_nodes), then read what is stored.
        for record in tx.run(
            f"UNWIND $rows AS row {self._ENDS}"
            "SET a._chaingraph_lock = true REMOVE a._chaingraph_lock "
            "SET b._chaingraph_lock = true REMOVE b._chaingraph_lock "
            "WITH row, a, b "
            f"OPTIONAL MATCH {self._STORED_RELATIONSHIP} "
            "RETURN row.i AS i, r[0].props_json AS props, "
            "CASE WHEN r IS NULL THEN null WHEN r[0].props_json IS NULL THEN properties(r[0]) "
            "ELSE {} END AS raw",
            rows=wanted,
        ):
            if record["raw"] is not None:
                rel = batch[record["i"]]
                stored[record["i"]] = _props_of(
                    record["props"],
                    record["raw"],
                    _REL_RESERVED,
                    f"{rel.type} {rel.source!r} -> {rel.target!r}",
                )
        changed: list[dict[str, Any]] = []
        added = unchanged = 0
        for i, rel in enumerate(batch):
            old = stored.get(i)
            props = merge_props(old or {}, rel.props)
            if old is not None and props == old:
                unchanged += 1
            elif old is None:
                # The ends are locked and nothing matched: CREATE cannot make a duplicate.
                created.append(self._relationship_row(rel, props))
                added += 1
            else:
                changed.append(self._relationship_row(rel, props))
        if changed:
            tx.run(
                f"UNWIND $rows AS row {self._ENDS}MATCH {self._STORED_RELATIONSHIP} "
                "WITH row, r[0] AS stored SET stored = row.props",
                rows=changed,
            ).consume()
        return MergeReport(0, 0, added, len(changed), unchanged)


def _reason(exc: BaseException) -> str:
    """A one-line reason from a driver error (never the credentials, which it never holds)."""
    if isinstance(exc, neo4j_errors.Neo4jError):
        message = f"{exc.message or ''} [{exc.code}]"
    else:
        message = str(exc) or type(exc).__name__
    return " ".join(message.split())[:300]
