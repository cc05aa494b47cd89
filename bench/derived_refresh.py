"""Seconds per step of the full refresh of the Neo4j derived figures (issue 22).

Usage::

    python bench/derived_refresh.py --uri bolt://127.0.0.1:7701 --password … \\
        --trees /tmp/chaingraph-before . --runs 1 --json refresh.json

The database is one ``chaingraph push --bulk`` imported (a store from ``chaingraph
generate``, seed 0). For each run and each tree in turn (alternating, so both see the
same load), the derived figures are taken out as a bulk import leaves them (not
timed; ``--keep`` leaves them) and a child process imports chaingraph from that tree, opens a
``Connection`` and times ``derived.refresh(conn)`` (everything): each statement sent
(named by the module constant holding its text), each function of the refresh given in
``STEPS``, and the whole. The refresh rewrites every figure, so the trees run one after
the other on the same database. After each run the derived figures are read back and
hashed (``digest``): both trees must write the same. The load average is recorded
before and after each run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

# The derived figures read back, sorted, for the digest (sitekey indexes are resolved,
# so two refreshes numbering the keys alike compare equal byte for byte).
DUMP = (
    "MATCH (n:Product) RETURN n.id, n.cg_segments, n.cg_makers, n.cg_national, "
    "n.cg_ring_keys, n.cg_ring_makers ORDER BY n.id",
    "MATCH (n:Segment) RETURN n.id, n.cg_members, n.cg_makers, n.cg_national, "
    "n.cg_ring_keys, n.cg_ring_makers ORDER BY n.id",
    "MATCH (n:Company) RETURN n.id, n:CgMaker, n:CgNationalMaker, n.cg_sites ORDER BY n.id",
    "MATCH (m:ChaingraphDerived) RETURN m.version, m.nodes, m.rels, m.sitekeys, m.ring_keys, "
    "m.ring_makers",
    "MATCH (r:CgRoster) RETURN r.key, r.place, r.kind, r.what, r.count, r.ids, r.names, "
    "r.facts, r.entries ORDER BY r.key",
    "MATCH (c:CgCandidates) RETURN c.key, c.product, c.cls, c.count, c.tops ORDER BY c.key",
    "MATCH (c:CgCandidatePage) RETURN c.key, c.ids, c.revenues ORDER BY c.key",
)


# What a bulk import leaves: no derived label, property, roster or stamp (not timed).
STRIP = (
    "MATCH (n:CgMaker) CALL (n) { REMOVE n:CgMaker:CgNationalMaker } IN TRANSACTIONS OF 20000 ROWS",
    "MATCH (n:CgNationalMaker) CALL (n) { REMOVE n:CgNationalMaker } IN TRANSACTIONS OF 20000 ROWS",
    "MATCH (n:Company) WHERE n.cg_sites IS NOT NULL "
    "CALL (n) { REMOVE n.cg_sites } IN TRANSACTIONS OF 20000 ROWS",
    "MATCH (n) WHERE n:Product OR n:Segment CALL (n) { REMOVE n.cg_members, n.cg_segments, "
    "n.cg_makers, n.cg_national, n.cg_ring_keys, n.cg_ring_makers } IN TRANSACTIONS OF 5000 ROWS",
    "MATCH (n) WHERE n:CgRoster OR n:CgCandidates OR n:CgCandidatePage OR n:ChaingraphDerived "
    "CALL (n) { DELETE n } IN TRANSACTIONS OF 5000 ROWS",
)


def strip(uri: str, user: str, password: str) -> None:
    """Take every derived figure out, as a bulk import leaves the database."""
    import neo4j

    with (
        neo4j.GraphDatabase.driver(uri, auth=(user, password)) as driver,
        driver.session() as session,
    ):
        for text in STRIP:
            session.run(text).consume()


def restart(start: list[str]) -> None:
    """Stop and start the server (``start``: its ``neo4j-server start`` arguments)."""
    script = str(Path(__file__).resolve().parent.parent / "scripts" / "neo4j-server")
    folder = start[start.index("--dir") + 1]
    subprocess.run([sys.executable, script, "stop", "--dir", folder], check=True)
    subprocess.run([sys.executable, script, "start", *start], check=True, capture_output=True)


def child(tree: str, uri: str, user: str, password: str) -> None:
    """In a child process: chaingraph from ``tree``, one full refresh, timed by step."""
    sys.path.insert(0, tree)
    import neo4j

    from chaingraph.store.neo4j import connection as connection_module
    from chaingraph.store.neo4j import derived

    modules = [m for n, m in sorted(sys.modules.items()) if n.startswith("chaingraph.store.neo4j")]
    names: dict[str, str] = {}
    for module in modules:
        for name, value in vars(module).items():
            if isinstance(value, str) and len(value) > 20:
                names.setdefault(value, f"{module.__name__.rsplit('.', 1)[-1]}.{name}")
    times: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    last = threading.local()  # per thread: the full refresh also writes from a thread
    run = neo4j.Session.run

    def named_run(self: Any, query: Any, parameters: Any = None, **kw: Any) -> Any:
        last.name = names.get(query, query.strip().splitlines()[0][:60])
        return run(self, query, parameters, **kw)

    neo4j.Session.run = named_run  # type: ignore[method-assign]
    tx_run = neo4j.ManagedTransaction.run

    def named_tx_run(self: Any, query: Any, parameters: Any = None, **kw: Any) -> Any:
        last.name = names.get(query, query.strip().splitlines()[0][:60])
        return tx_run(self, query, parameters, **kw)

    neo4j.ManagedTransaction.run = named_tx_run  # type: ignore[method-assign]
    guard = connection_module.Connection.guard

    def timed_guard(self: Any, work: Any, doing: str) -> Any:
        started = time.perf_counter()
        try:
            return guard(self, work, doing)
        finally:
            name = "cypher " + getattr(last, "name", "?")
            times[name] += time.perf_counter() - started
            counts[name] += 1

    connection_module.Connection.guard = timed_guard  # type: ignore[method-assign]
    for module in modules:
        for name in ("rebuild", "_refresh_structure", "_refresh_all", "read", "write_labels"):
            found = getattr(module, name, None)
            if callable(found) and getattr(found, "__module__", "") == module.__name__:
                label = f"step {module.__name__.rsplit('.', 1)[-1]}.{name}"

                def wrapped(*a: Any, _f: Any = found, _l: str = label, **k: Any) -> Any:
                    started = time.perf_counter()
                    try:
                        return _f(*a, **k)
                    finally:
                        times[_l] += time.perf_counter() - started
                        counts[_l] += 1

                setattr(module, name, wrapped)
    settings = connection_module.Neo4jSettings(uri=uri, user=user, password=password, database=None)
    conn = connection_module.Connection(settings)
    started, cpu = time.perf_counter(), time.process_time()
    derived.refresh(conn)
    total, total_cpu = time.perf_counter() - started, time.process_time() - cpu
    connection_module.Connection.guard = guard  # type: ignore[method-assign]
    digest = hashlib.sha1()
    with conn.session() as session:
        for text in DUMP:
            for record in session.run(text):
                digest.update(repr(tuple(record.values())).encode())
    conn.close()
    print(
        json.dumps(
            {
                "total_s": round(total, 2),
                "python_cpu_s": round(total_cpu, 2),
                "steps": {k: [round(v, 2), counts[k]] for k, v in sorted(times.items())},
                "digest": digest.hexdigest()[:16],
            }
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uri")
    parser.add_argument("--user", default="neo4j")
    parser.add_argument("--password", default=os.environ.get("NEO4J_PASSWORD", ""))
    parser.add_argument("--trees", nargs="+", default=[], help="source trees to compare")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--keep", action="store_true", help="refresh over the figures already there (no strip)"
    )
    parser.add_argument(
        "--restart",
        metavar="ARGS",
        help="restart the server before each run (a cold page cache, as after an import): "
        "the arguments of `scripts/neo4j-server start`, e.g. '--dir D --port 7702 "
        "--password P --heap-max 4g --pagecache 2g'",
    )
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    results = []
    for number in range(args.runs):
        for tree in args.trees:
            if not args.keep:
                strip(args.uri, args.user, args.password)
            if args.restart:
                restart(args.restart.split())
            load = os.getloadavg()
            done = subprocess.run(
                [sys.executable, __file__, "--child", tree, args.uri, args.user, args.password],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode:
                sys.exit(f"the run with {tree} failed:\n{done.stderr[-3000:]}")
            found = json.loads(done.stdout.strip().splitlines()[-1])
            found.update(tree=tree, run=number, load_before=load, load_after=os.getloadavg())
            results.append(found)
            print(json.dumps(found, ensure_ascii=False), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
