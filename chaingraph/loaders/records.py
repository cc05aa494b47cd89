"""Turn authoring-format records into nodes and (not yet resolved) relationships.

Nested fields (a product's ``segment``, a company's ``makes``…) become
relationships whose ends may still be names; :mod:`chaingraph.loaders.resolve`
turns those into ids once every file of a load has been read.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chaingraph.errors import Issue
from chaingraph.loaders.located import LocatedDict, LocatedList, Where
from chaingraph.loaders.mapping import SECTIONS
from chaingraph.loaders.text import bad_texts
from chaingraph.model import ID_PATTERN, Model
from chaingraph.names import check_uscc, name_key, name_variants, normalize_text
from chaingraph.store.merging import merge_props

__all__ = ["Batch", "PendingRel", "Ref", "collect_document", "collect_records", "combine_props"]

PROVENANCE = ("source", "as_of", "confidence")
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
                _key_where(doc, key, top),
                "unknown top-level key",
                key,
                "one of " + ", ".join(sorted(DOCUMENT_KEYS)),
            )
    defaults = {k: doc[k] for k in PROVENANCE if doc.get(k) is not None}
    if not _text_is_clean(batch, defaults, top, defaults):
        return
    for section, node_type in SECTIONS.items():
        records = doc.get(section)
        if records is None:
            continue
        if not isinstance(records, list):
            batch.issue(
                _key_where(doc, section, top),
                "section must be a list of records",
                type(records).__name__,
                "a YAML list (lines starting with '- ')",
            )
            continue
        collect_records(
            batch,
            records,
            node_type,
            Where(origin, _line(doc, section), section),
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
                Where(origin, _line(doc, "relationships"), "relationships"),
                defaults,
                model,
            )
        else:
            batch.issue(_key_where(doc, "relationships", top), "section must be a list of records")


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
        here = Where(where.file, _line(record, None) or where.line, path)
        if not isinstance(record, Mapping):
            batch.issue(here, "record must be a mapping of fields", record, "key: value pairs")
            continue
        if _text_is_clean(batch, record, here, record):
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
    _coerce(props, model.node_types[node_type], record, here, batch)
    for text_field in ("name", "legal_name"):
        if isinstance(props.get(text_field), str):
            props[text_field] = normalize_text(props[text_field])

    if node_type == "Company":
        node_id = _company_identity(batch, record, props, here, store)
    else:
        node_id = _plain_id(batch, record, here)
    if node_id is None:
        _remember_failed(batch, record, props)
        return
    if not ID_PATTERN.match(node_id) or model.type_of_id(node_id) != node_type:
        batch.issue(
            _field_where(record, "id", here),
            "malformed id",
            node_id,
            f"{model.id_prefixes[node_type]}<lowercase a-z 0-9 . - _>",
        )
        _remember_failed(batch, record, props)
        return
    _add_node(batch, node_id, node_type, props, here)
    provenance = {k: props[k] for k in PROVENANCE if k in props}
    _nested_relationships(batch, node_id, node_type, record, here, provenance)


def _text_is_clean(
    batch: Batch, record: Mapping[str, Any], here: Where, names: Mapping[str, Any]
) -> bool:
    """Report control characters, lone surrogates and runaway lengths in ``record``.

    A record holding any is left out whole (``names`` say how references to it
    look, so that they are not reported again).
    """
    found = list(bad_texts(dict(record)))
    for path, message, value, expected in found[:5]:
        head = path.split(".")[0].split("[")[0]
        batch.issue(here.at(path, _line(record, head)), message, value, expected)
    if found:
        _remember_failed(batch, names, names)
    return not found


def _remember_failed(batch: Batch, record: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    """A record left out for a reported problem: references to it are not reported again."""
    for value in (record.get("id"), props.get("name"), props.get("legal_name")):
        if isinstance(value, str) and value.strip():
            batch.failed.add(normalize_text(value).lower())


def _plain_id(batch: Batch, record: Mapping[str, Any], here: Where) -> str | None:
    node_id = record.get("id")
    if not isinstance(node_id, str) or not node_id.strip():
        batch.issue(
            here.at("id"), "required field is missing", node_id, "an id such as prod:servo-motor"
        )
        return None
    return node_id.strip()


def _company_identity(
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
                _field_where(record, "uscc", here),
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


def _add_node(
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


def _nested_relationships(
    batch: Batch,
    node_id: str,
    node_type: str,
    record: Mapping[str, Any],
    here: Where,
    provenance: Mapping[str, Any],
) -> None:
    me = Ref(node_id, (node_type,), here)

    def ref(value: Any, types: tuple[str, ...], where: Where) -> Ref | None:
        if isinstance(value, str) and value.strip():
            return Ref(value.strip(), types, where)
        batch.issue(where, "expected an id or a name", value, " or ".join(types) + " id or name")
        return None

    def add(
        rel_type: str,
        src: Ref | None,
        dst: Ref | None,
        props: dict[str, Any],
        where: Where,
        key_ref: Ref | None = None,
        key: str = "",
    ) -> None:
        if src is not None and dst is not None:
            batch.pending.append(
                PendingRel(rel_type, src, dst, {**provenance, **props}, where, key_ref, key)
            )

    def items(field_name: str) -> list[tuple[Any, Where]]:
        value = record.get(field_name)
        if value is None or value == "":
            return []
        where = _field_where(record, field_name, here)
        if not isinstance(value, list):
            return [(value, where)]
        return [
            (
                v,
                Where(
                    where.file,
                    _line(v, None) or _item_line(value, i, where.line),
                    f"{where.path}[{i}]",
                ),
            )
            for i, v in enumerate(value)
        ]

    def split(value: Any, main: str, where: Where) -> tuple[Any, dict[str, Any]]:
        # A nested item is an id/name or a mapping of {main: id/name, other props}.
        if isinstance(value, Mapping):
            rest = {k: v for k, v in value.items() if k != main and v is not None}
            return value.get(main), rest
        return value, {}

    if node_type == "Segment":
        for value, where in items("chain"):
            add("PART_OF", me, ref(value, ("Chain",), where), {}, where)
        for value, where in items("parent"):
            add("PART_OF", me, ref(value, ("Segment",), where), {}, where)
        if not record.get("chain") and not record.get("parent"):
            batch.issue(
                here.at("chain"),
                "a segment must name its chain or parent segment",
                None,
                "chain: chain:<id> or parent: seg:<id>",
            )
    elif node_type == "Product":
        for value, where in items("segment") + items("segments"):
            add("IN_SEGMENT", me, ref(value, ("Segment",), where), {}, where)
        for value, where in items("inputs"):
            target, props = split(value, "product", where)
            add("INPUT_TO", ref(target, ("Product",), where), me, props, where)
    elif node_type == "Region":
        for value, where in items("parent"):
            add("IN", me, ref(value, ("Region",), where), {}, where)
    elif node_type == "Base":
        for value, where in items("region"):
            add("IN", me, ref(value, ("Region",), where), {}, where)
        for value, where in items("focus"):
            target, props = split(value, "target", where)
            add("FOCUSES_ON", me, ref(target, ("Chain", "Segment", "Product"), where), props, where)
    elif node_type == "Platform":
        for value, where in items("region") + items("regions"):
            target, props = split(value, "region", where)
            add("IN", me, ref(target, ("Region",), where), props, where)
        for value, where in items("supports"):
            target, props = split(value, "target", where)
            kinds = ("Chain", "Segment", "Product", "Base")
            add("SUPPORTS", me, ref(target, kinds, where), props, where)
    elif node_type == "Company":
        for value, where in items("hq"):
            add(
                "LOCATED_IN",
                me,
                ref(value, ("Region", "Base"), where),
                {"role": "总部"},
                where,
                key="总部",
            )
        for value, where in items("sites"):
            if isinstance(value, Mapping):
                place = value.get("base") or value.get("region")
                types = ("Base",) if value.get("base") else ("Region", "Base")
                props = {
                    k: v for k, v in value.items() if k not in ("base", "region") and v is not None
                }
            else:
                place, types, props = value, ("Region", "Base"), {}
            props.setdefault("role", "生产")
            add("LOCATED_IN", me, ref(place, types, where), props, where, key=str(props["role"]))
        for value, where in items("makes"):
            target, props = split(value, "product", where)
            add("MAKES", me, ref(target, ("Product",), where), props, where)
        for value, where in items("supplies"):
            customer, props = split(value, "customer", where)
            product = props.pop("product", None)
            key_ref = ref(product, ("Product",), where.at("product")) if product else None
            add("SUPPLIES", me, ref(customer, ("Company",), where), props, where, key_ref=key_ref)
        for value, where in items("parent_company"):
            add("SUBSIDIARY_OF", me, ref(value, ("Company",), where), {}, where)


def collect_relationships(
    batch: Batch, records: Iterable[Any], where: Where, defaults: Mapping[str, Any], model: Model
) -> None:
    """Add generic relationship records ``{type, from, to, ...}`` to ``batch``."""
    for index, record in enumerate(records):
        path = f"{where.path}[{index}]" if where.path else ""
        here = Where(where.file, _line(record, None) or where.line, path)
        if not isinstance(record, Mapping):
            batch.issue(here, "record must be a mapping", record, "{type, from, to, ...}")
            continue
        if not _text_is_clean(batch, record, here, {}):
            continue
        rel_type = _relationship_type(record.get("type"), model)
        spec = model.relationship_types.get(str(rel_type))
        if spec is None:
            batch.issue(
                _field_where(record, "type", here),
                "unknown relationship type",
                rel_type,
                "one of " + ", ".join(model.relationship_types),
            )
            continue
        ends = []
        for end, types in (("from", spec["from"]), ("to", spec["to"])):
            value = record.get(end)
            if not isinstance(value, str) or not value.strip():
                batch.issue(
                    _field_where(record, end, here),
                    "required field is missing",
                    value,
                    " or ".join(types) + " id or name",
                )
            ends.append(Ref(str(value).strip(), tuple(types), _field_where(record, end, here)))
        if len(ends) != 2 or any(not e.text or e.text == "None" for e in ends):
            continue
        props = {
            **defaults,
            **{
                k: v
                for k, v in record.items()
                if k not in ("type", "from", "to", "key") and v is not None
            },
        }
        _coerce(props, spec, record, here, batch)
        key_field = spec.get("key")
        key_ref = None
        key = str(record.get("key") or "")
        if key_field == "product" and props.get("product"):
            key_ref = Ref(
                str(props.pop("product")), ("Product",), _field_where(record, "product", here)
            )
        elif key_field and props.get(key_field) is not None:
            key = str(props[key_field])
        batch.pending.append(PendingRel(str(rel_type), ends[0], ends[1], props, here, key_ref, key))


def _relationship_type(value: Any, model: Model) -> Any:
    """``MAKES``, ``makes`` or the Chinese label (生产) when only one type has it."""
    if not isinstance(value, str) or value in model.relationship_types:
        return value
    text = normalize_text(value)
    if text.upper() in model.relationship_types:
        return text.upper()
    by_label = [t for t, s in model.relationship_types.items() if s.get("label_zh") == text]
    return by_label[0] if len(by_label) == 1 else value


_DATE = re.compile(r"(\d{4})(?:[-/.年](\d{1,2})月?(?:[-/.月](\d{1,2})日?)?)?年?")


def _coerce(
    props: dict[str, Any],
    spec: Mapping[str, Any],
    record: Mapping[str, Any],
    here: Where,
    batch: Batch,
) -> None:
    """Table cells arrive as text: turn them into the numbers and booleans the model declares.

    Also the reverse: a spreadsheet stores a stock code (300124) as a number, but the
    model wants text. Nested objects (``listing.code``) are converted field by field.
    """
    declared = spec.get("properties", {})
    if "as_of" in props:
        props["as_of"] = _as_of(props["as_of"])
    for key, value in list(props.items()):
        schema = declared.get(key, {})
        label = record.label_of(key) if isinstance(record, LocatedDict) else key
        if schema.get("type") == "object" and isinstance(value, Mapping):
            inner = dict(value)
            for sub, sub_value in value.items():
                sub_kind = schema.get("properties", {}).get(sub, {}).get("type")
                try:
                    inner[sub] = _convert(sub_value, sub_kind)
                except ValueError:
                    batch.issue(
                        _field_where(record, key, here, f"{label}.{sub}"),
                        f"not a valid {sub_kind}",
                        sub_value,
                        f"a {sub_kind}",
                    )
            props[key] = inner
            continue
        kind = "number" if key == "confidence" else schema.get("type")
        try:
            props[key] = _convert(value, kind)
        except ValueError:
            if kind and is_storable_number(value):
                article = "an" if str(kind)[0] in "aeiou" else "a"
                message, expected = f"not a valid {kind}", f"{article} {kind}"
            else:
                message, expected = UNSTORABLE, "a finite number"
            batch.issue(
                _field_where(record, key, here, label),
                message,
                value,
                expected + (" (true/false)" if kind == "boolean" else ""),
            )
            props.pop(key)


def _convert(value: Any, kind: Any) -> Any:
    """``value`` as the declared JSON-schema ``kind``; ValueError if it cannot be."""
    if not is_storable_number(value):
        raise ValueError(value)
    if kind == "string" and isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    if not isinstance(value, str) or kind not in ("integer", "number", "boolean"):
        return value
    text = normalize_text(value).replace(",", "")
    if kind == "boolean":
        lowered = text.lower()
        if lowered not in ("true", "false", "yes", "no", "是", "否", "1", "0"):
            raise ValueError(text)
        return lowered in ("true", "yes", "是", "1")
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    if kind == "integer" and number.is_integer():
        return int(number)
    return number


UNSTORABLE = "not a storable number (NaN, infinite, or beyond 64 bits)"


def is_storable_number(value: Any) -> bool:
    """False for NaN and infinities (they pass every minimum/maximum check, and JSON has
    none) and for integers beyond 64 bits (the store file cannot hold them)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return -(2**63) <= value < 2**63  # signed 64 bits: what Neo4j stores too
    return True


def _as_of(value: Any) -> Any:
    """Dates as spreadsheets write them (2024, 2024/6/30, 2024年6月) in the model's form."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return str(int(value))
    if not isinstance(value, str):
        return value
    match = _DATE.fullmatch(normalize_text(value).replace(" ", ""))
    if match is None:
        return value
    year, month, day = match.groups()
    parts = [year] + [f"{int(p):02d}" for p in (month, day) if p]
    return "-".join(parts)


def _line(value: Any, key: str | None) -> int | None:
    if isinstance(value, LocatedDict):
        return value.line_of(key) if key else value.line
    return None


def _item_line(items: list[Any], index: int, default: int | None) -> int | None:
    return items.line_at(index) if isinstance(items, LocatedList) else default


def _field_where(
    record: Mapping[str, Any], key: str, here: Where, label: str | None = None
) -> Where:
    if label is None and isinstance(record, LocatedDict):
        label = record.label_of(key)
    return here.at(label or key, _line(record, key))


def _key_where(doc: Mapping[str, Any], key: str, top: Where) -> Where:
    return top.at(key, _line(doc, key))
