"""The best firms for a gap without scoring every maker: makers walked best score bound first.

A firm's own record (tags, revenue, listing) fixes part of its score; the rest is
bounded. :class:`TargetSearch` walks a gap segment's makers by that bound and stops
once the ``top``-th exact score beats the next bound.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import numpy as np

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.facts import CompanyProfile, Profiles, site_proximity
from chaingraph.analysis.gaps import GapReport, SegmentGap, status_severity
from chaingraph.analysis.target_score import (
    RecordParts,
    SupplyTies,
    Target,
    names_of,
    score_target,
    shown_firms,
    target_order,
)
from chaingraph.store.base import GraphStore
from chaingraph.store.candidates import PAGE, CandidatePage, MakerClass
from chaingraph.store.records import FirmBasics

# first pages read beside each page the target search needs (one round trip)
PREFETCH = 24

__all__ = [
    "ScoreBounds",
    "TargetFilter",
    "TargetSearch",
    "local_users_and_names",
    "place_id",
    "product_weights",
    "revenue_shares",
    "served_weights",
]


@dataclass(frozen=True)
class TargetFilter:
    tags: tuple[str, ...]
    include: list[str]
    exclude: list[str]
    min_revenue: float | None


class ScoreBounds:
    """Upper bounds of target scores from a firm's own record, to rank makers by.

    A score's parts from the firm's record (leadership, scale, technology) are known
    without reading its relationships, and so is proximity where the store hands out
    every firm's headquarters at once (``store.headquarters``); the rest (supply
    ties, confidence; proximity elsewhere) are bounded by their best values. Walking
    a segment's makers by this bound and stopping once the ``top``-th score beats the
    next bound scores tens of firms instead of every maker. The bound is computed once per kind of record
    (``store.record_basics``: firms share tags, revenue and board by the thousand),
    the makers ordered by it in numpy. A store that can tell when it changes keeps
    the orders. A store that cannot (a server: ``paged``) hands out each product's makers
    in classes sorted by revenue (``store.candidate_classes``), walked by :meth:`stream`
    a page at a time.
    """

    def __init__(
        self, store: GraphStore, config: AnalysisConfig, paged: bool | None = None
    ) -> None:
        self.store = store
        self.config = config
        cache = store.analysis_cache()
        held: dict[str, Any] = (
            cache.slot(("target-bounds", config), dict) if cache is not None else {}
        )
        self._kinds: dict[Any, float] = held.setdefault("kinds", {})
        self._tables: dict[int, tuple[tuple[FirmBasics, ...], Any]] = held.setdefault("tables", {})
        self._ranked: dict[tuple[str, int], Ranked] = held.setdefault("ranked", {})
        self._record_parts: RecordParts = held.setdefault("parts", RecordParts(config))
        weights = config.score_weights
        self._parts = (
            weights.get("leadership", 0.0),
            weights.get("scale", 0.0),
            weights.get("technology", 0.0),
        )
        self._sites: dict[str, float] = held.setdefault("sites", {})
        self._proximity = weights.get("proximity", 0.0)
        # the best proximity can add when a firm's headquarters is not known beforehand
        self._best_proximity = max(
            self._proximity * v for v in (0.0, *config.proximity_scores.values())
        )
        self.open_parts = max(0.0, weights.get("confidence", 0.0))
        ties = weights.get("supply_ties", 0.0)
        # supply ties run 0..1, and 0..0.2 for a product that goes into no local firm
        self.tie_parts = (max(0.0, ties), max(0.0, 0.2 * ties))
        # A store that cannot keep whole ordered lists in memory (a server) hands out the
        # makers in classes read a page at a time (store.candidate_classes): in bound
        # order only while no record part weighs against a firm.
        if paged is None:
            paged = cache is None
        self.paged = paged and min(self._parts) >= 0
        self._pages: dict[tuple[str, str, int], CandidatePage] = {}
        self._wishes: list[tuple[float, str, str]] = []  # (-bound, product, class key)

    def open_bound(self, links: bool) -> float:
        """The most the parts a firm's record does not fix can add, for a product that
        goes into some local firm (``links``) or none."""
        return self.open_parts + self.tie_parts[0 if links else 1]

    def _bound(self, basics: FirmBasics) -> float:
        try:
            return self._kinds[basics]
        except KeyError:
            pass
        except TypeError:  # basics that cannot be a key: computed each time
            return self._compute(basics)
        found = self._kinds[basics] = self._compute(basics)
        return found

    def record_parts(self, basics: FirmBasics) -> tuple[float, float, float]:
        """:func:`~chaingraph.analysis.target_score.record_parts` of ``basics``, each
        part computed once per value it reads (:class:`RecordParts`)."""
        return self._record_parts(*basics)

    def _bounds(
        self, kinds: tuple[FirmBasics, ...], used: np.ndarray[Any, Any]
    ) -> np.ndarray[Any, np.dtype[np.float64]]:
        """The bounds of ``kinds`` (a store may hand out its one table of kinds each
        time), computed for the kinds numbered in ``used`` (NaN for the others until
        a later call uses them: a first call reaches a part of the table)."""
        held = self._tables.get(id(kinds))
        if held is None or held[0] is not kinds:
            held = self._tables[id(kinds)] = (kinds, np.full(max(1, len(kinds)), np.nan))
        table = held[1]
        wanted = np.zeros(len(table), dtype=np.bool_)
        wanted[used] = True  # a mask, not np.unique: no sort of 10^5 numbers
        todo = np.flatnonzero(wanted & np.isnan(table)).tolist()
        if todo:
            table[todo] = [self._bound(kinds[at]) for at in todo]
        return table

    def _near(self, makers: tuple[str, ...], known: np.ndarray[Any, Any]) -> Any:
        """What proximity adds to the score of each of ``makers[known]``: from its
        headquarters where the store knows them all at once, else the best it can."""
        hq = self.store.headquarters(makers) if self._proximity > 0 else None
        if hq is None:
            return self._best_proximity
        site_of = np.asarray(hq.site_of, dtype=np.int64)[known]
        sites = self._sites
        scores = self.config.proximity_scores
        # the last: no headquarters (site -1)
        near = np.full(len(hq.sites) + 1, self._proximity * scores.get("未知", 0.0))
        present = np.zeros(len(hq.sites) + 1, dtype=np.bool_)
        present[site_of] = True  # -1 marks the last, no headquarters
        for at in np.flatnonzero(present[:-1]).tolist():
            site = hq.sites[at]
            found = sites.get(site)
            if found is None:
                found = scores.get(site_proximity(self.store, site), 0.0)
                found = sites[site] = self._proximity * found
            near[at] = found
        return near[site_of]

    def _compute(self, basics: FirmBasics) -> float:
        leadership, scale, technology = self.record_parts(basics)
        parts = self._parts
        return parts[0] * leadership + parts[1] * scale + parts[2] * technology

    def stream(self, product: str, held: tuple[Any, ...]) -> Iterator[tuple[float, str]]:
        """``(-bound, firm)`` for one product's makers, best bound first: ``held`` is its
        makers (sorted ids, from ``segment_candidates``) or, when :attr:`paged`, its
        makers' classes (``candidate_classes``), read a page at a time."""
        if not self.paged:
            return self.ranked(product, held).pairs()
        near = self._best_proximity
        heap: list[tuple[float, int, int]] = []  # (-bound of the next maker, class, maker)
        for at, one in enumerate(held):
            if one.count:
                negative = -(self._bound(one.basics(one.tops[0])) + near)
                heap.append((negative, at, 0))
                # first pages wished for: fetched beside the next page read, best first
                self._wishes.append((negative, product, one.key))
        heapq.heapify(heap)
        heapq.heapify(self._wishes)
        return self._paged(product, held, heap)

    def forget_wishes(self) -> None:
        """Drop the first pages wished for (a new gap's streams begin)."""
        self._wishes.clear()

    def read_wished(self, count: int) -> None:
        """Read up to ``count`` first pages wished for (best bound first) in one read."""
        if self._wishes:
            self._read([], count)

    def _read(self, wanted: list[tuple[str, str, int]], extra: int = PREFETCH) -> None:
        """Read these pages, with up to ``extra`` first pages wished for."""
        asked = set(wanted)
        while self._wishes and len(asked) < len(wanted) + extra:
            _, product, key = heapq.heappop(self._wishes)
            first = (product, key, 0)
            if first not in self._pages and first not in asked:
                asked.add(first)
                wanted.append(first)
        self._pages.update(self.store.candidate_pages(wanted))

    def _paged(
        self, product: str, classes: tuple[MakerClass, ...], heap: list[tuple[float, int, int]]
    ) -> Iterator[tuple[float, str]]:
        """The makers of a product's classes merged by bound: each class is sorted by
        revenue, on which its bound rises, so its next page's bound is known before it
        is read; a class's n-th read fetches 2^n pages."""
        near = self._best_proximity
        reads = [0] * len(classes)
        while heap:
            negative, at, position = heapq.heappop(heap)
            held = classes[at]
            number, offset = divmod(position, PAGE)
            page = self._pages.get((product, held.key, number))
            if page is None:
                reads[at] += 1
                last = min(len(held.tops), number + 2 ** (reads[at] - 1))
                self._read([(product, held.key, n) for n in range(number, last)])
                page = self._pages[(product, held.key, number)]
            yield negative, page[offset][0]
            position += 1
            if position < held.count:
                number, offset = divmod(position, PAGE)
                revenue = held.tops[number] if offset == 0 else page[offset][1]
                heapq.heappush(heap, (-(self._bound(held.basics(revenue)) + near), at, position))

    def ranked(self, product: str, makers: tuple[str, ...]) -> Ranked:
        """These makers of a product (sorted ids, as the store gives them) by ``-bound``
        from their records, best first; equal bounds keep the smaller id first."""
        key = (product, id(makers))
        found = self._ranked.get(key)
        if found is None or found.makers is not makers:
            basics = self.store.record_basics(makers)
            kind_of = np.asarray(basics.kind_of, dtype=np.int64)
            known = np.flatnonzero(kind_of >= 0)
            used = kind_of[known]
            negative = -(self._bounds(basics.kinds, used)[used] + self._near(makers, known))
            found = Ranked(makers, known, negative)
            self._ranked[key] = found
        return found


