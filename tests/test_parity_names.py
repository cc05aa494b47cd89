"""Issue 16 on both engines: pinyin/English names of bases and regions, and the tag check."""

from __future__ import annotations

import pytest
from engines import bundled_graph, holding

from chaingraph.analysis.tag_check import check_tags
from chaingraph.errors import Ambiguous
from chaingraph.store.base import GraphStore
from chaingraph.store.lookup import resolve

pytestmark = pytest.mark.neo4j


@pytest.fixture
def bundled(request: pytest.FixtureRequest) -> dict[str, GraphStore]:
    return {e: holding(request, e, "bundled", bundled_graph) for e in ("networkx", "neo4j")}


@pytest.fixture
def store(request: pytest.FixtureRequest, engine: str) -> GraphStore:
    return holding(request, engine, "bundled", bundled_graph)


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
