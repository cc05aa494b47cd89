"""Firms on a chain map: local makers and top targets, collapsed into their segments.

Each firm gets a node and, beside every segment it belongs to, a :class:`FirmSlot`
where it is drawn when that segment is expanded (a click on the segment).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from chaingraph.analysis.facts import Profiles, segment_direct_makers
from chaingraph.analysis.gaps import GapReport, SegmentGap
from chaingraph.analysis.targets import Target
from chaingraph.maps.elements import (
    FIRM_COLOURS,
    FIRM_SHAPES,
    LOCAL_FIRM,
    TARGET_FIRM,
    Card,
    FirmSlot,
    MapEdge,
    MapNode,
    Section,
)
from chaingraph.maps.layout import text_width
from chaingraph.store.base import GraphStore

__all__ = ["FIRM_COLUMN", "FIRM_FONT_SIZE", "FIRM_ROW", "place_firms"]

FIRM_FONT_SIZE = 12
FIRM_ROW = 30  # vertical pitch of an expanded segment's firms
FIRM_COLUMN = 10  # firms per column beside an expanded segment


def place_firms(
    store: GraphStore,
    report: GapReport,
    segments: Sequence[SegmentGap],
    by_segment: dict[str, list[Target]],
    columns: dict[str, int],
    companies: str,
    max_companies: int,
    top: int,
    boxes: dict[str, tuple[float, float, float]],
) -> tuple[list[MapNode], list[MapEdge], list[FirmSlot], str | None]:
    """Firm nodes (local makers first, then targets by score), capped, their edges, and
    where each is drawn when one of its segments is expanded (a column to its right).
    """
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
    kept = list(wanted.items())[:max_companies]
    names = {firm: profiles.get(firm).name for firm, _ in kept}
    per_segment: dict[str, list[str]] = defaultdict(list)
    for firm, (_kind, segs, _target) in kept:
        for seg in dict.fromkeys(segs):
            per_segment[seg].append(firm)
    slots = []
    for seg, firms in per_segment.items():
        x, y, width = boxes[seg]
        widest = max(text_width(names[f], FIRM_FONT_SIZE) for f in firms) + 16
        per_column = min(len(firms), FIRM_COLUMN)
        for k, firm in enumerate(firms):
            column, row = divmod(k, per_column)
            slots.append(
                FirmSlot(
                    seg,
                    firm,
                    round(x + width / 2 + 36 + widest / 2 + column * (widest + 16), 1),
                    round(y + (row - (per_column - 1) / 2) * FIRM_ROW, 1),
                )
            )
    first_slot: dict[str, FirmSlot] = {}
    for slot in slots:
        first_slot.setdefault(slot.firm, slot)
    seg_names = {g.segment: g.name for g in segments}
    for firm, (kind, segs, target) in kept:
        profile = profiles.get(firm)
        lines = [f"{kind} · {profile.city or '地区未知'}"]
        if profile.tags:
            lines.append("、".join(profile.tags))
        if target is not None:
            lines += [f"得分 {target.score}", target.reason]
        slot = first_slot[firm]
        nodes.append(
            MapNode(
                id=firm,
                name=profile.name,
                kind="company",
                group=kind,
                level=min(columns[s] for s in segs),
                local_firms=0,
                size=float(FIRM_FONT_SIZE),
                colour=FIRM_COLOURS[kind],
                shape=FIRM_SHAPES[kind],
                card=Card(
                    profile.name,
                    kind,
                    tuple(lines),
                    (Section("环节", tuple(dict.fromkeys(seg_names[s] for s in segs))),),
                ),
                x=slot.x,
                y=slot.y,
                band="",
                in_focus=True,
                label=profile.name,
            )
        )
        verb = "生产" if kind == LOCAL_FIRM else "可补"
        edges += [
            MapEdge(s, firm, kind, Card(f"{profile.name} {verb} {seg_names[s]}"))
            for s in dict.fromkeys(segs)
        ]
    return nodes, edges, slots, note
