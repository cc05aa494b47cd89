"""The Neo4j load path of issue 22: each property stored once (``props_extra``,
``props_order``), rows built ahead of the server, parallel node writers, query
warm-up on opening, and ``push --bulk`` / neo4j-admin files that read back exactly."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from random_graph import random_graph

from chaingraph.cli import cli
from chaingraph.errors import ConfigError
from chaingraph.model import Node, Relationship
from chaingraph.store.neo4j import Neo4jStore
from chaingraph.store.neo4j.admin import bulk_import, import_arguments, write_neo4j_admin
from chaingraph.store.networkx import NetworkxStore
from chaingraph.testing import tiny_store

# Values Neo4j cannot hold as they are, names chaingraph derives, and names out of order.
ODD_PROPS: dict[str, Any] = {
    "name": "怪值公司",
    "zeta": 1,
    "alpha": 2.5,
    "listing": {"board": "科创板", "code": "688001"},
    "mixed": [1, "two", 3.0],
    "ints_and_floats": [1, 2.5],
    "empty": [],
    "props_extra": "a data field with a reserved name",
    "lookup_names": ["not", "derived"],
    "props_json": "{not json",
    "tags": ["龙头企业", "上市"],
    "flags": [True, False],
}


def odd_graph() -> tuple[list[Node], list[Relationship]]:
    nodes = [
        Node("co:odd", "Company", dict(ODD_PROPS)),
        Node("prod:odd", "Product", {"name": "怪品", "b": 1, "a": {"nested": [1, {"x": None}]}}),
    ]
    rels = [
        Relationship(
            "MAKES", "co:odd", "prod:odd", "",
            {"revenue_share": 0.5, "capacity": {"t": 5}, "key": "data key", "empty": []},
        )
    ]  # fmt: skip
    return nodes, rels


@pytest.fixture
def store(neo4j_server: dict[str, Any]) -> Iterator[Neo4jStore]:
    s = Neo4jStore(neo4j_server["uri"], neo4j_server["user"], neo4j_server["password"])
    s.clear()
    try:
        yield s
    finally:
        s.close()


@pytest.mark.neo4j
def test_properties_are_stored_once_and_read_back_exactly(store: Neo4jStore) -> None:
    nodes, rels = odd_graph()
    store.merge(nodes, rels)
    company = store.get("co:odd")
    assert company is not None
    assert company.props == ODD_PROPS and list(company.props) == list(ODD_PROPS)
    assert store.get_many(["prod:odd"])["prod:odd"].props == nodes[1].props
    (rel,) = store.relationships("MAKES", source="co:odd")
    assert rel.props == rels[0].props and list(rel.props) == list(rels[0].props)
    raw = store.connection.read("MATCH (n:Entity {id: 'co:odd'}) RETURN properties(n) AS p")[0]["p"]
    assert "props_json" not in raw  # not the data property of that name, not a copy
    assert raw["zeta"] == 1 and raw["tags"] == ["龙头企业", "上市"]
    assert raw["lookup_names"] == ["怪值公司"]  # derived; the data one is in props_extra
    assert "listing" not in raw and "mixed" not in raw
    # Merging the same again changes nothing; a change rewrites the record, still exact.
    assert not store.merge(nodes, rels).changed
    store.merge([Node("co:odd", "Company", {"zeta": 9, "aliases": ["怪"]})], [])
    changed = store.get("co:odd")
    assert changed is not None and changed.props == {**ODD_PROPS, "zeta": 9, "aliases": ["怪"]}


@pytest.mark.neo4j
def test_records_of_earlier_versions_still_read_and_merge(store: Neo4jStore) -> None:
    """A node written with the whole record in props_json (before issue 22) reads from
    it, and a merge that changes it writes it the lean way."""
    store.ensure_schema()
    with store.connection.session() as session:
        session.run(
            "CREATE (:Entity:Company {id: 'co:old', type: 'Company', name: 'Old', "
            'props_json: \'{"name": "Old", "listing": {"board": "主板"}}\'})'
        ).consume()
    old = store.get("co:old")
    assert old is not None and old.props == {"name": "Old", "listing": {"board": "主板"}}
    store.merge([Node("co:old", "Company", {"founded": 1999})], [])
    raw = store.connection.read("MATCH (n:Entity {id: 'co:old'}) RETURN properties(n) AS p")[0]["p"]
    assert "props_json" not in raw and raw["founded"] == 1999
    new = store.get("co:old")
    assert new is not None
    assert new.props == {"name": "Old", "listing": {"board": "主板"}, "founded": 1999}


@pytest.mark.neo4j
@pytest.mark.parametrize("writers", [1, 3])
def test_batches_built_ahead_and_parallel_writers_write_the_same(
    neo4j_server: dict[str, Any], writers: int
) -> None:
    nodes, rels = random_graph(21, companies=300)
    embedded = NetworkxStore()
    embedded.merge(nodes, rels)
    store = Neo4jStore(
        neo4j_server["uri"], neo4j_server["user"], neo4j_server["password"],
        batch_size=37, writers=writers, warm=False,
    )  # fmt: skip
    try:
        store.clear()
        done: list[int] = []
        report = store.merge(nodes, rels, progress=lambda d, t: done.append(d))
        assert report.nodes_created == embedded.count_nodes()
        assert report.relationships_created == embedded.count_relationships()
        assert done == sorted(done) and done[-1] == embedded.count_nodes() + sum(
            1 for _ in embedded.relationships()
        )
        assert sorted((n.id, repr(n.props)) for n in store.nodes()) == sorted(
            (n.id, repr(n.props)) for n in embedded.nodes()
        )
        assert sorted((*r.identity, repr(r.props)) for r in store.relationships()) == sorted(
            (*r.identity, repr(r.props)) for r in embedded.relationships()
        )
        assert not store.merge(nodes, rels).changed
    finally:
        store.close()


@pytest.mark.neo4j
def test_opening_plans_the_named_queries(neo4j_server: dict[str, Any]) -> None:
    args = (neo4j_server["uri"], neo4j_server["user"], neo4j_server["password"])
    warm = Neo4jStore(*args)
    cold = Neo4jStore(*args, warm=False)
    try:
        assert warm.warm_seconds is not None and warm.warm_seconds > 0
        assert cold.warm_seconds is None
        assert cold.warm() > 0 and cold.warm_seconds is not None
    finally:
        warm.close()
        cold.close()


# -- bulk files and push --bulk (no server needed) ------------------------------------


def test_bulk_files_move_values_that_do_not_fit_their_column(tmp_path: Path) -> None:
    embedded = NetworkxStore()
    embedded.merge(
        [
            Node("co:a", "Company", {"name": "甲", "employees": 5, "odd key": "x"}),
            Node("co:b", "Company", {"name": "乙", "employees": "about 5"}),
            Node("co:c", "Company", {"name": "丙", "employees": 7.5}),
        ],
        [],
    )
    files = write_neo4j_admin(embedded, tmp_path)
    text = (tmp_path / "nodes-Company.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.split(":")[0] for h in rows[0]]
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    # A mixed column is text; each value that is not text goes to props_extra as it is.
    assert "employees:string" in rows[0]
    assert by_id["co:b"]["employees"] == "about 5" and by_id["co:b"]["props_extra"] == ""
    assert by_id["co:a"]["employees"] == ""
    assert by_id["co:a"]["props_extra"] == '{"employees":5,"odd key":"x"}'
    assert by_id["co:c"]["props_extra"] == '{"employees":7.5}'
    report = [a for a in import_arguments(files) if a.startswith("--report-file=")]
    assert report == [f"--report-file={tmp_path.resolve() / 'import.report'}"]


def test_import_report_never_lands_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (report,) = [a for a in import_arguments([]) if a.startswith("--report-file=")]
    assert not Path(report.split("=", 1)[1]).is_relative_to(tmp_path)
    assert import_arguments([], tmp_path / "r")[-1] == (
        f"--report-file={(tmp_path / 'r').resolve() / 'import.report'}"
    )


def test_push_bulk_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a Neo4j database name"):
        bulk_import(tiny_store(), ["neo4j-admin"], "bad name; DROP")
    failing = tmp_path / "neo4j-admin"
    failing.write_text("#!/bin/sh\necho 'Database already exists' >&2\nexit 3\n")
    failing.chmod(0o755)
    store_file = tmp_path / "s.cgraph.json"
    tiny_store().save(store_file)
    result = CliRunner().invoke(
        cli, ["push", "--bulk", "--neo4j-admin", str(failing), "--store", str(store_file)]
    )
    assert result.exit_code == 1
    assert "failed (exit 3): Database already exists" in result.output
    assert "--overwrite" in result.output
    assert not [p for p in Path(os.environ.get("TMPDIR", "/tmp")).glob("chaingraph-bulk-*")]
