"""The named Cypher queries of ``queries/*.cypher``, loaded by name.

Each file is one read query with ``$parameters`` only: it runs unchanged in Neo4j
Browser or cypher-shell (set the parameters with ``:param``). The Neo4j store runs
them for the analyses' heavy lifting, so the aggregation happens inside Neo4j.
A file opens with ``//`` comments saying what it returns and which parameters it
takes; those comments are kept when the query is sent.
"""

from __future__ import annotations

import re
from functools import cache

from chaingraph.resources import data_dir, data_files

__all__ = ["query", "query_names", "query_parameters"]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT = re.compile(r"//[^\n]*")
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def query_names() -> list[str]:
    """Names of the bundled queries, sorted.

    Examples
    --------
    >>> "segment_coverage" in query_names()
    True
    """
    return [p.stem for p in data_files("queries", "*.cypher")]


@cache
def query(name: str) -> str:
    """The text of ``queries/<name>.cypher``.

    Raises
    ------
    ValueError
        ``name`` is not a bundled query.

    Examples
    --------
    >>> query("focus_segments").lstrip().startswith("//")
    True
    """
    if not _NAME.match(name):
        raise ValueError(f"not a query name: {name!r}")
    path = data_dir("queries") / f"{name}.cypher"
    if not path.is_file():
        raise ValueError(f"no query named {name!r}; one of {', '.join(query_names())}")
    return path.read_text(encoding="utf-8")


def query_parameters(name: str) -> set[str]:
    """The ``$parameters`` a query uses (outside comments and string literals).

    Examples
    --------
    >>> sorted(query_parameters("focus_segments"))
    ['base']
    """
    text = _STRING.sub("''", _COMMENT.sub("", query(name)))
    return set(_PARAMETER.findall(text))
