"""The Neo4j store's own behaviour against a real server: batches, ids stored by a
concurrent loader, its read order, faults (wrong password, unreachable, server killed
mid-load), connection settings, the named queries, the CLI (push, pull, --neo4j) and
the neo4j-admin bulk path. What every engine does (merging, reads, aggregates,
refusals, hostile text) is tested once for both engines in tests/test_store_contract.py."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest
from click.testing import CliRunner
from engines import Neo4jStore, connect_neo4j
from random_graph import random_graph

from chaingraph.analysis.gaps import gaps
from chaingraph.cli import cli
from chaingraph.errors import ConfigError, StoreUnavailable
from chaingraph.model import Node, Relationship
from chaingraph.queries import query, query_names, query_parameters
from chaingraph.store import GraphStore, NetworkxStore
from chaingraph.store.merging import collapse_batch
from chaingraph.store.neo4j import derived, rosters, sharing
from chaingraph.store.neo4j import merge as neo4j_merge
from chaingraph.store.neo4j.admin import import_arguments, write_neo4j_admin
from chaingraph.store.neo4j.connection import NO_WARM_ENV, Neo4jSettings
from chaingraph.testing import tiny_store

pytestmark = pytest.mark.neo4j

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "neo4j-server"


@pytest.fixture
def store(own_neo4j_store: Neo4jStore) -> Neo4jStore:
    return own_neo4j_store


def same_graph(a: GraphStore, b: GraphStore) -> None:
    assert sorted((n.id, n.type, repr(n.props)) for n in a.nodes()) == sorted(
        (n.id, n.type, repr(n.props)) for n in b.nodes()
    )
    assert sorted((*r.identity, repr(r.props)) for r in a.relationships()) == sorted(
        (*r.identity, repr(r.props)) for r in b.relationships()
    )


def duplicates(driver_store: Neo4jStore) -> int:
    """Nodes sharing an id, plus relationships sharing (type, source, target, key)."""
    rows = driver_store.connection.read(
        "MATCH (n:Entity) WITH n.id AS id, count(*) AS c WHERE c > 1 RETURN count(*) AS d "
        "UNION ALL MATCH (a)-[r]->(b) WITH a, b, type(r) AS t, r.key AS k, count(*) AS c "
        "WHERE c > 1 RETURN count(*) AS d"
    )
    return sum(r["d"] for r in rows)


# -- round trips and merge semantics ----------------------------------------------


def test_small_batches_write_the_same(neo4j_server: dict[str, Any]) -> None:
    nodes, rels = random_graph(3, companies=25)
    embedded = NetworkxStore()
    expected = embedded.merge(nodes, rels)
    store = connect_neo4j(neo4j_server, batch_size=7)
    try:
        store.clear()
        seen: list[int] = []
        assert store.merge(nodes, rels, progress=lambda done, _: seen.append(done)) == expected
        unique_nodes, unique_rels = collapse_batch(nodes, rels)
        assert len(seen) == -(-len(unique_nodes) // 7) + -(-len(unique_rels) // 7)
        assert seen == sorted(set(seen)) and seen[-1] == len(unique_nodes) + len(unique_rels)
        same_graph(store, embedded)
    finally:
        store.close()


def _mixed_steps() -> list[tuple[list[Node], list[Relationship]]]:
    """A first load, then one mixing stored and new ids in every batch: new-new,
    new-stored and stored-stored relationships, changed and unchanged rows."""
    first = [Node(f"co:old{i}", "Company", {"name": f"旧{i}", "tags": ["a"]}) for i in range(6)]
    first.append(Node("region:r", "Region", {"name": "区", "level": "city"}))
    first_rels = [
        Relationship("LOCATED_IN", f"co:old{i}", "region:r", "总部", {"role": "总部"})
        for i in range(6)
    ] + [Relationship("SUPPLIES", "co:old0", "co:old1", "prod:x", {"product": "prod:x"})]
    second: list[Node] = []
    for i in range(6):
        second.append(Node(f"co:new{i}", "Company", {"name": f"新{i}", "aliases": ["N", "N"]}))
        # Half the stored ones change, half come again as they are.
        props = {"tags": ["b", "a"]} if i % 2 else {"name": f"旧{i}", "founded": None}
        second.append(Node(f"co:old{i}", "Company", props))
    second_rels = [
        Relationship("LOCATED_IN", f"co:new{i}", "region:r", "总部", {"role": "总部"})
        for i in range(6)
    ] + [
        Relationship("SUPPLIES", "co:new0", "co:new1", "prod:x", {"product": "prod:x"}),
        Relationship("SUPPLIES", "co:new1", "co:old2", "prod:y", {"product": "prod:y"}),
        Relationship("SUPPLIES", "co:old0", "co:old1", "prod:x", {"confidence": 0.5}),
        Relationship("SUPPLIES", "co:old0", "co:old1", "prod:z", {"product": "prod:z"}),
        Relationship("LOCATED_IN", "co:old3", "region:r", "总部", {"role": "总部"}),
    ]
    return [(first, first_rels), (second, second_rels)]


@pytest.mark.parametrize("batch_size", [1, 4, 1000])
def test_merge_mixing_new_and_stored_ids(neo4j_server: dict[str, Any], batch_size: int) -> None:
    """New ids are created without a read, the rest merged; same reports and content
    as the embedded store, whatever the mix within a batch."""
    embedded = NetworkxStore()
    store = connect_neo4j(neo4j_server, batch_size=batch_size)
    try:
        store.clear()
        for nodes, rels in _mixed_steps():
            for _ in range(2):  # the second time changes nothing
                assert store.merge(nodes, rels) == embedded.merge(nodes, rels)
                same_graph(store, embedded)
        assert duplicates(store) == 0
        assert store.get("co:new0").props["aliases"] == ["N"]  # type: ignore[union-attr]
    finally:
        store.close()


def test_ids_created_by_someone_else_after_the_check(
    store: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An id the check found missing but stored by the time its batch is written (a
    concurrent loader) breaks the CREATE; the batch is written again, merging."""
    embedded = NetworkxStore()
    (first, first_rels), (second, second_rels) = _mixed_steps()
    assert store.merge(first, first_rels) == embedded.merge(first, first_rels)
    # As if another loader had stored the co:old ids just after the check.
    real = neo4j_merge.stored_types
    monkeypatch.setattr(
        neo4j_merge,
        "stored_types",
        lambda conn, ids: {i: t for i, t in real(conn, ids).items() if not i.startswith("co:old")},
    )
    store.batch_size = 5
    assert store.merge(second, second_rels) == embedded.merge(second, second_rels)
    same_graph(store, embedded)
    assert duplicates(store) == 0


