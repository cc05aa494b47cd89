"""What a chain map shows: segments upstream → downstream, coloured by gap status, with firms.

:func:`chain_map` turns a gap report (and its targets) into plain nodes, edges and
hover cards (:mod:`~chaingraph.maps.elements`), with firms placed by
:mod:`~chaingraph.maps.firms`; :mod:`chaingraph.maps.html` draws them. Every text
here is data, never markup: the page puts it into the document as text.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.facts import segment_direct_makers, segment_neighbours
from chaingraph.analysis.gaps import STATUSES, GapReport, SegmentGap, gaps
from chaingraph.analysis.targets import Target, targets
from chaingraph.errors import ConfigError
from chaingraph.maps.elements import (
    COMPANY_CHOICES,
    FIRM_COLOURS,
    FIRM_SHAPES,
    LOCAL_FIRM,
    STATUS_COLOURS,
    STATUS_MEANINGS,
    TARGET_FIRM,
    Card,
    ChainMap,
    FirmSlot,
    LegendEntry,
    MapBand,
    MapEdge,
    MapNode,
    Section,
    capped,
)
from chaingraph.maps.firms import place_firms
from chaingraph.maps.layout import (
    FONT_SIZE,
    TARGET_HEIGHT,
    TARGET_WIDTH,
    LayoutItem,
    layout,
)
from chaingraph.store.base import GraphStore

__all__ = [
    "COMPANY_CHOICES",
    "STATUS_COLOURS",
    "STATUS_MEANINGS",
    "Card",
    "ChainMap",
    "FirmSlot",
    "LegendEntry",
    "MapBand",
    "MapEdge",
    "MapNode",
    "Section",
    "chain_map",
    "chain_subreport",
]

MIN_LABEL_PX = 10  # below this on first view the map suggests paging by chain


def chain_map(
    store: GraphStore,
    base: str | None = None,
    *,
    region: str | None = None,
    chain: str | None = None,
    companies: str = "none",
    max_companies: int = 80,
    top: int = 3,
    config: AnalysisConfig | None = None,
    report: GapReport | None = None,
    found_targets: Sequence[Target] | None = None,
) -> ChainMap:
    """The map of a base's (or region's) focus chains: every gap segment and how they connect.

    Segments sit in one band per chain and in columns from upstream to downstream
    (上游 → 中游 → 下游), at fixed positions from :func:`chaingraph.maps.layout.layout`;
    they are coloured by their gap status and labelled with their number of local
    firms. Segments outside the base's focus (延链 neighbours) sit in the band of the
    focus chain they connect to most. A hover card lists local firms and the ``top``
    targets. Firms (``companies``) are collapsed into their segments: each has a
    :class:`FirmSlot` beside every segment it belongs to, shown when that is clicked.

    Parameters
    ----------
    store
        The graph.
    base, region, chain, config
        As for :func:`~chaingraph.analysis.gaps.gaps`.
    companies
        Also draw firms: ``"local"`` (local makers of each segment), ``"targets"``
        (the top targets of each gap), ``"all"`` (both) or ``"none"``.
    max_companies
        Draw at most this many firms (local firms first, then targets by score); the
        map says so in a visible note when it cuts.
    top
        Targets listed per segment on the cards (and drawn with ``"targets"``).
    report, found_targets
        A gap report and targets already computed for the same subject (saves work).

    Returns
    -------
    ChainMap

    Raises
    ------
    ConfigError
        For an unknown ``companies`` choice; and as :func:`gaps` does.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> m = chain_map(tiny_store(), "base:yinping", companies="local")
    >>> [(n.name, n.group, n.level) for n in m.nodes]  # doctest: +NORMALIZE_WHITESPACE
    [('减速器', '数据不足', 0), ('核心零部件', '数据不足', 0), ('机器人本体', '数据不足', 1),
     ('系统集成', '数据不足', 2), ('莞工机器人', '本地企业', 1), ('莞集成', '本地企业', 2)]
    >>> [(b.title, b.subtitle.splitlines()[0]) for b in m.bands], [h.text for h in m.headers]
    ([('工业机器人', '完整度 50%')], ['上游', '中游', '下游'])
    >>> [(e.source, e.target, e.kind) for e in m.edges][:2]
    [('seg:robot.parts', 'seg:robot.body', 'flow'), ('seg:robot.parts.reducer', 'seg:robot.body', 'flow')]
    >>> m.node("seg:robot.parts.reducer").card.sections[1].items
    ('苏减速 · 苏州市 · 63.97分',)
    """
    if companies not in COMPANY_CHOICES:
        raise ConfigError(
            f"companies must be one of {', '.join(COMPANY_CHOICES)}, not {companies!r}"
        )
    config = config or AnalysisConfig()
    report = report or gaps(store, base, region=region, chain=chain, config=config)
    if found_targets is None:
        found_targets = targets(store, top=top, config=config, report=report)
    by_segment: dict[str, list[Target]] = defaultdict(list)
    for t in found_targets:
        by_segment[t.segment].append(t)

    segments = list(report.segments)
    flows = _segment_flows(store, [g.segment for g in segments])
    chain_name = {c: _node_name(store, c) for c in {g.chain for g in segments if g.chain}}
    bands = _bands(segments, flows, report, chain_name)
    labels = {g.segment: f"{g.name} ({g.local_firms})" for g in segments}
    placed = layout(
        [LayoutItem(g.segment, labels[g.segment], bands[g.segment], g.stage) for g in segments],
        flows,
        {key: title for key, (title, _) in _band_titles(bands, report, chain_name).items()},
    )
    with_firms = companies != "none"
    nodes = [
        _segment_node(
            g,
            placed.columns[g.segment],
            by_segment[g.segment][:top],
            chain_name.get(g.chain, ""),
            placed.positions[g.segment],
            bands[g.segment],
            labels[g.segment],
            with_firms,
        )
        for g in segments
    ]
    columns = placed.columns
    edges = [
        MapEdge(
            a,
            b,
            "flow",
            Card(f"{_name(segments, a)} → {_name(segments, b)}", "供给关系", _flow_lines(pairs)),
        )
        for (a, b), pairs in sorted(
            flows.items(), key=lambda f: (columns[f[0][0]], columns[f[0][1]], f[0])
        )
    ]
    notes = list(report.notes)
    if first_view_px(placed.width, placed.height) < MIN_LABEL_PX:
        notes.append(
            f"本图共 {len(segments)} 个环节，1280×800 窗口首屏字号偏小；"
            "可用 --chain 逐条产业链查看（或滚轮放大）"
        )
    slots: list[FirmSlot] = []
    if with_firms:
        firm_nodes, firm_edges, slots, note = place_firms(
            store,
            report,
            segments,
            by_segment,
            columns,
            companies,
            max_companies,
            top,
            {n.id: (n.x, n.y, placed.widths[n.id]) for n in nodes},
        )
        nodes += firm_nodes
        edges += firm_edges
        notes += [note] if note else []

    chain_names = _chain_names(store, segments, report)
    legend = [
        LegendEntry(
            s,
            STATUS_MEANINGS[s],
            STATUS_COLOURS[s],
            "box",
            sum(1 for g in segments if g.status == s),
        )
        for s in STATUSES
    ]
    if with_firms:
        legend += [
            LegendEntry(
                kind,
                "企业（点击环节展开）",
                FIRM_COLOURS[kind],
                FIRM_SHAPES[kind],
                sum(1 for n in nodes if n.group == kind),
            )
            for kind in (LOCAL_FIRM, TARGET_FIRM)
        ]
    titles = _band_titles(bands, report, chain_name)
    scope = " · ".join(chain_names) or "全部产业链"
    return ChainMap(
        title=f"{report.subject_name} · {scope} 产业链图谱",
        subject=report.subject,
        subject_name=report.subject_name,
        area_name=report.area_name,
        chains=tuple(chain_names),
        nodes=tuple(nodes),
        edges=tuple(edges),
        legend=tuple(legend),
        notes=tuple(notes),
        bands=tuple(
            MapBand(b.key, b.title, titles[b.key][1], b.x, b.y, b.width, b.height)
            for b in placed.bands
        ),
        headers=placed.headers,
        width=placed.width,
        height=placed.height,
        slots=tuple(slots),
        focus=_focus_text(segments, chain_name),
        as_of=_as_of(store, segments),
    )


def first_view_px(width: float, height: float) -> float:
    """Label size in pixels when a picture of this size opens in a 1280×800 window.

    >>> round(first_view_px(1458.0, 788.0), 1)
    11.7
    """
    return min(TARGET_WIDTH / width, TARGET_HEIGHT / height) * FONT_SIZE


def _bands(
    segments: Sequence[SegmentGap],
    flows: dict[tuple[str, str], list[tuple[str, str]]],
    report: GapReport,
    chain_name: dict[str, str],
) -> dict[str, str]:
    """Segment -> the chain band it is drawn in.

    A focus segment sits in its own chain's band. A segment outside the focus (a
    延链 neighbour) sits in the band of the focus chain it has most flows with, so
    it is drawn next to what it feeds or uses; a segment with no flow at all stays
    in its own chain's band.
    """
    focus_chains = [g.chain for g in segments if g.priority is not None]
    if not focus_chains:
        return {g.segment: g.chain for g in segments}
    own = {g.segment: g.chain for g in segments}
    order = list(dict.fromkeys([c.chain for c in report.chains] + focus_chains))
    bands = {g.segment: g.chain for g in segments if g.priority is not None}
    for g in segments:
        if g.priority is not None:
            continue
        weight: dict[str, int] = defaultdict(int)
        for (a, b), pairs in flows.items():
            other = b if a == g.segment else a if b == g.segment else None
            if other is not None and other in bands:
                weight[bands[other]] += len(pairs)
        if weight:
            bands[g.segment] = max(order, key=lambda c: (weight.get(c, 0), -order.index(c)))
        else:
            bands[g.segment] = own[g.segment] if own[g.segment] in order else order[0]
    return bands


def _band_titles(
    bands: dict[str, str], report: GapReport, chain_name: dict[str, str]
) -> dict[str, tuple[str, str]]:
    """Band key -> (title, subtitle), focus chains first in the report's order."""
    summaries = {c.chain: c for c in report.chains}
    keys = [c.chain for c in report.chains if c.chain in bands.values()]
    keys += sorted(set(bands.values()) - set(keys))
    titles = {}
    for key in keys:
        summary = summaries.get(key)
        sub = (
            f"完整度 {summary.completeness:.0%}\n{summary.present}/{summary.segments} 环节有本地企业"
            if summary
            else ""
        )
        titles[key] = (chain_name.get(key, key or "其他"), sub)
    return titles


