"""Draw the blind13 and relabel13 sets and print their firms for hand labelling (nothing is written).

    python bench/labels/sample_blind13.py [--data ../shared/data] > /tmp/blind13.txt
    python bench/labels/sample_blind13.py --relabel > /tmp/relabel13.txt

blind13: every firm of the pool ``sample_blind12.py`` builds (the CKG firms with a
revenue line of share ≥ 5% in none of the label sets before blind12 and none of the
unlabelled samples read while tuning) that is not in blind12 itself, in code order.
The pool is rebuilt and checked exactly as ``sample_blind12.py`` does, and blind12 is
checked to come out of it as stored.

relabel13 (``--relabel``): a re-labelling sample over the firms already labelled:
the union of the codes of every ``bench/labels/ckg_chains*.csv`` set (blind12
included) that have a line ≥ 5%, then ``random.seed(202); random.sample(sorted(codes), 250)``.

Prints, per firm, its code, short name and every revenue line of share ≥ 5% (share
descending). The output is the real files' text: read it, never commit it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sample_blind12 as b12

RELABEL_SEED, RELABEL_SIZE = 202, 250


def blind13(lines: dict[str, list[tuple[float, str]]]) -> list[str]:
    """The blind13 codes: the blind12 pool less blind12, in code order."""
    candidates = {code for code, rows in lines.items() if any(s >= b12.MIN_SHARE for s, _ in rows)}
    labelled = {seed: b12._codes(suffix) for seed, suffix in b12.LABELLED}
    unlabelled: dict[int, list[str]] = {}
    for seed, n, before in b12.UNLABELLED:
        earlier = {c for s, codes in labelled.items() if s <= before for c in codes}
        unlabelled[seed] = b12._draw(seed, candidates - earlier, n)
    drawn = {**labelled, **unlabelled}

    def drawn_before(seed: int) -> set[str]:
        return {c for s, codes in drawn.items() if s < seed for c in codes}

    for seed in (61, 73, 89, 97):
        if b12._draw(seed, candidates - drawn_before(seed), len(labelled[seed])) != labelled[seed]:
            raise SystemExit(f"the rebuild does not reproduce the label set of seed {seed}")
    pool = candidates - drawn_before(b12.SEED)
    blind12 = b12._codes("_blind12")
    if b12._draw(b12.SEED, pool, b12.SIZE) != blind12:
        raise SystemExit("the rebuild does not reproduce blind12")
    rest = sorted(pool - set(blind12))
    print(f"# blind12 pool {len(pool)} firms, less blind12: {len(rest)}", file=sys.stderr)
    return rest


def relabel13(lines: dict[str, list[tuple[float, str]]]) -> list[str]:
    """The relabel13 codes: 250 of the firms in any label set that have a line ≥ 5%."""
    codes = set()
    for path in sorted(b12.LABELS.glob("ckg_chains*.csv")):
        if path.stem in ("ckg_chains_blind13", "ckg_chains_relabel13"):
            continue
        codes |= set(b12._codes(path.stem.removeprefix("ckg_chains")))
    codes = {c for c in codes if any(s >= b12.MIN_SHARE for s, _ in lines.get(c, []))}
    print(f"# labelled firms with a line >= 5%: {len(codes)}; seed {RELABEL_SEED}", file=sys.stderr)
    random.seed(RELABEL_SEED)
    return random.sample(sorted(codes), RELABEL_SIZE)


def read_lines(data: Path) -> tuple[dict[str, str], dict[str, list[tuple[float, str]]]]:
    """Each firm's short name and its revenue lines (share, label) from the CKG file."""
    names: dict[str, str] = {}
    lines: dict[str, list[tuple[float, str]]] = defaultdict(list)
    with gzip.open(data / "ckg" / "company_product.jsonl.gz", "rt", encoding="utf-8") as fh:
        for raw in fh:
            row = json.loads(raw)
            code = row["company_code"]
            names.setdefault(code, row["company_name"])
            lines[code].append((float(row["rel_weight"] or 0.0), row["product_name"]))
    return names, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("CHAINGRAPH_SHARED_DATA", b12.ROOT.parent / "shared" / "data")),
    )
    parser.add_argument("--relabel", action="store_true", help="print relabel13 instead of blind13")
    args = parser.parse_args()
    names, lines = read_lines(args.data)
    codes = relabel13(lines) if args.relabel else blind13(lines)
    for i, code in enumerate(codes, 1):
        shown = sorted((r for r in lines[code] if r[0] >= b12.MIN_SHARE), reverse=True)
        text = "; ".join(f"{name} {share:.0%}" for share, name in shown)
        print(f"{i:3d} {code} {names[code]} | {text}")


if __name__ == "__main__":
    main()
