"""The aggregate reads analyses need, as records, with generic implementations.

:class:`~chaingraph.store.base.GraphStore` exposes each function here as a method
(``store.segment_coverage(...)``…). The functions below work on any store through
its basic reads (``get``, ``relationships``, ``nodes``): that is what the embedded
store uses, where those reads are in-memory lookups. The Neo4j store overrides
each method with one query of ``queries/`` so that the work happens inside Neo4j
and only the answer crosses the network. The parity tests hold both to identical
results.

Definitions both implementations follow exactly:

- **places of a region or base**: the place itself, then every region reachable
  through ``IN`` (any parent), at most :data:`MAX_PLACE_DEPTH` hops away, nearest
  first, ties by id.
- **sites of a company**: the places of every ``LOCATED_IN`` target. A firm is
  *local* to an area when the area is among its sites, *national* when
  ``region:cn`` is.
- **headquarters**: the ``LOCATED_IN`` target with key ``总部`` (the smallest id if
  there are several), with its places.
- **leader**: a firm with any of the given leader tags, or a global rank at most
  ``leader_rank``.
- **chain of a segment**: the chain reachable through ``PART_OF`` (the smallest id
  if several).
- **evaluated segments** under a chain or segment: the segment itself (if a
  segment) and every segment below it, keeping those with no sub-segment or with
  products of their own.
- **products of a segment** (its *members*): the products with ``IN_SEGMENT`` to it,
  to any other segment with the same ``name``, and the products whose ``name`` is the
  segment's name: a segment or product filed under two chains is one thing.
- **evidence of a firm in a segment**: the best of its ``MAKES`` facts into the
  segment's products, ordered by verified (``source`` other than ``unverified``) first,
  then ``evidence`` strong > medium > weak (a missing or unknown ``evidence`` counts
  as medium).
- Lists of ids are sorted; lists of names follow the order of their ids, except
  where a field says they are sorted by name.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chaingraph.model import Node

if TYPE_CHECKING:
    from chaingraph.store.base import GraphStore

__all__ = [
    "EVIDENCE_GRADES",
    "HQ_ROLE",
    "MAX_CHAIN_DEPTH",
    "MAX_PLACE_DEPTH",
    "NATION",
    "BaseFacts",
    "ChainCounts",
    "CompanyFacts",
    "EconomyCounts",
    "LeaderInput",
    "Place",
    "ProductSupply",
    "SegmentCoverage",
    "Walker",
    "leader_of",
]

MAX_PLACE_DEPTH = 20  # hops of IN followed from a site to the regions around it
MAX_CHAIN_DEPTH = 100  # hops of PART_OF followed from a segment up to its chain
HQ_ROLE = "总部"
NATION = "region:cn"
_FACT_TYPES = ("MAKES", "LOCATED_IN", "SUPPLIES")
EVIDENCE_GRADES = ("weak", "medium", "strong")  # a MAKES ``evidence`` property; missing = medium
UNVERIFIED = "unverified"


@dataclass(frozen=True)
class Place:
    """A region or base with what proximity rules read from it."""

    id: str
    level: str | None
    gba: bool
    name: str


@dataclass(frozen=True)
class CompanyFacts:
    """What the gap and target rules need to know about one firm.

    ``facts`` counts the company record and its MAKES, LOCATED_IN and SUPPLIES
    relationships; ``unverified`` how many of those have ``source: unverified``.
    """

    node: Node
    places: frozenset[str]
    hq: tuple[Place, ...]  # the headquarters and the regions around it, nearest first
    facts: int
    unverified: int
    makes: tuple[str, ...]
    customers: tuple[str, ...]  # companies it SUPPLIES


@dataclass(frozen=True)
class SegmentCoverage:
    """A segment, the firms making its own products, and which of them are local."""

    segment: str
    name: str
    stage: str
    weight: float
    chain: str  # "" when the segment is under no chain
    products: tuple[str, ...]  # products held directly by the segment
    makers: int  # how many firms make one of those products
    local: tuple[str, ...]  # makers with a site in the area
    local_names: tuple[str, ...]  # their names, in the order of ``local``
    local_leaders: tuple[str, ...]  # local makers that are leaders
    national: int  # makers with a site in China
    upstream: tuple[str, ...]  # segments holding inputs of its products (itself excluded)
    downstream: tuple[str, ...]  # segments holding products its products go into
    # Per local firm (in the order of ``local``), its best MAKES fact into the segment:
    local_verified: tuple[bool, ...] = ()  # source is not "unverified"
    local_grades: tuple[str, ...] = ()  # evidence: strong / medium / weak


@dataclass(frozen=True)
class EconomyCounts:
    """How many firms make any product: in an area, in China, anywhere (the economy a
    segment's local share is measured against, e.g. for the location quotient)."""

    area: str
    local: int
    national: int
    total: int


@dataclass(frozen=True)
class LeaderInput:
    """An input of a product that a local leader makes, and who else makes that input."""

    product: str
    product_name: str
    input: str
    input_name: str
    input_segments: tuple[str, ...]
    leaders: tuple[str, ...]  # local leaders making ``product``
    leader_names: tuple[str, ...]  # their names, sorted by name
    makers: int  # firms making ``input``
    local_makers: int  # of them, those with a site in the area


@dataclass(frozen=True)
class ProductSupply:
    """A product and the firms that make it."""

    product: str
    name: str
    makers: tuple[str, ...]


@dataclass(frozen=True)
class ChainCounts:
    """Sizes of one chain and of the firms making its products."""

    chain: str
    name: str
    segments: int
    products: int
    companies: int
    local_companies: int  # with a site in the home region
    facts: int  # company records and their MAKES/LOCATED_IN/SUPPLIES relationships
    unverified: int  # of those, marked ``source: unverified``


@dataclass(frozen=True)
class BaseFacts:
    """A base, what it focuses on and how many firms have a site inside it."""

    node: Node
    focus: tuple[tuple[Any, str, str], ...]  # (priority or 9, target id, target name), sorted
    regions: tuple[str, ...]  # names of the regions it lies in, nearest first
    companies: int


# -- generic implementations (any store) -------------------------------------------


class Walker:
    """Memoised graph walks over a store's basic reads, for one aggregate call.

    A store with indexes of its own returns a subclass from ``GraphStore.walker``
    that answers :meth:`makers`, :meth:`inside` and :meth:`is_leader` from them;
    the answers must stay the ones defined here.
    """

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._places: dict[str, list[str]] = {}
        self._nodes: dict[str, Node | None] = {}
        self._named: dict[tuple[str, str], list[str]] | None = None

    def node(self, node_id: str) -> Node | None:
        if node_id not in self._nodes:
            self._nodes[node_id] = self.store.get(node_id)
        return self._nodes[node_id]

    def name(self, node_id: str) -> str:
        node = self.node(node_id)
        return node.name if node else node_id

    def place_ancestors(self, place_id: str) -> list[str]:
        if place_id not in self._places:
            self._places[place_id] = place_ancestors(self.store, place_id)
        return self._places[place_id]

    def sites(self, company_id: str) -> frozenset[str]:
        return self.store.company_sites(company_id)

    def sources(self, target: str, rel_type: str) -> tuple[str, ...]:
        """The sources of ``rel_type`` relationships into ``target``, sorted, once each."""
        return tuple(sorted({r.source for r in self.store.relationships(rel_type, target=target)}))

    def targets(self, source: str, rel_type: str) -> tuple[str, ...]:
        """The targets of ``rel_type`` relationships out of ``source``, sorted, once each."""
        return tuple(sorted({r.target for r in self.store.relationships(rel_type, source=source)}))

    def makers(self, product_id: str) -> tuple[str, ...]:
        """Every firm making a product, sorted."""
        return self.sources(product_id, "MAKES")

    def named(self, node_type: str, name: str) -> tuple[str, ...]:
        """Ids of the nodes of a type whose ``name`` property is exactly ``name``, sorted."""
        if self._named is None:
            self._named = {}
            for kind in ("Product", "Segment"):
                for node in self.store.nodes(kind):
                    value = node.props.get("name")
                    if isinstance(value, str) and value:
                        self._named.setdefault((kind, value), []).append(node.id)
        return tuple(sorted(self._named.get((node_type, name), ())))

    def segment_products(self, segment_id: str) -> tuple[str, ...]:
        """The products that belong to a segment (see the module's definition), sorted."""
        own = self.sources(segment_id, "IN_SEGMENT")
        node = self.node(segment_id)
        name = node.props.get("name") if node is not None else None
        if not isinstance(name, str) or not name:
            return own
        found = set(own).union(self.named("Product", name))
        for twin in self.named("Segment", name):
            if twin != segment_id:
                found.update(self.sources(twin, "IN_SEGMENT"))
        return tuple(sorted(found))

    def segment_makers(self, segment_id: str) -> tuple[str, ...]:
        """The makers of every product of a segment, sorted, once each."""
        products = self.segment_products(segment_id)
        return tuple(sorted(set().union(*(self.makers(p) for p in products))))

    def economy(self, area: str) -> EconomyCounts:
        """Firms making any product: with a site in ``area``, in China, anywhere."""
        makers = {r.source for r in self.store.relationships("MAKES")}
        makers = {c for c in makers if (n := self.node(c)) is not None and n.type == "Company"}
        inside, nation = self.inside(area), self.inside(NATION)
        return EconomyCounts(
            area,
            sum(1 for c in makers if c in inside) if area else 0,
            sum(1 for c in makers if c in nation),
            len(makers),
        )

    def best_fact(self, company_id: str, products: Container[str]) -> tuple[bool, str]:
        """(verified, grade) of the best MAKES fact of a firm into one of ``products``."""
        best = (False, -1)
        for rel in self.store.relationships("MAKES", source=company_id):
            if rel.target in products:
                best = max(best, fact_rank(rel.props))
        # a maker has at least one MAKES fact; none would read as unverified, medium
        return best[0], EVIDENCE_GRADES[best[1]] if best[1] >= 0 else "medium"

    def group_makers(self, group_id: str) -> tuple[str, ...]:
        """The makers of a product, or of the products a segment holds directly."""
        node = self.node(group_id)
        if node is not None and node.type == "Segment":
            return self.segment_makers(group_id)
        return self.makers(group_id)

    def local_makers(self, group_id: str, area: str) -> tuple[str, ...]:
        """Those of :meth:`group_makers` with a site in ``area``, sorted."""
        inside = self.inside(area)
        return tuple(c for c in self.group_makers(group_id) if c in inside)

    def outside_makers(self, product_id: str, area: str) -> tuple[str, ...]:
        """The makers of a product with no site in ``area`` (every maker if ``area`` is
        empty), sorted."""
        if not area:
            return self.makers(product_id)
        inside = self.inside(area)
        return tuple(c for c in self.makers(product_id) if c not in inside)

    def local_names(self, group_id: str, area: str) -> tuple[str, ...]:
        """The names of :meth:`local_makers`, in their order."""
        return tuple(self.name(c) for c in self.local_makers(group_id, area))

    def local_leaders(
        self, group_id: str, area: str, leader_tags: Sequence[str], leader_rank: int
    ) -> tuple[str, ...]:
        """Those of :meth:`local_makers` that are leaders, sorted."""
        local = self.local_makers(group_id, area)
        return tuple(c for c in local if self.is_leader(c, leader_tags, leader_rank))

    def inside(self, area: str) -> Container[str]:
        """The firms with a site in ``area``, as something ``in`` can ask."""
        return _SitesIn(self, area)

    def is_leader(self, company_id: str, leader_tags: Sequence[str], leader_rank: int) -> bool:
        node = self.node(company_id)
        return node is not None and leader_of(node.props, leader_tags, leader_rank)


def fact_rank(props: Mapping[str, Any]) -> tuple[bool, int]:
    """(verified, index of the grade in :data:`EVIDENCE_GRADES`) of one MAKES fact."""
    grade = props.get("evidence")
    rank = EVIDENCE_GRADES.index(grade) if grade in EVIDENCE_GRADES else 1
    return props.get("source") != UNVERIFIED, rank


class _SitesIn:
    def __init__(self, walk: Walker, area: str) -> None:
        self.walk = walk
        self.area = area

    def __contains__(self, company_id: object) -> bool:
        return isinstance(company_id, str) and self.area in self.walk.sites(company_id)


def leader_of(props: Mapping[str, Any], leader_tags: Sequence[str], leader_rank: int) -> bool:
    """Whether a firm (its properties) is a leader: a leader tag, or a global rank at
    most ``leader_rank``."""
    tags = props.get("tags") or ()
    if isinstance(tags, list | tuple) and set(tags) & set(leader_tags):
        return True
    rank = (props.get("global_rank") or {}).get("rank")
    return isinstance(rank, int) and rank <= leader_rank


def place_ancestors(store: GraphStore, place_id: str) -> list[str]:
    """A place, then the regions it lies in through ``IN``, nearest first (ties by id)."""
    found = [place_id]
    seen = {place_id}
    frontier = [place_id]
    for _ in range(MAX_PLACE_DEPTH):
        parents = sorted(
            {r.target for p in frontier for r in store.relationships("IN", source=p)} - seen
        )
        if not parents:
            break
        found.extend(parents)
        seen.update(parents)
        frontier = parents
    return found


def segments_below(store: GraphStore, root: str) -> set[str]:
    """Every segment under a chain or segment through ``PART_OF`` (the root excluded)."""
    found: set[str] = set()
    frontier = [root]
    while frontier:
        children = {r.source for p in frontier for r in store.relationships("PART_OF", target=p)}
        frontier = sorted(children - found - {root})
        found.update(frontier)
    return found


def chain_of(store: GraphStore, segment_id: str) -> str:
    """The chain above a segment through ``PART_OF`` (smallest id if several), or ""."""
    seen = {segment_id}
    frontier = [segment_id]
    chains: set[str] = set()
    for _ in range(MAX_CHAIN_DEPTH):
        parents = {r.target for s in frontier for r in store.relationships("PART_OF", source=s)}
        parents -= seen
        if not parents:
            break
        chains.update(p for p in parents if _type(store, p) == "Chain")
        seen |= parents
        frontier = sorted(parents)
    return min(chains, default="")


def _type(store: GraphStore, node_id: str) -> str | None:
    node = store.get(node_id)
    return node.type if node else None


def evaluated_segments(store: GraphStore, root: str) -> list[str]:
    """Segments under ``root`` judged on their own: leaves, and parents with own products."""
    segments = segments_below(store, root)
    if _type(store, root) == "Segment":
        segments.add(root)
    found = []
    for seg in sorted(segments):
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
        if _type(store, rel.target) == "Product":
            segments = [r.target for r in store.relationships("IN_SEGMENT", source=rel.target)]
        else:
            segments = evaluated_segments(store, rel.target)
        for seg in segments:
            priorities[seg] = min(priority, priorities.get(seg, priority))
    return dict(sorted(priorities.items()))


def company_facts(store: GraphStore, company_ids: Iterable[str]) -> dict[str, CompanyFacts]:
    """Facts of each company found (ids that are not companies are left out)."""
    walk = store.walker()
    found: dict[str, CompanyFacts] = {}
    for company_id in dict.fromkeys(company_ids):
        node = walk.node(company_id)
        if node is None or node.type != "Company":
            continue
        out = [r for r in store.relationships(source=company_id) if r.type in _FACT_TYPES]
        located = [r for r in out if r.type == "LOCATED_IN"]
        places: set[str] = set()
        for rel in located:
            places.update(walk.place_ancestors(rel.target))
        hq_sites = sorted(r.target for r in located if r.key == HQ_ROLE)
        hq: tuple[Place, ...] = ()
        if hq_sites:
            hq = tuple(_place(walk, p) for p in walk.place_ancestors(hq_sites[0]))
        records = [node.props] + [r.props for r in out]
        found[company_id] = CompanyFacts(
            node,
            frozenset(places),
            hq,
            len(records),
            sum(1 for p in records if p.get("source") == "unverified"),
            tuple(sorted({r.target for r in out if r.type == "MAKES"})),
            tuple(sorted({r.target for r in out if r.type == "SUPPLIES"})),
        )
    return found


def _place(walk: Walker, place_id: str) -> Place:
    node = walk.node(place_id)
    if node is None:
        return Place(place_id, None, False, place_id)
    return Place(place_id, node.get("level"), bool(node.get("gba")), node.name)


def segment_coverage(
    store: GraphStore,
    segment_ids: Iterable[str],
    area: str,
    leader_tags: Sequence[str],
    leader_rank: int,
) -> dict[str, SegmentCoverage]:
    """Coverage of each segment found: its products, their makers, and which are local."""
    walk = store.walker()
    found: dict[str, SegmentCoverage] = {}
    for seg in dict.fromkeys(segment_ids):
        node = walk.node(seg)
        if node is None or node.type != "Segment":
            continue
        products = walk.segment_products(seg)
        firms = walk.segment_makers(seg)
        local = walk.local_makers(seg, area)
        member = frozenset(products)
        facts = [walk.best_fact(c, member) for c in local]
        up: set[str] = set()
        down: set[str] = set()
        for product in products:
            for item in walk.sources(product, "INPUT_TO"):
                up.update(walk.targets(item, "IN_SEGMENT"))
            for user in walk.targets(product, "INPUT_TO"):
                down.update(walk.targets(user, "IN_SEGMENT"))
        found[seg] = SegmentCoverage(
            seg,
            node.name,
            str(node.get("stage", "")),
            float(node.get("weight", 1.0)),
            chain_of(store, seg),
            tuple(products),
            len(firms),
            local,
            walk.local_names(seg, area),
            walk.local_leaders(seg, area, leader_tags, leader_rank),
            len(walk.local_makers(seg, NATION)),
            tuple(sorted(up - {seg})),
            tuple(sorted(down - {seg})),
            tuple(f[0] for f in facts),
            tuple(f[1] for f in facts),
        )
    return found


def economy_counts(store: GraphStore, area: str) -> EconomyCounts:
    """How many firms make any product, in ``area``, in China and anywhere."""
    return store.walker().economy(area)


def leader_inputs(
    store: GraphStore,
    product_ids: Iterable[str],
    area: str,
    leader_tags: Sequence[str],
    leader_rank: int,
) -> list[LeaderInput]:
    """Inputs of those products that a local leader makes, with their makers, by product."""
    walk = store.walker()
    rows = []
    for product in sorted(set(product_ids)):
        leaders = walk.local_leaders(product, area, leader_tags, leader_rank)
        if not leaders:
            continue
        for item in walk.sources(product, "INPUT_TO"):
            suppliers = walk.makers(item)
            segments = walk.targets(item, "IN_SEGMENT")
            rows.append(
                LeaderInput(
                    product,
                    walk.name(product),
                    item,
                    walk.name(item),
                    segments,
                    leaders,
                    tuple(sorted(walk.name(c) for c in leaders)),
                    len(suppliers),
                    len(walk.local_makers(item, area)),
                )
            )
    return rows


def local_users(
    store: GraphStore, product_ids: Iterable[str], area: str
) -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
    """Per product found: each product it is an input to (``INPUT_TO``), by id, with the
    makers of that product that have a site in ``area`` (sorted)."""
    walk = store.walker()
    found: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {}
    for product in dict.fromkeys(product_ids):
        node = walk.node(product)
        if node is None or node.type != "Product":
            continue
        found[product] = tuple(
            (user, walk.local_makers(user, area) if area else ())
            for user in walk.targets(product, "INPUT_TO")
        )
    return found


def segment_candidates(
    store: GraphStore, segment_ids: Iterable[str], area: str
) -> dict[str, dict[str, tuple[str, ...]]]:
    """Per segment, each of its products -> its makers with no site in ``area``."""
    walk = store.walker()
    return {
        seg: {p: walk.outside_makers(p, area) for p in walk.segment_products(seg)}
        for seg in dict.fromkeys(segment_ids)
    }


def product_supply(store: GraphStore, chain: str | None = None) -> list[ProductSupply]:
    """Every product (of one chain's segments when given) with its makers, by id."""
    if chain is None:
        products = sorted(n.id for n in store.nodes("Product"))
    else:
        segments = segments_below(store, chain)
        products = sorted(
            {r.source for s in segments for r in store.relationships("IN_SEGMENT", target=s)}
        )
    walk = store.walker()
    return [ProductSupply(p, walk.name(p), walk.makers(p)) for p in products]


def chain_counts(store: GraphStore, home_region: str) -> list[ChainCounts]:
    """Per chain (by id): segments, products, their makers, local makers and their facts."""
    walk = store.walker()
    local = walk.inside(home_region)
    rows = []
    for chain in sorted(store.nodes("Chain"), key=lambda n: n.id):
        segments = segments_below(store, chain.id)
        products = {r.source for s in segments for r in store.relationships("IN_SEGMENT", target=s)}
        firms = set().union(*(walk.makers(p) for p in products))
        facts = unverified = 0
        for firm in firms:
            node = walk.node(firm)
            records = [node.props] if node else []
            records += [r.props for r in store.relationships(source=firm) if r.type in _FACT_TYPES]
            facts += len(records)
            unverified += sum(1 for p in records if p.get("source") == "unverified")
        rows.append(
            ChainCounts(
                chain.id,
                chain.name,
                len(segments),
                len(products),
                len(firms),
                sum(1 for c in firms if c in local),
                facts,
                unverified,
            )
        )
    return rows


def base_facts(store: GraphStore) -> list[BaseFacts]:
    """Per base (by id): focus, enclosing regions and how many firms have a site inside."""
    walk = store.walker()
    inside: dict[str, set[str]] = {}
    for rel in store.relationships("LOCATED_IN"):
        for place in walk.place_ancestors(rel.target):
            inside.setdefault(place, set()).add(rel.source)
    rows = []
    for base in sorted(store.nodes("Base"), key=lambda n: n.id):
        focus = sorted(
            (r.props.get("priority", 9), r.target, walk.name(r.target))
            for r in store.relationships("FOCUSES_ON", source=base.id)
            if walk.node(r.target) is not None
        )
        regions = [walk.name(p) for p in walk.place_ancestors(base.id)[1:] if walk.node(p)]
        rows.append(BaseFacts(base, tuple(focus), tuple(regions), len(inside.get(base.id, ()))))
    return rows


def company_sites(store: GraphStore, company_id: str) -> frozenset[str]:
    """Every place a company has a site in, with the regions enclosing each."""
    places: set[str] = set()
    for rel in store.relationships("LOCATED_IN", source=company_id):
        places.update(place_ancestors(store, rel.target))
    return frozenset(places)
