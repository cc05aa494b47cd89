"""A deterministic reading layout for chain maps: bands per chain, columns per stage.

Everything is placed in Python, so the page draws it as is (physics off) and the
same map always looks the same:

- one horizontal **band** per chain, its name at the left;
- **columns** per stage (上游 → 中游 → 下游, then 链位未知) shared by all bands, with
  headers on top; a stage with more segments than fit in a band's height wraps into
  several sub-columns;
- inside a column, segments are ordered by **barycentric ordering** (each takes the
  mean position of its neighbours in the other columns, a few sweeps left and right),
  which reduces edge crossings;
- the number of rows per sub-column (per band) is chosen so that the whole map fits
  a 16:10 window at the largest scale (so labels are as big as possible on first view).

Coordinates are vis-network canvas units: y grows downwards, node positions are
centres, boxes (bands, headers) are given by their top-left corner.
"""

from __future__ import annotations

import math
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx

__all__ = [
    "FONT_SIZE",
    "STAGES",
    "Band",
    "Layout",
    "LayoutItem",
    "StageHeader",
    "crossings",
    "layout",
    "text_width",
]

FONT_SIZE = 14  # segment label size in canvas units
NODE_HEIGHT = 28  # a one-line box at FONT_SIZE with its margins
ROW = 36  # vertical pitch of segments in a column
COLUMN_GAP = 48  # horizontal space between sub-columns (room for the edges)
BAND_GAP = 18
BAND_PAD = 14  # space between a band's edge and its first/last row
TITLE_FONT = 18
TITLE_CHARS = 5  # band titles wrap, in balanced lines, beyond five characters
TITLE_WIDTH = TITLE_CHARS * TITLE_FONT + 32
HEADER_HEIGHT = 44
STAGES = ("上游", "中游", "下游")
UNKNOWN_STAGE = "链位未知"
# The window the layout is fitted to (16:10, minus the page's header).
TARGET_WIDTH, TARGET_HEIGHT = 1280, 660
COMFORTABLE_PX = 12  # label size at the target window above which flow depth may widen a map
_SWEEPS = 8


@dataclass(frozen=True)
class LayoutItem:
    """A segment to place: its id, label (for its width), band and stage (上游/中游/下游/'')."""

    id: str
    label: str
    band: str
    stage: str


@dataclass(frozen=True)
class Band:
    """One chain's band: a key, its title (wrapped lines) and box."""

    key: str
    title: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class StageHeader:
    """A stage column's header (上游/中游/下游) and the box it spans."""

    text: str
    x: float
    y: float
    width: float


