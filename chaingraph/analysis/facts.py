"""The facts every gap and target rule reads: focus, locality, makers and firm profiles.

The raw facts come from the store's aggregate reads (``store.focus_priorities``,
``store.company_facts``…, see :mod:`chaingraph.store.base`), fetched in bulk
so that a server store answers each with one query; the rules' view of them (a
firm's city and proximity, say) is computed here, once for every store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.structure import place_ancestors
from chaingraph.errors import ConfigError, NotFound
from chaingraph.model import Node
from chaingraph.store.base import NATION, CompanyFacts, GraphStore, Place
from chaingraph.store.records import basics_of

__all__ = [
    "CompanyProfile",
    "Profiles",
    "Scope",
    "evaluated_segments",
    "firm_basics",
    "focus_priorities",
    "hq_proximity",
    "resolve_scope",
    "segment_direct_makers",
    "segment_neighbours",
    "site_proximity",
]

# Proximity tiers between 广东 and 中国, and between 中国 and 境外: provinces bordering
# Guangdong, and the countries a day's logistics and one time zone away.
NEIGHBOUR_PROVINCES = frozenset(
    {
        "region:cn-fujian",
        "region:cn-jiangxi",
        "region:cn-hunan",
        "region:cn-guangxi",
        "region:cn-hainan",
    }
)
NEAR_ABROAD = frozenset({"region:jp", "region:kr", "region:sg"})


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
    proximity: str  # 大湾区 / 广东 / 邻省 / 中国 / 东亚 / 境外 / 未知
    revenue_cny_100m: float | None
    listing_board: str | None
    global_rank: object  # global_rank.rank as stored (an int when the record is valid)
    unverified_share: float
    makes: tuple[str, ...] = ()  # products it makes
    customers: tuple[str, ...] = ()  # companies it supplies


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
        declared = store.focus_priorities(subject.id) if subject.type == "Base" else {}
        priorities = {s: declared.get(s, 1) for s in store.evaluated_segments(chain_node.id)}
    elif subject.type == "Base":
        priorities = store.focus_priorities(subject.id)
    else:
        chains = sorted(c.id for c in store.nodes("Chain"))
        priorities = {s: 1 for c in chains for s in store.evaluated_segments(c)}
    return Scope(subject, area, area_node.name if area_node else area, priorities)


def _base_area(store: GraphStore, base_id: str, scope: str) -> str:
    if scope == "base":
        return base_id
    ancestors = place_ancestors(store, base_id)
    if scope == "town":
        return ancestors[1] if len(ancestors) > 1 else base_id
    levels = store.get_many(ancestors[1:])
    for place in ancestors[1:]:
        node = levels.get(place)
        if node is not None and node.get("level") == "city":
            return place
    raise NotFound("city of base", base_id, [])


def evaluated_segments(store: GraphStore, root: str) -> list[str]:
    """Segments judged on their own: leaves, and parents that hold products directly.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> evaluated_segments(tiny_store(), "chain:robot")
    ['seg:robot.body', 'seg:robot.integration', 'seg:robot.parts', 'seg:robot.parts.reducer']
    """
    return store.evaluated_segments(root)


def focus_priorities(store: GraphStore, base_id: str) -> dict[str, int]:
    """Evaluated segments a base focuses on (via chain, segment or product), best priority each."""
    return store.focus_priorities(base_id)


def segment_direct_makers(store: GraphStore, segment_id: str) -> dict[str, list[str]]:
    """Products held directly by a segment -> the companies that make each (sorted).

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> segment_direct_makers(tiny_store(), "seg:robot.parts")
    {'prod:servo-motor': ['co:jp-servo']}
    """
    per_product = store.segment_candidates([segment_id], "").get(segment_id, {})
    return {product: list(makers) for product, makers in per_product.items()}


def segment_neighbours(store: GraphStore, segment_id: str) -> tuple[set[str], set[str]]:
    """Segments upstream (holding inputs of its products) and downstream (using its products)."""
    coverage = store.segment_coverage([segment_id], "").get(segment_id)
    if coverage is None:
        return set(), set()
    return set(coverage.upstream), set(coverage.downstream)


class Profiles:
    """Firm profiles, computed from ``store.company_facts`` once per analysis run, or
    once per store state where the store keeps an analysis cache (the embedded one).

    :meth:`preload` fetches many firms in one call; :meth:`get` fetches a firm not
    seen yet on its own.
    """

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        cache = store.analysis_cache()
        self._facts: dict[str, CompanyFacts] = (
            cache.slot("company-facts", dict) if cache is not None else {}
        )
        self._cache: dict[str, CompanyProfile] = (
            cache.slot("company-profiles", dict) if cache is not None else {}
        )

    def preload(self, company_ids: Iterable[str]) -> None:
        """Fetch the facts of every firm in ``company_ids`` not fetched yet, in one call."""
        # Not ``set - self._facts.keys()``: that walks every fact held, once per call.
        missing = sorted({c for c in company_ids if c not in self._facts})
        if missing:
            self._facts.update(self.store.company_facts(missing))

    def facts(self, company_id: str) -> CompanyFacts:
        """The raw facts of a firm (:class:`NotFound` if it is not a company)."""
        self.preload([company_id])
        if company_id not in self._facts:
            raise NotFound("company", company_id, [])
        return self._facts[company_id]

    def get(self, company_id: str) -> CompanyProfile:
        if company_id not in self._cache:
            self._cache[company_id] = profile_of(self.facts(company_id))
        return self._cache[company_id]

    def is_local(self, company_id: str, area: str) -> bool:
        return area in self.get(company_id).places


def firm_basics(node: Node) -> tuple[tuple[str, ...], object, float | None, str | None]:
    """What a firm's own record says of it: tags, global rank, revenue (亿元), listing board.

    The rank is returned as stored (``record_parts`` reads one that is not an integer
    as no rank); see :func:`chaingraph.store.records.basics_of`.
    """
    return basics_of(node.props)


def hq_proximity(hq: Sequence[Place]) -> str:
    """How near a firm is by its headquarters (``CompanyFacts.hq``: the site and the
    regions enclosing it): 大湾区 > 广东 > 邻省 > 中国 > 东亚 > 境外, 未知 with none.

    Examples
    --------
    >>> hq_proximity([Place("region:cn-suzhou", "city", False, "苏州市"),
    ...               Place("region:cn-jiangsu", "province", False, "江苏省"),
    ...               Place("region:cn", "country", False, "中国")])
    '中国'
    >>> hq_proximity([])
    '未知'
    """
    if any(place.gba for place in hq):
        return "大湾区"
    hq_chain = [p.id for p in hq]
    if not hq_chain:
        return "未知"
    if "region:cn-guangdong" in hq_chain:
        return "广东"
    if NATION in hq_chain:
        return "邻省" if NEIGHBOUR_PROVINCES.intersection(hq_chain) else "中国"
    return "东亚" if NEAR_ABROAD.intersection(hq_chain) else "境外"


def site_proximity(store: GraphStore, site: str) -> str:
    """:func:`hq_proximity` of a firm headquartered at ``site`` (as ``company_facts``
    lists the site and its enclosing regions)."""
    ancestors = store.place_ancestors(site)
    nodes = store.get_many(ancestors)
    return hq_proximity(
        [
            Place(a, None, False, a)
            if (n := nodes.get(a)) is None
            else Place(a, n.get("level"), bool(n.get("gba")), n.name)
            for a in ancestors
        ]
    )


def profile_of(facts: CompanyFacts) -> CompanyProfile:
    """A firm's profile: its city and proximity (大湾区 > 广东 > 中国 > 境外) read from
    where its headquarters lies, and the share of its facts marked unverified."""
    node = facts.node
    city = ""
    for place in facts.hq:
        if place.level == "city" and not city:
            city = place.name
    proximity = hq_proximity(facts.hq)
    if not city and facts.hq:
        city = facts.hq[0].name
    tags, rank, revenue, board = firm_basics(node)
    return CompanyProfile(
        node.id,
        node.name,
        tags,
        facts.places,
        city,
        proximity,
        revenue,
        board,
        rank,
        round(facts.unverified / facts.facts, 3),
        facts.makes,
        facts.customers,
    )
