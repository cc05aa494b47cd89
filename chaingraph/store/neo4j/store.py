"""The Neo4j engine's store: the chain graph in a Neo4j server, a cluster or Aura.

For data that outgrows one process, or one graph a team shares. :class:`Neo4jStore`
implements the contract of :class:`~chaingraph.store.base.GraphStore` over one
:class:`~chaingraph.store.neo4j.connection.Connection`: the basic reads are here, each
aggregate read is one named query of ``queries/``
(:mod:`~chaingraph.store.neo4j.aggregates`), writing is a
:class:`~chaingraph.store.neo4j.merge.BatchedMerge`, and how records are laid out in
Neo4j is :mod:`~chaingraph.store.neo4j.encoding`. :func:`open_store` opens it with the
settings the command line uses (:meth:`~chaingraph.store.neo4j.connection.Neo4jSettings.from_env`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from chaingraph.optional import missing

try:
    import neo4j
except ImportError as exc:  # pragma: no cover - only without the [neo4j] extra
    raise missing("neo4j") from exc

from chaingraph.collector import collector_paused
from chaingraph.errors import ConfigError, StoreError
from chaingraph.model import Model, Node, Relationship
from chaingraph.names import normalize_text
from chaingraph.queries import query
from chaingraph.store.base import (
    DEFAULT_LEADER_RULE,
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
from chaingraph.store.candidates import CandidatePage, MakerClass
from chaingraph.store.neo4j import aggregates, candidates, derived
from chaingraph.store.neo4j.connection import Connection, Neo4jSettings, chunked, redact
from chaingraph.store.neo4j.encoding import (
    ENTITY_LABEL,
    REL_RESERVED,
    checked_names,
    decode_node,
    decode_props,
)
from chaingraph.store.neo4j.first_load import FirstLoad, quick_handoffs
from chaingraph.store.neo4j.housekeeping import create_schema, delete_all
from chaingraph.store.neo4j.merge import DEFAULT_BATCH_SIZE, DEFAULT_WRITERS, BatchedMerge
from chaingraph.store.neo4j.record_reads import (
    NODE_COLUMNS,
    NODE_LIST,
    PAGE,
    REL_COLUMNS,
    REL_ORDER,
    nodes_text,
)
from chaingraph.store.records import RecordBasics

__all__ = ["Neo4jStore", "open_store"]


def open_store(
    uri: str | None = None,
    database: str | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    warm: bool = True,
    prompt: Callable[[str], str] | None = None,
) -> Neo4jStore:
    """The Neo4j store the command line opens: settings from the arguments, the
    environment, the Neo4j config file or ``prompt`` (see
    :meth:`~chaingraph.store.neo4j.connection.Neo4jSettings.from_env`); the named queries
    planned on opening unless ``warm`` is off or ``CHAINGRAPH_NEO4J_NO_WARM`` is set.

    Raises
    ------
    ConfigError
        Missing or unusable settings.
    StoreUnavailable
        The server is unreachable or refused the credentials.
    """
    settings = Neo4jSettings.from_env(uri, database=database, config_file=True, prompt=prompt)
    return Neo4jStore(
        settings.uri,
        settings.user,
        settings.password,
        settings.database,
        batch_size=batch_size,
        warm=warm and settings.warm,
    )


class Neo4jStore(GraphStore):
    """Chain graph held in a Neo4j server (see :mod:`chaingraph.store.neo4j`).

    Parameters
    ----------
    uri, user, password, database
        Connection; ``None`` reads ``NEO4J_URI``, ``NEO4J_USER`` (default ``neo4j``),
        ``NEO4J_PASSWORD`` and ``NEO4J_DATABASE`` (default: the server's default).
    batch_size
        Rows per write transaction when merging (see ``DEFAULT_BATCH_SIZE``).
    writers
        Sessions writing batches at once when merging (see ``DEFAULT_WRITERS`` and
        :mod:`~chaingraph.store.neo4j.merge`).
    warm
        Plan every named query (``EXPLAIN``) on opening, so the first analysis does
        not pay for Neo4j's planning (see :meth:`warm`); off for loads and pulls.
    retry_seconds, connect_attempts, connection_timeout
        See :class:`~chaingraph.store.neo4j.connection.Connection`.

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
        settings = Neo4jSettings.from_env(uri, user, password, database)
        if writers < 1:
            raise ConfigError("writers must be at least 1")
        self.settings = settings
        self.batch_size = batch_size
        self.writers = writers
        self._schema_ready = False
        self._labels = checked_names(self.model.node_types)
        self._rel_types = checked_names(self.model.relationship_types)
        self.connection = Connection(
            settings,
            retry_seconds=retry_seconds,
            connect_attempts=connect_attempts,
            connection_timeout=connection_timeout,
        )
        self.warm_seconds: float | None = None
        self.derive_seconds: float | None = None
        # how the last merge brought the derived figures up to date (see merge)
        self.derive_outcome: str | None = None
        self._scope = threading.local()  # one_analysis: depth, whether fresh() checked
        if warm:
            self.warm()

    def __repr__(self) -> str:
        return f"Neo4jStore({redact(self.settings.uri)!r}, database={self.settings.database!r})"

    @property
    def where(self) -> str:
        """The server (and database) for messages, without credentials."""
        return self.settings.where

    @property
    def server_version(self) -> str:
        """The Neo4j version the server reported on opening."""
        return self.connection.server_version

    def close(self) -> None:
        self.connection.close()

    def warm(self) -> float:
        """Bring the figures the gap queries read up to date if they are not (see
        :meth:`refresh_derived`), then plan every named query of ``queries/`` with
        ``EXPLAIN`` (nothing runs), so the plans are cached before the first analysis;
        seconds taken by the planning (also kept in ``warm_seconds``)."""
        self.fresh()
        self.warm_seconds = self.connection.warm(aggregates.planned_queries())
        self.warm_seconds += self._rehearse()
        return self.warm_seconds

    def _rehearse(self) -> float:
        """Run the queries a first ``gaps`` or ``targets`` sends once, on ids that match
        nothing (:func:`~chaingraph.store.neo4j.aggregates.rehearsed_queries`, and the
        node reads by id and by type), so their first real call finds them compiled;
        seconds. A failure is left for the real call to report."""
        from neo4j import exceptions as errors

        started = time.perf_counter()
        nothing = "region:cg-none"
        texts = [*aggregates.rehearsed_queries()]
        texts += [
            (nodes_text(self._labels[t]), {"after": "\U0010ffff", "type": t, "page": PAGE})
            for t in ("Region", "Base", "Segment", "Chain")
        ]
        try:
            with self.connection.session() as session:
                for text, params in texts:
                    try:
                        session.run(text, params).consume()
                    except errors.Neo4jError:
                        continue
            self.get(nothing)
            self.get_many([nothing])
            list(self.relationships("FOCUSES_ON", source=nothing))
        except (errors.DriverError, errors.Neo4jError, OSError, StoreError):
            pass
        return time.perf_counter() - started

    def fresh(self) -> None:
        """Make sure the figures the gap and target queries read
        (:mod:`~chaingraph.store.neo4j.derived`) match the data: a check of two counts,
        and a full :meth:`refresh_derived` when the database was written some other way
        than :meth:`merge` (a bulk import, another tool) or by an older version. Inside
        :meth:`one_analysis`, only the first call of the thread checks."""
        scope = self._scope
        if getattr(scope, "checked", False):
            return
        started = time.perf_counter()
        if derived.ensure_fresh(self.connection):
            self.derive_seconds = time.perf_counter() - started
        if getattr(scope, "depth", 0):
            scope.checked = True

    @contextmanager
    def one_analysis(self) -> Iterator[None]:
        """The derived figures checked once for the block (:meth:`fresh`), per thread."""
        scope = self._scope
        scope.depth = getattr(scope, "depth", 0) + 1
        try:
            yield
        finally:
            scope.depth -= 1
            if not scope.depth:
                scope.checked = False

    def refresh_derived(self) -> float:
        """Recompute every figure the gap and target queries read (after a bulk import,
        say; opening a store or the next analysis does it too when needed); seconds."""
        started = time.perf_counter()
        derived.refresh(self.connection)
        self.derive_seconds = time.perf_counter() - started
        return self.derive_seconds

    def run_query(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run a named query of ``queries/`` (read only) and return its rows as dicts."""
        records = self.connection.read(query(name), f"running query {name}", **params)
        return [r.data() for r in records]

    # -- basic reads -------------------------------------------------------------------
    def _read(self, text: str, **params: Any) -> list[neo4j.Record]:
        return self.connection.read(text, "reading", **params)

    @staticmethod
    def _node(record: neo4j.Record) -> Node:
        return decode_node(record["id"], record["type"], record["props"], record["raw"])

    def get(self, node_id: str) -> Node | None:
        rows = self._read(f"MATCH (n:{ENTITY_LABEL} {{id: $id}}) RETURN {NODE_COLUMNS}", id=node_id)
        return self._node(rows[0]) if rows else None

    def get_many(self, node_ids: Iterable[str]) -> dict[str, Node]:
        found: dict[str, Node] = {}
        for chunk in chunked(node_ids):
            # One record holding every node: the driver's cost per record is several
            # times the server's cost per node (see Connection.read_rows).
            for node_id, node_type, props, raw in self.connection.read_rows(
                f"UNWIND $ids AS id MATCH (n:{ENTITY_LABEL} {{id: id}}) "
                f"RETURN collect({NODE_LIST}) AS rows",
                ids=chunk,
            ):
                found[node_id] = decode_node(node_id, node_type, props, raw)
        return {i: found[i] for i in dict.fromkeys(node_ids) if i in found}

    def nodes(self, type: str | None = None) -> Iterator[Node]:
        if type is not None and type not in self._labels:
            return
        # A type other than Company is a few thousand nodes at most: found through its
        # label (else every firm's type would be read); companies and every node are
        # paged in the order of the id index.
        label = self._labels[type] if type not in (None, "Company") else ENTITY_LABEL
        after = ""
        while True:
            rows = self._read(nodes_text(label), after=after, type=type, page=PAGE)
            for record in rows:
                yield self._node(record)
            if len(rows) < PAGE:
                return
            after = rows[-1]["id"]

    @staticmethod
    def _relationship(record: neo4j.Record) -> Relationship:
        return Relationship(
            record["type"],
            record["source"],
            record["target"],
            record["key"] or "",
            decode_props(
                record["props"],
                record["raw"],
                REL_RESERVED,
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
                f"MATCH {a}-[r]->{b} WHERE type(r) IN $types RETURN {REL_COLUMNS} {REL_ORDER}",
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
                f"RETURN {REL_COLUMNS} {REL_ORDER}"
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
                    page=PAGE,
                )
            ]
            if not ids:
                return
            for record in self._read(
                f"UNWIND $ids AS id MATCH (a:{ENTITY_LABEL} {{id: id}})-[r]->(b:{ENTITY_LABEL}) "
                f"WHERE type(r) IN $types RETURN {REL_COLUMNS} {REL_ORDER}",
                ids=ids,
                types=types,
            ):
                yield self._relationship(record)
            if len(ids) < PAGE:
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

    # -- aggregates: one named query each (chaingraph.store.neo4j.aggregates) ------------
    def place_ancestors(self, place_id: str) -> list[str]:
        return aggregates.place_ancestors(self.connection, place_id)

    def chain_of(self, segment_id: str) -> str:
        return aggregates.chain_of(self.connection, segment_id)

    def company_sites(self, company_id: str) -> frozenset[str]:
        return aggregates.company_sites(self.connection, company_id)

    def evaluated_segments(self, root: str) -> list[str]:
        return aggregates.evaluated_segments(self.connection, root)

    def focus_priorities(self, base_id: str) -> dict[str, int]:
        return aggregates.focus_priorities(self.connection, base_id)

    def company_facts(self, company_ids: Iterable[str]) -> dict[str, CompanyFacts]:
        return aggregates.company_facts(self.connection, company_ids)

    def segment_coverage(
        self,
        segment_ids: Iterable[str],
        area: str,
        leader: LeaderRule = DEFAULT_LEADER_RULE,
        *,
        names: bool = True,
    ) -> dict[str, SegmentCoverage]:
        self.fresh()
        return aggregates.segment_coverage(self.connection, segment_ids, area, leader, names=names)

    def ring_makers(
        self, segment_ids: Iterable[str], rings: Sequence[Sequence[str]]
    ) -> dict[str, tuple[int, ...]]:
        self.fresh()
        return aggregates.ring_makers(self.connection, segment_ids, rings)

    def economy_counts(self, area: str) -> EconomyCounts:
        self.fresh()
        return aggregates.economy_counts(self.connection, area)

    def leader_inputs(
        self, product_ids: Iterable[str], area: str, leader: LeaderRule = DEFAULT_LEADER_RULE
    ) -> list[LeaderInput]:
        self.fresh()
        return aggregates.leader_inputs(self.connection, product_ids, area, leader)

    def local_users(
        self, product_ids: Iterable[str], area: str
    ) -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
        self.fresh()
        return aggregates.local_users(self.connection, product_ids, area)

    def segment_candidates(
        self, segment_ids: Iterable[str], area: str
    ) -> dict[str, dict[str, tuple[str, ...]]]:
        self.fresh()
        return aggregates.segment_candidates(self.connection, segment_ids, area)

    def node_names(self, node_ids: Iterable[str]) -> dict[str, str]:
        return aggregates.node_names(self.connection, node_ids)

    def candidate_classes(
        self, segment_ids: Iterable[str]
    ) -> dict[str, dict[str, tuple[MakerClass, ...]]]:
        self.fresh()
        return candidates.read_classes(self.connection, segment_ids)

    def candidate_pages(
        self, wanted: Iterable[tuple[str, str, int]]
    ) -> dict[tuple[str, str, int], CandidatePage]:
        # the classes were read (and the figures checked) just before, by the same search
        return candidates.read_pages(self.connection, wanted)

    def revenue_shares(self, company_ids: Iterable[str]) -> dict[str, dict[str, float]]:
        return aggregates.revenue_shares(self.connection, company_ids)

    def makes_facts(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Relationship]:
        return aggregates.makes_facts(self.connection, pairs)

    def record_basics(self, company_ids: Sequence[str]) -> RecordBasics:
        return aggregates.record_basics(self.connection, company_ids)

    def product_supply(self, chain: str | None = None) -> list[ProductSupply]:
        return aggregates.product_supply(self.connection, chain)

    def chain_counts(self, home_region: str) -> list[ChainCounts]:
        return aggregates.chain_counts(self.connection, home_region)

    def base_facts(self) -> list[BaseFacts]:
        return aggregates.base_facts(self.connection)

    # -- writing (chaingraph.store.neo4j.merge) ------------------------------------------
    def ensure_schema(self, *, derive: bool = False) -> None:
        """Create the uniqueness constraint and indexes if missing (before the first
        write); with ``derive``, then bring the figures the gap queries read up to date
        (:meth:`fresh`: after a bulk import, say)."""
        if not self._schema_ready:
            create_schema(self.connection, self.model)
            self._schema_ready = True
        if derive:
            self.fresh()

    def clear(self) -> None:
        """Delete every chaingraph node and relationship (the schema stays), in batches."""
        delete_all(self.connection, self.batch_size)
        derived.refresh(self.connection)

    # Rows and figures by the hundred thousand, without a cycle among them: a collection
    # would only visit them, again and again (issue 22: 1 s of 20 at 100k).
    @collector_paused()
    def merge(
        self,
        nodes: Iterable[Node],
        relationships: Iterable[Relationship],
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> MergeReport:
        """Add or update nodes and relationships in batches (see
        :mod:`~chaingraph.store.neo4j.merge`), then bring the derived figures up to date
        (:mod:`~chaingraph.store.neo4j.derived`; a first load's computed from its input
        meanwhile, :mod:`~chaingraph.store.neo4j.first_load`; ``derive_outcome`` says how).

        ``progress(done, total)`` is called after each batch with rows written so far.

        Raises
        ------
        DataError
            The input is inconsistent; nothing was written.
        StoreUnavailable
            The server was lost; batches written before stay, the one in flight was
            rolled back, and running the same merge again finishes the load.
        """
        load = BatchedMerge(self.connection, self.model, nodes, relationships)
        self.ensure_schema()
        fresh = derived.is_fresh(self.connection)
        first = FirstLoad.start(self.connection, load)  # into an empty database
        try:
            with quick_handoffs(first is not None):
                report = load.write(
                    batch_size=self.batch_size, writers=self.writers, progress=progress
                )
        except BaseException:
            if first is not None:
                first.cancel()
            raise
        if report.changed or not fresh:
            started = time.perf_counter()
            if first is None or not first.finish(self.connection):
                # What the gap queries read, for what this merge touched (everything
                # when it was not up to date before).
                touched = derived.Touched.of(load.nodes, load.relationships) if fresh else None
                derived.refresh(self.connection, touched)
            self.derive_outcome = first.outcome if first is not None else "refreshed"
            self.derive_seconds = time.perf_counter() - started
        elif first is not None:
            first.cancel()
        return report
