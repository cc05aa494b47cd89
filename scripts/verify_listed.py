#!/usr/bin/env python3
"""Check the bundled A-share firms against public exchange data and rewrite what it confirms.

For every company of ``ingest/companies/*.yaml`` with a 6-digit A-share code:

* each ``makes`` product is looked up among the firm's revenue lines (主营构成) in
  ChainKnowledgeGraph's ``company_product.jsonl.gz``; a product whose name or alias matches a
  revenue line (or one of the reviewed equivalences in ``EQUIVALENT``) gets that line as its
  source (``ChainKnowledgeGraph 主营构成 (2021)``) and the line's share as ``revenue_share``;
  products listed in ``DROP`` failed the check (the firm's revenue lines contradict them) and
  are removed; the rest keep their source and are counted as not confirmed;
* the registered address in the SZSE list (``深交所A股列表 (2025-12-30)``) gives the city and,
  for Dongguan firms, the town: the headquarters is rewritten as a sourced 注册地/总部 site;
* the 2021 short and full names of ChainKnowledgeGraph that differ from today's SZSE names are
  kept as ``former_names`` (and as aliases, so name lookup finds them).

Firms are found by their A-share code (only on 深交所/上交所/北交所 boards: Korean six-digit
codes are not A-share codes), else by their full legal name (a short name alone is reported,
never applied). SSE firms have no address in the shared data: their full name's place prefix
(企业名称所冠行政区划) confirms a city-level headquarters (``ChainKnowledgeGraph 上市公司 (2021)``).
A register source on a record confirms the firm and its registered place only: the makes, sites
and supplies entries that inherited the record's old ``unverified`` get it written on each.
Rerunning changes nothing.

Needs the shared public data (``$CHAINGRAPH_SHARED_DATA``, default ``../shared/data``); it
prints what it confirmed, changed and dropped, and with ``--write`` rewrites the company
records in place (only the records it changes; comments and other records are untouched).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from company_records import rewrite_blocks
from verify_listed_review import DROP, EQUIVALENT, FIRM_EQUIVALENT, GENERIC

ROOT = Path(__file__).resolve().parent.parent
CKG_PRODUCTS = "ChainKnowledgeGraph 主营构成 (2021)"
CKG_FIRMS = "ChainKnowledgeGraph 上市公司 (2021)"
SZSE = "深交所A股列表 (2025-12-30)"
SZSE_AS_OF = "2025-12-30"
CKG_AS_OF = "2021-10"


# Listings whose codes are A-share codes (Korean and other 6-digit codes are not).
A_SHARE_BOARDS = ("深交所", "上交所", "北交所")


def shared_data() -> Path:
    return Path(os.environ.get("CHAINGRAPH_SHARED_DATA", ROOT.parent / "shared" / "data"))


def load_exchange() -> tuple[
    dict[str, list[tuple[str, float]]], dict[str, dict[str, str]], dict[str, dict[str, str]]
]:
    """Revenue lines per code, SZSE rows per code, CKG firm rows per code."""
    data = shared_data()
    lines: dict[str, list[tuple[str, float]]] = defaultdict(list)
    with gzip.open(data / "ckg" / "company_product.jsonl.gz", "rt", encoding="utf-8") as fh:
        for raw in fh:
            d = json.loads(raw)
            lines[d["company_code"][:6]].append((d["product_name"], float(d["rel_weight"])))
    with open(data / "szse" / "szse_a_list_20251230.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    szse = {}
    for r in rows:
        szse[r["A股代码"]] = {re.sub(r"\s+", "", k): v for k, v in r.items()}
    ckg = {}
    with open(data / "ckg" / "company.jsonl", encoding="utf-8") as fh:
        for raw in fh:
            d = json.loads(raw)
            ckg[d["code"][:6]] = d
    return lines, szse, ckg


def product_names() -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for path in sorted((ROOT / "ontology" / "chains").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for p in doc.get("products", []) or []:
            names[p["id"]] = [p["name"], *(p.get("aliases") or [])]
    return names


def town_regions() -> dict[str, str]:
    """Dongguan town/district name (and its short forms) -> region id."""
    doc = yaml.safe_load((ROOT / "ontology" / "regions.yaml").read_text(encoding="utf-8"))
    out = {}
    for r in doc["regions"]:
        if r["id"].startswith("region:dg-") and r["level"] in ("town", "district"):
            for n in [r["name"], *(r.get("aliases") or [])]:
                out[n] = r["id"]
    return out


def city_regions() -> dict[str, str]:
    doc = yaml.safe_load((ROOT / "ontology" / "regions.yaml").read_text(encoding="utf-8"))
    return {r["name"]: r["id"] for r in doc["regions"] if r["level"] == "city"}


def town_of(address: str, towns: dict[str, str]) -> str | None:
    """The Dongguan town or park an address names (longest name first; 松山湖 before 东城)."""
    if "松山湖" in address:
        return "region:dg-songshanhu"
    rest = address.split("东莞市", 1)[-1]
    for name in sorted(towns, key=len, reverse=True):
        if len(name) >= 2 and rest.startswith(name):
            return towns[name]
    for suffix in ("街道", "区", "镇"):
        m = re.match(r"(.{2,3}?)" + suffix, rest)
        if m and m.group(1) in towns:
            return towns[m.group(1)]
    return None


def _norm(name: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", name))


def name_index(
    szse: dict[str, dict[str, str]], ckg: dict[str, dict[str, str]]
) -> tuple[dict[str, str], dict[str, str]]:
    """Full name -> code and short name -> code, from the SZSE list and ChainKnowledgeGraph."""
    full: dict[str, str] = {}
    short: dict[str, str] = {}
    for code, d in ckg.items():
        full[_norm(d["fullname"])] = code
        short[_norm(d["name"])] = code
    for code, r in szse.items():
        full[_norm(r["公司全称"])] = code
        short[_norm(r["A股简称"])] = code
    return full, short


def find_by_name(
    c: dict[str, Any], byfull: dict[str, str], byshort: dict[str, str]
) -> tuple[str, str] | None:
    """("全称" | "简称", code) of the A-share firm a record names, if any."""
    if c.get("legal_name") and _norm(c["legal_name"]) in byfull:
        return "全称", byfull[_norm(c["legal_name"])]
    for n in [c["name"], *(c.get("aliases") or [])]:
        if _norm(n) in byshort:
            return "简称", byshort[_norm(n)]
    return None


def board_of(code: str, szse: dict[str, dict[str, str]]) -> str:
    if code in szse:
        return "深交所" + szse[code]["板块"]
    if code.startswith("688"):
        return "上交所科创板"
    if code.startswith("6"):
        return "上交所主板"
    return "北交所"


def city_of_name(fullname: str, cities: dict[str, str]) -> str | None:
    """The city a Chinese firm's full name starts with (after an optional province)."""
    rest = re.sub(
        r"^(.{2,3}?省|广西壮族自治区|内蒙古自治区|新疆维吾尔自治区|宁夏回族自治区)", "", fullname
    )
    for name, rid in sorted(cities.items(), key=lambda x: -len(x[0])):
        short = name.removesuffix("市")
        if rest.startswith(name) or (len(short) >= 2 and rest.startswith(short)):
            return rid
    # 中微半导体设备(上海)股份有限公司: the place in brackets before the company form
    m = re.search(r"[(（]([^()（）]{2,4})[)）](股份)?有限公司$", fullname)
    if m:
        for name, rid in cities.items():
            if m.group(1) in (name, name.removesuffix("市")):
                return rid
    return None


