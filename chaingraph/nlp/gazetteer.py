"""The names the extractor knows, taken from the store: chains, segments, products, bases, regions, firms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from chaingraph.names import normalize_text
from chaingraph.nlp.clean import is_cjk
from chaingraph.store.base import GraphStore

__all__ = ["LABELS", "Gazetteer", "Term", "build_gazetteer", "short_cjk"]

# Entity label of each node type: what the text calls it.
LABELS = {
    "Chain": "INDUSTRY",
    "Segment": "INDUSTRY",
    "Product": "INDUSTRY",
    "Base": "BASE",
    "Region": "PLACE",
    "Company": "ORG",
}
# When one phrase names several nodes and none by its own name, the more general wins.
_PRECEDENCE = ("Chain", "Segment", "Product", "Base", "Region", "Company")
_REGION_RANK = {"country": 0, "province": 1, "city": 2, "district": 3, "town": 4, "park": 5}
# An alias that is an everyday word ("平台", "软件") names an industry only by accident.
COMMON_WORD_FREQ = 2000
NAME_CONFIDENCE = 0.95
ALIAS_CONFIDENCE = 0.9


@dataclass(frozen=True)
class Term:
    """A phrase that names a node: its node, and whether it is the node's own name."""

    text: str
    id: str
    type: str
    is_name: bool
    alternatives: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return LABELS[self.type]

    @property
    def confidence(self) -> float:
        return NAME_CONFIDENCE if self.is_name else ALIAS_CONFIDENCE


@dataclass(frozen=True)
class Gazetteer:
    """Every usable name and alias of the store's nodes, and the little structure extraction needs.

    ``terms`` is keyed by :func:`key` of the phrase. ``chain_of`` maps a segment
    or product to its chain; ``region_rank`` orders regions from country (0) to
    park (5), ``region_parent`` walks up.
    """

    terms: Mapping[str, Term]
    names: Mapping[str, str]
    types: Mapping[str, str]
    chain_of: Mapping[str, str] = field(default_factory=dict)
    region_rank: Mapping[str, int] = field(default_factory=dict)
    region_parent: Mapping[str, str] = field(default_factory=dict)

    @staticmethod
    def key(text: str) -> str:
        """How phrases are compared: NFKC, single spaces, lower case.

        >>> Gazetteer.key("ＶＩＶＯ ")
        'vivo'
        """
        return normalize_text(text).lower()

    def lookup(self, text: str, label: str | None = None) -> Term | None:
        """The term ``text`` names (of one entity label when given), or None."""
        term = self.terms.get(self.key(text))
        if term is None or (label is not None and term.label != label):
            return None
        return term

    def chain(self, node_id: str) -> str | None:
        """The chain an industry node belongs to (a chain is its own)."""
        if node_id.startswith("chain:"):
            return node_id
        return self.chain_of.get(node_id)


def _usable(text: str) -> bool:
    """Two characters at least, and not a bare number or code fragment."""
    if len(text) < 2:
        return False
    return any(is_cjk(c) or c.isalpha() for c in text)


def build_gazetteer(store: GraphStore, lexicon: Mapping[str, int] | None = None) -> Gazetteer:
    """Collect the names and aliases of every Chain, Segment, Product, Base, Region and Company.

    ``lexicon`` (word -> frequency, e.g. jieba's dictionary) marks everyday
    words: an industry *alias* that is one (such as "平台") is left out, while a
    node's own name is always kept.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> gaz = build_gazetteer(tiny_store())
    >>> gaz.lookup("谐波减速器").id, gaz.lookup("工业机器人").id
    ('prod:harmonic-reducer', 'chain:robot')
    >>> gaz.lookup("工业机器人").alternatives, gaz.chain("prod:servo-motor")
    (('prod:industrial-robot',), 'chain:robot')
    """
    lexicon = lexicon or {}
    candidates: dict[str, list[tuple[str, str, bool, str]]] = {}
    names: dict[str, str] = {}
    types: dict[str, str] = {}
    for node_type in LABELS:
        for node in store.nodes(node_type):
            names[node.id] = node.name
            types[node.id] = node_type
            own = {Gazetteer.key(node.name)}
            if node_type == "Company" and node.get("legal_name"):
                own.add(Gazetteer.key(node.get("legal_name")))
            phrases = [node.name, node.get("legal_name"), *(node.get("aliases") or [])]
            for phrase in phrases:
                if not isinstance(phrase, str):
                    continue
                text = normalize_text(phrase)
                key = Gazetteer.key(text)
                if not _usable(text):
                    continue
                is_name = key in own
                if (
                    not is_name
                    and LABELS[node_type] == "INDUSTRY"
                    and lexicon.get(text, 0) >= COMMON_WORD_FREQ
                ):
                    continue
                candidates.setdefault(key, []).append((node.id, node_type, is_name, text))
    terms = {key: _choose(found) for key, found in candidates.items()}
    return Gazetteer(
        terms=terms,
        names=names,
        types=types,
        chain_of=_chains(store),
        region_rank={n.id: _REGION_RANK.get(str(n.get("level")), 0) for n in store.nodes("Region")},
        region_parent={
            r.source: r.target for r in store.relationships("IN") if r.source.startswith("region:")
        },
    )


def _choose(found: list[tuple[str, str, bool, str]]) -> Term:
    """One node per phrase: its own name before an alias, then the more general type."""
    unique = list(dict.fromkeys(found))
    ranked = sorted(unique, key=lambda f: (not f[2], _PRECEDENCE.index(f[1]), f[0]))
    node_id, node_type, is_name, text = ranked[0]
    others = tuple(dict.fromkeys(f[0] for f in ranked[1:] if f[0] != node_id))
    return Term(text, node_id, node_type, is_name, others)


def _chains(store: GraphStore) -> dict[str, str]:
    parent: dict[str, str] = {}
    for rel in store.relationships("PART_OF"):
        parent.setdefault(rel.source, rel.target)
    for rel in store.relationships("IN_SEGMENT"):
        parent.setdefault(rel.source, rel.target)
    chains: dict[str, str] = {}
    for node_id in parent:
        seen: list[str] = [node_id]
        while seen[-1] in parent and len(seen) < 20:
            seen.append(parent[seen[-1]])
        if seen[-1].startswith("chain:"):
            chains[node_id] = seen[-1]
    return chains


def short_cjk(text: str, limit: int = 3) -> bool:
    """A Chinese phrase short enough to be part of an everyday word ("强生" in "加强生物")."""
    return len(text) <= limit and all(is_cjk(c) for c in text)
