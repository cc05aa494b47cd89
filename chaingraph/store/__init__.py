"""Graph stores: one interface, an embedded networkx store and a Neo4j store."""

from chaingraph.store.base import GraphStore, MergeReport, NameMatch
from chaingraph.store.networkx_store import NetworkxStore

__all__ = ["GraphStore", "MergeReport", "NameMatch", "NetworkxStore"]
