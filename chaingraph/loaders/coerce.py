"""Table cells arrive as text: turn them into the numbers, booleans and dates the model declares."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from chaingraph.loaders.batch import Batch
from chaingraph.loaders.located import LocatedDict, Where, field_where
from chaingraph.names import normalize_text

__all__ = ["UNSTORABLE", "coerce_props", "convert_cell", "is_storable_number", "normalise_as_of"]

_DATE = re.compile(r"(\d{4})(?:[-/.年](\d{1,2})月?(?:[-/.月](\d{1,2})日?)?)?年?")


def coerce_props(
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
        props["as_of"] = normalise_as_of(props["as_of"])
    for key, value in list(props.items()):
        schema = declared.get(key, {})
        label = record.label_of(key) if isinstance(record, LocatedDict) else key
        if schema.get("type") == "object" and isinstance(value, Mapping):
            inner = dict(value)
            for sub, sub_value in value.items():
                sub_kind = schema.get("properties", {}).get(sub, {}).get("type")
                try:
                    inner[sub] = convert_cell(sub_value, sub_kind)
                except ValueError:
                    batch.issue(
                        field_where(record, key, here, f"{label}.{sub}"),
                        f"not a valid {sub_kind}",
                        sub_value,
                        f"a {sub_kind}",
                    )
            props[key] = inner
            continue
        kind = "number" if key == "confidence" else schema.get("type")
        try:
            props[key] = convert_cell(value, kind)
        except ValueError:
            if kind and is_storable_number(value):
                article = "an" if str(kind)[0] in "aeiou" else "a"
                message, expected = f"not a valid {kind}", f"{article} {kind}"
            else:
                message, expected = UNSTORABLE, "a finite number"
            batch.issue(
                field_where(record, key, here, label),
                message,
                value,
                expected + (" (true/false)" if kind == "boolean" else ""),
            )
            props.pop(key)


def convert_cell(value: Any, kind: Any) -> Any:
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


def normalise_as_of(value: Any) -> Any:
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
