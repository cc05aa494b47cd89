"""The embedded engine's aggregates: Python walks over a store's basic reads.

Each function answers one aggregate read of the contract
(:class:`~chaingraph.store.base.GraphStore`) exactly as the definitions of
:mod:`chaingraph.store.base` say, through a :class:`Walker`: the plain walker here is the
reference; :class:`~chaingraph.store.networkx.index.IndexedWalker` answers the same
questions from indexes, which is what :class:`~chaingraph.store.networkx.NetworkxStore`
uses (``tests/test_scale_paths.py`` holds the two to the same answers).
"""

from __future__ import annotations

from collections.abc import Container, Iterable

from chaingraph.model import Node, Relationship
from chaingraph.store.base import (
    EVIDENCE_GRADES,
    FACT_TYPES,
    HQ_ROLE,
    NATION,
    UNVERIFIED,
    BaseFacts,
    ChainCounts,
    CompanyFacts,
    EconomyCounts,
    GraphStore,
    LeaderInput,
    LeaderRule,
    Place,
    ProductSupply,
    SegmentCoverage,
    fact_rank,
)

__all__ = [
    "Walker",
    "base_facts",
    "chain_counts",
    "company_facts",
    "economy_counts",
    "evaluated_segments",
    "focus_priorities",
    "leader_inputs",
    "local_users",
    "product_supply",
    "segment_candidates",
    "segment_coverage",
    "segments_below",
]


class Walker:
    """Memoised graph walks over a store's basic reads, for one aggregate call.

    The reference answers: :class:`~chaingraph.store.networkx.index.IndexedWalker`
    answers the same questions from indexes and must stay equal to these.
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
            self._places[place_id] = self.store.place_ancestors(place_id)
        return self._places[place_id]

    def place(self, place_id: str) -> Place:
        """A place as :class:`CompanyFacts` lists it."""
        return _place(self, place_id)

    def facts_out(self, company_id: str) -> list[Relationship]:
        """The relationships out of a company that are facts about it (``FACT_TYPES``)."""
        return [r for r in self.store.relationships(source=company_id) if r.type in FACT_TYPES]

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

    def local_facts(self, segment_id: str, area: str) -> tuple[tuple[bool, str], ...]:
        """:meth:`best_fact` of each of :meth:`local_makers` in the segment's products."""
        member = frozenset(self.segment_products(segment_id))
        return tuple(self.best_fact(c, member) for c in self.local_makers(segment_id, area))

    def local_fact_columns(
        self, segment_id: str, area: str
    ) -> tuple[tuple[bool, ...], tuple[str, ...]]:
        """:meth:`local_facts` as two columns: verified, grade."""
        facts = self.local_facts(segment_id, area)
        return tuple(f[0] for f in facts), tuple(f[1] for f in facts)

    def count_makers(self, product_id: str) -> int:
        """How many firms make a product."""
        return len(self.makers(product_id))

    def count_segment_makers(self, segment_id: str) -> int:
        """How many firms make a product of a segment."""
        return len(self.segment_makers(segment_id))

    def count_local(self, group_id: str, area: str) -> int:
        """How many :meth:`local_makers` there are."""
        return len(self.local_makers(group_id, area))

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

    def local_leaders(self, group_id: str, area: str, leader: LeaderRule) -> tuple[str, ...]:
        """Those of :meth:`local_makers` that are leaders, sorted."""
        local = self.local_makers(group_id, area)
        return tuple(c for c in local if self.is_leader(c, leader))

    def inside(self, area: str) -> Container[str]:
        """The firms with a site in ``area``, as something ``in`` can ask."""
        return _SitesIn(self, area)

    def is_leader(self, company_id: str, leader: LeaderRule) -> bool:
        """Whether a firm is a leader by ``leader``."""
        node = self.node(company_id)
        return node is not None and leader.holds(node.props)


class _SitesIn:
    def __init__(self, walk: Walker, area: str) -> None:
        self.walk = walk
        self.area = area

    def __contains__(self, company_id: object) -> bool:
        return isinstance(company_id, str) and self.area in self.walk.sites(company_id)


def segments_below(store: GraphStore, root: str) -> set[str]:
    """Every segment under a chain or segment through ``PART_OF`` (the root excluded)."""
    found: set[str] = set()
    frontier = [root]
    while frontier:
        children = {r.source for p in frontier for r in store.relationships("PART_OF", target=p)}
        frontier = sorted(children - found - {root})
        found.update(frontier)
    return found


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


