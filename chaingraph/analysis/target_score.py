"""The score of one firm for one gap: its parts, their weights, the reason and the tie rule.

Each part is 0..1 and set from facts a person can check (the firm's tags, listing,
revenue, INPUT_TO links to local firms, headquarters, the base's focus); the weights
are :attr:`AnalysisConfig.score_weights`. :mod:`~chaingraph.analysis.targets` ranks
firms by this score.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.facts import CompanyProfile, Profiles, segment_direct_makers
from chaingraph.store.base import GraphStore

__all__ = [
    "SUPPLY_LINES_SHOWN",
    "TIE_RULE",
    "RecordParts",
    "ScoreParts",
    "SupplyTies",
    "Target",
    "business_fit",
    "focus_weight",
    "names_of",
    "record_parts",
    "scale_part",
    "score_company",
    "score_target",
    "shown_firms",
    "target_order",
]

_TOP_TECH_TAGS = ("单项冠军", "隐形冠军", "专精特新小巨人")
_TAG_LABELS = {"专精特新小巨人": '专精特新"小巨人"'}
_TIE_PHRASES = {
    "建链": "填补本地空白环节",
    "补链": "补上本地断开的环节",
    "强链": "补强本地薄弱或缺龙头的环节",
    "数据不足": "本地该环节数据不足、待核实",
    "延链": "延伸本地产业链",
}


@dataclass(frozen=True)
class ScoreParts:
    """Each score component, 0..1, before weighting (see :class:`AnalysisConfig`)."""

    severity: float
    leadership: float
    scale: float
    technology: float
    supply_ties: float
    proximity: float
    plan_alignment: float
    confidence: float


@dataclass(frozen=True)
class Target:
    """A firm to attract for one gap, its score (0..100), its parts and a checkable reason."""

    segment: str
    segment_name: str
    status: str
    company: str
    name: str
    city: str
    product: str
    product_name: str
    score: float
    parts: ScoreParts
    tags: tuple[str, ...]
    unverified: bool
    reason: str
    # Facts behind the reason, each checkable in the data:
    # "本地企业: 产品→其产品" (an INPUT_TO link): the firms it already supplies first,
    # then the others by id, at most SUPPLY_LINES_SHOWN (a city's product goes into 10^4
    # local firms: no one reads, or Excel holds, that many in a cell)
    supplies_local: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()  # product fact, tags, listing, revenue with provenance
    sources: tuple[str, ...] = ()  # distinct sources of those facts
    as_of: str = ""  # the firm record's as_of
    facts: int = 0  # how many facts the store holds on the firm
    focus: float = 1.0  # the focus weight the score is multiplied by (see focus_weight)
    supplies_local_count: int = 0  # how many local firms it could supply (all of them)


# At most this many ``supplies_local`` lines per target; ``supplies_local_count`` counts all.
SUPPLY_LINES_SHOWN = 20
# The lines written per product, and the firms whose names are read for them: the lines
# a target shows, and as many again for the firms it may already supply (left out of
# its other lines, shown first).
SUPPLY_LINES_KEPT = 2 * SUPPLY_LINES_SHOWN
# Local firms a product reaches (INPUT_TO) from which its breadth counts in full.
REACH_FULL = 40

TIE_RULE = "同分依次比较: 可配套本地企业数多者优先、数据事实多者优先、企业ID小者优先"


def target_order(t: Target) -> tuple[float, int, int, str]:
    return (-t.score, -t.supplies_local_count, -t.facts, t.company)


def score_company(
    store: GraphStore,
    company: str,
    segment: str,
    status: str,
    priority: int | None,
    config: AnalysisConfig | None = None,
) -> ScoreParts:
    """The score components of one firm for one gap (used by ``plan`` and tests)."""
    config = config or AnalysisConfig()
    profiles = Profiles(store)
    product = next(iter(segment_direct_makers(store, segment)), "")
    return score_target(
        config,
        profiles,
        profiles.get(company),
        segment,
        segment,
        status,
        priority,
        product,
        {},
        names_of(store, [product]),
        set(),
        "",
    ).parts


def score_target(
    config: AnalysisConfig,
    profiles: Profiles,
    profile: CompanyProfile,
    segment: str,
    segment_name: str,
    status: str,
    priority: int | None,
    product: str,
    users: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]],
    names: Mapping[str, str],
    focus_products: set[str],
    area: str,
    fit: Mapping[str, float] | None = None,
    served: Mapping[str, float] | None = None,
    status_weight: float | None = None,
    shares: Mapping[str, float] | None = None,
    ties: SupplyTies | None = None,
    record: tuple[float, float, float] | None = None,
) -> Target:
    """One firm scored for one gap (see :func:`~chaingraph.analysis.targets.targets`).

    ``served`` maps each product of the base's focus segments to its focus priority
    weight: the firm's focus weight is the gap's priority weight, raised to that of the
    focus products its targeted product goes into (``INPUT_TO``) at local firms.
    ``status_weight``: the gap's status severity (``gaps.status_severity``; the
    config's value of ``status`` when None). ``shares``: the firm's revenue share
    (``revenue_share`` of its ``MAKES`` facts) per product, used by plan alignment
    when every product it makes has one. ``ties``: what the supply ties read of each
    product, kept across the firms of one search (:class:`SupplyTies` of ``users``,
    ``names`` and ``served``; a new one when None). ``record``: :func:`record_parts` of
    the firm's record, where the caller has it (computed here when None).
    """
    priority_weight = config.priority_weight(priority)
    leadership, scale, technology = record or record_parts(
        config,
        profile.tags,
        profile.global_rank,
        profile.revenue_cny_100m,
        profile.listing_board,
    )
    if ties is None:
        ties = SupplyTies(users, names, served or {})
    product_name = names.get(product, product)
    into = ties.links(product)
    links = into.links
    already = sorted(c for c in profile.customers if c in links)
    if already:
        supply_ties = 1.0
    elif links:
        supply_ties = 0.4 + 0.3 * _saturating(len(links), 20) + 0.2 * ties.reach(profile.makes)
    else:
        supply_ties = 0.2 * ties.reach(profile.makes)
    alignment = 1.0 if product in focus_products else priority_weight
    if fit is not None and profile.makes:
        # Half the gap's own alignment, half how much of the firm's business the base
        # needs: its products' best priority weights among the gap segments, weighted by
        # the share of its revenue each brings where every share is known (主营构成),
        # else averaged over its products.
        alignment = 0.5 * alignment + 0.5 * business_fit(profile.makes, fit, shares or {})
    facts = profiles.facts(profile.id).facts
    confidence = 0.6 * (1.0 - profile.unverified_share) + 0.4 * _saturating(facts, 20)
    parts = ScoreParts(
        round(
            (config.severity[status] if status_weight is None else status_weight) * priority_weight,
            3,
        ),
        leadership,
        scale,
        technology,
        round(supply_ties, 3),
        config.proximity_scores.get(profile.proximity, 0.0),
        round(alignment, 3),
        round(confidence, 3),
    )
    weights = config.score_weights
    focus, via_focus = ties.focus(product, priority_weight)
    score = round(100 * focus * sum(weights[k] * getattr(parts, k) for k in weights), 2)
    if already:
        # the firms already supplied first, then the others in order, SUPPLY_LINES_SHOWN
        # in all: ``into``'s first lines less the firms already supplied
        first = set(already)
        ordered = already + [c for c in into.ordered[: len(already) + 2] if c not in first]
        shown_already = already[:SUPPLY_LINES_SHOWN]
        shown_names = ties.names_of(shown_already)
        supplies = tuple(
            f"{shown_names[c]}: {product_name}→{names.get(links[c], links[c])}（已有供货记录）"
            for c in shown_already
        )
        room = max(0, SUPPLY_LINES_SHOWN - len(supplies))
        supplies += tuple(
            line for c, line in zip(into.ordered, into.supplies, strict=False) if c not in first
        )[:room]
    else:
        ordered, supplies = list(into.ordered[:2]), into.supplies[:SUPPLY_LINES_SHOWN]
    if supplies:
        shown = "、".join(ties.names_of(ordered[:2]).values()) + (
            f"等{len(into.ordered)}家" if len(into.ordered) > 2 else ""
        )
        via = names.get(links[ordered[0]], links[ordered[0]])
        verb = "已向" if already else "可向"
        tie = f"{verb}本地{shown}供应{product_name}（{product_name}→{via}）"
    else:
        tie = _TIE_PHRASES.get(status, "")
    tag = next(
        (
            t
            for t in (*config.leader_tags, "隐形冠军", "专精特新小巨人", "专精特新", "上市")
            if t in profile.tags
        ),
        None,
    )
    parts_text = [f"{status}·{product_name}：{tie}"]
    if via_focus:
        parts_text.append(f"供本基地重点产品{names.get(via_focus, via_focus)}")
    if tag:
        parts_text.append(_TAG_LABELS.get(tag, tag))
    if profile.city:
        parts_text.append(profile.city)
    unverified = profile.unverified_share > 0.5
    if unverified:
        parts_text.append("部分信息未核实")
    return Target(
        segment,
        segment_name,
        status,
        profile.id,
        profile.name,
        profile.city,
        product,
        product_name,
        score,
        parts,
        profile.tags,
        unverified,
        "；".join(parts_text),
        supplies,
        facts=facts,
        focus=round(focus, 3),
        supplies_local_count=len(links),
    )


@dataclass(frozen=True)
class ProductLinks:
    """The local firms one product goes into (see :meth:`SupplyTies.links`)."""

    links: dict[str, str]  # local firm -> the product of its that this one goes into
    ordered: tuple[str, ...]  # the firms of ``links``, sorted
    # "本地企业: 产品→其产品" for the first SUPPLY_LINES_KEPT of ``ordered``
    supplies: tuple[str, ...]


class SupplyTies:
    """What a target's supply ties and focus weight read of a product: the same for every
    firm making it, so kept per product across the firms one search scores.

    ``users`` and ``names`` are those :func:`score_target` takes (a product's local
    users must be in ``users`` before the product is first asked for), ``served`` the
    base's focus products with their weights. ``names`` needs the products and, of each
    user's local firms, the first ``SUPPLY_LINES_KEPT`` by id (see
    :func:`shown_firms`); ``store`` reads the names of any other firm a line shows.

    Examples
    --------
    >>> users = {"p:gear": (("p:robot", ("co:a", "co:b")),)}
    >>> ties = SupplyTies(users, {"co:a": "甲", "p:gear": "齿轮", "p:robot": "机器人"}, {})
    >>> ties.links("p:gear").supplies
    ('甲: 齿轮→机器人', 'co:b: 齿轮→机器人')
    >>> ties.names_of(["co:a", "co:b"])
    {'co:a': '甲', 'co:b': 'co:b'}
    >>> round(ties.reach(("p:gear", "p:robot")), 3), ties.focus("p:gear", 0.5)
    (0.296, (0.5, ''))
    """

    def __init__(
        self,
        users: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]],
        names: Mapping[str, str],
        served: Mapping[str, float],
        store: GraphStore | None = None,
    ) -> None:
        self.users, self.names, self.served, self.store = users, names, served, store
        self._more_names: dict[str, str] = {}
        self._links: dict[str, ProductLinks] = {}
        self._reach: dict[tuple[str, ...], float] = {}
        self._into: dict[str, frozenset[str] | None] = {}
        self._focus: dict[tuple[str, float], tuple[float, str]] = {}

    def links(self, product: str) -> ProductLinks:
        """Local firms ``product`` goes into (an ``INPUT_TO`` link to a product they make),
        never the product itself or one of the same name (no circular claims)."""
        found = self._links.get(product)
        if found is None:
            names = self.names
            product_name = names.get(product, product)
            # A firm keeps the first user it goes into: the users are taken last to
            # first. Filled in C: a town's users have 10^3 local makers.
            links: dict[str, str] = {}
            # ": 产品→其产品" per user product, joined to each firm's name below
            after: dict[str, str] = {}
            for user, local in reversed(self.users.get(product, ())):
                if user != product and names.get(user, user) != product_name:
                    links.update(dict.fromkeys(local, user))
                    after[user] = f": {product_name}→{names.get(user, user)}"
            ordered = tuple(sorted(links))
            get = names.get
            supplies = tuple([get(c, c) + after[links[c]] for c in ordered[:SUPPLY_LINES_KEPT]])
            found = self._links[product] = ProductLinks(links, ordered, supplies)
        return found

    def names_of(self, ids: Sequence[str]) -> dict[str, str]:
        """The names of ``ids`` (the id where none is known): from ``names``, else read
        from the store once (a firm already supplied need not be among the first ones)."""
        missing = [c for c in ids if c not in self.names and c not in self._more_names]
        if missing and self.store is not None:
            self._more_names.update(self.store.node_names(missing))
        return {c: self.names.get(c) or self._more_names.get(c, c) for c in ids}

    def read_names(self, scored: Iterable[tuple[Iterable[str], str]]) -> None:
        """Read at once the names :func:`score_target` shows of firms a target already
        supplies, for each ``(customers, product)`` about to be scored (a firm's
        customers and the product it is scored for), instead of one read per firm."""
        missing: set[str] = set()
        names, more = self.names, self._more_names
        for customers, product in scored:
            links = self.links(product).links
            # the lines' firms, and the first two the reason names
            already = sorted(c for c in customers if c in links)[: max(SUPPLY_LINES_SHOWN, 2)]
            missing.update(c for c in already if c not in names and c not in more)
        if missing and self.store is not None:
            more.update(self.store.node_names(sorted(missing)))

    def reach(self, makes: tuple[str, ...]) -> float:
        """Breadth, 0..1: how many local firms any of ``makes`` goes into (through
        ``INPUT_TO``), saturating at 40."""
        found = self._reach.get(makes)
        if found is None:
            reached = [self._reached(m) for m in makes]
            # 40 or more through one product: no need to join them (10^3 firms each)
            if any(firms is None for firms in reached):
                count = REACH_FULL
            else:
                sets = [firms for firms in reached if firms is not None]
                most = max(map(len, sets), default=0)
                count = most if most >= REACH_FULL else len(frozenset().union(*sets))
            found = self._reach[makes] = _saturating(count, REACH_FULL)
        return found

    def _reached(self, made: str) -> frozenset[str] | None:
        """The local firms ``made`` goes into, or None when one of its users alone has
        :data:`REACH_FULL` local makers or more (reach is full: a hub city's users have
        10^4 each, and joining them cost a tenth of a second a call)."""
        if made in self._into:
            return self._into[made]
        users = [local for user, local in self.users.get(made, ()) if user != made]
        found = (
            None if any(len(local) >= REACH_FULL for local in users) else frozenset().union(*users)
        )
        self._into[made] = found
        return found

    def focus(self, product: str, gap_weight: float) -> tuple[float, str]:
        """:func:`focus_weight` of a firm targeted for ``product`` in a gap of that weight."""
        key = (product, gap_weight)
        found = self._focus.get(key)
        if found is None:
            users = self.links(product).links.values()
            found = self._focus[key] = focus_weight(gap_weight, users, self.served)
        return found


def focus_weight(
    gap_weight: float, users: Iterable[str], served: Mapping[str, float]
) -> tuple[float, str]:
    """How much the base wants a target: its gap's focus priority weight, or, if higher,
    the weight of a focus product its targeted product goes into at a local firm (a firm
    that feeds the base's first priority serves that priority, 以商招商).

    Returns the weight and the focus product that raised it ("" when none did).

    Examples
    --------
    >>> focus_weight(0.3, ["prod:panel", "prod:robot"], {"prod:panel": 1.0, "prod:robot": 0.3})
    (1.0, 'prod:panel')
    >>> focus_weight(0.5, ["prod:robot"], {"prod:robot": 0.3})
    (0.5, '')
    """
    best, via = gap_weight, ""
    for user in sorted(set(users)):
        weight = served.get(user, 0.0)
        if weight > best:
            best, via = weight, user
    return best, via


def business_fit(
    makes: tuple[str, ...], fit: Mapping[str, float], shares: Mapping[str, float]
) -> float:
    """How much of a firm's business the base needs, 0..1: the gap weight of each
    product it makes (``fit``), weighted by the product's share of its revenue when
    every product has one (the rest of its revenue, in products not recorded, counts
    0), else averaged over its products.

    Examples
    --------
    >>> business_fit(("p:a", "p:b"), {"p:a": 1.0}, {})
    0.5
    >>> business_fit(("p:a", "p:b"), {"p:a": 1.0}, {"p:a": 0.6, "p:b": 0.1})
    0.6

    Shares that add up to more than the whole (one revenue line read as two products)
    are read as parts of the whole, so the fit never exceeds the best product's weight
    (the bound the target search stops on):

    >>> business_fit(("p:a", "p:b"), {"p:a": 0.5, "p:b": 0.5}, {"p:a": 0.8, "p:b": 0.8})
    0.5
    """
    if not makes:
        return 0.0
    if all(p in shares for p in makes):
        whole = max(1.0, sum(shares[p] for p in makes))
        return min(1.0, sum(shares[p] * fit.get(p, 0.0) for p in makes) / whole)
    return sum(fit.get(p, 0.0) for p in makes) / len(makes)


def _saturating(count: int, full: int) -> float:
    """0 for none, rising as log(1 + count), 1 from ``full`` on."""
    return min(1.0, math.log1p(count) / math.log1p(full))


def record_parts(
    config: AnalysisConfig,
    tags: tuple[str, ...],
    global_rank: object,
    revenue: float | None,
    board: str | None,
) -> tuple[float, float, float]:
    """Leadership, scale and technology: the score parts a firm's own record sets.

    Parameters
    ----------
    config
        The leadership scores and the revenue cap.
    tags, global_rank, revenue, board
        The firm's tags, ``global_rank.rank`` (an integer, or None when unknown),
        revenue (亿元) and listing board, as :func:`~chaingraph.analysis.facts.firm_basics`
        reads them.
    Returns
    -------
    tuple of float
        (leadership, scale, technology), each 0..1.

    Notes
    -----
    A stored rank that is not an integer (``"12"``, ``7.5``: a record written past the
    schema) is read as no rank, as :class:`~chaingraph.store.base.LeaderRule` reads it
    for the gap rules, so a target's leadership never disagrees with who leads a
    segment; it is not coerced (``"12"`` might be a list position of another list).

    Examples
    --------
    >>> record_parts(AnalysisConfig(), ("专精特新",), 80, 100.0, None)
    (1.0, 0.427, 0.6)
    >>> record_parts(AnalysisConfig(), (), "12", None, None)
    (0.0, 0.0, 0.0)
    """
    leadership, technology = _tag_parts(config, tags, global_rank, board)
    return leadership, scale_part(config, revenue, board), technology


def scale_part(config: AnalysisConfig, revenue: float | None, board: str | None) -> float:
    """The scale part of :func:`record_parts`: revenue (亿元), log-scaled, else 0.3 for a
    listed firm.

    Examples
    --------
    >>> scale_part(AnalysisConfig(), 100.0, None), scale_part(AnalysisConfig(), None, "创业板")
    (0.427, 0.3)
    """
    if revenue:
        scale = min(
            1.0, math.log10(1 + revenue) / math.log10(1 + config.scale_full_revenue_cny_100m)
        )
    else:
        scale = 0.3 if board else 0.0
    return round(scale, 3)


def _tag_parts(
    config: AnalysisConfig, tags: tuple[str, ...], global_rank: object, board: str | None
) -> tuple[float, float]:
    """Leadership and technology (:func:`record_parts`)."""
    if not isinstance(global_rank, int) or isinstance(global_rank, bool):
        global_rank = None
    leadership = max((config.leadership_scores.get(t, 0.0) for t in tags), default=0.0)
    if global_rank is not None and global_rank <= 100:
        leadership = 1.0
    if set(tags) & set(_TOP_TECH_TAGS):
        technology = 1.0
    elif board and "科创板" in board:
        technology = 0.8
    elif set(tags) & {"高新技术企业", "专精特新"}:
        technology = 0.6
    else:
        technology = 0.0
    return round(leadership, 3), technology


class RecordParts:
    """:func:`record_parts` of many records, each part computed once per distinct value
    of what it reads (leadership and technology per tags, rank and board; scale per
    revenue and board): firms share their tags by the thousand (issue 22).

    Examples
    --------
    >>> parts = RecordParts(AnalysisConfig())
    >>> parts(("专精特新",), 80, 100.0, None) == record_parts(AnalysisConfig(), ("专精特新",), 80, 100.0, None)
    True
    >>> parts((), True, None, None)  # True is no rank (though True == 1)
    (0.0, 0.0, 0.0)
    """

    def __init__(self, config: AnalysisConfig) -> None:
        self.config = config
        self._tags: dict[Any, tuple[float, float]] = {}
        self._scale: dict[Any, float] = {}

    def __call__(
        self, tags: tuple[str, ...], global_rank: object, revenue: float | None, board: str | None
    ) -> tuple[float, float, float]:
        # types in the keys: True == 1 == 1.0, but only an int ranks
        key = (tags, global_rank, type(global_rank), board)
        try:
            held = self._tags.get(key)
            if held is None:
                held = self._tags[key] = _tag_parts(self.config, tags, global_rank, board)
            revenue_key = (revenue, type(revenue), board)
            scale = self._scale.get(revenue_key)
            if scale is None:
                scale = self._scale[revenue_key] = scale_part(self.config, revenue, board)
        except TypeError:  # a part that cannot be a key: computed each time
            return record_parts(self.config, tags, global_rank, revenue, board)
        return held[0], scale, held[1]


def names_of(store: GraphStore, ids: Iterable[str]) -> dict[str, str]:
    return store.node_names(ids)


def shown_firms(local: Sequence[str]) -> Sequence[str]:
    """Of one user product's local makers (sorted, as ``GraphStore.local_users`` gives
    them), those a target's lines may show: the first ``SUPPLY_LINES_KEPT`` (the
    first lines of any union of such lists are among them).

    Examples
    --------
    >>> list(shown_firms(("co:a", "co:b", "co:c")))
    ['co:a', 'co:b', 'co:c']
    """
    return local[:SUPPLY_LINES_KEPT]
