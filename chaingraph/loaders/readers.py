"""Parse input files (YAML, JSON, JSONL, CSV, XLSX) into located records.

YAML and JSON files hold whole documents in the authoring format
(``ontology/FORMAT.md``); CSV, XLSX and JSONL hold rows that a mapping spec
(:mod:`chaingraph.loaders.mapping`) turns into records of one section.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson
import yaml

from chaingraph.errors import DataError, Issue
from chaingraph.loaders.encoding import read_text
from chaingraph.loaders.limits import (
    MAX_CELL_CHARS,
    MAX_DOCUMENT_BYTES,
    MAX_ROWS,
    MAX_TABLE_BYTES,
    check_input_file,
    check_row_count,
    check_xlsx_parts,
)
from chaingraph.loaders.located import LocatedDict, LocatedList
from chaingraph.loaders.text import shorten
from chaingraph.names import normalize_text

__all__ = ["DOCUMENT_SUFFIXES", "TABLE_SUFFIXES", "read_document", "read_rows"]

DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json")
TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".jsonl", ".ndjson")

# Room for long descriptions, yet far below what would exhaust memory.
csv.field_size_limit(MAX_CELL_CHARS)


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


def _construct_int(loader: _LocatingLoader, node: yaml.ScalarNode) -> int:
    try:
        return int(loader.construct_yaml_int(node))
    except ValueError:
        # More digits than Python turns into an int (sys.get_int_max_str_digits).
        raise yaml.constructor.ConstructorError(
            None, None, "integer with too many digits", node.start_mark
        ) from None


_LocatingLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LocatingLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_LocatingLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_LocatingLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def read_document(path: Path, encoding: str | None = None) -> dict[str, Any]:
    """Parse a YAML or JSON document file into a mapping of sections."""
    text, _ = read_text(path, encoding, max_bytes=MAX_DOCUMENT_BYTES)
    origin = str(path)
    if path.suffix.lower() == ".json":
        data = _parse_json(text, origin, None, "a JSON object in the chaingraph format")
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


def _parse_json(text: str, origin: str, line: int | None, expected: str) -> Any:
    """Strict JSON (orjson); a :class:`DataError` for bad syntax, depth or a repeated key.

    ``line`` is where ``text`` starts (JSONL), else None to count lines in ``text``.
    orjson keeps the last of repeated keys, which a person reading the file (or
    another program) may not: ``{"name": "甲", "name": "乙"}`` is refused, as in YAML.
    """

    def issue(message: str, at: int | None) -> DataError:
        return DataError([Issue(origin, message, line=line or at, expected=expected)])

    try:
        data = orjson.loads(text)
        if isinstance(data, dict | list):
            # A second, value-less pass only to see each object's keys in order.
            json.loads(
                text,
                object_pairs_hook=_refuse_duplicates,
                parse_int=len,
                parse_float=len,
                parse_constant=len,
            )
    except orjson.JSONDecodeError as exc:
        raise issue(f"not valid JSON: {exc}", _json_line(text, exc)) from None
    except _DuplicateKey as exc:
        raise issue(f"duplicate key {exc.key!r}", None) from None
    except RecursionError:
        raise issue("nested too deeply", None) from None
    return data


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = shorten(key)


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> None:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen.add(key)


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
                if len(records) > MAX_ROWS:
                    check_row_count(len(records), origin, line)
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
    # Headers that differ only in width or spacing (营业收入(亿元) / 营业收入（亿元）) match
    # the same mapping column, so one would silently hide the other.
    seen: dict[str, str] = {}
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
        key = _header_key(name)
        if key in seen:
            same = "" if seen[key] == name else f", the same as {shorten(seen[key])!r}"
            raise DataError(
                [
                    Issue(
                        origin,
                        f"duplicate header {shorten(name)!r} (column {index}{same})",
                        line=line,
                        expected="each column name once",
                    )
                ]
            )
        seen[key] = name


def _read_jsonl(text: str, origin: str) -> tuple[list[str], list[LocatedDict]]:
    rows = []
    keys: dict[str, None] = {}
    # Lines end at LF (CRLF too) only: JSON text may hold U+2028 and other characters
    # that str.splitlines() would also break at.
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        value = _parse_json(line, origin, line_no, "one JSON object per line")
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
        if len(rows) > MAX_ROWS:
            check_row_count(len(rows), origin, line_no)
    return list(keys), rows


def _read_xlsx(
    path: Path, sheet: str | None, header_hint: Collection[str] = ()
) -> tuple[list[str], list[LocatedDict]]:
    import openpyxl

    origin = str(path)
    # Bounds openpyxl does not hold (a shared or inline string of gigabytes), checked by
    # streaming the parts first: see chaingraph.loaders.limits.
    check_input_file(path, MAX_TABLE_BYTES, "workbook")
    check_xlsx_parts(path, origin)
    try:
        # Our own handle, closed even when openpyxl fails halfway through opening.
        with open(path, "rb") as handle:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
            try:
                if sheet is not None and sheet not in book.sheetnames:
                    names = ", ".join(shorten(n, 40) for n in book.sheetnames[:20])
                    raise DataError(
                        [
                            Issue(
                                origin,
                                f"no sheet named {sheet!r}",
                                field="sheet",
                                expected="one of " + names,
                            )
                        ]
                    )
                ws = book[sheet] if sheet else book.worksheets[0]
                where = f"{origin}[{shorten(ws.title, 40)}]"
                filled = _filled_rows(ws, where)
            finally:
                book.close()
    except DataError:
        raise
    except Exception as exc:
        # A damaged or crafted workbook makes openpyxl fail in its zip reader, its XML
        # parser (malformed parts, entity expansion) or while building objects from
        # what it parsed, with whatever exception that step raises.
        raise DataError(
            [
                Issue(
                    origin,
                    f"not a readable .xlsx workbook ({type(exc).__name__}: {shorten(str(exc), 120)})",
                    expected="an Excel 2007+ .xlsx file",
                )
            ]
        ) from None
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


# A sheet's XML may place one cell far to the right on each of a million rows: a small
# file that expands to billions of empty cells. Real lists are far below this.
MAX_XLSX_CELLS = 20_000_000


def _filled_rows(ws: Any, where: str) -> list[tuple[int, list[Any]]]:
    """The rows of a sheet that hold anything, with their row numbers."""
    # The sheet's declared size (<dimension>) is often wrong in files other programs
    # write; trusting it would silently drop the rows below it.
    ws.reset_dimensions()
    filled = []
    cells = 0
    for row_no, values in enumerate(ws.iter_rows(values_only=True), start=1):
        cells += len(values) + 1
        if cells > MAX_XLSX_CELLS:
            raise DataError(
                [
                    Issue(
                        where,
                        f"the sheet spans more than {MAX_XLSX_CELLS:,} cells",
                        line=row_no,
                        expected="a smaller sheet (split it, or save it as CSV)",
                    )
                ]
            )
        if any(v is not None and str(v).strip() for v in values):
            filled.append((row_no, [_cell(v) for v in values]))
    return filled


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return value
