#!/usr/bin/env python3
"""Ties and overlap of the bases' target lists: how far apart the lists of different bases are.

For every bundled base, its ``top`` targets (``target_list``, one list per base) and how
many adjacent pairs tie exactly on score; then, for every pair of bases, how many firms
their lists share. Issue #20 bounds both: ties ≤ 5% of adjacent pairs in each base's top
30, and bases with different focus sharing well under half of it. Run from the
repository root (reads the bundled data, or ``--store`` a saved store)::

    python3 scripts/target_overlap.py               # top 30, bundled data
    python3 scripts/target_overlap.py --top 20 --store store.json --format json
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chaingraph.analysis.targets import target_list  # noqa: E402
from chaingraph.dataset import load_bundled  # noqa: E402
from chaingraph.store.networkx import NetworkxStore  # noqa: E402
from chaingraph.testing import BUNDLED_BASES  # noqa: E402


def measure(store: NetworkxStore, top: int) -> dict[str, object]:
    """Per base: rows, exact ties of adjacent pairs; per pair of bases: shared firms."""
    lists = {base: target_list(store, base, top=top).rows for base in BUNDLED_BASES}
    bases = {
        base: {
            "rows": len(rows),
            "ties": sum(a.score == b.score for a, b in itertools.pairwise(rows)),
            "tied": [
                f"{a.name}={b.name} ({a.score})"
                for a, b in itertools.pairwise(rows)
                if a.score == b.score
            ],
        }
        for base, rows in lists.items()
    }
    firms = {base: {t.company for t in rows} for base, rows in lists.items()}
    overlap = {
        f"{a} & {b}": len(firms[a] & firms[b]) for a, b in itertools.combinations(BUNDLED_BASES, 2)
    }
    return {"top": top, "bases": bases, "overlap": overlap}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--store", type=Path, help="a saved store (default: the bundled data)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    if args.store:
        store = NetworkxStore.open(args.store)
    else:
        store = NetworkxStore()
        load_bundled(store)
    result = measure(store, args.top)
    if args.format == "json":
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    for base, row in result["bases"].items():  # type: ignore[attr-defined]
        tied = f"  ({'; '.join(row['tied'])})" if row["tied"] else ""
        print(f"{base}: {row['rows']} rows, {row['ties']} ties{tied}")
    for pair, shared in result["overlap"].items():  # type: ignore[attr-defined]
        print(f"{pair}: {shared} shared")
    return 0


if __name__ == "__main__":
    sys.exit(main())
