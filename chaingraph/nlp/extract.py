"""Facts from a policy document: bases with location and area, focus industries, named firms.

:func:`extract` cleans the text, runs the :class:`~chaingraph.nlp.pipeline.TextPipeline`
over it and reads facts off the entities, sentence by sentence:

* a **base** is defined where a paragraph opens with its name: "X基地,选址Y,总规划面积N亩,约M平方公里";
* a base **focuses** on the industries a trigger governs in its paragraph
  ("重点发展…", "聚焦…", "以…为主导", "打造…集聚区");
* firms listed before "等龙头企业" **lead** the industry of their sentence; an
  institution after "依托" **anchors** it;
* every industry, segment or product named is **linked** to its ontology id;
  list items that name none are reported as **candidates**, never invented.

Every fact keeps its sentence, the character offsets of its words in the
document as read, and a confidence.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from chaingraph.optional import missing

try:
    from spacy.tokens import Doc, Span
except ImportError as exc:  # pragma: no cover - only without the [nlp] extra
    raise missing("spacy") from exc

from chaingraph.nlp.clean import CleanText, clean_text, is_heading
from chaingraph.nlp.facts import (
    BaseFact,
    Candidate,
    Evidence,
    Extraction,
    FocusFact,
    Mention,
    OrgFact,
    parse_area,
)
from chaingraph.nlp.pipeline import CONFIDENCE_KEY, TextPipeline
from chaingraph.nlp.vocab import (
    AREA_CUES,
    ENUM_HEADS,
    FOCUS_TRIGGERS,
    GENERIC_TAILS,
    LEAD_INS,
    LEADER_WORDS,
    LIST_SEPARATORS,
    LOCATION_CUES,
    ORG_SUFFIXES,
)

__all__ = ["extract"]

_SENTENCE = re.compile(r"[^。!?;\n]+[。!?;]?")
_DATE_LINE = re.compile(r"^(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?$")
_SAME_AREA_GAP = re.compile(r"^[,(]?(?:约合|折合|约|即|合)?$")
_LEADERS = re.compile(
    r"(?P<items>[^,。;:]{2,80}?)等(?P<role>"
    + "|".join(sorted(LEADER_WORDS, key=len, reverse=True))
    + ")"
)
_ANCHOR_CUES = ("依托", "依靠")
_PARTNER_CUES = ("与", "同")
_LIST_SPLIT = re.compile(LIST_SEPARATORS)
# Used with .match(text, pos): anchored where matching starts ("^" would not be).
_LEAD_IN = re.compile("(?:" + "|".join(sorted(LEAD_INS, key=len, reverse=True)) + ")+")
_LOCATION = re.compile(
    "(?:" + "|".join(sorted(LOCATION_CUES, key=len, reverse=True)) + r")(?P<loc>[^,。;]+)"
)
_GLOSS = re.compile(r"\((?:含|即|包括)?(?P<inner>[^()]+)\)")
_TRIGGERS = [(re.compile(pattern), confidence) for pattern, confidence in FOCUS_TRIGGERS]
_CLAUSE_END = re.compile(r"[,。;]")
_TITLE_MAX = 80
_OPENING = re.compile(r"[—\-\s“\"]*(?:在|于|对|关于)?")
_ENUMERATION = re.compile(
    r"(?P<items>[^,。;:]{2,120}?)等(?P<head>[^,。;:]{0,12}?(?:" + "|".join(ENUM_HEADS) + "))"
)
_ROLE_LEADER = "龙头企业"
_BARE_NAME = 0.5  # confidence in a list item that is just Chinese words
_ROLE_ANCHOR = "依托"
_ROLE_PARTNER = "合作"


@dataclass
class _Sentence:
    start: int
    end: int
    paragraph: int
    ents: list[Span] = field(default_factory=list)


class _Reader:
    """Reads facts off one processed document."""

    def __init__(self, doc: Doc, clean: CleanText, pipeline: TextPipeline) -> None:
        self.doc = doc
        self.clean = clean
        self.gaz = pipeline.gazetteer
        self.text = clean.text
        self.confidence: dict[tuple[int, int], float] = doc.user_data.get(CONFIDENCE_KEY, {})
        self.sentences = list(self._sentences())
        self.mentions: list[Mention] = []
        self.bases: dict[str, BaseFact] = {}
        self.focus: dict[tuple[str, str], FocusFact] = {}
        self.orgs: dict[tuple[str, str | None, str | None, str | None], OrgFact] = {}
        self.candidates: dict[tuple[str, str], Candidate] = {}
        self._distributed_seen: set[tuple[int, int, str]] = set()
        self._leader_spans: set[tuple[int, int]] = set()

    # -- structure ------------------------------------------------------------
    def _sentences(self) -> Iterator[_Sentence]:
        paragraph_start = 0
        sentences: list[_Sentence] = []
        for number, line in enumerate(self.text.split("\n")):
            for match in _SENTENCE.finditer(line):
                sentences.append(
                    _Sentence(
                        paragraph_start + match.start(), paragraph_start + match.end(), number
                    )
                )
            paragraph_start += len(line) + 1
        starts = [s.start for s in sentences]
        for ent in self.doc.ents:
            index = bisect_right(starts, ent.start_char) - 1
            if index >= 0 and ent.start_char < sentences[index].end:
                sentences[index].ents.append(ent)
        yield from sentences

    def conf(self, ent: Span) -> float:
        if (ent.start_char, ent.end_char) in self.confidence:
            return self.confidence[(ent.start_char, ent.end_char)]
        term = self.gaz.lookup(ent.text)
        return term.confidence if term is not None and term.id == ent.id_ else 0.8

    def evidence(self, sentence: _Sentence, start: int, end: int, confidence: float) -> Evidence:
        source_start, source_end = self.clean.source_span(start, end)
        return Evidence(
            self.text[sentence.start : sentence.end],
            source_start,
            source_end,
            round(confidence, 3),
        )

    def mention(
        self, label: str, text: str, node_id: str | None, start: int, end: int, c: float
    ) -> None:
        source_start, source_end = self.clean.source_span(start, end)
        self.mentions.append(Mention(label, text, node_id, source_start, source_end, round(c, 3)))

    # -- reading ----------------------------------------------------------------
    def read(self) -> None:
        for ent in self.doc.ents:
            self.mention(
                ent.label_, ent.text, ent.id_ or None, ent.start_char, ent.end_char, self.conf(ent)
            )
        topic: Span | None = None
        paragraph = -1
        for sentence in self.sentences:
            if sentence.paragraph != paragraph:
                paragraph = sentence.paragraph
                topic = self._opening_base(sentence)
            subject = self._opening_base(sentence) or topic
            if subject is not None:
                self._base_facts(sentence, subject)
            self._enumerations(sentence)
            self._focus(sentence, subject)
            self._leaders(sentence)
            self._other_orgs(sentence, subject)

    def _opening_base(self, sentence: _Sentence) -> Span | None:
        """A base that opens the sentence ("X基地,选址…", "在X基地,…") is what it is about.

        A base named further in ("建设…前沿新材料产业基地") is not: there the words
        name an industry's ambition, not the base.
        """
        for ent in sentence.ents:
            if ent.label_ == "BASE":
                lead = self.text[sentence.start : ent.start_char]
                return ent if _OPENING.fullmatch(lead) else None
        return None

    def _base_key(self, base: Span) -> str:
        return base.id_ or self.gaz.key(base.text)

    def _base_facts(self, sentence: _Sentence, base: Span) -> None:
        text = self.text[sentence.start : sentence.end]
        location = region = None
        loc_span: tuple[int, int] | None = None
        match = _LOCATION.search(text)
        if match:
            loc_span = (sentence.start + match.start("loc"), sentence.start + match.end("loc"))
            location = match.group("loc").strip()
            places = [
                e
                for e in sentence.ents
                if e.label_ == "PLACE" and loc_span[0] <= e.start_char < loc_span[1] and e.id_
            ]
            if places:
                best = max(places, key=lambda e: self.gaz.region_rank.get(e.id_, 0))
                region = best.id_
        area_ents = self._area_group(sentence)
        area = parse_area([self._approx(e) for e in area_ents]) if area_ents else None
        if location is None and area is None:
            return
        key = self._base_key(base)
        known = self.bases.get(key)
        if known is not None and known.location is not None and known.area is not None:
            return
        start = loc_span[0] if loc_span else area_ents[0].start_char
        end = area_ents[-1].end_char if area_ents else (loc_span[1] if loc_span else start)
        confidence = 0.9 if (region or area) and (area is None or area.consistent) else 0.6
        fact = BaseFact(
            base.text,
            base.id_ or None,
            (known.location if known else None) or location,
            (known.region if known else None) or region,
            (known.area if known else None) or area,
            known.evidence if known else self.evidence(sentence, start, end, confidence),
        )
        self.bases[key] = fact

    def _approx(self, ent: Span) -> str:
        return ("约" if self.text[ent.start_char - 1 : ent.start_char] == "约" else "") + ent.text

    def _area_group(self, sentence: _Sentence) -> list[Span]:
        """The first area after a cue ("总规划面积"), with the same area in other units after it."""
        areas = [e for e in sentence.ents if e.label_ == "AREA"]
        if not areas:
            return []
        before = self.text[sentence.start : areas[0].start_char]
        if not any(cue in before for cue in AREA_CUES):
            return []
        group = [areas[0]]
        for ent in areas[1:]:
            gap = self.text[group[-1].end_char : ent.start_char]
            if not _SAME_AREA_GAP.match(gap):
                break
            group.append(ent)
        return group

    def _focus(self, sentence: _Sentence, base: Span | None) -> None:
        text = self.text[sentence.start : sentence.end]
        for pattern, confidence in _TRIGGERS:
            for match in pattern.finditer(text):
                trigger = match.group()
                if "scope" in pattern.groupindex:
                    start, end = match.start("scope"), match.end("scope")
                else:
                    start = match.end()
                    stop = _CLAUSE_END.search(text, start)
                    end = stop.start() if stop else len(text)
                items = list(self._items(sentence, sentence.start + start, sentence.start + end))
                if not any(targets for _, _, targets in items):
                    continue  # not a list of industries: "推动形成优势互补、高质量发展"
                for item_start, item_end, targets in items:
                    if not targets:
                        self._candidate(sentence, item_start, item_end, trigger, confidence)
                    elif base is not None:
                        for target, t_start, t_end, t_conf in targets:
                            self._add_focus(
                                base, target, trigger, sentence, t_start, t_end, confidence * t_conf
                            )

    def _add_focus(
        self,
        base: Span,
        target: str,
        trigger: str,
        sentence: _Sentence,
        start: int,
        end: int,
        confidence: float,
    ) -> None:
        key = (self._base_key(base), target)
        fact = FocusFact(
            base.text,
            base.id_ or None,
            target,
            self.text[start:end],
            trigger,
            self.evidence(sentence, start, end, confidence),
        )
        old = self.focus.get(key)
        if old is None or old.evidence.confidence < fact.evidence.confidence:
            self.focus[key] = fact

    def _items(
        self, sentence: _Sentence, start: int, end: int
    ) -> Iterator[tuple[int, int, list[tuple[str, int, int, float]]]]:
        """Split a list ("A、B和C等产业") into items, each with the industries it names."""
        ents = [
            e
            for e in sentence.ents
            if e.label_ == "INDUSTRY" and start <= e.start_char and e.end_char <= end
        ]
        inside = [(e.start_char, e.end_char) for e in ents]
        head = ""
        cut = self.text.find("等", start, end)
        while cut >= 0 and any(s <= cut < e for s, e in inside):
            cut = self.text.find("等", cut + 1, end)
        if cut >= 0:
            head, end = self.text[cut + 1 : end], cut
        for item_start, item_end in self._split(start, end, inside):
            yield from self._item(sentence, item_start, item_end, ents, head)

    def _split(self, start: int, end: int, inside: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """List items between ``start`` and ``end``, not splitting inside a known name."""
        pieces: list[tuple[int, int]] = []
        last = start
        for sep in _LIST_SPLIT.finditer(self.text, start, end):
            if any(s <= sep.start() < e for s, e in inside):
                continue
            pieces.append((last, sep.start()))
            last = sep.end()
        pieces.append((last, end))
        items = []
        for a, b in pieces:
            lead = _LEAD_IN.match(self.text, a, b)
            # "依托X": drop the verb, unless a known name starts there ("在线…").
            if lead and lead.end() < b and not any(s == a for s, _ in inside):
                a = lead.end()
            if b - a >= 2:
                items.append((a, b))
        return items

    def _item(
        self, sentence: _Sentence, start: int, end: int, ents: list[Span], head: str
    ) -> Iterator[tuple[int, int, list[tuple[str, int, int, float]]]]:
        found = [
            (e.id_, e.start_char, e.end_char, self.conf(e))
            for e in ents
            if start <= e.start_char and e.end_char <= end and e.id_
        ]
        exact = [f for f in found if (f[1], f[2]) == (start, end)]
        shared = self._distributed(sentence, start, end, head, whole_only=bool(exact))
        if shared is not None:
            yield start, end, [shared]
            return
        gloss = _GLOSS.search(self.text, start, end)
        if gloss and not any(s <= gloss.start() and gloss.end() <= e for _, s, e, _ in found):
            # "信息技术(含集成电路)": the words and the gloss are two items.
            yield start, gloss.start(), [f for f in found if f[2] <= gloss.start()]
            inner = gloss.start("inner")
            yield inner, gloss.end("inner"), [f for f in found if f[1] >= inner]
            return
        yield start, end, found

    def _distributed(
        self,
        sentence: _Sentence,
        start: int,
        end: int,
        head: str,
        whole_only: bool = False,
    ) -> tuple[str, int, int, float] | None:
        """An item plus the list's head noun may name a term: "新型太阳能、…等材料".

        The whole item plus the head ("新型显示材料") beats the item's own name;
        a shorter tail of the item plus the head ("储能材料" from "高性能储能")
        is tried only when no known name covers the whole item.
        """
        shared = min(((head.find(h), h) for h in ENUM_HEADS if h in head), default=(-1, ""))[1]
        if not shared:
            return None
        for cut in range(start, start + 1 if whole_only else end - 1):
            term = self.gaz.lookup(self.text[cut:end] + shared, "INDUSTRY")
            if term is not None:
                key = (cut, end, term.id)
                if key not in self._distributed_seen:
                    self._distributed_seen.add(key)
                    self.mention("INDUSTRY", self.text[cut:end], term.id, cut, end, 0.85)
                return term.id, cut, end, 0.85
        return None

    def _enumerations(self, sentence: _Sentence) -> None:
        """Industries named by a list's shared head noun, wherever the list stands."""
        text = self.text[sentence.start : sentence.end]
        for match in _ENUMERATION.finditer(text):
            start, end = sentence.start + match.start("items"), sentence.start + match.end("items")
            head = match.group("head")
            ents = [(e.start_char, e.end_char) for e in sentence.ents if e.label_ == "INDUSTRY"]
            for item_start, item_end in self._split(start, end, ents):
                exact = (item_start, item_end) in ents
                self._distributed(sentence, item_start, item_end, head, whole_only=exact)

    def _candidate(
        self, sentence: _Sentence, start: int, end: int, context: str, confidence: float
    ) -> None:
        """An item in a list of industries that names no known one: report it."""
        text = self.text[start:end].strip()
        for tail in GENERIC_TAILS:
            if text.endswith(tail) and len(text) > len(tail) + 1:
                text = text[: -len(tail)]
                break
        if not 2 <= len(text) <= 12 or "的" in text or not re.search(r"[\u4e00-\u9fff]", text):
            return
        if ("INDUSTRY", text) not in self.candidates:
            self.candidates[("INDUSTRY", text)] = Candidate(
                "INDUSTRY", text, context, self.evidence(sentence, start, end, confidence * 0.5)
            )

    def _industry_of(self, sentence: _Sentence) -> str | None:
        """The chain most of the sentence's (else its paragraph's) industries belong to."""
        for group in (sentence.ents, self._paragraph_ents(sentence.paragraph)):
            chains = Counter(
                c for e in group if e.label_ == "INDUSTRY" and (c := self.gaz.chain(e.id_))
            )
            if chains:
                return chains.most_common(1)[0][0]
        return None

    def _paragraph_ents(self, paragraph: int) -> list[Span]:
        return [e for s in self.sentences if s.paragraph == paragraph for e in s.ents]

    def _leaders(self, sentence: _Sentence) -> None:
        text = self.text[sentence.start : sentence.end]
        for match in _LEADERS.finditer(text):
            items_start = sentence.start + match.start("items")
            items = match.group("items")
            lead = _LEAD_IN.match(items)
            offset = lead.end() if lead else 0
            industry = self._industry_of(sentence)
            last = offset
            pieces = [*_LIST_SPLIT.finditer(items[offset:])]
            bounds = []
            for sep in pieces:
                bounds.append((last, offset + sep.start()))
                last = offset + sep.end()
            bounds.append((last, len(items)))
            firms = []
            for a, b in bounds:
                start, end = items_start + a, items_start + b
                if len(self.text[start:end].strip()) >= 2:
                    org = self._org_at(sentence, start, end)
                    if org is not None:
                        firms.append((start, end, *org))
            # Bare Chinese words count as firms only in a list that names a firm for sure.
            if not any(confidence > _BARE_NAME for *_, confidence in firms):
                continue
            for start, end, node_id, confidence in firms:
                self._leader_spans.add((start, end))
                name = self.text[start:end].strip()
                self._org(
                    name, node_id, _ROLE_LEADER, industry, None, sentence, start, end, confidence
                )

    def _org_at(self, sentence: _Sentence, start: int, end: int) -> tuple[str | None, float] | None:
        """Is the list item at ``[start, end)`` a firm? Its id (if known) and a confidence."""
        name = self.text[start:end]
        for ent in sentence.ents:
            if ent.start_char <= start and end <= ent.end_char and ent.label_ == "ORG":
                return ent.id_ or None, self.conf(ent)
            overlaps = ent.start_char < end and start < ent.end_char
            if overlaps and ent.label_ in ("INDUSTRY", "PLACE", "BASE"):
                return None  # "新能源汽车、储能等龙头企业": industries, not firms
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9&.\- ]*", name):
            return None, 0.7
        if name.endswith(ORG_SUFFIXES):
            return None, 0.7
        if re.fullmatch(r"[\u4e00-\u9fff]{2,8}", name):
            return None, _BARE_NAME
        return None

    def _other_orgs(self, sentence: _Sentence, base: Span | None) -> None:
        for ent in sentence.ents:
            if ent.label_ != "ORG" or (ent.start_char, ent.end_char) in self._leader_spans:
                continue
            before = self.text[max(ent.start_char - 2, 0) : ent.start_char]
            role = None
            if before in _ANCHOR_CUES:
                role = _ROLE_ANCHOR
            elif (
                before[-1:] in _PARTNER_CUES
                and self.text[ent.end_char : ent.end_char + 2] == "合作"
            ):
                role = _ROLE_PARTNER
            industry = self._industry_of(sentence) if role else None
            base_key = self._base_key(base) if base is not None and role else None
            self._org(
                ent.text,
                ent.id_ or None,
                role,
                industry,
                base_key,
                sentence,
                ent.start_char,
                ent.end_char,
                self.conf(ent),
            )

    def _org(
        self,
        name: str,
        node_id: str | None,
        role: str | None,
        industry: str | None,
        base: str | None,
        sentence: _Sentence,
        start: int,
        end: int,
        confidence: float,
    ) -> None:
        ident = node_id or self.gaz.key(name)
        if role is None and any(k[0] == ident for k in self.orgs):
            return
        key = (ident, role, industry, base)
        if key in self.orgs:
            return
        if role is not None:
            self.orgs.pop((ident, None, None, None), None)
        self.orgs[key] = OrgFact(
            name, node_id, role, industry, base, self.evidence(sentence, start, end, confidence)
        )