def _focus_text(segments: Sequence[SegmentGap], chain_name: dict[str, str]) -> str:
    """The base's focus chains with their priority, e.g. ``集成电路（优先级 1）``."""
    priority: dict[str, int] = {}
    for g in segments:
        if g.priority is not None:
            priority[g.chain] = min(priority.get(g.chain, g.priority), g.priority)
    return "、".join(
        f"{chain_name.get(c, c)}（优先级 {p}）"
        for c, p in sorted(priority.items(), key=lambda cp: (cp[1], chain_name.get(cp[0], "")))
    )


def _as_of(store: GraphStore, segments: Sequence[SegmentGap]) -> str:
    """The latest ``as_of`` among the firms making the mapped segments' products."""
    candidates = store.segment_candidates([g.segment for g in segments], "")
    firms = {f for per_product in candidates.values() for fs in per_product.values() for f in fs}
    dates = {str(n.get("as_of")) for n in store.get_many(sorted(firms)).values() if n.get("as_of")}
    return max(dates, default="")


def chain_subreport(store: GraphStore, report: GapReport, chain_id: str) -> GapReport:
    """The part of a gap report about one of its chains: its segments, and the adjacent
    (延链) segments that feed or use them.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> store = tiny_store()
    >>> part = chain_subreport(store, gaps(store, "base:yinping"), "chain:robot")
    >>> len(part.segments), [c.name for c in part.chains]
    (4, ['工业机器人'])
    """
    own = [g for g in report.segments if g.chain == chain_id and g.priority is not None]
    mine = {g.segment for g in own}
    adjacent = [
        g
        for g in report.segments
        if g.priority is None and set().union(*segment_neighbours(store, g.segment)) & mine
    ]
    keep = {g.segment for g in own} | {g.segment for g in adjacent}
    made_here = _products(store, mine)
    return dataclasses.replace(
        report,
        segments=tuple(g for g in report.segments if g.segment in keep),
        inputs=tuple(i for i in report.inputs if i.for_product in made_here),
        chains=tuple(c for c in report.chains if c.chain == chain_id),
    )


