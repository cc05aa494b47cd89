"""Which company a record is: one 统一社会信用代码, then one normalised legal name, is one firm.

Rows of a load and companies already stored are matched alike, so a reload changes
nothing and names a row replaces stay known as aliases.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from chaingraph.loaders.batch import Batch
from chaingraph.loaders.located import Where, field_where
from chaingraph.names import check_uscc, name_key, name_variants

__all__ = ["company_identity"]


def company_identity(
    batch: Batch, record: Mapping[str, Any], props: dict[str, Any], here: Where, store: Any
) -> str | None:
    """Deduplicate: the same 统一社会信用代码, then the same normalised legal name, is one company."""
    uscc = None
    if props.get("uscc") is not None:
        try:
            uscc = check_uscc(str(props["uscc"]))
            props["uscc"] = uscc
        except ValueError as exc:
            batch.issue(
                field_where(record, "uscc", here),
                str(exc),
                props["uscc"],
                "the 18-character code on the business licence (GB 32100-2015)",
            )
            return None
    legal = props.get("legal_name")
    name = props.get("name") or legal
    if not isinstance(name, str) or not name:
        batch.issue(
            here.at("name"), "required field is missing", None, "the company's short or legal name"
        )
        return None
    name_given = "name" in props
    props.setdefault("name", name)
    if isinstance(legal, str):
        aliases = [a for a in name_variants(legal) if a not in (name, legal)]
        raw_legal = record.get("legal_name")
        if isinstance(raw_legal, str) and raw_legal.strip() != legal:
            aliases.append(raw_legal.strip())
        _add_aliases(props, aliases)
    key = name_key(legal if isinstance(legal, str) else name)
    # Index the short name's key too, as the store does, so that a batch merges
    # the same rows whether they arrive in one load or in two.
    keys = dict.fromkeys([key, name_key(name)])
    explicit = record.get("id")
    by_uscc = uscc and (batch.uscc_index.get(uscc) or store.company_by_uscc(uscc))
    if explicit:
        node_id = str(explicit).strip()
        if by_uscc and by_uscc != node_id:
            batch.warnings.append(
                f"{here.file}:{here.line}: {node_id} has the USCC of {by_uscc}; merged into it"
            )
            node_id = by_uscc
        else:
            twin = _twin_by_key(batch, store, key)
            if twin and twin != node_id:
                batch.warnings.append(
                    f"{here.file}:{here.line}: {node_id} has the same normalised name as {twin}; "
                    "kept apart because both have explicit ids (merge them if they are one firm)"
                )
    else:
        twin = _twin_by_key(batch, store, key)
        twin_uscc = _uscc_of(batch, store, twin) if twin else None
        if twin and uscc and twin_uscc and twin_uscc != uscc:
            # Two registrations (different 统一社会信用代码) are two firms, whatever the name.
            batch.warnings.append(
                f"{here.file}:{here.line}: {name} has the same normalised name as {twin} "
                f"but a different USCC ({uscc} vs {twin_uscc}); kept apart"
            )
            twin = None
        node_id = by_uscc or twin or ""
        if not node_id:
            node_id = "co:" + (
                uscc.lower() if uscc else "n" + hashlib.sha1(key.encode()).hexdigest()[:12]
            )
        elif node_id in batch.nodes:
            batch.warnings.append(f"{here.file}:{here.line}: duplicate of {node_id}; rows merged")
    _keep_old_names(batch, store, node_id, props, name_given)
    if uscc:
        batch.uscc_index.setdefault(uscc, node_id)
    for k in keys:
        if k:
            known = batch.company_keys.setdefault(k, node_id)
            if known != node_id:
                batch.company_keys[k] = None
    return node_id


def _twin_by_key(batch: Batch, store: Any, key: str) -> str | None:
    """The one company (in this load or stored) whose name has ``key``, if exactly one.

    A key two companies share (kept apart by their USCC) names neither: which one a
    row joined would depend on the order rows arrive in, and reloads would differ.
    """
    stored = store.company_by_name_key(key)
    if key not in batch.company_keys:
        return stored
    found = batch.company_keys[key]
    if found is None or (stored is not None and stored != found):
        return None
    return found


def _keep_old_names(
    batch: Batch, store: Any, node_id: str, props: dict[str, Any], name_given: bool
) -> None:
    """A duplicate row must not erase how the company was known: names it replaces
    become aliases, and a row without a short name keeps the one already known.

    Names already stored are compared once the whole load is read (see
    :func:`chaingraph.loaders.resolve.keep_stored_names`): a row may be replaced by a
    later row of the same load, and reloading the same files must change nothing.
    """
    if node_id in batch.nodes:
        known: Mapping[str, Any] = batch.nodes[node_id][1]
    else:
        stored = store.get(node_id)
        if stored is not None and not name_given and stored.props.get("name"):
            props["name"] = stored.props["name"]
        return
    if not name_given and known.get("name"):
        props["name"] = known["name"]  # ours was only the legal name standing in for one
    kept = [
        known[field]
        for field in ("name", "legal_name")
        if isinstance(known.get(field), str)
        and props.get(field) not in (None, known[field])
        and known[field] not in (props.get("name"), props.get("legal_name"))
    ]
    _add_aliases(props, kept)


def _add_aliases(props: dict[str, Any], extra: list[str]) -> None:
    known = props.get("aliases")
    if extra and (known is None or isinstance(known, list)):
        props["aliases"] = list(known or []) + extra
    # Anything else is the wrong type: left as it is for the model check to report.


def _uscc_of(batch: Batch, store: Any, node_id: str) -> str | None:
    if node_id in batch.nodes:
        found = batch.nodes[node_id][1].get("uscc")
        if found:
            return str(found)
    node = store.get(node_id)
    return node.props.get("uscc") if node is not None else None
