"""Firms as numbers: the makers and areas of a store read from a file, as integer arrays.

The reader (:meth:`NetworkxStore._load_rows
<chaingraph.store.networkx.NetworkxStore._load_rows>`) numbers every node by its row and
notes the sources of ``MAKES`` and ``LOCATED_IN`` relationships by target as arrays of
those numbers. From them, a product's makers are a sorted array, an area's firms a mask
over all nodes, and "the makers of a segment with a site in the area" one indexing
operation in numpy, where sets of id strings cost a dict probe per firm (a cache miss
apiece in a heap of millions of objects: seconds at a million firms, issue 22). Id
strings, names and leader flags are looked up only for the firms an answer lists.

The answers are those of :class:`~chaingraph.store.networkx.aggregates.Walker`; the
store drops these columns with its other read notes on every merge.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping
from itertools import chain
from operator import itemgetter
from typing import Any, cast

import numpy as np

from chaingraph.store.base import LeaderRule, fact_rank
from chaingraph.store.records import Headquarters, KindTable, RecordBasics, basics_of

__all__ = ["FirmColumns", "ReadFacts"]

Positions = np.ndarray[Any, np.dtype[np.int32]]
Mask = np.ndarray[Any, np.dtype[np.bool_]]

_EMPTY: Positions = np.zeros(0, dtype=np.int32)


def _numbers() -> array[int]:
    return array("i")


def packed(texts: list[str], sep: str = "\x00") -> list[str]:
    """Equal copies of ``texts`` made one after the other (``texts`` itself if one of
    them holds ``sep``).

    The reader's strings lie scattered over a heap of millions of objects, one cache
    miss apiece when an answer gathers 10^5 of them (and another when the collector
    first looks at the tuple holding them); copies made in one go sit side by side.

    Examples
    --------
    >>> packed(["co:a", "co:b"])
    ['co:a', 'co:b']
    >>> texts = ["x" + chr(0) + "y"]
    >>> packed(texts) is texts
    True
    """
    joined = sep.join(texts)
    if joined.count(sep) != max(len(texts) - 1, 0):
        return texts
    return joined.split(sep) if texts else []


def _positions(numbers: array[int] | None) -> Positions:
    if not numbers:
        return _EMPTY
    return np.frombuffer(numbers, dtype=np.int32)


class ReadFacts:
    """What a store file's reader notes for the first query, row by row, at little cost.

    Gathering these while rows are stored costs a dict lookup or two per row; finding
    them afterwards meant a Python pass over every firm or every ``MAKES`` fact (seconds
    at a million firms, charged to the first analysis).

    - ``fact_props``: per product, the properties of one ``MAKES`` fact into it;
      ``mixed`` the products whose facts do not all rank (:func:`fact_rank`) alike.
    - ``tag_holders``: per tag (text), the numbers of the nodes whose ``tags`` list
      holds it; ``ranks`` the numbers of the nodes whose ``global_rank.rank`` is an
      int, with that rank; ``odd`` the ids of the nodes whose leader fields are of
      another shape (judged one by one by the rule).
    - By node number (the position of its row, see
      :class:`~chaingraph.store.networkx.columns.FirmColumns`): ``ids`` its id,
      ``names`` its ``name`` when it is text (else None; ``nameless`` those numbers),
      ``is_company`` 1 for a company; ``number`` each id's number;
      ``companies_sorted`` whether the company rows came in id order.
    """

    def __init__(self) -> None:
        self.fact_props: dict[str, dict[str, Any]] = {}
        self.mixed: set[str] = set()
        self.tag_holders: dict[str, array[int]] = {}
        self.ranks: dict[int, int] = {}
        self.odd: set[str] = set()
        self.number: dict[str, int] = {}
        self.ids: list[str] = []
        self.names: list[str | None] = []
        self.nameless: list[int] = []
        self.is_company = bytearray()
        self.companies_sorted = True
        # each company's record basics (chaingraph.store.records), by kind; -2: read
        # the node when asked (another type, or fields basics_of does not take)
        self.kinds = KindTable()
        self.kind_of = array("i")
        # headquarters: per place, the numbers of the nodes with a LOCATED_IN 总部 there
        self.hq_sites: defaultdict[str, array[int]] = defaultdict(_numbers)
        # ids and names (nameless: "") as packed copies, made by pack() once all is read
        self.packed_ids: list[str] = self.ids
        self.packed_names: list[str] | None = None

    def pack(self) -> None:
        """Make :attr:`packed_ids` and :attr:`packed_names` (see :func:`packed`)."""
        self.packed_ids = packed(self.ids)
        self.packed_names = packed([n if n is not None else "" for n in self.names])

    def note_company(self, props: dict[str, Any]) -> None:
        """A company row: the kind of its record basics."""
        try:
            self.kind_of.append(self.kinds.number(basics_of(props)))
        except (AttributeError, TypeError):
            self.kind_of.append(-2)

    def note_other_fact(self, product: str, held: dict[str, Any], props: dict[str, Any]) -> None:
        """A ``MAKES`` fact into ``product`` whose properties are not the first one's."""
        if product not in self.mixed and fact_rank(props) != fact_rank(held):
            self.mixed.add(product)

    def note_leader_fields(self, node_id: str, position: int, props: dict[str, Any]) -> None:
        """A node row (number ``position``) with ``tags`` or ``global_rank`` (what
        :class:`LeaderRule` reads)."""
        tags = props.get("tags")
        if isinstance(tags, list | tuple):
            holders = self.tag_holders
            for tag in tags:
                if type(tag) is str:
                    held = holders.get(tag)
                    if held is None:
                        held = holders[tag] = array("i")
                    held.append(position)
        elif tags:
            self.odd.add(node_id)
            return
        ranked = props.get("global_rank")
        if isinstance(ranked, dict):
            rank = ranked.get("rank")
            if isinstance(rank, int):
                self.ranks[position] = rank
        elif ranked:
            self.odd.add(node_id)

    def leaders(self, leader: LeaderRule, size: int) -> Mask:
        """Whether each of ``size`` nodes is a leader by ``leader`` from its tags or rank
        (the nodes in :attr:`odd` are left to the rule), without looking at the others."""
        found = np.zeros(size, dtype=np.bool_)
        for tag in dict.fromkeys(leader.tags):
            found[_positions(self.tag_holders.get(tag))] = True
        ranked = [n for n, rank in self.ranks.items() if leader.rank_holds(rank)]
        found[np.asarray(ranked, dtype=np.int64)] = True
        return found

    def product_rank(self, product: str) -> tuple[bool, int] | None:
        """The rank every ``MAKES`` fact into ``product`` has, None if they differ or
        there is none."""
        props = self.fact_props.get(product)
        if props is None or product in self.mixed:
            return None
        return fact_rank(props)


