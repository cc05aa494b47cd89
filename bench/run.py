"""Side-by-side scale benchmark (issue 8): embedded and Neo4j, 10k and 100k companies (1M with --full).

Usage::

    python bench/run.py                    # 10k and 100k, embedded and Neo4j; writes bench/RESULTS.md
    python bench/run.py --full             # adds 1M companies (Neo4j there: bulk import only)
    python bench/run.py --sizes 2000 --out -               # quick look, print only
    python bench/run.py --sizes 2000 --no-neo4j --out -    # quicker: embedded only

For each size a child process generates a seeded synthetic graph
(``chaingraph.synthetic``: the real ontology plus made-up firms, all marked synthetic)
and saves it as an embedded store file. Embedded figures come from a fresh child
process per size (load time, peak RSS, then gaps / targets / plan latency for one
base, median of 3, and map generation). Whole-process peak RSS is read from the
kernel (``wait4``).

Neo4j figures come from servers started by ``scripts/neo4j-server`` in a temporary
folder (heap 4g, page cache 2g), loaded two ways (a row is a node or a relationship):

bulk
    the neo4j-admin path: a child process opens the store file and writes the CSV
    files ``chaingraph export --neo4j-admin`` writes (timed without the opening, which
    is the embedded load), ``neo4j-admin database import full`` into the stopped
    server's folder, then the server starts and runs ``schema.cypher`` and waits for
    the constraint and indexes to come online. Skipped with ``--no-bulk``.
batched
    :meth:`Neo4jStore.merge <chaingraph.store.neo4j.Neo4jStore.merge>` of every
    row into an empty database over Bolt, for sizes up to ``--neo4j-batched-max``
    (default 100,000: batched 1M takes 8+ minutes on 2 cores).

The same queries as on the embedded store then run through
:class:`chaingraph.store.neo4j.Neo4jStore` on the batched database when there
is one, else on the bulk-imported one. The main table gives Neo4j / embedded; a
second table breaks the Neo4j load down.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCRIPT = HERE.parent / "scripts" / "neo4j-server"
BASE = "base:yinping-high-end-equipment"
CHAIN = "chain:equipment"
RUNS = 3
SERVER_MEMORY = ("--heap-max", "4g", "--pagecache", "2g")
IMPORT_HEAP = "2g"  # neo4j-admin import works mostly off-heap
INDEX_WAIT_S = 1800  # db.awaitIndexes timeout; populating indexes on 1M firms takes a while


def _first_and_median(work: Any) -> tuple[float, float]:
    """Seconds of the first call (it builds what the store indexes lazily) and the
    median of the next RUNS calls."""
    times = []
    for _ in range(RUNS + 1):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times[0], statistics.median(times[1:])


def measure(store: Any, out_dir: Path) -> dict[str, Any]:
    """Latency of the analyses and a map on any store (seconds): first call, then the
    median of the repeats. ``targets_town`` judges the base by its town instead of its
    city: far fewer local firms, so most segments are gaps and many firms are scored.

    An analysis the store fails (say Neo4j running out of transaction memory at 1M
    firms) gets ``None`` times and its message under ``<name>_error``, so one failure
    does not lose the rest of a long run."""
    from chaingraph.errors import StoreError

    result: dict[str, Any] = {}
    for name, work in analyses(store, out_dir).items():
        try:
            result[f"{name}_first_s"], result[f"{name}_s"] = _first_and_median(work)
        except StoreError as exc:
            result[f"{name}_first_s"] = result[f"{name}_s"] = None
            result[f"{name}_error"] = str(exc)
    return result


def analyses(store: Any, out_dir: Path) -> dict[str, Callable[[], Any]]:
    """The timed analyses by name, in the order :func:`measure` runs them."""
    from chaingraph.analysis.config import AnalysisConfig
    from chaingraph.analysis.gaps import gaps
    from chaingraph.analysis.plan import plan
    from chaingraph.analysis.targets import targets
    from chaingraph.maps import chain_map, write_map

    town = dataclasses.replace(AnalysisConfig(), scope="town")
    return {
        "gaps": lambda: gaps(store, BASE),
        "targets": lambda: targets(store, BASE, top=5),
        "targets_town": lambda: targets(store, BASE, top=5, config=town),
        "plan": lambda: plan(store, BASE, 5),
        "map": lambda: write_map(chain_map(store, BASE, chain=CHAIN), out_dir / "map.html"),
    }


# Analyses timed on the first call after opening, each on a store opened for it alone
# (no other analysis before it): the embedded store in a fresh process, Neo4j with its
# query caches cleared (plans are per server, not per connection).
FIRST_ONLY = ("targets", "targets_town")


def child_first(path: str, name: str) -> None:
    """Run in a child process: open the file, run one analysis once, print its seconds."""
    from chaingraph.store.networkx import NetworkxStore

    store = NetworkxStore.open(path)
    work = analyses(store, Path(path).parent)[name]
    started = time.perf_counter()
    work()
    print(json.dumps({"s": time.perf_counter() - started}))


def neo4j_first_calls(server: dict[str, Any], out_dir: Path) -> dict[str, Any]:
    """Neo4j's first calls: for each analysis, clear the server's query caches, open a
    store (which plans the named queries, see ``Neo4jStore.warm``; timed as
    ``open_s``), run the analysis once."""
    from chaingraph.store.neo4j import Neo4jStore

    result: dict[str, Any] = {}
    for name in ("gaps", *FIRST_ONLY):
        for warm in (True, False):
            with _driver(server) as driver:
                driver.execute_query("CALL db.clearQueryCaches()")
            started = time.perf_counter()
            store = Neo4jStore(server["uri"], server["user"], server["password"], warm=warm)
            opened = time.perf_counter() - started
            try:
                work = analyses(store, out_dir)[name]
                started = time.perf_counter()
                work()
                seconds = time.perf_counter() - started
            finally:
                store.close()
            suffix = "" if warm else "_unwarmed"
            result[f"{name}_first{suffix}_s"] = seconds
            result[f"open{suffix}_s"] = opened
    return result


def profile_queries(store: Any, out_dir: Path) -> dict[str, int]:
    """Database hits of each named query (``PROFILE``) with the parameters the analyses
    pass: gaps, targets and targets at town scope run once while the queries they send
    are recorded, then each named query's first recorded call is profiled."""
    from chaingraph.queries import query, query_names

    sent: dict[str, tuple[str, dict[str, Any]]] = {}
    texts = {name: query(name) for name in query_names()}
    connection = store.connection
    original = connection.read

    def recording(text: str, doing: str = "reading", **params: Any) -> Any:
        for name, body in texts.items():
            if body in text and name not in sent:
                sent[name] = (text, params)
        return original(text, doing, **params)

    connection.read = recording
    try:
        for name, work in analyses(store, out_dir).items():
            if name in ("gaps", "targets", "targets_town"):
                work()
    finally:
        del connection.read
    hits: dict[str, int] = {}
    with connection.session() as session:
        for name in sorted(sent):
            text, params = sent[name]
            summary = session.run(f"PROFILE {text}", params).consume()
            hits[name] = _db_hits(summary.profile or {})
            print(f"PROFILE {name}: {hits[name]:,} db hits", file=sys.stderr)
    return hits


