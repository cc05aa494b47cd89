"""The things a chain map draws: nodes, edges, bands, hover cards, the legend, and their colours.

Plain frozen data, built by :func:`chaingraph.maps.chain_map.chain_map` and drawn by
:mod:`chaingraph.maps.html` and :mod:`chaingraph.maps.render`. Every text here is
data, never markup: the page puts it into the document as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chaingraph.maps.layout import StageHeader

__all__ = [
    "CARD_LIST_LIMIT",
    "COMPANY_CHOICES",
    "FIRM_COLOURS",
    "FIRM_SHAPES",
    "LOCAL_FIRM",
    "STATUS_COLOURS",
    "STATUS_MEANINGS",
    "TARGET_FIRM",
    "Card",
    "ChainMap",
    "FirmSlot",
    "LegendEntry",
    "MapBand",
    "MapEdge",
    "MapNode",
    "Section",
    "capped",
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
FIRM_SHAPES = {LOCAL_FIRM: "box", TARGET_FIRM: "box"}
CARD_LIST_LIMIT = 12


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
    ``level`` is its column, counted from the most upstream one; ``x``/``y`` its
    centre on the canvas (firms: next to their first segment); ``band`` the chain
    band it is drawn in; ``in_focus`` whether the base focuses on it (segments
    outside the focus are 延链 neighbours); ``label`` the text drawn on it.
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
    x: float = 0.0
    y: float = 0.0
    band: str = ""
    in_focus: bool = True
    label: str = ""


@dataclass(frozen=True)
class FirmSlot:
    """Where a firm is drawn when its segment is expanded (a click on the segment)."""

    segment: str
    firm: str
    x: float
    y: float


@dataclass(frozen=True)
class MapBand:
    """A chain's band: title, a subtitle (focus priority, completeness) and its box."""

    chain: str
    title: str
    subtitle: str
    x: float
    y: float
    width: float
    height: float


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
    bands: tuple[MapBand, ...] = ()
    headers: tuple[StageHeader, ...] = ()
    width: float = 0.0
    height: float = 0.0
    slots: tuple[FirmSlot, ...] = ()
    focus: str = ""
    as_of: str = ""

    def node(self, node_id: str) -> MapNode:
        """The drawn node with this id (KeyError if it is not on the map)."""
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)


def capped(items: Sequence[str]) -> tuple[str, ...]:
    if len(items) <= CARD_LIST_LIMIT:
        return tuple(items)
    return (*items[:CARD_LIST_LIMIT], f"…等 {len(items)} 家")
