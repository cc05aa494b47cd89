"""Find nodes by id, name or alias, and suggest near names when nothing matches."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from chaingraph.errors import Ambiguous, NotFound
from chaingraph.model import Node
from chaingraph.names import normalize_text

if TYPE_CHECKING:
    from chaingraph.store.base import GraphStore, NameMatch

__all__ = ["resolve", "search_names"]

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
    store: GraphStore, text: str, type: str | None = None, limit: int = 5, cutoff: float = 50
) -> list[NameMatch]:
    """Nodes whose name or alias is near ``text``, best first (one row per node).

    Scores are rapidfuzz WRatio on normalised text; exact matches score 100.
    Ties are broken by id, so the order is stable.
    """
    from chaingraph.store.base import NameMatch

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


def resolve(store: GraphStore, text: str, type: str | None = None) -> Node:
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
    from chaingraph.romanise import romanised_ids

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
