"""Neo4j gap and target latency and each named query's db hits, on a running server.

Usage::

    python scripts/neo4j-server start --dir DIR ...          # a database already loaded
    python bench/neo4j_queries.py DIR/server.json --runs 3    # prints JSON

For each of ``gaps``, ``targets`` and town-scope ``targets`` (the analyses of
``bench/run.py``): clear the server's query caches, open a new store (which refreshes
the derived figures if they are stale, then plans every named query), run the analysis
once ("first") and ``--runs`` more times ("repeat": their minimum, and every time).
Then each named query the three analyses send is run once under ``PROFILE`` and its
db hits printed (``bench/run.py`` does the same after its loads); with ``--per-call``,
every read one call of each analysis sends is recorded and run again under ``PROFILE``:
the reads (round trips) and db hits of one whole call, per query. Load average before
and after, as the machine is shared. Run it with ``PYTHONPATH`` set to the checkout to
measure (or another checkout's path, to compare two versions on one database).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # bench/run.py: the analyses and the PROFILE helper


def measure(server: dict[str, Any], runs: int, names: list[str], out: Path) -> dict[str, Any]:
    """First and repeated seconds of each analysis, each on a newly opened store."""
    from chaingraph.store.neo4j import Neo4jStore

    found: dict[str, Any] = {}
    for name in names:
        with bench._driver(server) as driver:
            driver.execute_query("CALL db.clearQueryCaches()")
        started = time.perf_counter()
        store = Neo4jStore(server["uri"], server["user"], server["password"])
        found[f"{name}_open_s"] = time.perf_counter() - started
        try:
            work = bench.analyses(store, out)[name]
            times = []
            for _ in range(runs + 1):
                started = time.perf_counter()
                work()
                times.append(time.perf_counter() - started)
        finally:
            store.close()
        found[f"{name}_first_s"] = times[0]
        found[f"{name}_repeat_min_s"] = min(times[1:], default=None)
        found[f"{name}_all_s"] = [round(t, 3) for t in times]
        print(name, found[f"{name}_all_s"], file=sys.stderr)
    return found


def per_call(store: Any, names: list[str], out: Path) -> dict[str, Any]:
    """Reads and db hits of one call of each analysis, per named query ("other" for the
    store's plain reads): every read the call sends is run again under ``PROFILE``."""
    from chaingraph.queries import query, query_names

    bodies = {name: query(name) for name in query_names()}
    connection = store.connection
    original = connection.read
    found: dict[str, Any] = {}
    for name in names:
        sent: list[tuple[str, dict[str, Any]]] = []

        def recording(
            text: str, doing: str = "reading", sent: list[Any] = sent, **params: Any
        ) -> Any:
            sent.append((text, params))
            return original(text, doing, **params)

        connection.read = recording
        try:
            bench.analyses(store, out)[name]()
        finally:
            del connection.read
        reads: dict[str, list[int]] = {}
        with connection.session() as session:
            for text, params in sent:
                query_name = next((q for q, b in bodies.items() if b in text), "other")
                summary = session.run(f"PROFILE {text}", params).consume()
                held = reads.setdefault(query_name, [0, 0])
                held[0] += 1
                held[1] += bench._db_hits(summary.profile or {})
        found[name] = {
            "reads": sum(r for r, _ in reads.values()),
            "db_hits": sum(h for _, h in reads.values()),
            "per_query": {q: {"reads": r, "db_hits": h} for q, (r, h) in sorted(reads.items())},
        }
        print(
            name, "reads", found[name]["reads"], "db hits", found[name]["db_hits"], file=sys.stderr
        )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("server", type=Path, help="the server.json of scripts/neo4j-server")
    parser.add_argument("--runs", type=int, default=3, help="repeats after the first call")
    parser.add_argument(
        "--analyses", default="gaps,targets,targets_town", help="comma-separated names"
    )
    parser.add_argument("--no-profile", action="store_true", help="skip the db hits")
    parser.add_argument(
        "--per-call", action="store_true", help="reads and db hits of one whole call each"
    )
    args = parser.parse_args(argv)
    from chaingraph.store.neo4j import Neo4jStore

    server = json.loads(args.server.read_text(encoding="utf-8"))
    out = Path(os.environ.get("TMPDIR", "/tmp")) / "cg-neo4j-queries"
    out.mkdir(exist_ok=True)
    result: dict[str, Any] = {"load_average_before": os.getloadavg()}
    result.update(measure(server, args.runs, args.analyses.split(","), out))
    if not args.no_profile:
        store = Neo4jStore(server["uri"], server["user"], server["password"], warm=False)
        try:
            result["db_hits"] = bench.profile_queries(store, out)
            if args.per_call:
                result["per_call"] = per_call(store, args.analyses.split(","), out)
        finally:
            store.close()
    result["load_average_after"] = os.getloadavg()
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
