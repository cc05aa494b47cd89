"""The analyses and the aggregate reads give identical results on the embedded store
and on Neo4j (every analysis of ``chaingraph.analysis``; the store behaviour itself,
with expected values written out, is in tests/test_store_contract.py).

The ``store`` fixture runs each test on both engines; the expected values always
come from the embedded store, so on ``networkx`` a test checks determinism and on
``neo4j`` it checks parity (dataclass equality, every field). Bundled data: all
seven bases; random graphs: seeded (tests/random_graph.py).
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Iterator
from itertools import pairwise
from typing import Any

import pytest
import test_analysis
from engines import bundled_graph, holding
from random_graph import random_graph

from chaingraph import analysis
from chaingraph.analysis import check_tags, neighbourhood, ring_counts, rings_of
from chaingraph.analysis.audit import audit
from chaingraph.analysis.chokepoints import chokepoints
from chaingraph.analysis.compare import compare, comparison
from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.gaps import GapReport, gaps
from chaingraph.analysis.plan import plan
from chaingraph.analysis.summary import base_overview, chain_overview, type_counts
from chaingraph.analysis.targets import target_list, targets
from chaingraph.model import Node, Relationship
from chaingraph.store.base import MAX_PLACE_DEPTH, GraphStore, LeaderRule
from chaingraph.store.networkx import NetworkxStore
from chaingraph.testing import BUNDLED_BASES, tiny_store

pytestmark = pytest.mark.neo4j

BASES = BUNDLED_BASES


@pytest.fixture
def neo4j_store(new_neo4j_store: Callable[[], GraphStore]) -> GraphStore:
    """An empty Neo4j store (tests/engines.py)."""
    return new_neo4j_store()


@pytest.fixture
def bundled(request: pytest.FixtureRequest) -> dict[str, GraphStore]:
    """The bundled data on both engines (loaded into Neo4j once, while no other test
    replaces it)."""
    return {e: holding(request, e, "bundled", bundled_graph) for e in ("networkx", "neo4j")}


@pytest.fixture
def store(request: pytest.FixtureRequest, engine: str) -> GraphStore:
    """The bundled data on ``engine``."""
    return holding(request, engine, "bundled", bundled_graph)


@pytest.fixture(scope="module")
def expected() -> Callable[[Callable[[GraphStore], Any]], Any]:
    """The result of an analysis on the embedded store, computed once per analysis."""
    cache: dict[Any, Any] = {}

    def of(run: Callable[[GraphStore], Any], key: Any) -> Any:
        if key not in cache:
            cache[key] = run(holding(None, "networkx", "bundled", bundled_graph))
        return cache[key]

    return of  # type: ignore[return-value]


def test_the_stores_hold_the_same_graph(bundled: dict[str, GraphStore]) -> None:
    embedded, server = bundled["networkx"], bundled["neo4j"]
    assert sorted(_node_rows(server)) == sorted(_node_rows(embedded))
    assert sorted(_rel_rows(server)) == sorted(_rel_rows(embedded))


@pytest.mark.parametrize("base", BASES)
def test_gaps_targets_plan_compare_for_every_base(
    store: GraphStore, expected: Any, base: str
) -> None:
    assert gaps(store, base) == expected(lambda s: gaps(s, base), ("gaps", base))
    assert gaps(store, base, names=False) == _without_names(gaps(store, base))
    assert targets(store, base, top=3) == expected(
        lambda s: targets(s, base, top=3), ("targets", base)
    )
    assert plan(store, base, 3) == expected(lambda s: plan(s, base, 3), ("plan", base))
    other = BASES[(BASES.index(base) + 1) % len(BASES)]
    assert compare(store, base, other) == expected(
        lambda s: compare(s, base, other), ("compare", base)
    )


@pytest.mark.parametrize("base", ["base:yinping-high-end-equipment", "base:linshen-electronics"])
def test_verdicts_lists_audit_and_comparison(store: GraphStore, expected: Any, base: str) -> None:
    """Issue 20's analyses: one ranked list, the audit, a labelled comparison."""

    def run(s: GraphStore) -> Any:
        return (
            target_list(s, base, top=30),
            target_list(s, base, per_segment=2),
            audit(s, base),
            comparison(s, base, "苏州"),
        )

    assert run(store) == expected(run, ("verdicts", base))


