#!/usr/bin/env python3
"""Counts of the bundled company layer: facts, unverified share, Dongguan firms with a town.

Reads the company files of the bundled dataset straight from YAML (optionally as they
were at a git revision) so before/after figures of a data change can be compared::

    python3 scripts/dg_layer_counts.py                  # the working tree
    python3 scripts/dg_layer_counts.py --rev 9b4a780    # as at a commit
    python3 scripts/dg_layer_counts.py --rev 9b4a780 --compare   # before and after side by side

A *fact* is a company record's own provenance (one per record occurrence, carrying the
headquarters), each of its ``makes``, ``sites`` and ``supplies`` entries, and each edge
from it in a file's ``relationships`` list; a fact is unverified when its effective ``source`` (own, else the record's, else the file's) is
``unverified``. A Dongguan firm is one located in Dongguan in any role; it has a town when
one of its places is a town, district or park of Dongguan, or one of the plan's bases.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DG = "region:cn-dongguan"


def _files(rev: str | None) -> dict[str, dict]:
    """Path -> parsed YAML of the region, base and company files, at ``rev`` or on disk."""
    wanted = ["ontology/regions.yaml", "ontology/bases.yaml", "ingest/companies/*.yaml"]
    if rev is None:
        paths = [
            p.relative_to(ROOT).as_posix() for p in sorted(ROOT.glob("ingest/companies/*.yaml"))
        ]
        paths = ["ontology/regions.yaml", "ontology/bases.yaml", *paths]
        return {p: yaml.safe_load((ROOT / p).read_text(encoding="utf-8")) for p in paths}
    listing = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "-r", "--name-only", rev],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    out = {}
    for p in listing:
        if any(fnmatch.fnmatch(p, w) for w in wanted):
            text = subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{rev}:{p}"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            out[p] = yaml.safe_load(text)
    return out


def counts(rev: str | None = None) -> dict[str, object]:
    """The layer's counts at ``rev`` (None: the working tree)."""
    docs = _files(rev)
    parent: dict[str, str] = {}
    level: dict[str, str] = {}
    for r in docs["ontology/regions.yaml"].get("regions", []):
        parent[r["id"]] = r.get("parent", "")
        level[r["id"]] = r["level"]
    base_region = {
        b["id"]: b.get("region", "") for b in docs["ontology/bases.yaml"].get("bases", [])
    }

    def in_dg(region: str) -> bool:
        while region:
            if region == DG:
                return True
            region = parent.get(region, "")
        return False

    facts = unverified = 0
    places: dict[str, set[str]] = {}
    firm_facts: dict[str, list[bool]] = {}
    makes: dict[str, int] = Counter()
    for path, doc in docs.items():
        if not path.startswith("ingest/companies/"):
            continue
        fsrc = doc.get("source")
        for c in doc.get("companies", []) or []:
            cid = c["id"]
            csrc = c.get("source", fsrc)
            own = places.setdefault(cid, set())
            flags = firm_facts.setdefault(cid, [])
            flags.append(csrc == "unverified")
            if c.get("hq"):
                own.add(c["hq"])
            for key in ("makes", "sites", "supplies"):
                for e in c.get(key, []) or []:
                    src = e.get("source", csrc) if isinstance(e, dict) else csrc
                    flags.append(src == "unverified")
                    if key == "makes":
                        makes[cid] += 1
                    if key == "sites":
                        own.add(e.get("region") or base_region.get(e.get("base", ""), ""))
        # edges listed apart from their firm's record (a firm homed in another chain's file)
        for e in doc.get("relationships", []) or []:
            if str(e.get("from", "")).startswith("co:"):
                firm_facts.setdefault(e["from"], []).append(e.get("source", fsrc) == "unverified")
    for flags in firm_facts.values():
        facts += len(flags)
        unverified += sum(flags)
    dg_firms = [c for c, ps in places.items() if any(in_dg(p) for p in ps)]
    with_town = [c for c in dg_firms if any(in_dg(p) and p != DG for p in places[c])]
    dg_facts = [f for c in dg_firms for f in firm_facts[c]]
    return {
        "companies": len(firm_facts),
        "facts": facts,
        "unverified_facts": unverified,
        "unverified_share": round(unverified / facts, 3) if facts else 0.0,
        "dongguan_firms": len(dg_firms),
        "dongguan_with_town": len(with_town),
        "dongguan_without_town": sorted(set(dg_firms) - set(with_town)),
        "dongguan_facts": len(dg_facts),
        "dongguan_unverified_share": round(sum(dg_facts) / len(dg_facts), 3) if dg_facts else 0.0,
        "dongguan_without_products": sorted(c for c in dg_firms if not makes[c]),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rev", help="git revision to read (default: the working tree)")
    ap.add_argument(
        "--compare", action="store_true", help="print --rev (before) and the working tree (after)"
    )
    args = ap.parse_args(argv)
    if args.compare:
        before, after = counts(args.rev or "HEAD"), counts(None)
        keys = [k for k, v in after.items() if not isinstance(v, list)]
        print(f"{'':28}{'before':>10}{'after':>10}")
        for k in keys:
            print(f"{k:28}{before[k]!s:>10}{after[k]!s:>10}")
        for k in ("dongguan_without_town", "dongguan_without_products"):
            print(f"{k} (after): {', '.join(after[k]) or '-'}")  # type: ignore[arg-type]
    else:
        json.dump(counts(args.rev), sys.stdout, ensure_ascii=False, indent=1)
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
