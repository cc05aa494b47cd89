"""The one place tests get a store of each engine from.

``ENGINES`` names the engines every store behaviour test runs on; the fixtures here
(made available to every test module through tests/conftest.py) hand out stores:

- ``engine``: the engine's name, parametrised over ``ENGINES`` (the ``neo4j``
  case carries the ``neo4j`` marker, so ``-m "not neo4j"`` leaves just the
  embedded engine; no test ever skips).
- ``empty_store``: an empty store of that engine. The embedded one is a fresh
  ``NetworkxStore()``; the Neo4j one is the session's connection to the real
  server of ``neo4j_server`` (tests/conftest.py), cleared.
- ``new_store``: a function making one more empty store of that engine, for tests
  (Hypothesis properties) that need several in turn.
- ``new_neo4j_store``: the same for Neo4j alone, in tests that are not
  parametrised over the engines (they compare Neo4j with the embedded store).
- ``neo4j_session_store``: that one connection to the server, for modules that
  load a graph once and read it in many tests (see :func:`holding`).

The engines are imported here only (``chaingraph.store`` re-exports both).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from chaingraph.model import Node, Relationship
from chaingraph.store import GraphStore, MergeReport, Neo4jStore, NetworkxStore

__all__ = [
    "ENGINES",
    "Neo4jStore",
    "bundled_graph",
    "connect_neo4j",
    "content",
    "holding",
    "load",
]

ENGINES = (
    pytest.param("networkx", id="networkx"),
    pytest.param("neo4j", id="neo4j", marks=pytest.mark.neo4j),
)


def connect_neo4j(server: dict[str, Any], **options: Any) -> Neo4jStore:
    """A new connection to the test server (``options``: batch_size, retry_seconds...).

    The caller closes it. Prefer the shared ``empty_store`` / ``neo4j_session_store``:
    each connection plans every named query once (``warm``).
    """
    return Neo4jStore(server["uri"], server["user"], server["password"], **options)


@pytest.fixture
def own_neo4j_store(neo4j_server: dict[str, Any]) -> Iterator[Neo4jStore]:
    """An empty chaingraph Neo4j store on the session server, on a connection of its
    own (for tests that change its settings or cut it), closed after the test."""
    store = connect_neo4j(neo4j_server)
    store.clear()
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def neo4j_env(neo4j_server: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The session server's credentials in the environment, as a user would set them;
    no URI, database or stray config file."""
    monkeypatch.setenv("NEO4J_USER", neo4j_server["user"])
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server["password"])
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.delenv("NEO4J_DATABASE", raising=False)
    monkeypatch.setenv("CHAINGRAPH_NEO4J_CONFIG", "/nonexistent/chaingraph-neo4j.yaml")
    return neo4j_server


@pytest.fixture(scope="session")
def neo4j_session_store(neo4j_server: dict[str, Any]) -> Iterator[Neo4jStore]:
    """One connection to the session's Neo4j server, shared by every test using it."""
    store = connect_neo4j(neo4j_server, batch_size=500)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The engine a test runs on: ``networkx`` or ``neo4j``."""
    return str(request.param)


def _maker(request: pytest.FixtureRequest, engine: str) -> Callable[[], GraphStore]:
    if engine == "networkx":
        return NetworkxStore
    server_store: Neo4jStore = request.getfixturevalue("neo4j_session_store")

    def cleared() -> GraphStore:
        server_store.clear()
        _loaded.pop(id(server_store), None)
        return server_store

    return cleared


@pytest.fixture
def new_store(request: pytest.FixtureRequest, engine: str) -> Callable[[], GraphStore]:
    """Makes an empty store of ``engine`` at each call (Neo4j: the same one, cleared)."""
    return _maker(request, engine)


@pytest.fixture
def new_neo4j_store(request: pytest.FixtureRequest) -> Callable[[], GraphStore]:
    """Makes an empty Neo4j store at each call (the shared connection, cleared), for
    tests that compare Neo4j with the embedded store themselves."""
    return _maker(request, "neo4j")


@pytest.fixture
def empty_store(new_store: Callable[[], GraphStore]) -> GraphStore:
    """An empty store of ``engine``."""
    return new_store()


def load(
    store: GraphStore, nodes: Iterable[Node], relationships: Iterable[Relationship]
) -> MergeReport:
    """Merge a graph into ``store`` (the Neo4j store takes lists)."""
    return store.merge(list(nodes), list(relationships))


# What the shared Neo4j connection was last filled with by ``holding``: (key, nodes, rels).
_loaded: dict[int, tuple[str, int, int]] = {}
_embedded: dict[str, NetworkxStore] = {}


def holding(
    request: pytest.FixtureRequest | None,
    engine: str,
    key: str,
    build: Callable[[], tuple[list[Node], list[Relationship]]],
) -> GraphStore:
    """A store of ``engine`` holding the graph ``build()`` makes, for reading only.

    The embedded store is built once per ``key``; the Neo4j server is reloaded only
    when it no longer holds that graph (another test cleared it or loaded another),
    which its counts tell.
    """
    if key not in _embedded:
        embedded = NetworkxStore()
        load(embedded, *build())
        _embedded[key] = embedded
    embedded = _embedded[key]
    if engine == "networkx":
        return embedded
    assert request is not None, "the Neo4j store comes from a fixture: pass the request"
    server: Neo4jStore = request.getfixturevalue("neo4j_session_store")
    expected = (key, embedded.count_nodes(), embedded.count_relationships())
    if (
        _loaded.get(id(server)) != expected
        or (
            server.count_nodes(),
            server.count_relationships(),
        )
        != expected[1:]
    ):
        server.clear()
        load(server, embedded.nodes(), embedded.relationships())
        _loaded[id(server)] = expected
    return server


def bundled_graph() -> tuple[list[Node], list[Relationship]]:
    """The bundled Dongguan dataset, as records (for :func:`holding`)."""
    from chaingraph.dataset import load_bundled

    embedded = NetworkxStore()
    load_bundled(embedded)
    return list(embedded.nodes()), list(embedded.relationships())


def content(store: GraphStore) -> tuple[list[tuple[str, str, str]], list[tuple[str, ...]]]:
    """Everything a store holds, in a canonical order, for equality checks (properties
    by ``repr``, so 1 and 1.0 and True stay apart)."""
    nodes = sorted((n.id, n.type, repr(n.props)) for n in store.nodes())
    rels = sorted((*r.identity, repr(r.props)) for r in store.relationships())
    return nodes, rels