def test_chokepoints_with_a_region(store: GraphStore, expected: Any) -> None:
    def run(s: GraphStore) -> Any:
        return chokepoints(s, region="东莞市"), chokepoints(s, "集成电路", top=5)

    assert run(store) == expected(run, "chokepoints region")


def test_gaps_of_a_region_and_with_other_settings(store: GraphStore, expected: Any) -> None:
    config = dataclasses.replace(AnalysisConfig(), scope="town", min_local_firms=1)

    def run(s: GraphStore) -> Any:
        return (
            gaps(s, region="东莞市", chain="新能源"),
            gaps(s, "base:yinping-high-end-equipment", config=config),
            targets(s, "银瓶高端装备产业基地", segment="减速器", top=5, tags=["上市"]),
            targets(s, "base:new-materials", regions_out=["广东省"], min_revenue=10),
        )

    assert run(store) == expected(run, "region")


def test_compare_chokepoints_and_summaries(store: GraphStore, expected: Any) -> None:
    def run(s: GraphStore) -> Any:
        return (
            compare(s, "东部智能制造产业基地", "深圳市", chain="集成电路"),
            compare(s, "base:yinping-high-end-equipment", "base:new-materials"),
            chokepoints(s),
            chokepoints(s, "集成电路", top=10),
            chain_overview(s),
            base_overview(s),
            type_counts(s),
        )

    assert run(store) == expected(run, "summaries")


def test_lookups(store: GraphStore, expected: Any) -> None:
    def run(s: GraphStore) -> Any:
        return (
            s.require("银瓶", "Base").id,
            sorted(s.ids_by_name("东莞市")),
            sorted(s.names("Base")),
            s.get("co:byd") or s.get("region:cn"),
            s.get_many(["region:cn", "nope", "chain:ic"]),
        )

    assert run(store) == expected(run, "lookups")


# Analyses of ``chaingraph.analysis.__all__`` the tests above already run on both
# engines, by the test that runs each (checked: its code calls the analysis).
RUN_ABOVE = {
    "audit": "test_verdicts_lists_audit_and_comparison",
    "base_overview": "test_compare_chokepoints_and_summaries",
    "chain_overview": "test_compare_chokepoints_and_summaries",
    "chokepoints": "test_compare_chokepoints_and_summaries",
    "compare": "test_gaps_targets_plan_compare_for_every_base",
    "comparison": "test_verdicts_lists_audit_and_comparison",
    "gaps": "test_gaps_targets_plan_compare_for_every_base",
    "plan": "test_gaps_targets_plan_compare_for_every_base",
    "target_list": "test_verdicts_lists_audit_and_comparison",
    "targets": "test_gaps_targets_plan_compare_for_every_base",
    "type_counts": "test_compare_chokepoints_and_summaries",
}


def _analyses() -> dict[str, Callable[[GraphStore], Any]]:
    """The other analyses that read a store, called on the bundled data with arguments
    that reach their rules."""
    yinping = "base:yinping-high-end-equipment"

    def rings(s: GraphStore) -> Any:
        return rings_of(s, s.require(yinping, "Base")), rings_of(s, s.require("东莞市", "Region"))

    def counts(s: GraphStore) -> Any:
        found = rings_of(s, s.require(yinping, "Base"))
        return ring_counts(s, found, s.focus_priorities(yinping))

    return {
        "check_tags": lambda s: check_tags(s, ["单项冠军", "龙头企业", "没有的标签"]),
        "neighbourhood": lambda s: (
            neighbourhood(s, "减速器"),
            neighbourhood(s, yinping),
            neighbourhood(s, "东莞市"),
        ),
        "ring_counts": counts,
        "rings_of": rings,
    }


def _reads_a_store(name: str) -> bool:
    item = getattr(analysis, name)
    if not inspect.isfunction(item):
        return False
    first = next(iter(inspect.signature(item).parameters), None)
    return first == "store"