def province_regions() -> dict[str, str]:
    doc = yaml.safe_load((ROOT / "ontology" / "regions.yaml").read_text(encoding="utf-8"))
    return {r["name"]: r["id"] for r in doc["regions"] if r["level"] == "province"}


def region_parents() -> dict[str, str]:
    doc = yaml.safe_load((ROOT / "ontology" / "regions.yaml").read_text(encoding="utf-8"))
    return {r["id"]: r.get("parent", "") for r in doc["regions"]}


def _inside(region: str, area: str, parents: dict[str, str]) -> bool:
    while region:
        if region == area:
            return True
        region = parents.get(region, "")
    return False


def province_of_name(fullname: str, provinces: dict[str, str]) -> str | None:
    """The province a firm's full name starts with (江苏恒瑞医药… -> 江苏省)."""
    for name, rid in provinces.items():
        short = re.sub(r"(省|壮族自治区|回族自治区|维吾尔自治区|自治区)$", "", name)
        if fullname.startswith(name) or (len(short) >= 2 and fullname.startswith(short)):
            return rid
    return None


def _name_site(place: str, full: str, code: str) -> dict[str, str]:
    return {
        "region": place,
        "role": "总部",
        "note": "注册地（企业名称所冠行政区划）",
        "source": f"{CKG_FIRMS}，全称{full}，代码{code}",
        "as_of": CKG_AS_OF,
    }


