"""A node and its direct neighbours, for ``chaingraph show``."""

from __future__ import annotations

from dataclasses import dataclass

from chaingraph.errors import Ambiguous
from chaingraph.model import Node
from chaingraph.store.base import GraphStore

__all__ = ["Neighbour", "Neighbourhood", "neighbourhood"]

_PREFERENCE = ("prod:", "seg:", "chain:", "co:", "base:", "region:")
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
    """A node, its neighbours, and other nodes of the same name (if the name was ambiguous)."""

    node: Node
    neighbours: tuple[Neighbour, ...]
    same_name: tuple[str, ...] = ()


def neighbourhood(store: GraphStore, name: str, type: str | None = None) -> Neighbourhood:
    """The node ``name`` refers to (id, name or alias; fuzzy suggestions if none) and its neighbours.

    Parameters
    ----------
    store
        The graph.
    name
        An id, name or alias.
    type
        Only nodes of this type (e.g. ``"Product"``); any type when None.

    Returns
    -------
    Neighbourhood
        The node, every relationship in and out of it (outgoing first, by type, then
        the other end's id), and the other nodes of the same name when it was
        ambiguous (the most specific one is shown: product before segment, chain,
        company, base and region).

    Raises
    ------
    NotFound
        When no node has this id, name or alias (with near names).

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> view = neighbourhood(tiny_store(), "谐波减速器")
    >>> [(n.direction, n.relationship, n.name) for n in view.neighbours]
    [('->', 'INPUT_TO', '工业机器人'), ('->', 'IN_SEGMENT', '减速器'), ('<-', 'MAKES', '苏减速')]
    >>> neighbourhood(tiny_store(), "谐波减速")
    Traceback (most recent call last):
    ...
    chaingraph.errors.NotFound: no node named '谐波减速'; did you mean: 谐波减速器 (prod:harmonic-reducer), 苏减速 (co:sz-reducer), 减速器 (seg:robot.parts.reducer)?
    """
    try:
        node = store.require(name, type)
        others: tuple[str, ...] = ()
    except Ambiguous as exc:
        # A product and its segment often share a name (工业机器人): show the most
        # specific node and name the others.
        ranked = sorted(exc.ids, key=lambda i: (_PREFERENCE.index(i.split(":")[0] + ":"), i))
        found = store.get(ranked[0])
        assert found is not None
        node, others = found, tuple(ranked[1:])
    rows = []
    for rel in store.relationships(source=node.id):
        rows.append(_row("->", rel.type, rel.target, rel.props, store))
    for rel in store.relationships(target=node.id):
        rows.append(_row("<-", rel.type, rel.source, rel.props, store))
    rows.sort(key=lambda r: (r.direction != "->", r.relationship, r.id))
    return Neighbourhood(node, tuple(rows), others)


def _row(direction: str, rel_type: str, other: str, props: dict, store: GraphStore) -> Neighbour:
    node = store.get(other)
    detail = ", ".join(f"{k}={props[k]}" for k in _DETAIL_KEYS if props.get(k) is not None)
    return Neighbour(
        direction, rel_type, other, node.type if node else "?", node.name if node else other, detail
    )
