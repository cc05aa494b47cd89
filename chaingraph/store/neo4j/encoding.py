"""How chaingraph records become Neo4j properties, and back (no driver needed).

Every node has the shared label ``Entity`` (a uniqueness constraint on ``Entity.id``)
plus the label of its type (``Company``, ``Segment``…); a relationship's Neo4j type is
its chaingraph type. Labels and relationship types come only from the model's allowlist
(``ontology/model.yaml``) and are checked by :func:`check_name` before they are written
into a query; every value travels as a query parameter, never inside the query text.

Each chaingraph property is stored once. Those Neo4j can store as they are (text,
numbers, booleans, lists of one kind) are real properties; the others (nested maps such
as ``listing`` and ``global_rank``, lists of mixed types, empty lists, numbers beyond 64
bits, and data properties named like one chaingraph derives) go together into
``props_extra``, one JSON object, only on the records that have any; the order of the
names, when it is not the default one (:func:`default_order`: ``source`` and ``as_of``
first, as chaingraph's loaders write them, then the others by name), in
``props_order`` (their positions in the default order, e.g. ``"2013"``). Reading a record back (its Neo4j properties without the derived ones,
plus ``props_extra``, in that order) gives exactly what was merged, with the same types.
Beside them sit properties derived for queries and for people browsing the graph: ``id``
and ``type``, ``lookup_names`` (normalised name, legal name and aliases, for exact name
lookup), ``name_key`` and ``legal_name_key`` (company dedup keys), ``listing_board`` and
``global_rank_no``. A relationship also has ``key`` (what tells apart parallel ones of
one type; absent when it is ``""``, and read as ``coalesce(r.key, "")``) and is
identified by ``(type, source, target, key)``.
Records written by earlier versions carry the whole properties as JSON in
``props_json``; they read as before, and the next merge that changes them writes them
the lean way.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from chaingraph.errors import StoreCorrupt, StoreError
from chaingraph.model import Model, Node, Relationship
from chaingraph.names import key_of_normal, normalize_text

__all__ = [
    "ENTITY_LABEL",
    "EXTRA",
    "NODE_RESERVED",
    "ORDER",
    "REL_RESERVED",
    "check_name",
    "checked_names",
    "common_type",
    "decode_node",
    "decode_props",
    "encode_node",
    "encode_relationship",
    "node_properties",
    "relationship_properties",
    "schema_statements",
    "storable",
    "value_type",
]

ENTITY_LABEL = "Entity"
# Where the properties Neo4j cannot store as they are go, as one JSON object.
EXTRA = "props_extra"
# The order of the properties as merged, when not the default one (see _order_code).
ORDER = "props_order"
# The properties chaingraph.store.neo4j.derived keeps for the gap queries.
DERIVED_PROPERTIES = (
    "cg_members",
    "cg_segments",
    "cg_makers",
    "cg_national",
    "cg_sites",
    "cg_ring_keys",
    "cg_ring_makers",
)
# Real properties chaingraph derives or owns; a data property of the same name stays
# in props_extra only, so it cannot overwrite them.
NODE_RESERVED = frozenset(
    {
        "id",
        "type",
        "props_json",
        EXTRA,
        ORDER,
        "lookup_names",
        "name_key",
        "legal_name_key",
        "listing_board",
        "global_rank_no",
        *DERIVED_PROPERTIES,
    }
)
REL_RESERVED = frozenset({"key", "props_json", EXTRA, ORDER})
_SAFE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_INT64 = (-(2**63), 2**63 - 1)
# Types a list may hold, one kind per list (subclasses such as IntEnum go to props_extra).
_LIST_KINDS = frozenset({str, float, bool, int})
# Names a record reads back first when it stores no order (see default_order).
_PROVENANCE = ("source", "as_of")


# -- types -------------------------------------------------------------------------


def storable(value: Any) -> bool:
    """Whether Neo4j can store ``value`` as a property as it is (empty lists are left
    out: they carry no type, and a bulk import could not tell them from no value).

    >>> storable([1, 2]), storable([1, "a"]), storable([]), storable(2**64), storable({})
    (True, False, False, False, False)
    """
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


def value_type(value: Any) -> str:
    """The Neo4j (neo4j-admin header) type of a property value.

    >>> value_type(True), value_type(3), value_type([1, 2.5]), value_type("x")
    ('boolean', 'long', 'double[]', 'string')
    """
    if isinstance(value, list):
        inner = {value_type(v) for v in value} or {"string"}
        return common_type(inner) + "[]"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    return "string"


def common_type(kinds: set[str]) -> str:
    """One Neo4j type holding values of all these types (``string`` when mixed).

    >>> common_type({"long", "double"}), common_type({"long", "string"})
    ('double', 'string')
    """
    if len(kinds) == 1:
        return next(iter(kinds))
    if kinds <= {"long", "double"}:
        return "double"
    if kinds <= {"long[]", "double[]"}:
        return "double[]"
    return "string"


def check_name(name: str) -> str:
    """A label or type safe to write into a query: from the allowlist and plain ASCII.

    Raises
    ------
    StoreError
        ``name`` is not a plain identifier.
    """
    if not _SAFE_NAME.match(name):
        raise StoreError(f"refusing label or type {name!r}: not a plain identifier")
    return name


def checked_names(names: Any) -> dict[str, str]:
    """``{name: name}`` for the model's node or relationship types, each checked."""
    return {t: check_name(t) for t in names}


