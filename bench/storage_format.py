"""Measure store file formats on a ~200k-node synthetic graph: save, load, size, load memory (issue 2).

Run from the repository root::

    python bench/storage_format.py                 # 200k nodes, 3 runs, writes bench/STORAGE.md
    python bench/storage_format.py --nodes 20000 --runs 1 --out -   # quick look

Every candidate saves atomically (temp file, fsync, rename, fsync folder) and
loads into a ready :class:`NetworkxStore` (graph plus name/type indexes), in a
fresh child process so its peak RSS can be read with ``os.wait4``. Loads are
timed twice: with Python's cyclic GC on (the default) and paused for the load
(what ``NetworkxStore.open`` may do); "GC after" is the full collection the paused
load leaves for later. None of the candidates runs code from the file; pickle is
left out on purpose (never unpickle a file someone may have handed you).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import gzip
import importlib
import importlib.util
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import orjson
from synthetic_graph import ontology_store, synthetic_store

from chaingraph.fs import atomic_write_bytes
from chaingraph.model import load_model
from chaingraph.store.networkx import NetworkxStore
from chaingraph.store.networkx.fileformat import (
    FORMAT_NAME,
    FORMAT_VERSION,
    read_store_file,
)

HERE = Path(__file__).resolve().parent
NodeRow = tuple[str, str, dict[str, Any]]
EdgeRow = tuple[str, str, str, str, dict[str, Any]]
Rows = tuple[dict[str, Any], list[NodeRow], list[EdgeRow]]


# -- the candidates -------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One file format: how to save a store, decode a file, and build a ready store."""

    name: str
    suffix: str
    module: str  # the extra module its load needs (import time is reported apart)
    save: Callable[[NetworkxStore, Path], None]
    decode: Callable[[Path], Any]
    build: Callable[[Any], NetworkxStore]


def _node_rows(store: NetworkxStore) -> list[NodeRow]:
    return [(n, d["t"], d["p"]) for n, d in store.graph.nodes(data=True)]


def _edge_rows(store: NetworkxStore) -> list[EdgeRow]:
    return [(d["t"], u, v, d["k"], d["p"]) for u, v, d in store.graph.edges(data=True)]


def _header(store: NetworkxStore) -> dict[str, Any]:
    return {"format": FORMAT_NAME, "version": FORMAT_VERSION, "meta": store.meta}


def _ready(rows: Rows) -> NetworkxStore:
    """A store built from rows exactly as ``NetworkxStore.open`` builds it."""
    meta, nodes, edges = rows
    store = NetworkxStore()
    store.meta = meta
    store._load_rows(nodes, edges)
    return store


def _as_is(store: NetworkxStore) -> NetworkxStore:
    return store


def _json_payload(store: NetworkxStore) -> bytes:
    """The bytes ``write_store_file`` writes (same document, same orjson call)."""
    return orjson.dumps({**_header(store), "nodes": _node_rows(store), "edges": _edge_rows(store)})


