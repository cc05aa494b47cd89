"""Quality of `chaingraph classify` on hand labels of real public data (bench/labels/).

    python bench/classify_quality.py [--data ../shared/data] [--errors] [--max-lines N|all]

Chains: listed firms of the CKG files, given only their names and revenue lines
(主营构成); per-chain precision and recall, and micro totals. Towns: the SZSE firms
registered in 东莞市, given their registered addresses. Targets: chain precision
≥ 0.85, recall ≥ 0.70; the right town for ≥ 90% of the Dongguan addresses.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chaingraph.classify import Options, classify_files  # noqa: E402
from chaingraph.classify.knowledge import load_knowledge  # noqa: E402
from chaingraph.dataset import open_default_store  # noqa: E402

LABELS = ROOT / "bench" / "labels"
# the last label set: scored once at first sight (main 0.786/0.656, fifth pass 0.794/0.637),
# then used for the sixth pass (vocabulary), so no longer blind
BLIND = "ckg_chains_blind12.csv"


def _labels(name: str) -> dict[str, set[str]]:
    with open(LABELS / name, encoding="utf-8") as fh:
        return {
            r["code"]: {c for c in r[next(k for k in r if k != "code")].split(";") if c}
            for r in csv.DictReader(fh)
        }


def chain_scores(
    data: Path, name: str, options: Options | None = None, errors: list[str] | None = None
) -> tuple[dict[str, tuple[int, int, int]], int]:
    """Per-chain (tp, fp, fn) on one label set and the number of firms scored; with
    ``errors``, one line per wrong firm (code, labels, guess, the words that matched)."""
    labels = _labels(name)
    store = open_default_store()
    knowledge = load_knowledge(store)
    # only the labelled firms' revenue lines, through the same reader a user's file takes
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "lines.jsonl.gz"
        with (
            gzip.open(data / "ckg" / "company_product.jsonl.gz", "rt", encoding="utf-8") as src,
            gzip.open(sample, "wt", encoding="utf-8") as out,
        ):
            for line in src:
                if line[18:24] in labels:
                    out.write(line)
        predicted: dict[str, set[str]] = {}
        why: dict[str, list[str]] = {}
        for row in classify_files(
            store, [sample], options=options or Options(), knowledge=knowledge
        ):
            if row.stock_code:
                predicted[row.stock_code] = set(row.chains)
                why[row.stock_code] = row.why
    counts: dict[str, list[int]] = {}
    scored = 0
    for code, truth in labels.items():
        if code not in predicted:
            continue  # no revenue lines: nothing to classify from
        scored += 1
        guess = predicted[code]
        if errors is not None and guess != truth:
            errors.append(
                f"{name} {code}: labels {sorted(truth)} guess {sorted(guess)}"
                f" (false: {sorted(guess - truth)}, missed: {sorted(truth - guess)})"
                + "".join(f"\n    {w}" for w in why[code])
            )
        for chain in truth | guess:
            tp_fp_fn = counts.setdefault(chain, [0, 0, 0])
            if chain in truth and chain in guess:
                tp_fp_fn[0] += 1
            elif chain in guess:
                tp_fp_fn[1] += 1
            else:
                tp_fp_fn[2] += 1
    return {k: (v[0], v[1], v[2]) for k, v in sorted(counts.items())}, scored


def town_accuracy(data: Path) -> tuple[int, int, list[str]]:
    labels = {k: next(iter(v)) for k, v in _labels("szse_dongguan_towns.csv").items()}
    store = open_default_store()
    right = 0
    wrong = []
    seen = 0
    for row in classify_files(store, [data / "szse" / "szse_a_list_20251230.csv"]):
        if row.stock_code in labels:
            seen += 1
            if row.town == labels[row.stock_code]:
                right += 1
            else:
                wrong.append(f"{row.stock_code}: {row.town} != {labels[row.stock_code]}")
    return right, seen, wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("CHAINGRAPH_SHARED_DATA", ROOT.parent / "shared" / "data")),
    )
    parser.add_argument(
        "--errors", action="store_true", help="list every wrong firm with the words that matched"
    )
    parser.add_argument(
        "--max-lines",
        default="all",
        help="read a firm's N largest revenue lines (default 'all': every line), as --max-lines",
    )
    args = parser.parse_args()
    options = Options(max_lines=None if args.max_lines == "all" else int(args.max_lines))
    errors: list[str] | None = [] if args.errors else None
    results = {}
    for name in (
        "ckg_chains.csv",
        "ckg_chains_holdout.csv",
        "ckg_chains_blind.csv",
        "ckg_chains_blind2.csv",
        "ckg_chains_blind3.csv",
        "ckg_chains_blind4.csv",
        "ckg_chains_blind5.csv",
        "ckg_chains_blind6.csv",
        "ckg_chains_blind7.csv",
        "ckg_chains_blind8.csv",
        "ckg_chains_blind9.csv",
        "ckg_chains_blind10.csv",
        "ckg_chains_dev11.csv",
        "ckg_chains_blind11.csv",
        BLIND,
    ):
        counts, scored = chain_scores(args.data, name, options, errors)
        print(f"\nchains ({name}): {scored} labelled firms with revenue lines")
        print(f"{'chain':<18}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}")
        total: Counter[str] = Counter()
        for chain, (tp, fp, fn) in counts.items():
            total.update(tp=tp, fp=fp, fn=fn)
            p = tp / (tp + fp) if tp + fp else float("nan")
            r = tp / (tp + fn) if tp + fn else float("nan")
            print(f"{chain:<18}{tp:>5}{fp:>5}{fn:>5}{p:>11.3f}{r:>8.3f}")
        tp, fp, fn = total["tp"], total["fp"], total["fn"]
        precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
        print(f"{'all (micro)':<18}{tp:>5}{fp:>5}{fn:>5}{precision:>11.3f}{recall:>8.3f}")
        results[name] = (precision, recall)
    for line in errors or []:
        print(line)
    right, seen, wrong = town_accuracy(args.data)
    print(f"towns: {right}/{seen} Dongguan addresses right ({right / max(1, seen):.1%})")
    for item in wrong:
        print("  wrong:", item)
    precision, recall = results[BLIND]
    met = precision >= 0.85 and recall >= 0.70 and right >= 0.9 * seen
    print(
        f"targets on the last blind labels ({BLIND}) "
        "(precision >= 0.85, recall >= 0.70, towns >= 90%):",
        "met" if met else "NOT met",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
