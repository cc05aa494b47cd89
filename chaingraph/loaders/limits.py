"""Bounds every reader holds, in one place, and the checks that apply them.

Limits sit far above real data (a city's firm list is megabytes, not gigabytes) and
far below what would exhaust memory or time: a crafted file is refused with one
line naming the file, the limit and the fix, before it is parsed in full.

- :func:`check_input_file` — before a data file is opened: a regular file (FIFOs and
  devices would block or never end), at most ``max_bytes`` long;
- :func:`check_xlsx_parts` — before openpyxl reads a workbook: every XML part is
  inflated in chunks and measured (each shared string and cell, the number of shared
  strings, each part's size; no DTD);
- :func:`check_row_count` — rows of a table;
- :func:`sanitize_excerpt` — text quoted in an error: short, with anything that
  looks like a credential masked.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path
from typing import Any

from chaingraph.errors import DataError, Issue, mask_credentials
from chaingraph.fs import refuse_special

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_CELL_XML_BYTES",
    "MAX_DOCUMENT_BYTES",
    "MAX_ROWS",
    "MAX_SHARED_STRINGS",
    "MAX_SHARED_STRINGS_BYTES",
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
MAX_SHARED_STRINGS_BYTES = 256 * MiB
# One shared string or cell as XML (a cell of MAX_CELL_CHARS CJK characters is 48 MiB).
MAX_CELL_XML_BYTES = 64 * MiB
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
    one 2 GB string took 2.1 GB), and reads an inline string or a cell value whole.
    Here each part is inflated in 1 MiB chunks and only measured, with C-speed byte
    operations (a Python callback per element took 16 s on 60 million tiny strings):
    each shared string (``<si>``, rich-text runs included) and each cell (``<c>``,
    inline strings included) at most :data:`MAX_CELL_XML_BYTES`, at most
    :data:`MAX_SHARED_STRINGS` shared strings in at most :data:`MAX_SHARED_STRINGS_BYTES`,
    any part at most :data:`MAX_XLSX_PART_BYTES`, and no DTD (entity expansion).
    Memory stays flat and a bomb is refused after at most one bound's worth of XML.

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


# A DTD could expand entities; a CDATA section could hide tags inside one long text.
_REFUSED = re.compile(rb"<!(?:DOCTYPE|ENTITY|\[CDATA\[)")


def _scan_part(stream: Any, name: str) -> None:
    """Measure one part in chunks with ``bytes.find``/``count`` only (no object per tag).

    A unit (``<si``, ``<c``; any ``<`` in other parts) longer than the bound must span
    chunks with no unit start in them, so each chunk needs only its first and last
    unit start: no per-tag work at all (splitting 60 million strings into pieces, or
    matching them with a pattern, took seconds). Prefixed tags (``<x:si>``) are found
    by ``:si``; each opening has a closing, so they count half.
    """
    where = f"part {name}"
    lowered = name.lower()
    shared = "sharedstrings" in lowered
    unit = b"si" if shared else b"c" if "worksheets/" in lowered else b""
    what = "shared string" if shared else "cell" if unit else "text"
    limit = MAX_SHARED_STRINGS_BYTES if shared else MAX_XLSX_PART_BYTES
    plain, prefixed = b"<" + unit, b":" + unit
    units = 0
    current = 0  # bytes since the last unit start
    carry = b""
    read = 0
    while True:
        chunk = stream.read(_CHUNK)
        read += len(chunk)
        if read > limit:
            raise _TooMuch(
                f"{where} inflates to more than {limit // MiB} MiB",
                "a smaller workbook (split it, or save the sheet as CSV)",
            )
        data = carry + chunk
        carry = b""
        if chunk:
            # Hold back a tag cut by the chunk's end (tags are short).
            last = data.rfind(b"<")
            if last >= 0 and len(data) - last < 64 and data.find(b">", last) < 0:
                data, carry = data[:last], data[last:]
        if _REFUSED.search(data):
            raise _TooMuch(
                f"not a readable .xlsx workbook: {where} holds a DTD or a CDATA section "
                "(refused: entities, hidden markup)",
                "an Excel 2007+ .xlsx file (Excel writes neither)",
            )
        seps = [plain] + ([prefixed] if unit and prefixed in data else [])
        firsts = [i for i in (data.find(sep) for sep in seps) if i >= 0]
        if unit:
            units += data.count(plain) + (data.count(prefixed) // 2 if len(seps) > 1 else 0)
            if shared and units > MAX_SHARED_STRINGS:
                raise _TooMuch(
                    f"{where} holds more than {MAX_SHARED_STRINGS:,} shared strings",
                    "a smaller workbook (split it, or save the sheet as CSV)",
                )
        if firsts:
            longest = current + min(firsts)
            current = len(data) - max(data.rfind(sep) for sep in seps)
        else:
            longest = current = current + len(data)
        if longest > MAX_CELL_XML_BYTES:
            raise _TooMuch(
                f"{where} holds a {what} longer than {MAX_CELL_XML_BYTES // MiB} MiB",
                f"{what}s of at most {MAX_CELL_CHARS // MiB} MiB characters",
            )
        if not chunk:
            break


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
