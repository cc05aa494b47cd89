"""Shared fixtures: a real Neo4j server for the whole test session.

By default ``scripts/neo4j-server`` starts a Neo4j 5.26 Community server (jars from
Maven Central, cached) in a temporary directory and stops it at the end of the
session.  To test against a server you already run instead, set
``CHAINGRAPH_TEST_NEO4J_URI`` (and ``CHAINGRAPH_TEST_NEO4J_USER`` /
``CHAINGRAPH_TEST_NEO4J_PASSWORD``).

These fixtures never skip: if the server cannot start, the tests that need it fail
with the server's log tail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest

# A store of each engine, made in one place (tests/engines.py): ``engine``, ``empty_store``,
# ``new_store``, ``new_neo4j_store``, ``neo4j_session_store``, ``own_neo4j_store``, and
# ``neo4j_env`` (the server's credentials in the environment).
from engines import (  # noqa: F401
    empty_store,
    engine,
    neo4j_env,
    neo4j_session_store,
    new_neo4j_store,
    new_store,
    own_neo4j_store,
)

from chaingraph.dataset import STORE_ENV, open_default_store

NEO4J_SERVER_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "neo4j-server"


# ---------------------------------------------------------------------------
# The default store built from the bundled Dongguan dataset.
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def bundled_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A default store built from the bundled dataset, once per test session.

    Building it takes seconds, so every module shares this one file. Tests must not
    write to it: copy it first (``shutil.copyfile``) when a test changes the store.
    """
    path = tmp_path_factory.mktemp("bundled") / "dongguan.cgraph.json"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(STORE_ENV, str(path))
        open_default_store()
    return path


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Connection details of a running Neo4j: {"uri", "user", "password", "pid", "dir"}."""
    external = os.environ.get("CHAINGRAPH_TEST_NEO4J_URI")
    if external:
        yield {
            "uri": external,
            "user": os.environ.get("CHAINGRAPH_TEST_NEO4J_USER", "neo4j"),
            "password": os.environ.get("CHAINGRAPH_TEST_NEO4J_PASSWORD", ""),
            "pid": None,
            "dir": None,
        }
        return

    server_dir = tmp_path_factory.mktemp("neo4j-server")
    started = subprocess.run(
        [sys.executable, str(NEO4J_SERVER_SCRIPT), "start", "--dir", str(server_dir)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if started.returncode != 0:
        subprocess.run(
            [sys.executable, str(NEO4J_SERVER_SCRIPT), "stop", "--dir", str(server_dir)],
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )
        pytest.fail(
            f"scripts/neo4j-server start failed (exit {started.returncode}):\n"
            f"{started.stdout}{started.stderr}",
            pytrace=False,
        )
    info: dict[str, Any] = json.loads(started.stdout.strip().splitlines()[-1])
    try:
        yield info
    finally:
        subprocess.run(
            [sys.executable, str(NEO4J_SERVER_SCRIPT), "stop", "--dir", str(server_dir)],
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_server: dict[str, Any]) -> Iterator[neo4j.Driver]:
    """A neo4j driver connected to ``neo4j_server`` (closed at session end)."""
    driver = neo4j.GraphDatabase.driver(
        neo4j_server["uri"], auth=(neo4j_server["user"], neo4j_server["password"])
    )
    try:
        driver.verify_connectivity()
        yield driver
    finally:
        driver.close()


# ---------------------------------------------------------------------------
# Real public data beside the repository (../shared/data, never copied in).
# ---------------------------------------------------------------------------

SHARED_DATA_ENV = "CHAINGRAPH_SHARED_DATA"


def shared_data_dir() -> Path | None:
    """The folder of real public test data: ``$CHAINGRAPH_SHARED_DATA``, else ``../shared/data``.

    Returns None when neither exists.  Tests that need it use the ``shared_data``
    fixture, which fails (never skips) when the folder is missing, so CI cannot
    pass them silently.
    """
    configured = os.environ.get(SHARED_DATA_ENV)
    path = (
        Path(configured)
        if configured
        else Path(__file__).resolve().parent.parent.parent / "shared" / "data"
    )
    return path if path.is_dir() else None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of the real public data folder (see ``shared_data_dir``); fails when it is missing."""
    path = shared_data_dir()
    if path is None:
        pytest.fail(
            f"real test data not found: set {SHARED_DATA_ENV} to the folder holding "
            "szse/ and ckg/ (by default ../shared/data beside the repository)",
            pytrace=False,
        )
    return path


# Fixture -> marker: a test that uses the fixture carries the marker even if its author
# forgot it, so marker selections (``-m "not shared_data"`` in a fresh clone, see .ci/run)
# never run a test that needs something outside the repository.
_FIXTURE_MARKERS = {"shared_data": "shared_data", "neo4j_server": "neo4j", "neo4j_driver": "neo4j"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for fixture in getattr(item, "fixturenames", ()):
            marker = _FIXTURE_MARKERS.get(fixture)
            if marker is not None and item.get_closest_marker(marker) is None:
                item.add_marker(getattr(pytest.mark, marker))
