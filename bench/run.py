"""Side-by-side scale benchmark (issue 8): embedded and Neo4j, 10k and 100k companies (1M with --full).

Usage::

    python bench/run.py                    # 10k and 100k, embedded and Neo4j; writes bench/RESULTS.md
    python bench/run.py --full             # adds 1M companies (needs a while and ~10 GB)
    python bench/run.py --sizes 2000 --no-neo4j --out -    # quick look, print only

For each size it generates a seeded synthetic graph (``chaingraph.synthetic``: the real
ontology plus made-up firms, all marked synthetic) and saves it as an embedded store
file. Embedded figures come from a fresh child process per size (load time, peak RSS,
then gaps / targets / plan latency for one base, median of 3, and map generation).
Neo4j figures come from a server started by ``scripts/neo4j-server`` in a temporary
folder: batched load (rows/s; a row is a node or a relationship), then the same
queries through :class:`chaingraph.store.neo4j_store.Neo4jStore`. The last column
gives Neo4j / embedded. Whole-process peak RSS is read from the kernel (``wait4``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCRIPT = HERE.parent / "scripts" / "neo4j-server"
BASE = "base:yinping-high-end-equipment"
CHAIN = "chain:equipment"
RUNS = 3


def _first_and_median(work: Any) -> tuple[float, float]:
    """Seconds of the first call (it builds what the store indexes lazily) and the
    median of the next RUNS calls."""
    times = []
    for _ in range(RUNS + 1):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times[0], statistics.median(times[1:])


def measure(store: Any, out_dir: Path) -> dict[str, float]:
    """Latency of the analyses and a map on any store (seconds): first call, then the
    median of the repeats. ``targets_town`` judges the base by its town instead of its
    city: far fewer local firms, so most segments are gaps and many firms are scored."""
    from chaingraph.analysis.config import AnalysisConfig
    from chaingraph.analysis.gaps import gaps
    from chaingraph.analysis.plan import plan
    from chaingraph.analysis.targets import targets
    from chaingraph.maps import chain_map, write_map

    town = dataclasses.replace(AnalysisConfig(), scope="town")
    result: dict[str, float] = {}
    for name, work in (
        ("gaps", lambda: gaps(store, BASE)),
        ("targets", lambda: targets(store, BASE, top=5)),
        ("targets_town", lambda: targets(store, BASE, top=5, config=town)),
        ("plan", lambda: plan(store, BASE, 5)),
        ("map", lambda: write_map(chain_map(store, BASE, chain=CHAIN), out_dir / "map.html")),
    ):
        result[f"{name}_first_s"], result[f"{name}_s"] = _first_and_median(work)
    return result


def child_embedded(path: str) -> None:
    """Run in a child process: load the file, time the analyses, print JSON."""
    from chaingraph.store.networkx_store import NetworkxStore

    started = time.perf_counter()
    store = NetworkxStore.open(path)
    load_s = time.perf_counter() - started
    result = {"load_s": load_s, **measure(store, Path(path).parent)}
    print(json.dumps(result))


def run_child(args: list[str]) -> tuple[dict[str, Any], float]:
    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"child {args} failed with status {status}")
    return json.loads(output.strip().splitlines()[-1]), usage.ru_maxrss / 1024


def neo4j_side(path: Path, folder: Path) -> dict[str, Any]:
    """Start a server, load the store file into it in batches, time the analyses."""
    from chaingraph.store.neo4j_store import Neo4jStore
    from chaingraph.store.networkx_store import NetworkxStore

    started = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "start",
            "--dir",
            str(folder),
            "--heap-max",
            "4g",
            "--pagecache",
            "2g",
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if started.returncode != 0:
        raise SystemExit(f"neo4j-server start failed:\n{started.stdout}{started.stderr}")
    info = json.loads(started.stdout.strip().splitlines()[-1])
    try:
        source = NetworkxStore.open(path)
        nodes, rels = list(source.nodes()), list(source.relationships())
        with Neo4jStore(info["uri"], info["user"], info["password"], batch_size=10_000) as store:
            store.clear()
            t0 = time.perf_counter()
            store.merge(nodes, rels)
            load_s = time.perf_counter() - t0
            result = {"load_s": load_s, "rows": len(nodes) + len(rels), **measure(store, folder)}
    finally:
        subprocess.run(
            [sys.executable, str(SCRIPT), "stop", "--dir", str(folder)],
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--full", action="store_true", help="also 1,000,000 companies")
    parser.add_argument("--no-neo4j", action="store_true")
    parser.add_argument(
        "--neo4j-max",
        type=int,
        default=None,
        help="run Neo4j only for sizes up to this many companies",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--out", default=str(HERE / "RESULTS.md"), help="markdown file, or - to print only"
    )
    args = parser.parse_args(argv)
    sizes = args.sizes + ([1_000_000] if args.full else [])

    from chaingraph.synthetic import synthetic_store

    rows = []
    with tempfile.TemporaryDirectory(prefix="cg-bench-") as tmp:
        for n in sizes:
            path = Path(tmp) / f"syn-{n}.cgraph.json"
            t0 = time.perf_counter()
            store = synthetic_store(n, args.seed)
            store.save(path)  # type: ignore[attr-defined]
            gen_s = time.perf_counter() - t0
            counts = (store.count_nodes(), store.count_relationships())
            del store
            embedded, rss = run_child(["--child-embedded", str(path)])
            row: dict[str, Any] = {
                "companies": n,
                "nodes": counts[0],
                "relationships": counts[1],
                "generate_s": gen_s,
                "embedded": {**embedded, "peak_rss_mib": rss},
            }
            if not args.no_neo4j and (args.neo4j_max is None or n <= args.neo4j_max):
                row["neo4j"] = neo4j_side(path, Path(tmp) / f"neo4j-{n}")
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
    text = render(rows)
    print(text)
    if args.out != "-":
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


COLUMNS = ("gaps", "targets", "targets_town", "plan", "map")


def _pair(result: dict[str, Any], name: str) -> str:
    return f"{result[name + '_first_s']:.2f} / {result[name + '_s']:.3f}"


def render(rows: list[dict[str, Any]]) -> str:
    lines = [
        "# Scale benchmark results",
        "",
        f"Made by `python bench/run.py` on {time.strftime('%Y-%m-%d')}. Machine: {os.cpu_count()} cores, "
        f"{_memory_gib():.1f} GiB RAM, {platform.system()} {platform.machine()}, Python "
        f"{platform.python_version()}. Synthetic graphs (seeded, `chaingraph.synthetic`); base "
        f"`{BASE}`. Each latency is `first / repeat`: the first call after the store is "
        f"opened (the embedded store builds its indexes then), and the median of the next "
        f"{RUNS} calls. `targets town` judges the base by its town instead of its city, so "
        "most segments are gaps and many firms are scored. Load is file → ready store "
        "(embedded) or batched merge of every row into an empty database (Neo4j 5.26, heap "
        "4g, page cache 2g).",
        "",
        "| companies | nodes | rels | store | load s | rows/s | peak RSS MiB | gaps s | "
        "targets s | targets town s | plan s | map s |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        e = r["embedded"]
        total = r["nodes"] + r["relationships"]
        cells = " | ".join(_pair(e, c) for c in COLUMNS)
        lines.append(
            f"| {r['companies']:,} | {r['nodes']:,} | {r['relationships']:,} | embedded | "
            f"{e['load_s']:.2f} | {total / e['load_s']:,.0f} | {e['peak_rss_mib']:,.0f} | {cells} |"
        )
        if "neo4j" in r:
            n = r["neo4j"]
            cells = " | ".join(_pair(n, c) for c in COLUMNS)
            lines.append(
                f"| | | | Neo4j | {n['load_s']:.2f} | {n['rows'] / n['load_s']:,.0f} | (server) | "
                f"{cells} |"
            )
            ratios = " | ".join(
                f"{n[c + '_s'] / e[c + '_s']:.1f}×" if e[c + "_s"] else "–" for c in COLUMNS
            )
            lines.append(
                f"| | | | Neo4j / embedded (repeat) | {n['load_s'] / e['load_s']:.1f}× | | | "
                f"{ratios} |"
            )
    lines.append("")
    return "\n".join(lines)


def _memory_gib() -> float:
    with open("/proc/meminfo", encoding="ascii") as fh:
        kib = int(fh.readline().split()[1])
    return kib / 1024 / 1024


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child-embedded":
        child_embedded(sys.argv[2])
    else:
        sys.exit(main())
