"""What every store does with a batch before and while writing it: check it against the
model (:func:`check_batch`, the one validation both engines run) and combine incoming
properties with stored ones."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar

from chaingraph.errors import DataError, Issue
from chaingraph.model import ID_PATTERN, Model, Node, Relationship

__all__ = ["SET_VALUED", "check_batch", "collapse_batch", "merge_props", "reference_problems"]

# Properties that accumulate (ordered sets) instead of being overwritten.
SET_VALUED = frozenset({"aliases", "tags"})


def merge_props(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """Combine stored ``old`` with incoming ``new`` properties.

    Incoming non-null values replace stored ones; ``aliases`` and ``tags`` keep
    every value seen, in first-seen order. Merging ``new`` twice gives the same
    result as merging it once.

    Examples
    --------
    >>> merge_props({"name": "A", "aliases": ["x"]}, {"aliases": ["y", "x"], "founded": None})
    {'name': 'A', 'aliases': ['x', 'y']}
    """
    merged = dict(old)
    for key, value in new.items():
        if value is None:
            continue
        if key in SET_VALUED and isinstance(value, list):
            seen = list(merged.get(key) or [])
            for item in value:
                if item not in seen:
                    seen.append(item)
            merged[key] = seen
        else:
            merged[key] = value
    return merged


def collapse_batch(
    nodes: Iterable[Node], relationships: Iterable[Relationship]
) -> tuple[list[Node], list[Relationship]]:
    """One entry per node id and per relationship identity, combined in order.

    Merging two versions of one record one after the other would overwrite the
    first with the second every time, so the same merge would never be a no-op.
    """
    # A record seen once is kept as it is: building a new one per row (a frozen
    # dataclass) was most of the time this takes on a large load.
    by_id: dict[tuple[str, str], Node] = {}
    for node in nodes:
        known = by_id.get((node.id, node.type))
        by_id[(node.id, node.type)] = (
            Node(node.id, node.type, merge_props(known.props, node.props)) if known else node
        )
    by_identity: dict[tuple[str, str, str, str], Relationship] = {}
    for rel in relationships:
        identity = (rel.type, rel.source, rel.target, rel.key)
        seen = by_identity.get(identity)
        by_identity[identity] = (
            Relationship(
                rel.type, rel.source, rel.target, rel.key, merge_props(seen.props, rel.props)
            )
            if seen
            else rel
        )
    return list(by_id.values()), list(by_identity.values())


def reference_problems(
    nodes: list[Node], relationships: list[Relationship], stored_types: Mapping[str, str]
) -> list[Issue]:
    """What every store refuses before writing a batch: an id given two types, an
    endpoint that is neither in the batch nor stored, an id stored as another type.

    ``stored_types`` maps the ids of the batch (nodes and endpoints) that the store
    already holds to their types.
    """
    problems: list[Issue] = []
    incoming: dict[str, str] = {}
    for node in nodes:
        if incoming.setdefault(node.id, node.type) != node.type:
            problems.append(
                Issue(
                    "<merge>",
                    f"id given both as a {incoming[node.id]} and as a {node.type}",
                    field="id",
                    value=node.id,
                    expected="one type per id",
                )
            )
    for rel in relationships:
        for end in (rel.source, rel.target):
            if end not in incoming and end not in stored_types:
                problems.append(
                    Issue(
                        "<merge>",
                        f"{rel.type} refers to a node that does not exist",
                        field="id",
                        value=end,
                        expected="a node loaded earlier or in the same batch",
                    )
                )
    for node in nodes:
        known = stored_types.get(node.id)
        if known is not None and known != node.type:
            problems.append(
                Issue(
                    "<merge>",
                    f"id is already a {known}",
                    field="id",
                    value=node.id,
                    expected=f"a new id for this {node.type}",
                )
            )
    return problems


def check_batch(
    model: Model,
    nodes: list[Node],
    relationships: list[Relationship],
    stored_types: Mapping[str, str],
) -> None:
    """Refuse a batch a store may not hold, before anything is written.

    Every node must be storable (:meth:`Model.storable_node`: a model type, a well-formed
    id with that type's prefix), every relationship too (a model type, a text key), and
    the references must hold (:func:`reference_problems`).

    Parameters
    ----------
    model : Model
        The ontology.
    nodes, relationships : list
        The batch, collapsed (:func:`collapse_batch`).
    stored_types : mapping of str to str
        The type of each id of the batch (nodes and endpoints) the store already holds.

    Raises
    ------
    DataError
        Every problem found, each naming the field and value.

    Examples
    --------
    >>> from chaingraph.model import load_model
    >>> check_batch(load_model(), [Node("co:x", "Chain", {})], [], {})
    Traceback (most recent call last):
    ...
    chaingraph.errors.DataError: 1 problem(s) in input data; nothing was written:
      <merge>: id='co:x': node has an id that is not a Chain's (expected a node the model allows)
    """
    problems: list[Issue] = []
    # The same questions as Model.storable_node / storable_relationship, answered
    # without a call per row on a large load: the id pattern per id, the type per
    # distinct type (the rows that fail are asked again, for the message).
    known_types = model.node_types
    for node in nodes:
        node_id = node.id
        if (
            type(node_id) is str
            and node.type in known_types
            and model.type_of_id(node_id) == node.type
            and ID_PATTERN.match(node_id)
        ):
            continue
        shape = model.storable_node(node_id, node.type)
        if shape:
            problems.append(
                Issue(
                    "<merge>",
                    f"node {shape}",
                    field="id",
                    value=node.id,
                    expected="a node the model allows",
                )
            )
    rel_types = model.relationship_types
    for rel in relationships:
        if type(rel.key) is str and rel.type in rel_types:
            continue
        shape = model.storable_relationship(rel.type, rel.key)
        if shape:
            problems.append(
                Issue(
                    "<merge>",
                    f"relationship {shape}",
                    field="type",
                    value=rel.type,
                    expected="one of " + ", ".join(model.relationship_types),
                )
            )
    problems += value_problems(nodes, relationships)
    problems += reference_problems(nodes, relationships, stored_types)
    if problems:
        raise DataError(problems)


_Item = TypeVar("_Item", Node, Relationship)
# What both stores hold: the store file's JSON writer (orjson) takes signed and unsigned
# 64-bit integers; Neo4j stores signed ones as they are and the others as JSON text.
_INT64 = (-(2**63), 2**64 - 1)
_UNSTORABLE_VALUE = (
    "property value neither store can hold as it is: an integer beyond 64 bits, NaN, "
    "infinity, or not a JSON value"
)
_STORABLE_VALUE = (
    "text, true/false, an integer from -2**63 to 2**64-1 or a finite number (write a larger "
    "figure as text, or in a larger unit such as 万元), or lists and maps of those"
)


def _storable_value(value: Any) -> bool:
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    # subclasses too: a loader's lists and maps remember where they came from
    if isinstance(value, int):
        return _INT64[0] <= value <= _INT64[1]
    if isinstance(value, float):
        # a float subclass (numpy.float64 from a DataFrame) is no JSON value to orjson
        return kind is float and math.isfinite(value)
    if isinstance(value, str):
        return True
    if isinstance(value, list | tuple):
        return all(_storable_value(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _storable_value(v) for k, v in value.items())
    return False


def _unstorable(items: Iterable[_Item]) -> Iterator[tuple[_Item, str]]:
    low, high = _INT64
    for item in items:
        for key, value in item.props.items():
            # The common values of a large load answered inline, without a call each.
            kind = type(value)
            if kind is str or kind is bool or (kind is int and low <= value <= high):
                continue
            if kind is float and value - value == 0.0:  # finite: inf - inf and NaN are NaN
                continue
            if not _storable_value(value):
                yield item, key


def value_problems(nodes: list[Node], relationships: list[Relationship]) -> list[Issue]:
    """Property values the stores cannot hold as they are, one issue each.

    The store file is JSON and Neo4j stores 64-bit integers: an integer beyond 64 bits
    would crash the save, NaN would come back as no value, a set or a date as something
    else; either engine refuses them alike, before anything is written.

    Examples
    --------
    >>> for issue in value_problems([Node("co:x", "Company", {"capital": 10**20})], []):
    ...     print(issue)  # doctest: +ELLIPSIS
    <merge>: co:x.capital=100000000000000000000: property value neither store can hold...
    """
    places = [(f"{n.id}.{key}", n.props[key]) for n, key in _unstorable(nodes)]
    places += [
        (f"{r.type} {r.source}->{r.target}.{key}", r.props[key])
        for r, key in _unstorable(relationships)
    ]
    return [
        Issue("<merge>", _UNSTORABLE_VALUE, field=field, value=value, expected=_STORABLE_VALUE)
        for field, value in places
    ]
