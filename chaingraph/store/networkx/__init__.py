"""The embedded engine: a networkx MultiDiGraph saved to one file (the default store)."""

from chaingraph.store.networkx.store import NetworkxStore

__all__ = ["NetworkxStore"]