@dataclass(frozen=True)
class Layout:
    """Where everything goes: node centres, each node's sub-column, bands and headers.

    ``width``/``height`` are the size of the whole picture, from (0, 0).
    """

    positions: dict[str, tuple[float, float]]
    columns: dict[str, int]
    widths: dict[str, float]
    bands: tuple[Band, ...]
    headers: tuple[StageHeader, ...]
    width: float
    height: float
    rows: dict[str, int]


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Approximate drawn width of ``text`` at font ``size``: wide (CJK) characters 1 em,
    others 0.6 em.

    >>> text_width("减速器"), text_width("5G")
    (42.0, 16.8)
    """
    ems = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in text)
    return round(ems * size, 1)


def stage_rank(stage: str) -> int:
    """Column group of a stage: 上游 0, 中游 1, 下游 2, anything else 3."""
    return STAGES.index(stage) if stage in STAGES else len(STAGES)


def layout(
    items: Sequence[LayoutItem],
    edges: Iterable[tuple[str, str]],
    band_titles: dict[str, str],
    *,
    target: tuple[float, float] = (TARGET_WIDTH, TARGET_HEIGHT),
) -> Layout:
    """Place ``items`` in bands (in the order of ``band_titles``) and stage columns.

    Parameters
    ----------
    items
        The segments; each names its band (a key of ``band_titles``) and stage.
    edges
        (source, target) pairs between item ids; used to order rows.
    band_titles
        Band key -> title, in drawing order (top to bottom).
    target
        The window (width, height in pixels) the picture should fit at the largest
        scale; picks the number of rows per sub-column.

    Returns
    -------
    Layout

    Examples
    --------
    >>> items = [LayoutItem(i, i, "x", "上游" if i in "ab" else "下游") for i in "abcd"]
    >>> flows = [("a", "d"), ("b", "c")]
    >>> out = layout(items, flows, {"x": "链"})
    >>> out.columns == {"a": 0, "b": 0, "c": 1, "d": 1}
    True
    >>> crossings(out.positions, flows)  # sorted by id, a→d and b→c would cross
    0
    """
    bands = [b for b in band_titles if any(i.band == b for i in items)]
    known = {i.id for i in items}
    links = [(a, b) for a, b in dict.fromkeys(edges) if a in known and b in known and a != b]
    candidates = _orders(items, links, bands)
    ranks = sorted({stage_rank(i.stage) for i in items})
    widths = {i.id: text_width(i.label) + 16 for i in items}

    # Two ways to fill a stage: one sub-column per depth of the flow inside the stage
    # (what feeds what stands left of it; no edge runs down a column), or rows wrapped
    # as they come (narrower). The first, unless it makes labels small.
    plain = _fit(candidates, links, bands, band_titles, ranks, widths, target, by_depth=False)
    deep = _fit(candidates, links, bands, band_titles, ranks, widths, target, by_depth=True)
    if deep[0] * FONT_SIZE >= COMFORTABLE_PX or deep[0] >= plain[0]:
        return deep[1]
    return plain[1]


def _fit(
    candidates: list[dict[tuple[str, int], list[str]]],
    links: Sequence[tuple[str, str]],
    bands: Sequence[str],
    band_titles: dict[str, str],
    ranks: Sequence[int],
    widths: dict[str, float],
    target: tuple[float, float],
    *,
    by_depth: bool,
) -> tuple[float, Layout]:
    """The rows per band that fit ``target`` best, and the layout with fewest crossings."""
    groups = candidates[0]
    depth = _depths(groups, links) if by_depth else {}

    def scale(rows: dict[str, int]) -> float:
        w, h = _size(groups, depth, bands, ranks, widths, rows)
        return min(target[0] / w, target[1] / h)

    # The best rows per sub-column for all bands alike, then band by band (a band
    # with many segments may be taller than the others), a few rounds.
    tallest = {b: max((len(g) for k, g in groups.items() if k[0] == b), default=1) for b in bands}
    choices = range(1, max(tallest.values(), default=1) + 1)
    rows = max(({b: min(r, tallest[b]) for b in bands} for r in choices), key=scale, default={})
    for _round in range(3):
        for b in bands:
            best = max(range(1, tallest[b] + 1), key=lambda r: (scale({**rows, b: r}), -r))
            rows = {**rows, b: best}
    # Of the orders the sweeps went through, draw the one with the fewest crossings
    # as placed (wrapped columns included); the plain id order is among them.
    placed = [_place(g, depth, bands, band_titles, ranks, widths, rows) for g in candidates]
    return scale(rows), min(placed, key=lambda p: crossings(p.positions, links))


def crossings(positions: dict[str, tuple[float, float]], edges: Iterable[tuple[str, str]]) -> int:
    """How many pairs of edges, drawn as straight lines, cross.

    >>> crossings({"a": (0, 0), "b": (1, 1), "c": (0, 1), "d": (1, 0)}, [("a", "b"), ("c", "d")])
    1
    """
    lines = [(positions[a], positions[b]) for a, b in edges if a in positions and b in positions]
    count = 0
    for i, (p, q) in enumerate(lines):
        for r, s in lines[i + 1 :]:
            if len({p, q, r, s}) == 4 and _cross(p, q, r, s):
                count += 1
    return count


def _cross(
    p: tuple[float, float], q: tuple[float, float], r: tuple[float, float], s: tuple[float, float]
) -> bool:
    def side(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2 = side(r, s, p), side(r, s, q)
    d3, d4 = side(p, q, r), side(p, q, s)
    return d1 * d2 < 0 and d3 * d4 < 0


def _orders(
    items: Sequence[LayoutItem], links: Sequence[tuple[str, str]], bands: Sequence[str]
) -> list[dict[tuple[str, int], list[str]]]:
    """(band, stage rank) -> item ids top to bottom: first by id, then after each
    barycentric sweep."""
    groups: dict[tuple[str, int], list[str]] = defaultdict(list)
    where: dict[str, tuple[str, int]] = {}
    for item in sorted(items, key=lambda i: i.id):
        key = (item.band, stage_rank(item.stage))
        groups[key].append(item.id)
        where[item.id] = key
    neighbours: dict[str, list[str]] = defaultdict(list)
    for a, b in links:
        if where[a] != where[b]:
            neighbours[a].append(b)
            neighbours[b].append(a)
    band_index = {b: n for n, b in enumerate(bands)}

    def position(node: str) -> float:
        members = groups[where[node]]
        return band_index[where[node][0]] + (members.index(node) + 0.5) / len(members)

    ranks = sorted({k[1] for k in groups})
    seen = [{k: list(v) for k, v in groups.items()}]
    for sweep in range(_SWEEPS):
        order = ranks if sweep % 2 == 0 else ranks[::-1]
        for rank in order:
            for key in [k for k in groups if k[1] == rank]:
                members = groups[key]
                current = {n: position(n) for n in members}
                keyed = {
                    n: (
                        sum(position(m) for m in neighbours[n]) / len(neighbours[n])
                        if neighbours[n]
                        else current[n]
                    )
                    for n in members
                }
                groups[key] = sorted(members, key=lambda n: (keyed[n], current[n]))
        order_now = {k: list(v) for k, v in groups.items()}
        if order_now not in seen:
            seen.append(order_now)
    return seen


def _split(members: Sequence[str], rows: int, depth: dict[str, int]) -> list[list[str]]:
    """Members in sub-columns: one per depth of the flow inside the stage (what feeds
    what stands left of it), each wrapped into balanced sub-columns of at most ``rows``."""
    columns: list[list[str]] = []
    for level in sorted({depth.get(m, 0) for m in members}):
        at = [m for m in members if depth.get(m, 0) == level]
        count = math.ceil(len(at) / rows)
        per = math.ceil(len(at) / count)
        columns += [at[i : i + per] for i in range(0, len(at), per)]
    return columns


def _depths(
    groups: dict[tuple[str, int], list[str]], links: Sequence[tuple[str, str]]
) -> dict[str, int]:
    """Depth of each item along the flows inside its own (band, stage) group; items in a
    cycle share one depth."""
    where = {m: key for key, members in groups.items() for m in members}
    inside = nx.DiGraph()
    inside.add_nodes_from(where)
    inside.add_edges_from((a, b) for a, b in links if where[a] == where[b])
    dag = nx.condensation(inside)
    depth: dict[int, int] = {}
    for comp in nx.topological_sort(dag):
        depth[comp] = max((depth[p] + 1 for p in dag.predecessors(comp)), default=0)
    return {m: depth[dag.graph["mapping"][m]] for m in where}


def _column_plan(
    groups: dict[tuple[str, int], list[str]],
    depth: dict[str, int],
    bands: Sequence[str],
    ranks: Sequence[int],
    rows: dict[str, int],
) -> tuple[dict[int, int], dict[tuple[str, int], list[list[str]]]]:
    split = {key: _split(members, rows[key[0]], depth) for key, members in groups.items()}
    per_rank = {r: max((len(split.get((b, r), [])) for b in bands), default=0) for r in ranks}
    return {r: max(1, n) for r, n in per_rank.items()}, split


def _size(
    groups: dict[tuple[str, int], list[str]],
    depth: dict[str, int],
    bands: Sequence[str],
    ranks: Sequence[int],
    widths: dict[str, float],
    rows: dict[str, int],
) -> tuple[float, float]:
    per_rank, split = _column_plan(groups, depth, bands, ranks, rows)
    width = float(TITLE_WIDTH)
    for r in ranks:
        col_widths = [0.0] * per_rank[r]
        for b in bands:
            for n, column in enumerate(split.get((b, r), [])):
                col_widths[n] = max(col_widths[n], *(widths[i] for i in column))
        width += sum(col_widths) + COLUMN_GAP * per_rank[r]
    height = HEADER_HEIGHT + sum(_band_height(split, b, ranks) for b in bands)
    height += BAND_GAP * (len(bands) - 1)
    return width, height


def _band_height(
    split: dict[tuple[str, int], list[list[str]]], band: str, ranks: Sequence[int]
) -> float:
    tallest = max((len(c) for r in ranks for c in split.get((band, r), [])), default=1)
    return max(tallest * ROW + 2 * BAND_PAD - (ROW - NODE_HEIGHT), 3 * TITLE_FONT + 2 * BAND_PAD)


def _place(
    groups: dict[tuple[str, int], list[str]],
    depth: dict[str, int],
    bands: Sequence[str],
    band_titles: dict[str, str],
    ranks: Sequence[int],
    widths: dict[str, float],
    rows: dict[str, int],
) -> Layout:
    per_rank, split = _column_plan(groups, depth, bands, ranks, rows)
    # x of each (rank, sub-column) centre, and each stage's span for its header.
    column_x: dict[tuple[int, int], float] = {}
    column_index: dict[tuple[int, int], int] = {}
    headers = []
    x = float(TITLE_WIDTH)
    for r in ranks:
        start = x
        for n in range(per_rank[r]):
            width = max(
                (
                    widths[i]
                    for b in bands
                    if n < len(split.get((b, r), []))
                    for i in split[(b, r)][n]
                ),
                default=60.0,
            )
            column_x[(r, n)] = x + COLUMN_GAP / 2 + width / 2
            column_index[(r, n)] = len(column_index)
            x += width + COLUMN_GAP
        text = STAGES[r] if r < len(STAGES) else UNKNOWN_STAGE
        headers.append(StageHeader(text, start, 0.0, x - start))
    total_width = x

    positions: dict[str, tuple[float, float]] = {}
    columns: dict[str, int] = {}
    placed_bands = []
    y = float(HEADER_HEIGHT)
    for b in bands:
        height = _band_height(split, b, ranks)
        for r in ranks:
            for n, column in enumerate(split.get((b, r), [])):
                top = y + (height - (len(column) - 1) * ROW) / 2
                for k, node in enumerate(column):
                    positions[node] = (round(column_x[(r, n)], 1), round(top + k * ROW, 1))
                    columns[node] = column_index[(r, n)]
        placed_bands.append(
            Band(b, _wrap(band_titles[b], TITLE_CHARS), 0.0, y, total_width, height)
        )
        y += height + BAND_GAP
    return Layout(
        positions=positions,
        columns=columns,
        widths=widths,
        bands=tuple(placed_bands),
        headers=tuple(headers),
        width=round(total_width, 1),
        height=round(y - BAND_GAP, 1),
        rows=rows,
    )


def _wrap(text: str, most: int) -> str:
    """``text`` in balanced lines of at most ``most`` characters.

    >>> _wrap("新一代信息技术", 5), _wrap("工业机器人", 5)
    ('新一代信\\n息技术', '工业机器人')
    """
    if len(text) <= most:
        return text
    per_line = math.ceil(len(text) / math.ceil(len(text) / most))
    return "\n".join(text[i : i + per_line] for i in range(0, len(text), per_line))