class Ranked:
    """Makers of a product ordered by score bound, best first; equal bounds keep the
    smaller position (the contract's lists of ids are sorted: the smaller id first, as a
    heap of ``(-bound, id)`` would pop them).

    ``known`` are positions in ``makers``, ``negative`` their ``-bound``. The order is
    made a block at a time as a walk reaches it (a first block of :data:`BLOCK`, each
    next one 8 times larger): a search reads tens of a product's 10^4 makers, and
    sorting them all, then turning them into Python numbers, was most of a first call's
    ranking (issue 22). Blocks made stay for the next walk.
    """

    BLOCK = 256

    def __init__(
        self, makers: tuple[str, ...], known: np.ndarray[Any, Any], negative: np.ndarray[Any, Any]
    ) -> None:
        self.makers = makers
        self._negative = negative
        self._known = known
        self._rest: np.ndarray[Any, Any] = np.arange(len(known))  # not in a block yet
        self._blocks: list[tuple[list[float], list[int]]] = []

    def pairs(self) -> Iterator[tuple[float, str]]:
        """``(-bound, maker)``, best bound first."""
        makers = self.makers
        at = 0
        while at < len(self._blocks) or self._next_block():
            negative, order = self._blocks[at]
            yield from zip(negative, map(makers.__getitem__, order), strict=True)
            at += 1

    def _next_block(self) -> bool:
        """Sort the next block of makers (those whose bound is at least the n-th best
        bound left): False when every maker is in a block."""
        rest = self._rest
        if not len(rest):
            return False
        size = self.BLOCK * 8 ** len(self._blocks)
        values = self._negative[rest]
        if len(rest) > size:
            cut = np.partition(values, size - 1)[size - 1]
            taken = values <= cut  # ties at the cut come along: none is split off
            chosen, self._rest = rest[taken], rest[~taken]
            values = values[taken]
        else:
            chosen, self._rest = rest, rest[:0]
        # positions ascend in ``chosen``: a stable sort keeps the smaller one first
        order = np.argsort(values, kind="stable")
        self._blocks.append((values[order].tolist(), self._known[chosen[order]].tolist()))
        return True


