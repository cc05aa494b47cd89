"""The data model: node and relationship records, and validation against ``ontology/model.yaml``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from chaingraph.resources import data_dir

__all__ = [
    "ID_PATTERN",
    "Model",
    "Node",
    "Relationship",
    "load_model",
]

ID_PATTERN = re.compile(r"^(chain|seg|prod|co|base|region|platform):[a-z0-9][a-z0-9._-]{0,199}$")


@dataclass(frozen=True)
class Node:
    """A node: a stable ``id``, its ``type`` (``Chain``, ``Company``…) and properties.

    Examples
    --------
    >>> n = Node("co:byd", "Company", {"name": "比亚迪"})
    >>> n.name
    '比亚迪'
    """

    id: str
    type: str
    props: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.props.get("name", self.id))

    def get(self, key: str, default: Any = None) -> Any:
        return self.props.get(key, default)


@dataclass(frozen=True)
class Relationship:
    """A directed, typed relationship; ``key`` tells apart parallel ones of one type.

    Identity is ``(type, source, target, key)``: merging the same identity again
    updates its properties instead of adding a second edge.
    """

    type: str
    source: str
    target: str
    key: str = ""
    props: dict[str, Any] = field(default_factory=dict)

    @property
    def identity(self) -> tuple[str, str, str, str]:
        return (self.type, self.source, self.target, self.key)


@dataclass(frozen=True)
class FieldProblem:
    """One schema violation: which field, its value, and what was expected."""

    field: str | None
    message: str
    value: Any = None
    expected: str | None = None


class Model:
    """Node and relationship types with their validators, read from ``model.yaml``."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        self.version = int(spec["model_version"])
        self.node_types: dict[str, Mapping[str, Any]] = dict(spec["node_types"])
        self.relationship_types: dict[str, Mapping[str, Any]] = dict(spec["relationship_types"])
        self.id_prefixes: dict[str, str] = dict(spec["id_prefixes"])
        self._type_by_prefix = {p: t for t, p in self.id_prefixes.items()}
        provenance = dict(spec["provenance"])
        definitions = spec.get("definitions", {})
        self._node_validators = {
            name: Draft202012Validator(
                _object_schema(t, provenance, definitions, t.get("additional_properties", False))
            )
            for name, t in self.node_types.items()
        }
        self._rel_validators = {
            name: Draft202012Validator(_object_schema(t, provenance, definitions, False))
            for name, t in self.relationship_types.items()
        }

    def type_of_id(self, node_id: str) -> str | None:
        """The node type an id's prefix names, or None.

        >>> load_model().type_of_id("seg:ic.design")
        'Segment'
        """
        prefix, sep, _ = node_id.partition(":")
        return self._type_by_prefix.get(prefix + sep) if sep else None

    def key_field(self, rel_type: str) -> str | None:
        """The property that tells apart parallel relationships of this type, if any."""
        return self.relationship_types[rel_type].get("key")

    def storable_node(self, node_id: Any, node_type: Any) -> str | None:
        """Why a node cannot be held in a store, or None: its type must be the model's (it
        becomes a Neo4j label) and its id well formed, with that type's prefix. Both engines
        ask this before writing (:func:`chaingraph.store.merging.check_batch`).

        >>> load_model().storable_node("chain:x`) DETACH DELETE n //", "Chain")
        'has a malformed id'
        """
        if not isinstance(node_id, str) or self.type_of_id(node_id) != node_type:
            if node_type not in self.node_types:
                return f"has unknown type {str(node_type)[:40]!r}"
            return f"has an id that is not a {node_type}'s"
        if not ID_PATTERN.match(node_id):
            return "has a malformed id"
        return None

    def storable_relationship(self, rel_type: Any, key: Any) -> str | None:
        """Why a relationship cannot be held in a store, or None: a model type, a text key."""
        if rel_type not in self.relationship_types:
            return f"has unknown type {str(rel_type)[:40]!r}"
        if not isinstance(key, str):
            return "has a key that is not text"
        return None

    def check_node(self, node: Node) -> list[FieldProblem]:
        """Schema problems of a node (empty when valid)."""
        problems: list[FieldProblem] = []
        if not ID_PATTERN.match(node.id):
            problems.append(
                FieldProblem(
                    "id",
                    "malformed id",
                    node.id,
                    "prefix:slug, e.g. co:byd (lowercase a-z0-9 . - _)",
                )
            )
        if node.type not in self.node_types:
            problems.append(
                FieldProblem("type", "unknown node type", node.type, ", ".join(self.node_types))
            )
            return problems
        expected_type = self.type_of_id(node.id)
        if expected_type and expected_type != node.type:
            problems.append(
                FieldProblem(
                    "id",
                    f"id prefix names a {expected_type}, not a {node.type}",
                    node.id,
                    f"prefix {self.id_prefixes[node.type]!r}",
                )
            )
        problems.extend(_problems(self._node_validators[node.type], node.props))
        return problems

    def check_relationship(
        self, rel: Relationship, source_type: str | None, target_type: str | None
    ) -> list[FieldProblem]:
        """Schema problems of a relationship given its endpoints' types."""
        spec = self.relationship_types.get(rel.type)
        if spec is None:
            return [
                FieldProblem(
                    "type",
                    "unknown relationship type",
                    rel.type,
                    ", ".join(self.relationship_types),
                )
            ]
        problems: list[FieldProblem] = []
        if source_type is not None and source_type not in spec["from"]:
            problems.append(
                FieldProblem(
                    "from",
                    f"{rel.type} cannot start at a {source_type}",
                    rel.source,
                    " or ".join(spec["from"]),
                )
            )
        if target_type is not None and target_type not in spec["to"]:
            problems.append(
                FieldProblem(
                    "to",
                    f"{rel.type} cannot end at a {target_type}",
                    rel.target,
                    " or ".join(spec["to"]),
                )
            )
        problems.extend(_problems(self._rel_validators[rel.type], rel.props))
        return problems


