"""Locate the bundled data folders (``ontology/``, ``ingest/``, ``queries/``).

In a wheel they live in ``chaingraph/_data/<name>``; in a source checkout or an
editable install they are the top-level folders of the repository.
"""

from __future__ import annotations

import hashlib
import os
from importlib import resources
from pathlib import Path

__all__ = ["PLAN_TEXT_ENV", "bundled_fingerprint", "data_dir", "data_files", "founding_plan_path"]

_FOLDERS = ("ontology", "ingest", "queries")
PLAN_TEXT_ENV = "CHAINGRAPH_PLAN_TEXT"
_PLAN_TEXT = "texts/dongguan-strategic-emerging-industry-bases-plan.txt"


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


def founding_plan_path() -> Path:
    """The text of the founding plan (东莞市战略性新兴产业基地规划建设实施方案).

    A public government document shipped in ``ingest/texts/`` (see its README for
    provenance); ``$CHAINGRAPH_PLAN_TEXT`` overrides it with another copy.

    Raises
    ------
    FileNotFoundError
        If ``$CHAINGRAPH_PLAN_TEXT`` names a file that does not exist.

    Examples
    --------
    >>> founding_plan_path().read_text(encoding="utf-8").startswith("东莞市战略性新兴产业基地")
    True
    """
    configured = os.environ.get(PLAN_TEXT_ENV)
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"${PLAN_TEXT_ENV} names {path}, which is not a file")
        return path
    return data_dir("ingest") / _PLAN_TEXT


def bundled_fingerprint() -> str:
    """A hash of every bundled ontology and ingest file: changes when the data does."""
    digest = hashlib.sha256()
    for folder in ("ontology", "ingest"):
        root = data_dir(folder)
        for path in data_files(folder):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
