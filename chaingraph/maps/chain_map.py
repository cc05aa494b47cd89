"""What a chain map shows: segments upstream → downstream, coloured by gap status, with firms.

:func:`chain_map` turns a gap report (and its targets) into plain nodes, edges and
hover cards; :mod:`chaingraph.maps.html` draws them. Every text here is data, never
markup: the page puts it into the document as text.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.facts import Profiles, segment_direct_makers, segment_neighbours
from chaingraph.analysis.gaps import STATUSES, GapReport, SegmentGap, gaps
from chaingraph.analysis.targets import Target, targets
from chaingraph.errors import ConfigError
from chaingraph.store.base import GraphStore

__all__ = [
    "COMPANY_CHOICES",
    "STATUS_COLOURS",
    "Card",
    "ChainMap",
    "LegendEntry",
    "MapEdge",
    "MapNode",
    "Section",
    "chain_map",
    "chain_subreport",
]

COMPANY_CHOICES: tuple[str, ...] = ("none", "local", "targets", "all")

# Colour-blind-safe enough and ordered by urgency: red (build) … green (strength).
STATUS_COLOURS = {
    "建链": "#d62728",
    "补链": "#ff7f0e",
    "强链": "#e6b400",
    "数据不足": "#8c8c8c",
    "延链": "#9467bd",
    "优势": "#2ca02c",
}
STATUS_MEANINGS = {
    "建链": "本地空白",
    "补链": "薄弱或断链",
    "强链": "缺龙头",
    "数据不足": "数据无法判断",
    "延链": "相邻环节",
    "优势": "本地优势",
}
LOCAL_FIRM = "本地企业"
TARGET_FIRM = "招商目标"
FIRM_COLOURS = {LOCAL_FIRM: "#1f77b4", TARGET_FIRM: "#6b7b8c"}
FIRM_SHAPES = {LOCAL_FIRM: "square", TARGET_FIRM: "diamond"}
_STAGE_RANK = {"上游": 0, "中游": 1, "下游": 2}
_CARD_LIST_LIMIT = 12


@dataclass(frozen=True)
class Section:
    """A titled list inside a hover card."""

    heading: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Card:
    """The hover card of a node or edge: a title, a subtitle, lines and titled lists."""

    title: str
    subtitle: str = ""
    lines: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()


@dataclass(frozen=True)
class MapNode:
    """A drawn node: a segment (``kind="segment"``) or a firm (``kind="company"``).

    ``group`` is the gap status of a segment, or 本地企业/招商目标 for a firm;
    ``level`` is its column, counted from the most upstream one.
    """

    id: str
    name: str
    kind: str
    group: str
    level: int
    local_firms: int
    size: float
    colour: str
    shape: str
    card: Card


@dataclass(frozen=True)
class MapEdge:
    """A drawn edge: products of one segment feed another (``flow``), or a firm's segment."""

    source: str
    target: str
    kind: str
    card: Card


@dataclass(frozen=True)
class LegendEntry:
    label: str
    meaning: str
    colour: str
    shape: str
    count: int


@dataclass(frozen=True)
class ChainMap:
    """Everything a chain map draws; texts are plain data for the page to show as text."""

    title: str
    subject: str
    subject_name: str
    area_name: str
    chains: tuple[str, ...]
    nodes: tuple[MapNode, ...]
    edges: tuple[MapEdge, ...]
    legend: tuple[LegendEntry, ...]
    notes: tuple[str, ...]

    def node(self, node_id: str) -> MapNode:
        """The drawn node with this id (KeyError if it is not on the map)."""
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)


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

    Segments sit in columns from upstream to downstream (上游 → 中游 → 下游, and within a
    stage by the INPUT_TO flow between them), coloured by their gap status, sized by
    their number of local firms. A hover card lists local firms and the ``top`` targets.

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
    [('机器人本体', '数据不足', 2), ('系统集成', '数据不足', 4), ('核心零部件', '数据不足', 0),
     ('减速器', '数据不足', 0), ('莞工机器人', '本地企业', 3), ('莞集成', '本地企业', 5)]
    >>> [(e.source, e.target, e.kind) for e in m.edges][:2]
    [('seg:robot.parts', 'seg:robot.body', 'flow'), ('seg:robot.parts.reducer', 'seg:robot.body', 'flow')]
    >>> m.node("seg:robot.parts.reducer").card.sections[1].items
    ('苏减速 · 苏州市 · 61.47分',)
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
    columns = _columns(segments, flows)
    with_firms = companies != "none"
    step = 2 if with_firms else 1  # firms get the column right of their segment

    chain_name = {c: _node_name(store, c) for c in {g.chain for g in segments if g.chain}}
    nodes = [
        _segment_node(
            g, step * columns[g.segment], by_segment[g.segment][:top], chain_name.get(g.chain, "")
        )
        for g in segments
    ]
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
    if with_firms:
        firm_nodes, firm_edges, note = _firms(
            store, report, segments, by_segment, columns, companies, max_companies, top
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
            "dot",
            sum(1 for g in segments if g.status == s),
        )
        for s in STATUSES
    ]
    if with_firms:
        legend += [
            LegendEntry(
                kind,
                "企业",
                FIRM_COLOURS[kind],
                FIRM_SHAPES[kind],
                sum(1 for n in nodes if n.group == kind),
            )
            for kind in (LOCAL_FIRM, TARGET_FIRM)
        ]
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
    )


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


