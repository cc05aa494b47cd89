"""Classify registry rows: chains, segments and products with evidence, town, identity."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chaingraph.classify.address import place_addresses
from chaingraph.classify.identity import IdentityIndex, is_legal_name, stock_code
from chaingraph.classify.knowledge import Knowledge, Target, load_knowledge
from chaingraph.classify.rows import open_table, read_header_map
from chaingraph.classify.rules import leading_lines, weighed
from chaingraph.classify.text import (
    Hit,
    find_terms,
    no_evidence_line,
    pesticide_firm,
    scope_items,
    text_hits,
    trade_firm,
)
from chaingraph.errors import DataError, Issue
from chaingraph.names import check_uscc, normalize_text
from chaingraph.store.base import GraphStore

__all__ = [
    "CLOSED_STATUSES",
    "ClassifiedRow",
    "Options",
    "classify_files",
]

CLOSED_STATUSES = ("注销", "吊销", "撤销", "停业", "清算", "迁出", "歇业", "责令关闭")
_SPLIT = re.compile(r"[、;；,，|/\n]+")
_SHARE = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*%\s*[)）]|(\d+(?:\.\d+)?)\s*%")
_GBT = re.compile(r"(\d{4})")
EVIDENCE_RANK = {"strong": 3, "medium": 2, "weak": 1}
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_CHARS)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_SHAPE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")


def _uscc_ok(code: str) -> bool:
    """Fast GB 32100-2015 check (a million rows): the slow path only explains failures.

    >>> _uscc_ok("91110108551385082Q"), _uscc_ok("91110108551385082A")
    (True, False)
    """
    if _USCC_SHAPE.fullmatch(code) is None:
        return False
    total = sum(_USCC_VALUE[c] * w for c, w in zip(code, _USCC_WEIGHTS, strict=False))
    return _USCC_CHARS[(31 - total % 31) % 31] == code[17]


@dataclass(frozen=True)
class Options:
    """How classify reads rows."""

    min_share: float = 0.05  # a revenue line below this share makes no maker
    # the revenue lines naming a chain must add up to this share for the chain to count
    # (when revenue lines are all the evidence for it); the labels read "about 10%": lines
    # of 9.x% count (chosen by leave-one-set-out over the label sets, issue 19 seventh pass)
    min_chain_share: float = 0.09
    # a chain beside the firm's main one (the chain with the largest share) needs lines
    # adding up to this share: a minor line names a market or a sideline more often than not
    min_side_chain_share: float = 0.20
    # ... but only beside a main chain of at least this share: when the firm's largest chain
    # is itself minor (< 30%), every chain is weighed on min_chain_share alone
    side_main_share: float = 0.30
    # read only a firm's N largest revenue lines (at or above min_share, by share); None
    # (the default) reads every line: on blind12, labelled from all lines, a cap of 8 lost
    # three true chains for one false one
    max_lines: int | None = None
    where: tuple[tuple[str, str], ...] = ()  # (field or header, value) filters
    skip_bad: bool = True  # classify reports bad rows and goes on
    chunk: int = 2000


@dataclass(frozen=True)
class ClassifiedRow:
    """One registry row, read: who it is, what it makes, where it sits, and why."""

    file: str
    line: int
    name: str | None
    legal_name: str | None
    match: dict[str, str] | None
    chains: list[str]
    segments: list[dict[str, Any]]
    products: list[dict[str, Any]]
    town: str | None
    town_name: str | None
    region: dict[str, str | None]
    status: str | None
    closed: bool
    why: list[str]
    uscc: str | None = None
    stock_code: str | None = None
    board: str | None = None
    former_names: list[str] = field(default_factory=list)
    source: str | None = None
    as_of: str | None = None
    city_id: str | None = None
    problems: list[str] = field(default_factory=list)
    chain_shares: dict[str, float] = field(default_factory=dict)  # largest revenue share per chain


@dataclass
class _Raw:
    file: str
    line: int
    fields: dict[str, Any]
    lines: list[tuple[str, float | None]] = field(default_factory=list)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    value = str(value)
    if value.isascii():
        # codes, dates, URLs: NFKC and the invisible characters leave ASCII alone
        return " ".join(value.split()) or None
    if len(value) > 24:
        return normalize_text(value) or None
    # short cells repeat (经营状态, 国标行业, 城市, 来源): each distinct one is read once
    known = _TEXT_MEMO.get(value)
    if known is None:
        if len(_TEXT_MEMO) >= 20_000:
            _TEXT_MEMO.clear()
        known = _TEXT_MEMO[value] = normalize_text(value)
    return known or None


_TEXT_MEMO: dict[str, str] = {}
_AS_OF_MEMO: dict[str, str] = {}


def _as_of(value: str | None) -> str | None:
    """Dates as lists write them (2024, 2024/6/30, 2024年6月) in the model's YYYY[-MM[-DD]]."""
    if value is None:
        return None
    known = _AS_OF_MEMO.get(value)
    if known is None:
        from chaingraph.loaders.coerce import normalise_as_of as normalise

        if len(_AS_OF_MEMO) >= 20_000:
            _AS_OF_MEMO.clear()
        known = _AS_OF_MEMO[value] = str(normalise(value))
    return known


