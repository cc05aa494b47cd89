"""Mapping specs: which table column becomes which field of which record section.

A spec is a small YAML file (see ``ingest/mappings/``)::

    chaingraph_mapping: 1
    section: companies            # every row becomes one record of this section
    columns:                      # column header -> field (dotted for nested: listing.code)
      企业名称: legal_name
      统一社会信用代码: uscc
      主营产品: makes
    list_separator: "[;；、,，|]"  # splits list fields (aliases, tags, makes, inputs, ...)
    defaults: {source: 某数据源, as_of: "2024"}
    sheet: 企业名录                # XLSX only
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chaingraph.errors import DataError, Issue
from chaingraph.loaders.located import LocatedDict
from chaingraph.resources import data_dir

__all__ = ["SECTIONS", "MappingSpec", "apply_mapping", "find_mapping", "load_mapping"]

SECTIONS = {
    "chains": "Chain",
    "segments": "Segment",
    "products": "Product",
    "regions": "Region",
    "bases": "Base",
    "companies": "Company",
}
LIST_FIELDS = frozenset(
    {"aliases", "tags", "makes", "inputs", "segments", "sites", "supplies", "focus"}
)
DEFAULT_SEPARATOR = r"[;；、,，|]"


@dataclass(frozen=True)
class MappingSpec:
    """A parsed mapping spec."""

    section: str
    columns: dict[str, str]
    origin: str
    list_separator: str = DEFAULT_SEPARATOR
    defaults: dict[str, Any] = field(default_factory=dict)
    sheet: str | None = None


def load_mapping(path: Path) -> MappingSpec:
    """Read and check a mapping spec file."""
    from chaingraph.loaders.readers import read_document

    doc = read_document(path)
    origin = str(path)
    issues = []
    if doc.get("chaingraph_mapping") != 1:
        issues.append(Issue(origin, "not a mapping spec", field="chaingraph_mapping",
                            value=doc.get("chaingraph_mapping"), expected="chaingraph_mapping: 1"))
    section = doc.get("section")
    if section not in (*SECTIONS, "relationships"):
        issues.append(Issue(origin, "unknown section", field="section", value=section,
                            expected="one of " + ", ".join([*SECTIONS, "relationships"])))
    columns = doc.get("columns")
    if not isinstance(columns, Mapping) or not columns:
        issues.append(Issue(origin, "columns must map column headers to fields", field="columns",
                            expected="e.g. {企业名称: legal_name}"))
        columns = {}
    separator = str(doc.get("list_separator", DEFAULT_SEPARATOR))
    try:
        re.compile(separator)
    except re.error as exc:
        issues.append(Issue(origin, f"bad regular expression ({exc})", field="list_separator",
                            value=separator, expected="a regular expression such as [;、,]"))
    defaults = doc.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        issues.append(Issue(origin, "defaults must be a mapping", field="defaults"))
        defaults = {}
    if issues:
        raise DataError(issues)
    return MappingSpec(
        section=str(section),
        columns={str(k): str(v) for k, v in columns.items()},
        origin=origin,
        list_separator=separator,
        defaults=dict(defaults),
        sheet=doc.get("sheet"),
    )


def find_mapping(table: Path, name: str | None) -> MappingSpec | None:
    """The spec for ``table``: ``name`` (a path or a bundled spec's name), else a sidecar file.

    The sidecar is ``<table stem>.mapping.yaml`` beside the table.
    """
    if name:
        candidate = Path(name)
        if not candidate.exists():
            bundled = data_dir("ingest") / "mappings" / f"{name}.yaml"
            if bundled.exists():
                candidate = bundled
            else:
                raise DataError([Issue(name, "mapping spec not found",
                                       expected="a file path or a name from ingest/mappings/")])
        return load_mapping(candidate)
    sidecar = table.with_name(f"{table.stem}.mapping.yaml")
    return load_mapping(sidecar) if sidecar.exists() else None


def apply_mapping(
    spec: MappingSpec, header: list[str], rows: list[LocatedDict], origin: str
) -> list[LocatedDict]:
    """Turn table rows into records of ``spec.section`` (fields renamed, lists split)."""
    missing = [c for c in spec.columns if c not in header]
    if missing:
        raise DataError(
            [Issue(origin, f"column {c!r} named in the mapping spec is not in the file", line=1,
                   expected=f"a header among: {', '.join(header)} (or fix {spec.origin})")
             for c in missing]
        )
    splitter = re.compile(spec.list_separator)
    records = []
    for row in rows:
        record = LocatedDict(spec.defaults)
        record.line = row.line
        for column, target in spec.columns.items():
            value = row.get(column)
            if isinstance(value, str):
                value = value.strip()
            if value is None or value == "":
                continue
            head = target.split(".")[0]
            if head in LIST_FIELDS and isinstance(value, str):
                value = [part.strip() for part in splitter.split(value) if part.strip()]
            _assign(record, target, value)
        # Errors then name the column the user sees, not our field name.
        record.columns = {t.split(".")[0]: c for c, t in spec.columns.items()}
        records.append(record)
    return records


def _assign(record: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    target = record
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value
