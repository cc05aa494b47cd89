"""The spaCy pipeline for policy text: blank Chinese, a segmenter, and entity patterns from the store.

Pretrained Chinese models are not used: the pipeline is ``spacy.blank("zh")``
with one of two segmenters, an ``entity_ruler`` whose phrase patterns are the
store's names and aliases (plus token patterns for areas and sums of money), and
a rule component for names the store does not know yet: firms and institutions
(…公司, …集团, …实验室), places (…镇, …片区, …园区) and bases (…产业基地).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from chaingraph.optional import missing

try:
    import jieba
    import spacy
    from spacy.language import Language
    from spacy.tokens import Doc, Span
    from spacy.util import filter_spans, get_words_and_spaces
except ImportError as exc:  # pragma: no cover - only without the [nlp] extra
    raise missing(exc.name if exc.name in ("jieba", "spacy") else "spacy") from exc

from chaingraph.errors import ConfigError
from chaingraph.nlp.gazetteer import Gazetteer, build_gazetteer, short_cjk
from chaingraph.nlp.vocab import (
    AREA_UNITS,
    BASE_SUFFIXES,
    LEAD_INS,
    LOCATION_CUES,
    MONEY_UNITS,
    ORG_SUFFIXES,
    PLACE_SUFFIXES,
)
from chaingraph.store.base import GraphStore

__all__ = ["CONFIDENCE_KEY", "SEGMENTERS", "TextPipeline", "build_pipeline", "lexicon"]

SEGMENTERS = ("char", "jieba")
# doc.user_data key: {(start_char, end_char): confidence} of spans found by rules.
CONFIDENCE_KEY = "chaingraph.confidence"

# Char segmentation: one token per Chinese character or mark, but Latin words and
# numbers stay whole, so "OPPO", "PEMFC" and "1.66" are single tokens.
_CHAR_TOKEN = re.compile(r"[A-Za-z0-9]+(?:\.[0-9]+)?|\s+|.", re.DOTALL)
_NUMBER = r"^[0-9]+(?:\.[0-9]+)?$"
# A word that crosses a short name's edge and is this common is a real word, so the
# name is a coincidence: "强生" in "加强生物", "新产业" in "创新产业".
_BOUNDARY_WORD_FREQ = 50
_NAME_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9()]")
_PLACE_START = re.compile(r"^[\u4e00-\u9fff]{2,4}(?:省|市|县|区|镇)")


def _doc(vocab: Any, pieces: list[str], text: str) -> Doc:
    """A Doc from pieces that spell ``text`` exactly, white space included.

    A single space after a word becomes that word's trailing space, as spaCy
    expects; other white space stays a token. Linear in the text (spaCy's
    ``get_words_and_spaces`` searches the remaining text for every word).
    """
    if "".join(pieces) != text:
        found, gaps = get_words_and_spaces([p for p in pieces if p], text)
        return Doc(vocab, words=found, spaces=gaps)
    words: list[str] = []
    spaces: list[bool] = []
    for piece in pieces:
        if piece.isspace():
            if piece.startswith(" ") and words and not spaces[-1] and not words[-1].isspace():
                spaces[-1] = True
                piece = piece[1:]
            if not piece:
                continue
        elif not piece:
            continue
        words.append(piece)
        spaces.append(False)
    return Doc(vocab, words=words, spaces=spaces)


class CharTokenizer:
    """Character segmentation that keeps Latin words and numbers whole."""

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        return _doc(self.vocab, _CHAR_TOKEN.findall(text), text)


@cache
def _jieba_dictionary() -> jieba.Tokenizer:
    """jieba's default dictionary, loaded once per process (from jieba's cache file)."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def lexicon() -> Mapping[str, int]:
    """Everyday Chinese words with their frequencies (jieba's dictionary)."""
    return _jieba_dictionary().FREQ


class JiebaTokenizer:
    """jieba segmentation with the ontology's terms added, in a private dictionary.

    jieba's module-level dictionary is left alone: other users of jieba in the same
    process see none of these words.
    """

    def __init__(self, vocab: Any, words: Iterable[str]) -> None:
        self.vocab = vocab
        base = _jieba_dictionary()
        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ = dict(base.FREQ)
        tokenizer.total = base.total
        tokenizer.initialized = True
        for word in words:
            tokenizer.add_word(word)
        self._cut = tokenizer.cut

    def __call__(self, text: str) -> Doc:
        return _doc(self.vocab, list(self._cut(text)), text)


