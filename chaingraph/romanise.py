"""Find bases and regions by pinyin or an English word: ``yinping``, ``Songshanhu``, ``xiegang``.

Used by :func:`chaingraph.lookup.resolve` only after the names, aliases and short forms
found nothing, so ordinary look-ups never load the pinyin dictionary. A node's keys are
the pinyin of its name and aliases (``pypinyin``; with and without an administrative
suffix such as 市/镇/街道/产业基地) and the words of its id (``base:yinping-high-end-equipment``
gives ``yinping``, ``high``, ``equipment`` and ``yinpinghighendequipment``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from chaingraph.names import normalize_text
from chaingraph.store.base import GraphStore

__all__ = ["ROMANISED_TYPES", "romanise", "romanised_ids"]

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


def romanised_ids(store: GraphStore, text: str, type: str | None = None) -> list[str]:
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