def test_every_analysis_runs_on_both_engines_here() -> None:
    """A new analysis joins ``_analyses`` (or a test above), so it runs on both engines."""
    public = sorted(n for n in analysis.__all__ if _reads_a_store(n))
    assert public == sorted([*_analyses(), *RUN_ABOVE])
    for name, test in RUN_ABOVE.items():
        assert f"{name}(" in inspect.getsource(globals()[test]), (name, test)


@pytest.mark.parametrize("name", sorted(_analyses()))
def test_other_analyses_on_both_engines(store: GraphStore, expected: Any, name: str) -> None:
    run = _analyses()[name]
    result = run(store)
    assert result == expected(run, ("analysis", name))
    assert result  # each call reaches something on the bundled data


def _aggregates(s: GraphStore) -> dict[str, Any]:
    """Every aggregate read of the store contract, on every segment, product, firm and base."""
    segments = sorted(n.id for n in s.nodes("Segment"))
    products = sorted(n.id for n in s.nodes("Product"))
    firms = sorted(n.id for n in s.nodes("Company"))
    chains = sorted(n.id for n in s.nodes("Chain"))
    bases = sorted(n.id for n in s.nodes("Base"))
    out: dict[str, Any] = {
        "evaluated": {c: s.evaluated_segments(c) for c in chains + segments[:20]},
        "focus": {b: s.focus_priorities(b) for b in bases},
        "facts": s.company_facts([*firms, "region:cn", "co:none"]),
        "supply": [s.product_supply(), *(s.product_supply(c) for c in chains)],
        "base facts": s.base_facts(),
        "sites": {f: s.company_sites(f) for f in firms[::7]},
    }
    for area in ("region:cn-dongguan", "base:yinping-high-end-equipment", ""):
        out[f"coverage {area}"] = s.segment_coverage(
            segments, area, LeaderRule(("龙头企业", "链主"), 100)
        )
        out[f"inputs {area}"] = s.leader_inputs(
            products, area, LeaderRule(("龙头企业", "单项冠军"), 100)
        )
        out[f"candidates {area}"] = s.segment_candidates(segments, area)
        out[f"economy {area}"] = s.economy_counts(area)
        out[f"users {area}"] = s.local_users(products, area)
        out[f"chains {area}"] = s.chain_counts(area)
    return out


def test_every_aggregate_on_the_bundled_data(store: GraphStore, expected: Any) -> None:
    assert _aggregates(store) == expected(_aggregates, "aggregates")


@pytest.mark.parametrize("seed", range(6))
def test_random_graphs(neo4j_store: GraphStore, seed: int) -> None:
    nodes, rels = random_graph(seed, companies=30 + 10 * seed)
    embedded = NetworkxStore()
    report = embedded.merge(nodes, rels)
    assert neo4j_store.merge(nodes, rels) == report
    assert _everything(neo4j_store) == _everything(embedded)
    named_unsure = 0
    for s in (embedded, neo4j_store):
        for base in ("base:b0", "base:b1"):
            for config in (AnalysisConfig(), dataclasses.replace(AnalysisConfig(), scope="town")):
                named = gaps(s, base, config=config)
                # without names: the same report but the rows' local names, also where a
                # rule names the firms whose facts are unsure (read by their ids)
                assert gaps(s, base, config=config, names=False) == _without_names(named)
                named_unsure += sum("仅有未核实或弱证据 (" in g.rule for g in named.segments)
    assert named_unsure  # the graphs have rules that name unsure firms