def test_reads_come_in_id_order_whatever_the_load_order(store: Neo4jStore) -> None:
    """The contract asks for a stable order; the server's is by id (the embedded
    store's is the order of loading), relationships by (source, type, target, key)."""
    embedded = tiny_store()
    nodes, rels = list(embedded.nodes()), list(embedded.relationships())
    store.merge(nodes[::-1], rels[::-1])
    assert [n.id for n in store.nodes()] == sorted(n.id for n in nodes)
    assert [n.id for n in store.nodes("Company")] == sorted(
        n.id for n in nodes if n.type == "Company"
    )

    def order(r: Relationship) -> tuple[str, str, str, str]:
        return (r.source, r.type, r.target, r.key)

    assert list(store.relationships()) == sorted(rels, key=order)
    assert list(store.relationships("MAKES")) == sorted(
        (r for r in rels if r.type == "MAKES"), key=order
    )
    for source in ("co:dg-robot", "base:yinping", "nope"):
        assert list(store.relationships(source=source)) == sorted(
            (r for r in rels if r.source == source), key=order
        )
    assert list(store.relationships("IN", target="region:cn")) == sorted(
        (r for r in rels if r.type == "IN" and r.target == "region:cn"), key=order
    )
    store.merge([Node("prod:a-robot", "Product", {"name": "工业机器人"})], [])
    assert store.ids_by_name("工业机器人") == [
        "chain:robot",
        "prod:a-robot",
        "prod:industrial-robot",
    ]
    assert [i for i, _, _ in store.names()] == sorted(i for i, _, _ in store.names())


# -- faults ----------------------------------------------------------------------


def test_wrong_password_is_a_clear_error(neo4j_server: dict[str, Any]) -> None:
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match="refused the credentials of user 'neo4j'") as err:
        Neo4jStore(neo4j_server["uri"], "neo4j", "not-the-password-123", connect_attempts=3)
    assert "not-the-password-123" not in str(err.value)
    assert time.monotonic() - started < 10  # refused at once: retrying cannot help


def test_unreachable_server_gives_up_after_bounded_retries() -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(
        StoreUnavailable, match=r"cannot reach Neo4j at bolt://127.0.0.1:\d+ after 2"
    ):
        Neo4jStore(f"bolt://127.0.0.1:{port}", "neo4j", "secret-pw", connect_attempts=2)
    assert time.monotonic() - started < 15


