"""Score an extraction against hand-labelled gold facts: precision and recall per type."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from chaingraph.errors import DataError, Issue
from chaingraph.names import normalize_text
from chaingraph.nlp.facts import Extraction

__all__ = ["TYPES", "TypeScore", "gold_keys", "load_gold", "predicted_keys", "score"]

TYPES = ("BASE", "AREA", "PLACE", "INDUSTRY", "FOCUS", "ORG", "LEADER")


@dataclass(frozen=True)
class TypeScore:
    """Precision and recall of one fact type; ``missed`` and ``spurious`` name the errors."""

    type: str
    gold: int
    predicted: int
    correct: int
    precision: float
    recall: float
    missed: tuple[str, ...]
    spurious: tuple[str, ...]


def _name_key(text: str) -> str:
    return normalize_text(text).lower()


def _number(value: Any) -> float:
    return round(float(value), 2)


def load_gold(path: str | Path) -> dict[str, Any]:
    """Read a gold file (``chaingraph_gold: 1``)."""
    with open(path, encoding="utf-8") as fh:
        gold = yaml.safe_load(fh)
    if not isinstance(gold, dict) or gold.get("chaingraph_gold") != 1:
        raise DataError(
            [Issue(str(path), "not a gold file", expected="a mapping with 'chaingraph_gold: 1'")]
        )
    return gold


def gold_keys(gold: Mapping[str, Any]) -> dict[str, set[Hashable]]:
    """The labelled facts of each type, as comparable keys."""
    rows = {t: list(gold.get(t) or []) for t in TYPES}
    return {
        "BASE": {r["id"] for r in rows["BASE"]},
        "AREA": {(r["base"], _number(r["mu"]), _number(r["km2"])) for r in rows["AREA"]},
        "PLACE": {(r["base"], _name_key(r["location"]), r.get("region")) for r in rows["PLACE"]},
        "INDUSTRY": {r["id"] for r in rows["INDUSTRY"]},
        "FOCUS": {(r["base"], r["target"]) for r in rows["FOCUS"]},
        "ORG": {r.get("id") or _name_key(r["name"]) for r in rows["ORG"]},
        "LEADER": {(r["org"], r["industry"]) for r in rows["LEADER"]},
    }


def predicted_keys(extraction: Extraction) -> dict[str, set[Hashable]]:
    """The same keys for what the extractor found."""
    bases = {b.id or _name_key(b.name) for b in extraction.bases}
    bases |= {m.id for m in extraction.mentions if m.label == "BASE" and m.id}
    return {
        "BASE": set(bases),
        "AREA": {
            (b.id or _name_key(b.name), _number(b.area.mu), _number(b.area.km2))
            for b in extraction.bases
            if b.area is not None
        },
        "PLACE": {
            (b.id or _name_key(b.name), _name_key(b.location), b.region)
            for b in extraction.bases
            if b.location is not None
        },
        "INDUSTRY": set(extraction.industries()),
        "FOCUS": {(f.base_id or _name_key(f.base), f.target) for f in extraction.focus},
        "ORG": {o.id or _name_key(o.name) for o in extraction.orgs},
        "LEADER": {
            (o.id or _name_key(o.name), o.industry) for o in extraction.orgs if o.role == "龙头企业"
        },
    }


def score(extraction: Extraction, gold: Mapping[str, Any]) -> list[TypeScore]:
    """Precision and recall of ``extraction`` against ``gold``, one row per fact type.

    Examples
    --------
    >>> from chaingraph.nlp.facts import Extraction
    >>> empty = Extraction("x", None, None, "", (), (), (), (), ())
    >>> row = score(empty, {"BASE": [{"id": "base:x"}]})[0]
    >>> row.type, row.precision, row.recall, row.missed
    ('BASE', 1.0, 0.0, ('base:x',))
    """
    expected, found = gold_keys(gold), predicted_keys(extraction)
    rows = []
    for fact_type in TYPES:
        want, got = expected[fact_type], found[fact_type]
        correct = len(want & got)
        rows.append(
            TypeScore(
                fact_type,
                len(want),
                len(got),
                correct,
                round(correct / len(got), 3) if got else 1.0,
                round(correct / len(want), 3) if want else 1.0,
                tuple(sorted(map(str, want - got))),
                tuple(sorted(map(str, got - want))),
            )
        )
    return rows