class RuleEntities:
    """Entities found by rules rather than by name, merged with the ruler's (longest wins).

    * drops a short firm or place name that is only part of an everyday word
      ("强生" in "加强生物"), when segmentation is by character;
    * an industry written with a gloss inside: "增材制造(3D打印)装备";
    * firms and institutions by suffix, when their name starts with a place or a
      Latin brand, or the text cooperates with them ("与…合作");
    * places after a location cue ("选址…", "位于…") that end in a place suffix;
    * bases the store does not know, where the text defines one
      ("…产业基地,选址…", "…基地,总规划面积…").
    """

    def __init__(self) -> None:
        self.gazetteer: Gazetteer | None = None
        self.lexicon: Mapping[str, int] = {}
        self.check_boundaries = False
        suffixes = "|".join(sorted(ORG_SUFFIXES, key=len, reverse=True))
        self._org = re.compile(f"(?:{suffixes})")
        places = "|".join(sorted(PLACE_SUFFIXES, key=len, reverse=True))
        cues = "|".join(sorted(LOCATION_CUES, key=len, reverse=True))
        self._location = re.compile(f"(?:{cues})(?P<loc>[^,。;\n]+)")
        self._place_piece = re.compile(f"^[\u4e00-\u9fff]{{2,8}}(?:{places})$")
        bases = "|".join(sorted(BASE_SUFFIXES, key=len, reverse=True))
        self._defined_base = re.compile(
            f"(?:^|(?<=[。;\n]))(?P<name>[^,。;\n]{{2,20}}?(?:{bases}))"
            f"(?=,?(?:{cues}|总规划面积|规划面积|占地))"
        )
        self._gloss = re.compile(
            r"(?P<a>[\u4e00-\u9fff]{2,12})\((?P<g>[^()\n]{1,12})\)(?P<b>[\u4e00-\u9fff]{1,6})"
        )
        self._lead_in = re.compile("|".join(sorted(LEAD_INS, key=len, reverse=True)))

    def __call__(self, doc: Doc) -> Doc:
        gaz = self.gazetteer
        if gaz is None:
            return doc
        text = doc.text
        confidence: dict[tuple[int, int], float] = doc.user_data.setdefault(CONFIDENCE_KEY, {})
        kept = [e for e in doc.ents if not self._coincidence(e, text)]
        found: list[Span] = []

        def add(start: int, end: int, label: str, conf: float, node_id: str = "") -> None:
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
            if span is None or not span.text.strip():
                return
            if node_id:
                span.id_ = node_id
            found.append(span)
            confidence[(span.start_char, span.end_char)] = conf

        for match in self._gloss.finditer(text):
            hit = self._glossed_term(match, gaz)
            if hit is not None:
                add(hit[0], hit[1], "INDUSTRY", 0.85, hit[2])
        place_starts = {e.start_char for e in kept if e.label_ == "PLACE"}
        for match in self._org.finditer(text):
            org = self._org_name(text, match.start(), match.end(), gaz, place_starts)
            if org is not None:
                term = gaz.lookup(text[org[0] : match.end()], "ORG")
                add(org[0], match.end(), "ORG", org[1], term.id if term else "")
        places = [(e.start_char, e.end_char) for e in kept if e.label_ == "PLACE"]
        for match in self._location.finditer(text):
            offset = match.start("loc")
            for piece in re.finditer(r"[^及和、与]+", match.group("loc")):
                start, end = offset + piece.start(), offset + piece.end()
                known = any(s < end and start < e for s, e in places)
                if self._place_piece.match(piece.group()) and not known:
                    add(start, end, "PLACE", 0.6)
        for match in self._defined_base.finditer(text):
            start = match.start("name") + self._lead_len(match.group("name"))
            if gaz.lookup(text[start : match.end("name")], "BASE") is None:
                add(start, match.end("name"), "BASE", 0.7)
        # Tokens keep the id of an entity they were part of; rule spans must not inherit it.
        for span in found:
            if not span.id_:
                for token in span:
                    token.ent_id = 0
        doc.ents = filter_spans([*kept, *found])
        return doc

    def _coincidence(self, ent: Span, text: str) -> bool:
        if not self.check_boundaries or ent.label_ not in ("ORG", "PLACE"):
            return False
        if not ent.id_ or not short_cjk(ent.text):
            return False
        start, end = ent.start_char, ent.end_char
        left, right = text[max(start - 1, 0) : start + 1], text[end - 1 : end + 1]
        return any(
            len(w) == 2 and self.lexicon.get(w, 0) >= _BOUNDARY_WORD_FREQ for w in (left, right)
        )

    @staticmethod
    def _glossed_term(match: re.Match[str], gaz: Gazetteer) -> tuple[int, int, str] | None:
        """'增材制造(3D打印)装备' names 增材制造装备: try the words around the gloss as one term."""
        head, tail = match.group("a"), match.group("b")
        for cut in range(len(head) - 1):
            for keep in range(len(tail), 0, -1):
                term = gaz.lookup(head[cut:] + tail[:keep], "INDUSTRY")
                if term is not None:
                    return match.start("a") + cut, match.start("b") + keep, term.id
        return None

    def _lead_len(self, name: str) -> int:
        """Length of the lead-in words ("建设", "依托"…) at the start of ``name``."""
        cut = 0
        while True:
            lead = self._lead_in.match(name, cut)
            if lead is None or lead.end() >= len(name) - 2:
                return cut
            cut = lead.end()

    def _org_name(
        self, text: str, start: int, end: int, gaz: Gazetteer, place_starts: set[int]
    ) -> tuple[int, float] | None:
        """Where the name ending in the suffix at ``start`` begins, and how sure we are."""
        begin = start
        while begin > 0 and start - begin < 20 and _NAME_CHAR.match(text[begin - 1]):
            begin -= 1
        run = text[begin:start]
        cut = 0
        for lead in self._lead_in.finditer(run):
            if lead.end() < len(run):
                cut = lead.end()
        name_start = begin + cut
        stem = text[name_start:start]
        if len(stem) < 2:
            return None
        if name_start in place_starts or any(
            gaz.lookup(stem[:n], "PLACE") for n in range(2, min(len(stem), 6) + 1)
        ):
            return name_start, 0.75
        if _PLACE_START.match(stem) or re.search(r"[A-Za-z]{2,}", stem):
            return name_start, 0.7
        before, after = text[max(name_start - 1, 0) : name_start], text[end : end + 2]
        if before in ("与", "同") and after in ("合作", "共建", "联合", "携手"):
            return name_start, 0.6
        return None


