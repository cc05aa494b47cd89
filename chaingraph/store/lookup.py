"""Find nodes by id, name, alias, pinyin or an English word; suggest near names otherwise.

The store contract (:meth:`GraphStore.require <chaingraph.store.base.GraphStore.require>`,
:meth:`~chaingraph.store.base.GraphStore.search_names`) answers through these functions.
They read a store only through :class:`NameReads` (``get``, ``ids_by_name``, ``names``),
so this module sits under the contract and imports nothing of it.

Pinyin and English words (``yinping``, ``Songshanhu``, ``xiegang``) are tried only after
names, aliases and short forms found nothing, so ordinary look-ups never load the pinyin
dictionary. A base's or region's keys are the pinyin of its name and aliases (``pypinyin``;
with and without an administrative suffix such as 市/镇/街道/产业基地) and the words of
its id (``base:yinping-high-end-equipment`` gives ``yinping``, ``high``, ``equipment`` and
``yinpinghighendequipment``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from rapidfuzz import fuzz, process

from chaingraph.errors import Ambiguous, NotFound
from chaingraph.model import Node
from chaingraph.names import normalize_text

__all__ = [
    "ROMANISED_TYPES",
    "NameMatch",
    "NameReads",
    "resolve",
    "romanise",
    "romanised_ids",
    "search_names",
]


@dataclass(frozen=True)
class NameMatch:
    """A node found by name, with how well it matched (100 = exact name or alias)."""

    id: str
    type: str
    name: str
    score: float
    matched: str


class NameReads(Protocol):
    """The reads name lookup needs; every :class:`~chaingraph.store.base.GraphStore` has them."""

    def get(self, node_id: str) -> Node | None: ...

    def ids_by_name(self, name: str, type: str | None = None) -> list[str]: ...

    def names(self, type: str | None = None) -> Iterator[tuple[str, str, str]]: ...


_TYPE_WORDS = {
    "Chain": "chain (产业链)",
    "Segment": "segment (环节)",
    "Product": "product (产品)",
    "Company": "company (企业)",
    "Base": "base (产业基地)",
    "Region": "region (地区)",
    "Platform": "platform (平台)",
}


def search_names(
    store: NameReads, text: str, type: str | None = None, limit: int = 5, cutoff: float = 50
) -> list[NameMatch]:
    """Nodes whose name or alias is near ``text``, best first (one row per node).

    Scores are rapidfuzz WRatio on normalised text; exact matches score 100.
    Ties are broken by id, so the order is stable.
    """
    query = normalize_text(text).lower()
    entries = [(i, t, n) for i, t, n in store.names(type)]
    choices = [normalize_text(n).lower() for _, _, n in entries]
    hits = process.extract(query, choices, scorer=fuzz.WRatio, limit=None, score_cutoff=cutoff)
    best: dict[str, NameMatch] = {}
    for _, score, index in hits:
        node_id, node_type, matched = entries[index]
        if node_id not in best or score > best[node_id].score:
            name = store.get(node_id)
            best[node_id] = NameMatch(
                node_id, node_type, name.name if name else node_id, score, matched
            )
    return sorted(best.values(), key=lambda m: (-m.score, m.id))[:limit]


def resolve(store: NameReads, text: str, type: str | None = None) -> Node:
    """The node ``text`` names: an id, or a name or alias that fits exactly one node.

    Raises
    ------
    NotFound
        Nothing fits, or several nodes share the name; lists near or competing names.

    Examples
    --------
    >>> from chaingraph.store import NetworkxStore
    >>> from chaingraph.model import Node
    >>> store = NetworkxStore()
    >>> _ = store.merge([Node("co:byd", "Company", {"name": "比亚迪", "aliases": ["BYD"]})], [])
    >>> resolve(store, "byd").id
    'co:byd'
    >>> resolve(store, "比亚迪股份")
    Traceback (most recent call last):
    ...
    chaingraph.errors.NotFound: no node named '比亚迪股份'; did you mean: 比亚迪 (co:byd)?
    """
    node = store.get(text.strip())
    if node is not None and (type is None or node.type == type):
        return node
    ids = store.ids_by_name(text, type)
    what = _TYPE_WORDS.get(type or "", "node")
    if len(ids) == 1:
        found = store.get(ids[0])
        assert found is not None
        return found
    if len(ids) > 1:
        found_nodes = [n for n in (store.get(i) for i in sorted(ids)) if n is not None]
        raise Ambiguous(
            what,
            text,
            [f"{n.name} ({n.id}, {n.type})" for n in found_nodes],
            [n.id for n in found_nodes],
        )
    if type is not None and type != "Company":
        # Short forms such as 银瓶 for 银瓶高端装备产业基地: accept when only one name contains it.
        needle = normalize_text(text).lower()
        partial = {
            i for i, _, n in store.names(type) if needle and needle in normalize_text(n).lower()
        }
        if len(partial) == 1:
            found = store.get(partial.pop())
            assert found is not None
            return found
    # Pinyin or an English word for a base or region: yinping, Songshanhu, xiegang.
    romanised = romanised_ids(store, text, type)
    if len(romanised) == 1:
        found = store.get(romanised[0])
        assert found is not None
        return found
    if len(romanised) > 1:
        found_nodes = [n for n in (store.get(i) for i in romanised) if n is not None]
        raise Ambiguous(
            what,
            text,
            [f"{n.name} ({n.id}, {n.type})" for n in found_nodes],
            [n.id for n in found_nodes],
        )
    near = search_names(store, text, type)
    raise NotFound(what, text, [f"{m.name} ({m.id})" for m in near])


ROMANISED_TYPES = ("Base", "Region")
_SUFFIXES = ("产业基地", "基地", "街道", "新区", "片区", "市", "镇", "区", "县", "省")
_NOT_LATIN = re.compile(r"[^a-z0-9]")
_MIN_PREFIX = 4  # "yinp" is a prefix worth trying; "yi" is not


@cache
def romanise(text: str) -> str:
    """Lower-case pinyin of ``text`` without tones or spaces; Latin letters kept, the rest dropped.

    Examples
    --------
    >>> romanise("银瓶高端装备产业基地"), romanise("谢岗镇"), romanise("Song Shan-hu")
    ('yinpinggaoduanzhuangbeichanyejidi', 'xiegangzhen', 'songshanhu')
    """
    from pypinyin import lazy_pinyin

    return _NOT_LATIN.sub("", "".join(lazy_pinyin(normalize_text(text))).lower())


def _keys(node_id: str, names: Iterable[str]) -> set[str]:
    keys: set[str] = set()
    for name in names:
        keys.add(romanise(name))
        for suffix in _SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix):
                keys.add(romanise(name[: -len(suffix)]))
                break
    words = [w for w in re.split(r"[^a-z0-9]+", node_id.partition(":")[2].lower()) if w]
    keys.update(w for w in words if len(w) >= 3)
    keys.add("".join(words))
    keys.discard("")
    return keys


def romanised_ids(store: NameReads, text: str, type: str | None = None) -> list[str]:
    """Ids of the bases/regions whose pinyin or id words fit ``text`` (Latin letters only).

    Exact keys win over prefixes (``dongguan`` is 东莞市, not every 东莞… base);
    ``type`` narrows to Base or Region (None: both). Empty when ``text`` has other
    characters or nothing fits.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> romanised_ids(tiny_store(), "Yinping", "Base")
    ['base:yinping']
    """
    query = _NOT_LATIN.sub("", normalize_text(text).lower())
    if not query or not re.fullmatch(r"[a-z0-9\s'’._-]+", normalize_text(text).lower()):
        return []
    types = [type] if type in ROMANISED_TYPES else list(ROMANISED_TYPES) if type is None else []
    names: dict[str, set[str]] = {}
    for wanted in types:
        for node_id, _, name in store.names(wanted):
            names.setdefault(node_id, set()).add(name)
    keys = {node_id: _keys(node_id, found) for node_id, found in names.items()}
    exact = sorted(i for i, k in keys.items() if query in k)
    if exact or len(query) < _MIN_PREFIX:
        return exact
    return sorted(i for i, k in keys.items() if any(key.startswith(query) for key in k))