def match_line(
    pid: str, names: list[str], lines: list[tuple[str, float]], cid: str = ""
) -> tuple[str, float] | None:
    words = [n for n in names if len(n) >= 2] + list(EQUIVALENT.get(pid, ()))
    words += list(FIRM_EQUIVALENT.get((cid, pid), ()))
    best: tuple[str, float] | None = None
    for label, weight in lines:
        if label in GENERIC or len(label) < 2:
            continue
        if any(
            w.lower() in label.lower() or (len(label) >= 3 and label.lower() in w.lower())
            for w in words
        ) and (best is None or weight > best[1]):
            best = (label, weight)
    return best


def plan(write: bool) -> dict[str, Any]:
    lines, szse, ckg = load_exchange()
    pnames = product_names()
    towns = town_regions()
    cities = city_regions()
    provinces = province_regions()
    parents = region_parents()
    byfull, byshort = name_index(szse, ckg)
    report: dict[str, Any] = defaultdict(list)
    seen: set[str] = set()
    # A firm described in several chain files carries its listing in one of them.
    listings: dict[str, dict[str, Any]] = {}
    for path in sorted((ROOT / "ingest" / "companies").glob("*.yaml")):
        for c in yaml.safe_load(path.read_text(encoding="utf-8")).get("companies") or []:
            if c.get("listing"):
                listings.setdefault(c["id"], c["listing"])
    for path in sorted((ROOT / "ingest" / "companies").glob("*.yaml")):
        if path.name == "dongguan-local.yaml":
            continue  # generated from ingest/sources/dongguan-firms.csv by dg_layer_build.py
        text = path.read_text(encoding="utf-8")
        doc = yaml.safe_load(text)
        fsrc, fasof = doc.get("source"), doc.get("as_of")
        new_blocks: dict[str, dict[str, Any]] = {}
        for c in doc.get("companies", []) or []:
            listing = c.get("listing") or listings.get(c["id"]) or {}
            code = str(listing.get("code", ""))
            if not (
                re.fullmatch(r"[0-9]{6}", code)
                and any(b in str(listing.get("board", "")) for b in A_SHARE_BOARDS)
            ):
                found = find_by_name(c, byfull, byshort)
                if found is None:
                    continue
                how, code = found
                if how != "全称" or listing:
                    # a short name alone is not enough (步步高 002251 is a supermarket chain),
                    # and a firm listed elsewhere keeps its own listing
                    report["name_only"].append((c["id"], c["name"], how, code))
                    continue
                c["listing"] = {"board": board_of(code, szse), "code": code}
                report["listing_added"].append((c["id"], c["name"], code))
                new_blocks[c["id"]] = c
            changed = False
            csrc, _casof = c.get("source", fsrc), c.get("as_of", fasof)
            flines = lines.get(code, [])
            makes = []
            for e in c.get("makes", []) or []:
                pid = e if isinstance(e, str) else e["product"]
                props = {} if isinstance(e, str) else {k: v for k, v in e.items() if k != "product"}
                src = props.get("source", csrc)
                if (c["id"], pid) in DROP:
                    report["dropped"].append((c["id"], c["name"], pid, DROP[(c["id"], pid)]))
                    changed = True
                    continue
                hit = match_line(pid, pnames.get(pid, []), flines, c["id"]) if flines else None
                if hit is not None and (src == "unverified" or CKG_PRODUCTS not in str(src)):
                    label, weight = hit
                    report["confirmed"].append(
                        (c["id"], c["name"], pid, label, round(weight, 3), src == "unverified")
                    )
                    if src == "unverified":
                        props = {
                            "source": f"{CKG_PRODUCTS}，{c['name']}主营产品「{label}」",
                            "as_of": "2021",
                        }
                        if 0 < weight <= 1:
                            props["revenue_share"] = round(weight, 3)
                        changed = True
                elif src == "unverified":
                    report["not_confirmed"].append((c["id"], c["name"], pid, bool(flines)))
                makes.append({"product": pid, **props} if props else pid)
            if changed:
                c["makes"] = makes
            row = szse.get(code)
            if row is not None:
                city = cities.get(row["城市"])
                address = row["注册地址"]
                hq = c.get("hq")
                sites = list(c.get("sites") or [])
                place = town_of(address, towns) if row["城市"] == "东莞市" else city
                if place is None:
                    report["no_region"].append((c["id"], c["name"], row["城市"], address))
                else:
                    note = f"{SZSE}，注册地址{address}"
                    first = c["id"] not in seen
                    seen.add(c["id"])
                    vague = (None, "region:cn-dongguan", place)
                    wrong = [
                        s for s in sites if s.get("role") == "注册地" and s.get("region") != place
                    ]
                    if wrong:
                        report["site_dropped"].append(
                            (c["id"], c["name"], [s["region"] for s in wrong], place, address)
                        )
                        sites = [s for s in sites if s not in wrong]
                        c["sites"] = sites
                        changed = True
                    if hq in vague:
                        c.pop("hq", None)
                        sites = [
                            s
                            for s in sites
                            if not (
                                s.get("role") in ("总部", "注册地") and s.get("region") in vague
                            )
                        ]
                        if first:
                            if hq != place and not any(
                                x.get("region") == place for x in c.get("sites") or []
                            ):
                                report["place_changed"].append(
                                    (c["id"], c["name"], hq, place, address)
                                )
                            sites.insert(
                                0,
                                {
                                    "region": place,
                                    "role": "总部",
                                    "note": "注册地",
                                    "source": note,
                                    "as_of": SZSE_AS_OF,
                                },
                            )
                        c["sites"] = sites
                        changed = True
                    elif first and not any(s.get("region") == place for s in sites):
                        report["place_added"].append((c["id"], c["name"], hq, place, address))
                        sites.append(
                            {"region": place, "role": "注册地", "source": note, "as_of": SZSE_AS_OF}
                        )
                        if hq is not None and c.get("source", fsrc) == "unverified":
                            # the register confirms the firm and where it is registered, not
                            # the record's other headquarters: that stays apart, unsourced
                            c.pop("hq")
                            sites.append(
                                {
                                    "region": hq,
                                    "role": "总部",
                                    "source": "unverified",
                                    "as_of": str(c.get("as_of", fasof)),
                                }
                            )
                        c["sites"] = sites
                        changed = True
            elif code in ckg:
                # SSE firms have no address here: their full name's place prefix is where they
                # are registered (企业名称冠以所在地行政区划), which confirms a city-level hq
                full = ckg[code]["fullname"]
                hq = c.get("hq")
                place = city_of_name(full, cities)
                province = province_of_name(full, provinces) if place is None else None
                confirmed_before = any(
                    str(x.get("source", "")).startswith((SZSE, CKG_FIRMS))
                    for x in c.get("sites") or []
                )
                if hq is None and confirmed_before:
                    pass  # confirmed on an earlier run
                elif hq is None:
                    # no place on this record: the register confirms the firm and its listing
                    if c.get("source", fsrc) == "unverified":
                        report["sse_record_confirmed"].append((c["id"], c["name"], full))
                        changed = True
                elif place is not None and (place == hq or _inside(hq, place, parents)):
                    first = c["id"] not in seen
                    seen.add(c["id"])
                    if place != hq:
                        pass  # a town inside the named city: keep the precise place
                    else:
                        c.pop("hq")
                        if first:
                            sites = [
                                s
                                for s in c.get("sites") or []
                                if not (s.get("role") == "总部" and s.get("region") == place)
                            ]
                            sites.insert(0, _name_site(place, full, code))
                            c["sites"] = sites
                        report["sse_hq_confirmed"].append((c["id"], c["name"], place, full))
                        changed = True
                elif c.get("source", fsrc) != "unverified":
                    pass  # the record's own source covers its headquarters
                else:
                    # the name confirms another place (registered elsewhere), only a province,
                    # or none: the register's place becomes the sourced 注册地, the record's
                    # headquarters stays as a 总部 site without a source (to verify or drop)
                    registered = place or province
                    c.pop("hq")
                    sites = list(c.get("sites") or [])
                    if registered is not None and not any(
                        s.get("region") == registered for s in sites
                    ):
                        sites.insert(0, _name_site(registered, full, code))
                    if hq != registered and not any(s.get("region") == hq for s in sites):
                        sites.append(
                            {
                                "region": hq,
                                "role": "总部",
                                "source": "unverified",
                                "as_of": str(c.get("as_of", fasof)),
                            }
                        )
                    c["sites"] = sites
                    report["sse_hq_split"].append((c["id"], c["name"], hq, registered, full))
                    changed = True
            old = ckg.get(code)
            if old is not None and row is not None:
                now = {
                    re.sub(r"\s", "", unicodedata.normalize("NFKC", n))
                    for n in (row["A股简称"], row["公司全称"], c["name"], c.get("legal_name") or "")
                }
                former = [
                    n
                    for n in (old["name"], old["fullname"])
                    if n and re.sub(r"\s", "", unicodedata.normalize("NFKC", n)) not in now
                ]
                former = [n for n in former if n not in (c.get("former_names") or [])]
                if former:
                    c["former_names"] = [*(c.get("former_names") or []), *former]
                    c["aliases"] = [
                        *(c.get("aliases") or []),
                        *[n for n in former if n not in (c.get("aliases") or [])],
                    ]
                    c["former_names_source"] = f"{CKG_FIRMS}（代码{code}）与{SZSE}"
                    report["former_names"].append((c["id"], c["name"], former))
                    changed = True
                if not c.get("legal_name"):
                    c["legal_name"] = row["公司全称"]
                    changed = True
            # The record's source covers its hq: only the register may replace it.
            if changed and c.get("source", fsrc) == "unverified" and "hq" not in c:
                if row is not None:
                    c["source"] = f"{SZSE}，{row['公司全称']}，A股代码{code}"
                    c["as_of"] = SZSE_AS_OF
                elif code in ckg:
                    c["source"] = f"{CKG_FIRMS}，{ckg[code]['fullname']}，代码{code}"
                    c["as_of"] = CKG_AS_OF
            # A register confirms the firm and its registered place, nothing else: the facts
            # that inherited the record's old `unverified` keep it, written out on each.
            if str(c.get("source", fsrc)).startswith((SZSE, CKG_FIRMS)):
                pinned = pin_inherited(c, fasof)
                if pinned:
                    report["pinned_unverified"].append((c["id"], c["name"], pinned))
                    changed = True
            if changed:
                new_blocks[c["id"]] = c
        if write and new_blocks:
            path.write_text(rewrite_blocks(text, new_blocks), encoding="utf-8")
    return report


def pin_inherited(c: dict[str, Any], as_of: Any) -> int:
    """Write ``source: unverified`` on the makes/sites/supplies entries that give no source."""
    n = 0
    for key, field in (("makes", "product"), ("sites", None), ("supplies", None)):
        entries = c.get(key) or []
        out = []
        for e in entries:
            if isinstance(e, str):
                e = {field: e}
            if "source" not in e:
                e = {**e, "source": "unverified", "as_of": str(e.get("as_of", as_of))}
                n += 1
            out.append(e)
        if entries:
            c[key] = out
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write", action="store_true", help="rewrite the company files")
    args = ap.parse_args(argv)
    report = plan(args.write)
    for key in (
        "confirmed",
        "not_confirmed",
        "dropped",
        "place_changed",
        "place_added",
        "site_dropped",
        "no_region",
        "former_names",
        "pinned_unverified",
        "sse_hq_confirmed",
        "sse_hq_split",
        "sse_record_confirmed",
        "listing_added",
        "name_only",
    ):
        rows = report.get(key, [])
        print(f"## {key}: {len(rows)}")
        for r in rows:
            print("  ", *r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
