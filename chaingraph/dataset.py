"""The bundled Dongguan dataset and the per-user default store built from it."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
import yaml

from chaingraph.loaders.pipeline import LoadReport, load_files
from chaingraph.resources import bundled_fingerprint, data_dir
from chaingraph.store.networkx_store import NetworkxStore

__all__ = ["STORE_ENV", "bundled_files", "default_store_path", "open_default_store"]

STORE_ENV = "CHAINGRAPH_STORE"


def bundled_files() -> list[Path]:
    """The bundled data files in load order, as listed in ``ingest/bundled.yaml``."""
    root = data_dir("ingest").parent
    ontology, ingest = data_dir("ontology"), data_dir("ingest")
    with open(ingest / "bundled.yaml", encoding="utf-8") as fh:
        manifest = yaml.safe_load(fh)
    files: list[Path] = []
    for pattern in manifest["files"]:
        folder, _, rest = pattern.partition("/")
        base = {"ontology": ontology, "ingest": ingest}.get(folder, root)
        matches = sorted(base.glob(rest))
        if not matches:
            raise FileNotFoundError(f"bundled.yaml lists {pattern!r} but no such file is bundled")
        files.extend(m for m in matches if m not in files)
    return files


def load_bundled(store: NetworkxStore) -> LoadReport:
    """Load the bundled dataset into ``store`` (idempotent)."""
    report = load_files(store, bundled_files())
    store.meta["bundled_fingerprint"] = bundled_fingerprint()
    return report


def default_store_path() -> Path:
    """``$CHAINGRAPH_STORE``, else ``<user data dir>/chaingraph/dongguan.cgraph.json``."""
    configured = os.environ.get(STORE_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_data_dir("chaingraph")) / "dongguan.cgraph.json"


def open_default_store() -> NetworkxStore:
    """The per-user store, built from the bundled dataset on first use.

    It is rebuilt when the bundled data changes (a new chaingraph version), but
    only if nobody loaded their own data into it; otherwise it is left as is.
    """
    path = default_store_path()
    store = NetworkxStore.open(path)
    fresh = store.meta.get("bundled_fingerprint") == bundled_fingerprint()
    if fresh or store.meta.get("user_loads"):
        return store
    store = NetworkxStore(path)
    load_bundled(store)
    store.save()
    return store
