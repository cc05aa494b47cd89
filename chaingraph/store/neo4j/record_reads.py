"""The Cypher text of the store's record reads (nodes and relationships as stored).

Records are decoded by :mod:`~chaingraph.store.neo4j.encoding`; these columns are what
:class:`~chaingraph.store.neo4j.store.Neo4jStore` reads for them.
"""

from __future__ import annotations

__all__ = ["NODE_COLUMNS", "NODE_LIST", "PAGE", "REL_COLUMNS", "REL_ORDER", "nodes_text"]

PAGE = 5000  # records a page read
# ``raw`` (every Neo4j property) is only read when ``props_json`` is missing; sent
# always, it would carry each record twice.
NODE_COLUMNS = (
    "n.id AS id, n.type AS type, n.props_json AS props, "
    "CASE WHEN n.props_json IS NULL THEN properties(n) END AS raw"
)
# The same as one list per node, for reads that pack many nodes into one record.
NODE_LIST = "[n.id, n.type, n.props_json, CASE WHEN n.props_json IS NULL THEN properties(n) END]"
REL_COLUMNS = (
    "type(r) AS type, a.id AS source, b.id AS target, coalesce(r.key, '') AS key, "
    "r.props_json AS props, properties(r) AS raw"
)
REL_ORDER = "ORDER BY source, type, target, key"


def nodes_text(label: str) -> str:
    """The read of one page of nodes of a label (by id, after ``$after``)."""
    return (
        f"MATCH (n:{label}) WHERE n.id > $after "
        "AND ($type IS NULL OR n.type = $type) "
        f"RETURN {NODE_COLUMNS} ORDER BY n.id LIMIT $page"
    )
