"""The embedded store's first call after opening, two source trees side by side (issue 22).

Usage::

    python bench/first_call.py --stores syn-100k.cgraph.json syn-1m.cgraph.json \\
        --before /tmp/chaingraph-before --runs 3 --json first-call.json --out -

Store files come from ``chaingraph generate`` (seeded, synthetic), made once and reused:
a million-firm graph takes minutes to generate. For each store, each tree (``--before``,
a checkout of an older commit, and this one) and each analysis (``gaps``, town-scope
``targets``), a fresh child process imports chaingraph from that tree, opens the file
(timed: ``open_s``, and its process CPU time ``open_cpu_s``), runs the analysis once
(``<name>_first_s`` and ``<name>_first_cpu_s``: nothing ran before it) and 3 more times
(``<name>_repeat_s``, the median). CPU time tells what the code costs when the wall
time is mostly waiting for a shared machine's cores. Runs alternate between the trees, so
both see the same load; each figure is the minimum over ``--runs``. The load average
(1/5/15 min) is recorded before and after.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ANALYSES = ("gaps", "targets_town")
BASE = "base:yinping-high-end-equipment"
REPEATS = 3


def child(tree: str, path: str, name: str, repeats: str = str(REPEATS)) -> None:
    """Run in a child process: chaingraph from ``tree``; open, first call, repeats."""
    sys.path.insert(0, tree)
    import dataclasses

    from chaingraph.analysis.config import AnalysisConfig
    from chaingraph.analysis.gaps import gaps
    from chaingraph.analysis.targets import targets
    from chaingraph.store.networkx import NetworkxStore

    town = dataclasses.replace(AnalysisConfig(), scope="town")
    work = {
        "gaps": lambda s: gaps(s, BASE),
        "targets_town": lambda s: targets(s, BASE, top=5, config=town),
    }[name]
    started, cpu = time.perf_counter(), time.process_time()
    store = NetworkxStore.open(path)
    opened, opened_cpu = time.perf_counter() - started, time.process_time() - cpu
    times, cpus, answers = [], [], []
    for _ in range(int(repeats) + 1):
        started, cpu = time.perf_counter(), time.process_time()
        answers.append(work(store))
        times.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    # the answer's fingerprint, to check both trees answer alike
    digest = hashlib.sha1(repr(answers[0]).encode()).hexdigest()[:12]
    print(
        json.dumps(
            {
                "open_s": opened,
                "open_cpu_s": opened_cpu,
                f"{name}_first_s": times[0],
                f"{name}_first_cpu_s": cpus[0],
                f"{name}_repeat_s": statistics.median(times[1:]),
                f"{name}_sha1": digest,
            }
        )
    )


def run(tree: Path, path: Path, name: str, repeats: int = REPEATS) -> dict[str, float]:
    args = [sys.executable, __file__, "--child", str(tree), str(path), name, str(repeats)]
    done = subprocess.run(args, capture_output=True, text=True, check=True, cwd=tree)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(
    stores: list[Path],
    trees: dict[str, Path],
    runs: int,
    repeats: int = REPEATS,
    analyses: tuple[str, ...] = ANALYSES,
) -> list[dict[str, Any]]:
    rows = []
    for path in stores:
        row: dict[str, Any] = {"store": path.name, "load_average_before": os.getloadavg()}
        for label in trees:
            row[label] = {}
        for _ in range(runs):
            for name in analyses:
                for label, tree in trees.items():
                    found = run(tree, path, name, repeats)
                    held = row[label]
                    for key, value in found.items():
                        if isinstance(value, str):  # the answer's sha1: every run's kept
                            held.setdefault(key, [])
                            held[key] = sorted({*held[key], value})
                        else:
                            held[key] = min(value, held.get(key, value))
                    print(label, path.name, json.dumps(found), file=sys.stderr)
        row["load_average_after"] = os.getloadavg()
        rows.append(row)
    return rows


_FIELDS = (
    "gaps_first_s",
    "gaps_first_cpu_s",
    "gaps_repeat_s",
    "targets_town_first_s",
    "targets_town_first_cpu_s",
    "targets_town_repeat_s",
)


def render(rows: list[dict[str, Any]], runs: int) -> str:
    lines = [
        "| store | tree | open s (CPU) | gaps first s (CPU) | gaps repeat s "
        "| targets town first s (CPU) | targets town repeat s | load average before → after |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        load = (
            " ".join(f"{x:.2f}" for x in row["load_average_before"])
            + " → "
            + " ".join(f"{x:.2f}" for x in row["load_average_after"])
        )
        for label in ("before", "after"):
            r = {k: float("nan") for k in _FIELDS} | row[label]
            lines.append(
                f"| {row['store']} | {label} | {r['open_s']:.1f} ({r['open_cpu_s']:.1f}) | "
                f"{r['gaps_first_s']:.2f} ({r['gaps_first_cpu_s']:.2f}) | "
                f"{r['gaps_repeat_s']:.3f} | {r['targets_town_first_s']:.2f} "
                f"({r['targets_town_first_cpu_s']:.2f}) | "
                f"{r['targets_town_repeat_s']:.3f} | {load} |"
            )
    lines.append("")
    lines.append(f"Minimum of {runs} runs each (fresh process per run and analysis).")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", nargs="+", type=Path, required=True)
    parser.add_argument("--before", type=Path, required=True, help="the older source tree")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--repeats", type=int, default=REPEATS, help="calls after the first (median taken)"
    )
    parser.add_argument(
        "--analyses",
        nargs="+",
        choices=ANALYSES,
        default=list(ANALYSES),
        help="which first calls to time (each one an open per run and tree)",
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument("--out", default="-", help="markdown file, or - to print only")
    args = parser.parse_args(argv)
    trees = {"before": args.before.resolve(), "after": HERE.parent}
    rows = measure(
        [p.resolve() for p in args.stores], trees, args.runs, args.repeats, tuple(args.analyses)
    )
    text = render(rows, args.runs)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    if args.out != "-":
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:6])
    else:
        raise SystemExit(main())