# -- writing --------------------------------------------------------------------------


def _split(props: dict[str, Any], reserved: frozenset[str], out: dict[str, Any]) -> dict[str, Any]:
    """Put into ``out`` every property Neo4j stores as it is; the others (nested maps,
    mixed lists, empty lists, numbers beyond 64 bits, names chaingraph reserves) go
    into ``props_extra`` as JSON, so each value is stored exactly once."""
    extra: dict[str, Any] | None = None
    for key, value in props.items():
        kind = type(value)
        # Text, floats and booleans are the common case: no call per value.
        if (kind is str or kind is float or kind is bool or storable(value)) and (
            key not in reserved
        ):
            out[key] = value
        else:
            if extra is None:
                extra = {}
            extra[key] = value
    if extra:
        out[EXTRA] = orjson.dumps(extra).decode()
    code = _order_of(tuple(props))
    if code is not None:
        out[ORDER] = code
    return out


# The order code (or None) of each tuple of names seen: loads repeat a few shapes.
_ORDER_CODES: dict[tuple[str, ...], str | None] = {}


def _order_of(keys: tuple[str, ...]) -> str | None:
    """:func:`_order_code` of ``keys``, or None when they are in the default order."""
    try:
        return _ORDER_CODES[keys]
    except KeyError:
        pass
    names = list(keys)
    code = None if names == default_order(names) else _order_code(names)
    if len(_ORDER_CODES) < 10_000:
        _ORDER_CODES[keys] = code
    return code


def default_order(names: Any) -> list[str]:
    """The order a record's names read back in when it stores no ``props_order``: the
    provenance (``source``, ``as_of``) first, as chaingraph's loaders write it, then
    the others sorted by name.

    >>> default_order(["synthetic", "as_of", "source", "role"])
    ['source', 'as_of', 'role', 'synthetic']
    """
    rest = sorted(n for n in names if n not in _PROVENANCE)
    return [n for n in _PROVENANCE if n in names] + rest


def _order_code(keys: list[str]) -> str:
    """The order of ``keys`` as positions in their default order (:func:`default_order`):
    digits when there are at most ten (``"2013"``), else comma-separated (Neo4j keeps
    such short numeric text inside the property record, without a string record of its
    own).

    >>> _order_code(["name", "as_of", "source"]), _decoded_order("210", ["source", "as_of", "name"])
    ('210', ['name', 'as_of', 'source'])
    """
    rank = {k: i for i, k in enumerate(default_order(keys))}
    sep = "" if len(keys) <= 10 else ","
    return sep.join(str(rank[k]) for k in keys)


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
    return encode_node(node.id, node.type, node.props)


def encode_node(
    node_id: str, node_type: str, props: dict[str, Any], *, lookups: bool = True
) -> dict[str, Any]:
    """:func:`node_properties` of the node with these id, type and properties (a load
    need not build a Node per row); without ``lookups``, the name keys the store's
    lookups search (``lookup_names``, ``name_key``, ``legal_name_key``) left out."""
    out = _split(props, NODE_RESERVED, {})
    out["id"] = node_id
    out["type"] = node_type
    if not lookups:
        return _company_fields(out, node_type, props)
    names = [props.get("name"), props.get("legal_name"), *(props.get("aliases") or ())]
    # each name normalised once, for its lookup name and (name, legal name) its key
    normal = [normalize_text(n) if isinstance(n, str) and n else None for n in names]
    lookup = list(dict.fromkeys(n.lower() for n in normal if n is not None))
    if lookup:
        out["lookup_names"] = lookup
    if node_type == "Company":
        for at, target in ((0, "name_key"), (1, "legal_name_key")):
            text = normal[at]
            if text is not None:
                out[target] = key_of_normal(text)
    return _company_fields(out, node_type, props)


