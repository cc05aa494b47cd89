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
    required: [企业名称]           # columns the file must have (others may be absent)
    sheet: 企业名录                # XLSX only

Real lists rarely have every column a spec knows, so a column the file lacks is
reported as a warning (its field stays empty) unless the spec marks it required.
"""

from __future__ import annotations

import copy
import re
import re._parser as re_parser  # the stdlib's own pattern parser, to vet a spec's pattern
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chaingraph.errors import DataError, Issue
from chaingraph.loaders.located import LocatedDict
from chaingraph.loaders.text import MAX_KEY, shorten, text_problem
from chaingraph.names import normalize_text
from chaingraph.resources import data_dir

__all__ = ["SECTIONS", "MappingSpec", "apply_mapping", "find_mapping", "load_mapping"]

SECTIONS = {
    "chains": "Chain",
    "segments": "Segment",
    "products": "Product",
    "regions": "Region",
    "bases": "Base",
    "companies": "Company",
    "platforms": "Platform",
}
LIST_FIELDS = frozenset(
    {"aliases", "tags", "makes", "inputs", "segments", "sites", "supplies", "focus", "supports"}
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
    required: tuple[str, ...] = ()


def load_mapping(path: Path) -> MappingSpec:
    """Read and check a mapping spec file."""
    from chaingraph.loaders.readers import read_document

    doc = read_document(path)
    origin = str(path)
    issues = []
    if doc.get("chaingraph_mapping") != 1:
        issues.append(
            Issue(
                origin,
                "not a mapping spec",
                field="chaingraph_mapping",
                value=doc.get("chaingraph_mapping"),
                expected="chaingraph_mapping: 1",
            )
        )
    section = doc.get("section")
    if section not in (*SECTIONS, "relationships"):
        issues.append(
            Issue(
                origin,
                "unknown section",
                field="section",
                value=section,
                expected="one of " + ", ".join([*SECTIONS, "relationships"]),
            )
        )
    columns = doc.get("columns")
    if not isinstance(columns, Mapping) or not columns:
        issues.append(
            Issue(
                origin,
                "columns must map column headers to fields",
                field="columns",
                expected="e.g. {企业名称: legal_name}",
            )
        )
        columns = {}
    separator = str(doc.get("list_separator", DEFAULT_SEPARATOR))
    problem = _separator_problem(separator)
    if problem:
        issues.append(
            Issue(
                origin,
                problem,
                field="list_separator",
                value=separator,
                expected="a regular expression such as [;、,]",
            )
        )
    defaults = doc.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        issues.append(Issue(origin, "defaults must be a mapping", field="defaults"))
        defaults = {}
    required = doc.get("required") or []
    if not isinstance(required, list) or any(str(c) not in (columns or {}) for c in required):
        issues.append(
            Issue(
                origin,
                "required must list column headers that appear under columns",
                field="required",
                value=required,
                expected="e.g. [企业名称]",
            )
        )
        required = []
    for column, target in columns.items():
        problem = text_problem(str(target), limit=MAX_KEY) or text_problem(str(column))
        if problem or not str(target).strip(". "):
            issues.append(
                Issue(
                    origin,
                    f"bad field name ({problem or 'empty'})",
                    field=f"columns.{shorten(str(column), 40)}",
                    value=target,
                    expected=f"a field name of at most {MAX_KEY} characters, e.g. legal_name",
                )
            )
    if issues:
        raise DataError(issues)
    return MappingSpec(
        section=str(section),
        columns={str(k): str(v) for k, v in columns.items()},
        origin=origin,
        list_separator=separator,
        defaults=dict(defaults),
        sheet=doc.get("sheet"),
        required=tuple(str(c) for c in required),
    )


# A spec may arrive beside the table it describes, so its pattern is untrusted too:
# backtracking makes a repeated group such as (a+)+ exponential on one cell, and even a
# lone \s* before the separator quadratic (6.9 s on one cell of spaces). Spaces around
# the separator are stripped from every part anyway, so leading and trailing
# "whitespace*" is dropped from the pattern; what remains must match text of bounded
# length (no *, + or {n,}, no nested repeats, no back-references or look-arounds), and
# re.split with such a pattern is linear in the cell.
_WS_ATOM = r"(?:\\s|\\t| |\[(?:\\s|\\t| )+\])"
_LEADING_SPACES = re.compile(rf"^(?:{_WS_ATOM}\*)+")
_TRAILING_SPACES = re.compile(rf"(?<!\\)(?:{_WS_ATOM}\*)+$")
_MAX_BOUNDED_REPEAT = 16


def normalize_separator(separator: str) -> str:
    r"""``separator`` without the optional spaces around it (parts are stripped anyway).

    >>> normalize_separator(r"\s*[;；]\s*"), normalize_separator("[ ]*[ ]*[ ]*[ ]*;")
    ('[;；]', ';')
    """
    core = _LEADING_SPACES.sub("", separator)
    core = _TRAILING_SPACES.sub("", core)
    return core or separator


def _separator_problem(separator: str) -> str | None:
    r"""Why ``separator`` is not a usable list separator, or None.

    >>> _separator_problem("[;、,]") is None, _separator_problem(r"\s*[;；]\s*") is None
    (True, True)
    >>> _separator_problem("(a+)+")
    'a separator must match text of bounded length: no *, + or {n,} (spaces around it are stripped anyway), no back-references or look-arounds (they can take exponential time)'
    """
    if len(separator) > 100:
        return "longer than 100 characters"
    core = normalize_separator(separator)
    try:
        re.compile(core)
        parsed = re_parser.parse(core)
    except re.error as exc:
        return f"bad regular expression ({exc})"
    if not _bounded(parsed.data, inside_repeat=False):
        return (
            "a separator must match text of bounded length: no *, + or {n,} (spaces around "
            "it are stripped anyway), no back-references or look-arounds (they can take "
            "exponential time)"
        )
    if re.fullmatch(core, ""):
        return "matches empty text, so it would split between every character"
    return None


_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}
_REFUSED = {"GROUPREF", "GROUPREF_EXISTS", "ASSERT", "ASSERT_NOT", "ATOMIC_GROUP"}


def _bounded(items: Any, inside_repeat: bool) -> bool:
    """Whether parsed pattern ``items`` only repeat a non-repeating part a few times."""
    for op, arg in items:
        name = str(op)
        if name in _REFUSED:
            return False
        if name in _REPEATS:
            _low, high, inner = arg
            if inside_repeat or high > _MAX_BOUNDED_REPEAT:
                return False
            if not _bounded(inner, inside_repeat=True):
                return False
        elif name == "SUBPATTERN":
            if not _bounded(arg[-1], inside_repeat):
                return False
        elif name == "BRANCH" and not all(_bounded(b, inside_repeat) for b in arg[1]):
            return False
    return True


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
                raise DataError(
                    [
                        Issue(
                            name,
                            "mapping spec not found",
                            expected="a file path or a name from ingest/mappings/",
                        )
                    ]
                )
        return load_mapping(candidate)
    sidecar = table.with_name(f"{table.stem}.mapping.yaml")
    return load_mapping(sidecar) if sidecar.exists() else None


def apply_mapping(
    spec: MappingSpec, header: list[str], rows: list[LocatedDict], origin: str
) -> tuple[list[LocatedDict], list[str]]:
    """Turn table rows into records of ``spec.section`` (fields renamed, lists split).

    Returns the records and warnings (spec columns the file lacks).
    """
    # 营业收入（亿元） and 营业收入(亿元) are one header: match after folding width and spaces.
    actual = {_header_key(h): h for h in header}
    source_of = {c: actual[_header_key(c)] for c in spec.columns if _header_key(c) in actual}
    present = [c for c in spec.columns if c in source_of]
    missing = [c for c in spec.columns if c not in source_of]
    fatal = [c for c in missing if c in spec.required] if present else missing
    if fatal:
        raise DataError(
            [
                Issue(
                    origin,
                    f"column {c!r} named in the mapping spec is not in the file",
                    line=1,
                    expected=f"a header among: {_listed(header)} (or fix {spec.origin})",
                )
                for c in fatal
            ]
        )
    # A field fed by several alternative headers (所在地区 or 注册地 -> hq) is warned
    # about only when the file has none of them.
    fed = {spec.columns[c] for c in present}
    unfed: dict[str, list[str]] = {}
    for c in missing:
        if spec.columns[c] not in fed:
            unfed.setdefault(spec.columns[c], []).append(c)
    warnings = [
        f"{origin}: no column {' or '.join(repr(c) for c in names)}, so field {field!r} "
        f"stays empty (mapping {spec.origin})"
        for field, names in unfed.items()
    ]
    splitter = re.compile(normalize_separator(spec.list_separator))
    records = []
    for row in rows:
        # Deep copy: nested defaults (listing: {board: ...}) must not be shared by rows.
        record = LocatedDict(copy.deepcopy(spec.defaults))
        record.line = row.line
        for column, target in spec.columns.items():
            if column not in source_of:
                continue
            value = row.get(source_of[column])
            if isinstance(value, str):
                value = value.strip()
            if value is None or value == "":
                continue
            head = target.split(".")[0]
            if head in LIST_FIELDS:
                if isinstance(value, str):
                    value = [part.strip() for part in splitter.split(value) if part.strip()]
                # Several columns may feed one list (企业简称 and 英文名 both aliases).
                earlier = record.get(head) if "." not in target else None
                if isinstance(earlier, list) and isinstance(value, list):
                    value = earlier + [v for v in value if v not in earlier]
            _assign(record, target, value)
        # Errors then name the column the user sees, not our field name.
        record.columns = {
            t.split(".")[0]: source_of[c] for c, t in spec.columns.items() if c in present
        }
        records.append(record)
    return records, warnings


def _listed(header: list[str], limit: int = 30) -> str:
    """Headers for a message: each shortened, at most ``limit`` of them."""
    shown = ", ".join(shorten(h, 40) for h in header[:limit])
    return shown + (f", ... ({len(header)} in all)" if len(header) > limit else "")


def _header_key(header: str) -> str:
    return normalize_text(header).replace(" ", "").lower()


def _assign(record: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    target = record
    for part in parts[:-1]:
        inner = target.get(part)
        if not isinstance(inner, dict):
            # A plain value where a nested one is wanted: the nested mapping wins.
            inner = target[part] = {}
        target = inner
    target[parts[-1]] = value