@dataclass
class TargetSearch:
    """The best firms for each gap: makers walked by score bound, scored exactly."""

    config: AnalysisConfig
    profiles: Profiles
    bounds: ScoreBounds
    area: str
    filter: TargetFilter
    users: dict[str, tuple[tuple[str, tuple[str, ...]], ...]]
    names: Mapping[str, str]
    focus_products: set[str]
    store: GraphStore
    fit: Mapping[str, float]  # product -> best priority weight of a gap segment holding it
    served: Mapping[str, float]  # product -> focus weight of the base's segment holding it
    shares: dict[str, dict[str, float]] = field(default_factory=dict)  # firm -> revenue shares
    ties: SupplyTies = field(init=False)  # per product: local firms it goes into

    def __post_init__(self) -> None:
        self.ties = SupplyTies(self.users, self.names, self.served, self.store)

    def best(
        self, gap: SegmentGap, per_product: Mapping[str, tuple[Any, ...]], top: int
    ) -> list[Target]:
        """The best ``top`` firms for a gap: ``per_product`` is each of its products'
        makers, or their classes when the bounds are :attr:`ScoreBounds.paged`."""
        return self.best_of_each([(gap, per_product)], top)[0]

    def best_of_each(
        self, gaps: Sequence[tuple[SegmentGap, Mapping[str, tuple[Any, ...]]]], top: int
    ) -> list[list[Target]]:
        """:meth:`best` of each gap, the gaps walked side by side: each step takes the
        next chunk of every gap not settled yet and reads the facts, local users and
        revenue shares of all those chunks at once (one round trip each on a server
        store, not one per gap)."""
        self.bounds.forget_wishes()
        walks = [
            self._walk(gap, self._pairs_of(gap, per_product), top) for gap, per_product in gaps
        ]
        # the first pages of the best classes of every gap, in one read
        self.bounds.read_wished(PREFETCH * len(walks))
        found: list[list[Target]] = [[] for _ in walks]
        chunks: dict[int, list[tuple[float, str, str]]] = {}
        for at, walk in enumerate(walks):
            self._advance(at, walk, None, chunks, found)
        while chunks:
            self._read_for(company for chunk in chunks.values() for _, company, _ in chunk)
            profiles = self.profiles
            self.ties.read_names(
                (profiles.get(company).customers, product)
                for chunk in chunks.values()
                for _, company, product in chunk
            )
            for at, chunk in list(chunks.items()):
                self._advance(at, walks[at], chunk, chunks, found)
        return found

    @staticmethod
    def _advance(
        at: int,
        walk: Generator[list[tuple[float, str, str]], None, list[Target]],
        chunk: list[tuple[float, str, str]] | None,
        chunks: dict[int, list[tuple[float, str, str]]],
        found: list[list[Target]],
    ) -> None:
        """Run walk ``at`` to its next chunk (kept in ``chunks``) or its answer."""
        try:
            chunks[at] = next(walk) if chunk is None else walk.send(None)
        except StopIteration as done:
            chunks.pop(at, None)
            found[at] = done.value

    def _read_for(self, companies: Iterable[str]) -> None:
        """Fetch what scoring these firms reads, in one read each: their facts, the
        local users of every product they make (whom else locally they could supply),
        their revenue shares."""
        wanted = list(dict.fromkeys(companies))
        self.profiles.preload(wanted)
        products = {p for company in wanted for p in self.profiles.get(company).makes}
        missing = sorted(products - self.users.keys())
        if missing:
            self.users.update(self.store.local_users(missing, self.area))
        unread = [company for company in wanted if company not in self.shares]
        if unread:
            self.shares.update(self.store.revenue_shares(unread))

    def _pairs_of(
        self, gap: SegmentGap, per_product: Mapping[str, tuple[Any, ...]]
    ) -> Iterator[tuple[float, str, str]]:
        """``(-bound, firm, product)`` of a gap's makers, best bound first (no page read
        before the first is asked for)."""
        config, weights = self.config, self.config.score_weights
        priority_weight = config.priority_weight(gap.priority)
        status_weight = status_severity(config, gap.status, gap.local_firms, gap.national_firms)
        known = weights.get("severity", 0.0) * round(status_weight * priority_weight, 3)
        streams = []
        best_fit = max(self.fit.values(), default=0.0)
        ties = self.ties
        for product, makers in sorted(per_product.items()):
            alignment = 1.0 if product in self.focus_products else round(priority_weight, 3)
            # plan alignment is half this, half the firm's business fit (at most best_fit)
            alignment = max(alignment, 0.5 * alignment + 0.5 * best_fit)
            fixed = known + weights.get("plan_alignment", 0.0) * alignment
            fixed += self.bounds.open_bound(bool(ties.links(product).links))
            # The focus weight multiplies the score; it follows from the product alone
            # (the local firms it goes into), so each product's stream carries its own.
            factor = ties.focus(product, priority_weight)[0]
            streams.append(_pairs(factor, fixed, product, self.bounds.stream(product, makers)))
        return heapq.merge(*streams)

    def _walk(
        self, gap: SegmentGap, pairs: Iterator[tuple[float, str, str]], top: int
    ) -> Generator[list[tuple[float, str, str]], None, list[Target]]:
        """The search for one gap (its makers in ``pairs``, from :meth:`_pairs_of`):
        yields each chunk of ``(-bound, firm, product)`` to walk next (resumed once its
        firms' facts are read), returns the best ``top``."""
        config = self.config
        status_weight = status_severity(config, gap.status, gap.local_firms, gap.national_firms)
        ties = self.ties
        best: dict[str, Target] = {}
        threshold = -math.inf  # the top-th best score once there are ``top`` firms
        # Most gaps are settled within the first few firms: start small, then widen.
        chunk_size = max(20, 4 * top)
        # A store in memory has no round trips to save: its chunks stay small, so that
        # few firms past the last one scored are read (issue 22).
        growth = 2 if self.bounds.paged else 1
        while chunk := list(islice(pairs, min(chunk_size, 4096))):
            chunk_size *= growth
            # The chunk's facts, local users and revenue shares are read meanwhile,
            # with those of the other gaps' chunks (best_of_each).
            yield chunk
            for negative_bound, company, product in chunk:
                # A pair's rounded score can exceed its bound by the 0.05 of rounding.
                if len(best) >= top and 100 * -negative_bound + 0.005 + 1e-6 < threshold:
                    return _ranked(best, top)
                profile = self.profiles.get(company)
                if self.area in profile.places or not _passes(profile, self.filter):
                    continue
                target = score_target(
                    config,
                    self.profiles,
                    profile,
                    gap.segment,
                    gap.name,
                    gap.status,
                    gap.priority,
                    product,
                    self.users,
                    self.names,
                    self.focus_products,
                    self.area,
                    self.fit,
                    self.served,
                    status_weight,
                    self.shares[company],
                    ties,
                    self.bounds.record_parts(
                        (
                            profile.tags,
                            profile.global_rank,
                            profile.revenue_cny_100m,
                            profile.listing_board,
                        )
                    ),
                )
                held = best.get(company)
                # Equal scores keep the smaller product id, as a walk in product order would.
                if held is None or (target.score, held.product) > (held.score, target.product):
                    best[company] = target
                    # A score at most the threshold leaves the top-th best as it was
                    # (a firm's score only rises): recounted only when one passes it.
                    if len(best) >= top and target.score > threshold:
                        threshold = heapq.nlargest(top, (t.score for t in best.values()))[-1]
        return _ranked(best, top)