def test_local_stops_at_the_place_depth_limit(neo4j_store: GraphStore) -> None:
    """Neo4j finds local firms by walking IN backwards from the area; the reference walks
    forwards from each site. Both must stop at MAX_PLACE_DEPTH hops, also through a
    region with two parents and an IN cycle."""
    depth = MAX_PLACE_DEPTH + 2
    places = [f"region:r{i}" for i in range(depth + 1)]  # r0 inside r1 inside ... r22
    nodes = [Node(p, "Region", {"name": p}) for p in [*places, "region:cn", "region:side"]]
    rels = [Relationship("IN", a, b) for a, b in pairwise(places)]
    rels += [
        Relationship("IN", places[-1], "region:cn"),
        Relationship("IN", places[3], "region:side"),  # a second parent
        Relationship("IN", "region:side", places[2]),  # and a cycle back down
    ]
    nodes += [
        Node("chain:c", "Chain", {"name": "链"}),
        Node("seg:s", "Segment", {"name": "环节"}),
        Node("prod:p", "Product", {"name": "产品"}),
        Node("prod:q", "Product", {"name": "投入"}),
    ]
    rels += [
        Relationship("PART_OF", "seg:s", "chain:c"),
        Relationship("IN_SEGMENT", "prod:p", "seg:s"),
        Relationship("IN_SEGMENT", "prod:q", "seg:s"),
        Relationship("INPUT_TO", "prod:q", "prod:p"),
    ]
    # Segments in a PART_OF cycle, one of them under the chain: both reach it.
    nodes += [Node("seg:t", "Segment", {"name": "甲"}), Node("seg:u", "Segment", {"name": "乙"})]
    rels += [
        Relationship("PART_OF", "seg:t", "seg:u"),
        Relationship("PART_OF", "seg:u", "seg:t"),
        Relationship("PART_OF", "seg:u", "chain:c"),
    ]
    for i, site in enumerate([places[0], places[1], places[2], "region:side", None]):
        firm = f"co:f{i}"
        nodes.append(Node(firm, "Company", {"name": f"企业{i}", "tags": ["龙头企业"]}))
        rels += [Relationship("MAKES", firm, "prod:p"), Relationship("MAKES", firm, "prod:q")]
        if site:
            rels.append(Relationship("LOCATED_IN", firm, site, "总部"))
    embedded = NetworkxStore()
    embedded.merge(nodes, rels)
    neo4j_store.merge(nodes, rels)

    def run(s: GraphStore) -> Any:
        areas = [*places[MAX_PLACE_DEPTH - 1 :], "region:cn", "region:side", places[3], ""]
        return (
            {a: s.segment_coverage(["seg:s"], a, LeaderRule(("龙头企业",), 100)) for a in areas},
            {a: s.leader_inputs(["prod:p"], a, LeaderRule(("龙头企业",), 100)) for a in areas},
            {a: s.segment_candidates(["seg:s"], a) for a in areas},
            {a: s.chain_counts(a) for a in areas},
            s.company_facts([f"co:f{i}" for i in range(5)]),
            {p: s.place_ancestors(p) for p in [*places, "region:side", "region:none"]},
            {f"co:f{i}": s.company_sites(f"co:f{i}") for i in range(5)},
            {x: s.chain_of(x) for x in ("seg:s", "seg:t", "seg:u", "chain:c", "seg:none")},
        )

    assert run(neo4j_store) == run(embedded)


# Not rules of an analysis: the docstring check reads no store, and the cache test reads
# the embedded store's analysis cache (a Neo4j store keeps none: other clients write to it).
NOT_RULE_TESTS = {
    "test_public_analysis_functions_have_numpydoc_docstrings",
    "test_config_is_hashable_and_equal_configs_are_one_cache_key",
}
RULE_TESTS = sorted(
    name for name in vars(test_analysis) if name.startswith("test_") and name not in NOT_RULE_TESTS
)


