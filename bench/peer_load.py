"""Peer loader comparison: ChainKnowledgeGraph's loading pattern against chaingraph's, on
the same rows (the CKG files of the shared data folder), on a cold and a warm server.

Usage::

    python bench/peer_load.py                       # 5,000 per-row relationship CREATEs
    python bench/peer_load.py --peer-rels 0         # every row (slow: hours of scans)
    python bench/peer_load.py --json out.json

ChainKnowledgeGraph (github.com/liuhuanyong/ChainKnowledgeGraph) builds its graph
with py2neo, one ``CREATE`` per node and, per relationship, one
``MATCH (a:company), (b:product) WHERE a.name = ... AND b.name = ... CREATE (a)-[...]->(b)``
without any index, each its own transaction. ``peer_load`` below is that loop written
with the official ``neo4j`` driver (no py2neo): same statements, one auto-commit
transaction per row, no index. chaingraph's side is :meth:`Neo4jStore.merge` of the same
firms, products and 主营产品 rows (companies by 6-digit code, products by label,
``MAKES`` with ``revenue_share``).

The rows are read at run time from ``$CHAINGRAPH_SHARED_DATA/ckg`` (else
``../shared/data/ckg`` beside the repository): ``company.jsonl`` and
``company_product.jsonl.gz``. Nothing is copied. Because the peer's relationship
statement scans every firm and product per row (the work grows with the square of
the data), ``--peer-rels`` limits it to the first N relationship rows (with every
firm, and the products those rows name); its rows/s is measured over what it ran, and
flatters the peer: with fewer products each scan is shorter. "cold" is a freshly
started server (query planning and JIT included); "warm" is the same load again
after clearing the database.

Each side gets its own throwaway server (``scripts/neo4j-server``, heap 2g, page cache
1g), stopped at the end; or give ``--uri`` of a server to use (its database is
cleared: NEO4J_USER / NEO4J_PASSWORD in the environment).
"""

from __future__ import annotations

import argparse
import gzip
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

from run import neo4j_server  # noqa: E402

SERVER_MEMORY = ("--heap-max", "2g", "--pagecache", "1g")
SOURCE = "ChainKnowledgeGraph 主营构成 (2021)"


def shared_ckg() -> Path:
    """The CKG folder of the shared data (``$CHAINGRAPH_SHARED_DATA/ckg``)."""
    configured = os.environ.get("CHAINGRAPH_SHARED_DATA")
    root = Path(configured) if configured else HERE.parent.parent / "shared" / "data"
    folder = root / "ckg"
    if not (folder / "company.jsonl").is_file():
        raise SystemExit(f"no CKG data in {folder}: set CHAINGRAPH_SHARED_DATA")
    return folder


