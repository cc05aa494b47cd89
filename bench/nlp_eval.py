"""Precision and recall of ``ingest-text`` on the founding plan, per fact type, against the gold.

Run from the repository root::

    python bench/nlp_eval.py                    # both segmenters, the plan shipped in ingest/texts/
    python bench/nlp_eval.py --segmenter jieba --doc other.txt --gold other.gold.yaml

The store is the bundled dataset, built in memory; the gold is the hand-labelled
``ingest/gold/dongguan-plan.gold.yaml``. Each row shows how many facts the gold
has, how many the extractor found, how many of those are right, precision and
recall (target: both >= 0.9); the facts missed and the spurious ones follow.
Exits 1 if a type misses the target.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tabulate import tabulate

from chaingraph.dataset import load_bundled
from chaingraph.nlp import SEGMENTERS, build_pipeline, extract, load_gold, score
from chaingraph.resources import data_dir, founding_plan_path
from chaingraph.store.networkx import NetworkxStore

PLAN = founding_plan_path()  # shipped in ingest/texts/ ($CHAINGRAPH_PLAN_TEXT overrides)
GOLD = data_dir("ingest") / "gold" / "dongguan-plan.gold.yaml"
TARGET = 0.9


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doc", type=Path, default=PLAN, help="the document (UTF-8 text)")
    parser.add_argument("--gold", type=Path, default=GOLD, help="its gold file")
    parser.add_argument("--segmenter", choices=[*SEGMENTERS, "both"], default="both")
    args = parser.parse_args(argv)

    store = NetworkxStore()
    load_bundled(store)
    raw = args.doc.read_text(encoding="utf-8")
    gold = load_gold(args.gold)
    known = {node.id for node in store.nodes()}
    stale = sorted(
        r[key]
        for section, key in (("INDUSTRY", "id"), ("FOCUS", "target"), ("BASE", "id"))
        for r in gold.get(section) or []
        if r[key] not in known
    )
    if stale:
        print(f"warning: gold ids not in the store (ontology changed?): {', '.join(stale)}")
    ok = True
    segmenters = SEGMENTERS if args.segmenter == "both" else (args.segmenter,)
    for segmenter in segmenters:
        found = extract(build_pipeline(store, segmenter), raw)
        rows = score(found, gold)
        print(f"\n## {args.doc.name}, segmenter={segmenter}\n")
        table = [[r.type, r.gold, r.predicted, r.correct, r.precision, r.recall] for r in rows]
        print(
            tabulate(
                table,
                headers=["type", "gold", "found", "correct", "precision", "recall"],
                floatfmt=".3f",
            )
        )
        for row in rows:
            for label, items in (("missed", row.missed), ("spurious", row.spurious)):
                if items:
                    print(f"  {row.type} {label}: {'; '.join(items)}")
            ok &= row.precision >= TARGET and row.recall >= TARGET
    print(
        f"\ntarget: precision and recall >= {TARGET} for every type: {'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
