"""Locate the bundled data folders (``ontology/``, ``ingest/``, ``queries/``).

In a wheel they live in ``chaingraph/_data/<name>``; in a source checkout or an
editable install they are the top-level folders of the repository.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

__all__ = ["bundled_fingerprint", "data_dir", "data_files"]

_FOLDERS = ("ontology", "ingest", "queries")


def data_dir(name: str) -> Path:
    """Return the folder holding bundled data ``name``.

    Examples
    --------
    >>> (data_dir("ontology") / "model.yaml").is_file()
    True
    """
    if name not in _FOLDERS:
        raise ValueError(f"unknown data folder {name!r}; one of {', '.join(_FOLDERS)}")
    packaged = Path(str(resources.files("chaingraph"))) / "_data" / name
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"bundled data folder {name!r} not found in {packaged} or {checkout}")


def data_files(name: str, pattern: str = "**/*") -> list[Path]:
    """Files under a bundled folder matching ``pattern``, in a stable order."""
    root = data_dir(name)
    return sorted(p for p in root.glob(pattern) if p.is_file())


def bundled_fingerprint() -> str:
    """A hash of every bundled ontology and ingest file: changes when the data does."""
    digest = hashlib.sha256()
    for folder in ("ontology", "ingest"):
        root = data_dir(folder)
        for path in data_files(folder):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
