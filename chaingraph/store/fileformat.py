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
        raise _corrupt(path, f"not a chaingraph store file ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise _corrupt(path, f"not a chaingraph store file (no '{FORMAT_NAME}' header)")
    if document.get("version") != FORMAT_VERSION:
        raise StoreCorrupt(
            f"{path}: store format version {document.get('version')!r} is not supported "
            f"(this chaingraph reads version {FORMAT_VERSION})"
        )
    meta = document.get("meta") or {}
    if not isinstance(meta, dict):
        raise _corrupt(path, "malformed store file ('meta' is not an object)")
    try:
        nodes = [(_text(i), _text(t), _props(p)) for i, t, p in document["nodes"]]
        edges = [
            (_text(t), _text(s), _text(d), _text(k), _props(p))
            for t, s, d, k, p in document["edges"]
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise _corrupt(path, f"malformed store file ({exc!r})") from None
    ids = {row[0] for row in nodes}
    for rel_type, source, target, _, _ in edges:
        for end in (source, target):
            if end not in ids:
                raise _corrupt(
                    path,
                    f"malformed store file (a {rel_type} relationship ends at {end!r}, "
                    "which has no node row)",
                )
    return dict(meta), nodes, edges


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {value!r:.60}")
    return value


def _props(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object of properties, got {value!r:.60}")
    return value


def _corrupt(path: Path, why: str) -> StoreCorrupt:
    return StoreCorrupt(
        f"{path}: {why}; move the file aside (or delete it) and load your data again "
        "(the default store is rebuilt from the bundled dataset on its own)"
    )