def _db_hits(plan: dict[str, Any]) -> int:
    own = plan.get("dbHits") or plan.get("args", {}).get("DbHits") or 0
    return int(own) + sum(_db_hits(child) for child in plan.get("children", []))


def _driver(server: dict[str, Any]) -> Any:
    import neo4j

    return neo4j.GraphDatabase.driver(server["uri"], auth=(server["user"], server["password"]))


def child_generate(companies: str, seed: str, path: str) -> None:
    """Run in a child process: generate the graph, save it, print its size (JSON). A
    child, so the parent does not keep gigabytes of freed heap at 1M companies."""
    from chaingraph.synthetic import synthetic_store

    started = time.perf_counter()
    store = synthetic_store(int(companies), int(seed))
    store.save(path)  # type: ignore[attr-defined]
    print(
        json.dumps(
            {
                "generate_s": time.perf_counter() - started,
                "nodes": store.count_nodes(),
                "relationships": store.count_relationships(),
            }
        )
    )


def child_embedded(path: str) -> None:
    """Run in a child process: load the file, time the analyses, print JSON."""
    from chaingraph.store.networkx import NetworkxStore

    started = time.perf_counter()
    store = NetworkxStore.open(path)
    load_s = time.perf_counter() - started
    result = {"load_s": load_s, **measure(store, Path(path).parent)}
    print(json.dumps(result))


