"""What the first analysis after opening a large store would build, built while it opens.

The first ``gaps`` or ``targets`` after opening a million-firm store spent most of its
time gathering id and name strings (the local makers of each segment, the makers of
each gap product outside the area) and then had the collector look at every new tuple
once. Built while the file is read (the collector paused, everything frozen after,
:func:`~chaingraph.collector.collector_paused`), the same tuples cost a
little of the opening and are never looked at by the collector again (issue 22).

What is built: each product's makers as ids (:meth:`AnalysisIndex.product_ids`), each
segment's makers as numbers, the leader flags by the default rule, and for each
declared base's local areas (the base, the place it lies in, its city: the three
scopes an analysis of the base reads) each segment's local makers with their names and
leaders. The answers are those the index builds on demand; a merge drops them all.
"""

from __future__ import annotations

from chaingraph.store.base import DEFAULT_LEADER_RULE, NATION, GraphStore
from chaingraph.store.networkx.index import AnalysisIndex

__all__ = ["declared_areas", "warm"]


def declared_areas(store: GraphStore, index: AnalysisIndex) -> list[str]:
    """Each base, the place it lies in and its city (the areas of the ``base``,
    ``town`` and ``city`` scopes), once each.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> store = tiny_store()
    >>> declared_areas(store, store._analysis_index())
    ['base:yinping', 'region:dg-xiegang', 'region:cn-dongguan']
    """
    found: dict[str, None] = {}
    for base in sorted(n.id for n in store.nodes("Base")):
        ancestors = index.place_ancestors(base, store)
        found[base] = None
        if len(ancestors) > 1:
            found[ancestors[1]] = None
        for place in ancestors[1:]:
            node = store.get(place)
            if node is not None and node.get("level") == "city":
                found[place] = None
                break
    return list(found)


def warm(store: GraphStore, index: AnalysisIndex) -> None:
    """Build what the first analysis reads (see the module's note); nothing without the
    reader's notes (a store not read from a file)."""
    columns = index.columns()
    if columns is None:
        return
    segments = sorted(n.id for n in store.nodes("Segment"))
    for product in sorted(n.id for n in store.nodes("Product")):
        columns.maker_ids(product)
    for segment in segments:
        index.count_local(segment, NATION)
    for area in declared_areas(store, index):
        index.economy(area)
        for segment in segments:
            if index.count_local(segment, area):
                index.local_makers(segment, area)
                index.local_names(segment, area)
                index.local_leaders(segment, area, DEFAULT_LEADER_RULE)
