"""Turn authoring-format records into nodes and (not yet resolved) relationships.

Nested fields (a product's ``segment``, a company's ``makes``…) become
relationships whose ends may still be names; :mod:`chaingraph.loaders.resolve`
turns those into ids once every file of a load has been read.

The parts live beside this module: :mod:`~chaingraph.loaders.batch` (what a load has
read so far), :mod:`~chaingraph.loaders.coerce` (cell text to the model's types),
:mod:`~chaingraph.loaders.company_identity` (which firm a row is) and
:mod:`~chaingraph.loaders.relationships` (nested and generic relationship records).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chaingraph.loaders.batch import (
    PROVENANCE,
    Batch,
    PendingRel,
    Ref,
    add_node,
    combine_props,
    remember_failed,
    text_is_clean,
)
from chaingraph.loaders.coerce import coerce_props
from chaingraph.loaders.company_identity import company_identity
from chaingraph.loaders.located import Where, field_where, key_where, line_of
from chaingraph.loaders.mapping import SECTIONS
from chaingraph.loaders.relationships import collect_nested, collect_relationships
from chaingraph.model import ID_PATTERN, Model
from chaingraph.names import normalize_text

__all__ = [
    "Batch",
    "PendingRel",
    "Ref",
    "collect_document",
    "collect_records",
    "collect_relationships",
    "combine_props",
]

DOCUMENT_KEYS = {"chaingraph", "description", *PROVENANCE, *SECTIONS, "relationships"}

# Per node type: the nested fields that describe relationships, not properties.
STRUCTURAL = {
    "Chain": set(),
    "Segment": {"chain", "parent"},
    "Product": {"segment", "segments", "inputs"},
    "Region": {"parent"},
    "Base": {"region", "focus"},
    "Company": {"hq", "makes", "sites", "supplies", "parent_company"},
    "Platform": {"region", "regions", "supports"},
}


def collect_document(
    batch: Batch, doc: Mapping[str, Any], origin: str, model: Model, store: Any
) -> None:
    """Add every record of an authoring-format document to ``batch``."""
    top = Where(origin, 1)
    version = doc.get("chaingraph")
    if type(version) is not int or version != 1:  # not `true` or 1.0, which equal 1
        batch.issue(
            top.at("chaingraph"),
            "missing or unsupported format version",
            version,
            "'chaingraph: 1' at the top of the file",
        )
        return
    for key in doc:
        if key not in DOCUMENT_KEYS:
            batch.issue(
                key_where(doc, key, top),
                "unknown top-level key",
                key,
                "one of " + ", ".join(sorted(DOCUMENT_KEYS)),
            )
    defaults = {k: doc[k] for k in PROVENANCE if doc.get(k) is not None}
    if not text_is_clean(batch, defaults, top, defaults):
        return
    for section, node_type in SECTIONS.items():
        records = doc.get(section)
        if records is None:
            continue
        if not isinstance(records, list):
            batch.issue(
                key_where(doc, section, top),
                "section must be a list of records",
                type(records).__name__,
                "a YAML list (lines starting with '- ')",
            )
            continue
        collect_records(
            batch,
            records,
            node_type,
            Where(origin, line_of(doc, section), section),
            defaults,
            model,
            store,
        )
    rels = doc.get("relationships")
    if rels is not None:
        if isinstance(rels, list):
            collect_relationships(
                batch,
                rels,
                Where(origin, line_of(doc, "relationships"), "relationships"),
                defaults,
                model,
            )
        else:
            batch.issue(key_where(doc, "relationships", top), "section must be a list of records")


def collect_records(
    batch: Batch,
    records: Iterable[Any],
    node_type: str,
    where: Where,
    defaults: Mapping[str, Any],
    model: Model,
    store: Any,
) -> None:
    """Add node records of one type (and their nested relationships) to ``batch``."""
    for index, record in enumerate(records):
        # Table rows (no section path) are told apart by their line alone.
        path = f"{where.path}[{index}]" if where.path else ""
        here = Where(where.file, line_of(record, None) or where.line, path)
        if not isinstance(record, Mapping):
            batch.issue(here, "record must be a mapping of fields", record, "key: value pairs")
            continue
        if text_is_clean(batch, record, here, record):
            _collect_node(batch, record, node_type, here, defaults, model, store)


def _collect_node(
    batch: Batch,
    record: Mapping[str, Any],
    node_type: str,
    here: Where,
    defaults: Mapping[str, Any],
    model: Model,
    store: Any,
) -> None:
    props: dict[str, Any] = {**defaults}
    for key, value in record.items():
        if key == "id" or key in STRUCTURAL[node_type] or value is None or value == "":
            continue
        props[key] = value
    coerce_props(props, model.node_types[node_type], record, here, batch)
    for text_field in ("name", "legal_name"):
        if isinstance(props.get(text_field), str):
            props[text_field] = normalize_text(props[text_field])

    if node_type == "Company":
        node_id = company_identity(batch, record, props, here, store)
    else:
        node_id = _plain_id(batch, record, here)
    if node_id is None:
        remember_failed(batch, record, props)
        return
    if not ID_PATTERN.match(node_id) or model.type_of_id(node_id) != node_type:
        batch.issue(
            field_where(record, "id", here),
            "malformed id",
            node_id,
            f"{model.id_prefixes[node_type]}<lowercase a-z 0-9 . - _>",
        )
        remember_failed(batch, record, props)
        return
    add_node(batch, node_id, node_type, props, here)
    provenance = {k: props[k] for k in PROVENANCE if k in props}
    collect_nested(batch, node_id, node_type, record, here, provenance)


def _plain_id(batch: Batch, record: Mapping[str, Any], here: Where) -> str | None:
    node_id = record.get("id")
    if not isinstance(node_id, str) or not node_id.strip():
        batch.issue(
            here.at("id"), "required field is missing", node_id, "an id such as prod:servo-motor"
        )
        return None
    return node_id.strip()
