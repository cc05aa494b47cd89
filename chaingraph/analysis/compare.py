"""Benchmark (对标) two bases or regions segment by segment."""

from __future__ import annotations

from dataclasses import dataclass

from chaingraph.analysis.audit import audit
from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.gaps import GapReport, gaps
from chaingraph.errors import NotFound
from chaingraph.model import Node
from chaingraph.store.base import GraphStore

__all__ = ["Comparison", "SegmentComparison", "compare", "comparison", "resolve_place"]

COVERAGE_RATIO = 0.5  # warn when one side knows fewer than half the firms of the other
UNVERIFIED_GAP = 0.2  # or when their shares of unverified facts differ by more than this


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


@dataclass(frozen=True)
class Comparison:
    """Two places segment by segment, which side is which, and whether their data compare.

    ``a_*`` columns of :attr:`rows` describe ``a`` (``a_name``, local area ``a_area``),
    ``b_*`` columns ``b``. ``coverage_warning`` is set when the data knows far fewer
    firms on one side, or far more of its facts are unverified: a lead may then be the
    data's, not the industry's.
    """

    a: str
    a_name: str
    a_area: str
    b: str
    b_name: str
    b_area: str
    rows: tuple[SegmentComparison, ...]
    a_firms: int  # firms making a product with a site in a's local area
    b_firms: int
    a_unverified_share: float | None  # share of unverified facts among those firms' facts
    b_unverified_share: float | None
    coverage_warning: str


def compare(
    store: GraphStore,
    a: str,
    b: str,
    *,
    chain: str | None = None,
    config: AnalysisConfig | None = None,
) -> list[SegmentComparison]:
    """Compare two bases or regions on the segments ``a`` focuses on (or ``chain``'s).

    ``a`` and ``b`` are base or region ids or names (short names resolve as in every
    command: 银瓶, 苏州). Without ``chain``, a base ``a`` is compared on its focus
    segments; otherwise on every segment either side judges. ``difference`` is local
    firms of ``a`` minus those of ``b``; rows are ordered by how far ``a`` trails.

    Parameters
    ----------
    store
        The graph.
    a, b
        The base or region to benchmark, and the one to compare it with (ids or names).
    chain
        Only this chain (id or name); by default a base's focus segments.
    config
        Thresholds of the gap rules (:class:`AnalysisConfig`).

    Returns
    -------
    list of SegmentComparison
        One row per segment, ``a``'s largest shortfall first (then by chain and
        segment id).

    Raises
    ------
    NotFound
        When a side names no base or region, or ``chain`` no chain (with near names).

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> rows = compare(tiny_store(), "银瓶", "苏州", chain="chain:robot")
    >>> [(r.name, r.a_local_firms, r.b_local_firms) for r in rows][:2]
    [('减速器', 0, 1), ('核心零部件', 0, 0)]
    """
    config = config or AnalysisConfig()
    nodes = [resolve_place(store, place) for place in (a, b)]
    reports = [_report(store, node, chain, config) for node in nodes]
    views = [{g.segment: g for g in r.segments if g.priority is not None} for r in reports]
    if chain is None and nodes[0].type == "Base":
        segments = sorted(views[0])
    else:
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


def comparison(
    store: GraphStore,
    a: str,
    b: str,
    *,
    chain: str | None = None,
    config: AnalysisConfig | None = None,
) -> Comparison:
    """:func:`compare` with its sides named and a warning when their coverage differs.

    Parameters
    ----------
    store
        The graph.
    a, b
        The base or region to benchmark, and the one to compare it with (ids or names).
    chain
        Only this chain; by default a base's focus chains.
    config
        Thresholds of the gap rules.

    Returns
    -------
    Comparison
        The rows, each side's name and local area, firms known and unverified share,
        and a coverage warning ("" when the two sides' data compare).

    Raises
    ------
    NotFound
        When a side names no base or region (with near names).

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> result = comparison(tiny_store(), "银瓶", "苏州", chain="chain:robot")
    >>> result.a_name, result.b_name, result.a_firms, result.b_firms
    ('银瓶高端装备产业基地', '苏州市', 2, 1)
    >>> result.coverage_warning  # 2 firms against 1: within a factor of two
    ''
    """
    config = config or AnalysisConfig()
    nodes = [resolve_place(store, place) for place in (a, b)]
    rows = compare(store, nodes[0].id, nodes[1].id, chain=chain, config=config)
    audits = [
        audit(
            store,
            node.id if node.type == "Base" else None,
            region=node.id if node.type != "Base" else None,
            chain=chain if chain or node.type == "Base" else _only_chain(store),
            config=config,
        )
        for node in nodes
    ]
    firms = [x.makers for x in audits]
    shares = [x.local_unverified_share for x in audits]
    warning = ""
    fewer = min(firms)
    if max(firms) and fewer < COVERAGE_RATIO * max(firms):
        warning = "已知企业数相差悬殊"
    elif None not in shares and abs((shares[0] or 0) - (shares[1] or 0)) > UNVERIFIED_GAP:
        warning = "未核实信息占比相差较大"
    if warning:
        warning = (
            f"数据覆盖差异 ({warning}): a {audits[0].area_name} 已知制造企业 {firms[0]} 家"
            f" (未核实事实 {_pct(shares[0])})，b {audits[1].area_name} {firms[1]} 家"
            f" (未核实事实 {_pct(shares[1])})；差距可能来自数据覆盖，而非产业实力"
        )
    return Comparison(
        nodes[0].id,
        nodes[0].name,
        audits[0].area_name,
        nodes[1].id,
        nodes[1].name,
        audits[1].area_name,
        tuple(rows),
        firms[0],
        firms[1],
        shares[0],
        shares[1],
        warning,
    )


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def resolve_place(store: GraphStore, text: str) -> Node:
    """The base or region ``text`` names: an id, an exact name or alias, else the one
    base, then the one region, whose name contains it (银瓶, 苏州 → 苏州市).

    Raises
    ------
    NotFound
        With the nearest base and region names.
    """
    from chaingraph.store.lookup import resolve

    node = store.get(text.strip())
    if node is not None and node.type in ("Base", "Region"):
        return node
    exact = sorted(set(store.ids_by_name(text, "Base")) | set(store.ids_by_name(text, "Region")))
    if len(exact) == 1:
        found = store.get(exact[0])
        assert found is not None
        return found
    near: list[str] = []
    for kind in ("Base", "Region"):
        try:
            return resolve(store, text, kind)
        except NotFound as exc:
            near += list(exc.suggestions)
    raise NotFound("base or region", text, near[:5])


def _only_chain(store: GraphStore) -> str | None:
    chains = {r.target for r in store.relationships("FOCUSES_ON") if r.target.startswith("chain:")}
    return chains.pop() if len(chains) == 1 else None


def _report(store: GraphStore, node: Node, chain: str | None, config: AnalysisConfig) -> GapReport:
    if node.type == "Base":
        return gaps(store, node.id, chain=chain, config=config)
    return gaps(store, region=node.id, chain=chain or _only_chain(store), config=config)
