"""Bounds every reader holds, in one place, and the checks that apply them.

Limits sit far above real data (a city's firm list is megabytes, not gigabytes) and
far below what would exhaust memory or time: a crafted file is refused with one
line naming the file, the limit and the fix, before it is parsed in full.

- :func:`check_input_file` — before a data file is opened: a regular file (FIFOs and
  devices would block or never end), at most ``max_bytes`` long;
- :func:`check_xlsx_parts` — before openpyxl reads a workbook: every XML part is
  streamed through expat with a byte budget, each text (a shared string, an inline
  string, a cell value) at most :data:`MAX_CELL_CHARS`, at most
  :data:`MAX_SHARED_STRINGS` shared strings, no DTD (entity expansion);
- :func:`check_row_count` — rows of a table;
- :func:`sanitize_excerpt` — text quoted in an error: short, with anything that
  looks like a credential masked.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any
from xml.parsers import expat

from chaingraph.errors import DataError, Issue, mask_credentials
from chaingraph.fs import refuse_special

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_DOCUMENT_BYTES",
    "MAX_ROWS",
    "MAX_SHARED_STRINGS",
    "MAX_SHARED_STRING_CHARS",
    "MAX_TABLE_BYTES",
    "MAX_XLSX_PART_BYTES",
    "check_input_file",
    "check_row_count",
    "check_xlsx_parts",
    "sanitize_excerpt",
]

MiB = 1024 * 1024
# One cell (CSV field, XLSX shared or inline string, JSON value read from a table).
MAX_CELL_CHARS = 16 * MiB
# Files read whole into memory: CSV/TSV/JSONL tables and YAML/JSON documents.
MAX_TABLE_BYTES = 512 * MiB
MAX_DOCUMENT_BYTES = 32 * MiB
# Rows of one table (CSV, JSONL, a sheet).
MAX_ROWS = 5_000_000
# XLSX: openpyxl keeps every shared string in memory, even in read-only mode.
MAX_SHARED_STRINGS = 2_000_000
MAX_SHARED_STRING_CHARS = 64 * MiB
# Uncompressed size of one XML part of a workbook (a 200 KB zip can inflate to GBs).
MAX_XLSX_PART_BYTES = 512 * MiB
MAX_XLSX_PARTS = 10_000

_CHUNK = 1 * MiB


def check_input_file(path: Path, max_bytes: int, what: str = "file") -> None:
    """Refuse, before opening it, a data file that is not a regular file or is too large.

    Raises
    ------
    DataError
        Naming the file and what to pass instead.

    Examples
    --------
    >>> try:
    ...     check_input_file(Path("/dev/zero"), MAX_TABLE_BYTES)
    ... except DataError as exc:
    ...     print(exc.issues[0].message)
    /dev/zero is a device, not a regular file; pass the file itself
    """
    problem = refuse_special(path)
    if problem:
        raise DataError([Issue(str(path), problem, expected=f"a regular {what}")])
    try:
        size = os.stat(path).st_size
    except OSError:
        return  # the reader's own open says what is wrong (missing, no permission)
    if size > max_bytes:
        raise DataError(
            [
                Issue(
                    str(path),
                    f"the file is {size / MiB:,.0f} MiB, more than the {max_bytes // MiB:,} MiB "
                    f"a {what} may have",
                    expected="a smaller file (split it)",
                )
            ]
        )


def check_row_count(count: int, origin: str, line: int | None = None) -> None:
    """Refuse a table with more than :data:`MAX_ROWS` rows."""
    if count > MAX_ROWS:
        raise DataError(
            [
                Issue(
                    origin,
                    f"more than {MAX_ROWS:,} rows",
                    line=line,
                    expected="a smaller table (split it into several files)",
                )
            ]
        )


class _TooMuch(Exception):
    def __init__(self, message: str, expected: str) -> None:
        super().__init__(message)
        self.message, self.expected = message, expected


def check_xlsx_parts(path: Path, origin: str) -> None:
    """Stream every XML part of a workbook once, within bounds, before openpyxl reads it.

    openpyxl loads the whole shared-strings part into memory (a 205 KB file holding
    one 2 GB string took 2.1 GB), and reads an inline string or a cell value whole;
    here expat sees each part in 1 MiB chunks and only counts, so memory stays flat
    and a bomb is refused after at most the first bound's worth of text.

    Raises
    ------
    DataError
        The part, the bound it broke and what to do.
    """
    try:
        with zipfile.ZipFile(path) as book:
            parts = book.infolist()
            if len(parts) > MAX_XLSX_PARTS:
                raise _TooMuch(
                    f"the workbook has {len(parts):,} parts", "an ordinary Excel workbook"
                )
            for info in parts:
                if info.filename.lower().endswith((".xml", ".rels")):
                    with book.open(info) as stream:
                        _scan_part(stream, info.filename)
    except _TooMuch as exc:
        raise DataError([Issue(origin, exc.message, expected=exc.expected)]) from None
    except Exception:  # a damaged zip or part, whatever step notices it
        return  # openpyxl reports a damaged workbook in its own words (readers._read_xlsx)


def _scan_part(stream: Any, name: str) -> None:
    parser = expat.ParserCreate()
    state = {"run": 0, "string": 0, "strings": 0, "chars": 0}
    shared = "sharedstrings" in name.lower()
    where = f"part {name}"

    def start(tag: str, _attrs: Any) -> None:
        state["run"] = 0
        if tag == "si" or tag.endswith(":si"):
            state["string"] = 0
            state["strings"] += 1
            if state["strings"] > MAX_SHARED_STRINGS:
                raise _TooMuch(
                    f"{where} holds more than {MAX_SHARED_STRINGS:,} shared strings",
                    "a smaller workbook (split it, or save the sheet as CSV)",
                )

    def end(_tag: str) -> None:
        state["run"] = 0

    def text(data: str) -> None:
        size = len(data)
        state["run"] += size
        state["string"] += size
        if state["run"] > MAX_CELL_CHARS or state["string"] > MAX_CELL_CHARS:
            raise _TooMuch(
                f"{where} holds a text longer than {MAX_CELL_CHARS // MiB} MiB characters",
                f"cells of at most {MAX_CELL_CHARS // MiB} MiB characters",
            )
        if shared:
            state["chars"] += size
            if state["chars"] > MAX_SHARED_STRING_CHARS:
                raise _TooMuch(
                    f"{where} holds more than {MAX_SHARED_STRING_CHARS // MiB} MiB characters "
                    "of text",
                    "a smaller workbook (split it, or save the sheet as CSV)",
                )

    def doctype(*_args: Any) -> None:
        raise _TooMuch(
            f"not a readable .xlsx workbook: {where} declares a DTD (entities are refused)",
            "an Excel 2007+ .xlsx file (they declare no DTD)",
        )

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    read = 0
    try:
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            read += len(chunk)
            if read > MAX_XLSX_PART_BYTES:
                raise _TooMuch(
                    f"{where} inflates to more than {MAX_XLSX_PART_BYTES // MiB} MiB",
                    "a smaller workbook (split it, or save the sheet as CSV)",
                )
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        return  # malformed XML: openpyxl's error names it


def sanitize_excerpt(text: str, limit: int = 60) -> str:
    """``text`` as an error may quote it: short, with credential-like values masked.

    Examples
    --------
    >>> sanitize_excerpt('password: "hunter2"')
    'password: ***'
    >>> sanitize_excerpt("企业名称")
    '企业名称'
    """
    masked = mask_credentials(text)
    return masked if len(masked) <= limit else masked[: limit - 3] + "..."
