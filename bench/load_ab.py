"""Neo4j load speed of two code trees side by side: the Bolt load (``Neo4jStore.merge``
into an emptied database) and the neo4j-admin CSV writing, alternating run by run.

Usage::

    git archive <commit> | tar -x -C /tmp/before          # the older code
    NEO4J_PASSWORD=… python bench/load_ab.py --uri bolt://127.0.0.1:7687 \\
        --server-pid PID --before /tmp/before --companies 100000 --runs 2

The graph (``chaingraph.synthetic``, seeded) is generated once and handed to every run
as a pickle, so both trees load the same rows. Each run is a fresh process with the
tree first on ``sys.path``; the table gives each tree's minimum and all runs, rows/s
(a row is a node or a relationship), the server's CPU seconds for the load (read
from ``/proc/PID/stat`` when ``--server-pid`` is given: a server on this machine) and
the load average before each run. On a shared machine compare the two trees' figures
of one session, not figures of different sessions.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# Run in a child with the tree to measure first on sys.path.
CHILD = r"""
import json, logging, os, pickle, sys, tempfile, time
retries = []
class Count(logging.Handler):
    def emit(self, record):
        if "retried" in record.getMessage():
            retries.append(record.getMessage())
logging.getLogger("neo4j").addHandler(Count())
logging.getLogger("neo4j").setLevel(logging.WARNING)
logging.getLogger("neo4j").propagate = False
tree, graph, what, uri, pid = sys.argv[1:6]
sys.path.insert(0, tree)
nodes, rels = pickle.loads(open(graph, "rb").read())

def server_cpu():
    if pid == "-":
        return 0.0
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

rows = len(nodes) + len(rels)
if what == "bolt":
    from chaingraph.store.neo4j import Neo4jStore
    store = Neo4jStore(uri, os.environ.get("NEO4J_USER", "neo4j"), os.environ["NEO4J_PASSWORD"],
                       warm=False)
    store.clear()
    s0, c0, t0 = server_cpu(), time.process_time(), time.perf_counter()
    report = store.merge(nodes, rels)
    wall = time.perf_counter() - t0
    out = {"wall_s": wall, "server_cpu_s": server_cpu() - s0, "client_cpu_s": time.process_time() - c0,
           "derive_s": getattr(store, "derive_seconds", None) or 0.0, "retries": len(retries)}
    assert report.nodes_created == len(nodes), report
    store.clear()
    store.close()
else:
    from chaingraph.store.networkx import NetworkxStore
    from chaingraph.store.neo4j.admin import write_neo4j_admin
    store = NetworkxStore()
    store.merge(nodes, rels)
    with tempfile.TemporaryDirectory() as folder:
        c0, t0 = time.process_time(), time.perf_counter()
        write_neo4j_admin(store, folder)
        out = {"wall_s": time.perf_counter() - t0, "client_cpu_s": time.process_time() - c0}
out["rows_per_s"] = rows / out["wall_s"]
print(json.dumps(out))
"""


def run(tree: Path, graph: Path, what: str, uri: str, pid: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(tree), str(graph), what, uri, pid],
        capture_output=True, text=True, check=True, cwd=tree,
    )  # fmt: skip
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="the older code tree")
    parser.add_argument("--after", type=Path, default=ROOT, help="default: this checkout")
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--uri", help="a server for the Bolt load (NEO4J_PASSWORD in the env)")
    parser.add_argument("--server-pid", default="-", help="its process id, for its CPU time")
    parser.add_argument("--what", choices=["bolt", "csv", "both"], default="both")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.after))
    from chaingraph import synthetic

    store = synthetic.synthetic_store(args.companies, args.seed)
    kinds = ["bolt", "csv"] if args.what == "both" else [args.what]
    if "bolt" in kinds and not args.uri:
        parser.error("--uri is needed for the Bolt load")
    with tempfile.TemporaryDirectory(prefix="cg-load-ab-") as tmp:
        graph = Path(tmp) / "graph.pickle"
        graph.write_bytes(pickle.dumps((list(store.nodes()), list(store.relationships()))))
        rows = store.count_nodes() + store.count_relationships()
        del store
        print(f"{args.companies:,} companies, {rows:,} rows; load average before each run")
        print(
            "| what | tree | run | load avg | wall s | rows/s | server CPU s | client CPU s "
            "| derived refresh s | retries |"
        )
        print("|---|---|---:|---|---:|---:|---:|---:|---:|---:|")
        best: dict[tuple[str, str], float] = {}
        for kind in kinds:
            for number in range(1, args.runs + 1):
                for name, tree in (("before", args.before), ("after", args.after)):
                    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
                    r = run(tree.resolve(), graph, kind, args.uri or "", args.server_pid)
                    key = (kind, name)
                    best[key] = max(best.get(key, 0.0), r["rows_per_s"])
                    print(
                        f"| {kind} | {name} | {number} | {load} | {r['wall_s']:.1f} | "
                        f"{r['rows_per_s']:,.0f} | {r.get('server_cpu_s', 0):.1f} | "
                        f"{r['client_cpu_s']:.1f} | {r.get('derive_s', 0):.1f} | {r.get('retries', 0)} |",
                        flush=True,
                    )
        for kind in kinds:
            print(
                f"{kind}: best rows/s before {best[(kind, 'before')]:,.0f}, "
                f"after {best[(kind, 'after')]:,.0f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
