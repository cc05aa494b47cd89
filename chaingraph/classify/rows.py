"""Stream registry rows from CSV/TSV/XLSX/XLS/JSON/JSONL files (and their ``.gz``).

New readers beside :mod:`chaingraph.loaders.readers` (which reads whole files for
the all-or-nothing loader): these yield rows one at a time so that a million-row
registry classifies in flat memory, and map headers to the fields of classify
through the presets in ``ontology/matching/headers.yaml`` or a ``--mapping`` file.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
import yaml

from chaingraph.errors import ConfigError, DataError, Issue
from chaingraph.fs import refuse_special
from chaingraph.loaders.limits import check_xlsx_parts
from chaingraph.names import normalize_text
from chaingraph.resources import data_dir

__all__ = ["FIELDS", "RowSource", "Table", "open_table", "parse_where", "read_header_map"]

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".json", ".jsonl", ".ndjson")
FIELDS = [
    "legal_name",
    "name",
    "uscc",
    "stock_code",
    "board",
    "former_names",
    "address",
    "province",
    "city",
    "district",
    "scope",
    "products",
    "industry",
    "status",
    "revenue_line",
    "revenue_share",
    "tags",
    "founded",
    "source",
    "source_url",
    "as_of",
    "website",
]


def _key(text: object) -> str:
    return normalize_text(str(text)).replace(" ", "").lower()


def parse_where(values: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """``COL=VALUE`` row filters (``--where``) as (field, value) pairs; COL is a field
    such as ``city`` or a header the presets know, such as 所属城市.

    Raises
    ------
    ConfigError
        A filter without ``=`` or without a column.

    Examples
    --------
    >>> parse_where(["city=东莞市", " 注册地址 = 塘厦"])
    (('city', '东莞市'), ('address', '塘厦'))
    """
    headers = read_header_map()
    pairs = []
    for text in values:
        column, sep, value = text.partition("=")
        if not sep or not column.strip():
            raise ConfigError(f"--where {text!r}: expected COL=VALUE, e.g. --where 城市=东莞市")
        field = headers.get(_key(column), column.strip())
        pairs.append((field, value.strip()))
    return tuple(pairs)


def read_header_map(mapping: str | Path | None = None) -> dict[str, str]:
    """Header key → field: the presets, overridden by a mapping file if given.

    A mapping file is YAML, either ``fields: {field: [headers]}`` like the presets or
    ``columns: {header: field}``.
    """
    presets = yaml.safe_load(
        (data_dir("ontology") / "matching" / "headers.yaml").read_text(encoding="utf-8")
    )
    headers: dict[str, str] = {}
    for fld, names in presets["fields"].items():
        for name in names:
            headers.setdefault(_key(name), fld)
    if mapping is None:
        return headers
    path = Path(mapping)
    if not path.is_file():
        candidate = data_dir("ontology") / "matching" / "presets" / f"{mapping}.yaml"
        if not candidate.is_file():
            raise ConfigError(f"mapping {mapping!r}: no such file (nor a preset of that name)")
        path = candidate
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read mapping ({exc})") from None
    given: dict[str, str] = {}
    for fld, names in (doc.get("fields") or {}).items():
        for name in names if isinstance(names, list) else [names]:
            given[_key(name)] = str(fld)
    for header, fld in (doc.get("columns") or {}).items():
        given[_key(header)] = str(fld)
    unknown = sorted({f for f in given.values() if f not in FIELDS})
    if unknown:
        raise ConfigError(
            f"{path}: unknown field(s) {', '.join(unknown)} (expected one of {', '.join(FIELDS)})"
        )
    return {**headers, **given}


@dataclass
class Table:
    """One file's header and how it maps to fields; rows come from :meth:`rows`."""

    path: Path
    origin: str
    header: list[str]
    fields: dict[str, str]  # header -> field
    unmapped: list[str]
    _rows: Iterator[tuple[int, list[Any]]] = field(repr=False, default=iter(()))

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """``(line, {field: value})`` per row; columns without a field are dropped."""
        positions = [(i, self.fields.get(h)) for i, h in enumerate(self.header)]
        for line, cells in self._rows:
            row: dict[str, Any] = {}
            for i, fld in positions:
                if fld is None or i >= len(cells):
                    continue
                value = cells[i]
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    value = value.strip()
                    if not value:
                        continue
                row.setdefault(fld, value)
            if row:
                yield line, row


def _open_text(path: Path, raw: IO[bytes], encoding: str | None) -> IO[str]:
    head = raw.peek(65536)[:65536] if hasattr(raw, "peek") else b""
    if encoding is None:
        if head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        else:
            try:
                head.decode("utf-8")
                encoding = "utf-8"
            except UnicodeDecodeError as exc:
                # a cut multi-byte character at the end of the sample is still UTF-8
                encoding = "utf-8" if exc.start > len(head) - 4 else "gb18030"
    return io.TextIOWrapper(raw, encoding=encoding, newline="")


