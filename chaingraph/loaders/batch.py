"""What one load has read so far: nodes, pending relationships and the issues found.

A :class:`Batch` collects records from every file of a load before anything is
resolved or written; :func:`combine_props` says how two records of one node met in
the same load combine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chaingraph.errors import Issue
from chaingraph.loaders.located import Where, line_of
from chaingraph.loaders.text import bad_texts
from chaingraph.names import normalize_text
from chaingraph.store.merging import merge_props

__all__ = [
    "PROVENANCE",
    "Batch",
    "PendingRel",
    "Ref",
    "add_node",
    "combine_props",
    "remember_failed",
    "text_is_clean",
]

PROVENANCE = ("source", "as_of", "confidence")


@dataclass(frozen=True)
class Ref:
    """A reference to a node by id or by name, with the types it may be."""

    text: str
    types: tuple[str, ...]
    where: Where


@dataclass
class PendingRel:
    """A relationship whose ends (and product key) are still references."""

    type: str
    source: Ref
    target: Ref
    props: dict[str, Any]
    where: Where
    key_ref: Ref | None = None  # SUPPLIES: the product, also the relationship's key
    key: str = ""


@dataclass
class Batch:
    """Everything read from the files of one load, before resolution."""

    nodes: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    node_where: dict[str, Where] = field(default_factory=dict)
    pending: list[PendingRel] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    uscc_index: dict[str, str] = field(default_factory=dict)
    company_keys: dict[str, str | None] = field(default_factory=dict)  # None: shared key
    names: dict[str, dict[str, None]] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)  # ids and names of records left out

    def issue(
        self, where: Where, message: str, value: Any = None, expected: str | None = None
    ) -> None:
        self.issues.append(
            Issue(where.file, message, where.line, where.path or None, value, expected)
        )


def text_is_clean(
    batch: Batch, record: Mapping[str, Any], here: Where, names: Mapping[str, Any]
) -> bool:
    """Report control characters, lone surrogates and runaway lengths in ``record``.

    A record holding any is left out whole (``names`` say how references to it
    look, so that they are not reported again).
    """
    found = list(bad_texts(dict(record)))
    for path, message, value, expected in found[:5]:
        head = path.split(".")[0].split("[")[0]
        batch.issue(here.at(path, line_of(record, head)), message, value, expected)
    if found:
        remember_failed(batch, names, names)
    return not found


def remember_failed(batch: Batch, record: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    """A record left out for a reported problem: references to it are not reported again."""
    for value in (record.get("id"), props.get("name"), props.get("legal_name")):
        if isinstance(value, str) and value.strip():
            batch.failed.add(normalize_text(value).lower())


def combine_props(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """Combine two records of one node or relationship met in the same load.

    Like :func:`~chaingraph.store.merging.merge_props` (the later record wins), except
    that a record saying only ``source: unverified`` about facts already known does not
    replace a documented source: the fact stays attributed to its document.

    Examples
    --------
    >>> combine_props({"source": "某规划", "as_of": "2021", "role": "总部"},
    ...               {"source": "unverified", "as_of": "2024", "role": "总部"})
    {'source': '某规划', 'as_of': '2021', 'role': '总部'}
    >>> combine_props({"source": "某规划"}, {"source": "unverified", "note": "新事实"})
    {'source': 'unverified', 'note': '新事实'}
    """
    facts = {k: v for k, v in old.items() if k not in PROVENANCE}
    adds_nothing = (
        merge_props(facts, {k: v for k, v in new.items() if k not in PROVENANCE}) == facts
    )
    documented = old.get("source") not in (None, "unverified")
    if adds_nothing and documented and new.get("source") == "unverified":
        return dict(old)
    return merge_props(old, new)


def add_node(
    batch: Batch, node_id: str, node_type: str, props: dict[str, Any], here: Where
) -> None:
    if node_id in batch.nodes:
        known_type, known = batch.nodes[node_id]
        if known_type != node_type:
            batch.issue(
                here.at("id"), f"id already used for a {known_type}", node_id, "a unique id"
            )
            return
        batch.nodes[node_id] = (node_type, combine_props(known, props))
    else:
        batch.nodes[node_id] = (node_type, props)
        batch.node_where[node_id] = here
    for field_name in ("name", "legal_name"):
        if isinstance(props.get(field_name), str):
            batch.names.setdefault(normalize_text(props[field_name]).lower(), {})[node_id] = None
    aliases = props.get("aliases")
    for alias in aliases if isinstance(aliases, list) else ():
        if isinstance(alias, str):
            batch.names.setdefault(normalize_text(alias).lower(), {})[node_id] = None