def _products(store: GraphStore, segments: Iterable[str]) -> set[str]:
    return {p for seg in segments for p in segment_direct_makers(store, seg)}


def _segment_flows(
    store: GraphStore, segments: Iterable[str]
) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(upstream segment, downstream segment) -> the (input, product) name pairs behind it."""
    segments_of: dict[str, list[str]] = defaultdict(list)
    for seg in segments:
        for rel in store.relationships("IN_SEGMENT", target=seg):
            segments_of[rel.source].append(seg)
    flows: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for product in sorted(segments_of):
        for rel in store.relationships("INPUT_TO", source=product):
            for up in segments_of[product]:
                for down in segments_of.get(rel.target, ()):
                    if up != down:
                        flows[(up, down)].append(
                            (_node_name(store, product), _node_name(store, rel.target))
                        )
    return flows


def _segment_node(
    gap: SegmentGap,
    level: int,
    best: Sequence[Target],
    chain_name: str,
    position: tuple[float, float],
    band: str,
    label: str,
    with_firms: bool,
) -> MapNode:
    lines = [gap.rule]
    counts = (
        f"本地企业 {gap.local_firms} 家（龙头 {gap.local_leaders}） · 外地 {gap.elsewhere_firms} 家"
    )
    lines.append(counts)
    if gap.priority is not None:
        lines.append(f"重点优先级 {gap.priority}")
    else:
        lines.append("不在基地重点内：与重点环节相邻（延链）")
    if with_firms:
        lines.append("点击环节展开/收起企业")
    sections = [
        Section(f"本地企业（{gap.local_firms}）", capped(gap.local_names) or ("（无）",)),
        Section(
            "招商目标",
            tuple(f"{t.name} · {t.city or '地区未知'} · {t.score}分" for t in best) or ("（无）",),
        ),
    ]
    return MapNode(
        id=gap.segment,
        name=gap.name,
        kind="segment",
        group=gap.status,
        level=level,
        local_firms=gap.local_firms,
        size=float(FONT_SIZE),
        colour=STATUS_COLOURS[gap.status],
        shape="box",
        card=Card(
            gap.name, f"{gap.stage or '链位未知'} · {chain_name}", tuple(lines), tuple(sections)
        ),
        x=position[0],
        y=position[1],
        band=band,
        in_focus=gap.priority is not None,
        label=label,
    )


def _flow_lines(pairs: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    return capped([f"{a} → {b}" for a, b in dict.fromkeys(pairs)])


def _name(segments: Sequence[SegmentGap], seg: str) -> str:
    return next((g.name for g in segments if g.segment == seg), seg)


def _node_name(store: GraphStore, node_id: str) -> str:
    node = store.get(node_id)
    return node.name if node else node_id


def _chain_names(store: GraphStore, segments: Sequence[SegmentGap], report: GapReport) -> list[str]:
    focus = [g.chain for g in segments if g.priority is not None] or [
        c.chain for c in report.chains
    ]
    return [_node_name(store, c) for c in dict.fromkeys(focus) if c]
