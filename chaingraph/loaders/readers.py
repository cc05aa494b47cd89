"""Parse input files (YAML, JSON, JSONL, CSV, XLSX) into located records.

YAML and JSON files hold whole documents in the authoring format
(``ontology/FORMAT.md``); CSV, XLSX and JSONL hold rows that a mapping spec
(:mod:`chaingraph.loaders.mapping`) turns into records of one section.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson
import yaml

from chaingraph.errors import DataError, Issue
from chaingraph.loaders.encoding import read_text
from chaingraph.loaders.located import LocatedDict, LocatedList
from chaingraph.names import normalize_text

__all__ = ["DOCUMENT_SUFFIXES", "TABLE_SUFFIXES", "read_document", "read_rows"]

DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json")
TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".jsonl", ".ndjson")

# Room for long descriptions, yet far below what would exhaust memory.
csv.field_size_limit(16 * 1024 * 1024)


class _LocatingLoader(yaml.SafeLoader):
    """Safe YAML loader that records line numbers and refuses aliases and duplicate keys."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                "YAML aliases (*name) are not allowed in chaingraph data; write the value out",
                event.start_mark,
            )
        return super().compose_node(parent, index)


def _construct_map(loader: _LocatingLoader, node: yaml.MappingNode) -> Iterator[LocatedDict]:
    data = LocatedDict()
    data.line = node.start_mark.line + 1
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool):
            raise yaml.constructor.ConstructorError(
                None, None, "mapping keys must be plain text", key_node.start_mark
            )
        key = str(key)
        if key in data:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = key_node.start_mark.line + 1


def _construct_seq(loader: _LocatingLoader, node: yaml.SequenceNode) -> Iterator[LocatedList]:
    data = LocatedList()
    data.line = node.start_mark.line + 1
    yield data
    for item in node.value:
        data.append(loader.construct_object(item, deep=True))
        data.item_lines.append(item.start_mark.line + 1)


def _construct_timestamp(loader: _LocatingLoader, node: yaml.ScalarNode) -> str:
    # Dates stay text: "as_of: 2024-06-30" means the string the author wrote.
    return str(loader.construct_scalar(node))


_LocatingLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LocatingLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_LocatingLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def read_document(path: Path, encoding: str | None = None) -> dict[str, Any]:
    """Parse a YAML or JSON document file into a mapping of sections."""
    text, _ = read_text(path, encoding)
    origin = str(path)
    if path.suffix.lower() == ".json":
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise DataError(
                [
                    Issue(
                        origin,
                        f"not valid JSON: {exc}",
                        line=_json_line(text, exc),
                        expected="a JSON object in the chaingraph format",
                    )
                ]
            ) from None
    else:
        try:
            data = yaml.load(text, Loader=_LocatingLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            raise DataError(
                [
                    Issue(
                        origin,
                        f"not valid YAML: {exc.problem or exc.context}",
                        line=line,
                        expected="plain YAML (no tags, no aliases) in the chaingraph format",
                    )
                ]
            ) from None
        except yaml.YAMLError as exc:
            raise DataError([Issue(origin, f"not valid YAML: {exc}")]) from None
        except RecursionError:
            raise DataError(
                [Issue(origin, "nested too deeply", expected="at most a few levels of nesting")]
            ) from None
    if not isinstance(data, dict):
        raise DataError(
            [
                Issue(
                    origin,
                    "the file must hold a mapping of sections",
                    line=1,
                    expected="keys such as chaingraph, companies, products (see ontology/FORMAT.md)",
                )
            ]
        )
    return data


def _json_line(text: str, exc: orjson.JSONDecodeError) -> int | None:
    pos = getattr(exc, "pos", None)
    return text.count("\n", 0, pos) + 1 if isinstance(pos, int) else None


def read_rows(
    path: Path,
    encoding: str | None = None,
    sheet: str | None = None,
    header_hint: Collection[str] = (),
) -> tuple[list[str], list[LocatedDict]]:
    """Rows of a CSV/TSV, XLSX or JSONL file as dicts keyed by header, with line numbers.

    ``header_hint`` (a mapping spec's columns) finds the header below title rows.
    """
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path, sheet, header_hint)
    text, _ = read_text(path, encoding)
    if suffix in (".jsonl", ".ndjson"):
        return _read_jsonl(text, str(path))
    return _read_csv(text, str(path), "\t" if suffix == ".tsv" else ",", header_hint)


# Government lists often open with a title (东莞市2024年专精特新企业名单) and a note
# above the header; with a mapping spec the header is the first of the opening rows
# that names one of its columns.
_HEADER_SEARCH = 20


