"""The facts read from a document, each with its evidence: bases, focus, firms, candidates."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from chaingraph.nlp.vocab import AREA_UNITS, SQM_PER_MU

__all__ = [
    "Area",
    "BaseFact",
    "Candidate",
    "Evidence",
    "Extraction",
    "FocusFact",
    "Mention",
    "OrgFact",
    "parse_area",
]

_QUANTITY = re.compile(r"(?P<number>[0-9]+(?:\.[0-9]+)?)(?P<unit>.+)")


@dataclass(frozen=True)
class Evidence:
    """Where a fact was read: its sentence, the source offsets of its words, a confidence."""

    sentence: str
    start: int
    end: int
    confidence: float

    def render(self, limit: int = 500) -> str:
        """One line to store with the fact: offsets, then the sentence.

        >>> Evidence("重点发展生物医药。", 120, 124, 0.85).render()
        '[120:124] 重点发展生物医药。'
        """
        sentence = self.sentence if len(self.sentence) <= limit else self.sentence[:limit] + "…"
        return f"[{self.start}:{self.end}] {sentence}"


@dataclass(frozen=True)
class Mention:
    """An entity in the text: BASE, PLACE, INDUSTRY, ORG, AREA or MONEY."""

    label: str
    text: str
    id: str | None
    start: int
    end: int
    confidence: float


@dataclass(frozen=True)
class Area:
    """A planned area in both units; ``stated`` keeps the numbers as the text gives them."""

    mu: float
    km2: float
    stated: tuple[str, ...]
    consistent: bool = True


@dataclass(frozen=True)
class BaseFact:
    """A base the text defines: where it is and how large."""

    name: str
    id: str | None
    location: str | None
    region: str | None
    area: Area | None
    evidence: Evidence


@dataclass(frozen=True)
class FocusFact:
    """A base focuses on an industry, segment or product (``target`` is its id)."""

    base: str
    base_id: str | None
    target: str
    text: str
    trigger: str
    evidence: Evidence


@dataclass(frozen=True)
class OrgFact:
    """A named firm or institution, with its role when the text gives one.

    ``role`` is ``龙头企业`` (leads ``industry``), ``依托`` (the plan builds on it)
    or ``合作`` (a partner); ``base`` is the base whose paragraph names it.
    """

    name: str
    id: str | None
    role: str | None
    industry: str | None
    base: str | None
    evidence: Evidence


@dataclass(frozen=True)
class Candidate:
    """Something the text names that the store has no node for (reported, never added)."""

    kind: str
    text: str
    context: str
    evidence: Evidence


@dataclass(frozen=True)
class Extraction:
    """Everything read from one document."""

    source: str
    title: str | None
    as_of: str | None
    text: str
    mentions: tuple[Mention, ...]
    bases: tuple[BaseFact, ...]
    focus: tuple[FocusFact, ...]
    orgs: tuple[OrgFact, ...]
    candidates: tuple[Candidate, ...]
    dropped: tuple[str, ...] = ()

    def industries(self) -> dict[str, Mention]:
        """Each industry, segment or product id named, with its first mention."""
        found: dict[str, Mention] = {}
        for mention in self.mentions:
            if mention.label == "INDUSTRY" and mention.id and mention.id not in found:
                found[mention.id] = mention
        return found


def parse_area(texts: Sequence[str]) -> Area | None:
    """One area from quantities that state it, e.g. ``["2489亩", "约1.66平方公里"]``.

    The first quantity fixes the size; a unit the text does not give is derived
    (1 亩 = 666.67 m²). Numbers the text gives are kept as given.

    Examples
    --------
    >>> parse_area(["2489亩", "1.66平方公里"])
    Area(mu=2489, km2=1.66, stated=('2489亩', '1.66平方公里'), consistent=True)
    >>> parse_area(["2平方公里"])
    Area(mu=3000, km2=2, stated=('2平方公里',), consistent=True)
    """
    square_metres: list[float] = []
    given: dict[str, float] = {}
    for text in texts:
        match = _QUANTITY.match(text.lstrip("约"))
        if match is None or match.group("unit") not in AREA_UNITS:
            continue
        number = float(match.group("number"))
        unit = match.group("unit")
        square_metres.append(number * AREA_UNITS[unit])
        if unit in ("亩", "万亩"):
            given.setdefault("mu", number * (1e4 if unit == "万亩" else 1))
        elif AREA_UNITS[unit] == 1e6:
            given.setdefault("km2", number)
    if not square_metres:
        return None
    size = square_metres[0]
    mu = given.get("mu", round(size / SQM_PER_MU))
    km2 = given.get("km2", round(size / 1e6, 2))
    consistent = all(abs(m - size) <= 0.02 * size for m in square_metres)
    return Area(_plain(mu), _plain(km2), tuple(texts), consistent)


def _plain(number: float) -> float:
    """2489.0 -> 2489: whole numbers stay whole, as the text writes them."""
    return int(number) if float(number).is_integer() else number
