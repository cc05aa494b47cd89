"""The Neo4j Bolt load alone (no derived-figure refresh) for several batch sizes and
numbers of writers, on the same rows, one after the other.

Usage::

    NEO4J_PASSWORD=… python bench/load_sweep.py --uri bolt://127.0.0.1:7687 \\
        --server-pid PID --companies 100000 --configs 5000x1,2000x2,5000x1,2000x2

Each configuration ``BATCHxWRITERS`` clears the database and writes every row of the
seeded synthetic graph (``chaingraph.synthetic``) with
:class:`~chaingraph.store.neo4j.merge.BatchedMerge`; the table gives the load average
before it, wall seconds, rows/s, the server's CPU seconds (from ``/proc/PID/stat``, so
the server must run on this machine) and the client's. Repeat configurations
alternately: on a shared machine only figures of one session compare.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from chaingraph import synthetic
from chaingraph.store.neo4j import Neo4jStore
from chaingraph.store.neo4j.merge import BatchedMerge


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uri", required=True, help="NEO4J_USER/NEO4J_PASSWORD in the env")
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--configs", default="5000x1,2000x2,5000x2,2000x1")
    args = parser.parse_args(argv)
    configs = [tuple(map(int, c.split("x"))) for c in args.configs.split(",")]
    graph = synthetic.synthetic_store(args.companies, args.seed)
    nodes, rels = list(graph.nodes()), list(graph.relationships())
    rows = len(nodes) + len(rels)
    del graph
    store = Neo4jStore(
        args.uri, os.environ.get("NEO4J_USER", "neo4j"), os.environ["NEO4J_PASSWORD"], warm=False
    )
    print(f"{args.companies:,} companies, {rows:,} rows")
    print("| batch | writers | load avg | wall s | rows/s | server CPU s | client CPU s |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    try:
        store.ensure_schema()
        for batch_size, writers in configs:
            store.clear()
            load = os.getloadavg()[0]
            cpu, server, started = (
                time.process_time(),
                server_cpu(args.server_pid),
                time.perf_counter(),
            )
            merge = BatchedMerge(store.connection, store.model, nodes, rels)
            report = merge.write(batch_size=batch_size, writers=writers)
            wall = time.perf_counter() - started
            assert report.nodes_created == len(nodes), report
            assert report.relationships_created == len(rels), report
            print(
                f"| {batch_size} | {writers} | {load:.1f} | {wall:.1f} | {rows / wall:,.0f} | "
                f"{server_cpu(args.server_pid) - server:.1f} | {time.process_time() - cpu:.1f} |",
                flush=True,
            )
        store.clear()
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
