"""The embedded store's file: compact JSON (orjson), written atomically.

Chosen by measurement (see README, "Store file format"): JSON parses without
running code (never pickle), and orjson makes it the fastest safe option measured.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from chaingraph.errors import StoreCorrupt

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "atomic_write_bytes",
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


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Write to a temp file beside ``path``, fsync it, rename over ``path``, fsync the folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def read_store_file(path: Path) -> tuple[dict[str, Any], list[NodeRow], list[EdgeRow]]:
    """Read a store file; :class:`StoreCorrupt` names the file and the fix when it can't."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise StoreCorrupt(f"{path}: cannot read store file ({exc.strerror})") from None
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise StoreCorrupt(
            f"{path}: not a chaingraph store file ({exc}); rebuild it with "
            f"'chaingraph load --store {path} --replace FILES' or delete it"
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise StoreCorrupt(f"{path}: not a chaingraph store file (no '{FORMAT_NAME}' header)")
    if document.get("version") != FORMAT_VERSION:
        raise StoreCorrupt(
            f"{path}: store format version {document.get('version')!r} is not supported "
            f"(this chaingraph reads version {FORMAT_VERSION})"
        )
    try:
        nodes = [(str(i), str(t), dict(p)) for i, t, p in document["nodes"]]
        edges = [(str(t), str(s), str(d), str(k), dict(p)) for t, s, d, k, p in document["edges"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise StoreCorrupt(f"{path}: malformed store file ({exc!r})") from None
    return dict(document.get("meta") or {}), nodes, edges
