"""What firms' own records say of them, in bulk (the contract's ``record_basics`` read).

Target scores read four fields of a firm's record (tags, global rank, revenue,
listing board: :func:`basics_of`); ranking 10^5 makers by them once meant a
:class:`~chaingraph.model.Node` and a Python call per firm. Most firms share their
basics with many others, so :meth:`GraphStore.record_basics
<chaingraph.store.base.GraphStore.record_basics>` answers with the distinct basics and
which of them each firm has: a caller computes once per kind what it derives from them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from chaingraph.model import Node, Relationship

__all__ = [
    "FirmBasics",
    "Headquarters",
    "RecordBasics",
    "basics_of",
    "record_basics_by_nodes",
    "revenue_shares_by_facts",
    "shares_of",
]

FirmBasics = tuple[tuple[str, ...], object, float | None, str | None]


def basics_of(props: Mapping[str, Any]) -> FirmBasics:
    """What a firm's own record says of it: tags, global rank, revenue (亿元), listing board.

    Examples
    --------
    >>> basics_of({"tags": ["专精特新"], "revenue_cny_100m": 3.2, "listing": {"board": "创业板"}})
    (('专精特新',), None, 3.2, '创业板')
    >>> basics_of({"tags": "龙头企业", "global_rank": {"rank": "12"}})
    ((), '12', None, None)
    """
    tags = props.get("tags")
    ranked = props.get("global_rank")
    listing = props.get("listing")
    return (
        # tags of another shape (a bare string) are no tags, as LeaderRule reads them;
        # the rank is returned as stored (record_parts reads a non-integer as no rank)
        tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list | tuple) else (),
        ranked.get("rank") if isinstance(ranked, dict) else None,
        props.get("revenue_cny_100m"),
        listing.get("board") if listing else None,
    )


@dataclass(frozen=True)
class RecordBasics:
    """The distinct :func:`basics_of` among some firms (``kinds``, maybe more) and, for
    each firm in the order asked, the index of its own in ``kinds`` (-1: no such node)."""

    kinds: tuple[FirmBasics, ...]
    kind_of: Sequence[int] | npt.NDArray[np.integer[Any]]


@dataclass(frozen=True)
class Headquarters:
    """Each firm's headquarters site (the ``LOCATED_IN`` target with key ``总部``, the
    smallest id when several), for firms in the order asked: ``site_of`` indexes
    ``sites``, -1 for a firm with none (or no such node)."""

    sites: tuple[str, ...]
    site_of: Sequence[int] | npt.NDArray[np.integer[Any]]


class KindTable:
    """Numbers distinct basics as they come (basics that cannot be a dict key each
    get a number of their own)."""

    def __init__(self) -> None:
        self._index: dict[FirmBasics, int] = {}
        self.kinds: list[FirmBasics] = []

    def number(self, basics: FirmBasics) -> int:
        try:
            found = self._index.setdefault(basics, len(self.kinds))
        except TypeError:  # a list or object inside: not hashable
            found = len(self.kinds)
        if found == len(self.kinds):
            self.kinds.append(basics)
        return found


class NodeReads(Protocol):
    """The store reads :func:`record_basics_by_nodes` and :func:`revenue_shares_by_facts`
    need (a :class:`~chaingraph.store.base.GraphStore` has them; the contract imports
    this module, so it is not named here)."""

    def get_many(self, node_ids: Iterable[str]) -> dict[str, Node]: ...

    def relationships(
        self, type: str | None = None, *, source: str | None = None, target: str | None = None
    ) -> Iterator[Relationship]: ...


def record_basics_by_nodes(store: NodeReads, company_ids: Iterable[str]) -> RecordBasics:
    """The reference answer of ``record_basics``: each node read on its own.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> found = record_basics_by_nodes(tiny_store(), ["co:dg-robot", "co:none"])
    >>> found.kind_of[1], len(found.kinds)
    (-1, 1)
    """
    ids = list(company_ids)
    nodes = store.get_many(ids)
    table = KindTable()
    kind_of = []
    for company in ids:
        node = nodes.get(company)
        kind_of.append(-1 if node is None else table.number(basics_of(node.props)))
    return RecordBasics(tuple(table.kinds), kind_of)


def shares_of(facts: Iterable[tuple[str, object]]) -> dict[str, float]:
    """Revenue share per product from ``(product, revenue_share)`` of a firm's ``MAKES``
    facts: numbers from 0 to 1 only (no bool), the largest where several.

    >>> shares_of([("p:a", 0.2), ("p:a", 0.5), ("p:b", True), ("p:c", 1.5), ("p:d", None)])
    {'p:a': 0.5}
    """
    shares: dict[str, float] = {}
    for product, share in facts:
        if isinstance(share, int | float) and not isinstance(share, bool) and 0 <= share <= 1:
            shares[product] = max(float(share), shares.get(product, 0.0))
    return shares


def revenue_shares_by_facts(
    store: NodeReads, company_ids: Iterable[str]
) -> dict[str, dict[str, float]]:
    """The reference answer of ``revenue_shares``: per company id asked, its revenue share
    per product it makes (:func:`shares_of` its ``MAKES`` facts; ``{}`` for a firm with
    none or an id that is no node), each firm's facts read on its own."""
    return {
        company: shares_of(
            (rel.target, rel.props.get("revenue_share"))
            for rel in store.relationships("MAKES", source=company)
        )
        for company in dict.fromkeys(company_ids)
    }
