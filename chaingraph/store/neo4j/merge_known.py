"""Writing records that may be stored already: lock, read, merge in Python, write back.

The careful half of :class:`~chaingraph.store.neo4j.merge.BatchedMerge`: a batch's
records whose ids were stored before the merge (or all of a batch written again after a
lost commit). Each function runs inside the batch's transaction: it locks the stored
records first (a write that changes nothing), so a concurrent loader cannot change them
between the read and the write; reads what is stored; computes the merged properties
with :func:`~chaingraph.store.merging.merge_props`, exactly like the embedded engine;
and writes only the records that change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chaingraph.model import Node, Relationship
from chaingraph.store.base import MergeReport
from chaingraph.store.merging import merge_props
from chaingraph.store.neo4j.encoding import (
    ENTITY_LABEL,
    NODE_RESERVED,
    REL_RESERVED,
    decode_props,
    encode_node,
    encode_relationship,
)

if TYPE_CHECKING:
    import neo4j

__all__ = ["create_relationships", "merge_known_nodes", "merge_known_relationships"]

# The stored relationship of a row, reached from its two (locked) ends. Written as a
# quantified path of length one, which Neo4j always expands from a node: a plain
# (a)-[r]->(b) planned while the database is empty becomes a scan of every
# relationship per row, and cached plans outlive the emptiness.
# No key stored is the empty key (encode_relationship).
_STORED_RELATIONSHIP = (
    "(a) (()-[r]->() WHERE type(r) = row.type AND coalesce(r.key, '') = row.key){1} (b)"
)
_ENDS = f"MATCH (a:{ENTITY_LABEL} {{id: row.source}}), (b:{ENTITY_LABEL} {{id: row.target}}) "


def merge_known_nodes(
    tx: neo4j.ManagedTransaction, batch: list[Node], labels: dict[str, str]
) -> MergeReport:
    """Merge ``batch`` into what is stored for its ids (``labels``: the allowlist of
    node labels, by node type)."""
    # The whole map of properties comes back only when props_json is missing (decode_props).
    stored = {
        r["id"]: decode_props(r["props"], r["raw"], NODE_RESERVED, f"node {r['id']!r}")
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
        rows.setdefault(node.type, []).append(encode_node(node.id, node.type, props))
    for node_type, group in rows.items():
        # A node stored meanwhile by someone else is merged, not duplicated.
        tx.run(
            f"UNWIND $rows AS p MERGE (n:{ENTITY_LABEL} {{id: p.id}}) "
            f"SET n = p SET n:{labels[node_type]}",
            rows=group,
        ).consume()
    return MergeReport(created, updated, 0, 0, unchanged)


def merge_known_relationships(
    tx: neo4j.ManagedTransaction,
    batch: list[Relationship],
    rel_types: dict[str, str],
    created: list[dict[str, Any]],
) -> MergeReport:
    """Merge ``batch`` into what is stored between its (locked) ends and update the
    changed ones; the rows of relationships not stored are appended to ``created``, for
    :func:`create_relationships` (``rel_types``: the allowlist, by type)."""
    wanted = [
        {"i": i, "type": rel_types[r.type], "source": r.source, "target": r.target,
         "key": r.key}
        for i, r in enumerate(batch)
    ]  # fmt: skip
    stored: dict[int, dict[str, Any]] = {}
    # Lock both ends first (see merge_known_nodes), then read what is stored.
    for record in tx.run(
        f"UNWIND $rows AS row {_ENDS}"
        "SET a._chaingraph_lock = true REMOVE a._chaingraph_lock "
        "SET b._chaingraph_lock = true REMOVE b._chaingraph_lock "
        "WITH row, a, b "
        f"OPTIONAL MATCH {_STORED_RELATIONSHIP} "
        "RETURN row.i AS i, r[0].props_json AS props, "
        "CASE WHEN r IS NULL THEN null WHEN r[0].props_json IS NULL THEN properties(r[0]) "
        "ELSE {} END AS raw",
        rows=wanted,
    ):
        if record["raw"] is not None:
            rel = batch[record["i"]]
            stored[record["i"]] = decode_props(
                record["props"],
                record["raw"],
                REL_RESERVED,
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
            created.append(_row(rel, props, rel_types))
            added += 1
        else:
            changed.append(_row(rel, props, rel_types))
    if changed:
        tx.run(
            f"UNWIND $rows AS row {_ENDS}MATCH {_STORED_RELATIONSHIP} "
            "WITH row, r[0] AS stored SET stored = row.props",
            rows=changed,
        ).consume()
    return MergeReport(0, 0, added, len(changed), unchanged)


def create_relationships(tx: neo4j.ManagedTransaction, rows: list[dict[str, Any]]) -> None:
    """Create the relationships :func:`merge_known_relationships` found missing."""
    # The type is a parameter checked against the model's allowlist (check_batch).
    # Unlike labels (merge_known_nodes), one query per type measured no cheaper.
    tx.run(
        f"UNWIND $rows AS row {_ENDS}CREATE (a)-[r:$(row.type)]->(b) SET r += row.props",
        rows=rows,
    ).consume()


def _row(rel: Relationship, props: dict[str, Any], rel_types: dict[str, str]) -> dict[str, Any]:
    return {
        "type": rel_types[rel.type],
        "source": rel.source,
        "target": rel.target,
        "key": rel.key,
        "props": encode_relationship(rel.key, props),
    }
