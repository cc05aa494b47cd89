"""Merge facts read from a document into the store, through the same loader as data files.

Each fact is compared with the store first:

* **link**: the store already says so; nothing is written;
* **add**: the store has no such fact; it is written with the document as
  source, the sentence and offsets as ``evidence``, and a confidence;
* **conflict**: the store says otherwise (another area for a known base…); it is
  reported and the store is left as it is;
* **candidate**: the text names something the store has no node for; reported,
  never invented.

Writes go through :func:`chaingraph.loaders.records.collect_document` and
:func:`chaingraph.loaders.resolve.resolve_batch`, like ``chaingraph load``, so
they are checked against the model; ingesting the same document again links
everything and changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chaingraph.errors import DataError, Issue
from chaingraph.loaders.encoding import read_text
from chaingraph.loaders.records import Batch, collect_document
from chaingraph.loaders.resolve import resolve_batch
from chaingraph.names import normalize_text
from chaingraph.nlp.extract import extract
from chaingraph.nlp.facts import BaseFact, Evidence, Extraction
from chaingraph.nlp.pipeline import TextPipeline, build_pipeline
from chaingraph.store.base import GraphStore, MergeReport

__all__ = ["Finding", "IngestReport", "ingest_text", "merge_extraction"]

LEADER_TAG = "龙头企业"
_AREA_TOLERANCE = 0.005  # relative: "约1.66平方公里" against 1.659
_KM2_TOLERANCE = 0.01  # absolute, the precision the plan writes km² with


@dataclass(frozen=True)
class Finding:
    """One fact of the document and what merging it does (``action``)."""

    action: str
    kind: str
    subject: str
    value: str
    detail: str
    confidence: float
    start: int
    end: int
    sentence: str


@dataclass(frozen=True)
class IngestReport:
    """What a document said and what ingesting it changed."""

    source: str
    as_of: str | None
    dry_run: bool
    findings: tuple[Finding, ...]
    merge: MergeReport
    dropped: tuple[str, ...]

    def count(self, action: str) -> int:
        """How many findings have this action (add, link, conflict, candidate)."""
        return sum(f.action == action for f in self.findings)


def _finding(
    action: str, kind: str, subject: str, value: str, detail: str, evidence: Evidence
) -> Finding:
    return Finding(
        action,
        kind,
        subject,
        value,
        detail,
        evidence.confidence,
        evidence.start,
        evidence.end,
        evidence.sentence,
    )


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _same(stored: Any, found: float, absolute: float = 0.0) -> bool:
    old = _number(stored)
    if old is None:
        return False
    return abs(old - found) <= max(absolute, _AREA_TOLERANCE * max(abs(old), abs(found)))


class _Planner:
    def __init__(self, store: GraphStore, extraction: Extraction) -> None:
        self.store = store
        self.x = extraction
        self.findings: list[Finding] = []
        self.bases: list[dict[str, Any]] = []
        self.companies: list[dict[str, Any]] = []
        self.relationships: list[dict[str, Any]] = []
        self.base_ids: dict[str, str] = {}

    def add(self, *args: Any) -> None:
        self.findings.append(_finding(*args))

    def plan(self) -> None:
        for fact in self.x.bases:
            self._base(fact)
        for focus in self.x.focus:
            base = focus.base_id or self.base_ids.get(normalize_text(focus.base))
            value = f"{focus.target} ({focus.text})"
            if base is None:
                self.add(
                    "candidate", "FOCUS", focus.base, value, "base not in the store", focus.evidence
                )
                continue
            known = {r.target for r in self.store.relationships("FOCUSES_ON", source=base)}
            if focus.target in known:
                self.add("link", "FOCUS", base, value, "already a focus", focus.evidence)
                continue
            self.relationships.append(
                {
                    "type": "FOCUSES_ON",
                    "from": base,
                    "to": focus.target,
                    **self._provenance(focus.evidence),
                }
            )
            self.add(
                "add", "FOCUS", base, value, f"new FOCUSES_ON ({focus.trigger})", focus.evidence
            )
        self._orgs()
        for node_id, mention in self.x.industries().items():
            evidence = Evidence("", mention.start, mention.end, mention.confidence)
            self.add("link", "INDUSTRY", node_id, mention.text, self._name(node_id), evidence)
        for candidate in self.x.candidates:
            self.add(
                "candidate",
                candidate.kind,
                candidate.text,
                candidate.text,
                f"no node of that name ({candidate.context})",
                candidate.evidence,
            )

    def _name(self, node_id: str) -> str:
        node = self.store.get(node_id)
        return node.name if node is not None else node_id

    def _provenance(self, evidence: Evidence) -> dict[str, Any]:
        return {"confidence": evidence.confidence, "evidence": evidence.render()}

    def _base(self, fact: BaseFact) -> None:
        ev = fact.evidence
        node = self.store.get(fact.id) if fact.id else None
        if node is None:
            self._new_base(fact)
            return
        record: dict[str, Any] = {}
        self.add("link", "BASE", node.id, fact.name, node.name, ev)
        if fact.area is not None:
            area = fact.area
            shown = f"{area.mu}亩 / {area.km2} km² (text: {', '.join(area.stated)})"
            stored_mu, stored_km2 = node.get("area_mu"), node.get("area_km2")
            clashes = []
            if stored_mu is not None and not _same(stored_mu, area.mu):
                clashes.append(f"area_mu={stored_mu}")
            if stored_km2 is not None and not _same(stored_km2, area.km2, _KM2_TOLERANCE):
                clashes.append(f"area_km2={stored_km2}")
            if clashes:
                self.add("conflict", "AREA", node.id, shown, "store has " + ", ".join(clashes), ev)
            elif stored_mu is None or stored_km2 is None:
                if stored_mu is None:
                    record["area_mu"] = area.mu
                if stored_km2 is None:
                    record["area_km2"] = area.km2
                self.add("add", "AREA", node.id, shown, "store had no area", ev)
            else:
                self.add("link", "AREA", node.id, shown, f"{stored_mu}亩 / {stored_km2} km²", ev)
        if fact.location is not None:
            stored = node.get("location")
            if stored is None:
                record["location"] = fact.location
                self.add("add", "PLACE", node.id, fact.location, "store had no location", ev)
            elif normalize_text(str(stored)) == normalize_text(fact.location):
                self.add("link", "PLACE", node.id, fact.location, str(stored), ev)
            else:
                self.add("conflict", "PLACE", node.id, fact.location, f"store has {stored!r}", ev)
        if fact.region is not None:
            self._region(node.id, fact.region, record, ev)
        if record:
            self.bases.append({"id": node.id, "name": node.name, **record, **self._provenance(ev)})

    def _region(self, base_id: str, region: str, record: dict[str, Any], ev: Evidence) -> None:
        stored = [r.target for r in self.store.relationships("IN", source=base_id)]
        if not stored:
            record["region"] = region
            self.add("add", "REGION", base_id, region, "store had no region", ev)
            return
        for old in stored:
            if old == region or self._contains(old, region) or self._contains(region, old):
                self.add("link", "REGION", base_id, region, old, ev)
                return
        self.add("conflict", "REGION", base_id, region, "store has " + ", ".join(stored), ev)

    def _contains(self, outer: str, inner: str) -> bool:
        seen = {inner}
        current = inner
        for _ in range(20):
            parents = [r.target for r in self.store.relationships("IN", source=current)]
            if not parents:
                return False
            current = parents[0]
            if current == outer:
                return True
            if current in seen:
                return False
            seen.add(current)
        return False

    def _new_base(self, fact: BaseFact) -> None:
        key = normalize_text(fact.name)
        base_id = "base:n" + hashlib.sha1(key.encode()).hexdigest()[:12]
        self.base_ids[key] = base_id
        record: dict[str, Any] = {"id": base_id, "name": key}
        detail = []
        if fact.location:
            record["location"] = fact.location
            detail.append(f"location {fact.location}")
        if fact.area is not None:
            record["area_mu"], record["area_km2"] = fact.area.mu, fact.area.km2
            detail.append(f"{fact.area.mu}亩 / {fact.area.km2} km²")
        if fact.region:
            record["region"] = fact.region
            detail.append(f"in {fact.region}")
        self.bases.append({**record, **self._provenance(fact.evidence)})
        self.add("add", "BASE", base_id, key, "new base: " + "; ".join(detail), fact.evidence)

    def _orgs(self) -> None:
        reported: set[str] = set()
        tagged: set[str] = set()
        for org in self.x.orgs:
            role = (
                f" ({org.role}{' of ' + org.industry if org.industry else ''})" if org.role else ""
            )
            if org.id is None:
                if org.name in reported:
                    continue
                reported.add(org.name)
                self.add(
                    "candidate",
                    "ORG",
                    org.name,
                    org.name + role,
                    "no company of that name",
                    org.evidence,
                )
                continue
            node = self.store.get(org.id)
            if node is None:
                continue
            if org.role != LEADER_TAG:
                self.add("link", "ORG", org.id, org.name + role, node.name, org.evidence)
                continue
            tags = list(node.get("tags") or [])
            if LEADER_TAG in tags or org.id in tagged:
                self.add(
                    "link",
                    "LEADER",
                    org.id,
                    org.name + role,
                    f"{node.name} is tagged {LEADER_TAG}",
                    org.evidence,
                )
                continue
            tagged.add(org.id)
            self.companies.append(
                {
                    "id": org.id,
                    "name": node.name,
                    "tags": [LEADER_TAG],
                    **self._provenance(org.evidence),
                }
            )
            self.add("add", "LEADER", org.id, org.name + role, f"tag {LEADER_TAG}", org.evidence)

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"chaingraph": 1, "source": self.x.source}
        if self.x.as_of:
            doc["as_of"] = self.x.as_of
        for section, records in (
            ("bases", self.bases),
            ("companies", self.companies),
            ("relationships", self.relationships),
        ):
            if records:
                doc[section] = records
        return doc


def merge_extraction(
    store: GraphStore, extraction: Extraction, *, dry_run: bool = False, origin: str = "<text>"
) -> IngestReport:
    """Compare ``extraction`` with ``store`` and write what is new (unless ``dry_run``).

    Raises
    ------
    DataError
        If a new fact does not fit the model (nothing is written then).

    Examples
    --------
    >>> from chaingraph.nlp.pipeline import build_pipeline
    >>> from chaingraph.testing import tiny_store
    >>> store = tiny_store()
    >>> text = "银瓶高端装备产业基地,选址谢岗镇,总规划面积26420亩。重点发展谐波减速器、伺服电机等产业。"
    >>> found = extract(build_pipeline(store), text, source="示例")
    >>> report = merge_extraction(store, found)
    >>> [(f.action, f.kind, f.subject) for f in report.findings if f.kind != "INDUSTRY"]  # doctest: +NORMALIZE_WHITESPACE
    [('link', 'BASE', 'base:yinping'), ('link', 'AREA', 'base:yinping'),
     ('add', 'PLACE', 'base:yinping'), ('link', 'REGION', 'base:yinping'),
     ('add', 'FOCUS', 'base:yinping'), ('add', 'FOCUS', 'base:yinping')]
    >>> merge_extraction(store, found).merge.changed
    False
    """
    planner = _Planner(store, extraction)
    planner.plan()
    document = planner.document()
    merge = MergeReport()
    if planner.bases or planner.companies or planner.relationships:
        batch = Batch()
        collect_document(batch, document, origin, store.model, store)
        nodes, rels = resolve_batch(batch, store, store.model) if not batch.issues else ([], [])
        if batch.issues:
            raise DataError(batch.issues)
        if not dry_run:
            merge = store.merge(nodes, rels)
    return IngestReport(
        extraction.source,
        extraction.as_of,
        dry_run,
        tuple(planner.findings),
        merge,
        extraction.dropped,
    )


def ingest_text(
    store: GraphStore,
    path: str | Path,
    *,
    segmenter: str = "char",
    source: str | None = None,
    as_of: str | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
    pipeline: TextPipeline | None = None,
) -> IngestReport:
    """Read a policy document, extract its facts and merge them into ``store``.

    ``source`` defaults to the document's title, else the file name.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError([Issue(str(path), "file not found", expected="a text file")])
    raw, _ = read_text(path, encoding)
    pipe = pipeline or build_pipeline(store, segmenter)
    found = extract(pipe, raw, source=source, as_of=as_of, name=path.name)
    return merge_extraction(store, found, dry_run=dry_run, origin=str(path))
