"""Graph stores: one interface, an embedded networkx store and a Neo4j store."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chaingraph.store.base import GraphStore, MergeReport, NameMatch
    from chaingraph.store.networkx_store import NetworkxStore

__all__ = ["GraphStore", "MergeReport", "NameMatch", "NetworkxStore"]

# Imported on first use (PEP 562): ``chaingraph --help`` need not load networkx or jsonschema.
_LAZY = {
    "GraphStore": "chaingraph.store.base",
    "MergeReport": "chaingraph.store.base",
    "NameMatch": "chaingraph.store.base",
    "NetworkxStore": "chaingraph.store.networkx_store",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'chaingraph.store' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