def _title(clean: CleanText) -> str | None:
    """The document's title: its opening lines before the first sentence, if short."""
    lines = []
    for line in clean.text.split("\n"):
        if re.search(r"[。!?;,]", line) or is_heading(line):
            break
        lines.append(line)
        if len(lines) > 3:
            return None
    title = "".join(lines)
    return title if 0 < len(title) <= _TITLE_MAX else None


def _dated(clean: CleanText) -> str | None:
    """The date of a document signed off with a date line ("2021年2月5日")."""
    for line in reversed(clean.text.split("\n")):
        match = _DATE_LINE.match(line)
        if match:
            year, month, day = match.groups()
            return f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
    return None


def extract(
    pipeline: TextPipeline,
    raw: str,
    *,
    source: str | None = None,
    as_of: str | None = None,
    name: str | None = None,
) -> Extraction:
    """Read bases, focus industries, firms and industry mentions from a document's text.

    Parameters
    ----------
    pipeline
        Built once from the store (:func:`~chaingraph.nlp.pipeline.build_pipeline`).
    raw
        The document as read; offsets in the result index this text.
    source, as_of
        Provenance. ``source`` defaults to the document's title, else ``name``
        (its file name); ``as_of`` to the date line it is signed with, if any.

    Examples
    --------
    >>> from chaingraph.nlp.pipeline import build_pipeline
    >>> from chaingraph.testing import tiny_store
    >>> pipe = build_pipeline(tiny_store())
    >>> text = "银瓶高端装备产业基地,选址谢岗镇,总规划面积26420亩,约17.61平方公里。重点发展谐波减速器、伺服电机等产业。"
    >>> found = extract(pipe, text, source="示例")
    >>> base = found.bases[0]
    >>> base.id, base.region, base.area.mu, base.area.km2
    ('base:yinping', 'region:dg-xiegang', 26420, 17.61)
    >>> [(f.target, f.text) for f in found.focus]
    [('prod:harmonic-reducer', '谐波减速器'), ('prod:servo-motor', '伺服电机')]
    >>> text[slice(*(found.focus[0].evidence.start, found.focus[0].evidence.end))]
    '谐波减速器'
    """
    clean = clean_text(raw)
    doc = pipeline(clean.text)
    reader = _Reader(doc, clean, pipeline)
    reader.read()
    title = _title(clean)
    return Extraction(
        source=source or title or name or "unnamed document",
        title=title,
        as_of=as_of or _dated(clean),
        text=clean.text,
        mentions=tuple(reader.mentions),
        bases=tuple(reader.bases.values()),
        focus=tuple(reader.focus.values()),
        orgs=tuple(reader.orgs.values()),
        candidates=tuple(reader.candidates.values()),
        dropped=clean.dropped,
    )