def _pairs(
    factor: float, fixed: float, product: str, ranked: Iterator[tuple[float, str]]
) -> Iterator[tuple[float, str, str]]:
    """``(-bound, firm, product)`` for one product's makers, best bound first: the bound
    is ``factor × (fixed + the firm's record bound)``."""
    for negative, firm in ranked:
        # -(fixed + bound) exactly: IEEE negation is exact and addition symmetric.
        yield factor * (negative - fixed), firm, product


def _ranked(best: dict[str, Target], top: int) -> list[Target]:
    return sorted(best.values(), key=target_order)[:top]


def product_weights(
    report: GapReport,
    candidates: Mapping[str, Mapping[str, tuple[Any, ...]]],
    config: AnalysisConfig,
) -> dict[str, float]:
    """Each product of the report's gap segments -> the best priority weight among them."""
    weights: dict[str, float] = {}
    for gap in report.segments:
        weight = config.priority_weight(gap.priority)
        for product in candidates.get(gap.segment, {}):
            weights[product] = max(weight, weights.get(product, 0.0))
    return weights


def revenue_shares(store: GraphStore, company: str) -> dict[str, float]:
    """A firm's revenue share per product it makes (``revenue_share`` of its ``MAKES``
    facts, the largest where several), for the products that have one
    (:meth:`GraphStore.revenue_shares <chaingraph.store.base.GraphStore.revenue_shares>`)."""
    return store.revenue_shares([company]).get(company, {})