def _columns(segments: Sequence[SegmentGap], flows: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Column of each segment: by stage first, then by depth of the flow inside its stage."""
    rank = {g.segment: _STAGE_RANK.get(g.stage, len(_STAGE_RANK)) for g in segments}
    within = nx.DiGraph()
    within.add_nodes_from(rank)
    within.add_edges_from((a, b) for a, b in flows if rank[a] == rank[b])
    # Cycles (A feeds B feeds A) share one column: depth over strongly connected components.
    dag = nx.condensation(within)
    depth: dict[int, int] = {}
    for comp in nx.topological_sort(dag):
        depth[comp] = max((depth[p] + 1 for p in dag.predecessors(comp)), default=0)
    seg_depth = {seg: depth[dag.graph["mapping"][seg]] for seg in rank}
    offset, columns = 0, {}
    for stage in sorted(set(rank.values())):
        members = [s for s in rank if rank[s] == stage]
        for seg in members:
            columns[seg] = offset + seg_depth[seg]
        offset += max(seg_depth[s] for s in members) + 1
    return columns


def _segment_node(gap: SegmentGap, level: int, best: Sequence[Target], chain_name: str) -> MapNode:
    lines = [gap.rule]
    counts = (
        f"本地企业 {gap.local_firms} 家（龙头 {gap.local_leaders}） · 外地 {gap.elsewhere_firms} 家"
    )
    lines.append(counts)
    if gap.priority is not None:
        lines.append(f"重点优先级 {gap.priority}")
    sections = [
        Section(f"本地企业（{gap.local_firms}）", _capped(gap.local_names) or ("（无）",)),
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
        size=round(14 + 7 * math.sqrt(gap.local_firms), 1),
        colour=STATUS_COLOURS[gap.status],
        shape="dot",
        card=Card(
            gap.name, f"{gap.stage or '链位未知'} · {chain_name}", tuple(lines), tuple(sections)
        ),
    )


def _firms(
    store: GraphStore,
    report: GapReport,
    segments: Sequence[SegmentGap],
    by_segment: dict[str, list[Target]],
    columns: dict[str, int],
    companies: str,
    max_companies: int,
    top: int,
) -> tuple[list[MapNode], list[MapEdge], str | None]:
    """Firm nodes (local makers first, then targets by score), capped, and their edges."""
    profiles = Profiles(store)
    wanted: dict[str, tuple[str, list[str], Target | None]] = {}  # firm -> (kind, segments, target)
    if companies in ("local", "all"):
        for gap in segments:
            makers = sorted(
                {c for cs in segment_direct_makers(store, gap.segment).values() for c in cs}
            )
            for firm in makers:
                if profiles.is_local(firm, report.area):
                    wanted.setdefault(firm, (LOCAL_FIRM, [], None))[1].append(gap.segment)
    if companies in ("targets", "all"):
        ranked = sorted(
            (t for ts in by_segment.values() for t in ts[:top]), key=lambda t: (-t.score, t.company)
        )
        for t in ranked:
            entry = wanted.setdefault(t.company, (TARGET_FIRM, [], t))
            if entry[0] == TARGET_FIRM:
                entry[1].append(t.segment)
    note = None
    if len(wanted) > max_companies:
        note = (
            f"企业节点已截断：显示 {max_companies} / 共 {len(wanted)} 家"
            f"（本地企业优先，其次按得分；可用 --max-companies 调整）"
        )
    nodes, edges = [], []
    seg_names = {g.segment: g.name for g in segments}
    for firm, (kind, segs, target) in list(wanted.items())[:max_companies]:
        profile = profiles.get(firm)
        level = 2 * min(columns[s] for s in segs) + 1
        lines = [f"{kind} · {profile.city or '地区未知'}"]
        if profile.tags:
            lines.append("、".join(profile.tags))
        if target is not None:
            lines += [f"得分 {target.score}", target.reason]
        nodes.append(
            MapNode(
                id=firm,
                name=profile.name,
                kind="company",
                group=kind,
                level=level,
                local_firms=0,
                size=9.0,
                colour=FIRM_COLOURS[kind],
                shape=FIRM_SHAPES[kind],
                card=Card(
                    profile.name,
                    kind,
                    tuple(lines),
                    (Section("环节", tuple(dict.fromkeys(seg_names[s] for s in segs))),),
                ),
            )
        )
        verb = "生产" if kind == LOCAL_FIRM else "可补"
        edges += [
            MapEdge(s, firm, kind, Card(f"{profile.name} {verb} {seg_names[s]}"))
            for s in dict.fromkeys(segs)
        ]
    return nodes, edges, note


def _capped(items: Sequence[str]) -> tuple[str, ...]:
    if len(items) <= _CARD_LIST_LIMIT:
        return tuple(items)
    return (*items[:_CARD_LIST_LIMIT], f"…等 {len(items)} 家")


def _flow_lines(pairs: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    return _capped([f"{a} → {b}" for a, b in dict.fromkeys(pairs)])


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
