"""Write classified registry rows into a store: firms, MAKES with evidence, LOCATED_IN.

A row that would rename a firm, change its 统一社会信用代码 or listing, or replace a
sourced fact with a different value is a *conflict*: listed, not applied. A fact
stated again by another source keeps both (``sources``). ``dry_run`` computes the
same diff and writes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chaingraph.classify.core import ClassifiedRow, Options, classify_files
from chaingraph.classify.identity import is_a_share, stock_code
from chaingraph.errors import DataError, Issue
from chaingraph.model import Node, Relationship
from chaingraph.names import name_key
from chaingraph.store.base import GraphStore, MergeReport

__all__ = ["Conflict", "LoadDiff", "load_classified"]

_BOARDS = {"深圳证券交易所": "深交所", "上海证券交易所": "上交所", "北京证券交易所": "北交所"}
_IDENTITY = ("uscc", "listing")
_NAMES = ("name", "legal_name")
_PROVENANCE = ("source", "as_of", "sources", "confidence", "evidence", "basis")
MAKES_LEVELS = ("strong", "medium")  # weak (name only) evidence is shown, never written


@dataclass(frozen=True)
class Conflict:
    """A change a row asks for that was not applied."""

    file: str
    line: int
    firm: str
    id: str
    field: str
    stored: Any
    incoming: Any
    resolution: str


@dataclass(frozen=True)
class LoadDiff:
    """What a classified load creates, updates, leaves alone and refuses."""

    created: int
    updated: int
    unchanged: int
    conflicts: list[Conflict]
    firms_created: int
    firms_matched: int
    makes: int
    located: int
    closed_skipped: int
    bad: list[Issue]
    dry_run: bool
    merge: MergeReport | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)


def _board(row: ClassifiedRow) -> str | None:
    if row.board:
        return _BOARDS.get(row.board, row.board)
    code = row.stock_code or ""
    if code.startswith("6"):
        return "上交所"
    if code.startswith(("0", "3")):
        return "深交所"
    if code.startswith(("4", "8", "9")):
        return "北交所"
    return None


def _new_id(row: ClassifiedRow) -> str:
    if row.uscc:
        return "co:" + row.uscc.lower()
    key = name_key(row.legal_name or row.name or "")
    return "co:n" + hashlib.sha1(key.encode()).hexdigest()[:12]


def _sources(*props: dict[str, Any] | None) -> list[str]:
    found: dict[str, None] = {}
    for p in props:
        if not p:
            continue
        for s in [*(p.get("sources") or []), p.get("source")]:
            if isinstance(s, str) and s and s != "unverified":
                found[s] = None
    return list(found)


def load_classified(
    store: GraphStore,
    paths: Sequence[str | Path],
    *,
    mapping: str | Path | None = None,
    options: Options | None = None,
    dry_run: bool = False,
    source: str | None = None,
    as_of: str | None = None,
) -> LoadDiff:
    """Classify ``paths`` and merge the result into ``store`` (unless ``dry_run``).

    Parameters
    ----------
    store
        Where firms go.
    paths
        Registry files, as for :func:`chaingraph.classify.classify_files`.
    mapping, options
        As for classify; ``options.skip_bad`` off makes any bad row stop the load
        before anything is written.
    dry_run
        Compute the diff only.
    source, as_of
        Provenance for rows without their own (default: the file's name).

    Returns
    -------
    LoadDiff

    Raises
    ------
    DataError
        A bad row without ``skip_bad`` (nothing is written), or a file that cannot be read.
    """
    options = options or Options()
    bad: list[Issue] = []
    model = store.model
    nodes: dict[str, dict[str, Any]] = {}
    node_where: dict[str, tuple[str, int]] = {}
    rels: dict[tuple[str, str, str, str], Relationship] = {}
    conflicts: list[Conflict] = []
    run_ids: dict[str, str] = {}
    closed = firms_created = firms_matched = 0
    for row in classify_files(store, paths, mapping=mapping, options=options, bad=bad):
        if row.closed:
            closed += 1
            continue
        provenance = {
            "source": row.source or source or f"registry {Path(row.file).name}",
            **({"as_of": row.as_of or as_of} if (row.as_of or as_of) else {}),
        }
        incoming: dict[str, Any] = {"name": row.name, **provenance}
        if row.legal_name:
            incoming["legal_name"] = row.legal_name
        if row.uscc:
            incoming["uscc"] = row.uscc
        board = _board(row)
        if row.stock_code and board:
            incoming["listing"] = {"board": board, "code": row.stock_code}
        if row.former_names:
            incoming["aliases"] = list(row.former_names)
        if row.status:
            incoming["status"] = row.status
        keys = [k for k in (row.uscc, row.stock_code, name_key(row.legal_name or "")) if k]
        # a firm this load created earlier, by code: as a later load would find it
        by_code = next((run_ids[k] for k in (row.uscc, row.stock_code) if k and k in run_ids), None)
        match_id = row.match["id"] if row.match else None
        if by_code and (row.match is None or row.match["by"] not in ("credit_code", "stock_code")):
            match_id = by_code
        if match_id is None:
            match_id = next((run_ids[k] for k in keys if k in run_ids), None)

        def owner(key: str, me: str) -> str | None:
            found = run_ids.get(key) or store.company_by_name_key(key)
            return found if found and found != me else None

        if match_id is not None:
            stored = store.get(match_id)
            base = dict(nodes.get(match_id) or (stored.props if stored else {}))
            node_id = match_id
            if _conflicts(row, node_id, base, incoming, conflicts, owner):
                continue
            if stored is not None:
                firms_matched += 1
        else:
            node_id = _new_id(row)
            base = dict(nodes.get(node_id) or {})
            if base:
                if _conflicts(row, node_id, base, incoming, conflicts, owner):
                    continue
            else:
                firms_created += 1
        for k in keys:
            run_ids.setdefault(k, node_id)
        nodes[node_id] = _combine(base, incoming)
        node_where.setdefault(node_id, (row.file, row.line))
        for product in row.products:
            if product["evidence"] not in MAKES_LEVELS:
                continue
            props: dict[str, Any] = {
                **provenance,
                "evidence": product["evidence"],
                "confidence": product["confidence"],
                "basis": product["term"],
            }
            if product.get("share") is not None:
                props["revenue_share"] = round(float(product["share"]), 6)
            _add_rel(
                store,
                rels,
                Relationship("MAKES", node_id, product["id"], "", props),
                row,
                conflicts,
            )
        place = row.town or row.city_id
        if place:
            props = {**provenance, "role": "注册地"}
            _add_rel(
                store,
                rels,
                Relationship("LOCATED_IN", node_id, place, "注册地", props),
                row,
                conflicts,
            )

    node_list = [Node(i, "Company", p) for i, p in nodes.items()]
    for node in node_list:
        for problem in model.check_node(node):
            file, line = node_where[node.id]
            bad.append(
                Issue(
                    file,
                    problem.message,
                    line=line,
                    field=problem.field,
                    value=problem.value,
                    expected=problem.expected,
                )
            )
    rel_list = list(rels.values())
    for rel in rel_list:
        for problem in model.check_relationship(
            rel, "Company", "Product" if rel.type == "MAKES" else "Region"
        ):
            file, line = node_where.get(rel.source, ("?", 0))
            bad.append(
                Issue(
                    file,
                    problem.message,
                    line=line,
                    field=problem.field,
                    value=problem.value,
                    expected=problem.expected,
                )
            )
    if bad and not options.skip_bad:
        raise DataError(bad)
    bad_ids = set()  # rows reported bad by the model are left out whole
    for issue in bad:
        for node in node_list:
            if node_where.get(node.id) == (issue.file, issue.line):
                bad_ids.add(node.id)
    node_list = [n for n in node_list if n.id not in bad_ids]
    rel_list = [r for r in rel_list if r.source not in bad_ids]

    created = updated = unchanged = 0
    changes: list[dict[str, Any]] = []
    for node in node_list:
        stored = store.get(node.id)
        if stored is None:
            created += 1
            changes.append(
                {
                    "action": "create",
                    "kind": "Company",
                    "id": node.id,
                    "name": node.props.get("name"),
                }
            )
        elif _merged(stored.props, node.props) != stored.props:
            updated += 1
            changes.append(
                {
                    "action": "update",
                    "kind": "Company",
                    "id": node.id,
                    "name": node.props.get("name"),
                }
            )
        else:
            unchanged += 1
    for rel in rel_list:
        old = _stored_rel(store, rel)
        if old is None:
            created += 1
            changes.append(
                {"action": "create", "kind": rel.type, "id": rel.source, "name": rel.target}
            )
        elif _merged(old.props, rel.props) != old.props:
            updated += 1
            changes.append(
                {"action": "update", "kind": rel.type, "id": rel.source, "name": rel.target}
            )
        else:
            unchanged += 1
    report = None
    if not dry_run and (node_list or rel_list):
        report = store.merge(node_list, rel_list)
    return LoadDiff(
        created,
        updated,
        unchanged,
        conflicts,
        firms_created,
        firms_matched,
        sum(1 for r in rel_list if r.type == "MAKES"),
        sum(1 for r in rel_list if r.type == "LOCATED_IN"),
        closed,
        bad,
        dry_run,
        report,
        changes,
    )


def _merged(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    from chaingraph.store.merging import merge_props

    return merge_props(old, new)


def _conflicts(
    row: ClassifiedRow,
    node_id: str,
    base: dict[str, Any],
    incoming: dict[str, Any],
    conflicts: list[Conflict],
    owner: Any = None,
) -> bool:
    """Record what the row may not change; True when the row is refused whole
    (a different credit code or listing, or another firm's legal name: the row may be
    another firm)."""
    firm = str(base.get("name") or node_id)

    def add(fld: str, stored: Any, value: Any, resolution: str) -> None:
        conflicts.append(
            Conflict(row.file, row.line, firm, node_id, fld, stored, value, resolution)
        )

    refused = False
    for fld in _IDENTITY:
        stored, value = base.get(fld), incoming.get(fld)
        if fld == "listing" and isinstance(stored, dict) and isinstance(value, dict):
            stored_code = (
                stock_code(stored.get("code")) if is_a_share(stored.get("board")) else None
            )
            value_code = value.get("code")
            if stored_code and value_code and stored_code != value_code:
                add(
                    "listing.code",
                    stored_code,
                    value_code,
                    "row not applied: another firm's listing?",
                )
                refused = True
            incoming.pop("listing", None)  # a stored listing is never replaced
        elif stored is not None and value is not None and stored != value:
            add(fld, stored, value, "row not applied: another firm's code?")
            refused = True
    legal = incoming.get("legal_name")
    if not refused and owner is not None and isinstance(legal, str):
        other = owner(name_key(legal), node_id)
        if other is not None and name_key(str(base.get("legal_name") or "")) != name_key(legal):
            add(
                "legal_name",
                base.get("legal_name"),
                legal,
                f"row not applied: the legal name of {other}",
            )
            refused = True
    if refused:
        return True
    aliases = list(incoming.get("aliases") or [])
    stored_name, value_name = base.get("name"), incoming.get("name")
    other_name = bool(
        stored_name and value_name and name_key(str(stored_name)) != name_key(str(value_name))
    )
    if other_name and base.get("legal_name") is None and incoming.get("legal_name"):
        # known under another name (a former shell, a renamed firm): an alias, not its legal name
        aliases.append(incoming.pop("legal_name"))
    for fld in _NAMES:
        stored, value = base.get(fld), incoming.get(fld)
        if stored is not None and value is not None and stored != value:
            if name_key(str(stored)) != name_key(str(value)):
                add(fld, stored, value, "not renamed; kept as an alias")
            if value not in aliases:
                aliases.append(value)
            incoming.pop(fld)
    if aliases:
        incoming["aliases"] = aliases
    documented = base.get("source") not in (None, "unverified")
    for fld, value in list(incoming.items()):
        if fld in _IDENTITY or fld in _NAMES or fld in _PROVENANCE or fld == "aliases":
            continue
        stored = base.get(fld)
        if stored is not None and stored != value and documented:
            add(fld, stored, value, "sourced value kept")
            incoming.pop(fld)
    return False


def _combine(base: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any]:
    """Stored props with the row's new facts; the stored source stays, both are listed."""
    if not base:
        return dict(incoming)
    merged = _merged(base, {k: v for k, v in incoming.items() if k not in ("source", "as_of")})
    if base.get("source") is None and incoming.get("source"):
        merged["source"] = incoming["source"]
        if incoming.get("as_of"):
            merged["as_of"] = incoming["as_of"]
    sources = _sources(base, incoming)
    if len(sources) > 1:
        merged["sources"] = sources
    return merged


def _stored_rel(store: GraphStore, rel: Relationship) -> Relationship | None:
    for old in store.relationships(rel.type, source=rel.source, target=rel.target):
        if old.key == rel.key:
            return old
    return None


def _add_rel(
    store: GraphStore,
    rels: dict[tuple[str, str, str, str], Relationship],
    rel: Relationship,
    row: ClassifiedRow,
    conflicts: list[Conflict],
) -> None:
    known = rels.get(rel.identity)
    old = known or _stored_rel(store, rel)
    if old is None:
        rels[rel.identity] = rel
        return
    props = dict(rel.props)
    share_old, share_new = old.props.get("revenue_share"), props.get("revenue_share")
    documented = old.props.get("source") not in (None, "unverified")
    if share_old is not None and share_new is not None and share_old != share_new and documented:
        conflicts.append(
            Conflict(
                row.file,
                row.line,
                rel.source,
                rel.source,
                f"{rel.type} {rel.target}.revenue_share",
                share_old,
                share_new,
                "sourced value kept",
            )
        )
        props.pop("revenue_share")
    merged = dict(old.props)
    rank = {"strong": 3, "medium": 2, "weak": 1}
    if rank.get(str(props.get("evidence")), 0) > rank.get(str(merged.get("evidence")), 0) or (
        props.get("evidence") == merged.get("evidence")
        and float(props.get("confidence") or 0) > float(merged.get("confidence") or 0)
    ):
        merged.update({k: props[k] for k in ("evidence", "confidence", "basis") if k in props})
    for k, v in props.items():
        if k not in merged:
            merged[k] = v
    sources = _sources(old.props, props)
    if len(sources) > 1:
        merged["sources"] = sources
    rels[rel.identity] = Relationship(rel.type, rel.source, rel.target, rel.key, merged)