def company_facts(walk: Walker, company_ids: Iterable[str]) -> dict[str, CompanyFacts]:
    """Facts of each company found (ids that are not companies are left out)."""
    found: dict[str, CompanyFacts] = {}
    for company_id in dict.fromkeys(company_ids):
        node = walk.node(company_id)
        if node is None or node.type != "Company":
            continue
        out = walk.facts_out(company_id)
        located = [r for r in out if r.type == "LOCATED_IN"]
        places: set[str] = set()
        for rel in located:
            places.update(walk.place_ancestors(rel.target))
        hq_sites = sorted(r.target for r in located if r.key == HQ_ROLE)
        hq: tuple[Place, ...] = ()
        if hq_sites:
            hq = tuple(map(walk.place, walk.place_ancestors(hq_sites[0])))
        records = [node.props] + [r.props for r in out]
        found[company_id] = CompanyFacts(
            node,
            frozenset(places),
            hq,
            len(records),
            sum(1 for p in records if p.get("source") == UNVERIFIED),
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
    walk: Walker,
    segment_ids: Iterable[str],
    area: str,
    leader: LeaderRule,
    *,
    names: bool = True,
) -> dict[str, SegmentCoverage]:
    """Coverage of each segment found: its products, their makers, and which are local
    (with their names unless ``names`` is False)."""
    store = walk.store
    found: dict[str, SegmentCoverage] = {}
    for seg in dict.fromkeys(segment_ids):
        node = walk.node(seg)
        if node is None or node.type != "Segment":
            continue
        products = walk.segment_products(seg)
        local = walk.local_makers(seg, area)
        verified, grades = walk.local_fact_columns(seg, area)
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
            store.chain_of(seg),
            tuple(products),
            walk.count_segment_makers(seg),
            local,
            walk.local_names(seg, area) if names else (),
            walk.local_leaders(seg, area, leader),
            walk.count_local(seg, NATION),
            tuple(sorted(up - {seg})),
            tuple(sorted(down - {seg})),
            verified,
            grades,
        )
    return found


def economy_counts(walk: Walker, area: str) -> EconomyCounts:
    """How many firms make any product, in ``area``, in China and anywhere."""
    return walk.economy(area)


def leader_inputs(
    walk: Walker,
    product_ids: Iterable[str],
    area: str,
    leader: LeaderRule,
) -> list[LeaderInput]:
    """Inputs of those products that a local leader makes, with their makers, by product."""
    rows = []
    for product in sorted(set(product_ids)):
        leaders = walk.local_leaders(product, area, leader)
        if not leaders:
            continue
        for item in walk.sources(product, "INPUT_TO"):
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
                    walk.count_makers(item),
                    walk.count_local(item, area),
                )
            )
    return rows


def local_users(
    walk: Walker, product_ids: Iterable[str], area: str
) -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
    """Per product found: each product it is an input to (``INPUT_TO``), by id, with the
    makers of that product that have a site in ``area`` (sorted)."""
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
    walk: Walker, segment_ids: Iterable[str], area: str
) -> dict[str, dict[str, tuple[str, ...]]]:
    """Per segment, each of its products -> its makers with no site in ``area``."""
    return {
        seg: {p: walk.outside_makers(p, area) for p in walk.segment_products(seg)}
        for seg in dict.fromkeys(segment_ids)
    }


def product_supply(walk: Walker, chain: str | None = None) -> list[ProductSupply]:
    """Every product (of one chain's segments when given) with its makers, by id."""
    store = walk.store
    if chain is None:
        products = sorted(n.id for n in store.nodes("Product"))
    else:
        segments = segments_below(store, chain)
        products = sorted(
            {r.source for s in segments for r in store.relationships("IN_SEGMENT", target=s)}
        )
    return [ProductSupply(p, walk.name(p), walk.makers(p)) for p in products]


def chain_counts(walk: Walker, home_region: str) -> list[ChainCounts]:
    """Per chain (by id): segments, products, their makers, local makers and their facts."""
    store = walk.store
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
            records += [r.props for r in store.relationships(source=firm) if r.type in FACT_TYPES]
            facts += len(records)
            unverified += sum(1 for p in records if p.get("source") == UNVERIFIED)
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


def base_facts(walk: Walker) -> list[BaseFacts]:
    """Per base (by id): focus, enclosing regions and how many firms have a site inside."""
    store = walk.store
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
