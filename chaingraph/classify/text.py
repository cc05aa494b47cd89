"""Read a firm's text (revenue lines, products, business scope, name) into hits.

Terms are found with an Aho-Corasick automaton (the gazetteer of
:mod:`chaingraph.classify.knowledge`), longest first and without overlaps, so a
longer term (电池检测设备, 医药商业) hides the shorter ones inside it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from chaingraph.classify.knowledge import Entry, Knowledge, Target
from chaingraph.names import normalize_text

__all__ = [
    "Hit",
    "find_terms",
    "no_evidence_line",
    "pesticide_firm",
    "scope_items",
    "text_hits",
    "trade_firm",
]

_SCOPE_SPLIT = re.compile(r"[、；;，,。\n]+")
_TRAILING = " -_.()0123456789%"
_MEMO_SIZE = 50_000  # distinct texts remembered per run (memory stays flat: cleared when full)


@dataclass(frozen=True)
class Hit:
    """A target found in one piece of text, with the evidence it gives."""

    target: Target
    term: str
    evidence: str  # strong | medium | weak
    confidence: float
    source_text: str
    share: float | None = None
    generic: bool = False  # a generic word (装备, 通信): counts only beside a specific one


def find_terms(knowledge: Knowledge, text: str) -> list[Entry]:
    """Terms in ``text``, longest first, without overlaps (exclusions included).

    Examples
    --------
    >>> from chaingraph.dataset import open_default_store
    >>> from chaingraph.classify.knowledge import load_knowledge
    >>> k = load_knowledge(open_default_store())
    >>> [e.term for e in find_terms(k, "锂电池、电池检测设备及电池级碳酸锂")]
    ['锂电池', '电池检测设备', '电池级', '碳酸锂']
    """
    lowered = normalize_text(text).lower()
    if not lowered:
        return []
    return [entry for _, _, entry in _term_spans(knowledge, lowered)]


def _ascii_letter(ch: str) -> bool:
    return "a" <= ch <= "z"


def _term_spans(knowledge: Knowledge, lowered: str) -> list[tuple[int, int, Entry]]:
    """(start, end, entry) of the terms in lowered, normalised text, left to right.

    An ASCII term (CMO, LED, PCB) matches whole words only: CMO is not in CMOS. A term
    right after 非 is negated (非药品, 非安防类) and does not count.
    """
    spans: list[tuple[int, int, Entry]] = []
    last = len(lowered) - 1
    for end, entry in knowledge.automaton.iter(lowered):
        start = end - len(entry.term) + 1
        if (start > 0 and _ascii_letter(lowered[start - 1]) and _ascii_letter(lowered[start])) or (
            end < last and _ascii_letter(lowered[end + 1]) and _ascii_letter(lowered[end])
        ):
            continue
        if start > 0 and lowered[start - 1] == "非":
            continue
        spans.append((start, end + 1, entry))
    if not spans:
        return []
    # Longest first: a longer term hides every shorter one it overlaps.
    spans.sort(key=lambda s: (s[0] - s[1], s[0]))
    taken = bytearray(len(lowered))
    chosen: list[tuple[int, int, Entry]] = []
    for start, end, entry in spans:
        if any(taken[start:end]):
            continue
        taken[start:end] = b"\x01" * (end - start)
        chosen.append((start, end, entry))
    chosen.sort(key=lambda c: c[0])
    return chosen


def scope_items(knowledge: Knowledge, scope: str) -> list[str]:
    """The items of a 经营范围 that can count: before the licensed-project markers,
    without boilerplate items (技术开发、货物进出口 …)."""
    text = normalize_text(scope)
    for marker in knowledge.stop_markers:
        at = text.find(marker)
        if at > 0:
            text = text[:at]
    pattern = _boilerplate_pattern(knowledge.boilerplate)
    boiler = knowledge.boiler_memo
    if len(boiler) >= _MEMO_SIZE:
        boiler.clear()
    kept = []
    for raw in _SCOPE_SPLIT.split(text):
        item = raw.strip()
        if not item:
            continue
        skip = boiler.get(item)
        if skip is None:
            skip = boiler[item] = pattern.search(item) is not None
        if not skip:
            kept.append(item)
    return kept


@functools.lru_cache(maxsize=8)
def _boilerplate_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(
        "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) or "(?!)"
    )


def text_hits(
    knowledge: Knowledge,
    text: str,
    evidence: str,
    confidence: float,
    share: float | None = None,
    revenue: bool = False,
) -> list[Hit]:
    """Every target ``text`` names, as hits of the given evidence level.

    Registries repeat their wording (经营范围 items, product names, revenue lines), so a
    run reads each distinct text once: the answer is remembered on ``knowledge``. The
    returned list is shared; do not change it.
    """
    key = (text, evidence, confidence, share, revenue)
    memo = knowledge.memo
    found = memo.get(key)
    if found is None:
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        found = memo[key] = _text_hits(knowledge, text, evidence, confidence, share, revenue)
    return found


def _text_hits(
    knowledge: Knowledge,
    text: str,
    evidence: str,
    confidence: float,
    share: float | None,
    revenue: bool,
) -> list[Hit]:
    lowered = normalize_text(text).lower()
    spans = _term_spans(knowledge, lowered) if lowered else []
    hits: list[Hit] = []
    for _, _, entry in spans:
        if entry.target is None or (entry.only == "revenue" and not revenue):
            continue
        hits.append(Hit(entry.target, entry.term, evidence, confidence, text, share, entry.generic))
    if not hits:
        return hits
    if not revenue and not any(
        h.target.chain in knowledge.service_chains or h.target.chain == knowledge.tool_chain
        for h in hits
    ):
        return hits  # a scope item naming no manufacturing chain: nothing below applies
    head = _head_end(knowledge, lowered)
    covered = any(end == head for _, end, _ in spans)
    if (
        knowledge.service_end_words
        and not covered
        and lowered[:head].endswith(knowledge.service_end_words)
    ):
        # 通信监理, 通信管线工程, 物联网技术服务: a service, not a product of the chain
        hits = [
            h
            for h in hits
            if h.target.chain not in knowledge.service_chains
            or h.target.id in knowledge.service_keep
        ]
        if not hits:
            return hits
    if revenue:
        if all(h.term in knowledge.broad_sales_terms for h in hits) and any(
            w in lowered for w in knowledge.broad_sales_words
        ):
            # 医药销售, 通信销售: a broad word and a sale is trade (中成药销售 is not)
            return []
        if not covered and lowered[:head].endswith(knowledge.tool_end_words):
            # 光伏硅片检测分选设备: a machine for the material, not the material
            return [h for h in hits if h.target.chain == knowledge.tool_chain]
        named = any(end == head and e.target is not None for _, end, e in spans)
        for end_words, chains in knowledge.made_of:
            if not named and lowered[:head].endswith(end_words):
                # 高分子材料输送带 is a belt, LED太阳能草坪灯 a lamp: not the material or device
                hits = [h for h in hits if h.target.chain not in chains]
        if not hits:
            return hits
        if knowledge.head_decides and covered:
            last = next(e for _, end, e in spans if end == head)
            if last.target is not None and not last.generic:
                # 通用LED照明驱动芯片 is a chip: the words before the head are its market
                hits = [h for h in hits if h.target.chain == last.target.chain]
    tool = knowledge.tool_chain
    if (
        tool
        and any(h.target.chain == tool for h in hits)
        and any(w in text for w in knowledge.tool_words)
    ):
        # 锂电设备, 光伏组件生产线, 摄像头模组生产设备: the firm makes the equipment
        hits = [h for h in hits if h.target.chain == tool]
    return hits


def _head_end(knowledge: Knowledge, lowered: str) -> int:
    """Where a line's head word ends: without trailing digits and the 销售/类/系列/业务
    words (``end_suffixes``), so 通信设备销售 ends after 设备."""
    text = lowered.rstrip(_TRAILING)
    stripped = True
    while stripped:
        stripped = False
        for suffix in knowledge.tool_end_suffixes:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)].rstrip(_TRAILING)
                stripped = True
    return len(text)


def no_evidence_line(knowledge: Knowledge, label: str) -> bool:
    """Whether a revenue line is trade, rent, advertising or a remainder (其他业务):
    it says nothing about what the firm makes.

    Examples
    --------
    >>> from chaingraph.dataset import open_default_store
    >>> from chaingraph.classify.knowledge import load_knowledge
    >>> k = load_knowledge(open_default_store())
    >>> no_evidence_line(k, "医疗器械贸易"), no_evidence_line(k, "其他业务"), no_evidence_line(k, "锂电池")
    (True, True, False)

    A trade word inside a term of its own (互联网广告 is a digital service) does not count:

    >>> no_evidence_line(k, "户外广告"), no_evidence_line(k, "互联网广告服务")
    (True, False)
    """
    text = normalize_text(label).strip()
    if text.startswith(knowledge.no_evidence_starts):
        return True
    found = [t for t in knowledge.no_evidence_contains if t in text]
    if not found:
        return False
    lowered = text.lower()
    inside = [(a, b) for a, b, e in _term_spans(knowledge, lowered) if e.target is not None]
    for word in found:
        at = lowered.find(word)
        while at >= 0:
            if not any(a <= at and at + len(word) <= b for a, b in inside):
                return True
            at = lowered.find(word, at + 1)
    return False


def trade_firm(knowledge: Knowledge, lines: list[tuple[str, float | None]]) -> bool:
    """Whether a firm's revenue lines make it a distributor: a wholesale, retail or trade
    line (批发, 零售, 贸易 …) of at least ``trade_firms.share`` of its revenue.

    Examples
    --------
    >>> from chaingraph.dataset import open_default_store
    >>> from chaingraph.classify.knowledge import load_knowledge
    >>> k = load_knowledge(open_default_store())
    >>> trade_firm(k, [("药品", 0.96), ("批发", 0.93)]), trade_firm(k, [("药品", 0.9), ("零售", 0.07)])
    (True, False)
    """
    return any(
        share is not None
        and share >= knowledge.trade_share
        and any(w in label for w in knowledge.trade_words)
        for label, share in lines
    )


def pesticide_firm(knowledge: Knowledge, lines: list[tuple[str, float | None]]) -> bool:
    """Whether a firm's revenue lines name pesticides (原药, 农药, 除草剂 …,
    ``pesticide_firms.words``): its 制剂 lines are then pesticide formulations.

    Examples
    --------
    >>> from chaingraph.dataset import open_default_store
    >>> from chaingraph.classify.knowledge import load_knowledge
    >>> k = load_knowledge(open_default_store())
    >>> pesticide_firm(k, [("中间体", 0.45), ("原药", 0.3), ("制剂", 0.21)])
    True
    >>> pesticide_firm(k, [("片剂", 0.6), ("制剂", 0.4)]), pesticide_firm(k, [("中药原药材", 0.2)])
    (False, False)
    """
    if not (knowledge.context_words and lines):
        return False
    text = normalize_text("\n".join(label for label, _ in lines))
    for word in knowledge.context_unless:
        text = text.replace(word, "")
    return any(w in text for w in knowledge.context_words)
