"""Candidate makers of a gap's products, kept in classes by what bounds their target score.

A target's score parts from the firm's own record (leadership, scale, technology:
:func:`~chaingraph.analysis.target_score.record_parts`) follow from its tags, whether
its global rank is at most 100, its listing board, and its revenue, on which the scale
part rises. So a product's makers fall into a few *classes* (same tags, top rank, board
and whether a revenue is given); inside a class the score bound falls as revenue falls.
Kept sorted by revenue (largest first, then by id) and cut into pages of :data:`PAGE`
makers, a class is read a page at a time, in bound order, whatever the score weights:
the target search reads the first pages of the best classes and stops.

:class:`CandidateReads` is the part of the store contract
(:class:`~chaingraph.store.base.GraphStore`) that hands these out; :func:`arrange`
defines the answer, which both engines give (the Neo4j store keeps it in the database,
:mod:`chaingraph.store.neo4j.candidates`).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from chaingraph.model import Relationship
from chaingraph.store.records import FirmBasics

__all__ = [
    "PAGE",
    "CandidatePage",
    "CandidateReads",
    "MakerClass",
    "arrange",
    "class_key",
    "class_of",
    "pages_asked",
]

PAGE = 64  # makers per page

# a page: (firm id, revenue: 0.0 when none) sorted by revenue, largest first, then by id
CandidatePage = tuple[tuple[str, float], ...]
ClassFields = tuple[tuple[str, ...], bool, "str | None", bool]


@dataclass(frozen=True)
class MakerClass:
    """A product's makers whose records agree on all a target score reads but revenue.

    ``tags`` sorted and distinct; ``top_rank``: a global rank that is an integer at most
    100; ``board``: the listing board; ``revenue``: whether they have a revenue (a value
    that is not 0 or empty); ``count`` makers; ``tops``: per page, the revenue of its
    first maker (the page's largest; 0.0 when none).
    """

    tags: tuple[str, ...]
    top_rank: bool
    board: str | None
    revenue: bool
    count: int
    tops: tuple[float, ...]

    @property
    def key(self) -> str:
        """The class as text (compact JSON of tags, top rank, board, revenue)."""
        return class_key((self.tags, self.top_rank, self.board, self.revenue))

    def basics(self, revenue: float) -> FirmBasics:
        """What :func:`~chaingraph.store.records.basics_of` says of a maker of this class
        with this revenue, as far as the score reads it (a top rank reads as 1)."""
        return (
            self.tags,
            1 if self.top_rank else None,
            revenue if self.revenue else None,
            self.board,
        )


@lru_cache(maxsize=4096)
def class_key(fields: ClassFields) -> str:
    """The :attr:`MakerClass.key` of a class's fields.

    >>> class_key((("专精特新",), False, None, True))
    '[["专精特新"],false,null,true]'
    """
    # kept: the target search asks a class's key for every page it takes (10^4 a call)
    return json.dumps(list(fields), ensure_ascii=False, separators=(",", ":"))


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def class_of(basics: FirmBasics) -> tuple[ClassFields, float]:
    """A maker's class fields and the revenue it is sorted by.

    >>> class_of((("上市", "高新技术企业", "上市"), 12, 3.5, "深交所创业板"))
    ((('上市', '高新技术企业'), True, '深交所创业板', True), 3.5)
    >>> class_of(((), "12", None, None))
    (((), False, None, False), 0.0)
    """
    tags, rank, revenue, board = basics
    top = isinstance(rank, int) and not isinstance(rank, bool) and rank <= 100
    return (tuple(sorted(set(tags))), top, board, bool(revenue)), _number(revenue)


def arrange(
    makers: Iterable[tuple[str, FirmBasics]],
) -> tuple[tuple[MakerClass, ...], dict[str, list[CandidatePage]]]:
    """One product's makers (id, basics) in classes, sorted by key, and each class's
    pages by key: the answer of :meth:`CandidateReads.candidate_classes` and
    :meth:`CandidateReads.candidate_pages`.

    >>> classes, pages = arrange([("co:b", ((), None, 2.0, None)), ("co:a", ((), None, 5.0, None)),
    ...                           ("co:c", (("专精特新",), None, None, None))])
    >>> [(c.tags, c.count, c.tops) for c in classes]
    [(('专精特新',), 1, (0.0,)), ((), 2, (5.0,))]
    >>> pages[classes[1].key]
    [(('co:a', 5.0), ('co:b', 2.0))]
    """
    grouped: dict[ClassFields, list[tuple[float, str]]] = {}
    for firm, basics in makers:
        fields, revenue = class_of(basics)
        grouped.setdefault(fields, []).append((-revenue, firm))
    classes: list[MakerClass] = []
    pages: dict[str, list[CandidatePage]] = {}
    for fields, held in grouped.items():
        held = sorted(set(held))
        cut = [
            tuple((firm, -negative + 0.0) for negative, firm in held[i : i + PAGE])
            for i in range(0, len(held), PAGE)
        ]
        made = MakerClass(*fields, len(held), tuple(page[0][1] for page in cut))
        classes.append(made)
        pages[made.key] = cut
    classes.sort(key=lambda c: c.key)
    return tuple(classes), pages


class CandidateReads(ABC):
    """The contract's reads for the target search: candidate makers in classes, the
    names of many nodes at once and the product facts of many firms (part of
    ``GraphStore``)."""

    @abstractmethod
    def node_names(self, node_ids: Iterable[str]) -> dict[str, str]:
        """Per id found, in the order asked: the node's name as ``Node.name`` gives it
        (its ``name``, else its id), without reading the rest of the record."""

    @abstractmethod
    def makes_facts(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Relationship]:
        """Per ``(firm, product)`` asked with a ``MAKES`` relationship between them: the
        first such relationship in the order ``relationships("MAKES", source=firm,
        target=product)`` gives them (the fact a target row cites), read for all pairs
        at once."""

    @abstractmethod
    def candidate_classes(
        self, segment_ids: Iterable[str]
    ) -> dict[str, dict[str, tuple[MakerClass, ...]]]:
        """Per segment found: each of its products (the contract's members, as
        ``segment_candidates`` gives them) -> its makers' classes (:func:`arrange`),
        wherever the makers are; a product with no maker has none."""

    @abstractmethod
    def candidate_pages(
        self, wanted: Iterable[tuple[str, str, int]]
    ) -> dict[tuple[str, str, int], CandidatePage]:
        """Per ``(product, class key, page number)`` asked that exists: that page of the
        class's makers (:func:`arrange`)."""


def pages_asked(
    wanted: Iterable[tuple[str, str, int]],
    pages_of: Mapping[str, Mapping[str, list[CandidatePage]]],
) -> dict[tuple[str, str, int], CandidatePage]:
    """The pages asked, from each product's pages by class key (those that exist)."""
    found: dict[tuple[str, str, int], CandidatePage] = {}
    for product, key, number in wanted:
        held = pages_of.get(product, {}).get(key, [])
        if 0 <= number < len(held):
            found[(product, key, number)] = held[number]
    return found
