"""Graph stores: one contract (:mod:`chaingraph.store.base`) and two engines side by side,
:mod:`chaingraph.store.networkx` (embedded, the default) and :mod:`chaingraph.store.neo4j`."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chaingraph.store.base import GraphStore, LeaderRule, MergeReport, NameMatch
    from chaingraph.store.neo4j import Neo4jStore
    from chaingraph.store.networkx import NetworkxStore

__all__ = ["GraphStore", "LeaderRule", "MergeReport", "NameMatch", "Neo4jStore", "NetworkxStore"]

# Imported on first use (PEP 562): ``chaingraph --help`` need not load networkx, jsonschema
# or the Neo4j driver.
_LAZY = {
    "GraphStore": "chaingraph.store.base",
    "LeaderRule": "chaingraph.store.base",
    "MergeReport": "chaingraph.store.base",
    "NameMatch": "chaingraph.store.base",
    "Neo4jStore": "chaingraph.store.neo4j",
    "NetworkxStore": "chaingraph.store.networkx",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'chaingraph.store' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
