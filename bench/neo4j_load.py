"""Loading speed in rows per second: Neo4j (batched MERGE, and the neo4j-admin bulk path)
against the embedded store, for the bundled data and a generated 100k-company graph.

Usage::

    python bench/neo4j_load.py                      # bundled + 100k companies
    python bench/neo4j_load.py --companies 20000 --batch-size 5000
    python bench/neo4j_load.py --uri bolt://localhost:7687   # NEO4J_PASSWORD in the env

Without ``--uri`` it starts a throwaway server with ``scripts/neo4j-server`` (heap
2g, page cache 1g) in a temporary folder and stops it at the end; the bulk path
(``neo4j-admin database import full`` from ``chaingraph export --neo4j-admin`` files)
is timed only then, as it needs a stopped server of our own. A "row" is one node or
one relationship; "reload" merges the same data again (it must change nothing).
The generated graph is bench/synthetic_graph.py's (synthetic companies on the real
ontology). Neo4j's first queries include its JIT warm-up: the bundled data is
loaded once before timing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import admin_import, neo4j_server  # noqa: E402
from synthetic_graph import synthetic_store  # noqa: E402

from chaingraph.dataset import load_bundled  # noqa: E402
from chaingraph.model import Node, Relationship  # noqa: E402
from chaingraph.store.neo4j import DEFAULT_BATCH_SIZE, Neo4jStore  # noqa: E402
from chaingraph.store.neo4j.admin import write_neo4j_admin  # noqa: E402
from chaingraph.store.networkx import NetworkxStore  # noqa: E402

SERVER_MEMORY = ["--heap-max", "2g", "--pagecache", "1g"]


def timed(work: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def row(dataset: str, store: str, what: str, rows: int, seconds: float) -> dict[str, Any]:
    line = {
        "dataset": dataset,
        "store": store,
        "what": what,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds) if seconds else None,
    }
    print(
        f"| {dataset:<14} | {store:<26} | {what:<6} | {rows:>9,} | {seconds:>8.2f} | "
        f"{line['rows_per_s'] or 0:>9,} |",
        flush=True,
    )
    return line


def bench_dataset(
    name: str,
    source: NetworkxStore,
    neo4j: Neo4jStore,
    admin_dir: Path | None,
) -> list[dict[str, Any]]:
    nodes: list[Node] = list(source.nodes())
    rels: list[Relationship] = list(source.relationships())
    rows = len(nodes) + len(rels)
    out = []
    _, seconds = timed(lambda: NetworkxStore().merge(nodes, rels))
    out.append(row(name, "embedded (networkx)", "load", rows, seconds))
    neo4j.clear()
    report, seconds = timed(lambda: neo4j.merge(nodes, rels))
    assert report.nodes_created == len(nodes), report
    out.append(row(name, f"neo4j MERGE, batch {neo4j.batch_size}", "load", rows, seconds))
    report, seconds = timed(lambda: neo4j.merge(nodes, rels))
    assert not report.changed, report
    out.append(row(name, f"neo4j MERGE, batch {neo4j.batch_size}", "reload", rows, seconds))
    if admin_dir is not None:
        folder = admin_dir / name
        files, write_seconds = timed(lambda: write_neo4j_admin(source, folder / "csv"))
        import_seconds = admin_import(files, folder / "server")
        out.append(row(name, "neo4j-admin (write CSV)", "load", rows, write_seconds))
        out.append(row(name, "neo4j-admin (import)", "load", rows, import_seconds))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--uri", help="an existing server (NEO4J_USER/NEO4J_PASSWORD in the env)")
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    args = parser.parse_args(argv)

    bundled = NetworkxStore()
    load_bundled(bundled)
    print(f"generating {args.companies:,} synthetic companies ...", file=sys.stderr, flush=True)
    generated, seconds = timed(lambda: synthetic_store(args.companies, seed=args.seed))
    print(f"  done in {seconds:.1f}s", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="cg-neo4j-bench-") as tmp:
        folder = Path(tmp)
        with _server(args.uri, folder) as info:
            store = Neo4jStore(
                info["uri"], info["user"], info["password"], batch_size=args.batch_size
            )
            store.clear()
            store.merge(list(bundled.nodes()), list(bundled.relationships()))  # warm-up
            print(
                "| dataset        | store                      | what   |      rows |  seconds |     rows/s |"
            )
            print("|----------------|----------------------------|--------|-----------|----------|------------|")  # fmt: skip
            admin = None if args.uri else folder / "admin"
            results = bench_dataset("bundled", bundled, store, admin)
            results += bench_dataset(
                f"synthetic-{args.companies // 1000}k", generated, store, admin
            )
            store.close()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


@contextmanager
def _server(uri: str | None, folder: Path) -> Iterator[dict[str, Any]]:
    if uri:
        yield {
            "uri": uri,
            "user": os.environ.get("NEO4J_USER", "neo4j"),
            "password": os.environ.get("NEO4J_PASSWORD"),
        }
    else:
        with neo4j_server(folder / "server", SERVER_MEMORY) as info:
            yield info


if __name__ == "__main__":
    sys.exit(main())
