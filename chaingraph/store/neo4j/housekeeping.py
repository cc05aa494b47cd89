"""Neo4j housekeeping outside a merge: creating the schema, clearing a database.

Kept apart from :mod:`chaingraph.store.neo4j.merge` (the batched writer) because
neither touches a merge's rows: :class:`~chaingraph.store.neo4j.store.Neo4jStore`
calls them when it opens a store and when it is cleared.
"""

from __future__ import annotations

from chaingraph.optional import missing

try:
    import neo4j
except ImportError as exc:  # pragma: no cover - only without the [neo4j] extra
    raise missing("neo4j") from exc

from chaingraph.model import Model
from chaingraph.store.neo4j.connection import Connection
from chaingraph.store.neo4j.encoding import ENTITY_LABEL, schema_statements

__all__ = ["create_schema", "delete_all"]


def create_schema(conn: Connection, model: Model) -> None:
    """Create the uniqueness constraint and indexes if missing, and wait until online."""

    def run() -> None:
        with conn.session() as session:
            for statement in schema_statements(model):
                session.run(statement).consume()
            session.run("CALL db.awaitIndexes(300)").consume()

    conn.guard(run, "creating the constraint and indexes")


def delete_all(conn: Connection, batch_size: int) -> None:
    """Delete every chaingraph node and relationship (the schema stays), ``batch_size``
    nodes per transaction."""

    def work(tx: neo4j.ManagedTransaction) -> int:
        record = tx.run(
            f"MATCH (n:{ENTITY_LABEL}) WITH n LIMIT $limit DETACH DELETE n "
            "RETURN count(*) AS deleted",
            limit=batch_size,
        ).single()
        return int(record["deleted"]) if record else 0

    def run() -> None:
        with conn.session() as session:
            while session.execute_write(work):
                pass

    conn.guard(run, "clearing the store")
