"""Speed and memory of `chaingraph classify` on a seeded synthetic registry.

    python bench/classify_speed.py [--rows 100000] [--seed 7]

Writes ROWS made-up registry rows (chaingraph.classify.synthetic, marked synthetic)
to a temporary .csv.gz, classifies them streaming (nothing kept but counts), and
prints rows/s, the CPU seconds of the classification and the peak RSS. Target: 100,000 rows in <= 60 s and
<= 2 GB on 2 cores, memory flat from 100k to 1M rows.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chaingraph.classify import classify_files  # noqa: E402
from chaingraph.classify.synthetic import write_registry  # noqa: E402
from chaingraph.dataset import open_default_store  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    store = open_default_store()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "registry.csv.gz"
        started = time.perf_counter()
        write_registry(store, path, args.rows, args.seed)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f} s")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        cpu = time.process_time()
        rows = classified = towns = 0
        for row in classify_files(store, [path]):
            rows += 1
            classified += bool(row.chains)
            towns += row.town is not None
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"classified {rows:,} rows in {elapsed:.1f} s: {rows / elapsed:,.0f} rows/s")
    # on a shared machine the wall time follows the load; the CPU time does not
    print(f"CPU (user+sys) of the classification: {cpu:.1f} s")
    print(f"in a chain: {classified:,}; town found: {towns:,}")
    print(f"peak RSS: {peak:,.0f} MB (before classifying: {rss_before:,.0f} MB)")
    ok = elapsed <= 60 * args.rows / 100_000 and peak <= 2048
    print("target (<= 60 s per 100k rows, <= 2 GB):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
