"""The benchmarks' graph: the real ontology plus seeded synthetic firms, from :mod:`chaingraph.synthetic`.

One generator serves ``chaingraph generate`` and the benchmarks; this module only
gives the benchmarks a :class:`NetworkxStore` (the package function is typed for
any store). Every generated company and relationship carries ``synthetic: true``
and ``source: synthetic``.
"""

from __future__ import annotations

from chaingraph import synthetic
from chaingraph.store.networkx import NetworkxStore

__all__ = ["SYNTHETIC_SOURCE", "ontology_store", "synthetic_store"]

SYNTHETIC_SOURCE = synthetic.SYNTHETIC_SOURCE


def ontology_store() -> NetworkxStore:
    """A store holding only the bundled ontology (chains, products, bases, regions; no firms)."""
    store = synthetic.ontology_store()
    assert isinstance(store, NetworkxStore)
    return store


def synthetic_store(n_companies: int, seed: int = 0) -> NetworkxStore:
    """The ontology plus ``n_companies`` synthetic firms; the same seed gives the same graph."""
    store = synthetic.synthetic_store(n_companies, seed)
    assert isinstance(store, NetworkxStore)
    return store
