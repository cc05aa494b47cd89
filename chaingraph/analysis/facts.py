"""The facts every gap and target rule reads: focus, locality, makers and firm profiles."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.structure import chain_segments, company_places, place_ancestors
from chaingraph.errors import ConfigError, NotFound
from chaingraph.model import Node
from chaingraph.store.base import GraphStore

__all__ = [
    "CompanyProfile",
    "Scope",
    "evaluated_segments",
    "focus_priorities",
    "resolve_scope",
    "segment_direct_makers",
    "segment_neighbours",
]

GBA_CITIES_FLAG = "gba"


@dataclass(frozen=True)
class Scope:
    """Where 'local' is, and which segments matter with what priority."""

    subject: Node  # the base or region analysed
    area: str  # region or base id: a firm with a site inside it is local
    area_name: str
    priorities: dict[str, int]  # evaluated focus segment -> priority (1 = highest)


@dataclass(frozen=True)
class CompanyProfile:
    """What the rules need to know about one firm."""

    id: str
    name: str
    tags: tuple[str, ...]
    places: frozenset[str]
    city: str
    proximity: str  # 大湾区 / 广东 / 中国 / 境外 / 未知
    revenue_cny_100m: float | None
    listing_board: str | None
    global_rank: int | None
    unverified_share: float


def resolve_scope(
    store: GraphStore,
    config: AnalysisConfig,
    base: str | None = None,
    region: str | None = None,
    chain: str | None = None,
) -> Scope:
    """The subject (base or region), its local area under ``config.scope``, and focus segments."""
    if (base is None) == (region is None):
        raise ConfigError("name exactly one of --base or --region")
    if base is not None:
        subject = store.require(base, "Base")
        area = _base_area(store, subject.id, config.scope)
    else:
        subject = store.require(region or "", "Region")
        area = subject.id
    area_node = store.get(area)
    if chain is not None:
        chain_node = store.require(chain, "Chain")
        priorities = {s: 1 for s in evaluated_segments(store, chain_node.id)}
        declared = focus_priorities(store, subject.id) if subject.type == "Base" else {}
        priorities = {s: declared.get(s, 1) for s in priorities}
    elif subject.type == "Base":
        priorities = focus_priorities(store, subject.id)
    else:
        priorities = {s: 1 for c in store.nodes("Chain") for s in evaluated_segments(store, c.id)}
    return Scope(subject, area, area_node.name if area_node else area, priorities)


def _base_area(store: GraphStore, base_id: str, scope: str) -> str:
    if scope == "base":
        return base_id
    ancestors = place_ancestors(store, base_id)
    if scope == "town":
        return ancestors[1] if len(ancestors) > 1 else base_id
    for place in ancestors[1:]:
        node = store.get(place)
        if node is not None and node.get("level") == "city":
            return place
    raise NotFound("city of base", base_id, [])


def evaluated_segments(store: GraphStore, root: str) -> list[str]:
    """Segments judged on their own: leaves, and parents that hold products directly."""
    segments = [root] if root.startswith("seg:") else []
    segments += chain_segments(store, root)
    found = []
    for seg in segments:
        has_children = any(True for _ in store.relationships("PART_OF", target=seg))
        has_products = any(True for _ in store.relationships("IN_SEGMENT", target=seg))
        if not has_children or has_products:
            found.append(seg)
    return found


def focus_priorities(store: GraphStore, base_id: str) -> dict[str, int]:
    """Evaluated segments a base focuses on (via chain, segment or product), best priority each."""
    priorities: dict[str, int] = {}
    for rel in store.relationships("FOCUSES_ON", source=base_id):
        priority = int(rel.props.get("priority", 3))
        if rel.target.startswith("prod:"):
            segments = [r.target for r in store.relationships("IN_SEGMENT", source=rel.target)]
        else:
            segments = evaluated_segments(store, rel.target)
        for seg in segments:
            priorities[seg] = min(priority, priorities.get(seg, priority))
    return priorities


def segment_direct_makers(store: GraphStore, segment_id: str) -> dict[str, list[str]]:
    """Products held directly by a segment -> the companies that make each."""
    return {
        rel.source: sorted(m.source for m in store.relationships("MAKES", target=rel.source))
        for rel in store.relationships("IN_SEGMENT", target=segment_id)
    }


def segment_neighbours(store: GraphStore, segment_id: str) -> tuple[set[str], set[str]]:
    """Segments upstream (holding inputs of its products) and downstream (using its products)."""
    up: set[str] = set()
    down: set[str] = set()
    for product in segment_direct_makers(store, segment_id):
        for rel in store.relationships("INPUT_TO", target=product):
            up.update(r.target for r in store.relationships("IN_SEGMENT", source=rel.source))
        for rel in store.relationships("INPUT_TO", source=product):
            down.update(r.target for r in store.relationships("IN_SEGMENT", source=rel.target))
    up.discard(segment_id)
    down.discard(segment_id)
    return up, down


class Profiles:
    """Firm profiles, computed once per analysis run."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._cache: dict[str, CompanyProfile] = {}
        self._levels = lru_cache(maxsize=None)(self._place_level)

    def _place_level(self, place: str) -> tuple[str | None, bool, str]:
        node = self.store.get(place)
        if node is None:
            return None, False, place
        return node.get("level"), bool(node.get("gba")), node.name

    def get(self, company_id: str) -> CompanyProfile:
        if company_id not in self._cache:
            self._cache[company_id] = self._build(company_id)
        return self._cache[company_id]

    def is_local(self, company_id: str, area: str) -> bool:
        return area in self.get(company_id).places

    def _build(self, company_id: str) -> CompanyProfile:
        store = self.store
        node = store.get(company_id)
        if node is None:
            raise NotFound("company", company_id, [])
        places = frozenset(company_places(store, company_id))
        hq = [
            r.target
            for r in store.relationships("LOCATED_IN", source=company_id)
            if r.key == "总部"
        ]
        hq_chain = place_ancestors(store, hq[0]) if hq else []
        city = ""
        proximity = "未知"
        for place in hq_chain:
            level, gba, name = self._levels(place)
            if level == "city" and not city:
                city = name
            if gba and proximity == "未知":
                proximity = "大湾区"
        if proximity == "未知" and hq_chain:
            if "region:cn-guangdong" in hq_chain:
                proximity = "广东"
            elif "region:cn" in hq_chain:
                proximity = "中国"
            else:
                proximity = "境外"
        if not city and hq_chain:
            city = self._levels(hq_chain[0])[2]
        facts = [node.props] + [
            r.props
            for r in store.relationships(source=company_id)
            if r.type in ("MAKES", "LOCATED_IN", "SUPPLIES")
        ]
        unverified = sum(1 for p in facts if p.get("source") == "unverified") / len(facts)
        rank = (node.get("global_rank") or {}).get("rank")
        return CompanyProfile(
            company_id,
            node.name,
            tuple(node.get("tags") or ()),
            places,
            city,
            proximity,
            node.get("revenue_cny_100m"),
            (node.get("listing") or {}).get("board"),
            rank,
            round(unverified, 3),
        )