def _header_index(rows: Sequence[Sequence[Any]], hint: Collection[str]) -> int:
    wanted = {_header_key(h) for h in hint}
    for index, row in enumerate(rows[:_HEADER_SEARCH]):
        if any(_header_key(str(c)) in wanted for c in row if c is not None):
            return index
    return 0


def _header_key(text: str) -> str:
    return normalize_text(text).replace(" ", "").lower()


def _read_csv(
    text: str, origin: str, delimiter: str, header_hint: Collection[str] = ()
) -> tuple[list[str], list[LocatedDict]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    try:
        end = 0
        for record in reader:
            # A quoted cell may span lines: a row is reported at the line it starts on.
            line, end = end + 1, reader.line_num
            if any(cell.strip() for cell in record):
                records.append((line, record))
    except csv.Error as exc:
        raise DataError(
            [Issue(origin, f"malformed CSV: {exc}", line=reader.line_num, expected="RFC 4180 CSV")]
        ) from None
    if not records:
        raise DataError([Issue(origin, "the file is empty", expected="a header row")])
    at = _header_index([r for _, r in records], header_hint)
    header_line, header = records[at][0], [h.strip() for h in records[at][1]]
    while header and not header[-1]:
        header.pop()  # spreadsheet exports often end every line with empty cells
    _check_header(header, origin, header_line)
    rows = []
    for line, record in records[at + 1 :]:
        if any(cell.strip() for cell in record[len(header) :]):
            raise DataError(
                [
                    Issue(
                        origin,
                        f"row has {len(record)} cells but the header has {len(header)}",
                        line=line,
                        expected="one cell per header column (quote cells with commas)",
                    )
                ]
            )
        row = LocatedDict(zip(header, record, strict=False))
        row.line = line
        rows.append(row)
    return header, rows


def _check_header(header: list[str], origin: str, line: int = 1) -> None:
    seen: set[str] = set()
    for index, name in enumerate(header, start=1):
        if not name:
            raise DataError(
                [
                    Issue(
                        origin,
                        f"header column {index} is empty",
                        line=line,
                        expected="a name for every column",
                    )
                ]
            )
        if name in seen:
            raise DataError(
                [
                    Issue(
                        origin,
                        f"duplicate header {name!r} (column {index})",
                        line=line,
                        expected="each column name once",
                    )
                ]
            )
        seen.add(name)


def _read_jsonl(text: str, origin: str) -> tuple[list[str], list[LocatedDict]]:
    rows = []
    keys: dict[str, None] = {}
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise DataError(
                [
                    Issue(
                        origin,
                        f"not valid JSON: {exc}",
                        line=line_no,
                        expected="one JSON object per line",
                    )
                ]
            ) from None
        if not isinstance(value, dict):
            raise DataError(
                [
                    Issue(
                        origin,
                        "line is not a JSON object",
                        line=line_no,
                        expected="one JSON object per line",
                    )
                ]
            )
        row = LocatedDict(value)
        row.line = line_no
        keys.update(dict.fromkeys(value))
        rows.append(row)
    return list(keys), rows


def _read_xlsx(
    path: Path, sheet: str | None, header_hint: Collection[str] = ()
) -> tuple[list[str], list[LocatedDict]]:
    import openpyxl

    origin = str(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DataError(
            [
                Issue(
                    origin,
                    f"not a readable .xlsx workbook ({exc})",
                    expected="an Excel 2007+ .xlsx file",
                )
            ]
        ) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise DataError(
                [
                    Issue(
                        origin,
                        f"no sheet named {sheet!r}",
                        field="sheet",
                        expected="one of " + ", ".join(book.sheetnames),
                    )
                ]
            )
        ws = book[sheet] if sheet else book.worksheets[0]
        where = f"{origin}[{ws.title}]"
        filled = [
            (row_no, [_cell(v) for v in values])
            for row_no, values in enumerate(ws.iter_rows(values_only=True), start=1)
            if any(v is not None and str(v).strip() for v in values)
        ]
    finally:
        book.close()
    if not filled:
        raise DataError([Issue(where, "the sheet is empty", expected="a header row")])
    at = _header_index([cells for _, cells in filled], header_hint)
    header_row = filled[at][0]
    header = [("" if v is None else str(v)).strip() for v in filled[at][1]]
    while header and not header[-1]:
        header.pop()
    _check_header(header, where, header_row)
    rows = []
    for row_no, cells in filled[at + 1 :]:
        if any(c not in (None, "") for c in cells[len(header) :]):
            raise DataError(
                [
                    Issue(
                        where,
                        "row has values beyond the last header column",
                        line=row_no,
                        expected="a header for every filled column",
                    )
                ]
            )
        row = LocatedDict(zip(header, cells, strict=False))
        row.line = row_no
        rows.append(row)
    return header, rows


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return value
