"""Structure of chains and places: which segments, products and firms belong where."""

from __future__ import annotations

from collections import deque

from chaingraph.store.base import GraphStore

__all__ = [
    "chain_of_segment",
    "chain_segments",
    "place_ancestors",
]


def chain_segments(store: GraphStore, chain_id: str) -> list[str]:
    """Every segment of a chain, sub-segments included, parents before children.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> chain_segments(tiny_store(), "chain:robot")
    ['seg:robot.parts', 'seg:robot.body', 'seg:robot.integration', 'seg:robot.parts.reducer']
    """
    found: list[str] = []
    queue = deque([chain_id])
    while queue:
        parent = queue.popleft()
        children = sorted(
            (r.source for r in store.relationships("PART_OF", target=parent)),
            key=lambda seg: (_stage_rank(store, seg), seg),
        )
        found.extend(children)
        queue.extend(children)
    return found


_STAGES = {"上游": 0, "中游": 1, "下游": 2}


def _stage_rank(store: GraphStore, segment_id: str) -> int:
    node = store.get(segment_id)
    return _STAGES.get(str(node.get("stage")) if node else "", 3)


def chain_of_segment(store: GraphStore, segment_id: str) -> str | None:
    """The chain a segment belongs to (following parent segments).

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> chain_of_segment(tiny_store(), "seg:robot.parts.reducer")
    'chain:robot'
    """
    return store.chain_of(segment_id) or None


def place_ancestors(store: GraphStore, place_id: str) -> list[str]:
    """A region or base followed by every region it lies in, nearest first.

    Every ``IN`` parent is followed (ties at one distance go by id), at most
    :data:`~chaingraph.store.base.MAX_PLACE_DEPTH` hops.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> place_ancestors(tiny_store(), "base:yinping")
    ['base:yinping', 'region:dg-xiegang', 'region:cn-dongguan', 'region:cn-guangdong', 'region:cn']
    """
    return store.place_ancestors(place_id)
