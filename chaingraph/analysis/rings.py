"""Base scope: a segment's makers counted ring by ring around a base or region.

The rings, nearest first: the base's own place (the base node and the 镇/功能区 it lies
in), its city, the metropolitan area (深莞惠 = 深圳市 + 东莞市 + 惠州市, when the city
is one of them) and the Greater Bay Area (every region flagged ``gba: true``, when the
city is one). The rings are counted through the store's ``ring_makers`` read (the
``local`` firms of ``segment_coverage``, place by place, united), so every store gives
the same answer; a firm with sites in two places of a ring counts once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chaingraph.analysis.structure import place_ancestors
from chaingraph.model import Node
from chaingraph.store.base import GraphStore

__all__ = ["METROS", "RingCounts", "Rings", "ring_counts", "rings_of"]

# Metropolitan areas (都市圈) by name -> their cities.
METROS: dict[str, tuple[str, ...]] = {
    "深莞惠": ("region:cn-dongguan", "region:cn-huizhou", "region:cn-shenzhen"),
}
GBA_NAME = "大湾区"
TOWN_LEVELS = ("town", "district")


@dataclass(frozen=True)
class Rings:
    """The places of each ring around a subject (``None``/empty: the ring does not apply)."""

    base: str | None  # the base's 镇/功能区 (or the base itself), None for a region
    base_name: str
    city: str | None
    city_name: str
    metro: tuple[str, ...]  # cities of the metropolitan area
    metro_name: str
    gba: tuple[str, ...]  # regions flagged gba

    @property
    def label(self) -> str:
        """The rings' names joined as the table column shows them, e.g.
        ``谢岗镇/东莞市/深莞惠/大湾区`` (``-`` for a ring that does not apply)."""
        return "/".join(
            [
                self.base_name or "-",
                self.city_name or "-",
                self.metro_name or "-",
                GBA_NAME if self.gba else "-",
            ]
        )


@dataclass(frozen=True)
class RingCounts:
    """How many firms make a segment's products in each ring (``None``: no such ring)."""

    in_base: int | None
    in_city: int | None
    in_metro: int | None
    in_gba: int | None


def rings_of(store: GraphStore, subject: Node) -> Rings:
    """The rings around a base or region.

    Parameters
    ----------
    store
        Any graph store.
    subject
        A ``Base`` or ``Region`` node.

    Returns
    -------
    Rings
        A base's place is the nearest 镇 or 功能区 it lies in (the base itself if none);
        a region has no base ring, and its city is itself or the city it lies in.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> store = tiny_store()
    >>> rings_of(store, store.require("base:yinping", "Base")).label
    '谢岗镇/东莞市/深莞惠/大湾区'
    """
    ancestors = place_ancestors(store, subject.id)
    nodes = store.get_many(ancestors)
    levels = {p: (nodes[p].get("level") if p in nodes else None) for p in ancestors}
    base: str | None = None
    if subject.type == "Base":
        base = next((p for p in ancestors[1:] if levels[p] in TOWN_LEVELS), subject.id)
    start = 1 if subject.type == "Base" else 0
    city = next((p for p in ancestors[start:] if levels[p] == "city"), None)
    metro_name, cities = next(
        ((name, cities) for name, cities in METROS.items() if city in cities), ("", ())
    )
    metro = tuple(sorted(store.get_many(cities)))  # the metro's cities the store knows
    gba: tuple[str, ...] = ()
    if city is not None and nodes[city].get("gba"):
        gba = tuple(sorted(n.id for n in store.nodes("Region") if n.get("gba")))

    def name(place: str | None) -> str:
        if place is None:
            return ""
        node = nodes.get(place) or store.get(place)
        return node.name if node is not None else place

    return Rings(base, name(base), city, name(city), metro, metro_name, gba)


def ring_counts(
    store: GraphStore,
    rings: Rings,
    segments: Iterable[str],
) -> dict[str, RingCounts]:
    """Per segment, the firms making its products in each ring (each firm once a ring).

    Parameters
    ----------
    store
        The graph.
    rings
        The rings around a base or region (:func:`rings_of`).
    segments
        Segment ids.

    Returns
    -------
    dict of str to RingCounts
        Segment id -> its makers in the base's 镇, the city, the metro area and the
        Greater Bay Area; None for a ring that does not apply.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> store = tiny_store()
    >>> rings = rings_of(store, store.require("base:yinping", "Base"))
    >>> ring_counts(store, rings, ["seg:robot.body"])["seg:robot.body"]
    RingCounts(in_base=1, in_city=1, in_metro=1, in_gba=1)
    """
    segs = sorted(set(segments))
    applies = (rings.base is not None, rings.city is not None, bool(rings.metro), bool(rings.gba))
    places = ([rings.base] if rings.base else [], [rings.city] if rings.city else [])
    wanted = [
        ring for ring, ok in zip((*places, rings.metro, rings.gba), applies, strict=True) if ok
    ]
    found = store.ring_makers(segs, wanted)

    def counts(seg: str) -> RingCounts:
        numbers = iter(found[seg])
        return RingCounts(*(next(numbers) if ok else None for ok in applies))

    return {seg: counts(seg) for seg in segs}
