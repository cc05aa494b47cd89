"""The store contract (chaingraph.store.GraphStore), once, on every engine.

Each test here runs on the embedded networkx store and on Neo4j (the real server of
tests/conftest.py), through the ``engine`` / ``empty_store`` fixtures of
tests/engines.py, and states what the contract says with the expected values
written out: merging (idempotence, duplicates, property rules, keys, all-or-nothing,
refusals), the reads, and every aggregate read on a small hand-built graph.

Equality of the two engines on bigger graphs (seeded random graphs, the bundled
Dongguan data) and every analysis of ``chaingraph.analysis`` on both engines are in
tests/test_parity.py. Engine-specific behaviour (the store file, locking, atomic
save; connection, credentials, retries, batches, bulk import, interrupted loads)
stays in tests/test_store_networkx.py and tests/test_neo4j_store.py.

Both engines run the one validation (:func:`chaingraph.store.merging.check_batch`)
before writing, so what one refuses the other refuses too.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from engines import content, holding, load
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from random_graph import TRICKY_NAMES, random_graph

from chaingraph.errors import Ambiguous, DataError, NotFound
from chaingraph.model import Node, Relationship
from chaingraph.names import name_key
from chaingraph.store import GraphStore, MergeReport
from chaingraph.store.base import (
    BaseFacts,
    ChainCounts,
    CompanyFacts,
    EconomyCounts,
    LeaderInput,
    LeaderRule,
    Place,
    ProductSupply,
    SegmentCoverage,
)
from chaingraph.store.networkx import NetworkxStore

S = {"source": "tests.contract", "as_of": "2024", "synthetic": True}
UNVERIFIED = {**S, "source": "unverified"}


# -- the hand-built graph ----------------------------------------------------------------


def contract_graph() -> tuple[list[Node], list[Relationship]]:
    """A small graph reaching each rule the aggregates follow (synthetic, made up).

    Places: 本镇 in 本市 in 中国; 他市 in 中国; a park in both 本镇 and 他市 (two
    parents); 日本; the base 本地基地 in 本镇. Chain 整机链 (chain:c): 零部件 holds
    齿轮 itself and has the sub-segment 电机; 整机 holds 整机设备 and 线缆组件; 服务
    holds nothing. Chain 部件链 (chain:d): another segment named 电机 (holding
    伺服电机), and 套件, which holds nothing itself, above 线缆 (线缆组件 again).
    Firms: 甲 (龙头企业, in the base), 乙 (global rank 50, head office in 本市, a
    plant in Japan), 丙 (USCC, legal name, alias, in the park), 丁 (他市), 戊 (rank
    150, Japan), 己 (unverified, no site).
    """
    nodes = [
        Node("region:cn", "Region", {"name": "中国", "level": "country"}),
        Node("region:cn-home", "Region", {"name": "本市", "level": "city", "gba": True}),
        Node("region:home-town", "Region", {"name": "本镇", "level": "town"}),
        Node("region:cn-other", "Region", {"name": "他市", "level": "city"}),
        Node("region:park", "Region", {"name": "两地园区", "level": "park"}),
        Node("region:jp", "Region", {"name": "日本", "level": "country"}),
        Node("base:home", "Base", {"name": "本地基地", "area_mu": 1200}),
        Node("chain:c", "Chain", {"name": "整机链"}),
        Node("chain:d", "Chain", {"name": "部件链"}),
        Node("seg:c.parts", "Segment", {"name": "零部件", "stage": "上游"}),
        Node("seg:c.parts.motor", "Segment", {"name": "电机", "stage": "上游", "weight": 2}),
        Node("seg:c.body", "Segment", {"name": "整机", "stage": "中游"}),
        Node("seg:c.empty", "Segment", {"name": "服务", "stage": "下游"}),
        Node("seg:d.motor", "Segment", {"name": "电机", "stage": "上游"}),
        Node("seg:d.kit", "Segment", {"name": "套件", "stage": "中游"}),
        Node("seg:d.kit.cable", "Segment", {"name": "线缆", "stage": "中游"}),
        Node("prod:motor", "Product", {"name": "电机"}),
        Node("prod:servo", "Product", {"name": "伺服电机"}),
        Node("prod:gear", "Product", {"name": "齿轮"}),
        Node("prod:machine", "Product", {"name": "整机设备"}),
        Node("prod:cable", "Product", {"name": "线缆组件"}),
        Node("co:a", "Company", {"name": "甲", "tags": ["龙头企业"], **S}),
        Node(
            "co:b", "Company", {"name": "乙", "global_rank": {"list": "全球百强", "rank": 50}, **S}
        ),
        Node(
            "co:c",
            "Company",
            {
                "name": "丙",
                "legal_name": "东莞丙科技有限公司",
                "uscc": "91441900MA4UJKXW3B",
                "aliases": ["C"],
                **S,
            },
        ),
        Node("co:d", "Company", {"name": "丁", "tags": ["专精特新"], **S}),
        Node(
            "co:e", "Company", {"name": "戊", "global_rank": {"list": "全球百强", "rank": 150}, **S}
        ),
        Node("co:f", "Company", {"name": "己", **UNVERIFIED}),
    ]
    hq = {"role": "总部", **S}
    rels = [
        Relationship("IN", "region:cn-home", "region:cn"),
        Relationship("IN", "region:home-town", "region:cn-home"),
        Relationship("IN", "region:cn-other", "region:cn"),
        Relationship("IN", "region:park", "region:home-town"),
        Relationship("IN", "region:park", "region:cn-other"),
        Relationship("IN", "base:home", "region:home-town"),
        Relationship("PART_OF", "seg:c.parts", "chain:c"),
        Relationship("PART_OF", "seg:c.parts.motor", "seg:c.parts"),
        Relationship("PART_OF", "seg:c.body", "chain:c"),
        Relationship("PART_OF", "seg:c.empty", "chain:c"),
        Relationship("PART_OF", "seg:d.motor", "chain:d"),
        Relationship("PART_OF", "seg:d.kit", "chain:d"),
        Relationship("PART_OF", "seg:d.kit.cable", "seg:d.kit"),
        Relationship("IN_SEGMENT", "prod:motor", "seg:c.parts.motor"),
        Relationship("IN_SEGMENT", "prod:servo", "seg:d.motor"),
        Relationship("IN_SEGMENT", "prod:gear", "seg:c.parts"),
        Relationship("IN_SEGMENT", "prod:machine", "seg:c.body"),
        Relationship("IN_SEGMENT", "prod:cable", "seg:d.kit.cable"),
        Relationship("IN_SEGMENT", "prod:cable", "seg:c.body"),
        Relationship("INPUT_TO", "prod:motor", "prod:machine"),
        Relationship("INPUT_TO", "prod:gear", "prod:machine"),
        Relationship("INPUT_TO", "prod:cable", "prod:machine"),
        Relationship("INPUT_TO", "prod:servo", "prod:motor"),
        Relationship("FOCUSES_ON", "base:home", "chain:c", props={"priority": 2}),
        Relationship("FOCUSES_ON", "base:home", "seg:d.motor", props={"priority": 1}),
        Relationship("FOCUSES_ON", "base:home", "prod:cable"),
        Relationship("LOCATED_IN", "co:a", "base:home", "总部", hq),
        Relationship("LOCATED_IN", "co:b", "region:cn-home", "总部", hq),
        Relationship("LOCATED_IN", "co:b", "region:jp", "生产", {"role": "生产", **S}),
        Relationship("LOCATED_IN", "co:c", "region:park", "总部", hq),
        Relationship("LOCATED_IN", "co:d", "region:cn-other", "总部", hq),
        Relationship("LOCATED_IN", "co:e", "region:jp", "总部", hq),
        Relationship("MAKES", "co:a", "prod:machine", props={**S, "evidence": "strong"}),
        Relationship("MAKES", "co:a", "prod:motor", props=UNVERIFIED),
        Relationship("MAKES", "co:b", "prod:motor", props={**S, "evidence": "weak"}),
        Relationship("MAKES", "co:c", "prod:servo", props=S),
        Relationship("MAKES", "co:d", "prod:gear", props=S),
        Relationship("MAKES", "co:e", "prod:gear", props=S),
        Relationship("MAKES", "co:e", "prod:cable", props=S),
        Relationship("MAKES", "co:f", "prod:cable", props=UNVERIFIED),
        Relationship("SUPPLIES", "co:c", "co:a", "prod:servo", {"product": "prod:servo", **S}),
        Relationship("SUPPLIES", "co:d", "co:a", "prod:gear", {"product": "prod:gear", **S}),
    ]
    return nodes, rels


@pytest.fixture
def graph(request: pytest.FixtureRequest, engine: str) -> GraphStore:
    """The hand-built graph on ``engine`` (read only)."""
    return holding(request, engine, "contract", contract_graph)


# Places as the hq of CompanyFacts lists them.
BASE = Place("base:home", None, False, "本地基地")
TOWN = Place("region:home-town", "town", False, "本镇")
CITY = Place("region:cn-home", "city", True, "本市")
OTHER = Place("region:cn-other", "city", False, "他市")
PARK = Place("region:park", "park", False, "两地园区")
CN = Place("region:cn", "country", False, "中国")
JP = Place("region:jp", "country", False, "日本")


def demo_graph() -> tuple[list[Node], list[Relationship]]:
    """Five nodes, four relationships, for the merge tests."""
    nodes = [
        Node("chain:demo", "Chain", {"name": "示例产业链", **S}),
        Node("seg:demo.up", "Segment", {"name": "示例上游", "stage": "上游", **S}),
        Node("prod:demo-sensor", "Product", {"name": "示例传感器", **S}),
        Node("co:demo-a", "Company", {"name": "示例甲", "uscc": "91441900DEMX00001A", **S}),
        Node("co:demo-b", "Company", {"name": "示例乙", "legal_name": "示例乙科技有限公司", **S}),
    ]
    rels = [
        Relationship("PART_OF", "seg:demo.up", "chain:demo"),
        Relationship("IN_SEGMENT", "prod:demo-sensor", "seg:demo.up"),
        Relationship("MAKES", "co:demo-a", "prod:demo-sensor", props=dict(S)),
        Relationship(
            "SUPPLIES",
            "co:demo-a",
            "co:demo-b",
            "prod:demo-sensor",
            {"product": "prod:demo-sensor"},
        ),
    ]
    return nodes, rels


# -- merging -----------------------------------------------------------------------------


def test_merge_twice_changes_nothing_the_second_time(empty_store: GraphStore) -> None:
    nodes, rels = demo_graph()
    assert load(empty_store, nodes, rels) == MergeReport(5, 0, 4, 0, 0)
    before = content(empty_store)
    again = load(empty_store, nodes, rels)
    assert again == MergeReport(unchanged=9)
    assert not again.changed
    assert content(empty_store) == before
    assert (empty_store.count_nodes(), empty_store.count_relationships()) == (5, 4)


def test_duplicates_within_one_merge_are_combined(empty_store: GraphStore) -> None:
    # The same fact stated twice with different provenance: combined in order (the
    # later non-null value wins), so reloading the same batch settles at once.
    nodes, rels = demo_graph()
    twice = [
        Relationship("MAKES", "co:demo-a", "prod:demo-sensor", props={"source": "文件一"}),
        Relationship("MAKES", "co:demo-a", "prod:demo-sensor", props={"source": "文件二"}),
    ]
    nodes_twice = [
        *nodes,
        Node("co:demo-a", "Company", {"aliases": ["甲"]}),
        Node("co:demo-a", "Company", {"aliases": ["A", "甲"], "founded": 2001}),
    ]
    assert load(empty_store, nodes_twice, rels + twice) == MergeReport(5, 0, 4, 0, 0)
    assert load(empty_store, nodes_twice, rels + twice) == MergeReport(unchanged=9)
    (makes,) = empty_store.relationships("MAKES")
    assert makes.props == {**S, "source": "文件二"}
    firm = empty_store.get("co:demo-a")
    assert firm is not None
    assert firm.props == {
        "name": "示例甲",
        "uscc": "91441900DEMX00001A",
        **S,
        "aliases": ["甲", "A"],
        "founded": 2001,
    }


def test_scalars_overwritten_by_non_null_and_sets_accumulate(empty_store: GraphStore) -> None:
    first = Node(
        "co:x", "Company", {"name": "示例", "tags": ["上市"], "aliases": ["X"], "founded": 2001}
    )
    assert load(empty_store, [first], []) == MergeReport(nodes_created=1)
    second = Node(
        "co:x",
        "Company",
        {"tags": ["龙头企业", "上市"], "aliases": ["X2"], "founded": 2002, "website": None},
    )
    assert load(empty_store, [second], []) == MergeReport(nodes_updated=1)
    node = empty_store.get("co:x")
    assert node is not None
    assert node.props == {
        "name": "示例",
        "tags": ["上市", "龙头企业"],
        "aliases": ["X", "X2"],
        "founded": 2002,
    }
    # A null never removes a stored value, and an ordered set already holding
    # everything incoming is unchanged.
    third = Node("co:x", "Company", {"name": None, "tags": ["上市"], "founded": 2002})
    assert load(empty_store, [third], []) == MergeReport(unchanged=1)
    # Relationship properties follow the same rules.
    load(empty_store, [Node("region:r", "Region", {"name": "区"})], [])
    rel = Relationship("LOCATED_IN", "co:x", "region:r", "总部", {"role": "总部", "note": "旧"})
    assert load(empty_store, [], [rel]) == MergeReport(relationships_created=1)
    changed = Relationship("LOCATED_IN", "co:x", "region:r", "总部", {"note": "新", "role": None})
    assert load(empty_store, [], [changed]) == MergeReport(relationships_updated=1)
    (stored,) = empty_store.relationships("LOCATED_IN")
    assert stored.props == {"role": "总部", "note": "新"}


def test_name_lookups_follow_updates(empty_store: GraphStore) -> None:
    load(empty_store, [Node("prod:x", "Product", {"name": "旧名"})], [])
    load(empty_store, [Node("prod:x", "Product", {"name": "新名"})], [])
    assert empty_store.ids_by_name("新名") == ["prod:x"]
    assert empty_store.ids_by_name("旧名") == []
    assert empty_store.require("新名").id == "prod:x"


def test_parallel_relationships_are_told_apart_by_key(empty_store: GraphStore) -> None:
    load(
        empty_store,
        [Node("co:x", "Company", {"name": "甲"}), Node("base:y", "Base", {"name": "基地"})],
        [
            Relationship("LOCATED_IN", "co:x", "base:y", "生产", {"role": "生产"}),
            Relationship("LOCATED_IN", "co:x", "base:y", "总部", {"role": "总部"}),
        ],
    )
    assert empty_store.count_relationships("LOCATED_IN") == 2
    assert sorted((r.key, r.props["role"]) for r in empty_store.relationships(source="co:x")) == [
        ("总部", "总部"),
        ("生产", "生产"),
    ]
    # The same key again is the same relationship.
    again = Relationship("LOCATED_IN", "co:x", "base:y", "总部", {"role": "总部"})
    assert load(empty_store, [], [again]) == MergeReport(unchanged=1)
    # An empty key is a key like any other.
    plain = Relationship("LOCATED_IN", "co:x", "base:y")
    assert load(empty_store, [], [plain]) == MergeReport(relationships_created=1)
    assert sorted(r.key for r in empty_store.relationships("LOCATED_IN")) == ["", "总部", "生产"]


def test_a_bad_batch_writes_nothing_and_names_every_problem(empty_store: GraphStore) -> None:
    nodes, rels = demo_graph()
    load(empty_store, nodes, rels)
    before = content(empty_store)
    bad_nodes = [
        Node("prod:new", "Product", {"name": "新产品"}),
        Node("co:demo-a", "Company", {"name": "改名"}),  # valid, but in a bad batch
        Node("chain:demo", "Segment", {"name": "示例"}),
    ]
    bad_rels = [
        Relationship("MAKES", "co:demo-b", "prod:new"),
        Relationship("MAKES", "co:demo-b", "prod:missing"),
    ]
    with pytest.raises(DataError) as caught:
        load(empty_store, bad_nodes, bad_rels)
    text = str(caught.value)
    assert "problem(s) in input data; nothing was written:" in text.splitlines()[0]
    assert "'prod:missing'" in text and "does not exist" in text
    assert "'chain:demo'" in text and "already a Chain" in text
    assert content(empty_store) == before
    assert empty_store.get("prod:new") is None


def test_one_id_with_two_types_is_refused(empty_store: GraphStore) -> None:
    with pytest.raises(DataError, match="both as a Chain and as a Segment") as caught:
        load(
            empty_store,
            [Node("chain:x", "Chain", {"name": "甲"}), Node("chain:x", "Segment", {"name": "乙"})],
            [],
        )
    assert "'chain:x'" in str(caught.value)
    assert empty_store.count_nodes() == 0
    # ... and an id stored as one type cannot come again as another.
    load(empty_store, [Node("co:a", "Company", {"name": "甲"})], [])
    with pytest.raises(DataError, match="already a Company"):
        load(empty_store, [Node("co:a", "Product", {"name": "甲"})], [])
    assert [n.type for n in empty_store.nodes()] == ["Company"]


def test_dangling_relationship_ends_are_refused(empty_store: GraphStore) -> None:
    good = Node("co:a", "Company", {"name": "甲"})
    for rel in (
        Relationship("MAKES", "co:a", "prod:missing"),
        Relationship("SUPPLIES", "co:missing", "co:a", "prod:x"),
    ):
        with pytest.raises(DataError, match="refers to a node that does not exist") as caught:
            load(empty_store, [good], [rel])
        missing = rel.target if rel.target != "co:a" else rel.source
        assert repr(missing) in str(caught.value)
        assert empty_store.count_nodes() == 0
    # An end stored earlier is enough.
    load(empty_store, [good], [])
    load(empty_store, [Node("prod:p", "Product", {"name": "产品"})], [])
    assert load(empty_store, [], [Relationship("MAKES", "co:a", "prod:p")]) == MergeReport(
        relationships_created=1
    )


@pytest.mark.parametrize(
    ("node", "rel"),
    [
        (Node("x:y", "Evil`) DETACH DELETE n //", {"name": "x"}), None),
        (None, Relationship("KNOWS]->() DETACH DELETE n //", "co:a", "co:a")),
    ],
    ids=["node type", "relationship type"],
)
def test_types_outside_the_model_are_refused(
    empty_store: GraphStore, node: Node | None, rel: Relationship | None
) -> None:
    good = Node("co:a", "Company", {"name": "甲"})
    nodes = [good] + ([node] if node else [])
    rels = [rel] if rel else []
    with pytest.raises(DataError, match="unknown") as caught:
        load(empty_store, nodes, rels)
    bad_type = node.type if node else rel.type  # type: ignore[union-attr]
    assert bad_type[:30] in str(caught.value)
    assert empty_store.count_nodes() == 0


@pytest.mark.parametrize(
    "node",
    [
        Node("co:Upper Case", "Company", {"name": "甲"}),
        Node("co:", "Company", {"name": "甲"}),
        Node("co:x`) DETACH DELETE n //", "Company", {"name": "甲"}),
        Node("co:" + "x" * 300, "Company", {"name": "甲"}),
    ],
    ids=["upper case and space", "empty slug", "cypher", "too long"],
)
def test_malformed_ids_are_refused(
    request: pytest.FixtureRequest, engine: str, empty_store: GraphStore, node: Node
) -> None:
    with pytest.raises(DataError, match="malformed id") as caught:
        load(empty_store, [Node("co:ok", "Company", {"name": "好"}), node], [])
    assert repr(node.id)[:40] in str(caught.value)
    assert empty_store.count_nodes() == 0


def test_an_id_must_carry_its_types_prefix(
    request: pytest.FixtureRequest, engine: str, empty_store: GraphStore
) -> None:
    with pytest.raises(DataError, match="not a Product's") as caught:
        load(empty_store, [Node("co:x", "Product", {"name": "甲"})], [])
    assert "'co:x'" in str(caught.value)
    assert empty_store.count_nodes() == 0


def test_a_relationship_key_must_be_text(
    request: pytest.FixtureRequest, engine: str, empty_store: GraphStore
) -> None:
    nodes = [Node("co:x", "Company", {"name": "甲"}), Node("region:r", "Region", {"name": "区"})]
    with pytest.raises(DataError, match="key that is not text"):
        load(empty_store, nodes, [Relationship("LOCATED_IN", "co:x", "region:r", 5)])  # type: ignore[arg-type]
    assert empty_store.count_nodes() == 0


class _Float(float):
    """A float subclass, as numpy.float64 from a DataFrame: no JSON value to the file."""


def test_values_neither_store_can_hold_are_refused_before_anything_is_written(
    empty_store: GraphStore,
) -> None:
    # An integer past 64 bits crashed the Neo4j encoder and the store file's writer
    # mid-way; NaN came back from the file as no value. Both engines refuse them alike.
    load(empty_store, [Node("prod:y", "Product", {"name": "乙"})], [])
    before = content(empty_store)
    nodes = [
        Node("prod:x", "Product", {"name": "甲", "capital": 10**20}),
        Node("prod:z", "Product", {"name": "丙", "shares": [1, -(2**70)], "nan": math.nan}),
        Node("prod:w", "Product", {"name": "丁", "tags": {"集合"}, "fine": 2**64 - 1}),
        Node("prod:v", "Product", {"name": "戊", "price": _Float(1.5)}),
    ]
    rels = [Relationship("INPUT_TO", "prod:x", "prod:y", props={"deep": {"n": math.inf}})]
    with pytest.raises(DataError) as caught:
        load(empty_store, nodes, rels)
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("6 problem(s) in input data; nothing was written")
    fields = ("prod:x.capital=", "prod:z.shares=", "prod:z.nan=", "prod:w.tags=", "prod:v.price=")
    for field in fields:
        assert any(field in line and "an integer beyond 64 bits" in line for line in lines)
    assert any("INPUT_TO prod:x->prod:y.deep=" in line for line in lines)
    assert not any("prod:w.fine" in line for line in lines)
    assert content(empty_store) == before


def test_any_plain_property_value_comes_back_as_stored(empty_store: GraphStore) -> None:
    props = {
        "name": "各种值",
        "int": 2**62,
        "negative": -7,
        "float": 0.1,
        "bool": True,
        "one": 1,
        "one_float": 1.0,
        "text": "名称\n第二行\t'\"`$",
        "empty_text": "",
        "list": ["a", "b"],
        "empty_list": [],
        "mixed": [1, "a"],
        "nested": {"list": "全球百强", "rank": 5},
        "aliases": ["别名"],
    }
    load(
        empty_store,
        [Node("prod:x", "Product", props), Node("prod:y", "Product", {"name": "乙"})],
        [Relationship("INPUT_TO", "prod:x", "prod:y", "键", props)],
    )
    node = empty_store.get("prod:x")
    assert node is not None and repr(node.props) == repr(props)
    (rel,) = empty_store.relationships("INPUT_TO")
    assert repr(rel.props) == repr(props)
    assert load(empty_store, [Node("prod:x", "Product", props)], []) == MergeReport(unchanged=1)


def test_hostile_text_is_stored_as_plain_data(empty_store: GraphStore) -> None:
    """Names, aliases, keys and even property names that look like Cypher stay data."""
    nodes = [Node("region:r", "Region", {"name": "区", "level": "city"})]
    rels = []
    for i, name in enumerate(TRICKY_NAMES):
        props = {"name": name, "aliases": [name + "`", "}) RETURN 1 //"], "note`) //": name}
        nodes.append(Node(f"co:t{i}", "Company", props))
        rels.append(Relationship("LOCATED_IN", f"co:t{i}", "region:r", name, {"note": name}))
    assert load(empty_store, nodes, rels) == MergeReport(len(nodes), 0, len(rels), 0, 0)
    assert empty_store.count_nodes() == len(nodes)
    assert empty_store.count_relationships() == len(rels)
    for i, name in enumerate(TRICKY_NAMES):
        node = empty_store.get(f"co:t{i}")
        assert node is not None and node.name == name and node.props["note`) //"] == name
        assert empty_store.ids_by_name(name) == [f"co:t{i}"]
        assert empty_store.ids_by_name(name + "`") == [f"co:t{i}"]
        (rel,) = empty_store.relationships("LOCATED_IN", source=f"co:t{i}")
        assert rel.key == name and rel.props == {"note": name}
    assert len(empty_store.ids_by_name("}) RETURN 1 //")) == len(TRICKY_NAMES)
    assert empty_store.require("'}) DETACH DELETE n //").id == "co:t0"
    assert load(empty_store, nodes, rels) == MergeReport(unchanged=len(nodes) + len(rels))


# -- merge properties (Hypothesis) ----------------------------------------------------------


def canonical_graph(seed: int, companies: int) -> tuple[list[Node], list[Relationship]]:
    """A seeded random graph with one record per node id and relationship identity
    (the generator may state a fact twice; merging combines those in order, so only
    distinct records can be merged in any order)."""
    from chaingraph.store import NetworkxStore

    reference = NetworkxStore()
    load(reference, *random_graph(seed, companies=companies))
    return list(reference.nodes()), list(reference.relationships())


@st.composite
def split_graph(draw: st.DrawFn) -> list[tuple[list[Node], list[Relationship]]]:
    """A seeded random graph, its records shuffled and cut into batches; a batch holds
    nodes first, and a relationship comes in the batch of its later end or after."""
    nodes, rels = canonical_graph(draw(st.integers(0, 10_000)), draw(st.integers(3, 10)))
    shuffle = draw(st.randoms(use_true_random=False))
    shuffle.shuffle(nodes)
    shuffle.shuffle(rels)
    cuts = sorted(draw(st.lists(st.integers(0, len(nodes)), max_size=3)))
    batches: list[tuple[list[Node], list[Relationship]]] = []
    start = 0
    seen: set[str] = set()
    pending = rels
    for cut in [*cuts, len(nodes)]:
        part = nodes[start:cut]
        start = max(start, cut)
        seen.update(n.id for n in part)
        ready = [r for r in pending if r.source in seen and r.target in seen]
        pending = [r for r in pending if not (r.source in seen and r.target in seen)]
        batches.append((part, ready))
    return batches


@pytest.fixture
def hypothesis_settings(engine: str) -> Callable[[Any], Any]:
    """Many examples on the embedded store, a few on the server (each one a load).

    Derandomized: the same examples on every run and machine, so a failure in CI is
    reproduced by running the test again (as in test_hostile_loaders)."""
    return settings(
        derandomize=True,
        max_examples=40 if engine == "networkx" else 4,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )


def test_merge_order_and_batches_do_not_change_the_result(
    new_store: Callable[[], GraphStore], hypothesis_settings: Any
) -> None:
    """Distinct records merged in any order, cut into any batches, store the same graph
    as one merge, and each record counts once as created."""

    @hypothesis_settings
    @given(split_graph())
    def check(batches: list[tuple[list[Node], list[Relationship]]]) -> None:
        nodes = [n for b in batches for n in b[0]]
        rels = [r for b in batches for r in b[1]]
        store = new_store()
        total = MergeReport()
        for batch_nodes, batch_rels in batches:
            total += load(store, batch_nodes, batch_rels)
        assert total == MergeReport(len(nodes), 0, len(rels), 0, 0)
        got = content(store)
        assert got == content(_networkx_holding(sorted(nodes, key=lambda n: n.id), rels))
        # Merging everything again, in one batch, changes nothing.
        assert load(store, nodes, rels) == MergeReport(unchanged=len(nodes) + len(rels))

    check()


def _networkx_holding(nodes: list[Node], rels: list[Relationship]) -> GraphStore:
    from chaingraph.store import NetworkxStore

    reference = NetworkxStore()
    load(reference, nodes, rels)
    return reference


def test_merging_a_stored_part_again_is_unchanged(
    new_store: Callable[[], GraphStore], hypothesis_settings: Any
) -> None:
    """Any part of a stored graph, merged again in any order, changes nothing."""

    @hypothesis_settings
    @given(st.integers(0, 10_000), st.randoms(use_true_random=False), st.floats(0, 1))
    def check(seed: int, rng: random.Random, share: float) -> None:
        nodes, rels = canonical_graph(seed, 8)
        store = new_store()
        load(store, nodes, rels)
        before = content(store)
        part_nodes = [n for n in nodes if rng.random() < share]
        part_rels = [r for r in rels if rng.random() < share]
        rng.shuffle(part_nodes)
        rng.shuffle(part_rels)
        assert load(store, part_nodes, part_rels) == MergeReport(
            unchanged=len(part_nodes) + len(part_rels)
        )
        assert content(store) == before

    check()


# -- reads -------------------------------------------------------------------------------

COUNTS = {"Region": 6, "Base": 1, "Chain": 2, "Segment": 7, "Product": 5, "Company": 6}
REL_COUNTS = {
    "IN": 6,
    "PART_OF": 7,
    "IN_SEGMENT": 6,
    "INPUT_TO": 4,
    "FOCUSES_ON": 3,
    "LOCATED_IN": 6,
    "MAKES": 8,
    "SUPPLIES": 2,
}


def test_counts(graph: GraphStore) -> None:
    assert graph.count_nodes() == 27
    assert graph.count_relationships() == 42
    for node_type in graph.model.node_types:
        assert graph.count_nodes(node_type) == COUNTS.get(node_type, 0), node_type
    for rel_type in graph.model.relationship_types:
        assert graph.count_relationships(rel_type) == REL_COUNTS.get(rel_type, 0), rel_type
    assert graph.count_nodes("Nope") == 0
    assert graph.count_relationships("NOPE") == 0


def test_get_and_get_many(graph: GraphStore) -> None:
    node = graph.get("co:c")
    assert node == Node(
        "co:c",
        "Company",
        {
            "name": "丙",
            "legal_name": "东莞丙科技有限公司",
            "uscc": "91441900MA4UJKXW3B",
            "aliases": ["C"],
            **S,
        },
    )
    assert graph.get("co:missing") is None
    assert graph.get("丙") is None  # by id only
    found = graph.get_many(["prod:gear", "co:missing", "chain:c", "prod:gear"])
    assert list(found) == ["prod:gear", "chain:c"]  # in the order asked, missing left out
    assert found["chain:c"] == Node("chain:c", "Chain", {"name": "整机链"})
    assert graph.get_many([]) == {}


def test_nodes_by_type(graph: GraphStore) -> None:
    companies = list(graph.nodes("Company"))
    assert sorted(n.id for n in companies) == ["co:a", "co:b", "co:c", "co:d", "co:e", "co:f"]
    assert all(n.type == "Company" for n in companies)
    assert companies == list(graph.nodes("Company"))  # a stable order
    assert sorted(n.id for n in graph.nodes("Segment")) == [
        "seg:c.body",
        "seg:c.empty",
        "seg:c.parts",
        "seg:c.parts.motor",
        "seg:d.kit",
        "seg:d.kit.cable",
        "seg:d.motor",
    ]
    everything = list(graph.nodes())
    assert len(everything) == 27 and everything == list(graph.nodes())
    assert {n.id: n for n in everything}["prod:servo"] == Node(
        "prod:servo", "Product", {"name": "伺服电机"}
    )
    assert list(graph.nodes("Nope")) == []


def _ids(rels: Any) -> list[tuple[str, str, str, str]]:
    return sorted(r.identity for r in rels)


def test_relationships_by_type_source_and_target(graph: GraphStore) -> None:
    assert _ids(graph.relationships(source="co:b")) == [
        ("LOCATED_IN", "co:b", "region:cn-home", "总部"),
        ("LOCATED_IN", "co:b", "region:jp", "生产"),
        ("MAKES", "co:b", "prod:motor", ""),
    ]
    assert (
        _ids(graph.relationships("LOCATED_IN", source="co:b"))
        == _ids(graph.relationships(source="co:b"))[:2]
    )
    assert _ids(graph.relationships(target="prod:machine")) == [
        ("INPUT_TO", "prod:cable", "prod:machine", ""),
        ("INPUT_TO", "prod:gear", "prod:machine", ""),
        ("INPUT_TO", "prod:motor", "prod:machine", ""),
        ("MAKES", "co:a", "prod:machine", ""),
    ]
    assert _ids(graph.relationships("MAKES", target="prod:machine")) == [
        ("MAKES", "co:a", "prod:machine", "")
    ]
    assert _ids(graph.relationships("SUPPLIES", source="co:c", target="co:a")) == [
        ("SUPPLIES", "co:c", "co:a", "prod:servo")
    ]
    assert _ids(graph.relationships("SUPPLIES", source="co:a", target="co:c")) == []
    (supplies,) = graph.relationships("SUPPLIES", source="co:d")
    assert supplies == Relationship(
        "SUPPLIES", "co:d", "co:a", "prod:gear", {"product": "prod:gear", **S}
    )
    assert len(list(graph.relationships())) == 42
    assert len(list(graph.relationships("IN"))) == 6
    made = list(graph.relationships("MAKES"))
    assert made == list(graph.relationships("MAKES"))  # a stable order
    for empty in (
        graph.relationships(source="co:nobody"),
        graph.relationships(target="co:nobody"),
        graph.relationships("NOPE"),
        graph.relationships("MAKES", source="co:f", target="prod:gear"),
    ):
        assert list(empty) == []


def test_neighbors(graph: GraphStore) -> None:
    assert sorted(graph.neighbors("prod:machine", "INPUT_TO", "in")) == [
        "prod:cable",
        "prod:gear",
        "prod:motor",
    ]
    assert graph.neighbors("prod:machine", "INPUT_TO") == []
    assert sorted(graph.neighbors("co:a")) == ["base:home", "prod:machine", "prod:motor"]
    assert sorted(graph.neighbors("co:a", direction="in")) == ["co:c", "co:d"]
    assert sorted(graph.neighbors("region:park", "IN")) == ["region:cn-other", "region:home-town"]
    assert graph.neighbors("co:nobody") == []


def test_ids_by_name_and_names(graph: GraphStore) -> None:
    assert sorted(graph.ids_by_name("电机")) == ["prod:motor", "seg:c.parts.motor", "seg:d.motor"]
    assert sorted(graph.ids_by_name("电机", "Segment")) == ["seg:c.parts.motor", "seg:d.motor"]
    assert graph.ids_by_name("电机", "Company") == []
    # aliases and legal names, after normalisation (case, full-width forms, spaces)
    for text in ("C", "c", "ｃ", " C ", "东莞丙科技有限公司"):
        assert graph.ids_by_name(text) == ["co:c"], text
    assert graph.ids_by_name("丙科技") == []  # exact only
    assert sorted(graph.names("Company")) == [
        ("co:a", "Company", "甲"),
        ("co:b", "Company", "乙"),
        ("co:c", "Company", "C"),
        ("co:c", "Company", "丙"),  # U+4E19
        ("co:c", "Company", "东莞丙科技有限公司"),  # U+4E1C
        ("co:d", "Company", "丁"),
        ("co:e", "Company", "戊"),
        ("co:f", "Company", "己"),
    ]
    every = list(graph.names())
    assert len(every) == 29 and ("region:park", "Region", "两地园区") in every


def test_company_by_uscc_and_name_key(graph: GraphStore) -> None:
    assert graph.company_by_uscc("91441900MA4UJKXW3B") == "co:c"
    assert graph.company_by_uscc("91441900MA4UJKXW3X") is None
    assert graph.company_by_name_key(name_key("东莞丙科技股份有限公司")) == "co:c"
    assert graph.company_by_name_key(name_key("丙")) == "co:c"
    assert graph.company_by_name_key(name_key("戊")) == "co:e"
    assert graph.company_by_name_key("nothing") is None


def test_a_name_key_several_companies_share_names_none(empty_store: GraphStore) -> None:
    load(
        empty_store,
        [
            Node("co:x1", "Company", {"name": "同名", "uscc": "91441900MA4UJKXW3B"}),
            Node("co:x2", "Company", {"name": "另名", "legal_name": "同名有限公司"}),
        ],
        [],
    )
    assert empty_store.company_by_name_key(name_key("同名")) is None
    assert empty_store.company_by_name_key(name_key("另名")) == "co:x2"


def test_require_finds_by_id_name_or_alias_and_suggests(graph: GraphStore) -> None:
    assert graph.require("co:a").id == "co:a"
    assert graph.require("丙").id == "co:c"
    assert graph.require("c").id == "co:c"
    assert graph.require("电机", "Product").id == "prod:motor"
    assert graph.require("伺服", "Product").id == "prod:servo"  # a unique part of a name
    assert graph.require("co:a", "Company").id == "co:a"
    with pytest.raises(Ambiguous) as ambiguous:
        graph.require("电机")
    assert sorted(ambiguous.value.ids) == ["prod:motor", "seg:c.parts.motor", "seg:d.motor"]
    with pytest.raises(Ambiguous) as two:
        graph.require("电机", "Segment")
    assert sorted(two.value.ids) == ["seg:c.parts.motor", "seg:d.motor"]
    with pytest.raises(NotFound) as missing:
        graph.require("整机设被", "Product")
    assert not isinstance(missing.value, Ambiguous)
    assert str(missing.value) == (
        "no product (产品) named '整机设被'; did you mean: 整机设备 (prod:machine)?"
    )
    with pytest.raises(NotFound) as near:
        graph.require("电机厂")
    assert near.value.suggestions == (
        "电机 (prod:motor)",
        "电机 (seg:c.parts.motor)",
        "电机 (seg:d.motor)",
        "伺服电机 (prod:servo)",
    )
    with pytest.raises(NotFound, match=r"no company \(企业\) named 'chain:c'"):
        graph.require("chain:c", "Company")


# -- aggregates: every one, with the values written out ---------------------------------


def test_company_sites(graph: GraphStore) -> None:
    assert graph.company_sites("co:a") == {
        "base:home",
        "region:home-town",
        "region:cn-home",
        "region:cn",
    }
    assert graph.company_sites("co:b") == {"region:cn-home", "region:cn", "region:jp"}
    # A park in two regions: both, and every region around each.
    assert graph.company_sites("co:c") == {
        "region:park",
        "region:cn-other",
        "region:home-town",
        "region:cn-home",
        "region:cn",
    }
    assert graph.company_sites("co:f") == frozenset()
    assert graph.company_sites("co:nobody") == frozenset()


def test_evaluated_segments(graph: GraphStore) -> None:
    # 零部件 has a sub-segment but holds 齿轮 itself: judged too; 服务 holds nothing but
    # is a leaf: judged; 套件 has a sub-segment and no product: not judged.
    assert graph.evaluated_segments("chain:c") == [
        "seg:c.body",
        "seg:c.empty",
        "seg:c.parts",
        "seg:c.parts.motor",
    ]
    assert graph.evaluated_segments("chain:d") == ["seg:d.kit.cable", "seg:d.motor"]
    assert graph.evaluated_segments("seg:c.parts") == ["seg:c.parts", "seg:c.parts.motor"]
    assert graph.evaluated_segments("seg:d.kit") == ["seg:d.kit.cable"]
    assert graph.evaluated_segments("seg:c.empty") == ["seg:c.empty"]
    assert graph.evaluated_segments("prod:machine") == []
    assert graph.evaluated_segments("chain:none") == []


def test_focus_priorities(graph: GraphStore) -> None:
    # chain:c at 2, seg:d.motor at 1, and 线缆组件 with no priority (3) through both
    # its segments; 整机 keeps the better of 2 and 3.
    assert graph.focus_priorities("base:home") == {
        "seg:c.body": 2,
        "seg:c.empty": 2,
        "seg:c.parts": 2,
        "seg:c.parts.motor": 2,
        "seg:d.kit.cable": 3,
        "seg:d.motor": 1,
    }
    assert graph.focus_priorities("base:none") == {}
    assert graph.focus_priorities("co:a") == {}


def test_company_facts(graph: GraphStore) -> None:
    facts = graph.company_facts(["co:f", "co:a", "prod:gear", "co:none", "co:a", "co:b", "co:c"])
    assert sorted(facts) == ["co:a", "co:b", "co:c", "co:f"]
    node = graph.get_many(["co:a", "co:b", "co:c", "co:f"])
    assert facts["co:a"] == CompanyFacts(
        node["co:a"],
        frozenset({"base:home", "region:home-town", "region:cn-home", "region:cn"}),
        (BASE, TOWN, CITY, CN),
        4,  # the record, LOCATED_IN, two MAKES
        1,  # its MAKES 电机 is unverified
        ("prod:machine", "prod:motor"),
        (),
    )
    assert facts["co:b"] == CompanyFacts(
        node["co:b"],
        frozenset({"region:cn-home", "region:cn", "region:jp"}),
        (CITY, CN),  # the head office, not the plant
        4,
        0,
        ("prod:motor",),
        (),
    )
    assert facts["co:c"] == CompanyFacts(
        node["co:c"],
        frozenset(
            {"region:park", "region:cn-other", "region:home-town", "region:cn-home", "region:cn"}
        ),
        (PARK, OTHER, TOWN, CN, CITY),  # nearest first, ties by id
        4,
        0,
        ("prod:servo",),
        ("co:a",),
    )
    assert facts["co:f"] == CompanyFacts(node["co:f"], frozenset(), (), 2, 2, ("prod:cable",), ())
    assert graph.company_facts([]) == {}


def test_ring_makers(graph: GraphStore) -> None:
    # Per segment and ring: the local firms of segment_coverage over the ring's places,
    # united, counted (a firm with sites in two places of a ring once); 0 for a non-segment.
    segments = ["seg:c.parts.motor", "seg:c.body", "seg:c.empty", "prod:motor", "seg:none"]
    rings = [
        ["region:home-town"],
        ["region:cn-home"],
        ["region:cn-home", "region:cn-other", "region:park"],
        ["region:cn", "region:jp"],
        [],
    ]
    found = graph.ring_makers(segments, rings)
    assert sorted(found) == sorted(segments)
    for seg in segments:
        expected = []
        for ring in rings:
            firms: set[str] = set()
            for place in ring:
                cov = graph.segment_coverage([seg], place).get(seg)
                firms.update(cov.local if cov else ())
            expected.append(len(firms))
        assert found[seg] == tuple(expected), seg
    assert found["prod:motor"] == (0, 0, 0, 0, 0)
    assert found["seg:c.parts.motor"][2] > 0


def test_record_basics(graph: GraphStore) -> None:
    # Per id asked, in order: the index of its record basics (tags, global rank, revenue,
    # listing board) among the distinct kinds; -1 for an id that is no node.
    ids = ["co:b", "co:a", "co:none", "co:d", "co:e", "co:f", "co:a"]
    found = graph.record_basics(ids)
    assert len(found.kind_of) == len(ids)
    assert [None if k < 0 else found.kinds[k] for k in found.kind_of] == [
        ((), 50, None, None),
        (("龙头企业",), None, None, None),
        None,
        (("专精特新",), None, None, None),
        ((), 150, None, None),
        ((), None, None, None),
        (("龙头企业",), None, None, None),
    ]
    assert graph.record_basics([]).kind_of is not None


def test_segment_coverage(graph: GraphStore) -> None:
    coverage = graph.segment_coverage(
        [
            "seg:c.parts.motor",
            "seg:c.body",
            "seg:c.empty",
            "seg:d.kit.cable",
            "prod:motor",
            "seg:none",
        ],
        "region:cn-home",
        LeaderRule(("龙头企业",), 100),
    )
    assert sorted(coverage) == ["seg:c.body", "seg:c.empty", "seg:c.parts.motor", "seg:d.kit.cable"]
    # 电机 also holds 伺服电机, filed under the other chain's segment of the same name.
    assert coverage["seg:c.parts.motor"] == SegmentCoverage(
        segment="seg:c.parts.motor",
        name="电机",
        stage="上游",
        weight=2.0,
        chain="chain:c",
        products=("prod:motor", "prod:servo"),
        makers=3,
        local=("co:a", "co:b", "co:c"),
        local_names=("甲", "乙", "丙"),
        local_leaders=("co:a", "co:b"),  # by tag, and by global rank 50 <= 100
        national=3,
        upstream=("seg:d.motor",),
        downstream=("seg:c.body",),
        local_verified=(False, True, True),
        local_grades=("medium", "weak", "medium"),
    )
    assert coverage["seg:c.body"] == SegmentCoverage(
        segment="seg:c.body",
        name="整机",
        stage="中游",
        weight=1.0,
        chain="chain:c",
        products=("prod:cable", "prod:machine"),
        makers=3,
        local=("co:a",),
        local_names=("甲",),
        local_leaders=("co:a",),
        national=1,
        upstream=("seg:c.parts", "seg:c.parts.motor", "seg:d.kit.cable"),
        downstream=(),
        local_verified=(True,),
        local_grades=("strong",),
    )
    assert coverage["seg:c.empty"] == SegmentCoverage(
        "seg:c.empty", "服务", "下游", 1.0, "chain:c", (), 0, (), (), (), 0, (), (), (), ()
    )
    assert coverage["seg:d.kit.cable"] == SegmentCoverage(
        "seg:d.kit.cable",
        "线缆",
        "中游",
        1.0,
        "chain:d",
        ("prod:cable",),
        2,
        (),
        (),
        (),
        0,
        (),
        ("seg:c.body",),
        (),
        (),
    )
    other = graph.segment_coverage(["seg:c.parts.motor"], "region:cn-other", LeaderRule((), 10))
    assert other["seg:c.parts.motor"].local == ("co:c",)
    assert other["seg:c.parts.motor"].local_leaders == ()  # no tag asked, rank 50 > 10
    assert other["seg:c.parts.motor"].local_grades == ("medium",)
    nowhere = graph.segment_coverage(["seg:c.parts.motor"], "", LeaderRule(("龙头企业",), 100))
    assert nowhere["seg:c.parts.motor"].local == ()
    assert nowhere["seg:c.parts.motor"].national == 3


def test_segment_coverage_without_names(graph: GraphStore) -> None:
    """``names=False``: ``local_names`` is empty, every other field as with names."""
    segments = ["seg:c.parts.motor", "seg:c.body", "seg:c.empty", "seg:d.kit.cable", "seg:none"]
    rule = LeaderRule(("龙头企业",), 100)
    for area in ("region:cn-home", "base:home", "region:jp", ""):
        named = graph.segment_coverage(segments, area, rule)
        unnamed = graph.segment_coverage(segments, area, rule, names=False)
        assert list(unnamed) == list(named)
        assert unnamed == {
            seg: dataclasses.replace(cov, local_names=()) for seg, cov in named.items()
        }
    motor = graph.segment_coverage(["seg:c.parts.motor"], "region:cn-home", rule, names=False)
    assert motor["seg:c.parts.motor"].local == ("co:a", "co:b", "co:c")
    assert motor["seg:c.parts.motor"].local_names == ()


def test_economy_counts(graph: GraphStore) -> None:
    assert graph.economy_counts("region:cn-home") == EconomyCounts("region:cn-home", 3, 4, 6)
    assert graph.economy_counts("base:home") == EconomyCounts("base:home", 1, 4, 6)
    assert graph.economy_counts("region:jp") == EconomyCounts("region:jp", 2, 4, 6)
    assert graph.economy_counts("") == EconomyCounts("", 0, 4, 6)
    assert graph.economy_counts("region:nowhere") == EconomyCounts("region:nowhere", 0, 4, 6)


def test_leader_inputs(graph: GraphStore) -> None:
    products = ["prod:servo", "prod:motor", "prod:machine", "prod:gear", "prod:cable", "prod:none"]
    assert graph.leader_inputs(products, "region:cn-home", LeaderRule(("龙头企业",), 100)) == [
        LeaderInput(
            "prod:machine", "整机设备", "prod:cable", "线缆组件",
            ("seg:c.body", "seg:d.kit.cable"), ("co:a",), ("甲",), 2, 0,
        ),
        LeaderInput(
            "prod:machine", "整机设备", "prod:gear", "齿轮",
            ("seg:c.parts",), ("co:a",), ("甲",), 2, 0,
        ),
        LeaderInput(
            "prod:machine", "整机设备", "prod:motor", "电机",
            ("seg:c.parts.motor",), ("co:a",), ("甲",), 2, 2,
        ),
        # leader names sorted by name: 乙 (U+4E59) before 甲 (U+7532)
        LeaderInput(
            "prod:motor", "电机", "prod:servo", "伺服电机",
            ("seg:d.motor",), ("co:a", "co:b"), ("乙", "甲"), 1, 1,
        ),
    ]  # fmt: skip
    assert graph.leader_inputs(products, "region:jp", LeaderRule((), 100)) == [
        LeaderInput(
            "prod:motor", "电机", "prod:servo", "伺服电机",
            ("seg:d.motor",), ("co:b",), ("乙",), 1, 0,
        ),
    ]  # fmt: skip
    assert graph.leader_inputs(products, "region:jp", LeaderRule((), 10)) == []
    assert graph.leader_inputs(products, "", LeaderRule(("龙头企业",), 100)) == []


def test_local_users(graph: GraphStore) -> None:
    ids = ["prod:servo", "prod:motor", "prod:machine", "seg:c.body", "prod:none"]
    assert graph.local_users(ids, "region:cn-home") == {
        "prod:servo": (("prod:motor", ("co:a", "co:b")),),
        "prod:motor": (("prod:machine", ("co:a",)),),
        "prod:machine": (),
    }
    assert graph.local_users(["prod:gear", "prod:servo"], "") == {
        "prod:gear": (("prod:machine", ()),),
        "prod:servo": (("prod:motor", ()),),
    }


def test_segment_candidates(graph: GraphStore) -> None:
    ids = ["seg:c.parts.motor", "seg:c.body"]
    assert graph.segment_candidates(ids, "region:cn-home") == {
        "seg:c.parts.motor": {"prod:motor": (), "prod:servo": ()},
        "seg:c.body": {"prod:cable": ("co:e", "co:f"), "prod:machine": ()},
    }
    assert graph.segment_candidates(ids, "") == {
        "seg:c.parts.motor": {"prod:motor": ("co:a", "co:b"), "prod:servo": ("co:c",)},
        "seg:c.body": {"prod:cable": ("co:e", "co:f"), "prod:machine": ("co:a",)},
    }
    assert graph.segment_candidates(["seg:c.parts"], "region:cn-other") == {
        "seg:c.parts": {"prod:gear": ("co:e",)}
    }
    assert graph.segment_candidates(["seg:c.empty"], "") == {"seg:c.empty": {}}


def test_product_supply(graph: GraphStore) -> None:
    cable = ProductSupply("prod:cable", "线缆组件", ("co:e", "co:f"))
    gear = ProductSupply("prod:gear", "齿轮", ("co:d", "co:e"))
    machine = ProductSupply("prod:machine", "整机设备", ("co:a",))
    motor = ProductSupply("prod:motor", "电机", ("co:a", "co:b"))
    servo = ProductSupply("prod:servo", "伺服电机", ("co:c",))
    assert graph.product_supply() == [cable, gear, machine, motor, servo]
    # A chain's products are those filed under its segments (not those found by name).
    assert graph.product_supply("chain:c") == [cable, gear, machine, motor]
    assert graph.product_supply("chain:d") == [cable, servo]
    assert graph.product_supply("chain:none") == []


def test_chain_counts(graph: GraphStore) -> None:
    # chain:c: makers 甲 乙 丁 戊 己; records: 4 + 4 + 4 + 4 + 2, unverified 1 (甲) + 2 (己).
    assert graph.chain_counts("region:cn-home") == [
        ChainCounts("chain:c", "整机链", 4, 4, 5, 2, 18, 3),
        ChainCounts("chain:d", "部件链", 3, 2, 3, 1, 10, 2),
    ]
    assert [c.local_companies for c in graph.chain_counts("region:jp")] == [2, 1]
    assert [c.local_companies for c in graph.chain_counts("")] == [0, 0]


def test_base_facts(graph: GraphStore) -> None:
    base = graph.get("base:home")
    assert graph.base_facts() == [
        BaseFacts(
            base,  # type: ignore[arg-type]
            ((1, "seg:d.motor", "电机"), (2, "chain:c", "整机链"), (9, "prod:cable", "线缆组件")),
            ("本镇", "本市", "中国"),
            1,
        )
    ]


def test_aggregates_of_an_empty_store(empty_store: GraphStore) -> None:
    assert empty_store.evaluated_segments("chain:x") == []
    assert empty_store.focus_priorities("base:x") == {}
    assert empty_store.company_facts(["co:x"]) == {}
    assert (
        empty_store.segment_coverage(["seg:x"], "region:cn", LeaderRule(("龙头企业",), 100)) == {}
    )
    assert empty_store.economy_counts("region:cn") == EconomyCounts("region:cn", 0, 0, 0)
    assert empty_store.leader_inputs(["prod:x"], "region:cn", LeaderRule(("龙头企业",), 100)) == []
    assert empty_store.local_users(["prod:x"], "region:cn") == {}
    assert empty_store.product_supply() == []
    assert empty_store.chain_counts("region:cn") == []
    assert empty_store.base_facts() == []
    assert empty_store.company_sites("co:x") == frozenset()


def test_headquarters(graph: GraphStore, tmp_path: Path) -> None:
    # None (the store would read each firm), or per id asked, in order, the site
    # company_facts starts a firm's hq from; -1 for none or no such node. The embedded
    # store answers once opened from a file (its reader notes the sites).
    ids = [*sorted(n.id for n in graph.nodes("Company")), "co:none", "base:home"]
    stores = [graph]
    if isinstance(graph, NetworkxStore):
        stores.append(NetworkxStore.open(graph.save(tmp_path / "contract.cgraph.json")))
    answered = 0
    for store in stores:
        found = store.headquarters(ids)
        if found is None:
            continue
        answered += 1
        facts = store.company_facts(ids)
        expected = [facts[c].hq[0].id if c in facts and facts[c].hq else None for c in ids]
        assert [None if k < 0 else found.sites[k] for k in found.site_of] == expected
        assert "region:jp" in found.sites
    assert answered or not isinstance(graph, NetworkxStore)


def test_revenue_shares(empty_store: GraphStore) -> None:
    # Per firm asked: shares from 0 to 1 that are numbers (the largest per product: two
    # facts with different keys), others left out; {} for a firm without any, or no node.
    s = {"source": "tests.contract", "as_of": "2024", "synthetic": True}
    nodes = [
        Node("co:a", "Company", {"name": "甲", **s}),
        Node("co:b", "Company", {"name": "乙", **s}),
        *(Node(f"prod:{p}", "Product", {"name": p}) for p in ("x", "y", "z", "w")),
    ]
    rels = [
        Relationship("MAKES", "co:a", "prod:x", "", {**s, "revenue_share": 0.25}),
        Relationship("MAKES", "co:a", "prod:x", "line2", {**s, "revenue_share": 0.5}),
        Relationship("MAKES", "co:a", "prod:y", "", {**s, "revenue_share": 1}),
        Relationship("MAKES", "co:a", "prod:z", "", {**s, "revenue_share": 1.5}),
        Relationship("MAKES", "co:a", "prod:w", "", {**s, "revenue_share": True}),
        Relationship("MAKES", "co:b", "prod:x", "", {**s, "capacity": {"t": 5}}),
    ]
    load(empty_store, nodes, rels)
    assert empty_store.revenue_shares(["co:b", "co:a", "co:none", "co:a"]) == {
        "co:b": {},
        "co:a": {"prod:x": 0.5, "prod:y": 1.0},
        "co:none": {},
    }


def test_candidate_classes_and_pages(empty_store: GraphStore) -> None:
    # A segment's products with their makers in classes (same sorted tags, top rank,
    # board, whether a revenue is given), each sorted by revenue (largest first, then by
    # id) in pages of PAGE makers; a product nobody makes has no class.
    from chaingraph.store.candidates import PAGE, MakerClass

    s = {"source": "tests.contract", "as_of": "2024", "synthetic": True}
    many = 2 * PAGE
    nodes = [
        Node("seg:c", "Segment", {"name": "环节"}),
        Node("prod:x", "Product", {"name": "甲品"}),
        Node("prod:y", "Product", {"name": "乙品"}),
        Node("co:lead", "Company", {"name": "领", "tags": ["专精特新", "上市"], **s}),
        Node("co:rank", "Company", {"name": "秩", "global_rank": {"rank": 7}, **s}),
        Node("co:far", "Company", {"name": "远", "global_rank": {"rank": 700}, **s}),
        Node("co:board", "Company", {"name": "板", "listing": {"board": "科创板"}, **s}),
        Node("co:zero", "Company", {"name": "零", "revenue_cny_100m": 0, **s}),
        *(
            Node(f"co:n{i:03d}", "Company", {"name": f"n{i}", "revenue_cny_100m": i % 7, **s})
            for i in range(many)
        ),
    ]
    rels = [
        Relationship("IN_SEGMENT", "prod:x", "seg:c", "", {}),
        Relationship("IN_SEGMENT", "prod:y", "seg:c", "", {}),
        *(
            Relationship("MAKES", f"co:{c}", "prod:x", "", s)
            for c in ("lead", "rank", "far", "board", "zero")
        ),
        *(Relationship("MAKES", f"co:n{i:03d}", "prod:x", "", s) for i in range(many)),
    ]
    load(empty_store, nodes, rels)
    found = empty_store.candidate_classes(["seg:c", "seg:none"])
    assert set(found) == {"seg:c", "seg:none"} and found["seg:none"] == {}
    assert list(found["seg:c"]) == ["prod:x", "prod:y"] and found["seg:c"]["prod:y"] == ()
    classes = found["seg:c"]["prod:x"]
    with_revenue = sorted((i % 7, f"co:n{i:03d}") for i in range(many) if i % 7)
    with_revenue.sort(key=lambda ri: (-ri[0], ri[1]))
    no_revenue = sorted(f"co:n{i:03d}" for i in range(many) if not i % 7)
    expected = [
        MakerClass((), False, None, False, 2 + len(no_revenue), (0.0,)),
        MakerClass((), False, None, True, len(with_revenue), (6.0, float(with_revenue[PAGE][0]))),
        MakerClass((), False, "科创板", False, 1, (0.0,)),
        MakerClass((), True, None, False, 1, (0.0,)),
        MakerClass(("上市", "专精特新"), False, None, False, 1, (0.0,)),
    ]
    assert classes == tuple(sorted(expected, key=lambda c: c.key))
    classes = tuple(expected)
    pages = empty_store.candidate_pages(
        [(("prod:x", c.key, n)) for c in classes for n in range(3)] + [("prod:y", "[]", 0)]
    )
    assert set(pages) == {("prod:x", c.key, 0) for c in classes} | {("prod:x", classes[1].key, 1)}
    assert pages[("prod:x", classes[0].key, 0)] == tuple(
        (firm, 0.0) for firm in sorted(["co:far", "co:zero", *no_revenue])
    )
    paged = pages[("prod:x", classes[1].key, 0)] + pages[("prod:x", classes[1].key, 1)]
    assert paged == tuple((firm, float(r)) for r, firm in with_revenue)
    assert len(pages[("prod:x", classes[1].key, 0)]) == PAGE
    assert pages[("prod:x", classes[3].key, 0)] == (("co:rank", 0.0),)


def test_node_names(graph: GraphStore) -> None:
    # the name Node.name gives (its id when it has none), for the ids found, in order
    ids = sorted(n.id for n in graph.nodes())
    expected = {i: node.name for i, node in graph.get_many(ids).items()}
    asked = ["co:none", *reversed(ids), ids[0]]
    found = graph.node_names(asked)
    assert found == expected and list(found) == list(reversed(ids))
    assert graph.node_names([]) == {}


def test_one_analysis(graph: GraphStore) -> None:
    # a block of reads making one analysis: the same answers inside as outside, nested
    outside = graph.economy_counts("region:cn-home")
    with graph.one_analysis():
        with graph.one_analysis():
            assert graph.economy_counts("region:cn-home") == outside
        assert graph.economy_counts("base:home") == EconomyCounts("base:home", 1, 4, 6)
    assert graph.economy_counts("region:cn-home") == outside


def test_makes_facts(graph: GraphStore) -> None:
    # per (firm, product) asked with a MAKES fact: the first one relationships() gives,
    # for every pair at once; pairs with none (or not firms/products) are left out
    asked = [
        ("co:e", "prod:cable"),
        ("co:a", "prod:machine"),
        ("co:a", "prod:motor"),
        ("co:a", "prod:gear"),
        ("co:none", "prod:gear"),
        ("co:e", "prod:cable"),
    ]
    expected = {
        (firm, product): rel
        for firm, product in asked
        for rel in list(graph.relationships("MAKES", source=firm, target=product))[:1]
    }
    found = graph.makes_facts(asked)
    assert found == expected
    assert list(found) == [("co:e", "prod:cable"), ("co:a", "prod:machine"), ("co:a", "prod:motor")]
    assert found[("co:a", "prod:machine")].props["evidence"] == "strong"
    assert found[("co:a", "prod:motor")].props["source"] == "unverified"
    assert graph.makes_facts([]) == {}