class FirmColumns:
    """Makers by product and firms by place as node numbers, from what the reader noted.

    ``seeds`` are the reader's sources by relationship type and target (node numbers);
    ``read`` its notes (:class:`ReadFacts`), which hold
    each number's id, name and whether it is a company.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> import tempfile, pathlib
    >>> from chaingraph.store.networkx import NetworkxStore
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     store = NetworkxStore.open(tiny_store().save(pathlib.Path(folder) / "s.json"))
    >>> columns = FirmColumns(store._read_facts, store._seeds)
    >>> makers = columns.makers(["prod:industrial-robot", "prod:servo-motor"])
    >>> columns.ids(makers)
    ('co:dg-robot', 'co:jp-servo')
    >>> columns.ids(columns.within(makers, ["base:yinping", "region:cn-dongguan"]))
    ('co:dg-robot',)
    """

    def __init__(self, read: ReadFacts, seeds: Mapping[str, Mapping[str, array[int]]]) -> None:
        self._read = read
        self._id_list = read.ids
        self._packed_ids = read.packed_ids
        self._size = len(read.ids)
        self._makes = seeds.get("MAKES", {})
        self._located = seeds.get("LOCATED_IN", {})
        self._products: dict[str, Positions] = {}
        self._maker_ids: dict[str, tuple[str, ...]] = {}
        self._areas: dict[frozenset[str], Mask] = {}
        self._leaders: dict[LeaderRule, Mask] = {}
        company = np.frombuffer(read.is_company, dtype=np.bool_)
        every = [_positions(a) for a in self._makes.values()]
        self._makers: Mask = np.zeros(self._size, dtype=np.bool_)
        if every:
            self._makers[np.concatenate(every)] = True
        self._company_makers: Mask = self._makers & company
        # one tuple, handed out each time (a caller may keep what it derives by it)
        self._kinds: tuple[Any, ...] = tuple(read.kinds.kinds)
        self._nameless: Mask = np.zeros(self._size, dtype=np.bool_)
        self._nameless[np.asarray(read.nameless, dtype=np.int64)] = True
        # Node numbers follow the file's rows: in id order for the makers when the
        # company rows come sorted (as saved files and generated ones do) and only
        # companies make things; otherwise answers are put in id order by rank.
        self._rank: Positions | None = None
        self._hq: tuple[tuple[str, ...], Positions] | None = None
        self._in_order = read.companies_sorted and not (self._makers & ~company).any()

    def _ordered(self, found: Positions) -> Positions:
        """``found`` (sorted numbers, once each) in the order of their ids."""
        if self._in_order or len(found) < 2:
            return found
        if self._rank is None:
            ids = self._id_list
            order = np.array(sorted(range(self._size), key=ids.__getitem__), dtype=np.int32)
            self._rank = np.empty(self._size, dtype=np.int32)
            self._rank[order] = np.arange(self._size, dtype=np.int32)
        return found[np.argsort(self._rank[found], kind="stable")]

    def product_makers(self, product: str) -> Positions:
        """The makers of one product, once each, in number order."""
        found = self._products.get(product)
        if found is None:
            found = _positions(self._makes.get(product))
            if len(found) > 1 and not bool(np.all(found[1:] > found[:-1])):
                found = np.sort(found, kind="stable")
                found = found[np.concatenate(([True], found[1:] != found[:-1]))]
            self._products[product] = found
        return found

    def makers(self, products: Iterable[str]) -> Positions:
        """The makers of any of ``products``, once each, in the order of their ids."""
        parts = [self.product_makers(p) for p in products]
        if not parts:
            return _EMPTY
        found = parts[0]
        if len(parts) > 1:
            # sorted runs one after the other: a stable sort merges them
            joined = np.sort(np.concatenate(parts), kind="stable")
            # no maker of any of them: the mask below would have one entry too many
            found = (
                joined[np.concatenate(([True], joined[1:] != joined[:-1]))]
                if joined.size
                else joined
            )
        return self._ordered(found)

    def maker_ids(self, product: str) -> tuple[str, ...]:
        """The ids of :meth:`makers` of one product (one tuple per product, kept)."""
        found = self._maker_ids.get(product)
        if found is None:
            found = self._maker_ids[product] = self.ids(self.makers((product,)))
        return found

    def outside_ids(self, product: str, places: Iterable[str]) -> tuple[tuple[str, ...], Positions]:
        """The makers of ``product`` with no site at any of ``places``: their ids (in id
        order) and numbers; cut out of :meth:`maker_ids` (the same tuple when none of
        them is inside)."""
        firms = self.makers((product,))
        inside = self.area(places)[firms]
        if not inside.any():
            return self.maker_ids(product), firms
        every = self.maker_ids(product)
        # runs of makers outside, between the ones inside: slices of the kept tuple
        kept = np.flatnonzero(~inside)
        if len(kept) == 0:
            return (), firms[kept]
        breaks = np.flatnonzero(np.diff(kept) != 1) + 1
        starts = kept[np.concatenate(([0], breaks))].tolist()
        ends = (kept[np.concatenate((breaks - 1, [len(kept) - 1]))] + 1).tolist()
        if len(starts) == 1:
            return every[starts[0] : ends[0]], firms[kept]
        found = tuple(chain.from_iterable(map(every.__getitem__, map(slice, starts, ends))))
        return found, firms[kept]

    def area(self, places: Iterable[str]) -> Mask:
        """Whether each node has a ``LOCATED_IN`` site at one of ``places``."""
        key = places if isinstance(places, frozenset) else frozenset(places)
        found = self._areas.get(key)
        if found is None:
            found = np.zeros(self._size, dtype=np.bool_)
            for place in key:
                found[_positions(self._located.get(place))] = True
            self._areas[key] = found
        return found

    def within(self, firms: Positions, places: Iterable[str]) -> Positions:
        """Those of ``firms`` with a site at one of ``places``, in their order."""
        return firms[self.area(places)[firms]]

    def outside(self, firms: Positions, places: Iterable[str]) -> Positions:
        """Those of ``firms`` with no site at any of ``places``, in their order."""
        return firms[~self.area(places)[firms]]

    def count_within(self, firms: Positions, places: Iterable[str]) -> int:
        """How many of ``firms`` have a site at one of ``places``."""
        return int(np.count_nonzero(self.area(places)[firms]))

    def economy(self, places: Iterable[str] | None) -> int:
        """How many companies make a product (with a site at one of ``places``, if given)."""
        if places is None:
            return int(np.count_nonzero(self._company_makers))
        return int(np.count_nonzero(self._company_makers & self.area(places)))

    def ids(self, firms: Positions) -> tuple[str, ...]:
        """The ids of ``firms``, in their order."""
        return _gather(self._packed_ids, firms)

    def names(self, firms: Positions) -> tuple[str, ...] | None:
        """The names the reader noted for ``firms``, None if one of them has none in text."""
        if self._nameless[firms].any():
            return None
        names = self._read.packed_names
        if names is None:
            names = cast(list[str], self._read.names)
        return _gather(names, firms)

    def leaders(self, firms: Positions, leader: LeaderRule, node: Mapping[str, Any]) -> Positions:
        """Those of ``firms`` that are leaders by ``leader``, in their order."""
        found = self._leaders.get(leader)
        if found is None:
            read = self._read
            found = read.leaders(leader, self._size)
            number = read.number
            # leader fields of another shape: the rule judges each one
            for firm in read.odd:
                found[number[firm]] = leader.holds(node[firm]["p"])
            self._leaders[leader] = found
        return firms[found[firms]]

    def headquarters(self, firms: Positions) -> Headquarters:
        """The headquarters site of ``firms`` (node numbers, -1 for no node): the
        smallest site id among a firm's ``LOCATED_IN`` 总部 targets."""
        if self._hq is None:
            sites = tuple(sorted(self._read.hq_sites))
            site_of = np.full(self._size + 1, -1, dtype=np.int32)  # the last: no node
            # largest id first, so that each firm ends with its smallest
            for at in range(len(sites) - 1, -1, -1):
                site_of[_positions(self._read.hq_sites[sites[at]])] = at
            self._hq = (sites, site_of)
        sites, site_of = self._hq
        return Headquarters(sites, site_of[np.where(firms >= 0, firms, self._size)])

    def basics(self, firms: Positions, node: Mapping[str, Any]) -> RecordBasics:
        """The record basics of ``firms`` (node numbers, -1 for no node), by kind."""
        read = self._read
        known = firms >= 0
        kind_of = np.full(len(firms), -1, dtype=np.int64)
        kind_of[known] = np.frombuffer(read.kind_of, dtype=np.int32)[firms[known]]
        kinds = self._kinds
        odd = np.flatnonzero(kind_of == -2)
        if len(odd):
            extra = KindTable()
            for at in odd.tolist():
                props = node[self._id_list[firms[at]]]["p"]
                kind_of[at] = len(kinds) + extra.number(basics_of(props))
            kinds += tuple(extra.kinds)
        return RecordBasics(kinds, kind_of)


def _gather(texts: list[str], firms: Positions) -> tuple[str, ...]:
    """``texts`` at ``firms``, as a tuple."""
    if len(firms) > 1:
        return cast(tuple[str, ...], itemgetter(*firms.tolist())(texts))
    return tuple(map(texts.__getitem__, firms.tolist()))
