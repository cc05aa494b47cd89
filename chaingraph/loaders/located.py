"""Records that remember where in a file they came from, for precise error messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "LocatedDict",
    "LocatedList",
    "Where",
    "field_where",
    "item_line_of",
    "key_where",
    "line_of",
]


@dataclass(frozen=True)
class Where:
    """A place in an input file: its name, a line (or row) and a field path."""

    file: str
    line: int | None = None
    path: str = ""

    def at(self, field: str, line: int | None = None) -> Where:
        sep = "." if self.path and not field.startswith("[") else ""
        return Where(self.file, line if line is not None else self.line, f"{self.path}{sep}{field}")


class LocatedDict(dict[str, Any]):
    """A dict from a YAML mapping or table row that keeps each key's line number."""

    line: int | None = None
    key_lines: dict[str, int]
    columns: dict[str, str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines = {}
        self.columns = {}

    def label_of(self, key: str) -> str:
        """How the user names this field: the table column it came from, or the key."""
        column = self.columns.get(key)
        return f"{key} (column {column!r})" if column else key

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key, self.line)


class LocatedList(list[Any]):
    """A list from a YAML sequence that keeps each item's line number."""

    line: int | None = None
    item_lines: list[int]

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_lines = []

    def line_at(self, index: int) -> int | None:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


def line_of(value: Any, key: str | None) -> int | None:
    if isinstance(value, LocatedDict):
        return value.line_of(key) if key else value.line
    return None


def item_line_of(items: list[Any], index: int, default: int | None) -> int | None:
    return items.line_at(index) if isinstance(items, LocatedList) else default


def field_where(
    record: Mapping[str, Any], key: str, here: Where, label: str | None = None
) -> Where:
    if label is None and isinstance(record, LocatedDict):
        label = record.label_of(key)
    return here.at(label or key, line_of(record, key))


def key_where(doc: Mapping[str, Any], key: str, top: Where) -> Where:
    return top.at(key, line_of(doc, key))