@pytest.mark.parametrize("name", RULE_TESTS)
def test_rule_tests_hold_on_neo4j(
    new_neo4j_store: Callable[[], GraphStore], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Every rule test of tests/test_analysis.py, with its graphs loaded into Neo4j."""

    def in_neo4j(nodes: list[Any], rels: list[Any]) -> GraphStore:
        neo4j_store = new_neo4j_store()
        neo4j_store.merge(nodes, rels)
        return neo4j_store

    def tiny() -> GraphStore:
        embedded = tiny_store()
        return in_neo4j(list(embedded.nodes()), list(embedded.relationships()))

    monkeypatch.setattr(
        test_analysis.Builder, "store", lambda self: in_neo4j(self.nodes, self.rels)
    )
    monkeypatch.setattr(test_analysis, "tiny_store", tiny)
    getattr(test_analysis, name)()


def _everything(s: GraphStore) -> dict[str, Any]:
    """Every analysis and every aggregate read, on every base, segment and company."""
    out: dict[str, Any] = {}
    chains = sorted(n.id for n in s.nodes("Chain"))
    segments = sorted(n.id for n in s.nodes("Segment"))
    products = sorted(n.id for n in s.nodes("Product"))
    firms = sorted(n.id for n in s.nodes("Company"))
    for base in ("base:b0", "base:b1", "base:b2"):
        out[f"gaps {base}"] = gaps(s, base, chain=None if base != "base:b2" else "chain:c0")
        out[f"targets {base}"] = targets(s, base, chain="chain:c1" if base == "base:b2" else None)
        out[f"plan {base}"] = plan(s, base, 4, chain="chain:c0")
        out[f"focus {base}"] = s.focus_priorities(base)
    out["gaps region"] = gaps(s, region="region:cn-dongguan", chain="chain:c1")
    out["gaps town"] = gaps(
        s, "base:b0", config=dataclasses.replace(AnalysisConfig(), scope="town")
    )
    out["compare"] = compare(s, "base:b0", "base:b1")
    out["chokepoints"] = chokepoints(s), [chokepoints(s, c) for c in chains]
    out["summaries"] = chain_overview(s), base_overview(s), type_counts(s)
    out["evaluated"] = {c: s.evaluated_segments(c) for c in chains + segments}
    out["facts"] = s.company_facts([*firms, "region:cn", "co:none"])
    places = sorted(n.id for t in ("Region", "Base") for n in s.nodes(t))
    out["places"] = {p: s.place_ancestors(p) for p in [*places, "region:none"]}
    out["sites"] = {f: s.company_sites(f) for f in [*firms, "co:none"]}
    out["chain of"] = {x: s.chain_of(x) for x in [*segments, *chains, "seg:none"]}
    for area in ("region:cn-dongguan", "region:dg-xiegang", "base:b0", "", "region:nowhere"):
        out[f"coverage {area}"] = s.segment_coverage(
            segments, area, LeaderRule(("龙头企业", "链主"), 100)
        )
        out[f"inputs {area}"] = s.leader_inputs(
            products, area, LeaderRule(("龙头企业", "单项冠军"), 100)
        )
        out[f"candidates {area}"] = s.segment_candidates([*segments, "seg:none"], area)
        out[f"economy {area}"] = s.economy_counts(area)
        out[f"users {area}"] = s.local_users([*products, "prod:none", "region:cn"], area)
    out["supply"] = s.product_supply(), [s.product_supply(c) for c in chains]
    out["chains"] = {a: s.chain_counts(a) for a in ("region:cn-dongguan", "base:b0", "")}
    out["base facts"] = s.base_facts()
    out["sites"] = {f: s.company_sites(f) for f in [*firms, "co:none"]}
    out["reads"] = (
        sorted(_node_rows(s)),
        sorted(_rel_rows(s)),
        {t: s.count_nodes(t) for t in [*s.model.node_types, None]},
        {t: s.count_relationships(t) for t in [*s.model.relationship_types, None]},
        sorted(s.names()),
        {f: sorted(r.identity for r in s.relationships(source=f)) for f in firms},
        {p: sorted(s.neighbors(p, "INPUT_TO", "in")) for p in products},
    )
    return out


def _without_names(report: GapReport) -> GapReport:
    """The report with every row's ``local_names`` left empty (``gaps(names=False)``)."""
    rows = tuple(dataclasses.replace(g, local_names=()) for g in report.segments)
    return dataclasses.replace(report, segments=rows)


def _node_rows(s: GraphStore) -> Iterator[tuple[str, str, str]]:
    for n in s.nodes():
        yield n.id, n.type, repr(n.props)


def _rel_rows(s: GraphStore) -> Iterator[tuple[str, str, str, str, str]]:
    for r in s.relationships():
        yield r.type, r.source, r.target, r.key, repr(r.props)
