"""The matching knowledge of ``ontology/matching/`` joined with the store's vocabulary.

Keywords come from every product's and segment's name and Chinese aliases in the
store, plus ``keywords.yaml``; exclusions, boilerplate scope items, GB/T 4754
classes and region aliases are data files too. Nothing about a product lives in code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from chaingraph.errors import ConfigError
from chaingraph.optional import missing

try:
    import ahocorasick
except ImportError as exc:  # the registry extra
    raise missing("ahocorasick") from exc
from chaingraph.names import normalize_text
from chaingraph.resources import data_dir
from chaingraph.store.base import GraphStore

__all__ = ["Entry", "Knowledge", "Target", "load_knowledge"]

_MIN_TERM = 2  # one-character terms (钨, 钴) only from keywords.yaml, never from aliases


@dataclass(frozen=True)
class Target:
    """What a term points to: a product, a segment or a chain, with its chain and segment."""

    id: str
    kind: str  # "product" | "segment" | "chain"
    name: str
    chain: str
    segment: str | None
    product: str | None  # the product a MAKES goes to (a segment may name one)


@dataclass(frozen=True)
class Entry:
    """One term of the automaton; ``target`` is None for an exclusion that only hides."""

    term: str
    target: Target | None
    only: str | None = None  # "revenue": counts in revenue lines and product lists only
    generic: bool = False  # counts only beside a specific term of the same chain


@dataclass
class Knowledge:
    """Everything classify needs to read a row, built once per run."""

    automaton: Any
    targets: dict[str, Target]
    boilerplate: tuple[str, ...]
    core_items: int
    stop_markers: tuple[str, ...]
    gbt: dict[str, Target]
    gbt_names: dict[str, Target]
    towns: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    town_automaton: Any = None
    city_names: dict[str, str] = field(default_factory=dict)  # 东莞市/东莞 -> region id
    region_names: dict[str, str] = field(default_factory=dict)
    # revenue lines that are trade, rent or a remainder, not making (keywords.yaml)
    no_evidence_contains: tuple[str, ...] = ()
    no_evidence_starts: tuple[str, ...] = ()
    # a revenue line naming equipment (设备, 生产线) for another chain's product makes equipment
    tool_words: tuple[str, ...] = ()
    tool_chain: str | None = None
    # a line ending in one of these (before the suffixes) counts for the equipment chain only
    tool_end_words: tuple[str, ...] = ()
    tool_end_suffixes: tuple[str, ...] = ()
    # a line with one of these naming only broad terms (医药, 通信) is trade
    broad_sales_words: tuple[str, ...] = ()
    broad_sales_terms: frozenset[str] = frozenset()
    # a firm with a trade line of at least trade_share sells the goods its broad lines name
    trade_share: float = 1.1
    trade_words: tuple[str, ...] = ()
    trade_terms: frozenset[str] = frozenset()
    # a line ending in a service word (技术服务, 工程, 监理, 运维 …) that no term covers is a
    # service: it makes nothing for these chains (unless its target is kept)
    service_end_words: tuple[str, ...] = ()
    service_chains: frozenset[str] = frozenset()
    service_keep: frozenset[str] = frozenset()
    # a revenue line whose last term reaches its end names that term's chain only
    head_decides: bool = False
    # a line ending in a made thing no term covers (输送带, 蜡烛, 边框) names no material;
    # a line ending in a lamp (草坪灯, 灯具) names no LED device: (end words, chains) pairs
    made_of: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = ()
    # a firm with a line naming one of these words (原药, 农药) is a pesticide maker: its
    # lines naming these terms (制剂) are pesticide formulations, not drugs
    context_words: tuple[str, ...] = ()
    context_unless: tuple[str, ...] = ()  # 原药材 (herbs) is no pesticide word
    context_terms: frozenset[str] = frozenset()
    # what a run has read already (text -> hits, scope item -> boilerplate): see text_hits
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)
    boiler_memo: dict[str, bool] = field(default_factory=dict, repr=False)


def _read(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read matching data ({exc})") from None
    if not isinstance(doc, dict) or doc.get("chaingraph_matching") != 1:
        raise ConfigError(f"{path}: not a matching file (expected 'chaingraph_matching: 1' on top)")
    return doc


def _chain_of(segment: str, parent: Mapping[str, str]) -> str:
    seen = set()
    node = segment
    while node.startswith("seg:") and node not in seen:
        seen.add(node)
        node = parent.get(node, "")
    return node


def load_knowledge(store: GraphStore, folder: Path | None = None) -> Knowledge:
    """Build the keyword automaton and the region gazetteer from ``store`` and the data files.

    Parameters
    ----------
    store
        The store whose products, segments and regions are the vocabulary.
    folder
        The matching files (default: the bundled ``ontology/matching``).

    Returns
    -------
    Knowledge

    Raises
    ------
    ConfigError
        When a matching file is unreadable or names an id the store lacks.

    Examples
    --------
    >>> from chaingraph.dataset import open_default_store
    >>> k = load_knowledge(open_default_store())
    >>> k.targets["prod:harmonic-reducer"].chain
    'chain:equipment'
    """
    folder = folder or data_dir("ontology") / "matching"
    parent: dict[str, str] = {}
    for rel in store.relationships("PART_OF"):
        parent[rel.source] = rel.target
    product_segment: dict[str, str] = {}
    for rel in store.relationships("IN_SEGMENT"):
        product_segment.setdefault(rel.source, rel.target)
    targets: dict[str, Target] = {}
    names: dict[str, list[str]] = {}
    for node in store.nodes("Chain"):
        targets[node.id] = Target(node.id, "chain", node.name, node.id, None, None)
    for node in store.nodes("Segment"):
        chain = _chain_of(node.id, parent)
        targets[node.id] = Target(node.id, "segment", node.name, chain, node.id, None)
        names[node.id] = [node.name, *(node.props.get("aliases") or [])]
    for node in store.nodes("Product"):
        segment = product_segment.get(node.id)
        if segment is None:
            continue
        chain = _chain_of(segment, parent)
        targets[node.id] = Target(node.id, "product", node.name, chain, segment, node.id)
        names[node.id] = [node.name, *(node.props.get("aliases") or [])]

    keywords = _read(folder / "keywords.yaml")
    ignore = {normalize_text(t) for t in keywords.get("ignore") or []}
    terms: dict[str, Entry] = {}

    def target_of(spec: Mapping[str, Any], where: str) -> Target | None:
        target_id = spec.get("target")
        if target_id is None:
            return None
        found = targets.get(str(target_id))
        if found is None:
            raise ConfigError(f"{where}: target {target_id!r} is not a chain, segment or product")
        product = spec.get("product")
        if product is not None:
            made = targets.get(str(product))
            if made is None or made.kind != "product":
                raise ConfigError(f"{where}: product {product!r} is not a product id")
            return Target(found.id, found.kind, found.name, found.chain, found.segment, made.id)
        return found

    # Store vocabulary first; keywords.yaml overrides it term by term.
    for node_id, spellings in names.items():
        for spelling in spellings:
            term = normalize_text(str(spelling))
            if len(term) < _MIN_TERM or (term.isascii() and len(term) < 3) or term in ignore:
                continue
            if not any("\u4e00" <= ch <= "\u9fff" for ch in term) and not term.isupper():
                continue  # English aliases: registry text is Chinese; acronyms (PCB) stay
            known = terms.get(term)
            target = targets[node_id]
            if (
                known is not None
                and known.target is not None
                and known.target.kind == "segment"
                and known.target.product is None
                and target.kind == "product"
                and target.segment == known.target.id
            ):
                # A segment named as one of its own products (智能手机): the term reads as
                # the segment and a load writes MAKES to that product.
                seg = known.target
                terms[term] = Entry(
                    term, Target(seg.id, seg.kind, seg.name, seg.chain, seg.segment, target.id)
                )
                continue
            terms.setdefault(term, Entry(term, target))
    for spec in keywords.get("keywords") or []:
        term = normalize_text(str(spec["term"]))
        terms[term] = Entry(term, target_of(spec, f"keywords.yaml: {term}"), spec.get("only"))
    for spec in keywords.get("exclude") or []:
        term = normalize_text(str(spec["term"]))
        terms[term] = Entry(term, target_of(spec, f"keywords.yaml: exclude {term}"))
    for raw in keywords.get("generic") or []:
        term = normalize_text(str(raw))
        known = terms.get(term)
        if known is None or known.target is None:
            raise ConfigError(
                f"keywords.yaml: generic {term!r} is not a keyword (add it under keywords: first)"
            )
        terms[term] = Entry(term, known.target, known.only, generic=True)
    lines = keywords.get("no_evidence_lines") or {}
    broad = lines.get("broad_sales") or {}
    trade = lines.get("trade_firms") or {}
    tools = keywords.get("equipment_lines") or {}
    service = keywords.get("service_lines") or {}
    made = keywords.get("made_of_lines") or []
    pesticide = keywords.get("pesticide_firms") or {}
    for block in made:
        for target_id in block.get("chains") or []:
            if targets.get(str(target_id)) is None:
                raise ConfigError(
                    f"keywords.yaml: made_of_lines chain {target_id!r} is not a chain id"
                )
    for key in ("chains", "keep"):
        for target_id in service.get(key) or []:
            if targets.get(str(target_id)) is None:
                raise ConfigError(
                    f"keywords.yaml: service_lines {key} {target_id!r} is not a chain, "
                    "segment or product id"
                )
    tool_chain = tools.get("chain")
    if tool_chain is not None and targets.get(str(tool_chain)) is None:
        raise ConfigError(f"keywords.yaml: equipment_lines chain {tool_chain!r} is not a chain id")

    automaton = ahocorasick.Automaton()
    for term, entry in terms.items():
        automaton.add_word(term.lower(), entry)
    automaton.make_automaton()

    scope = _read(folder / "scope.yaml")
    gbt_doc = _read(folder / "gbt4754.yaml")
    gbt: dict[str, Target] = {}
    gbt_names: dict[str, Target] = {}
    for code, spec in (gbt_doc.get("classes") or {}).items():
        found = target_of(spec, f"gbt4754.yaml: {code}")
        if found is not None:
            gbt[str(code)] = found
            gbt_names[normalize_text(str(spec.get("name", "")))] = found

    knowledge = Knowledge(
        automaton,
        targets,
        tuple(normalize_text(t) for t in scope.get("boilerplate") or []),
        int(scope.get("core_items", 4)),
        tuple(normalize_text(t) for t in scope.get("stop_markers") or []),
        gbt,
        gbt_names,
        no_evidence_contains=tuple(normalize_text(t) for t in lines.get("contains") or []),
        no_evidence_starts=tuple(normalize_text(t) for t in lines.get("starts") or []),
        tool_words=tuple(normalize_text(t) for t in tools.get("words") or []),
        tool_chain=tool_chain,
        tool_end_words=tuple(normalize_text(t).lower() for t in tools.get("end_words") or []),
        tool_end_suffixes=tuple(normalize_text(t).lower() for t in tools.get("end_suffixes") or []),
        broad_sales_words=tuple(normalize_text(t) for t in broad.get("words") or []),
        broad_sales_terms=frozenset(normalize_text(t) for t in broad.get("terms") or []),
        trade_share=float(trade.get("share", 1.1)),
        trade_words=tuple(normalize_text(t) for t in trade.get("words") or []),
        trade_terms=frozenset(normalize_text(t).lower() for t in trade.get("terms") or []),
        service_end_words=tuple(normalize_text(t).lower() for t in service.get("end_words") or []),
        service_chains=frozenset(str(t) for t in service.get("chains") or []),
        service_keep=frozenset(str(t) for t in service.get("keep") or []),
        head_decides=bool((keywords.get("line_heads") or {}).get("decide", False)),
        made_of=tuple(
            (
                tuple(normalize_text(t).lower() for t in block.get("end_words") or []),
                frozenset(str(t) for t in block.get("chains") or []),
            )
            for block in made
        ),
        context_words=tuple(normalize_text(t) for t in pesticide.get("words") or []),
        context_unless=tuple(normalize_text(t) for t in pesticide.get("unless") or []),
        context_terms=frozenset(normalize_text(t).lower() for t in pesticide.get("terms") or []),
    )
    _add_regions(knowledge, store, _read(folder / "regions.yaml"))
    return knowledge


def _add_regions(knowledge: Knowledge, store: GraphStore, doc: Mapping[str, Any]) -> None:
    """Towns (镇/街道/园区) by the city they lie in, with every spelling an address uses."""
    extra: dict[str, list[str]] = {
        str(k): [str(a) for a in v] for k, v in (doc.get("aliases") or {}).items()
    }
    parent = {
        r.source: r.target for r in store.relationships("IN") if r.source.startswith("region:")
    }
    automaton = ahocorasick.Automaton()
    for node in store.nodes("Region"):
        level = node.props.get("level")
        spellings = [node.name, *(node.props.get("aliases") or []), *extra.pop(node.id, [])]
        if level in ("city", "province", "country"):
            for spelling in spellings:
                knowledge.region_names[normalize_text(spelling)] = node.id
            if level == "city":
                for spelling in spellings:
                    knowledge.city_names[normalize_text(spelling)] = node.id
            continue
        city = parent.get(node.id)
        if city is None:
            continue
        for spelling in spellings:
            text = normalize_text(spelling)
            if len(text) < 2:
                continue
            # A full name (塘厦镇, 南城街道, 松山湖园区) beats a bare one (塘厦, 南城).
            full = text == node.name or text.endswith(("镇", "街道", "区", "园", "新区"))
            rank = 2 if full else 1
            knowledge.towns.setdefault(text, []).append((city, node.id, node.name))
            automaton.add_word(text, (text, rank))
    if extra:
        raise ConfigError(f"regions.yaml: {', '.join(sorted(extra))} not Region ids of the store")
    automaton.make_automaton()
    knowledge.town_automaton = automaton


def iter_unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