def _company_fields(out: dict[str, Any], node_type: str, props: dict[str, Any]) -> dict[str, Any]:
    """``out`` with a company's listing board and rank as fields of their own."""
    if node_type == "Company":
        board = (props.get("listing") or {}).get("board")
        if isinstance(board, str):
            out["listing_board"] = board
        rank = (props.get("global_rank") or {}).get("rank")
        if isinstance(rank, int) and not isinstance(rank, bool) and storable(rank):
            out["global_rank_no"] = rank
    return out


def relationship_properties(rel: Relationship) -> dict[str, Any]:
    """The Neo4j properties of a relationship: ``key`` (unless empty), its plain values
    and, for the others, ``props_extra``.

    >>> relationship_properties(Relationship("FOCUSES_ON", "base:b", "chain:c", "", {"priority": 1}))
    {'priority': 1}
    >>> relationship_properties(Relationship("MAKES", "co:a", "prod:p", "", {"capacity": {"t": 5}}))
    {'props_extra': '{"capacity":{"t":5}}'}
    >>> relationship_properties(Relationship("LOCATED_IN", "co:a", "region:r", "总部",
    ...     {"source": "s", "as_of": "2024", "role": "总部"}))
    {'source': 's', 'as_of': '2024', 'role': '总部', 'key': '总部'}
    """
    return encode_relationship(rel.key, rel.props)


def encode_relationship(key: str, props: dict[str, Any]) -> dict[str, Any]:
    """:func:`relationship_properties` of one with this key and these properties (a
    load need not build a Relationship, a frozen dataclass, per row)."""
    out = _split(props, REL_RESERVED, {})
    if key:
        # No key is the empty key (reads give ``coalesce(r.key, "")``): most
        # relationships have none, and a property less is less work for the server.
        out["key"] = key
    return out


def schema_statements(model: Model) -> list[str]:
    """The constraint and indexes the store relies on (idempotent: ``IF NOT EXISTS``)."""
    check_name(ENTITY_LABEL)
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


# -- reading --------------------------------------------------------------------------


def decode_props(
    raw: str | None, fallback: dict[str, Any] | None, reserved: frozenset[str], what: str
) -> dict[str, Any]:
    """The chaingraph properties stored for ``what`` (a node or relationship).

    ``raw`` is ``props_json``, the whole properties as JSON that chaingraph wrote
    before 0.x and bulk files may still hold; when it is missing, the properties are
    the Neo4j ones (``fallback``) without the derived ones, plus those kept in
    ``props_extra``. A node written by something else (say, by hand in Neo4j Browser)
    reads the same way.

    Raises
    ------
    StoreCorrupt
        ``props_json`` or ``props_extra`` is not a JSON object.
    """
    if raw is None:
        stored = fallback or {}
        props = {k: v for k, v in stored.items() if k not in reserved}
        extra = stored.get(EXTRA)
        if extra is not None:
            props.update(_json_object(extra, what, EXTRA))
        # In the order merged (the default order when none is stored, or it does not
        # fit: a record edited by hand).
        return {k: props[k] for k in _decoded_order(stored.get(ORDER), default_order(props))}
    return _json_object(raw, what, "props_json")


def decode_node(
    node_id: str, node_type: str, raw: str | None, fallback: dict[str, Any] | None
) -> Node:
    """The node stored with these id, type, ``props_json`` and Neo4j properties."""
    return Node(node_id, node_type, decode_props(raw, fallback, NODE_RESERVED, f"node {node_id!r}"))


def _decoded_order(code: Any, names: list[str]) -> list[str]:
    """The names (in the default order) in the order ``code`` gives; as they are when
    it does not fit them."""
    if not isinstance(code, str):
        return names
    parts = code.split(",") if "," in code else list(code)
    if len(parts) != len(names) or not all(p.isdigit() for p in parts):
        return names
    positions = [int(p) for p in parts]
    if sorted(positions) != list(range(len(names))):
        return names
    return [names[i] for i in positions]


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