def test_settings_come_from_options_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="pass --neo4j URI or set NEO4J_URI"):
        Neo4jStore()
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")
    with pytest.raises(ConfigError, match="set NEO4J_PASSWORD"):
        Neo4jStore()
    with pytest.raises(ConfigError, match="not a usable Neo4j URI"):
        Neo4jStore("http://example.org", password="x")


def test_settings_are_read_in_one_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Arguments, else the environment, else (for the command line) the config file."""
    for name in (*(f"NEO4J_{k}" for k in ("URI", "USER", "PASSWORD", "DATABASE")), NO_WARM_ENV):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "neo4j.yaml"
    config.write_text(
        "uri: bolt://saved:7687\nuser: saved\npassword: saved-pw\ndatabase: saved\n",
        encoding="utf-8",
    )
    config.chmod(0o600)
    monkeypatch.setenv("CHAINGRAPH_NEO4J_CONFIG", str(config))
    saved = Neo4jSettings.from_env(config_file=True)
    assert (saved.uri, saved.user, saved.password, saved.database, saved.warm) == (
        "bolt://saved:7687", "saved", "saved-pw", "saved", True
    )  # fmt: skip
    assert "saved-pw" not in repr(saved) and saved.where == "bolt://saved:7687 (database saved)"
    with pytest.raises(ConfigError, match="pass --neo4j URI or set NEO4J_URI"):
        Neo4jSettings.from_env()  # the library reads no config file
    monkeypatch.setenv("NEO4J_URI", "bolt://env:7687")
    monkeypatch.setenv("NEO4J_PASSWORD", "env-pw")
    monkeypatch.setenv("NEO4J_DATABASE", "env")
    monkeypatch.setenv(NO_WARM_ENV, "1")
    env = Neo4jSettings.from_env(config_file=True)
    assert (env.uri, env.user, env.password, env.database, env.warm) == (
        "bolt://env:7687", "saved", "env-pw", "env", False
    )  # fmt: skip
    given = Neo4jSettings.from_env("bolt://arg:7687", "arg", "arg-pw", "arg", config_file=True)
    assert (given.uri, given.user, given.password, given.database) == (
        "bolt://arg:7687", "arg", "arg-pw", "arg"
    )  # fmt: skip
    with pytest.raises(ConfigError, match="a user or password does not go in the URI"):
        Neo4jSettings.from_env("bolt://neo4j:pw@host:7687")


# -- the named queries -------------------------------------------------------------


SAMPLE_PARAMETERS: dict[str, Any] = {
    "base": "base:yinping",
    "root": "chain:robot",
    "segments": ["seg:robot.parts", "seg:robot.body"],
    "area": "region:cn-dongguan",
    "leader_tags": ["龙头企业"],
    "leader_rank": 100,
    "ids": ["co:dg-robot", "co:jp-servo"],
    "products": ["prod:industrial-robot"],
    "prefix": rosters.key("region:cn-dongguan", rosters.PROD),
    "chain": None,
    "home": "region:cn-dongguan",
    "place": "base:yinping",
    "segment": "seg:robot.parts.reducer",
    "company": "co:dg-robot",
    "rings": [["base:yinping"], ["region:cn-dongguan"]],
    "sep": rosters.SEP,
    "keys": [rosters.key("region:cn-dongguan", rosters.SEG, "seg:robot.body")],
    "names": False,
}


def test_queries_run_unchanged_with_parameters_only(
    store: Neo4jStore, neo4j_driver: neo4j.Driver
) -> None:
    """Each file opens with comments naming its parameters and runs as it is in a plain
    session, as Neo4j Browser or cypher-shell would run it."""
    store.merge(list(tiny_store().nodes()), list(tiny_store().relationships()))
    assert len(query_names()) >= 9
    for name in query_names():
        text = query(name)
        header = "\n".join(line for line in text.splitlines() if line.startswith("//"))
        assert text.startswith(f"// {name}:"), name
        params = query_parameters(name)
        for param in params:
            assert f"${param}" in header, (name, param)
        assert not re.search(r"\{\d*\}|%s|\$\{", text), name  # no formatting slots
        code = re.sub(r"//[^\n]*|'[^']*'", "", text)
        labels = set(re.findall(r"\(\w*:(\w+)|(?<![\[\w])[a-z]\w*:([A-Z]\w*)", code))
        labels = {label for pair in labels for label in pair if label}
        types = {t for group in re.findall(r"\[\w*:([\w|]+)", code) for t in group.split("|")}
        # The labels chaingraph derives for the gap queries (chaingraph.store.neo4j.derived).
        assert labels <= {"Entity", *store.model.node_types, *derived.LABELS}, (name, labels)
        assert types <= set(store.model.relationship_types), (name, types)
        records, _, _ = neo4j_driver.execute_query(text, {p: SAMPLE_PARAMETERS[p] for p in params})
        assert records, name


# -- the command line ------------------------------------------------------------


def test_push_pull_and_analyses_with_neo4j_option(
    neo4j_env: dict[str, Any], store: Neo4jStore, tmp_path: Path
) -> None:
    runner = CliRunner()
    local = tmp_path / "tiny.cgraph.json"
    tiny_store().save(local)
    uri = neo4j_env["uri"]
    pushed = runner.invoke(cli, ["push", "--neo4j", uri, "--store", str(local), "--format", "json"])
    assert pushed.exit_code == 0, pushed.output
    assert json.loads(pushed.output)[0]["nodes_created"] == tiny_store().count_nodes()
    again = runner.invoke(cli, ["push", "--neo4j", uri, "--store", str(local), "--format", "json"])
    assert json.loads(again.output)[0]["unchanged"] == (
        tiny_store().count_nodes() + tiny_store().count_relationships()
    )
    for command in (["gaps", "--base", "银瓶高端装备产业基地"], ["targets", "--base", "base:yinping"],
                    ["plan", "--base", "base:yinping", "--budget", "2"], ["chokepoints"],
                    ["info"], ["show", "谐波减速器"]):  # fmt: skip
        on_file = runner.invoke(cli, [*command, "--store", str(local), "--format", "json"])
        on_neo4j = runner.invoke(cli, [*command, "--neo4j", uri, "--format", "json"])
        assert on_neo4j.exit_code == 0, on_neo4j.output
        assert on_neo4j.output == on_file.output, command
    pulled = tmp_path / "pulled.cgraph.json"
    result = runner.invoke(cli, ["pull", "--neo4j", uri, "--store", str(pulled)])
    assert result.exit_code == 0, result.output
    same_graph(NetworkxStore.open(pulled), tiny_store())
    for output in (pushed.output, result.output):
        assert neo4j_env["password"] not in output


def test_neo4j_from_environment_and_clear_cli_errors(
    neo4j_env: dict[str, Any], store: Neo4jStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.merge(list(tiny_store().nodes()), list(tiny_store().relationships()))
    runner = CliRunner()
    monkeypatch.setenv("NEO4J_URI", neo4j_env["uri"])
    result = runner.invoke(cli, ["info", "--types", "--format", "json"])
    assert result.exit_code == 0 and '"count": 4' in result.output
    both = runner.invoke(cli, ["info", "--store", "x.json", "--neo4j", neo4j_env["uri"]])
    assert both.exit_code == 1 and "not both" in both.output
    monkeypatch.setenv("NEO4J_PASSWORD", "wrong-password-1")
    wrong = runner.invoke(cli, ["gaps", "--base", "base:yinping"])
    assert wrong.exit_code == 1 and "refused the credentials" in wrong.output
    assert "Traceback" not in wrong.output and "wrong-password-1" not in wrong.output
    monkeypatch.delenv("NEO4J_PASSWORD")
    config = tmp_path / "neo4j.yaml"
    config.write_text(f"password: {neo4j_env['password']}\n", encoding="utf-8")
    monkeypatch.setenv("CHAINGRAPH_NEO4J_CONFIG", str(config))
    config.chmod(0o644)
    shared = runner.invoke(cli, ["info"])
    assert shared.exit_code == 1 and "other users can access" in shared.output
    assert "chmod 600" in shared.output and neo4j_env["password"] not in shared.output
    config.chmod(0o600)
    assert runner.invoke(cli, ["info", "--types"]).exit_code == 0
    config.unlink()
    missing = runner.invoke(cli, ["info"])
    assert missing.exit_code == 1 and "set NEO4J_PASSWORD" in missing.output


# -- a server of our own: the bulk import, then a crash mid-load ----------------------


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def imported_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A server started on a database made by neo4j-admin import from our CSV files
    (the companies split into two files written by two processes, as at scale)."""
    root = tmp_path_factory.mktemp("own-neo4j")
    embedded = NetworkxStore()
    embedded.merge(*random_graph(11, companies=60))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sharing, "SPLIT_ROWS", 20)
        files = write_neo4j_admin(embedded, root / "csv", workers=2)
    assert any(f.name == "nodes-Company.part2.csv" for f in files)
    imported = run_script(
        "admin", "--dir", str(root / "server"), "--",
        "database", "import", "full", "neo4j", *import_arguments(files),
    )  # fmt: skip
    assert imported.returncode == 0, imported.stdout + imported.stderr
    started = run_script("start", "--dir", str(root / "server"), "--password", "own-server-pw")
    assert started.returncode == 0, started.stdout + started.stderr
    info = json.loads(started.stdout.strip().splitlines()[-1])
    try:
        yield {**info, "embedded": embedded, "files": files}
    finally:
        run_script("stop", "--dir", str(root / "server"))


