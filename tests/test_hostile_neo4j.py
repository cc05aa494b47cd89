"""Neo4j under hostile input and faults, beyond tests/test_neo4j_store.py.

That file covers Cypher-looking names through the store API, unknown labels, a wrong
password, an unreachable port, and the *server* killed mid-load. Here:

- CLI filters (--base, --segment, --tag, --in-region, --chain, names to show) that
  hold quotes, backticks, braces, ``//`` and ``$`` give what the embedded store gives,
  and delete nothing;
- a database someone else filled (unreadable ``props_json``, ids that are markup,
  types the model lacks) gives clear errors or escaped pages, never a traceback;
- the *client* killed (``kill -9``) during ``chaingraph push``: whole batches only,
  the graph reads back, and a rerun finishes with no duplicates;
- a relay between client and server (:class:`Relay`) cuts every connection, plays a
  server that went away, freezes, or answers slowly: bounded retries, then one
  clear message, and never a half-written batch.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest
from click.testing import CliRunner, Result
from killing import kill_when
from random_graph import random_graph

from chaingraph.cli import cli
from chaingraph.errors import StoreUnavailable
from chaingraph.model import Node, Relationship
from chaingraph.store.merging import collapse_batch
from chaingraph.store.neo4j import Neo4jStore
from chaingraph.store.networkx import NetworkxStore
from chaingraph.testing import tiny_store

pytestmark = pytest.mark.neo4j


@pytest.fixture
def store(own_neo4j_store: Neo4jStore) -> Neo4jStore:
    return own_neo4j_store


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def clean_exit(result: Result) -> Result:
    """Exit 0, or exit 1 with one 'Error:' message: never a traceback."""
    assert result.exit_code in (0, 1), result.output
    assert result.exit_code == 0 or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def duplicates(store: Neo4jStore) -> int:
    rows = store.connection.read(
        "MATCH (n:Entity) WITH n.id AS id, count(*) AS c WHERE c > 1 RETURN count(*) AS d "
        "UNION ALL MATCH (a)-[r]->(b) WITH a, b, type(r) AS t, r.key AS k, count(*) AS c "
        "WHERE c > 1 RETURN count(*) AS d"
    )
    return sum(r["d"] for r in rows)


def same_graph(a: Any, b: Any) -> None:
    assert sorted((n.id, n.type, repr(n.props)) for n in a.nodes()) == sorted(
        (n.id, n.type, repr(n.props)) for n in b.nodes()
    )
    assert sorted((*r.identity, repr(r.props)) for r in a.relationships()) == sorted(
        (*r.identity, repr(r.props)) for r in b.relationships()
    )


# -- Cypher injection through CLI filters ---------------------------------------------------------

BASE_NAME = "银瓶'\"`{}//$基地"
SEGMENT_NAME = "减速器`}) MATCH (n) DETACH DELETE n //"
CHAIN_NAME = "机器人{链}$chain`"
REGION_NAME = "苏州' OR 1=1 //"
FIRM_NAME = '苏减速"}) RETURN 1 UNION MATCH (n) DETACH DELETE n //'


def query_syntax_store() -> NetworkxStore:
    store = tiny_store()
    store.merge(
        [
            Node("base:yinping", "Base", {"name": BASE_NAME}),
            Node("seg:robot.parts.reducer", "Segment", {"name": SEGMENT_NAME, "stage": "上游"}),
            Node("chain:robot", "Chain", {"name": CHAIN_NAME}),
            Node("region:cn-suzhou", "Region", {"name": REGION_NAME, "level": "city"}),
            Node("co:sz-reducer", "Company", {"name": FIRM_NAME}),
        ],
        [],
    )
    return store


def test_cli_filters_with_query_syntax_match_the_embedded_store(
    neo4j_env: dict[str, Any], store: Neo4jStore, tmp_path: Path
) -> None:
    embedded = query_syntax_store()
    store.merge(list(embedded.nodes()), list(embedded.relationships()))
    local = embedded.save(tmp_path / "local.json")
    counts = (store.count_nodes(), store.count_relationships())
    commands = [
        ["show", BASE_NAME],
        ["show", FIRM_NAME],
        ["show", FIRM_NAME + "'"],  # not found, with suggestions
        ["gaps", "--base", BASE_NAME],
        ["gaps", "--base", BASE_NAME, "--chain", CHAIN_NAME],
        ["targets", "--base", BASE_NAME, "--segment", SEGMENT_NAME],
        ["targets", "--base", BASE_NAME, "--tag", "龙头企业' OR 1=1 //", "--tag", "`$x`"],
        ["targets", "--base", BASE_NAME, "--in-region", REGION_NAME],
        ["targets", "--base", BASE_NAME, "--not-in-region", REGION_NAME],
        ["targets", "--region", REGION_NAME, "--chain", CHAIN_NAME],
        ["compare", "--base", BASE_NAME, "--with", REGION_NAME, "--chain", CHAIN_NAME],
        ["chokepoints", "--chain", CHAIN_NAME],
        ["plan", "--base", BASE_NAME, "--chain", CHAIN_NAME, "--budget", "2"],
        ["targets", "--base", "base:yinping}) DETACH DELETE n //"],
    ]
    for command in commands:
        on_file = clean_exit(invoke(*command, "--store", local, "--format", "json"))
        on_neo4j = clean_exit(invoke(*command, "--neo4j", neo4j_env["uri"], "--format", "json"))
        assert (on_neo4j.exit_code, on_neo4j.output) == (on_file.exit_code, on_file.output), command
    assert (store.count_nodes(), store.count_relationships()) == counts
    assert duplicates(store) == 0


# -- a database someone else filled -----------------------------------------------------------------

MARKUP_ID = 'co:x"><img src=x onerror=alert(1)>'
FOREIGN_ROWS = {
    "unreadable props_json": "CREATE (:Entity:Company {id: 'co:bad-json', type: 'Company', "
    "props_json: '{not json', name: '坏'})",
    "props_json not an object": "CREATE (:Entity:Company {id: 'co:json-list', type: 'Company', "
    "props_json: '[1, 2]'})",
    "relationship props_json unreadable": "MATCH (a:Entity {id: 'co:dg-robot'}), "
    "(b:Entity {id: 'prod:servo-motor'}) CREATE (a)-[:MAKES {key: '', props_json: 'x'}]->(b)",
    "id that is markup": "CREATE (:Entity:Company {id: $id, type: 'Company', "
    'props_json: \'{"name": "<img src=x onerror=alert(2)>"}\'})',
    "type the model lacks": "CREATE (:Entity:Evil {id: 'co:evil', type: 'Evil', "
    'props_json: \'{"name": "恶"}\'})',
    "name that is not text": "CREATE (:Entity:Company {id: 'co:five', type: 'Company', "
    "props_json: '{\"name\": 5}'})",
    "relationship type the model lacks": "MATCH (a:Entity {id: 'co:dg-robot'}), "
    "(b:Entity {id: 'prod:servo-motor'}) CREATE (a)-[:OWNS {key: ''}]->(b)",
    "no props_json, no key": "MATCH (a:Entity {id: 'co:dg-robot'}), "
    "(b:Entity {id: 'prod:harmonic-reducer'}) CREATE (a)-[:MAKES]->(b)",
}


@pytest.mark.parametrize("case", list(FOREIGN_ROWS))
def test_a_database_someone_else_filled(
    neo4j_env: dict[str, Any],
    store: Neo4jStore,
    neo4j_driver: neo4j.Driver,
    tmp_path: Path,
    case: str,
) -> None:
    tiny = tiny_store()
    store.merge(list(tiny.nodes()), list(tiny.relationships()))
    neo4j_driver.execute_query(FOREIGN_ROWS[case], {"id": MARKUP_ID})
    uri = neo4j_env["uri"]
    for command in (
        ["info"],
        ["show", "莞工机器人"],
        ["gaps", "--base", "base:yinping"],
        ["targets", "--base", "base:yinping"],
        ["chokepoints"],
    ):
        clean_exit(invoke(*command, "--neo4j", uri))
    clean_exit(invoke("map", "--neo4j", uri, "--base", "base:yinping", "-o", tmp_path / "m.html"))
    if case == "id that is markup":  # the report is slow (its chart); one case is enough
        clean_exit(invoke("report", "--neo4j", uri, "--base", "base:yinping", "-o", tmp_path / "r"))
    for page in tmp_path.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<img src=x" not in html and '"><img' not in html, page
    pulled = tmp_path / "pulled.json"
    result = clean_exit(invoke("pull", "--neo4j", uri, "--store", pulled))
    if result.exit_code:
        assert not pulled.exists()  # all or nothing
    else:
        NetworkxStore.open(pulled)  # what was pulled opens again


def settled(store: Neo4jStore, timeout: float = 60.0) -> None:
    """Wait until the server holds no transaction but this check's own, twice in a row
    with the same node count: a commit the killed client sent before it died is still
    carried out by the server (on a loaded machine, after the kill), and reading the
    store before that counts too few nodes written."""
    deadline = time.monotonic() + timeout
    last = -1
    while time.monotonic() < deadline:
        with store.connection.session() as session:
            queries = session.run("SHOW TRANSACTIONS YIELD currentQuery").value()
        count = store.count_nodes()
        idle = all(q.lstrip().upper().startswith("SHOW TRANSACTIONS") for q in queries)
        if idle and count == last:
            return
        last = count if idle else -1
        time.sleep(0.5)
    raise AssertionError(f"the server still runs the killed client's transactions: {queries}")


# -- kill -9 of the client during a push --------------------------------------------------------------


def test_push_killed_then_rerun_finishes_without_duplicates(
    neo4j_env: dict[str, Any], store: Neo4jStore, tmp_path: Path
) -> None:
    nodes, rels = random_graph(7, companies=800, tricky=False)
    local = NetworkxStore()
    local.merge(nodes, rels)
    path = local.save(tmp_path / "local.json")
    order, rel_order = collapse_batch(list(local.nodes()), list(local.relationships()))
    batch = 50
    command = [sys.executable, "-c", "from chaingraph.cli import main; main()", "push"]
    command += ["--neo4j", neo4j_env["uri"], "--store", str(path), "--batch-size", str(batch)]
    pusher = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ
    )
    killed_at, out, err = kill_when(
        pusher,
        lambda: n if (n := store.count_nodes()) >= 4 * batch else None,
        seconds=180,
        pause=0.02,
    )
    assert killed_at is not None, f"the push ended before it could be killed: {out!r} {err!r}"
    assert pusher.returncode == -signal.SIGKILL
    settled(store)

    # Whole batches only (two writers may finish them out of order), and the graph
    # reads back.
    written_nodes = {n.id for n in store.nodes()}
    whole = [{n.id for n in order[i : i + batch]} for i in range(0, len(order), batch)]
    assert all(b <= written_nodes or b.isdisjoint(written_nodes) for b in whole)
    written_rels = store.count_relationships()
    assert written_rels % batch in (0, len(rel_order) % batch)
    assert written_rels == 0 or len(written_nodes) == len(order)
    assert duplicates(store) == 0
    for node in list(store.nodes())[:50]:
        assert node.props == local.get(node.id).props  # type: ignore[union-attr]

    # A rerun completes; counts are the source's; a third run changes nothing.
    rerun = invoke("push", "--neo4j", neo4j_env["uri"], "--store", path, "--format", "json")
    assert rerun.exit_code == 0, rerun.output
    report = json.loads(rerun.output)[0]
    assert report["nodes_created"] == len(order) - len(written_nodes)
    assert (store.count_nodes(), store.count_relationships()) == (len(order), len(rel_order))
    assert duplicates(store) == 0
    same_graph(store, local)
    again = json.loads(
        invoke("push", "--neo4j", neo4j_env["uri"], "--store", path, "--format", "json").output
    )
    assert again[0]["unchanged"] == len(order) + len(rel_order)


# -- faults between client and server --------------------------------------------------------------------


class Relay:
    """A TCP relay in front of the test server that a test can cut, stop, freeze or slow.

    ``keep_alive`` rewrites the server's hint of how long a silent connection may stay
    silent (``connection.recv_timeout_seconds``, 120 s by default) so that a frozen
    server is noticed within seconds rather than minutes.
    """

    HINT = b"connection.recv_timeout_seconds"

    def __init__(self, port: int, *, delay: float = 0.0, keep_alive: int | None = None) -> None:
        self.target = ("127.0.0.1", port)
        self.delay = delay
        self.keep_alive = keep_alive
        self.hints_rewritten = 0
        self.frozen = threading.Event()
        self.down = threading.Event()
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.uri = f"bolt://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down.is_set():
                client.close()  # a server that went away
                continue
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, from_server: bool) -> None:
        try:
            while data := source.recv(65536):
                while self.frozen.is_set():
                    time.sleep(0.05)
                if self.delay:
                    time.sleep(self.delay)
                if from_server and self.keep_alive is not None and self.HINT in data:
                    # PackStream: 120 is the one-byte tiny int 0x78; so is the new value.
                    old = self.HINT + bytes([120])
                    assert old in data, "the server's keep-alive hint is not the default"
                    data = data.replace(old, self.HINT + bytes([self.keep_alive]))
                    self.hints_rewritten += 1
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                s.close()

    def cut(self) -> None:
        with self.lock:
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
            self.sockets = []

    def close(self) -> None:
        self.listener.close()
        self.cut()
        self.frozen.clear()


@pytest.fixture
def relay_factory(neo4j_server: dict[str, Any]) -> Iterator[Any]:
    relays: list[Relay] = []
    port = int(neo4j_server["uri"].rsplit(":", 1)[1])

    def make(**kw: Any) -> Relay:
        relays.append(Relay(port, **kw))
        return relays[-1]

    yield make
    for relay in relays:
        relay.close()


def fault_graph() -> tuple[list[Node], list[Relationship], list[Node]]:
    nodes, rels = random_graph(3, companies=300, tricky=False)
    order, _ = collapse_batch(nodes, rels)
    return nodes, rels, order


def assert_whole_batches(store: Neo4jStore, order: list[Node], batch: int) -> int:
    written = {n.id for n in store.nodes()}
    assert written == {n.id for n in order[: len(written)]}
    assert len(written) % batch == 0
    assert duplicates(store) == 0
    return len(written)


def open_via(relay: Relay, server: dict[str, Any], **kw: Any) -> Neo4jStore:
    return Neo4jStore(relay.uri, server["user"], server["password"], **kw)


def test_connections_cut_mid_load_are_retried_and_the_load_finishes(
    neo4j_server: dict[str, Any], store: Neo4jStore, relay_factory: Any
) -> None:
    nodes, rels, _ = fault_graph()
    relay = relay_factory()
    via = open_via(relay, neo4j_server, batch_size=50, retry_seconds=20)
    cuts: list[int] = []

    def cut(done: int, total: int) -> None:
        # Three times: in the nodes, and twice in the relationships.
        if len(cuts) < 3 and done >= (100, 400, 900)[len(cuts)]:
            cuts.append(done)
            relay.cut()

    try:
        via.merge(nodes, rels, progress=cut)
    finally:
        via.close()
    assert len(cuts) == 3
    embedded = NetworkxStore()
    embedded.merge(nodes, rels)
    same_graph(store, embedded)
    assert duplicates(store) == 0


def test_server_gone_mid_load_gives_up_after_bounded_retries(
    neo4j_server: dict[str, Any], store: Neo4jStore, relay_factory: Any
) -> None:
    nodes, rels, order = fault_graph()
    relay = relay_factory()
    # One writer: the batches written before the cut are then exactly the first four.
    via = open_via(
        relay, neo4j_server, batch_size=50, retry_seconds=3, connection_timeout=2, writers=1
    )

    def stop(done: int, total: int) -> None:
        if done == 200:
            relay.down.set()
            relay.cut()

    started = time.monotonic()
    try:
        with pytest.raises(StoreUnavailable) as caught:
            via.merge(nodes, rels, progress=stop)
    finally:
        via.close()
    assert time.monotonic() - started < 60
    message = str(caught.value)
    assert "Batches 1-4 (200 of" in message and "Run the same load again" in message
    assert neo4j_server["password"] not in message
    assert assert_whole_batches(store, order, 50) == 200

    relay.down.clear()  # the server is back: the same load finishes, without duplicates
    again = open_via(relay, neo4j_server, batch_size=50)
    try:
        report = again.merge(nodes, rels)
    finally:
        again.close()
    assert report.nodes_created == len(order) - 200
    embedded = NetworkxStore()
    embedded.merge(nodes, rels)
    same_graph(store, embedded)


def test_frozen_server_mid_load_gives_up_with_a_clear_message(
    neo4j_server: dict[str, Any], store: Neo4jStore, relay_factory: Any
) -> None:
    nodes, rels, order = fault_graph()
    relay = relay_factory(keep_alive=2)
    # One writer: the batches written before the freeze are then exactly the first three.
    via = open_via(
        relay, neo4j_server, batch_size=50, retry_seconds=3, connection_timeout=2, writers=1
    )
    assert relay.hints_rewritten >= 1

    def freeze(done: int, total: int) -> None:
        if done == 150:
            relay.frozen.set()

    started = time.monotonic()
    try:
        with pytest.raises(StoreUnavailable, match="Run the same load again") as caught:
            via.merge(nodes, rels, progress=freeze)
    finally:
        relay.cut()  # drop what the relay held back, so it can never reach the server
        relay.frozen.clear()
        via.close()
    assert time.monotonic() - started < 60
    assert neo4j_server["password"] not in str(caught.value)
    assert assert_whole_batches(store, order, 50) == 150


def test_unresponsive_server_on_connect_is_bounded() -> None:
    # Accepts the TCP connection and never says a word (a hung server, a wrong port
    # that happens to listen): each attempt ends at the connection timeout.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match=r"cannot reach Neo4j at .* after 2 attempt"):
            Neo4jStore(
                f"bolt://127.0.0.1:{port}", "neo4j", "silent-pw-123", connect_attempts=2,
                connection_timeout=1,
            )  # fmt: skip
        assert time.monotonic() - started < 20


def test_slow_responses_still_give_the_same_answers(
    neo4j_server: dict[str, Any], store: Neo4jStore, relay_factory: Any
) -> None:
    from chaingraph.analysis.gaps import gaps
    from chaingraph.analysis.targets import targets

    tiny = tiny_store()
    relay = relay_factory(delay=0.01)  # every chunk, both ways
    slow = open_via(relay, neo4j_server, batch_size=10)
    try:
        slow.merge(list(tiny.nodes()), list(tiny.relationships()))
        assert gaps(slow, "base:yinping") == gaps(tiny, "base:yinping")
        assert targets(slow, "base:yinping") == targets(tiny, "base:yinping")
    finally:
        slow.close()
    same_graph(store, tiny)
