"""One output helper for every command: ``--format table|json|csv`` to stdout or ``-o FILE``."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from chaingraph.fs import atomic_write_bytes

__all__ = [
    "FORMATS",
    "as_rows",
    "emit",
    "field_names",
    "json_bytes",
    "json_text",
    "neutralise",
    "notice",
    "render",
    "terminal_safe",
    "write_json",
    "write_output",
    "wrote",
]

FORMATS = ("table", "json", "csv")
# Cells that spreadsheet programs would run as formulas (CSV/XLSX injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    return value


def neutralise(value: Any) -> Any:
    """Make text that a spreadsheet would run as a formula inert; numbers stay numbers.

    >>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise(-3), neutralise("-3")
    ('\\'=HYPERLINK("http://x")', -3, "'-3")
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# Control characters other than tab and line feed: from a store someone else filled,
# ESC sequences would recolour, retitle or clear the reader's terminal and CR would
# let one name overprint another. C1 controls include the 8-bit CSI (U+009B).
_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    r"""``text`` with control characters shown as escapes, for a table read on a terminal.

    >>> terminal_safe("示例\x1b[2J\r公司\n")
    '示例\\x1b[2J\\r公司\n'
    """
    return _TERMINAL_CONTROLS.sub(lambda m: repr(m.group())[1:-1], text)


def json_bytes(payload: Any) -> bytes:
    """``payload`` as the JSON every command and export writes: UTF-8, indented by two,
    ending in a newline. Dataclasses, dates and paths are not converted here.

    >>> json_bytes({"name": "东莞", "n": [1, 2]}).decode()
    '{\\n  "name": "东莞",\\n  "n": [\\n    1,\\n    2\\n  ]\\n}\\n'
    """
    return orjson.dumps(payload, option=orjson.OPT_INDENT_2) + b"\n"


def json_text(payload: Any) -> str:
    """:func:`json_bytes` as text."""
    return json_bytes(payload).decode()


def write_json(payload: Any, output: str | Path | None) -> None:
    """Write ``payload`` as JSON (:func:`json_text`) to stdout or ``output``
    (:func:`write_output`): the one way a command prints JSON that is not a list of rows."""
    write_output(json_text(payload), output, "json")


def as_rows(items: Sequence[Any]) -> list[dict[str, Any]]:
    """Result records (dataclasses or mappings) as dicts, for :func:`render`.

    >>> Count = dataclasses.make_dataclass("Count", ["type", "count"])
    >>> as_rows([Count("Chain", 7), {"type": "Base", "count": 7}])
    [{'type': 'Chain', 'count': 7}, {'type': 'Base', 'count': 7}]
    """
    return [
        dataclasses.asdict(i)
        if dataclasses.is_dataclass(i) and not isinstance(i, type)
        else dict(i)
        for i in items
    ]


def field_names(cls: type) -> list[str]:
    """The field names of a dataclass, in order: the columns of its rows."""
    return [f.name for f in dataclasses.fields(cls)]


def render(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], fmt: str) -> str:
    """Render rows (dicts) in one of :data:`FORMATS`; ``columns`` fixes the order.

    Examples
    --------
    >>> print(render([{"a": 1, "b": "东莞"}], ["a", "b"], "csv"), end="")
    a,b
    1,东莞
    """
    if fmt == "json":
        return json_text([{c: row.get(c) for c in columns} for row in rows])
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([neutralise(_cell(row.get(c))) for c in columns])
        return buffer.getvalue()
    if fmt == "table":
        if not rows:
            return "(no rows)\n"
        from tabulate import tabulate  # imported when a table is printed (fast --help)

        body = [[_cell(row.get(c)) for c in columns] for row in rows]
        return (
            tabulate(body, headers=list(columns), tablefmt="simple", disable_numparse=True) + "\n"
        )
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


def write_output(text: str, output: str | Path | None, fmt: str) -> None:
    """Print to stdout, or write atomically to ``output`` (CSV files get a BOM for Excel).

    Tables are for people: their control characters are shown as escapes
    (:func:`terminal_safe`). JSON escapes them itself; CSV keeps the data as it is.
    """
    if fmt == "table":
        text = terminal_safe(text)
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        return
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    wrote(atomic_write_bytes(Path(output), text.encode(encoding)))


def emit(items: Sequence[Any], columns: Sequence[str], fmt: str, output: str | Path | None) -> None:
    """Render result records (:func:`as_rows`) in ``fmt`` and write them (:func:`write_output`)."""
    write_output(render(as_rows(items), columns, fmt), output, fmt)


def notice(text: str) -> None:
    """One line for the person at the terminal, on stderr (kept out of ``-o`` and pipes):
    what was done besides the answer, e.g. where a file was built."""
    sys.stderr.write(terminal_safe(text) + "\n")


def wrote(path: str | Path, detail: str = "") -> None:
    """Tell the user where a command wrote a file: ``wrote PATH`` on stderr (stdout stays data).

    Every command that writes a file (``-o``, ``--export``, a saved store) says so
    through this one helper.

    >>> import contextlib, io
    >>> err = io.StringIO()
    >>> with contextlib.redirect_stderr(err):
    ...     wrote("gaps.xlsx", "3 sheets")
    >>> err.getvalue()
    'wrote gaps.xlsx (3 sheets)\\n'
    """
    sys.stderr.write(f"wrote {path}" + (f" ({detail})" if detail else "") + "\n")
    sys.stderr.flush()
