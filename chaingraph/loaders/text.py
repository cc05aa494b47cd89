"""Text no honest data file holds: control characters, lone surrogates, runaway lengths.

Such text is refused where records are collected, whatever format it came in: a
YAML or JSON escape (``"\\e[2J"``, ``"\\ud800"``) produces it as easily as a raw
byte in a CSV cell. Control characters would rewrite the terminal of whoever
reads a listing, and XML (so XLSX and GraphML) cannot hold them; a lone surrogate
cannot even be encoded as UTF-8.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from chaingraph.errors import mask_credentials

__all__ = ["MAX_KEY", "MAX_TEXT", "bad_texts", "shorten", "text_problem"]

# C0 controls except tab, LF and CR; lone surrogates; the two non-characters XML refuses.
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_TEXT = 20_000  # well above any field the model bounds (descriptions: 5000)
MAX_KEY = 100
TEXT_EXPECTED = "text without control characters (tabs and line breaks are fine)"


def text_problem(text: str, *, limit: int = MAX_TEXT) -> str | None:
    """Why ``text`` cannot be stored, or None when it can.

    Examples
    --------
    >>> text_problem("东莞\\x1b[2J")
    'contains control character U+001B'
    >>> text_problem("示例\\ud800")
    'contains a lone surrogate U+D800 (not valid Unicode text)'
    >>> text_problem("甲" * 30, limit=20)
    'is 30 characters long'
    >>> text_problem("第一行\\n第二行\\t") is None
    True
    """
    if len(text) > limit:
        return f"is {len(text)} characters long"
    found = _BAD_CHAR.search(text)
    if found is None:
        return None
    code = ord(found.group())
    if 0xD800 <= code <= 0xDFFF:
        return f"contains a lone surrogate U+{code:04X} (not valid Unicode text)"
    if code < 0x20:
        return f"contains control character U+{code:04X}"
    return f"contains non-character U+{code:04X}"


def bad_texts(value: Any, path: str = "") -> Iterator[tuple[str, str, Any, str]]:
    """``(field path, problem, offending text, expected)`` for each key or text in ``value``.

    Walks nested mappings and lists without recursion (input may nest deeply).

    Examples
    --------
    >>> list(bad_texts({"name": "甲", "aliases": ["乙", "丙\\x00"]}))
    [('aliases[1]', 'text contains control character U+0000', '丙\\x00', 'text without control characters (tabs and line breaks are fine)')]
    """
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                expected = (
                    TEXT_EXPECTED if "character" in problem else f"at most {MAX_TEXT:,} characters"
                )
                yield where, "text " + problem, item, expected
        elif isinstance(item, dict):
            entries = []
            for key, inner in item.items():
                label = shorten(str(key), 40)
                inner_path = f"{where}.{label}" if where else label
                problem = text_problem(str(key), limit=MAX_KEY)
                if problem:
                    expected = (
                        TEXT_EXPECTED if "character" in problem else f"at most {MAX_KEY} characters"
                    )
                    yield inner_path, "field name " + problem, key, expected
                    continue
                entries.append((inner_path, inner))
            stack.extend(reversed(entries))
        elif isinstance(item, list | tuple):
            stack.extend(reversed([(f"{where}[{i}]", v) for i, v in enumerate(item)]))


def shorten(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters for a message (a header may be a megabyte long).

    >>> shorten("企业名称" * 30, 10)
    '企业名称企业名...'
    """
    text = mask_credentials(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."