def child_export(path: str, directory: str) -> None:
    """Run in a child process: open the file, write the neo4j-admin files, print JSON
    (the writing alone is timed; the opening is the embedded load)."""
    from chaingraph.store.neo4j.admin import write_neo4j_admin
    from chaingraph.store.networkx import NetworkxStore

    store = NetworkxStore.open(path)
    started = time.perf_counter()
    files = write_neo4j_admin(store, directory)
    print(json.dumps({"csv_s": time.perf_counter() - started, "files": [str(f) for f in files]}))


CHILDREN: dict[str, Callable[..., None]] = {
    "--child-generate": child_generate,
    "--child-embedded": child_embedded,
    "--child-export": child_export,
    "--child-first": child_first,
}


def run_child(args: list[str]) -> tuple[dict[str, Any], float]:
    """Run this file with ``args`` (a ``--child-*`` mode); its JSON and peak RSS in MiB."""
    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"child {args} failed with status {status}")
    return json.loads(output.strip().splitlines()[-1]), usage.ru_maxrss / 1024


# -- Neo4j servers (bench/neo4j_load.py uses these too) ---------------------------------
def server_script(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``scripts/neo4j-server`` with ``args``, output captured."""
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )


@contextmanager
def neo4j_server(folder: Path, memory: Sequence[str] = SERVER_MEMORY) -> Iterator[dict[str, Any]]:
    """Start a server on ``folder`` (and the database already there, if any), yield its
    connection JSON (uri, user, password), stop it at the end."""
    started = server_script("start", "--dir", str(folder), *memory)
    if started.returncode != 0:
        raise SystemExit(f"neo4j-server start failed:\n{started.stdout}{started.stderr}")
    try:
        yield json.loads(started.stdout.strip().splitlines()[-1])
    finally:
        server_script("stop", "--dir", str(folder))


def admin_import(files: Sequence[Path], folder: Path, heap_max: str = IMPORT_HEAP) -> float:
    """``neo4j-admin database import full neo4j`` of ``write_neo4j_admin`` files into the
    server folder ``folder`` (no server running there); seconds taken."""
    from chaingraph.store.neo4j.admin import import_arguments

    csv = [f for f in files if f.suffix == ".csv"]
    started = time.perf_counter()
    # The database name goes before --nodes/--relationships, which take several files.
    imported = server_script(
        "admin", "--dir", str(folder), "--heap-max", heap_max, "--",
        "database", "import", "full", "neo4j", *import_arguments(csv),
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if imported.returncode != 0:
        raise SystemExit(f"neo4j-admin import failed:\n{imported.stdout}{imported.stderr}")
    return seconds


def apply_schema(server: dict[str, Any], schema: Path) -> tuple[float, int, int]:
    """Run ``schema.cypher`` as ``cypher-shell -f`` would and wait until the constraint
    and indexes are online (queries would scan without them). Seconds taken, then the
    node and relationship counts of the database (to check the import)."""
    import neo4j

    auth = (server["user"], server["password"])
    with neo4j.GraphDatabase.driver(server["uri"], auth=auth) as driver:
        started = time.perf_counter()
        for statement in filter(str.strip, schema.read_text(encoding="utf-8").split(";")):
            driver.execute_query(statement)
        driver.execute_query("CALL db.awaitIndexes($seconds)", seconds=INDEX_WAIT_S)
        seconds = time.perf_counter() - started
        records, _, _ = driver.execute_query(
            "MATCH (n) WITH count(n) AS nodes MATCH ()-[r]->() RETURN nodes, count(r) AS rels"
        )
    return seconds, records[0]["nodes"], records[0]["rels"]


def neo4j_side(
    path: Path, folder: Path, counts: tuple[int, int], batched: bool, bulk: bool
) -> dict[str, Any]:
    """Load the store file into Neo4j in bulk and/or in batches (timed), then time the
    analyses on the batched database, or on the bulk one when there is no batched."""
    rows = counts[0] + counts[1]
    result: dict[str, Any] = {"rows": rows}
    if bulk:
        export, rss = run_child(["--child-export", str(path), str(folder / "csv")])
        files = [Path(f) for f in export["files"]]
        result["csv_s"], result["csv_peak_rss_mib"] = export["csv_s"], rss
        result["import_s"] = admin_import(files, folder / "bulk")
        with neo4j_server(folder / "bulk") as server:
            result["schema_s"], *stored = apply_schema(server, folder / "csv" / "schema.cypher")
            if tuple(stored) != counts:
                raise SystemExit(f"the bulk import holds {stored} nodes and rels, not {counts}")
            with _store(server) as store:
                # What the gap queries read (chaingraph.store.neo4j.derived): opening a
                # store would do it too, as the database has no stamp yet.
                result["derive_s"] = store.refresh_derived()
            if not batched:
                with _store(server) as store:
                    result["analyses_on"] = "bulk"
                    result.update(measure(store, folder))
                    result["db_hits"] = profile_queries(store, folder)
                result.update(neo4j_first_calls(server, folder))
        for done in ("csv", "bulk"):  # gigabytes at 1M companies
            shutil.rmtree(folder / done)
    if batched:
        from chaingraph.store.networkx import NetworkxStore

        source = NetworkxStore.open(path)
        nodes, rels = list(source.nodes()), list(source.relationships())
        del source
        with neo4j_server(folder / "batched") as server, _store(server) as store:
            store.clear()
            started = time.perf_counter()
            store.merge(nodes, rels)
            # The rows written, and apart the derived figures refreshed at the end of the
            # merge (chaingraph.store.neo4j.derived), so the Bolt rate stays comparable.
            result["batched_derive_s"] = store.derive_seconds or 0.0
            result["batched_s"] = time.perf_counter() - started - result["batched_derive_s"]
            result["analyses_on"] = "batched"
            result.update(measure(store, folder))
            result["db_hits"] = profile_queries(store, folder)
            result.update(neo4j_first_calls(server, folder))
        shutil.rmtree(folder / "batched")
    return result


def _store(server: dict[str, Any]) -> Any:
    from chaingraph.store.neo4j import Neo4jStore

    return Neo4jStore(server["uri"], server["user"], server["password"], warm=False)


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
    parser.add_argument(
        "--neo4j-batched-max",
        type=int,
        default=100_000,
        metavar="N",
        help="batched Bolt load only up to N companies (100,000); above, the analyses run "
        "on the bulk-imported database",
    )
    parser.add_argument(
        "--no-bulk",
        action="store_true",
        help="skip the neo4j-admin bulk load (Neo4j runs then only up to --neo4j-batched-max)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--json",
        type=Path,
        metavar="FILE",
        help="also write the figures as JSON (the largest size at the top level)",
    )
    parser.add_argument(
        "--out", default=str(HERE / "RESULTS.md"), help="markdown file, or - to print only"
    )
    args = parser.parse_args(argv)
    sizes = args.sizes + ([1_000_000] if args.full else [])

    rows = []
    started_load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="cg-bench-") as tmp:
        for n in sizes:
            path = Path(tmp) / f"syn-{n}.cgraph.json"
            made, _ = run_child(["--child-generate", str(n), str(args.seed), str(path)])
            counts = (made["nodes"], made["relationships"])
            embedded, rss = run_child(["--child-embedded", str(path)])
            for name in FIRST_ONLY:
                first, _ = run_child(["--child-first", str(path), name])
                embedded[f"{name}_first_s"] = first["s"]
            row: dict[str, Any] = {
                "companies": n,
                "nodes": counts[0],
                "relationships": counts[1],
                "generate_s": made["generate_s"],
                "embedded": {**embedded, "peak_rss_mib": rss},
            }
            batched = n <= args.neo4j_batched_max
            bulk = not args.no_bulk
            wanted = not args.no_neo4j and (args.neo4j_max is None or n <= args.neo4j_max)
            if wanted and (batched or bulk):
                row["neo4j"] = neo4j_side(path, Path(tmp) / f"neo4j-{n}", counts, batched, bulk)
            row["load_average"] = {"before": started_load, "after": os.getloadavg()}
            started_load = os.getloadavg()
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
            path.unlink()
    text = render(rows)
    print(text)
    if args.json:
        args.json.write_text(
            json.dumps(figures(rows), indent=2, ensure_ascii=False), encoding="utf-8"
        )
    if args.out != "-":
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


COLUMNS = ("gaps", "targets", "targets_town", "plan", "map")


def figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON of ``--json``: per store, ``<analysis>_first_s`` (first call after
    opening, no analysis before it) and ``<analysis>_repeat_s`` (median of the
    repeats), Neo4j's ``load_rows_per_s`` and ``db_hits`` per named query; the largest
    size at the top level, every size under ``by_size``."""
    out: list[dict[str, Any]] = []
    for r in rows:
        entry: dict[str, Any] = {
            "companies": r["companies"],
            "nodes": r["nodes"],
            "relationships": r["relationships"],
            "load_average": r.get("load_average"),
        }
        for side in ("embedded", "neo4j"):
            if side not in r:
                continue
            result = dict(r[side])
            for c in COLUMNS:
                if c + "_s" in result:
                    result[c + "_repeat_s"] = result.pop(c + "_s")
            if side == "embedded":
                total = r["nodes"] + r["relationships"]
                result["load_rows_per_s"] = total / result["load_s"]
            else:
                if result.get("batched_s"):
                    result["load_rows_per_s"] = result["rows"] / result["batched_s"]
                if result.get("import_s"):
                    result["bulk_rows_per_s"] = result["rows"] / (
                        result["csv_s"] + result["import_s"]
                    )
            entry[side] = result
        out.append(entry)
    top = dict(out[-1]) if out else {}
    top["machine"] = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    top["by_size"] = out
    return top


def _pair(result: dict[str, Any], name: str) -> str:
    if result[name + "_s"] is None:
        return "failed"
    return f"{result[name + '_first_s']:.2f} / {result[name + '_s']:.3f}"


def _ratio(neo4j: dict[str, Any], embedded: dict[str, Any], name: str) -> str:
    if not neo4j[name + "_s"] or not embedded[name + "_s"]:
        return "–"
    return f"{neo4j[name + '_s'] / embedded[name + '_s']:.1f}×"


def _neo4j_load(n: dict[str, Any]) -> tuple[str, float]:
    """Which database the analyses ran on, and its load seconds (bulk: CSV + import)."""
    if n["analyses_on"] == "batched":
        return "Neo4j batched", n["batched_s"]
    return "Neo4j bulk", n["csv_s"] + n["import_s"]


def _rate(rows: int, seconds: float | None) -> str:
    return f"{rows / seconds:,.0f}" if seconds else "–"


def _seconds(seconds: float | None) -> str:
    return f"{seconds:.2f}" if seconds is not None else "–"


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
        "(embedded); for Neo4j (5.26, heap 4g, page cache 2g) it is the load of the "
        "database the queries ran on: `Neo4j batched` is a batched merge of every row "
        "into an empty database over Bolt, `Neo4j bulk` is writing the neo4j-admin CSV "
        "files plus `neo4j-admin database import` (the second table has the breakdown).",
        "",
        "| companies | nodes | rels | store | load s | rows/s | peak RSS MiB | gaps s | "
        "targets s | targets town s | plan s | map s |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    loads = []
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
            store, load_s = _neo4j_load(n)
            cells = " | ".join(_pair(n, c) for c in COLUMNS)
            lines.append(
                f"| | | | {store} | {load_s:.2f} | {n['rows'] / load_s:,.0f} | (server) | {cells} |"
            )
            ratios = " | ".join(_ratio(n, e, c) for c in COLUMNS)
            lines.append(
                f"| | | | Neo4j / embedded (repeat) | {load_s / e['load_s']:.1f}× | | | {ratios} |"
            )
            loads.append((r["companies"], n))
    failed = [
        f"- {r['companies']:,} companies, {label}, {c.replace('_', ' ')}: {result[c + '_error']}"
        for r in rows
        for label, result in (("embedded", r["embedded"]), ("Neo4j", r.get("neo4j", {})))
        for c in COLUMNS
        if c + "_error" in result
    ]
    if failed:
        lines += ["", "Failed (first call; not repeated):", "", *failed]
    if loads:
        lines += [
            "",
            "Neo4j load, both paths. Batched: `Neo4jStore.merge` over Bolt into an empty "
            "database (skipped above `--neo4j-batched-max` companies). Bulk: CSV is "
            "`write_neo4j_admin` (what `chaingraph export --neo4j-admin` writes) on an open "
            "store, timed in a child process whose peak RSS includes the open store; import "
            "is `neo4j-admin database import full` into the stopped server's folder; schema "
            "is running `schema.cypher` after the start until the constraint and indexes "
            "are online (`db.awaitIndexes`), which queries need.",
            "",
            "| companies | rows | batched s | batched rows/s | CSV s | import s | "
            "CSV + import rows/s | import rows/s | schema s | CSV peak RSS MiB |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for companies, n in loads:
            rows_ = n["rows"]
            bulk_s = n["csv_s"] + n["import_s"] if "import_s" in n else None
            rss = f"{n['csv_peak_rss_mib']:,.0f}" if "csv_peak_rss_mib" in n else "–"
            lines.append(
                f"| {companies:,} | {rows_:,} | {_seconds(n.get('batched_s'))} | "
                f"{_rate(rows_, n.get('batched_s'))} | {_seconds(n.get('csv_s'))} | "
                f"{_seconds(n.get('import_s'))} | {_rate(rows_, bulk_s)} | "
                f"{_rate(rows_, n.get('import_s'))} | {_seconds(n.get('schema_s'))} | {rss} |"
            )
    hits = [(r["companies"], r["neo4j"]) for r in rows if r.get("neo4j", {}).get("db_hits")]
    if hits:
        names = sorted({q for _, n in hits for q in n["db_hits"]})
        lines += [
            "",
            "Neo4j named queries: database hits (`PROFILE`, with the parameters `gaps`, "
            "`targets` and town-scope `targets` pass; the first call of each).",
            "",
            "| companies | " + " | ".join(f"`{q}`" for q in names) + " |",
            "|---:|" + "---:|" * len(names),
        ]
        for companies, n in hits:
            cells = " | ".join(f"{n['db_hits'].get(q, 0):,}" for q in names)
            lines.append(f"| {companies:,} | {cells} |")
    derives = [
        (r["companies"], r["neo4j"])
        for r in rows
        if {"derive_s", "batched_derive_s"} & r.get("neo4j", {}).keys()
    ]
    if derives:
        lines += [
            "",
            "Neo4j derived figures (`chaingraph.store.neo4j.derived`: what the gap queries "
            "read): a full refresh after the bulk import (`Neo4jStore.refresh_derived`), and "
            "the refresh at the end of the batched merge (not in its seconds above). Seconds.",
            "",
            "| companies | after bulk import | inside batched merge |",
            "|---:|---:|---:|",
        ]
        for companies, n in derives:
            lines.append(
                f"| {companies:,} | {_seconds(n.get('derive_s'))} | "
                f"{_seconds(n.get('batched_derive_s'))} |"
            )
    firsts = [(r["companies"], r["neo4j"]) for r in rows if "open_s" in r.get("neo4j", {})]
    if firsts:
        lines += [
            "",
            "Neo4j first calls: each after `CALL db.clearQueryCaches()` and a new store; "
            "opening plans every named query (`EXPLAIN`, `Neo4jStore.warm`) unless "
            "`warm=False`. Seconds.",
            "",
            "| companies | open (warm) | gaps first | targets first | targets town first | "
            "open (no warm) | gaps first | targets first | targets town first |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for companies, n in firsts:
            warm = " | ".join(_seconds(n.get(f"{c}_first_s")) for c in ("gaps", *FIRST_ONLY))
            cold = " | ".join(
                _seconds(n.get(f"{c}_first_unwarmed_s")) for c in ("gaps", *FIRST_ONLY)
            )
            lines.append(
                f"| {companies:,} | {_seconds(n.get('open_s'))} | {warm} | "
                f"{_seconds(n.get('open_unwarmed_s'))} | {cold} |"
            )
    averages = [
        f"{r['companies']:,}: {' '.join(f'{x:.2f}' for x in r['load_average']['before'])} "
        f"before, {' '.join(f'{x:.2f}' for x in r['load_average']['after'])} after"
        for r in rows
        if r.get("load_average")
    ]
    if averages:
        lines += ["", "Load average (1/5/15 min) around each size: " + "; ".join(averages) + "."]
    lines.append("")
    return "\n".join(lines)


def _memory_gib() -> float:
    with open("/proc/meminfo", encoding="ascii") as fh:
        kib = int(fh.readline().split()[1])
    return kib / 1024 / 1024


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in CHILDREN:
        CHILDREN[sys.argv[1]](*sys.argv[2:])
    else:
        sys.exit(main())