def _object_schema(
    type_spec: Mapping[str, Any],
    provenance: Mapping[str, Any],
    definitions: Mapping[str, Any],
    open_ended: bool,
) -> dict[str, Any]:
    properties = {**provenance, **type_spec.get("properties", {})}
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": list(type_spec.get("required", [])),
        "definitions": dict(definitions),
    }
    if open_ended:
        # Extra facts are welcome as plain values, never as nested structures.
        scalar = {"type": ["string", "number", "boolean", "null"]}
        schema["additionalProperties"] = {"anyOf": [scalar, {"type": "array", "items": scalar}]}
    else:
        schema["additionalProperties"] = False
    return schema


def _problems(validator: Draft202012Validator, props: Mapping[str, Any]) -> list[FieldProblem]:
    found = []
    for err in sorted(validator.iter_errors(props), key=lambda e: list(map(str, e.path))):
        found.append(_problem(err))
    return found


def _problem(err: ValidationError) -> FieldProblem:
    schema: dict[str, Any] = dict(err.schema) if isinstance(err.schema, dict) else {}
    rule: Any = err.validator_value
    path = ".".join(str(p) for p in err.absolute_path) or None
    kind = err.validator
    if kind == "required":
        missing = err.message.split("'")[1] if "'" in err.message else None
        full = ".".join(x for x in (path, missing) if x) or None
        return FieldProblem(full, "required field is missing", None, "a value")
    if kind == "additionalProperties":
        instance: Any = err.instance
        extra = sorted(set(instance) - set(schema.get("properties", {})))
        known = ", ".join(sorted(schema.get("properties", {})))
        return FieldProblem(
            extra[0] if len(extra) == 1 else path, "unknown field", None, f"one of: {known}"
        )
    expected = {
        "enum": lambda: "one of " + ", ".join(map(str, rule)),
        "type": lambda: f"a {err.validator_value}",
        "pattern": lambda: schema.get("description") or f"text matching {err.validator_value}",
        "minimum": lambda: f">= {err.validator_value}",
        "maximum": lambda: f"<= {err.validator_value}",
        "exclusiveMinimum": lambda: f"> {err.validator_value}",
        "maxLength": lambda: f"at most {err.validator_value} characters",
        "minLength": lambda: f"at least {err.validator_value} character(s)",
        "maxItems": lambda: f"at most {err.validator_value} items",
        "anyOf": lambda: "a plain value (text, number, true/false) or a list of them",
    }.get(str(kind), lambda: None)()
    message = "invalid value" if expected else err.message
    return FieldProblem(path, message, err.instance, expected)


@cache
def load_model() -> Model:
    """The model declared in the bundled ``ontology/model.yaml`` (read once)."""
    with open(data_dir("ontology") / "model.yaml", encoding="utf-8") as fh:
        return Model(yaml.safe_load(fh))
