"""The development Neo4j server (scripts/neo4j-server) really works."""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import neo4j
import pytest

pytestmark = pytest.mark.neo4j

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "neo4j-server"


def run_script(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
    )


def test_return_1(neo4j_driver: neo4j.Driver) -> None:
    records, _, _ = neo4j_driver.execute_query("RETURN 1 AS one")
    assert records[0]["one"] == 1


def test_create_and_count_node(neo4j_driver: neo4j.Driver) -> None:
    token = uuid.uuid4().hex
    neo4j_driver.execute_query("CREATE (:CgServerTest {token: $token})", token=token)
    try:
        records, _, _ = neo4j_driver.execute_query(
            "MATCH (n:CgServerTest {token: $token}) RETURN count(n) AS c", token=token
        )
        assert records[0]["c"] == 1
    finally:
        neo4j_driver.execute_query("MATCH (n:CgServerTest {token: $token}) DELETE n", token=token)


def _listening_sockets(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket in LISTEN state owned by pid (Linux /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A = LISTEN
                continue
            hex_addr, hex_port = local.split(":")
            # Each 32-bit word is printed in host (little-endian) order.
            raw = b"".join(
                bytes.fromhex(hex_addr[i : i + 8])[::-1] for i in range(0, len(hex_addr), 8)
            )
            addr: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(raw)
            if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
                addr = addr.ipv4_mapped
            found.add((str(addr), int(hex_port, 16)))
    return found


@pytest.mark.skipif(
    bool(os.environ.get("CHAINGRAPH_TEST_NEO4J_URI")),
    reason="external server (CHAINGRAPH_TEST_NEO4J_URI): its sockets are not ours",
)
def test_listens_only_on_loopback(neo4j_server: dict[str, Any]) -> None:
    assert neo4j_server["pid"] is not None, "the project's own server must have a pid"
    uri = urlsplit(neo4j_server["uri"])
    assert uri.hostname == "127.0.0.1"
    # Bolt only (HTTP/HTTPS are off), and only on the loopback interface.
    assert _listening_sockets(neo4j_server["pid"]) == {("127.0.0.1", uri.port)}


@pytest.mark.slow
def test_admin_import_then_serve(tmp_path: Path) -> None:
    """neo4j-admin database import full into `neo4j`, then a server on that store.

    Always uses its own local server, even when CHAINGRAPH_TEST_NEO4J_URI is set.
    """
    server_dir = tmp_path / "server"
    csv_dir = tmp_path / "csv"
    csv_dir.mkdir()
    (csv_dir / "nodes.csv").write_text(
        "id:ID,name,:LABEL\n1,Alice,Person\n2,Bob,Person\n3,深圳市,City\n", encoding="utf-8"
    )
    (csv_dir / "rels.csv").write_text(
        ":START_ID,:END_ID,:TYPE\n1,2,KNOWS\n2,3,LIVES_IN\n1,3,LIVES_IN\n", encoding="utf-8"
    )

    # The database name goes before --nodes/--relationships: those options take a
    # variable number of files and would swallow a trailing "neo4j".
    imported = run_script(
        "admin", "--dir", str(server_dir), "--",
        "database", "import", "full", "neo4j",
        f"--nodes={csv_dir / 'nodes.csv'}",
        f"--relationships={csv_dir / 'rels.csv'}",
        cwd=csv_dir,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "IMPORT DONE" in imported.stdout
    # neo4j-admin's report goes into a temporary folder, never the working folder.
    assert not (csv_dir / "import.report").exists()
    (report,) = [line for line in imported.stderr.splitlines() if "import report: " in line]
    assert Path(report.split("import report: ", 1)[1]).parent != csv_dir

    started = run_script("start", "--dir", str(server_dir), "--password", "import-test-pw")
    assert started.returncode == 0, started.stdout + started.stderr
    info = json.loads(started.stdout.strip().splitlines()[-1])
    assert json.loads((server_dir / "server.json").read_text()) == info
    try:
        assert run_script("status", "--dir", str(server_dir)).returncode == 0
        with neo4j.GraphDatabase.driver(info["uri"], auth=(info["user"], "import-test-pw")) as d:
            records, _, _ = d.execute_query(
                "MATCH (n) WITH count(n) AS nodes MATCH ()-[r]->() RETURN nodes, count(r) AS rels"
            )
            assert (records[0]["nodes"], records[0]["rels"]) == (3, 3)
            records, _, _ = d.execute_query(
                "MATCH (:Person {name: 'Alice'})-[:LIVES_IN]->(c:City) RETURN c.name AS city"
            )
            assert [r["city"] for r in records] == ["深圳市"]
    finally:
        stopped = run_script("stop", "--dir", str(server_dir))
    assert stopped.returncode == 0, stopped.stderr
    assert run_script("status", "--dir", str(server_dir)).returncode == 3
    assert run_script("stop", "--dir", str(server_dir)).returncode == 0  # idempotent