def test_neo4j_admin_import_gives_a_chaingraph_store(imported_server: dict[str, Any]) -> None:
    embedded = imported_server["embedded"]
    schema = Path(imported_server["files"][-2]).read_text(encoding="utf-8")
    auth = ("neo4j", "own-server-pw")
    with neo4j.GraphDatabase.driver(imported_server["uri"], auth=auth) as driver:
        for statement in filter(str.strip, schema.split(";")):  # as cypher-shell -f would
            driver.execute_query(statement)
        records, _, _ = driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN name")
        assert "chaingraph_entity_id" in [r["name"] for r in records]
    store = Neo4jStore(imported_server["uri"], *auth)
    try:
        same_graph(store, embedded)
        assert gaps(store, "base:b0") == gaps(embedded, "base:b0")
        assert store.merge(list(embedded.nodes()), list(embedded.relationships())).changed is False
        assert duplicates(store) == 0
    finally:
        store.close()


def test_export_command_writes_neo4j_admin_files(tmp_path: Path) -> None:
    local = tmp_path / "tiny.cgraph.json"
    tiny_store().save(local)
    result = CliRunner().invoke(
        cli, ["export", "--neo4j-admin", str(tmp_path / "bulk"), "--store", str(local)]
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "bulk").iterdir())
    assert "nodes-Company.csv" in names and "relationships-MAKES.csv" in names
    assert "schema.cypher" in names and "import-args.txt" in names
    header = (tmp_path / "bulk" / "nodes-Company.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("id:ID,:LABEL,type:string,props_extra:string,")
    assert "lookup_names:string[]" in header and "tags:string[]" in header


@pytest.mark.slow
def test_server_killed_mid_load_then_rerun_finishes(imported_server: dict[str, Any]) -> None:
    """kill -9 during a load: the error says what happened, no batch is half written,
    and after a restart the same load finishes with no duplicates."""
    nodes, rels = random_graph(5, companies=500, tricky=False)
    embedded = NetworkxStore()
    embedded.merge(nodes, rels)
    order, _ = collapse_batch(nodes, rels)
    batch = 50
    store = Neo4jStore(
        imported_server["uri"], "neo4j", "own-server-pw", batch_size=batch, retry_seconds=1
    )
    store.clear()
    killed = threading.Event()

    def kill_soon(done: int, total: int) -> None:
        if done >= 300 and not killed.is_set():
            killed.set()  # lands while the next batch is being written
            threading.Timer(0.05, os.kill, (imported_server["pid"], signal.SIGKILL)).start()

    try:
        with pytest.raises(StoreUnavailable, match="Run the same load again to finish it"):
            store.merge(nodes, rels, progress=kill_soon)
    finally:
        store.close()
    server_dir = imported_server["dir"]
    restarted = run_script("start", "--dir", server_dir)
    assert restarted.returncode == 0, restarted.stdout + restarted.stderr
    info = json.loads(restarted.stdout.strip().splitlines()[-1])
    imported_server.update(uri=info["uri"], pid=info["pid"])
    store = Neo4jStore(info["uri"], "neo4j", "own-server-pw")
    try:
        written = {n.id for n in store.nodes()}
        # whole batches only (two writers may finish them out of order)
        whole = [{n.id for n in order[i : i + batch]} for i in range(0, len(order), batch)]
        assert all(b <= written or b.isdisjoint(written) for b in whole)
        # (the short last batch may be among them: no multiple of the batch size)
        assert 300 <= len(written) < len(order)
        report = store.merge(nodes, rels)
        assert report.nodes_created == len(order) - len(written)
        assert report.unchanged >= len(written)
        same_graph(store, embedded)
        assert duplicates(store) == 0
    finally:
        store.close()
