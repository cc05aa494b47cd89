"""Relationships from records: a node's nested fields (``makes``, ``segment``, ``focus``...)
and generic ``{type, from, to}`` records, with ends still given as ids or names.

:mod:`chaingraph.loaders.resolve` turns the ends into ids once every file is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chaingraph.loaders.batch import Batch, PendingRel, Ref, text_is_clean
from chaingraph.loaders.coerce import coerce_props
from chaingraph.loaders.located import Where, field_where, item_line_of, line_of
from chaingraph.model import Model
from chaingraph.names import normalize_text

__all__ = ["collect_nested", "collect_relationships", "relationship_type"]


def collect_nested(
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
        where = field_where(record, field_name, here)
        if not isinstance(value, list):
            return [(value, where)]
        return [
            (
                v,
                Where(
                    where.file,
                    line_of(v, None) or item_line_of(value, i, where.line),
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
        here = Where(where.file, line_of(record, None) or where.line, path)
        if not isinstance(record, Mapping):
            batch.issue(here, "record must be a mapping", record, "{type, from, to, ...}")
            continue
        if not text_is_clean(batch, record, here, {}):
            continue
        rel_type = relationship_type(record.get("type"), model)
        spec = model.relationship_types.get(str(rel_type))
        if spec is None:
            batch.issue(
                field_where(record, "type", here),
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
                    field_where(record, end, here),
                    "required field is missing",
                    value,
                    " or ".join(types) + " id or name",
                )
            ends.append(Ref(str(value).strip(), tuple(types), field_where(record, end, here)))
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
        coerce_props(props, spec, record, here, batch)
        key_field = spec.get("key")
        key_ref = None
        key = str(record.get("key") or "")
        if key_field == "product" and props.get("product"):
            key_ref = Ref(
                str(props.pop("product")), ("Product",), field_where(record, "product", here)
            )
        elif key_field and props.get(key_field) is not None:
            key = str(props[key_field])
        batch.pending.append(PendingRel(str(rel_type), ends[0], ends[1], props, here, key_ref, key))


def relationship_type(value: Any, model: Model) -> Any:
    """``MAKES``, ``makes`` or the Chinese label (生产) when only one type has it."""
    if not isinstance(value, str) or value in model.relationship_types:
        return value
    text = normalize_text(value)
    if text.upper() in model.relationship_types:
        return text.upper()
    by_label = [t for t, s in model.relationship_types.items() if s.get("label_zh") == text]
    return by_label[0] if len(by_label) == 1 else value
