"""Resolve references (ids or names) and check a batch against the model and the store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import networkx as nx
from rapidfuzz import fuzz, process, utils

from chaingraph.loaders.batch import Batch, PendingRel, Ref, combine_props
from chaingraph.loaders.coerce import UNSTORABLE, is_storable_number
from chaingraph.model import ID_PATTERN, Model, Node, Relationship
from chaingraph.names import normalize_text

__all__ = ["keep_stored_names", "resolve_batch"]

_SUGGESTION_BUDGET = 25  # fuzzy suggestions cost a scan; enough for the messages shown


class _Resolver:
    def __init__(self, batch: Batch, store: Any, model: Model) -> None:
        self.batch = batch
        self.store = store
        self.model = model
        self.budget = _SUGGESTION_BUDGET

    def type_of(self, node_id: str) -> str | None:
        if node_id in self.batch.nodes:
            return self.batch.nodes[node_id][0]
        node = self.store.get(node_id)
        return node.type if node is not None else None

    def resolve(self, ref: Ref) -> str | None:
        text = ref.text
        if ID_PATTERN.match(text):
            found = self.type_of(text)
            if found is None:
                self._missing(ref, "refers to an id that is not defined")
                return None
            if found not in ref.types:
                self.batch.issue(
                    ref.where, f"refers to a {found}", text, "a " + " or ".join(ref.types)
                )
                return None
            return text
        key = normalize_text(text).lower()
        ids = dict.fromkeys(self.batch.names.get(key, {}))
        for node_id in self.store.ids_by_name(text):
            ids[node_id] = None
        fitting = [i for i in ids if self.type_of(i) in ref.types]
        if len(fitting) == 1:
            return fitting[0]
        if len(fitting) > 1:
            self.batch.issue(
                ref.where,
                "name fits several nodes",
                text,
                "one of the ids " + ", ".join(sorted(fitting)),
            )
            return None
        self._missing(ref, "no " + " or ".join(ref.types) + " has this id or name")
        return None

    def _missing(self, ref: Ref, message: str) -> None:
        if normalize_text(ref.text).lower() in self.batch.failed:
            return  # the record it names was left out, and that was reported
        if self.budget > 0:
            self.budget -= 1
            near = self._near(ref)
            if near:
                message += "; did you mean " + ", ".join(near) + "?"
        expected = "an id or name defined in this load or already stored"
        self.batch.issue(ref.where, message, ref.text, expected)

    def _near(self, ref: Ref) -> list[str]:
        """Up to three nodes of a fitting type whose id, name or alias is close, as 'name (id)'."""
        entries: list[tuple[str, str]] = []
        shown: dict[str, str] = {}
        for node_id, (node_type, props) in self.batch.nodes.items():
            if node_type in ref.types:
                shown[node_id] = str(props.get("name") or node_id)
                entries.append((node_id, node_id))
                entries.extend(
                    (str(n), node_id) for n in [props.get("name"), *_aliases(props)] if n
                )
        for node_type in ref.types:
            for node in self.store.nodes(node_type):
                shown.setdefault(node.id, node.name)
            for node_id, _, text in self.store.names(node_type):
                entries.append((text, node_id))
                entries.append((node_id, node_id))
        if not entries:
            return []
        hits = process.extract(
            ref.text,
            [e[0] for e in entries],
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            limit=12,
            score_cutoff=60,
        )
        seen: dict[str, None] = {}
        for _, _, index in hits:
            seen[entries[index][1]] = None
        return [f"{shown.get(i, i)} ({i})" for i in list(seen)[:3]]


def resolve_batch(
    batch: Batch, store: Any, model: Model, *, references: bool = True
) -> tuple[list[Node], list[Relationship]]:
    """Nodes and relationships of ``batch`` with every reference turned into an id.

    Problems are appended to ``batch.issues``; the returned lists are only
    meaningful when there are none. ``references=False`` checks the nodes only: when
    a whole file could not be read, references to its records would all dangle.
    """
    keep_stored_names(batch, store)
    resolver = _Resolver(batch, store, model)
    nodes = [Node(i, t, p) for i, (t, p) in batch.nodes.items()]
    for node in nodes:
        for problem in model.check_node(node):
            where = batch.node_where[node.id]
            batch.issue(
                where.at(problem.field) if problem.field else where,
                problem.message,
                problem.value,
                problem.expected,
            )
        for path, value in _unstorable(node.props):
            batch.issue(batch.node_where[node.id].at(path), UNSTORABLE, value, "a finite number")

    rels: list[Relationship] = []
    if not references:
        return nodes, rels
    for pending in batch.pending:
        rel = _resolve_rel(resolver, pending)
        if rel is None:
            continue
        problems = model.check_relationship(
            rel, resolver.type_of(rel.source), resolver.type_of(rel.target)
        )
        for problem in problems:
            batch.issue(
                pending.where.at(problem.field) if problem.field else pending.where,
                problem.message,
                problem.value,
                problem.expected,
            )
        bad = list(_unstorable(rel.props))
        for path, value in bad:
            batch.issue(pending.where.at(path), UNSTORABLE, value, "a finite number")
        if not problems and not bad:
            rels.append(rel)
    rels = _collapse(rels)
    _check_structure(batch, store, nodes, rels)
    return nodes, rels


def keep_stored_names(batch: Batch, store: Any) -> None:
    """A company's stored name or legal name that this load replaces stays as an alias.

    Aliases equal to the company's final name or legal name are dropped: rows of one
    load may pass a name back and forth, and the alias list must come out the same
    on every reload.
    """
    for node_id, (node_type, props) in batch.nodes.items():
        if node_type != "Company":
            continue
        if not isinstance(props.get("aliases", []), list):
            continue  # the wrong type: the model check reports it
        current = (props.get("name"), props.get("legal_name"))
        aliases = [a for a in _unique(props.get("aliases") or []) if a not in current]
        stored = store.get(node_id)
        for field in ("name", "legal_name"):
            old = stored.props.get(field) if stored is not None else None
            replaced = props.get(field) not in (None, old)
            if isinstance(old, str) and replaced and old not in current and old not in aliases:
                aliases.append(old)
        if aliases:
            props["aliases"] = aliases
        else:
            props.pop("aliases", None)


def _aliases(props: dict[str, Any]) -> list[Any]:
    aliases = props.get("aliases")
    return aliases if isinstance(aliases, list) else []


def _unique(items: list[Any]) -> list[Any]:
    """``items`` without repeats, in order, even if some are lists or mappings (which
    cannot be hashed; the model check reports them)."""
    seen: set[Any] = set()
    kept: list[Any] = []
    for item in items:
        try:
            if item in seen:
                continue
            seen.add(item)
        except TypeError:
            if item in kept:
                continue
        kept.append(item)
    return kept


def _collapse(rels: list[Relationship]) -> list[Relationship]:
    """One relationship per identity: files of one load may state a fact twice.

    Handing the store both copies would make it overwrite one with the other on
    every load, so reloading would never be a no-op.
    """
    merged: dict[tuple[str, str, str, str], Relationship] = {}
    for rel in rels:
        known = merged.get(rel.identity)
        if known is None:
            merged[rel.identity] = rel
        else:
            props = combine_props(known.props, rel.props)
            merged[rel.identity] = Relationship(rel.type, rel.source, rel.target, rel.key, props)
    return list(merged.values())


def _unstorable(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _unstorable(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _unstorable(inner, f"{path}[{index}]")
    elif not is_storable_number(value):
        yield path, value


def _resolve_rel(resolver: _Resolver, pending: PendingRel) -> Relationship | None:
    source = resolver.resolve(pending.source)
    target = resolver.resolve(pending.target)
    props = dict(pending.props)
    key = pending.key
    if pending.key_ref is not None:
        product = resolver.resolve(pending.key_ref)
        if product is None:
            return None
        props["product"] = product
        key = product
    if source is None or target is None:
        return None
    return Relationship(pending.type, source, target, key, props)


def _check_structure(batch: Batch, store: Any, nodes: list[Node], rels: list[Relationship]) -> None:
    """Rules across records: products sit in a segment; segments form a tree without cycles."""
    # A product whose segment reference is broken has already been reported for it.
    in_segment = {p.source.text for p in batch.pending if p.type == "IN_SEGMENT"}
    for node in nodes:
        if node.type == "Product" and node.id not in in_segment and store.get(node.id) is None:
            batch.issue(
                batch.node_where[node.id].at("segment"),
                "a product must name its segment",
                None,
                "segment: seg:<id>",
            )
    parts = nx.DiGraph()
    parts.add_edges_from(
        (r.source, r.target) for r in store.relationships("PART_OF") if r.target.startswith("seg:")
    )
    new_edges = [
        (r.source, r.target) for r in rels if r.type == "PART_OF" and r.target.startswith("seg:")
    ]
    parts.add_edges_from(new_edges)
    try:
        cycle = nx.find_cycle(parts)
    except nx.NetworkXNoCycle:
        return
    path = " -> ".join([cycle[0][0], *(v for _, v in cycle)])
    first = cycle[0][0]
    where = batch.node_where.get(first)
    if where is None:
        where = next(iter(batch.node_where.values()))
    batch.issue(
        where.at("parent"),
        "segment hierarchy has a cycle",
        path,
        "a tree: no segment inside itself",
    )
