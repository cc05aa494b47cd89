"""A node and its direct neighbours, for ``chaingraph show``."""

from __future__ import annotations

from dataclasses import dataclass

from chaingraph.model import Node
from chaingraph.store.base import GraphStore

__all__ = ["Neighbour", "Neighbourhood", "neighbourhood"]

_DETAIL_KEYS = ("role", "product", "priority", "cost_share", "source", "as_of")


@dataclass(frozen=True)
class Neighbour:
    """One relationship seen from the node: direction (``->`` out, ``<-`` in) and the other end."""

    direction: str
    relationship: str
    id: str
    type: str
    name: str
    detail: str


@dataclass(frozen=True)
class Neighbourhood:
    node: Node
    neighbours: tuple[Neighbour, ...]


def neighbourhood(store: GraphStore, name: str, type: str | None = None) -> Neighbourhood:
    """The node ``name`` refers to (id, name or alias; fuzzy suggestions if none) and its neighbours.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> view = neighbourhood(tiny_store(), "谐波减速器")
    >>> [(n.direction, n.relationship, n.name) for n in view.neighbours]
    [('->', 'INPUT_TO', '工业机器人'), ('->', 'IN_SEGMENT', '减速器'), ('<-', 'MAKES', '苏减速')]
    """
    node = store.require(name, type)
    rows = []
    for rel in store.relationships(source=node.id):
        rows.append(_row("->", rel.type, rel.target, rel.props, store))
    for rel in store.relationships(target=node.id):
        rows.append(_row("<-", rel.type, rel.source, rel.props, store))
    rows.sort(key=lambda r: (r.direction != "->", r.relationship, r.id))
    return Neighbourhood(node, tuple(rows))


def _row(direction: str, rel_type: str, other: str, props: dict, store: GraphStore) -> Neighbour:
    node = store.get(other)
    detail = ", ".join(f"{k}={props[k]}" for k in _DETAIL_KEYS if props.get(k) is not None)
    return Neighbour(
        direction, rel_type, other, node.type if node else "?", node.name if node else other, detail
    )
