"""Start-up time of ``chaingraph --help``: the median of several runs, in a fresh process each.

Run from the repository root::

    python bench/cli_startup.py               # 5 runs, target: median < 0.5 s
    python bench/cli_startup.py --runs 11

Each run is ``python -m chaingraph --help`` in a new interpreter (what a user waits
for), timed from spawn to exit. Also lists which heavy optional modules (Neo4j
driver, spaCy, jieba, playwright, matplotlib, pyvis) that run imported: none should.
Exits 1 if a heavy module was imported, 2 if only the median misses the target (which
a machine busy with other work can cause; .ci/run then warns instead of failing).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from chaingraph.optional import HEAVY_MODULES

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 0.5

# Runs the CLI's --help in-process and prints the heavy modules it imported.
PROBE = f"""
import sys
from chaingraph.cli import main
try:
    main(["--help"])
except SystemExit:
    pass
print("HEAVY:" + ",".join(m for m in {HEAVY_MODULES!r} if m in sys.modules))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs to take the median of")
    args = parser.parse_args(argv)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times = []
    for _ in range(max(1, args.runs)):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "chaingraph", "--help"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - started)
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    heavy = probe.stdout.strip().rpartition("HEAVY:")[2]
    median = statistics.median(times)
    print(f"chaingraph --help: median {median:.3f} s over {len(times)} runs", end="")
    print(f" (min {min(times):.3f}, max {max(times):.3f}; target < {TARGET_S} s)")
    print(f"heavy modules imported: {heavy or 'none'}")
    if heavy:
        return 1
    if median >= TARGET_S:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"slower than the target (load average {load:.1f} on {os.cpu_count()} CPUs)")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
