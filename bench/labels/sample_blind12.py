"""Draw the blind12 sample and print its firms for hand labelling (nothing is written).

    python bench/labels/sample_blind12.py [--data ../shared/data] > /tmp/blind12.txt

Pool: the CKG firms (``ckg/company_product.jsonl.gz``) with a revenue line of share
≥ 5% that are in none of the label sets ``bench/labels/ckg_chains*.csv`` and none of
the unlabelled samples read while tuning (seeds 47, 53, 59, 71). Those are rebuilt as
the labels README says: seeds 47, 53 and 59 (200, 200, 220 firms) each drawn with
``random.sample(sorted(pool), n)`` over the firms in none of the label sets of seeds
19–43; seed 71 (900 firms) over the firms in none of the label sets of seeds 19–67.
The rebuild is checked: with it, blind6, blind8, dev11 and blind11 come out exactly
as stored (blind7, blind9 and blind10 cannot be redrawn by any variant tried; the
rebuilt seed-71 sample shares 75 and 56 firms with blind9 and blind10, so the sample
read while tuning may have differed from it; the pool is the one dev11 and blind11
were drawn from, less those two sets). Then ``random.seed(101); random.sample(sorted(pool), 300)`` is blind12.

Prints, per firm, its code, short name and every revenue line of share ≥ 5% (share
descending). The output is the real files' text: read it, never commit it.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import random
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
LABELS = ROOT / "bench" / "labels"
MIN_SHARE = 0.05
SEED, SIZE = 101, 300

# every label set in the order it was drawn (seed, file suffix)
LABELLED = [
    (19, ""),
    (23, "_holdout"),
    (29, "_blind"),
    (31, "_blind2"),
    (37, "_blind3"),
    (41, "_blind4"),
    (43, "_blind5"),
    (61, "_blind6"),
    (67, "_blind7"),
    (73, "_blind8"),
    (79, "_blind9"),
    (83, "_blind10"),
    (89, "_dev11"),
    (97, "_blind11"),
]
# unlabelled samples read while tuning: (seed, size, label sets drawn before it)
UNLABELLED = [(47, 200, 43), (53, 200, 43), (59, 220, 43), (71, 900, 67)]


def _codes(suffix: str) -> list[str]:
    with open(LABELS / f"ckg_chains{suffix}.csv", encoding="utf-8") as fh:
        return [row["code"] for row in csv.DictReader(fh)]


def _draw(seed: int, pool: set[str], n: int) -> list[str]:
    random.seed(seed)
    return random.sample(sorted(pool), n)


def sample(lines: dict[str, list[tuple[float, str]]]) -> list[str]:
    """The blind12 codes, drawn from the firms with a line ≥ 5% as the module says."""
    candidates = {code for code, rows in lines.items() if any(s >= MIN_SHARE for s, _ in rows)}
    labelled = {seed: _codes(suffix) for seed, suffix in LABELLED}

    def drawn_before(seed: int) -> set[str]:
        return {c for s, codes in {**labelled, **unlabelled}.items() if s < seed for c in codes}

    unlabelled: dict[int, list[str]] = {}
    for seed, n, before in UNLABELLED:
        earlier = {c for s, codes in labelled.items() if s <= before for c in codes}
        unlabelled[seed] = _draw(seed, candidates - earlier, n)
    # the check that the rebuild is the one the later label sets were drawn against
    for seed in (61, 73, 89, 97):
        if _draw(seed, candidates - drawn_before(seed), len(labelled[seed])) != labelled[seed]:
            raise SystemExit(f"the rebuild does not reproduce the label set of seed {seed}")
    excluded = drawn_before(SEED)
    pool = candidates - excluded
    print(f"# pool {len(pool)} firms; seed {SEED}; sample {SIZE}", file=sys.stderr)
    return _draw(SEED, pool, SIZE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("CHAINGRAPH_SHARED_DATA", ROOT.parent / "shared" / "data")),
    )
    args = parser.parse_args()
    names: dict[str, str] = {}
    lines: dict[str, list[tuple[float, str]]] = defaultdict(list)
    with gzip.open(args.data / "ckg" / "company_product.jsonl.gz", "rt", encoding="utf-8") as fh:
        for raw in fh:
            row = json.loads(raw)
            code = row["company_code"]
            names.setdefault(code, row["company_name"])
            lines[code].append((float(row["rel_weight"] or 0.0), row["product_name"]))
    for i, code in enumerate(sample(lines), 1):
        shown = sorted((r for r in lines[code] if r[0] >= MIN_SHARE), reverse=True)
        text = "; ".join(f"{name} {share:.0%}" for share, name in shown)
        print(f"{i:3d} {code} {names[code]} | {text}")


if __name__ == "__main__":
    main()
