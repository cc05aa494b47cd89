"""The Neo4j load path of issue 22: each property stored once (``props_extra``,
``props_order``), rows built ahead of the server, parallel node writers, query
warm-up on opening, and ``push --bulk`` / neo4j-admin files that read back exactly."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from random_graph import random_graph

from chaingraph.cli import cli
from chaingraph.errors import ConfigError, DataError, StoreError
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
@pytest.mark.parametrize("writers", [1, 2])
def test_a_load_into_a_partly_filled_database_merges_the_stored_and_creates_the_rest(
    neo4j_server: dict[str, Any], writers: int
) -> None:
    """Half the firms are stored already: a load holding all of them merges the stored
    ones by the merge rules (values replaced, nulls ignored, tags and aliases kept as
    sets, relationships between stored ends updated) and creates the new ones without
    reading them, in parallel sessions too; both engines end with the same records and
    report the same counts, and an id stored under another type is refused before
    anything is written."""
    nodes, rels = random_graph(5, companies=120)
    first = [n for i, n in enumerate(nodes) if n.type != "Company" or i % 2]
    stored = {n.id for n in first}
    first_rels = [r for r in rels if r.source in stored and r.target in stored]
    # The second load: every node, the stored firms changed (a new value, a null that
    # must not remove anything, an extra tag and alias), every relationship, the
    # stored ones between stored firms with a changed property.
    second = [
        Node(n.id, n.type, {**n.props, "founded": None, "employees": 7,
                            "tags": ["新标签", *n.props.get("tags", [])],
                            "aliases": ["别名"]})
        if n.id in stored and n.type == "Company" else n
        for n in nodes
    ]  # fmt: skip
    second_rels = [
        Relationship(r.type, r.source, r.target, r.key, {**r.props, "as_of": "2026"})
        if r.type == "MAKES" and r.source in stored else r
        for r in rels
    ]  # fmt: skip
    embedded = NetworkxStore()
    store = Neo4jStore(
        neo4j_server["uri"], neo4j_server["user"], neo4j_server["password"],
        batch_size=29, writers=writers, warm=False,
    )  # fmt: skip
    try:
        store.clear()
        assert store.merge(first, first_rels) == embedded.merge(first, first_rels)
        report = store.merge(second, second_rels)
        assert report == embedded.merge(second, second_rels)
        assert report.nodes_created == len(nodes) - len(first)
        assert report.nodes_updated > 0 and report.relationships_updated > 0
        assert report.relationships_created == len(rels) - len(first_rels)
        assert sorted((n.id, repr(n.props)) for n in store.nodes()) == sorted(
            (n.id, repr(n.props)) for n in embedded.nodes()
        )
        assert sorted((*r.identity, repr(r.props)) for r in store.relationships()) == sorted(
            (*r.identity, repr(r.props)) for r in embedded.relationships()
        )
        firm = next(n for n in first if n.type == "Company")
        got = store.get(firm.id)
        assert got is not None and got.props["employees"] == 7
        assert got.props.get("founded") == firm.props.get("founded")
        assert got.props["aliases"][-1] == "别名" and "新标签" in got.props["tags"]
        assert not store.merge(second, second_rels).changed
        # A conflict is still refused whole: nothing of the batch is written.
        before = store.count_nodes()
        with pytest.raises(DataError):
            store.merge(
                [Node("co:brand-new", "Company", {"name": "新"}),
                 Node(firm.id, "Product", {"name": "冲突"})],
                [],
            )  # fmt: skip
        assert store.count_nodes() == before and store.get("co:brand-new") is None
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
    folder = Path(report.split("=", 1)[1]).parent
    assert folder.is_dir() and folder.name.startswith("chaingraph-import-")
    folder.rmdir()  # the new temporary folder, empty: not left behind by the test
    assert not folder.is_relative_to(tmp_path)
    assert import_arguments([], tmp_path / "r")[-1] == (
        f"--report-file={(tmp_path / 'r').resolve() / 'import.report'}"
    )


def test_push_bulk_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The temporary folders go into a folder of this test's own: the machine's /tmp may
    # hold another run's push --bulk folder at this moment.
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
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
    assert not list(temp.iterdir())  # the CSV folder is deleted after a failure


@pytest.mark.neo4j
def test_a_batch_the_server_refuses_stops_the_pipeline_and_a_rerun_finishes(
    store: Neo4jStore,
) -> None:
    """Batches are built ahead and written one after another; when the server refuses
    one (here a relationship end deleted after the check), the batches before it stay
    written, that batch and the ones after it write nothing, the error names them, and
    the same merge run again finishes the load without duplicates."""
    companies = [Node(f"co:pipe-{i:03d}", "Company", {"name": f"管道{i}"}) for i in range(40)]
    nodes = [Node("prod:pipe", "Product", {"name": "管件"}), *companies]
    rels = [
        Relationship("MAKES", c.id, "prod:pipe", "", {"source": "s", "as_of": "2024"})
        for c in companies
    ]
    store.batch_size = 10  # nodes in batches 1-5, relationships in batches 6-9
    store.writers = 1  # one batch at a time: the batches after the refused one never start
    victim = companies[25].id  # its MAKES is in relationship batch 3 (batch 8 of 9)

    def progress(done: int, total: int) -> None:
        if done == len(nodes):  # every node batch written, no relationship batch yet
            with store.connection.session() as session:
                session.run("MATCH (n:Entity {id: $id}) DETACH DELETE n", id=victim).consume()

    with pytest.raises(StoreError) as failure:
        store.merge(nodes, rels, progress=progress)
    message = str(failure.value)
    assert "Batches 1-7 (61 of 81 rows) are written; batch 8 is not" in message
    assert "Run the same load again" in message
    assert store.count_nodes() == len(nodes) - 1
    # Batches 6 and 7 are written whole; nothing of batch 8 (rolled back) nor batch 9.
    assert sorted(r.source for r in store.relationships("MAKES")) == [c.id for c in companies[:20]]
    report = store.merge(nodes, rels)
    assert (report.nodes_created, report.relationships_created) == (1, 20)
    assert report.unchanged == len(nodes) - 1 + 20
    assert store.count_relationships("MAKES") == len(rels)
    assert not store.merge(nodes, rels).changed


@pytest.mark.neo4j
def test_lists_maps_orders_and_keys_round_trip_through_merge_and_bulk_files(
    store: Neo4jStore, tmp_path: Path
) -> None:
    """Lists of one kind are Neo4j lists, the rest (maps, mixed or empty lists) JSON in
    props_extra; a record in the default order (provenance first) stores no
    props_order, and an empty relationship key is no property: all of it reads back
    exactly, through Bolt and through the neo4j-admin files alike."""
    props = {  # the default order: provenance, then by name
        "source": "s",
        "as_of": "2024",
        "empty": [],
        "flags": [True],
        "mixed": ["x", 1],
        "name": "清单公司",
        "nested": {"a": [1, {"b": None}], "c": "文"},
        "ratios": [0.5, 1.5],
        "scores": [1, 2, 3],
        "tags": ["上市", "龙头企业"],
    }
    unsorted = {"zeta": "z", "source": "s", "alpha": [1, 2], "as_of": "2024"}
    nodes = [
        Node("co:lists", "Company", dict(props)),
        Node("co:unsorted", "Company", dict(unsorted)),
        Node("prod:lists", "Product", {"source": "s", "as_of": "2024", "name": "品"}),
        Node("region:lists", "Region", {"name": "区", "level": "city"}),
    ]
    rels = [
        Relationship("MAKES", "co:lists", "prod:lists", "", {"source": "s", "as_of": "2024"}),
        Relationship(
            "LOCATED_IN", "co:lists", "region:lists", "总部",
            {"role": "总部", "source": "s", "as_of": "2024", "sites": {"n": 2}},
        ),
    ]  # fmt: skip
    store.merge(nodes, rels)
    raw = {
        r["id"]: r["p"]
        for r in store.connection.read("MATCH (n:Entity) RETURN n.id AS id, properties(n) AS p")
    }
    assert "props_order" not in raw["co:lists"] and "props_order" not in raw["prod:lists"]
    assert "props_order" in raw["co:unsorted"]
    assert raw["co:lists"]["scores"] == [1, 2, 3] and raw["co:lists"]["flags"] == [True]
    rel_raw = {
        r["t"]: r["p"]
        for r in store.connection.read("MATCH ()-[r]->() RETURN type(r) AS t, properties(r) AS p")
    }
    assert "key" not in rel_raw["MAKES"] and rel_raw["LOCATED_IN"]["key"] == "总部"

    def check(read: Any) -> None:
        for node in nodes:
            got = read.get(node.id)
            assert got is not None and got.props == node.props
            assert list(got.props) == list(node.props)
        for rel in rels:
            (got_rel,) = list(read.relationships(rel.type, source=rel.source))
            assert got_rel.identity == rel.identity and got_rel.props == rel.props
            assert list(got_rel.props) == list(rel.props)

    check(store)
    # The relationship with no key is found again (an unchanged reload), not duplicated.
    assert not store.merge(nodes, rels).changed
    assert store.count_relationships() == len(rels)
    # The neo4j-admin files hold the same properties: no key column value for MAKES.
    embedded = NetworkxStore()
    embedded.merge(nodes, rels)
    files = write_neo4j_admin(embedded, tmp_path / "bulk")
    makes = next(f for f in files if f.name == "relationships-MAKES.csv")
    assert "key:" not in makes.read_text(encoding="utf-8").splitlines()[0]
    located = next(f for f in files if f.name == "relationships-LOCATED_IN.csv")
    (header, line) = located.read_text(encoding="utf-8").splitlines()
    assert header.split(",")[3] == "key:string" and line.split(",")[3] == '"总部"'


@pytest.mark.neo4j
def test_a_batch_waiting_on_locks_of_a_lost_transaction_ends_at_its_timeout(
    store: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transaction left open by a half-open connection (the client gone, the server not
    told) holds its locks; a batch that needs them is ended by the server at the batch
    timeout and tried again, then the load stops with a clear message instead of waiting
    for ever, and finishes once the holder is gone."""
    import time

    from chaingraph.store.neo4j import merge

    monkeypatch.setattr(merge, "batch_timeout", lambda rows: 2.0)
    nodes = [Node("co:held", "Company", {"name": "锁住的公司"})]
    store.ensure_schema()
    holder = store.connection.session()
    tx = holder.begin_transaction()
    # Not committed: the id's entry in the uniqueness constraint stays locked.
    tx.run("CREATE (n:Entity:Company {id: 'co:held'})").consume()
    started = time.monotonic()
    try:
        with pytest.raises(StoreError, match="terminated") as caught:
            store.merge(nodes, [])
    finally:
        tx.rollback()
        holder.close()
    # Three attempts of 2 s each (the driver does not retry a timed-out transaction).
    assert 6 <= time.monotonic() - started < 30
    assert "Nothing was written" in str(caught.value)
    assert "Run the same load again" in str(caught.value)
    assert store.merge(nodes, []).nodes_created == 1
    assert store.get("co:held") == nodes[0]