def _json_rows(raw: bytes) -> Rows:
    """Decode a store document the way ``read_store_file`` does (parse, check, convert)."""
    document = orjson.loads(raw)
    if document.get("format") != FORMAT_NAME or document.get("version") != FORMAT_VERSION:
        raise ValueError("not a store document")
    nodes = [(_text(i), _text(t), _props(p)) for i, t, p in document["nodes"]]
    edges = [
        (_text(t), _text(s), _text(d), _text(k), _props(p)) for t, s, d, k, p in document["edges"]
    ]
    ids = {row[0] for row in nodes}
    if any(s not in ids or d not in ids for _, s, d, _, _ in edges):
        raise ValueError("dangling relationship")
    return dict(document.get("meta") or {}), nodes, edges


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _props(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(value)
    return value


def _atomic_via(path: Path, write: Callable[[Path], None]) -> None:
    """Let ``write`` fill a temp file beside ``path``, then fsync and rename it over ``path``."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


# (a) the current format
def save_json(store: NetworkxStore, path: Path) -> None:
    store.save(path)


# (b) gzip, (c) zstandard: the same document, compressed
def _gzip_saver(level: int) -> Callable[[NetworkxStore, Path], None]:
    def save(store: NetworkxStore, path: Path) -> None:
        atomic_write_bytes(path, gzip.compress(_json_payload(store), compresslevel=level, mtime=0))

    return save


def decode_gzip(path: Path) -> Rows:
    return _json_rows(gzip.decompress(path.read_bytes()))


def save_zstd(store: NetworkxStore, path: Path) -> None:
    import zstandard

    atomic_write_bytes(path, zstandard.ZstdCompressor(level=3).compress(_json_payload(store)))


def decode_zstd(path: Path) -> Rows:
    import zstandard

    return _json_rows(zstandard.ZstdDecompressor().decompress(path.read_bytes()))


# (d) Parquet: one table (nodes first, then edges), props as a JSON column
def save_parquet(store: NetworkxStore, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    nodes, edges = _node_rows(store), _edge_rows(store)
    columns = {
        "type": [t for _, t, _ in nodes] + [t for t, *_ in edges],
        "a": [i for i, _, _ in nodes] + [s for _, s, _, _, _ in edges],
        "b": [None] * len(nodes) + [d for _, _, d, _, _ in edges],
        "key": [None] * len(nodes) + [k for *_, k, _ in edges],
        "props": [orjson.dumps(p) for *_, p in nodes] + [orjson.dumps(p) for *_, p in edges],
    }
    schema = pa.schema(
        [
            ("type", pa.string()),
            ("a", pa.string()),
            ("b", pa.string()),
            ("key", pa.string()),
            ("props", pa.binary()),
        ],
        metadata={b"chaingraph": orjson.dumps({**_header(store), "nodes": len(nodes)})},
    )
    table = pa.table(columns, schema=schema)
    _atomic_via(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def decode_parquet(path: Path) -> Rows:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    header = orjson.loads(table.schema.metadata[b"chaingraph"])
    n = header["nodes"]
    types, a, b, key = (table.column(c).to_pylist() for c in ("type", "a", "b", "key"))
    props = [orjson.loads(p) for p in table.column("props").to_pylist()]
    nodes = list(zip(a[:n], types[:n], props[:n], strict=True))
    edges = list(zip(types[n:], a[n:], b[n:], key[n:], props[n:], strict=True))
    return header["meta"], nodes, edges


# (e) networkx node-link data through the standard library's json
def save_node_link(store: NetworkxStore, path: Path) -> None:
    data = nx.node_link_data(store.graph, edges="edges")
    data["graph"] = _header(store)
    atomic_write_bytes(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())


def decode_node_link(path: Path) -> Any:
    return json.loads(path.read_bytes())


def build_node_link(data: Any) -> NetworkxStore:
    store = NetworkxStore()
    store.graph = nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")
    store.meta = store.graph.graph.pop("meta")
    store.graph.graph.clear()
    for node_id, d in store.graph.nodes(data=True):
        store._index_node(node_id, d["t"], d["p"])
    for _, _, rel_type in store.graph.edges(data="t"):
        store._edge_counts[rel_type] += 1
    return store


# (f) SQLite: meta, nodes and edges tables, props as JSON
def save_sqlite(store: NetworkxStore, path: Path) -> None:
    def write(tmp: Path) -> None:
        con = sqlite3.connect(tmp)
        try:
            con.execute("PRAGMA journal_mode=OFF")
            con.execute("PRAGMA synchronous=OFF")
            con.executescript(
                "CREATE TABLE meta(header BLOB);"
                "CREATE TABLE nodes(id TEXT, type TEXT, props BLOB);"
                "CREATE TABLE edges(type TEXT, src TEXT, dst TEXT, key TEXT, props BLOB);"
            )
            con.execute("INSERT INTO meta VALUES (?)", (orjson.dumps(_header(store)),))
            con.executemany(
                "INSERT INTO nodes VALUES (?, ?, ?)",
                ((i, t, orjson.dumps(p)) for i, t, p in _node_rows(store)),
            )
            con.executemany(
                "INSERT INTO edges VALUES (?, ?, ?, ?, ?)",
                ((t, s, d, k, orjson.dumps(p)) for t, s, d, k, p in _edge_rows(store)),
            )
            con.commit()
        finally:
            con.close()

    _atomic_via(path, write)


def decode_sqlite(path: Path) -> Rows:
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        con.execute("PRAGMA trusted_schema=OFF")
        (header,) = con.execute("SELECT header FROM meta").fetchone()
        nodes = [
            (i, t, orjson.loads(p))
            for i, t, p in con.execute("SELECT id, type, props FROM nodes ORDER BY rowid")
        ]
        edges = [
            (t, s, d, k, orjson.loads(p))
            for t, s, d, k, p in con.execute(
                "SELECT type, src, dst, key, props FROM edges ORDER BY rowid"
            )
        ]
    finally:
        con.close()
    return orjson.loads(header)["meta"], nodes, edges


CANDIDATES = {
    c.name: c
    for c in (
        Candidate(
            "json (current)",
            ".json",
            "orjson",
            save_json,
            read_store_file,
            _ready,
        ),
        Candidate(
            "json, NetworkxStore.open",
            ".json",
            "orjson",
            save_json,
            NetworkxStore.open,
            _as_is,
        ),
        Candidate("json+gzip-1", ".json.gz", "gzip", _gzip_saver(1), decode_gzip, _ready),
        Candidate("json+gzip-6", ".json.gz", "gzip", _gzip_saver(6), decode_gzip, _ready),
        Candidate("json+zstd-3", ".json.zst", "zstandard", save_zstd, decode_zstd, _ready),
        Candidate(
            "parquet (zstd)", ".parquet", "pyarrow.parquet", save_parquet, decode_parquet, _ready
        ),
        Candidate(
            "node-link json",
            ".nl.json",
            "json",
            save_node_link,
            decode_node_link,
            build_node_link,
        ),
        Candidate("sqlite", ".sqlite", "sqlite3", save_sqlite, decode_sqlite, _ready),
    )
}


# -- measuring --------------------------------------------------------------------


def child(name: str, path: Path, gc_mode: str) -> None:
    """Load ``path`` with one candidate and print the timings as one JSON line.

    Wall seconds (``perf_counter``) and this process's CPU seconds (``process_time``);
    on a shared machine the CPU seconds are the steadier estimate of an idle load.
    """
    load_model()
    NetworkxStore()  # warm: the model and its validators are built once per process
    candidate = CANDIDATES[name]
    started = time.perf_counter()
    importlib.import_module(candidate.module)
    wall, cpu = time.perf_counter(), time.process_time()
    if gc_mode == "paused":
        gc.disable()
    decoded = candidate.decode(path)
    decode_cpu = time.process_time() - cpu
    store = candidate.build(decoded)
    load_wall, load_cpu = time.perf_counter() - wall, time.process_time() - cpu
    del decoded
    gc.enable()
    collect = time.process_time()
    gc.collect()
    result = {
        "import_s": wall - started,
        "load_s": load_wall,
        "load_cpu_s": load_cpu,
        "decode_cpu_s": decode_cpu,
        "gc_after_cpu_s": time.process_time() - collect,
        "rss_mib": _peak_rss_mib(),
        "nodes": store.count_nodes(),
        "relationships": store.count_relationships(),
    }
    print(json.dumps(result))


def _peak_rss_mib() -> float:
    """This process's peak RSS. Not ``ru_maxrss``: on Linux that keeps the peak of the
    (large) parent this child was forked from, so every child would report at least that."""
    status = Path("/proc/self/status").read_text()
    return next(int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("VmHWM:")) / 1024


def run_child(name: str, path: Path, gc_mode: str) -> dict[str, Any]:
    """Run :func:`child` in a fresh interpreter and return what it measured."""
    args = [sys.executable, str(Path(__file__).resolve()), "--child", name, str(path), gc_mode]
    out = subprocess.run(args, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, check=True)
    result: dict[str, Any] = json.loads(out.stdout.decode().strip().splitlines()[-1])
    return result


def baseline_rss() -> float:
    """Peak RSS (MiB) of a child that imports chaingraph and builds an empty store."""
    code = (
        "from chaingraph.model import load_model; load_model(); "
        "from chaingraph.store.networkx import NetworkxStore; NetworkxStore(); "
        "from storage_format import _peak_rss_mib; print(_peak_rss_mib())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, cwd=HERE, check=True, text=True
    )
    return float(out.stdout.strip())


def check_round_trip(workdir: Path, names: list[str]) -> None:
    """Every candidate must give back exactly the store it saved (small graph)."""
    store = synthetic_store(300, seed=7)
    store.meta["note"] = "round trip"
    expected = (
        store.meta,
        sorted((n.id, n.type, orjson.dumps(n.props)) for n in store.nodes()),
        sorted(
            (r.type, r.source, r.target, r.key, orjson.dumps(r.props))
            for r in store.relationships()
        ),
    )
    for candidate in (CANDIDATES[name] for name in names):
        path = workdir / f"check{candidate.suffix}"
        candidate.save(store, path)
        back = candidate.build(candidate.decode(path))
        got = (
            back.meta,
            sorted((n.id, n.type, orjson.dumps(n.props)) for n in back.nodes()),
            sorted(
                (r.type, r.source, r.target, r.key, orjson.dumps(r.props))
                for r in back.relationships()
            ),
        )
        name = store.nodes("Company").__next__()
        if got != expected or back.ids_by_name(name.props["legal_name"]) != [name.id]:
            raise AssertionError(f"{candidate.name} does not round-trip")
        path.unlink()


def available(names: list[str]) -> list[str]:
    """The candidates whose library is installed (zstandard and pyarrow are optional)."""
    found = []
    for name in names:
        if importlib.util.find_spec(CANDIDATES[name].module.partition(".")[0]) is None:
            print(f"skipping {name}: {CANDIDATES[name].module} is not installed", file=sys.stderr)
        else:
            found.append(name)
    return found


def median(values: list[float]) -> float:
    return statistics.median(values)


def measure(nodes: int, runs: int, workdir: Path, names: list[str]) -> dict[str, Any]:
    load_before = os.getloadavg()
    check_round_trip(workdir, names)
    companies = nodes - ontology_store().count_nodes()
    started = time.perf_counter()
    store = synthetic_store(companies, seed=2)
    build_s = time.perf_counter() - started
    print(
        f"graph: {store.count_nodes():,} nodes ({companies:,} synthetic companies), "
        f"{store.count_relationships():,} relationships, built in {build_s:.1f} s",
        file=sys.stderr,
    )
    paths = {name: workdir / f"store-{i}{CANDIDATES[name].suffix}" for i, name in enumerate(names)}
    saves: dict[str, list[float]] = {name: [] for name in names}
    for name in names:
        for _ in range(runs):
            paths[name].unlink(missing_ok=True)
            t = time.perf_counter()
            CANDIDATES[name].save(store, paths[name])
            saves[name].append(time.perf_counter() - t)
    expected = (store.count_nodes(), store.count_relationships())
    del store
    gc.collect()
    # Round robin, so that anything else running on the machine hits every candidate alike.
    loads: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for run in range(runs):
        for name in names:
            for mode in ("on", "paused"):
                result = run_child(name, paths[name], mode)
                if (result["nodes"], result["relationships"]) != expected:
                    raise AssertionError(f"{name}: loaded {result['nodes']} nodes, not all")
                loads.setdefault((name, mode), []).append(result)
                print(f"run {run + 1} {name} GC {mode}: {result}", file=sys.stderr)
    results: dict[str, Any] = {}
    for name in names:
        results[name] = {
            "save_s": median(saves[name]),
            "size_mib": paths[name].stat().st_size / 2**20,
            "import_s": median([r["import_s"] for m in ("on", "paused") for r in loads[name, m]]),
            **{
                f"{key}_{mode}": median([r[key] for r in loads[name, mode]])
                for mode in ("on", "paused")
                for key in ("load_s", "load_cpu_s", "decode_cpu_s", "gc_after_cpu_s", "rss_mib")
            },
        }
    return {
        "nodes": expected[0],
        "relationships": expected[1],
        "companies": companies,
        "build_s": build_s,
        "runs": runs,
        "baseline_rss_mib": baseline_rss(),
        "loadavg": [load_before, os.getloadavg()],
        "results": results,
    }


# -- reporting ----------------------------------------------------------------------


def table(report: dict[str, Any]) -> str:
    results = report["results"]
    current = results.get(CURRENT)
    lines = [
        "| format | size MiB | save s | load CPU s, GC on | load CPU s, GC paused"
        " | of which decode | vs current | load wall s, GC on / paused | GC after s"
        " | peak RSS MiB | import s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        vs = (
            ""
            if current is None
            else f"{r['load_cpu_s_paused'] / current['load_cpu_s_paused'] - 1:+.0%}"
        )
        lines.append(
            f"| {name} | {r['size_mib']:.1f} | {r['save_s']:.1f}"
            f" | {r['load_cpu_s_on']:.1f} | {r['load_cpu_s_paused']:.1f}"
            f" | {r['decode_cpu_s_paused']:.1f} | {vs}"
            f" | {r['load_s_on']:.1f} / {r['load_s_paused']:.1f} | {r['gc_after_cpu_s_paused']:.1f}"
            f" | {r['rss_mib_paused']:.0f} | {r['import_s']:.2f} |"
        )
    return "\n".join(lines)


def machine_notes(report: dict[str, Any]) -> str:
    mem_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    versions = [f"Python {platform.python_version()}", f"networkx {nx.__version__}"]
    for module in ("orjson", "pyarrow", "zstandard"):
        with contextlib.suppress(ImportError):
            versions.append(f"{module} {importlib.import_module(module).__version__}")
    versions.append(f"SQLite {sqlite3.sqlite_version}")
    return (
        f"- machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"{mem_kib / 2**20:.1f} GiB RAM, {platform.system()} {platform.release()}, "
        f"{platform.processor() or platform.machine()}\n"
        f"- {', '.join(versions)}\n"
        f"- graph: {report['nodes']:,} nodes ({report['companies']:,} synthetic companies from "
        f"`bench/synthetic_graph.py`, seed 2, plus the bundled ontology), "
        f"{report['relationships']:,} relationships; built in {report['build_s']:.0f} s\n"
        f"- each number is the median of {report['runs']} runs; every load runs in a fresh "
        f"process (file in the page cache); a process that only imports chaingraph peaks at "
        f"{report['baseline_rss_mib']:.0f} MiB RSS\n"
        f"- other work shared the 2 cores (1-minute load average {report['loadavg'][0][0]:.1f} "
        f"at the start, {report['loadavg'][1][0]:.1f} at the end): loads ran round robin so "
        "that it hit every candidate alike; compare CPU seconds when wall seconds look odd"
    )


CURRENT, SHIPPED = "json (current)", "json, NetworkxStore.open"


def recommendation(report: dict[str, Any]) -> str:
    """What the numbers say, in the terms of issue 2 (switch only for > 30% faster loads)."""
    results = report["results"]
    cur = results[CURRENT]
    others = {n: r for n, r in results.items() if n not in (CURRENT, SHIPPED)}
    best = min(others, key=lambda n: others[n]["load_cpu_s_paused"])
    gain = 1 - others[best]["load_cpu_s_paused"] / cur["load_cpu_s_paused"]
    smallest = min(others, key=lambda n: others[n]["size_mib"])
    noise = ""
    if SHIPPED in results:
        same = results[SHIPPED]["load_cpu_s_paused"] / cur["load_cpu_s_paused"] - 1
        noise = (
            f" For scale: `{SHIPPED}` and `{CURRENT}` with the GC paused run the same code "
            f"and came out {abs(same):.0%} apart, so differences of that size are noise."
        )
    verdict = (
        f"{best} clears that bar and is the candidate to switch to"
        if gain > 0.30
        else "no candidate clears that bar, so the file stays orjson JSON"
    )
    return (
        f"**Load time.** Of the current format's {cur['load_cpu_s_paused']:.1f} s load "
        f"(CPU, GC paused), {cur['decode_cpu_s_paused'] / cur['load_cpu_s_paused']:.0%} is "
        "decoding the file; the rest is rebuilding the networkx graph and the name indexes, "
        "which every format pays, so no format can win more than that share. The fastest "
        f"other candidate, {best}, loads in {others[best]['load_cpu_s_paused']:.1f} s "
        f"({-gain:+.0%}), though its decode takes {others[best]['decode_cpu_s_paused']:.1f} s "
        f"against {cur['decode_cpu_s_paused']:.1f} s: the rest of the gap is in the rebuild "
        "all formats share, i.e. noise. "
        "Issue 2 asks for a gain over 30% before adding a format or a "
        f"dependency: {verdict}.{noise}\n\n"
        "**Garbage collector.** The load shrinks more by pausing Python's cyclic GC while "
        "it runs (now done by `NetworkxStore.open`, via "
        "`chaingraph.collector.collector_paused`): for the current format, from "
        f"{cur['load_cpu_s_on']:.1f} to {cur['load_cpu_s_paused']:.1f} CPU seconds "
        f"({cur['load_cpu_s_paused'] / cur['load_cpu_s_on'] - 1:+.0%}); the one full "
        f"collection this defers costs about {cur['gc_after_cpu_s_paused']:.1f} s later, if "
        "the process lives long enough to need it.\n\n"
        f"**Size.** Compression shrinks the file about "
        f"{cur['size_mib'] / others[smallest]['size_mib']:.0f}x ({smallest}: "
        f"{others[smallest]['size_mib']:.1f} MiB against {cur['size_mib']:.1f} MiB) and "
        "does not make the load faster; the bundled store is about 0.5 MB, so size is not "
        "worth a change (or a new dependency) today.\n\n"
        "**Safety.** None of the measured formats runs code while reading: JSON (orjson or "
        "the standard library) is plain data and is type-checked row by row; SQLite is "
        "opened read-only with `trusted_schema=OFF`, as SQLite advises for files from "
        "elsewhere; Parquet needs pyarrow >= 14.0.1 (CVE-2023-47248: older pyarrow "
        "unpickled extension-type metadata from Parquet and IPC files, i.e. ran code from "
        "the file) and would add a large dependency. Pickle, and networkx's gpickle, are "
        "left out on purpose: unpickling a file runs whatever code it holds, and store "
        "files get mailed around."
    )


def write_markdown(report: dict[str, Any], out: Path) -> None:
    out.write_text(
        "# Store file format: measurements\n\n"
        "Made by `python bench/storage_format.py` (issue 2). Load = file to a ready "
        "`NetworkxStore` (graph and indexes rebuilt), in CPU seconds of the loading "
        "process (steadier than wall seconds on this shared machine; apart from pyarrow's "
        "reader the loads are single-threaded, so on an idle machine wall time is about "
        "the same; wall seconds are shown too). Save = wall seconds including the atomic write (temp file, fsync, "
        'rename). "Of which decode" is the part of the paused-GC load spent turning the '
        'file into rows, the rest is building the networkx graph and the indexes; "vs '
        'current" compares paused-GC loads; "GC after" is the full collection a paused '
        f"load leaves for later. `{SHIPPED}` is the code path users get (it pauses the GC "
        "itself, so its two load columns agree, and its decode column is the whole load).\n\n"
        f"{table(report)}\n\n## Recommendation\n\n{recommendation(report)}\n\n"
        f"## Machine\n\n{machine_notes(report)}\n",
        encoding="utf-8",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=200_000, help="nodes in the graph")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--only", action="append", choices=sorted(CANDIDATES), help="candidate")
    parser.add_argument("--out", default=str(HERE / "STORAGE.md"), help="markdown file, or -")
    parser.add_argument("--json", help="also write the raw numbers here")
    parser.add_argument("--workdir", help="folder for the store files (default: a temp folder)")
    parser.add_argument("--render", help="only write the markdown from numbers saved by --json")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        name, path, gc_mode = args.child
        child(name, Path(path), gc_mode)
        return
    if args.render:
        write_markdown(json.loads(Path(args.render).read_text(encoding="utf-8")), Path(args.out))
        return
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        report = measure(args.nodes, args.runs, Path(tmp), available(args.only or list(CANDIDATES)))
    print(table(report))
    print()
    print(machine_notes(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2), encoding="utf-8")
    if args.out != "-":
        write_markdown(report, Path(args.out))


if __name__ == "__main__":
    main()