def read_ckg(folder: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Firms and firm → product rows, as the files hold them (read, never copied)."""
    with (folder / "company.jsonl").open(encoding="utf-8") as f:
        companies = [json.loads(line) for line in f if line.strip()]
    with gzip.open(folder / "company_product.jsonl.gz", "rt", encoding="utf-8") as f:
        makes = [json.loads(line) for line in f if line.strip()]
    return companies, makes


# -- the peer's pattern ----------------------------------------------------------------
def peer_load(driver: Any, companies: list[dict[str, Any]], makes: list[dict[str, Any]]) -> int:
    """CKG's loop: one CREATE per node, one unindexed MATCH ... CREATE per relationship,
    each in its own transaction. Rows written."""
    rows = 0
    with driver.session() as session:
        for c in companies:
            session.run(
                "CREATE (n:company {name: $name, fullname: $fullname, code: $code, "
                "location: $location, time: $time})",
                name=c.get("name"), fullname=c.get("fullname"), code=c.get("code"),
                location=c.get("location"), time=c.get("time"),
            ).consume()  # fmt: skip
            rows += 1
        for product in dict.fromkeys(m["product_name"] for m in makes):
            session.run("CREATE (n:product {name: $name})", name=product).consume()
            rows += 1
        for m in makes:
            session.run(
                "MATCH (a:company), (b:product) WHERE a.code = $code AND b.name = $product "
                "CREATE (a)-[r:主营产品 {name: $rel, weight: $weight}]->(b)",
                code=m["company_code"], product=m["product_name"], rel=m["rel"],
                weight=m["rel_weight"],
            ).consume()  # fmt: skip
            rows += 1
    return rows


def clear(driver: Any) -> None:
    with driver.session() as session:
        session.run(
            "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()


# -- chaingraph's side ------------------------------------------------------------------
def chaingraph_rows(companies: list[dict[str, Any]], makes: list[dict[str, Any]]) -> Any:
    """The same data as chaingraph records: Company, Product, MAKES (revenue_share)."""
    from chaingraph.model import Node, Relationship

    nodes = [
        Node(
            f"co:ckg-{c['code'][:6]}",
            "Company",
            {"name": c["name"], "legal_name": c["fullname"], "source": SOURCE, "as_of": "2021"},
        )
        for c in companies
    ]
    known = {n.id for n in nodes}
    products: dict[str, str] = {}
    rels = []
    for m in makes:
        company = f"co:ckg-{str(m['company_code'])[:6]}"
        if company not in known:
            nodes.append(Node(company, "Company", {"name": m["company_name"], "source": SOURCE}))
            known.add(company)
        product = products.setdefault(m["product_name"], f"prod:ckg-{len(products):05d}")
        rels.append(
            Relationship(
                "MAKES", company, product, "",
                {"revenue_share": m["rel_weight"], "source": SOURCE, "as_of": "2021"},
            )
        )  # fmt: skip
    nodes += [Node(i, "Product", {"name": name, "source": SOURCE}) for name, i in products.items()]
    return nodes, rels


def peer_side(
    info: dict[str, Any],
    companies: list[dict[str, Any]],
    makes: list[dict[str, Any]],
    results: dict[str, Any],
) -> None:
    import neo4j

    with neo4j.GraphDatabase.driver(info["uri"], auth=(info["user"], info["password"])) as driver:
        clear(driver)
        for state in ("cold", "warm"):
            started = time.perf_counter()
            rows = peer_load(driver, companies, makes)
            seconds = time.perf_counter() - started
            results["peer"][state] = {"rows": rows, "s": seconds, "rows_per_s": rows / seconds}
            print(f"| CKG per-row CREATE | {state} | {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} |", flush=True)  # fmt: skip
            clear(driver)


@contextmanager
def server(uri: str | None, folder: Path) -> Iterator[dict[str, Any]]:
    if uri:
        yield {
            "uri": uri,
            "user": os.environ.get("NEO4J_USER", "neo4j"),
            "password": os.environ.get("NEO4J_PASSWORD"),
        }
    else:
        with neo4j_server(folder, SERVER_MEMORY) as info:
            yield info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--peer-rels", type=int, default=5000, help="0: every row")
    parser.add_argument("--uri", help="an existing server (its database is cleared)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    from chaingraph.store.neo4j import Neo4jStore

    companies, makes = read_ckg(shared_ckg())
    peer_makes = makes[: args.peer_rels] if args.peer_rels else makes
    nodes, rels = chaingraph_rows(companies, makes)
    results: dict[str, Any] = {
        "load_average": os.getloadavg(),
        "ckg_rows": {"companies": len(companies), "company_product": len(makes)},
        "peer": {},
        "chaingraph": {},
    }
    print("| loader | server | rows | seconds | rows/s |\n|---|---|---:|---:|---:|", flush=True)
    with tempfile.TemporaryDirectory(prefix="cg-peer-") as tmp:
        with server(args.uri, Path(tmp) / "peer") as info:
            peer_side(info, companies, peer_makes, results)
        with server(args.uri, Path(tmp) / "chaingraph") as info:
            store = Neo4jStore(info["uri"], info["user"], info["password"], warm=False)
            try:
                store.clear()
                for state in ("cold", "warm"):
                    started = time.perf_counter()
                    store.merge(nodes, rels)
                    seconds = time.perf_counter() - started
                    rows = len(nodes) + len(rels)
                    results["chaingraph"][state] = {
                        "rows": rows,
                        "s": seconds,
                        "rows_per_s": rows / seconds,
                    }
                    print(f"| chaingraph merge | {state} | {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} |", flush=True)  # fmt: skip
                    store.clear()
            finally:
                store.close()
    for state in ("cold", "warm"):
        ratio = results["chaingraph"][state]["rows_per_s"] / results["peer"][state]["rows_per_s"]
        results[f"speedup_{state}"] = ratio
        print(f"chaingraph / peer rows/s, {state} server: {ratio:,.0f}x")
    results["load_average_after"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
