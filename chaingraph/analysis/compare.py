"""Benchmark (对标) two bases or regions segment by segment."""

from __future__ import annotations

from dataclasses import dataclass

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.gaps import gaps
from chaingraph.store.base import GraphStore

__all__ = ["SegmentComparison", "compare"]


@dataclass(frozen=True)
class SegmentComparison:
    """One segment as seen from two places: local firms, leaders and status in each."""

    segment: str
    name: str
    chain: str
    a_local_firms: int
    a_local_leaders: int
    a_status: str
    b_local_firms: int
    b_local_leaders: int
    b_status: str
    difference: int


def compare(
    store: GraphStore,
    a: str,
    b: str,
    *,
    chain: str | None = None,
    config: AnalysisConfig | None = None,
) -> list[SegmentComparison]:
    """Compare two bases or regions on the segments either focuses on (or ``chain``'s).

    ``a`` and ``b`` are base or region ids or names. ``difference`` is local firms
    of ``a`` minus those of ``b``; rows are ordered by how far ``a`` trails.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> rows = compare(tiny_store(), "base:yinping", "region:cn-suzhou", chain="chain:robot")
    >>> [(r.name, r.a_local_firms, r.b_local_firms) for r in rows][:2]
    [('减速器', 0, 1), ('核心零部件', 0, 0)]
    """
    config = config or AnalysisConfig()
    reports = [_report(store, place, chain, config) for place in (a, b)]
    views = [{g.segment: g for g in r.segments if g.priority is not None} for r in reports]
    segments = sorted(set(views[0]) | set(views[1]))
    rows = []
    for seg in segments:
        left, right = views[0].get(seg), views[1].get(seg)
        ref = left or right
        assert ref is not None
        la, lb = (left.local_firms if left else 0), (right.local_firms if right else 0)
        rows.append(
            SegmentComparison(
                seg,
                ref.name,
                ref.chain,
                la,
                left.local_leaders if left else 0,
                left.status if left else "-",
                lb,
                right.local_leaders if right else 0,
                right.status if right else "-",
                la - lb,
            )
        )
    return sorted(rows, key=lambda r: (r.difference, r.chain, r.segment))


def _report(store: GraphStore, place: str, chain: str | None, config: AnalysisConfig):  # type: ignore[no-untyped-def]
    node = store.get(place)
    if node is None:
        from chaingraph.lookup import resolve

        node = resolve(store, place)
    if node.type == "Base":
        return gaps(store, node.id, chain=chain, config=config)
    if chain is None:
        chains = [
            r.target for r in store.relationships("FOCUSES_ON") if r.target.startswith("chain:")
        ]
        chain = chains[0] if len(set(chains)) == 1 else None
    return gaps(store, region=node.id, chain=chain, config=config)