@Language.factory("chaingraph_rules")
def _make_rule_entities(nlp: Language, name: str) -> RuleEntities:
    return RuleEntities()


@dataclass
class TextPipeline:
    """A ready spaCy pipeline and the gazetteer it was built from.

    Build it once (spaCy, jieba and the patterns take a few seconds), then call it
    on as many texts as needed.
    """

    nlp: Language
    gazetteer: Gazetteer
    segmenter: str

    def __call__(self, text: str) -> Doc:
        return self.nlp(text)


def build_pipeline(store: GraphStore, segmenter: str = "char") -> TextPipeline:
    """A blank Chinese spaCy pipeline whose entity patterns come from ``store``.

    Parameters
    ----------
    store
        Its Chain, Segment, Product, Base, Region and Company names and aliases
        become phrase patterns.
    segmenter
        ``"char"`` (one token per character; names match wherever they occur) or
        ``"jieba"`` (words; the store's names are added to jieba's dictionary).

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> pipe = build_pipeline(tiny_store())
    >>> doc = pipe("谢岗镇依托莞工机器人等龙头企业,重点发展谐波减速器,规划面积26420亩。")
    >>> [(e.text, e.label_, e.id_) for e in doc.ents]  # doctest: +NORMALIZE_WHITESPACE
    [('谢岗镇', 'PLACE', 'region:dg-xiegang'), ('莞工机器人', 'ORG', 'co:dg-robot'),
     ('谐波减速器', 'INDUSTRY', 'prod:harmonic-reducer'), ('26420亩', 'AREA', '')]
    """
    if segmenter not in SEGMENTERS:
        raise ConfigError(f"unknown segmenter {segmenter!r}; one of {', '.join(SEGMENTERS)}")
    words = lexicon()
    gazetteer = build_gazetteer(store, words)
    nlp = spacy.blank("zh")
    nlp.max_length = 5_000_000
    if segmenter == "jieba":
        vocabulary = [t.text for t in gazetteer.terms.values()]
        vocabulary += [*AREA_UNITS, *MONEY_UNITS, *ORG_SUFFIXES, *LOCATION_CUES]
        nlp.tokenizer = JiebaTokenizer(nlp.vocab, vocabulary)
    else:
        nlp.tokenizer = CharTokenizer(nlp.vocab)
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    patterns: list[dict[str, Any]] = [
        {"label": term.label, "pattern": term.text, "id": term.id}
        for term in gazetteer.terms.values()
    ]
    patterns += _quantity_patterns(nlp)
    ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    rules: RuleEntities = nlp.add_pipe("chaingraph_rules")  # type: ignore[assignment]
    rules.gazetteer = gazetteer
    rules.lexicon = words
    rules.check_boundaries = segmenter == "char"
    return TextPipeline(nlp, gazetteer, segmenter)


def _quantity_patterns(nlp: Language) -> list[dict[str, Any]]:
    """A number followed by an area or money unit, tokenised as the segmenter will."""
    found = []
    for label, units in (("AREA", AREA_UNITS), ("MONEY", MONEY_UNITS)):
        for unit in units:
            unit_tokens = [{"LOWER": t.lower_} for t in nlp.make_doc(unit)]
            found.append({"label": label, "pattern": [{"TEXT": {"REGEX": _NUMBER}}, *unit_tokens]})
    return found