def served_weights(report: GapReport, config: AnalysisConfig) -> dict[str, float]:
    """Each product of the base's focus segments -> the weight of its best focus priority."""
    return {p: config.priority_weight(priority) for p, priority in report.focus_products}


def local_users_and_names(
    store: GraphStore, area: str, products: Iterable[str]
) -> tuple[dict[str, tuple[tuple[str, tuple[str, ...]], ...]], dict[str, str]]:
    """Local users of each product (see ``GraphStore.local_users``) and the names of
    the products and of the firms a target's supply lines may show."""
    users = store.local_users(sorted(set(products)), area)
    ids = set(users)
    for pairs in users.values():
        for user, local in pairs:
            ids.add(user)
            # only the firms a target's lines can show: a city's product goes into
            # 10^4 local firms, whose names no answer prints
            ids.update(shown_firms(local))
    return users, names_of(store, ids)


def _passes(profile: CompanyProfile, wanted: TargetFilter) -> bool:
    tags, include, exclude, min_revenue = (
        wanted.tags,
        wanted.include,
        wanted.exclude,
        wanted.min_revenue,
    )
    if tags and not set(tags) & set(profile.tags):
        return False
    if include and not set(include) & profile.places:
        return False
    if exclude and set(exclude) & profile.places:
        return False
    return not (min_revenue is not None and (profile.revenue_cny_100m or 0) < min_revenue)


def place_id(store: GraphStore, name: str) -> str:
    node = store.get(name)
    if node is not None and node.type in ("Region", "Base"):
        return node.id
    return store.require(name, "Region").id