def _binary(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return io.BufferedReader(gzip.open(path, "rb"))
    return open(path, "rb")


def _base_suffix(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return Path(name).suffix


def open_table(path: Path, header_map: Mapping[str, str], encoding: str | None = None) -> Table:
    """Open one file and find its header.

    Raises
    ------
    DataError
        For a missing or unsupported file, an empty one, or a two-row/merged header.
    """
    origin = str(path)
    # Streamed row by row, so no size limit applies; FIFOs and devices would block or
    # never end, and an xlsx is measured before openpyxl holds its shared strings.
    special = refuse_special(path)
    if special:
        raise DataError([Issue(origin, special, expected="a regular file")])
    if not path.is_file():
        raise DataError([Issue(origin, "file not found", expected="an existing file path")])
    suffix = _base_suffix(path)
    if suffix not in SUFFIXES:
        raise DataError(
            [
                Issue(
                    origin,
                    f"unsupported file type {suffix or '(none)'!r}",
                    expected="one of " + ", ".join(SUFFIXES) + " (optionally .gz)",
                )
            ]
        )
    if suffix in (".json", ".jsonl", ".ndjson"):
        header, rows = _json_rows(path, origin)
    elif suffix == ".xlsx":
        if not path.name.endswith(".gz"):
            check_xlsx_parts(path, origin)
        header, rows = _sheet_rows(_xlsx_cells(path), origin, header_map)
    elif suffix == ".xls":
        header, rows = _sheet_rows(_xls_cells(path, origin), origin, header_map)
    else:
        header, rows = _csv_rows(
            path, origin, encoding, "\t" if suffix == ".tsv" else ",", header_map
        )
    fields = {h: header_map[_key(h)] for h in header if _key(h) in header_map}
    taken: dict[str, str] = {}
    for h, fld in list(fields.items()):
        if fld in taken:  # two columns for one field: the first wins, the other is listed
            del fields[h]
        else:
            taken[fld] = h
    unmapped = [h for h in header if h not in fields]
    if not fields:
        raise DataError(
            [
                Issue(
                    origin,
                    "no column of this file is a known registry header",
                    line=1,
                    value=", ".join(header[:8]),
                    expected="headers such as 企业名称, 统一社会信用代码, 注册地址, 经营范围 "
                    "(see ontology/matching/headers.yaml), or --mapping FILE",
                )
            ]
        )
    return Table(path, origin, header, fields, unmapped, rows)


def _json_rows(path: Path, origin: str) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    raw = _binary(path)
    first: list[tuple[int, dict[str, Any]]] = []
    text = io.TextIOWrapper(raw, encoding="utf-8-sig")
    if _base_suffix(path) == ".json":
        try:
            data = orjson.loads(text.read())
        except orjson.JSONDecodeError as exc:
            raise DataError(
                [Issue(origin, f"malformed JSON: {exc}", expected="a JSON list of objects")]
            ) from None
        finally:
            raw.close()
        if isinstance(data, dict):
            data = data.get("rows") or data.get("data") or []
        if not isinstance(data, list):
            raise DataError(
                [Issue(origin, "JSON is not a list of objects", expected="[{...}, ...]")]
            )
        records: Iterator[tuple[int, Any]] = ((i + 1, r) for i, r in enumerate(data))
    else:

        def lines() -> Iterator[tuple[int, Any]]:
            with raw:
                for number, line in enumerate(text, start=1):
                    if not line.strip():
                        continue
                    try:
                        yield number, orjson.loads(line)
                    except orjson.JSONDecodeError as exc:
                        yield (
                            number,
                            DataError(
                                [
                                    Issue(
                                        origin,
                                        f"malformed JSON line: {exc}",
                                        line=number,
                                        expected="one JSON object per line",
                                    )
                                ]
                            ),
                        )

        records = lines()
    header: list[str] = []
    for number, record in records:
        first.append((number, record))
        if isinstance(record, dict):
            header = list(record)
            break
    if not header:
        raise DataError([Issue(origin, "the file is empty", expected="JSON objects")])

    def rows() -> Iterator[tuple[int, list[Any]]]:
        known = list(header)
        for number, record in [*first, *records]:
            if isinstance(record, DataError):
                yield number, [record]
                continue
            if not isinstance(record, dict):
                yield (
                    number,
                    [
                        DataError(
                            [
                                Issue(
                                    origin,
                                    "line is not a JSON object",
                                    line=number,
                                    expected="{...}",
                                )
                            ]
                        )
                    ],
                )
                continue
            for k in record:
                if k not in known:
                    known.append(k)
                    header.append(k)
            yield number, [record.get(k) for k in known]

    return header, rows()


def _csv_rows(
    path: Path, origin: str, encoding: str | None, delimiter: str, header_map: Mapping[str, str]
) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    raw = _binary(path)
    text = _open_text(path, raw, encoding)
    reader = csv.reader(text, delimiter=delimiter)
    opening: list[tuple[int, list[str]]] = []
    end = 0
    try:
        for record in reader:
            line, end = end + 1, reader.line_num
            if any(c.strip() for c in record):
                opening.append((line, record))
            if len(opening) >= 20:
                break
    except (csv.Error, UnicodeDecodeError) as exc:
        raw.close()
        raise DataError(
            [
                Issue(
                    origin,
                    f"unreadable text: {exc}",
                    line=reader.line_num,
                    expected="CSV text (UTF-8 or GB18030), or --encoding",
                )
            ]
        ) from None
    if not opening:
        raw.close()
        raise DataError([Issue(origin, "the file is empty", expected="a header row")])
    at = _header_at([r for _, r in opening], header_map, origin, [n for n, _ in opening])
    header = [h.strip() for h in opening[at][1]]
    while header and not header[-1]:
        header.pop()

    def rows() -> Iterator[tuple[int, list[Any]]]:
        nonlocal end
        with raw:
            yield from opening[at + 1 :]
            try:
                for record in reader:
                    line, end = end + 1, reader.line_num
                    if any(c.strip() for c in record):
                        yield line, record
            except (csv.Error, UnicodeDecodeError) as exc:
                yield (
                    reader.line_num,
                    [
                        DataError(
                            [
                                Issue(
                                    origin,
                                    f"unreadable text: {exc}",
                                    line=reader.line_num,
                                    expected="CSV text; --encoding if not UTF-8/GB18030",
                                )
                            ]
                        )
                    ],
                )

    return header, rows()


def _header_at(
    opening: Sequence[Sequence[Any]],
    header_map: Mapping[str, str],
    origin: str,
    lines: Sequence[int],
) -> int:
    """The first row that names known headers; a two-row header is refused with a fix."""
    for index, untrimmed in enumerate(opening):
        row = list(untrimmed)
        while row and row[-1] in (None, ""):
            row.pop()
        known = sum(1 for c in row if c is not None and _key(c) in header_map)
        if (known >= 1 and known * 3 >= len([c for c in row if c not in (None, "")])) or known >= 2:
            following = opening[index + 1] if index + 1 < len(opening) else []
            filled = [c for c in row if c not in (None, "")]
            below_known = sum(1 for c in following if c is not None and _key(c) in header_map)
            below = list(following)
            while below and below[-1] in (None, ""):
                below.pop()
            # sub-headers under a merged (or blank) header cell
            if below_known >= 1 and len(filled) < max(len(row), len(below)):
                raise DataError(
                    [
                        Issue(
                            origin,
                            "the header spans two rows (merged cells above sub-headers)",
                            line=lines[index],
                            expected="one header row: unmerge the cells and write one name per "
                            "column (e.g. 注册地址 instead of 地址 / 注册), then save again",
                        )
                    ]
                )
            return index
    return 0


def _xlsx_cells(path: Path) -> tuple[Iterator[tuple[int, list[Any]]], Any]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = book.worksheets[0]
    merged = list(getattr(sheet, "merged_cells", None) or [])

    def cells() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                if any(c not in (None, "") for c in row):
                    yield number, list(row)
        finally:
            book.close()

    return cells(), merged


def _xls_cells(path: Path, origin: str) -> tuple[Iterator[tuple[int, list[Any]]], Any]:
    try:
        import xlrd
    except ImportError as exc:  # the registry extra
        from chaingraph.optional import missing

        raise missing("xlrd") from exc

    try:
        book = xlrd.open_workbook(str(path), formatting_info=False)
    except xlrd.XLRDError as exc:
        raise DataError(
            [Issue(origin, f"unreadable .xls: {exc}", expected="an Excel 97-2003 workbook")]
        ) from None
    sheet = book.sheet_by_index(0)

    def cells() -> Iterator[tuple[int, list[Any]]]:
        for index in range(sheet.nrows):
            row = sheet.row_values(index)
            if any(c not in (None, "") for c in row):
                yield index + 1, [c for c in row]

    return cells(), list(getattr(sheet, "merged_cells", []) or [])


def _sheet_rows(
    source: tuple[Iterator[tuple[int, list[Any]]], Any], origin: str, header_map: Mapping[str, str]
) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    cells, _merged = source
    opening: list[tuple[int, list[Any]]] = []
    for item in cells:
        opening.append(item)
        if len(opening) >= 20:
            break
    if not opening:
        raise DataError([Issue(origin, "the sheet is empty", expected="a header row")])
    text_rows = [[("" if c is None else str(c)) for c in r] for _, r in opening]
    at = _header_at(text_rows, header_map, origin, [n for n, _ in opening])
    header = [normalize_text(h) for h in text_rows[at]]
    while header and not header[-1]:
        header.pop()

    def rows() -> Iterator[tuple[int, list[Any]]]:
        yield from opening[at + 1 :]
        yield from cells

    return header, rows()


@dataclass
class RowSource:
    """Where a row came from, for messages: file and line."""

    file: str
    line: int
