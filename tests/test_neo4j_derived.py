"""The figures the Neo4j gap queries read (chaingraph.store.neo4j.derived) follow the data.

Every merge below runs on both engines and on a reference embedded store given the
same merges; after each one, every aggregate the gap and target analyses read must
equal the reference's: adding a local maker (counts, local lists, rings and the
economy move), a second site for a firm in another city (its site key changes), a
local firm renamed, made 链主 and its fact verified, a local firm ranked that makes a
second product (the local rosters are patched; answers are also compared under
another leader rule), a firm given tags, a revenue and a listing (it moves to another
class of candidate makers of each of its products; the targets are compared too), a
product renamed to a segment's name (the members change, and updating a node in Neo4j
rewrites its properties), and a new place inside the city (the places change: a full
refresh). On Neo4j alone, a database written behind the store's back (raw Cypher, or
with the derived figures removed, as after ``neo4j-admin database import``) is
refreshed before it answers. The graph is ``chaingraph.testing.evidence_store``
(synthetic).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import neo4j
import pytest
from click.testing import CliRunner
from engines import Neo4jStore, load

from chaingraph.analysis.gaps import gaps
from chaingraph.analysis.targets import targets
from chaingraph.cli import cli
from chaingraph.model import Node, Relationship
from chaingraph.store import GraphStore, LeaderRule
from chaingraph.store.base import NATION
from chaingraph.store.neo4j import derived, snapshot
from chaingraph.store.neo4j.first_load import FirstLoad
from chaingraph.store.neo4j.merge import BatchedMerge
from chaingraph.testing import evidence_store

S = {"source": "tests.derived", "as_of": "2024", "synthetic": True}
AREAS = ("region:cn-home", "base:home", "region:cn-other", "region:cn", "region:new-town", "")
RULE = LeaderRule(("链主", "高新技术企业"), 60)
RINGS = [["base:home"], ["region:cn-home"], ["region:cn-home", "region:cn-other"], ["region:jp"]]

# Each step: the nodes and relationships one merge adds.
STEPS: list[tuple[str, list[Node], list[Relationship]]] = [
    (
        "a new local maker of 传感器件 (the 建链 gap)",
        [Node("co:new", "Company", {"name": "新来传感", "tags": ["龙头企业"], **S})],
        [
            Relationship("LOCATED_IN", "co:new", "base:home", "总部", {"role": "总部", **S}),
            Relationship("MAKES", "co:new", "prod:sensor", props=S),
        ],
    ),
    (
        "a firm of 他市 opens a site in 本市",
        [],
        [Relationship("LOCATED_IN", "co:o01", "region:cn-home", "工厂", {"role": "工厂", **S})],
    ),
    (
        "co:l4 renamed, made 链主, its 控制器 fact now verified and strong",
        [Node("co:l4", "Company", {"name": "本地四号集团", "tags": ["链主"], **S})],
        [Relationship("MAKES", "co:l4", "prod:control", props={**S, "evidence": "strong"})],
    ),
    (
        "co:l3 gets a global rank and makes 电机 too",
        [Node("co:l3", "Company", {"global_rank": {"list": "测试榜", "rank": 50}, **S})],
        [Relationship("MAKES", "co:l3", "prod:motor", props={**S, "evidence": "weak"})],
    ),
    (
        "co:o01 listed, with a revenue and 专精特新: another class of its products",
        [
            Node(
                "co:o01",
                "Company",
                {
                    "tags": ["专精特新"],
                    "revenue_cny_100m": 12.5,
                    "listing": {"board": "科创板", "code": "688001"},
                    **S,
                },
            )
        ],
        [],
    ),
    (
        "传感器件 renamed 控制器: a member of the segment 控制器 now",
        [Node("prod:sensor", "Product", {"name": "控制器", **S})],
        [],
    ),
    (
        "a new town inside 本市, with a firm making 整机 there",
        [
            Node("region:new-town", "Region", {"name": "新镇", "level": "town"}),
            Node("co:town", "Company", {"name": "新镇整机", **S}),
        ],
        [
            Relationship("IN", "region:new-town", "region:cn-home"),
            Relationship("LOCATED_IN", "co:town", "region:new-town", "总部", {"role": "总部", **S}),
            Relationship("MAKES", "co:town", "prod:machine", props=S),
            Relationship("MAKES", "co:o02", "prod:machine", props=S),
        ],
    ),
]


def answers(store: GraphStore) -> dict[str, Any]:
    """Every aggregate read the gap and target analyses make, over the whole graph."""
    segments = sorted(n.id for n in store.nodes("Segment"))
    products = sorted(n.id for n in store.nodes("Product"))
    found: dict[str, Any] = {"rings": store.ring_makers(segments, RINGS)}
    for area in AREAS:
        found[f"coverage {area}"] = store.segment_coverage(segments, area)
        found[f"economy {area}"] = store.economy_counts(area)
        found[f"inputs {area}"] = store.leader_inputs(products, area)
        # another leader rule: other tags, and a rank that reaches co:l3's
        found[f"coverage by rule {area}"] = store.segment_coverage(segments, area, RULE)
        found[f"inputs by rule {area}"] = store.leader_inputs(products, area, RULE)
        found[f"users {area}"] = store.local_users(products, area)
        found[f"candidates {area}"] = store.segment_candidates(segments, area)
    found["gaps"] = gaps(store, "base:home")
    # the target search's makers in classes and pages (read in bound order on Neo4j)
    classes = found["candidate classes"] = store.candidate_classes(segments)
    wanted = {
        (product, held.key, number)
        for per in classes.values()
        for product, held_classes in per.items()
        for held in held_classes
        for number in range(len(held.tops))
    }
    found["candidate pages"] = store.candidate_pages(sorted(wanted))
    found["targets"] = targets(store, "base:home", top=3)
    return found


def assert_same(store: GraphStore, reference: GraphStore, when: str) -> None:
    got, expected = answers(store), answers(reference)
    for key in expected:
        assert got[key] == expected[key], f"{key} after {when}"


def test_derived_figures_follow_each_merge(new_store: Callable[[], GraphStore]) -> None:
    store = new_store()
    base = evidence_store()
    load(store, base.nodes(), base.relationships())
    reference = evidence_store()
    assert_same(store, reference, "the first load")
    before = reference.segment_coverage(["seg:c.sensor"], "region:cn-home")["seg:c.sensor"]
    for what, nodes, rels in STEPS:
        load(store, nodes, rels)
        reference.merge(nodes, rels)
        assert_same(store, reference, what)
    # The steps did move what gaps reads (else the test would prove little).
    after = store.segment_coverage(["seg:c.sensor"], "region:cn-home")["seg:c.sensor"]
    # evidence_store knows 13 sensor makers, none local; the steps add one, local
    assert (before.makers, len(before.local)) == (13, 0)
    control = store.segment_coverage(["seg:c.control"], "region:cn-home", RULE)["seg:c.control"]
    assert control.local_leaders == ("co:l4",)
    assert control.local_grades[control.local.index("co:l4")] == "strong"
    assert control.local_names[control.local.index("co:l4")] == "本地四号集团"
    motor = store.segment_coverage(["seg:c.motor"], "base:home", RULE)["seg:c.motor"]
    assert (motor.local, motor.local_leaders) == (("co:l1",), ())
    motor = store.segment_coverage(["seg:c.motor"], "region:cn-home", RULE)["seg:c.motor"]
    # co:l3 ranked 50 leads by the rule's rank; co:l1 (龙头企业) does not by its tags
    assert {"co:l1", "co:l3"} <= set(motor.local) and motor.local_leaders == ("co:l3",)
    assert (after.makers, after.local, after.local_leaders) == (
        14,
        ("co:new", "co:o01"),
        ("co:new",),
    )
    assert store.economy_counts("region:cn-home").local == 7  # 4 + co:new, co:o01, co:town
    assert store.ring_makers(["seg:c.machine"], [["region:new-town"]]) == {"seg:c.machine": (1,)}
    # the local users of 电机's output: the new town's maker of 整机, also in 本市 (product
    # rosters patched by the merge)
    assert store.local_users(["prod:motor"], "region:new-town") == {
        "prod:motor": (("prod:machine", ("co:town",)),)
    }
    assert (
        "co:town"
        in dict(store.local_users(["prod:motor"], "region:cn-home")["prod:motor"])["prod:machine"]
    )


def _evidence_in_neo4j(new_neo4j_store: Callable[[], GraphStore]) -> Neo4jStore:
    store = new_neo4j_store()
    assert isinstance(store, Neo4jStore)
    base = evidence_store()
    load(store, base.nodes(), base.relationships())
    return store


def _maker_written_behind_its_back(neo4j_driver: neo4j.Driver) -> None:
    """A maker added with plain Cypher: the counts no longer match the stamp."""
    neo4j_driver.execute_query(
        "MATCH (f:Entity {id: 'co:l3'}), (p:Entity {id: 'prod:sensor'}) "
        "CREATE (f)-[:MAKES {key: '', source: 'tests.derived', as_of: '2024', synthetic: true}]->(p)"
    )


@pytest.mark.neo4j
def test_neo4j_checks_its_figures_once_per_analysis(
    new_neo4j_store: Callable[[], GraphStore], neo4j_driver: neo4j.Driver
) -> None:
    store = _evidence_in_neo4j(new_neo4j_store)
    checks: list[str] = []
    original = store.connection.read

    def counting(text: str, doing: str = "reading", **params: Any) -> Any:
        checks.append(doing)
        return original(text, doing, **params)

    store.connection.read = counting  # type: ignore[method-assign]
    reference = gaps(evidence_store(), "base:home")
    assert gaps(store, "base:home") == reference
    assert checks.count("checking the derived figures") == 1
    # the next analysis checks again: a write behind the store's back is seen there
    _maker_written_behind_its_back(neo4j_driver)
    checks.clear()
    with store.one_analysis():
        found = gaps(store, "base:home")
        store.economy_counts("base:home")
    assert checks.count("checking the derived figures") == 1
    assert derived.is_fresh(store.connection)
    updated = evidence_store()
    updated.merge([], [Relationship("MAKES", "co:l3", "prod:sensor", props=S)])
    assert found == gaps(updated, "base:home")


@pytest.mark.neo4j
def test_neo4j_refreshes_a_database_written_behind_its_back(
    new_neo4j_store: Callable[[], GraphStore], neo4j_driver: neo4j.Driver
) -> None:
    store = _evidence_in_neo4j(new_neo4j_store)
    assert derived.is_fresh(store.connection)
    _maker_written_behind_its_back(neo4j_driver)
    assert not derived.is_fresh(store.connection)
    reference = evidence_store()
    reference.merge([], [Relationship("MAKES", "co:l3", "prod:sensor", props=S)])
    assert_same(store, reference, "a MAKES written with plain Cypher")
    assert derived.is_fresh(store.connection)
    # Every derived figure gone, as in a database neo4j-admin imported.
    neo4j_driver.execute_query(
        "MATCH (n:Entity) REMOVE n:CgMaker:CgNationalMaker "
        "REMOVE n.cg_members, n.cg_segments, n.cg_makers, n.cg_national, n.cg_sites, "
        "n.cg_ring_keys, n.cg_ring_makers"
    )
    neo4j_driver.execute_query(f"MATCH (m:{derived.STAMP_LABEL}) DELETE m")
    assert not derived.is_fresh(store.connection)
    assert_same(store, reference, "the derived figures were removed")
    # Reading a node back never shows them.
    node = store.get("seg:c.sensor")
    assert node is not None and not set(node.props) & set(derived.DERIVED_PROPERTIES)
    assert store.get("seg:c.sensor") == reference.get("seg:c.sensor")


@pytest.mark.neo4j
def test_push_schema_only_derives_after_a_bulk_import(
    new_neo4j_store: Callable[[], GraphStore],
    neo4j_driver: neo4j.Driver,
    neo4j_server: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As after neo4j-admin: the data is there, no derived figure, no stamp.
    store = _evidence_in_neo4j(new_neo4j_store)
    neo4j_driver.execute_query(
        "MATCH (n:Entity) REMOVE n:CgMaker:CgNationalMaker REMOVE n.cg_members, n.cg_makers"
    )
    neo4j_driver.execute_query(f"MATCH (m:{derived.STAMP_LABEL}) DELETE m")
    assert not derived.is_fresh(store.connection)
    monkeypatch.setenv("NEO4J_USER", neo4j_server["user"])
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server["password"])
    monkeypatch.setenv("CHAINGRAPH_NEO4J_CONFIG", "/nonexistent/chaingraph-neo4j.yaml")
    result = CliRunner().invoke(cli, ["push", "--schema-only", "--neo4j", neo4j_server["uri"]])
    assert result.exit_code == 0, result.output
    assert derived.is_fresh(store.connection)
    records, _, _ = neo4j_driver.execute_query("MATCH (f:CgMaker) RETURN count(f) AS n")
    assert records[0]["n"] == 21  # every firm of evidence_store makes something
    assert_same(store, evidence_store(), "push --schema-only")


# Every derived figure as stored, for comparing two refreshes: ring keys are resolved
# through the stamp's (or given) site keys, as the two paths may number them apart.
_DUMPS = {
    "products": "MATCH (n:Product) RETURN n.id, n.cg_segments, n.cg_makers, n.cg_national, "
    "n.cg_ring_keys, n.cg_ring_makers ORDER BY n.id",
    "segments": "MATCH (n:Segment) RETURN n.id, n.cg_members, n.cg_makers, n.cg_national, "
    "n.cg_ring_keys, n.cg_ring_makers ORDER BY n.id",
    "firms": "MATCH (n:Company) RETURN n.id, n:CgMaker, n:CgNationalMaker, "
    "CASE WHEN n:CgMaker THEN n.cg_sites END ORDER BY n.id",
    "rosters": "MATCH (r:CgRoster) RETURN r.key, r.place, r.kind, r.what, r.count, r.ids, "
    "r.names, r.facts, r.entries ORDER BY r.key",
    "classes": "MATCH (c:CgCandidates) RETURN c.key, c.product, c.cls, c.count, c.tops "
    "ORDER BY c.key",
    "pages": "MATCH (c:CgCandidatePage) RETURN c.key, c.ids, c.revenues ORDER BY c.key",
}


def _derived_dump(driver: neo4j.Driver, sitekeys: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    found: dict[str, list[tuple[Any, ...]]] = {}
    for name, text in _DUMPS.items():
        records, _, _ = driver.execute_query(text)
        rows = []
        for record in records:
            row = list(record.values())
            if name in ("products", "segments"):
                at, counts = derived.unpack(row[4]), derived.unpack(row[5])
                row[4:] = [sorted(zip((sitekeys[i] for i in at), counts, strict=True))]
            rows.append(tuple(row))
        found[name] = rows
    return found


# Firms beyond evidence_store that the full refresh must treat as the Cypher does: one
# with two facts for one product, one with no site, one making a node that is no
# product, one with two sites (a two-part site key) and one that makes nothing.
_ODD_NODES = [
    Node("co:twice", "Company", {"name": "两次", **S}),
    Node("co:nowhere", "Company", {"name": "无址", "tags": ["链主"], **S}),
    Node("co:odd", "Company", {"name": "怪", **S}),
    Node("co:both", "Company", {"name": "两地", "global_rank": {"list": "榜", "rank": 7}, **S}),
    Node("co:idle", "Company", {"name": "闲", **S}),
]
_ODD_RELATIONSHIPS = [
    Relationship("LOCATED_IN", "co:twice", "base:home", "总部", {"role": "总部", **S}),
    Relationship("MAKES", "co:twice", "prod:sensor", props={**S, "source": "unverified"}),
    Relationship("MAKES", "co:twice", "prod:sensor", "b", props={**S, "evidence": "strong"}),
    Relationship("MAKES", "co:nowhere", "prod:motor", props=S),
    Relationship("LOCATED_IN", "co:odd", "region:jp", "总部", {"role": "总部", **S}),
    Relationship("MAKES", "co:odd", "seg:c.sensor", props=S),
    Relationship("LOCATED_IN", "co:both", "region:cn-other", "总部", {"role": "总部", **S}),
    Relationship("LOCATED_IN", "co:both", "region:jp", "工厂", {"role": "工厂", **S}),
    Relationship("MAKES", "co:both", "prod:machine", props={**S, "evidence": "weak"}),
    Relationship("LOCATED_IN", "co:idle", "base:home", "总部", {"role": "总部", **S}),
]


@pytest.mark.neo4j
def test_full_refresh_writes_what_the_per_firm_cypher_writes(
    new_neo4j_store: Callable[[], GraphStore], neo4j_driver: neo4j.Driver
) -> None:
    """The full refresh computes every figure from one read of the firms: it must write
    what the partial refresh's Cypher (a merge's path) writes when every firm and
    product is touched, from a database with no figure and from one with wrong ones."""
    store = _evidence_in_neo4j(new_neo4j_store)
    assert isinstance(store, Neo4jStore)
    store.merge(_ODD_NODES, _ODD_RELATIONSHIPS)
    conn = store.connection
    strip = (
        "MATCH (n:Entity) REMOVE n:CgMaker:CgNationalMaker REMOVE n.cg_members, "
        "n.cg_segments, n.cg_makers, n.cg_national, n.cg_sites, n.cg_ring_keys, "
        "n.cg_ring_makers",
        "MATCH (n) WHERE n:CgRoster OR n:CgCandidates OR n:CgCandidatePage OR "
        f"n:{derived.STAMP_LABEL} DETACH DELETE n",
    )
    for text in strip:
        neo4j_driver.execute_query(text)
    everything = derived.Touched(
        frozenset(n.id for n in store.nodes("Company")),
        frozenset(n.id for n in store.nodes("Product")),
        False,
    )
    keys = derived._refresh_touched(conn, everything, "testing")
    expected = _derived_dump(neo4j_driver, keys.keys)
    assert ("co:nowhere", True, False, "") in expected["firms"]
    assert ("co:idle", False, False, None) in expected["firms"]
    assert ("co:odd", True, False, "region:jp") in expected["firms"]
    assert ("co:both", True, True, "region:cn-other\x1fregion:jp") in expected["firms"]
    assert len(expected["rosters"]) > 20 and len(expected["pages"]) > 5

    def full_refresh() -> dict[str, list[tuple[Any, ...]]]:
        derived.refresh(conn)
        (record,), _, _ = neo4j_driver.execute_query(
            f"MATCH (m:{derived.STAMP_LABEL}) RETURN m.sitekeys AS keys"
        )
        return _derived_dump(neo4j_driver, list(record["keys"]))

    for text in strip:
        neo4j_driver.execute_query(text)
    assert full_refresh() == expected
    # wrong figures left behind: labels on a firm that makes nothing, a national
    # maker's label gone, a stale site key, products' counts and a stray roster
    neo4j_driver.execute_query(
        "MATCH (f:Company {id: 'co:idle'}) SET f:CgMaker:CgNationalMaker, f.cg_sites = 'x'"
    )
    neo4j_driver.execute_query("MATCH (f:Company {id: 'co:l1'}) REMOVE f:CgNationalMaker")
    neo4j_driver.execute_query("MATCH (f:Company {id: 'co:both'}) SET f.cg_sites = 'region:jp'")
    neo4j_driver.execute_query("MATCH (p:Product) SET p.cg_makers = 99, p.cg_segments = []")
    neo4j_driver.execute_query("CREATE (:CgRoster {key: 'stray', count: 1})")
    assert full_refresh() == expected
    assert derived.is_fresh(conn)


def _stamped_keys(driver: neo4j.Driver) -> list[str]:
    (record,), _, _ = driver.execute_query(
        f"MATCH (m:{derived.STAMP_LABEL}) RETURN m.sitekeys AS keys"
    )
    return list(record["keys"])


@pytest.mark.neo4j
def test_a_first_load_writes_what_a_full_refresh_writes(
    new_neo4j_store: Callable[[], GraphStore], neo4j_driver: neo4j.Driver
) -> None:
    """A merge into an empty database computes the figures from its input while the rows
    are written, its makers created with their labels (first_load): the figures must
    be what a full refresh reads and computes from the database. A merge into a
    database holding data refreshes from the database."""
    store = new_neo4j_store()
    assert isinstance(store, Neo4jStore)
    base = evidence_store()
    load(store, [*base.nodes(), *_ODD_NODES], [*base.relationships(), *_ODD_RELATIONSHIPS])
    assert store.derive_outcome == "computed from the input"
    assert derived.is_fresh(store.connection)
    first = _derived_dump(neo4j_driver, _stamped_keys(neo4j_driver))
    assert ("co:both", True, True, "region:cn-other\x1fregion:jp") in first["firms"]
    assert ("co:idle", False, False, None) in first["firms"]
    assert len(first["rosters"]) > 20 and len(first["pages"]) > 5
    derived.refresh(store.connection)
    assert _derived_dump(neo4j_driver, _stamped_keys(neo4j_driver)) == first
    load(store, [Node("co:late", "Company", {"name": "迟", **S})], [])
    assert store.derive_outcome == "refreshed"
    assert derived.is_fresh(store.connection)


@pytest.mark.neo4j
def test_a_first_load_does_not_stamp_figures_another_writer_made_stale(
    new_neo4j_store: Callable[[], GraphStore], neo4j_driver: neo4j.Driver
) -> None:
    """Figures computed from the input are written only if the database holds exactly
    the input: a node written by someone else meanwhile sends the merge to the full
    refresh from the database, which counts it."""
    store = new_neo4j_store()
    assert isinstance(store, Neo4jStore)
    base = evidence_store()
    merge = BatchedMerge(store.connection, store.model, base.nodes(), base.relationships())
    store.ensure_schema()
    first = FirstLoad.start(store.connection, merge)
    assert first is not None and merge.firm_labels  # its makers are created labelled
    merge.write()
    neo4j_driver.execute_query(
        "MATCH (p:Entity {id: 'prod:sensor'}) "
        "CREATE (:Entity:Company {id: 'co:other', type: 'Company'})-[:MAKES]->(p)"
    )
    assert not first.finish(store.connection)
    assert first.outcome == "not used: the database holds other than the input (another writer)"
    assert not derived.is_fresh(store.connection)
    # a database that holds something: no first load
    assert FirstLoad.start(store.connection, merge) is None
    derived.refresh(store.connection)
    (record,), _, _ = neo4j_driver.execute_query(
        "MATCH (p:Product {id: 'prod:sensor'}) RETURN p.cg_makers AS n"
    )
    assert record["n"] == 1 + sum(
        1 for r in base.relationships() if r.type == "MAKES" and r.target == "prod:sensor"
    )
    # firms labelled as makers are data, however they are labelled
    neo4j_driver.execute_query("MATCH (n) WHERE NOT n:CgMaker DETACH DELETE n")
    (record,), _, _ = neo4j_driver.execute_query("MATCH (n) RETURN count(n) AS n")
    assert record["n"] > 0
    assert FirstLoad.start(store.connection, merge) is None


def test_a_first_loads_rows_say_what_was_created_so_wrong_labels_are_put_right() -> None:
    """The firm rows of a first load carry the labels its makers were created with; a
    firm labelled otherwise than the refresh computes gets a label write (by id)."""
    base = evidence_store()
    nodes, rels = list(base.nodes()), list(base.relationships())
    right = snapshot.maker_labels(nodes, rels, NATION, derived.SEP)
    assert right and all(isinstance(key, str) for _, key in right.values())

    def label_writes(labelled: dict[str, tuple[bool, str]]) -> list[tuple[str, Any]]:
        everything = derived.Everything(snapshot.Snapshot.of_input(nodes, rels, labelled))
        return [
            (text.split("SET")[1].split("\n")[0].strip(), row)
            for lane, text, rows in everything.jobs()
            if "CgMaker" in text and "MATCH (f:Entity {id: row[0]})" in text
            for row in rows
        ]

    assert label_writes(right) == []
    firm = sorted(right)[0]
    wrong = {**right, firm: (not right[firm][0], "stale")}
    assert label_writes(wrong) == [
        (
            "f:CgMaker:CgNationalMaker, f.cg_sites = row[1]"
            if right[firm][0]
            else "f:CgMaker, f.cg_sites = row[1]",
            [firm, right[firm][1]],
        )
    ]