def _share(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(str(value).strip().rstrip("%"))
    except ValueError:
        return None
    if (isinstance(value, str) and value.strip().endswith("%")) or number > 1:
        number /= 100
    return number if 0 <= number <= 1 else None


def _matches_where(raw: dict[str, Any], where: Sequence[tuple[str, str]]) -> bool:
    for key, value in where:
        cell = raw.get(key)
        if cell is None or value not in normalize_text(str(cell)):
            return False
    return True


def classify_files(
    store: GraphStore,
    paths: Sequence[str | Path],
    *,
    mapping: str | Path | None = None,
    options: Options | None = None,
    knowledge: Knowledge | None = None,
    bad: list[Issue] | None = None,
    unmapped: dict[str, list[str]] | None = None,
) -> Iterator[ClassifiedRow]:
    """Classify every row of registry files, streaming; nothing is written.

    Revenue-line files (a 主营构成/product_name column) are read first and joined to
    the firm rows by stock code, then legal or short name; firms that only appear in
    revenue lines become rows of their own.

    Parameters
    ----------
    store
        Gives the vocabulary and the firms rows resolve to.
    paths
        Registry files (.csv .tsv .xlsx .xls .json .jsonl, optionally .gz).
    mapping
        A mapping file or preset name (see ``ontology/matching/headers.yaml``).
    options
        Share threshold, ``--where`` filters, bad-row handling.
    knowledge
        Prebuilt matching knowledge (built from ``store`` if None).
    bad
        Receives an :class:`Issue` per bad row (with ``skip_bad``).
    unmapped
        Receives the unmapped columns per file.

    Yields
    ------
    ClassifiedRow

    Raises
    ------
    DataError
        A file that cannot be read; a bad row when ``skip_bad`` is off.
    """
    options = options or Options()
    knowledge = knowledge or load_knowledge(store)
    index = IdentityIndex(store)
    header_map = read_header_map(mapping)
    tables = [open_table(Path(p), header_map) for p in paths]
    if unmapped is not None:
        for table in tables:
            unmapped[table.origin] = table.unmapped
    revenue_tables = [t for t in tables if "revenue_line" in t.fields.values()]
    firm_tables = [t for t in tables if t not in revenue_tables]
    by_code: dict[str, _Raw] = {}
    by_name: dict[str, _Raw] = {}
    for table in revenue_tables:
        for line, row in table.rows():
            problem = _row_problem(row)
            if problem:
                _bad(bad, options, Issue(table.origin, problem, line=line))
                continue
            if not _matches_where(row, options.where):
                continue
            code = stock_code(row.get("stock_code"))
            name = _text(row.get("legal_name")) or _text(row.get("name"))
            key = code or name
            if not key:
                _bad(
                    bad,
                    options,
                    Issue(
                        table.origin,
                        "revenue line names no firm",
                        line=line,
                        field="stock_code",
                        expected="a stock code or firm name column",
                    ),
                )
                continue
            group = by_code.get(code) if code else by_name.get(key)
            if group is None:
                group = _Raw(table.origin, line, dict(row))
                if code:
                    by_code[code] = group
                if name:
                    by_name.setdefault(name, group)
            label = _text(row.get("revenue_line"))
            if label:
                group.lines.append((label, _share(row.get("revenue_share"))))

    def raws() -> Iterator[_Raw]:
        used: set[int] = set()
        for table in firm_tables:
            for line, row in table.rows():
                problem = _row_problem(row)
                if problem:
                    _bad(bad, options, Issue(table.origin, problem, line=line))
                    continue
                if not _matches_where(row, options.where):
                    continue
                raw = _Raw(table.origin, line, row)
                code = stock_code(row.get("stock_code"))
                group = by_code.get(code) if code else None
                if group is None:
                    for key in (row.get("legal_name"), row.get("name")):
                        text = _text(key)
                        if text and text in by_name:
                            group = by_name[text]
                            break
                if group is not None:
                    raw.lines = group.lines
                    used.add(id(group))
                yield raw
        seen: set[int] = set()
        for group in [*by_code.values(), *by_name.values()]:
            if id(group) not in used and id(group) not in seen:
                seen.add(id(group))
                yield group

    batch: list[_Raw] = []
    for raw in raws():
        batch.append(raw)
        if len(batch) >= options.chunk:
            yield from _classify_batch(batch, knowledge, index, options, bad)
            batch = []
    if batch:
        yield from _classify_batch(batch, knowledge, index, options, bad)


def _row_problem(row: dict[str, Any]) -> str | None:
    for value in row.values():
        if isinstance(value, DataError):
            return "; ".join(str(i.message) for i in value.issues)
    return None


def _bad(bad: list[Issue] | None, options: Options, issue: Issue) -> None:
    if not options.skip_bad:
        raise DataError([issue])
    if bad is not None:
        bad.append(issue)


def _classify_batch(
    batch: list[_Raw],
    knowledge: Knowledge,
    index: IdentityIndex,
    options: Options,
    bad: list[Issue] | None,
) -> Iterator[ClassifiedRow]:
    places = place_addresses(
        knowledge,
        [_text(r.fields.get("address")) for r in batch],
        [_text(r.fields.get("city")) for r in batch],
    )
    for raw, place in zip(batch, places, strict=True):
        row = _classify_one(raw, place, knowledge, index, options, bad)
        if row is not None:
            yield row


def _classify_one(raw, place, knowledge, index, options, bad) -> ClassifiedRow | None:  # type: ignore[no-untyped-def]
    f = raw.fields
    legal = _text(f.get("legal_name"))
    name = _text(f.get("name"))
    if legal and not name and not is_legal_name(legal):
        name, legal = legal, None  # a short name in the 名称 column
    if name and legal is None and is_legal_name(name):
        legal = name
    problems: list[str] = []
    uscc = _text(f.get("uscc"))
    if uscc:
        try:
            uscc = uscc.upper() if _uscc_ok(uscc.upper()) else check_uscc(uscc)
        except ValueError as exc:
            issue = Issue(
                raw.file,
                str(exc),
                line=raw.line,
                field="uscc",
                value=uscc,
                expected="the 18-character code on the business licence (GB 32100-2015)",
            )
            _bad(bad, options, issue)
            problems.append(str(issue))
            uscc = None
    if not (legal or name):
        _bad(
            bad,
            options,
            Issue(
                raw.file,
                "row has no firm name",
                line=raw.line,
                field="legal_name",
                expected="a 企业名称 or 简称 cell",
            ),
        )
        return None
    code = stock_code(f.get("stock_code"))
    former = [n for n in (_text(x) for x in _SPLIT.split(str(f.get("former_names") or ""))) if n]
    match = index.resolve(uscc=uscc, code=code, legal_name=legal, name=name, former_names=former)

    hits: list[Hit] = []
    why: list[str] = []
    products_text = _text(f.get("products"))
    product_items: list[tuple[str, float | None]] = []
    for item in _SPLIT.split(products_text or ""):
        percent = _SHARE.search(item)
        share = float(percent.group(1) or percent.group(2)) / 100 if percent else None
        if item.strip():
            product_items.append((item, share))
    # a wholesaler's 药品/西药 lines name what it sells (批发 93% beside 药品 96%)
    trading = trade_firm(knowledge, [*raw.lines, *product_items])
    # a pesticide maker's 制剂 lines are pesticide formulations, not drugs
    dropped = (
        knowledge.context_terms
        if pesticide_firm(knowledge, [*raw.lines, *product_items])
        else frozenset()
    )
    # the firm's own (short) name, unless it is a term itself (a firm called 机器人)
    own = [
        n
        for n in ({name, _text(f.get("name"))} if raw.lines else ())
        if n and len(n) >= 2 and [e.term for e in find_terms(knowledge, n)] != [n.lower()]
    ]
    for label, share in leading_lines(raw.lines, options.min_share, options.max_lines):
        if no_evidence_line(knowledge, label):
            continue
        if any(n in label for n in own):
            continue  # a segment named after the firm (德方纳米 98%) says nothing of its products
        conf = 0.75 if share is None else round(min(1.0, 0.7 + 0.6 * share), 3)
        found = text_hits(knowledge, label, "strong", conf, share, revenue=True)
        if trading:
            found = [h for h in found if h.term not in knowledge.trade_terms]
        found = [h for h in found if h.term not in dropped]
        hits.extend(found)
        why.extend(
            f"主营构成 {label}" + (f" ({share:.0%})" if share is not None else "") + f": {h.term}"
            for h in found
        )
    for item, share in leading_lines(product_items, options.min_share, options.max_lines):
        if no_evidence_line(knowledge, _SHARE.sub("", item)):
            continue
        found = text_hits(
            knowledge,
            item,
            "strong",
            0.75 if share is None else round(min(1.0, 0.7 + 0.6 * share), 3),
            share,
            revenue=True,
        )
        if trading:
            found = [h for h in found if h.term not in knowledge.trade_terms]
        found = [h for h in found if h.term not in dropped]
        hits.extend(found)
        why.extend(f"主营产品 {item.strip()}: {h.term}" for h in found)
    scope = _text(f.get("scope"))
    if scope:
        items = scope_items(knowledge, scope)
        core = items[: knowledge.core_items]
        found = [h for i in core for h in text_hits(knowledge, i, "medium", 0.5)]
        if not found:
            found = [
                h
                for i in items[knowledge.core_items :]
                for h in text_hits(knowledge, i, "medium", 0.35)
            ]
        hits.extend(found)
        why.extend(f"经营范围: {h.term}" for h in found)
    industry = _text(f.get("industry"))
    if industry:
        target = _industry_target(knowledge, industry)
        if target is not None:
            hits.append(Hit(target, industry, "medium", 0.55, industry))
            why.append(f"国标行业 {industry}")
    if not (hits or raw.lines or products_text or scope or industry):
        # the name alone (weak) only speaks for a row that says nothing else
        for text in (legal, name):
            if text:
                found = text_hits(knowledge, text, "weak", 0.3)
                if found:
                    hits.extend(found)
                    why.extend(f"名称 {text}: {h.term}" for h in found)
                    break

    hits = weighed(
        hits, options.min_chain_share, options.min_side_chain_share, options.side_main_share
    )
    segments: dict[str, dict[str, Any]] = {}
    products: dict[str, dict[str, Any]] = {}
    chains: dict[str, None] = {}
    shares: dict[str, float] = {}
    for hit in hits:
        t: Target = hit.target
        chains[t.chain] = None
        if hit.share is not None:
            shares[t.chain] = max(shares.get(t.chain, 0.0), hit.share)
        if t.segment:
            _keep(segments, t.segment, knowledge.targets[t.segment].name, hit, t.chain)
        if t.product:
            _keep(products, t.product, knowledge.targets[t.product].name, hit, t.chain)
    status = _text(f.get("status"))
    closed = bool(status and any(s in status for s in CLOSED_STATUSES))
    board = _text(f.get("board"))
    return ClassifiedRow(
        file=raw.file,
        line=raw.line,
        name=name or legal,
        legal_name=legal,
        match={"id": match.id, "name": match.name, "by": match.by} if match else None,
        chains=sorted(chains),
        segments=sorted(segments.values(), key=lambda s: (-s["confidence"], s["id"])),
        products=sorted(products.values(), key=lambda s: (-s["confidence"], s["id"])),
        town=place.town,
        town_name=place.town_name,
        region={"province": place.province, "city": place.city, "district": place.district},
        status=status,
        closed=closed,
        why=list(dict.fromkeys(why)),
        uscc=uscc,
        stock_code=code,
        board=board,
        former_names=former,
        source=_text(f.get("source_url")) or _text(f.get("source")),
        as_of=_as_of(_text(f.get("as_of"))),
        city_id=place.city_id,
        problems=problems,
        chain_shares=shares,
    )


def _industry_target(knowledge: Knowledge, industry: str) -> Target | None:
    """The target a 国标行业 cell names, by its GB/T 4754 code or class name (read once
    per distinct cell: a registry repeats a few hundred classes)."""
    key = ("gbt", industry)
    if key in knowledge.memo:
        return knowledge.memo[key]
    target = None
    code_match = _GBT.search(industry)
    if code_match and code_match.group(1) in knowledge.gbt:
        target = knowledge.gbt[code_match.group(1)]
    else:
        for gname, gtarget in knowledge.gbt_names.items():
            if gname and gname in industry:
                target = gtarget
                break
    knowledge.memo[key] = target
    return target


def _keep(into: dict[str, dict[str, Any]], node_id: str, name: str, hit: Hit, chain: str) -> None:
    known = into.get(node_id)
    entry = {
        "id": node_id,
        "name": name,
        "chain": chain,
        "evidence": hit.evidence,
        "confidence": hit.confidence,
        "share": hit.share,
        "term": hit.term,
    }
    if known is None or (EVIDENCE_RANK[hit.evidence], hit.confidence) > (
        EVIDENCE_RANK[known["evidence"]],
        known["confidence"],
    ):
        into[node_id] = entry
