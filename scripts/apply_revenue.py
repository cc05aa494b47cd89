#!/usr/bin/env python3
"""Write firms' revenue from ``ingest/sources/company-revenue.csv`` into ``ingest/companies/*.yaml``.

The CSV is the source of truth: one row per firm with its total revenue of the latest
fiscal year found (亿元 CNY), the year, the figure in the reporting currency, the average
exchange rate used, and the public page quoting the figure. For each row the script sets
``revenue_cny_100m``, ``revenue_year``, ``revenue_source`` and ``revenue_as_of`` in the
firm's record, right after its ``name:``/``legal_name:``/``aliases:`` lines, replacing
any revenue lines already there. Nothing else in the files is touched (the ``makes:`` and
``sites:`` lines other people edit stay byte for byte), so the script can be re-run after
any merge; running it twice changes nothing. Run from the repository root::

    python3 scripts/apply_revenue.py          # rewrite the YAML files
    python3 scripts/apply_revenue.py --check  # exit 1 if a YAML file is stale

An id the YAML files do not hold, a malformed number or year, a source without an
address, or a foreign-currency figure that does not convert at a documented rate
(:data:`EXCHANGE_RATES`: the 2024 averages, each with the page stating it) fails with the
CSV line and the fix; no file is written then. ``company-revenue-held.csv`` is checked
the same way.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSV_PATH = ROOT / "ingest" / "sources" / "company-revenue.csv"
COMPANY_DIR = ROOT / "ingest" / "companies"
COLUMNS = (
    "company_id",
    "revenue_cny_100m",
    "revenue_year",
    "currency_figure",
    "exchange_rate",
    "source",
    "as_of",
)
FIELDS = ("revenue_cny_100m", "revenue_year", "revenue_source", "revenue_as_of")
# Header keys after which the revenue lines go (the first lines of a record).
_HEAD_KEYS = ("id", "name", "legal_name", "aliases")
_RECORD = re.compile(r"^(?P<indent>\s*)- id:\s*['\"]?(?P<id>co:[^'\"\s#]+)")
_KEY = re.compile(r"^(?P<indent>\s*)(?:- )?(?P<key>[A-Za-z_][A-Za-z0-9_]*):")
_AS_OF = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")


HELD_PATH = ROOT / "ingest" / "sources" / "company-revenue-held.csv"


@dataclass(frozen=True)
class ExchangeRate:
    """A 2024 average exchange rate a foreign-currency figure is converted with, and the
    public page stating it (``quote`` is the sentence the figure comes from)."""

    cny_per_unit: float
    source: str
    quote: str
    as_of: str


# The rates named in the ``exchange_rate`` column (``USD/CNY 7.1217 (...)``), each with its
# source. EUR/CNY is the ECB's 2024 average EUR/USD reference rate times USD/CNY. The
# addresses are those of the official publications; they were not fetched when this was
# written (no network), so re-read the quoted figure on the page when a rate is updated.
EXCHANGE_RATES = {
    "USD": ExchangeRate(
        7.1217,
        "https://www.stats.gov.cn/sj/zxfb/202502/t20250228_1958817.html",
        "中华人民共和国2024年国民经济和社会发展统计公报: 全年人民币平均汇率为1美元兑7.1217元人民币",
        "2024",
    ),
    "EUR": ExchangeRate(
        7.7085,
        "https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/"
        "html/eurofxref-graph-usd.en.html",
        "ECB euro reference rate, US dollar, 2024 average 1.0824; × USD/CNY 7.1217 = 7.7085",
        "2024",
    ),
}
_FOREIGN = re.compile(r"^(?P<cur>[A-Z]{3}) (?P<amount>[0-9][0-9,]*(?:\.[0-9]+)?) million$")


def check_conversion(where: str, figure: str, rate: str, revenue: float) -> None:
    """A figure in a foreign currency (``USD 54,073 million``) must name a documented rate
    (:data:`EXCHANGE_RATES`) in ``exchange_rate`` and convert to ``revenue`` (亿元).

    Raises
    ------
    RevenueError
        For an undocumented currency or rate, or a conversion off by more than 0.05%.
    """
    match = _FOREIGN.match(figure.strip())
    if not match:
        return  # a CNY figure (亿元 / 元): no conversion
    currency = match["cur"]
    known = EXCHANGE_RATES.get(currency)
    named = f"{currency}/CNY {known.cny_per_unit:g}" if known else ""
    if known is None or not rate.strip().startswith(named):
        raise RevenueError(
            f"{where}: exchange_rate {rate[:40]!r} is not a documented rate for {currency} "
            f"(expected '{named or currency + '/CNY …'} (…)'; add it to EXCHANGE_RATES with its source)"
        )
    amount = float(match["amount"].replace(",", ""))
    converted = amount * known.cny_per_unit / 100  # million × CNY/unit → 亿元
    if abs(converted - revenue) > 0.0005 * converted:
        raise RevenueError(
            f"{where}: {figure} × {known.cny_per_unit} = {converted:.2f} 亿元, "
            f"but revenue_cny_100m is {revenue:g}; fix the figure or the revenue"
        )


class RevenueError(Exception):
    """A bad row in the revenue CSV or a firm the YAML does not hold."""


@dataclass(frozen=True)
class Revenue:
    company: str
    revenue_cny_100m: float
    revenue_year: int
    source: str
    as_of: str
    line: int

    def lines(self, indent: str) -> list[str]:
        """The record lines, YAML-quoted through JSON (a JSON string is a YAML string)."""
        return [
            f"{indent}revenue_cny_100m: {self.revenue_cny_100m:g}\n",
            f"{indent}revenue_year: {self.revenue_year}\n",
            f"{indent}revenue_source: {json.dumps(self.source, ensure_ascii=False)}\n",
            f"{indent}revenue_as_of: {json.dumps(self.as_of)}\n",
        ]


def read_csv(path: Path | None = None) -> dict[str, Revenue]:
    """The rows of the revenue CSV by company id.

    Raises
    ------
    RevenueError
        On a missing column, a duplicate id, a bad number, year or as_of, or a source
        that names no address (``http…``) or quotes no figure.
    """
    path = path or CSV_PATH
    rows: dict[str, Revenue] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise RevenueError(
                f"{path}: missing column(s) {', '.join(missing)}; header must be {','.join(COLUMNS)}"
            )
        for number, row in enumerate(reader, start=2):
            where = f"{path}:{number}"
            company = (row["company_id"] or "").strip()
            if not company.startswith("co:"):
                raise RevenueError(f"{where}: company_id {company!r} is not a company id (co:…)")
            if company in rows:
                raise RevenueError(
                    f"{where}: {company} already on line {rows[company].line}; keep one row per firm"
                )
            try:
                revenue = float(row["revenue_cny_100m"])
                year = int(row["revenue_year"])
            except ValueError:
                raise RevenueError(
                    f"{where}: revenue_cny_100m {row['revenue_cny_100m']!r} / revenue_year "
                    f"{row['revenue_year']!r} must be a number (亿元) and a year"
                ) from None
            if not revenue > 0 or not 1900 <= year <= 2100:
                raise RevenueError(
                    f"{where}: revenue_cny_100m must be > 0 and revenue_year 1900–2100"
                )
            source = (row["source"] or "").strip()
            if not re.match(r"^https?://\S+ \(.+\)$", source):
                raise RevenueError(
                    f"{where}: source must be 'http… (the quoted figure)', got {source[:60]!r}"
                )
            as_of = (row["as_of"] or "").strip()
            if not _AS_OF.match(as_of):
                raise RevenueError(f"{where}: as_of {as_of!r} must be YYYY, YYYY-MM or YYYY-MM-DD")
            check_conversion(
                where, row["currency_figure"] or "", row["exchange_rate"] or "", revenue
            )
            rows[company] = Revenue(company, round(revenue, 2), year, source, as_of, number)
    return rows


def apply(text: str, revenues: dict[str, Revenue]) -> tuple[str, set[str]]:
    """``text`` (one company file) with the revenue lines of ``revenues`` set; and the ids found."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    found: set[str] = set()
    i = 0
    while i < len(lines):
        match = _RECORD.match(lines[i])
        if not match or match["id"] not in revenues:
            out.append(lines[i])
            i += 1
            continue
        field_indent = match["indent"] + "  "
        end = i + 1
        while end < len(lines) and not _RECORD.match(lines[end]):
            key = _KEY.match(lines[end])
            if key and len(key["indent"]) < len(field_indent) and lines[end].strip():
                break  # a key less indented than the record's fields: the record ended
            end += 1
        record = lines[i:end]
        # Drop old revenue lines (a field line and any continuation lines under it).
        kept: list[str] = []
        skipping = False
        for line in record[1:]:
            key = _KEY.match(line)
            if key and key["indent"] == field_indent:
                skipping = key["key"] in FIELDS
            if not skipping:
                kept.append(line)
        body = [record[0], *kept]
        # After the header keys (and their continuation lines).
        at = 1
        while at < len(body):
            key = _KEY.match(body[at])
            if key and key["indent"] == field_indent and key["key"] in _HEAD_KEYS:
                at += 1
                while at < len(body) and len(body[at]) - len(body[at].lstrip()) > len(field_indent):
                    at += 1
                continue
            break
        out += body[:at] + revenues[match["id"]].lines(field_indent) + body[at:]
        found.add(match["id"])
        i = end
    return "".join(out), found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a YAML file is stale")
    args = parser.parse_args(argv)
    try:
        revenues = read_csv()
        if HELD_PATH.exists():
            read_csv(HELD_PATH)  # the held figures must be well formed too
    except RevenueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    updated: dict[Path, str] = {}
    seen: dict[str, Path] = {}
    for path in sorted(COMPANY_DIR.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        new, found = apply(text, revenues)
        for company in found:
            if company in seen:
                print(f"error: {company} is in both {seen[company]} and {path}", file=sys.stderr)
                return 2
            seen[company] = path
        if new != text:
            updated[path] = new
    unknown = sorted(set(revenues) - set(seen))
    if unknown:
        lines = ", ".join(f"{c} (line {revenues[c].line})" for c in unknown)
        print(
            f"error: {CSV_PATH.relative_to(ROOT)}: no company record in ingest/companies/*.yaml "
            f"for {lines}; fix the id or drop the row",
            file=sys.stderr,
        )
        return 2
    if args.check:
        for path in updated:
            print(f"stale: {path.relative_to(ROOT)} (run python3 scripts/apply_revenue.py)")
        return 1 if updated else 0
    for path, text in updated.items():
        path.write_text(text, encoding="utf-8")
        print(f"updated {path.relative_to(ROOT)}")
    print(f"{len(revenues)} revenue rows applied ({len(updated)} files changed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
