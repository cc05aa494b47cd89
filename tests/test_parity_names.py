"""Issue 16 on both engines: pinyin/English names of bases and regions, and the tag check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chaingraph.analysis.tag_check import check_tags
from chaingraph.dataset import load_bundled
from chaingraph.errors import Ambiguous
from chaingraph.store.base import GraphStore
from chaingraph.store.lookup import resolve
from chaingraph.store.neo4j import Neo4jStore
from chaingraph.store.networkx import NetworkxStore

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def bundled(neo4j_server: dict[str, Any]) -> Iterator[dict[str, GraphStore]]:
    embedded = NetworkxStore()
    load_bundled(embedded)
    neo4j = Neo4jStore(
        neo4j_server["uri"], neo4j_server["user"], neo4j_server["password"], batch_size=500
    )
    try:
        neo4j.clear()
        neo4j.merge(list(embedded.nodes()), list(embedded.relationships()))
        yield {"networkx": embedded, "neo4j": neo4j}
    finally:
        neo4j.close()


@pytest.fixture(params=["networkx", "neo4j"])
def store(request: pytest.FixtureRequest, bundled: dict[str, GraphStore]) -> GraphStore:
    return bundled[request.param]


@pytest.mark.parametrize(
    ("text", "type", "expected"),
    [
        ("yinping", "Base", "base:yinping-high-end-equipment"),
        ("Songshanhu", "Base", "base:songshanhu-biomedicine"),
        ("xiegang", "Region", "region:dg-xiegang"),
        ("Dongguan", "Region", "region:cn-dongguan"),
    ],
)
def test_romanised_names_on_both_engines(
    store: GraphStore, text: str, type: str, expected: str
) -> None:
    assert resolve(store, text, type).id == expected


def test_ambiguous_pinyin_on_both_engines(store: GraphStore) -> None:
    with pytest.raises(Ambiguous) as caught:
        resolve(store, "dongguan", "Base")
    assert sorted(caught.value.ids) == [
        "base:digital-economy",
        "base:new-materials",
        "base:shuixiang-new-energy",
    ]


def test_tag_check_same_on_both_engines(bundled: dict[str, GraphStore]) -> None:
    checks = {name: check_tags(s, ["单项冠军", "龙头企业"]) for name, s in bundled.items()}
    assert checks["networkx"] == checks["neo4j"]
    assert checks["neo4j"].missing == ("单项冠军",)
