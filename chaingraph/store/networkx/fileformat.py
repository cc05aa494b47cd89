"""The embedded store's file: compact JSON (orjson), written atomically.

Chosen by measurement (``bench/STORAGE.md``; README, "Store file format"): JSON
parses without running code (never pickle), and no other safe format measured
(gzip/zstd JSON, Parquet, SQLite, node-link) loaded a 200k-node store 30% faster.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from chaingraph.errors import StoreCorrupt
from chaingraph.fs import atomic_write_bytes, refuse_special

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "corrupt",
    "file_signature",
    "read_store_file",
    "write_store_file",
]

FORMAT_NAME = "chaingraph-store"
FORMAT_VERSION = 1

NodeRow = tuple[str, str, dict[str, Any]]
EdgeRow = tuple[str, str, str, str, dict[str, Any]]


def write_store_file(
    path: Path, meta: dict[str, Any], nodes: Iterable[NodeRow], edges: Iterable[EdgeRow]
) -> None:
    """Write the graph to ``path`` atomically: a crash leaves the previous file intact."""
    document = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "meta": meta,
        "nodes": list(nodes),
        "edges": list(edges),
    }
    atomic_write_bytes(path, orjson.dumps(document))


def file_signature(path: Path) -> tuple[int, ...] | None:
    """What identifies one version of a file (inode, size, change time), None if absent.

    An atomic save replaces the file with a new inode, so any save since shows.
    """
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def read_store_file(path: Path) -> tuple[dict[str, Any], list[Any], list[Any]]:
    """Read a store file's header, node rows and edge rows (rows as stored, unchecked:
    the reader checks each as it stores it); :class:`StoreCorrupt` names the file and
    the fix when the file can't be used."""
    problem = refuse_special(path)
    if problem:
        raise StoreCorrupt(f"cannot read the store: {problem}")
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise StoreCorrupt(f"{path}: cannot read store file ({exc.strerror})") from None
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise corrupt(path, f"not a chaingraph store file ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise corrupt(path, f"not a chaingraph store file (no '{FORMAT_NAME}' header)")
    if document.get("version") != FORMAT_VERSION:
        raise StoreCorrupt(
            f"{path}: store format version {document.get('version')!r} is not supported "
            f"(this chaingraph reads version {FORMAT_VERSION})"
        )
    meta = document.get("meta") or {}
    if not isinstance(meta, dict):
        raise corrupt(path, "malformed store file ('meta' is not an object)")
    loads = meta.get("user_loads", 0)
    if type(loads) is not int or loads < 0:
        raise corrupt(path, "malformed store file ('meta.user_loads' is not a count)")
    nodes, edges = document.get("nodes"), document.get("edges")
    if type(nodes) is not list or type(edges) is not list:
        raise corrupt(path, "malformed store file ('nodes' and 'edges' must be lists)")
    # Each row is checked where it is stored (NetworkxStore._load_rows): one pass,
    # not a checking copy of a million rows first.
    return dict(meta), nodes, edges


def corrupt(path: Path, why: str) -> StoreCorrupt:
    """The error for a store file that cannot be used, saying how to recover."""
    return StoreCorrupt(
        f"{path}: {why}; move the file aside (or delete it) and load your data again "
        "(the default store is rebuilt from the bundled dataset on its own)"
    )
