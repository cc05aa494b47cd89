"""Checks on the bundled Dongguan dataset: integrity, coverage of the founding plan, provenance."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx
import orjson
import pytest
import yaml
from click.testing import CliRunner

from chaingraph.analysis.structure import chain_of_segment, chain_segments
from chaingraph.analysis.summary import chain_overview
from chaingraph.cli import cli
from chaingraph.dataset import STORE_ENV, load_bundled
from chaingraph.names import check_uscc, name_key
from chaingraph.resources import data_dir
from chaingraph.store.networkx import NetworkxStore

PLAN = "东莞市战略性新兴产业基地规划建设实施方案"
STAGES = {"上游", "中游", "下游"}
COMPANY_FACTS = ("MAKES", "LOCATED_IN", "SUPPLIES")

# The seven bases of the plan (section 三 区位布局): planned area in 亩 and km², as stated.
BASES: dict[str, tuple[str, float | None, float | None]] = {
    "base:songshanhu-biomedicine": ("松山湖生物医药产业基地", 2489, 1.66),
    "base:east-intelligent-manufacturing": ("东部智能制造产业基地", 9236, 6.16),
    "base:new-materials": ("东莞新材料产业基地", None, None),  # the plan gives no area
    "base:digital-economy": ("东莞数字经济融合发展产业基地", 21000, 14),
    "base:shuixiang-new-energy": ("东莞水乡新能源产业基地", 3000, 2),
    "base:linshen-electronics": ("临深新一代电子信息产业基地", 29676, 19.78),
    "base:yinping-high-end-equipment": ("银瓶高端装备产业基地", 26420, 17.61),
}
MU_PER_KM2 = 1500  # 1 亩 = 666.67 m²


def _plan_terms() -> dict[str, list[str]]:
    path = data_dir("ontology") / "plan_terms.yaml"
    with open(path, encoding="utf-8") as fh:
        terms: dict[str, list[str]] = yaml.safe_load(fh)["terms"]
    return terms


PLAN_TERMS = _plan_terms()


@pytest.fixture(scope="module")
def store() -> NetworkxStore:
    """The bundled dataset, loaded once for the module."""
    loaded = NetworkxStore()
    load_bundled(loaded)
    return loaded


@pytest.fixture()
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner whose default store lives in a temporary folder."""
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "dongguan.cgraph.json"))
    return CliRunner()


def _segments_of(store: NetworkxStore, node_id: str) -> list[str]:
    if node_id.startswith("seg:"):
        return [node_id]
    return [r.target for r in store.relationships("IN_SEGMENT", source=node_id)]


# -- the files ---------------------------------------------------------------------
def test_validate_passes_on_the_bundled_files(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 0, result.output
    assert "ok:" in result.output


# -- structure ---------------------------------------------------------------------
def test_every_relationship_joins_nodes_of_the_types_the_model_allows(
    store: NetworkxStore,
) -> None:
    wrong = []
    for rel in store.relationships():
        spec = store.model.relationship_types[rel.type]
        source, target = store.get(rel.source), store.get(rel.target)
        if source is None or target is None:
            wrong.append(f"{rel.type} {rel.source} -> {rel.target}: missing endpoint")
        elif source.type not in spec["from"] or target.type not in spec["to"]:
            wrong.append(f"{rel.type} {source.type} {rel.source} -> {target.type} {rel.target}")
    assert wrong == []


def test_every_product_sits_in_a_segment(store: NetworkxStore) -> None:
    homeless = [
        p.id
        for p in store.nodes("Product")
        if not any(store.relationships("IN_SEGMENT", source=p.id))
    ]
    assert homeless == []


def test_every_segment_is_part_of_exactly_one_chain_or_segment(store: NetworkxStore) -> None:
    parents = {
        s.id: [r.target for r in store.relationships("PART_OF", source=s.id)]
        for s in store.nodes("Segment")
    }
    assert {s: p for s, p in parents.items() if len(p) != 1} == {}


def test_segment_hierarchy_is_a_forest_rooted_in_chains(store: NetworkxStore) -> None:
    parts = nx.DiGraph((r.source, r.target) for r in store.relationships("PART_OF"))
    assert nx.is_directed_acyclic_graph(parts)
    orphans = [s.id for s in store.nodes("Segment") if chain_of_segment(store, s.id) is None]
    assert orphans == []


@pytest.mark.parametrize("chain", sorted(PLAN_TERMS))
def test_each_chain_has_all_three_stages(store: NetworkxStore, chain: str) -> None:
    stages = {node.get("stage") for s in chain_segments(store, chain) if (node := store.get(s))}
    assert stages == STAGES


def test_plan_terms_name_every_chain(store: NetworkxStore) -> None:
    assert set(PLAN_TERMS) == {c.id for c in store.nodes("Chain")}
    assert sum(len(terms) for terms in PLAN_TERMS.values()) >= 100


@pytest.mark.parametrize("chain", sorted(PLAN_TERMS))
def test_every_plan_term_names_a_segment_or_product_of_its_chain(
    store: NetworkxStore, chain: str
) -> None:
    unresolved = []
    for term in PLAN_TERMS[chain]:
        hits = store.ids_by_name(term, "Segment") + store.ids_by_name(term, "Product")
        chains = {chain_of_segment(store, s) for hit in hits for s in _segments_of(store, hit)}
        if chain not in chains:
            unresolved.append(f"{term} (found in {sorted(map(str, chains)) or 'nothing'})")
    assert unresolved == []


# -- the plan's bases ----------------------------------------------------------------
def test_the_seven_bases_have_the_plans_names_and_areas(store: NetworkxStore) -> None:
    found = {b.id: (b.name, b.get("area_mu"), b.get("area_km2")) for b in store.nodes("Base")}
    assert found == BASES


def test_base_areas_agree_in_mu_and_km2_and_add_up_to_about_60_km2(
    store: NetworkxStore,
) -> None:
    areas = [(b.get("area_mu"), b.get("area_km2")) for b in store.nodes("Base")]
    for mu, km2 in areas:
        if mu is not None:
            assert mu / MU_PER_KM2 == pytest.approx(km2, abs=0.01)
    total = sum(km2 for _, km2 in areas if km2 is not None)
    assert total == pytest.approx(60, abs=2)  # 统筹规划约60平方公里


def test_every_base_carries_the_plan_as_source(store: NetworkxStore) -> None:
    assert {b.get("source") for b in store.nodes("Base")} == {PLAN}


# -- size ----------------------------------------------------------------------------
def test_the_dataset_is_big_enough_to_be_useful(store: NetworkxStore) -> None:
    assert store.count_nodes("Chain") == 7
    assert store.count_nodes("Product") >= 150
    # 603 firms before the national firms' unverified facts were paid (issue #21): the 232
    # firms no public source was found for were dropped (scripts/verify_national.py)
    assert store.count_nodes("Company") >= 350


@pytest.mark.parametrize("chain", sorted(PLAN_TERMS))
def test_each_chain_has_local_and_other_firms(store: NetworkxStore, chain: str) -> None:
    row = next(r for r in chain_overview(store) if r.chain == chain)
    assert row.local_companies > 0
    assert row.elsewhere_companies > 0


# -- companies and provenance --------------------------------------------------------
def test_every_company_and_company_fact_has_source_and_as_of(store: NetworkxStore) -> None:
    missing: list[str] = []
    for company in store.nodes("Company"):
        records: list[tuple[str, dict[str, Any]]] = [(company.id, company.props)]
        records += [
            (f"{r.type} {r.source} -> {r.target}", r.props)
            for r in store.relationships(source=company.id)
            if r.type in COMPANY_FACTS
        ]
        missing += [
            label for label, props in records if not (props.get("source") and props.get("as_of"))
        ]
    assert missing == []


def test_nothing_in_the_bundled_data_is_synthetic(store: NetworkxStore) -> None:
    assert [n.id for n in store.nodes() if "synthetic" in n.props] == []
    assert [
        (r.type, r.source, r.target) for r in store.relationships() if "synthetic" in r.props
    ] == []


def test_credit_codes_are_only_present_when_valid(store: NetworkxStore) -> None:
    codes = {c.id: c.get("uscc") for c in store.nodes("Company") if c.get("uscc")}
    invalid = []
    for company, code in codes.items():
        try:
            if check_uscc(code) != code:
                invalid.append(company)
        except ValueError:
            invalid.append(company)
    assert invalid == []


def test_no_two_companies_share_a_name(store: NetworkxStore) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for company in store.nodes("Company"):
        for field in ("name", "legal_name"):
            if company.get(field):
                owners[name_key(company.get(field))].add(company.id)
    assert {k: sorted(v) for k, v in owners.items() if len(v) > 1} == {}


def test_no_company_has_two_headquarters(store: NetworkxStore) -> None:
    seats = {
        c.id: [
            r.target
            for r in store.relationships("LOCATED_IN", source=c.id)
            if r.props.get("role") == "总部"
        ]
        for c in store.nodes("Company")
    }
    assert {c: s for c, s in seats.items() if len(s) > 1} == {}


# -- what `chaingraph info --chains` reports -----------------------------------------
def test_info_chains_reports_size_locality_and_unverified_share(
    runner: CliRunner, store: NetworkxStore
) -> None:
    table = runner.invoke(cli, ["info", "--chains"])
    assert table.exit_code == 0, table.output
    # The first command also says, on stderr, where it built the default store.
    assert "built the default store from the bundled dataset" in table.stderr
    header = table.stdout.splitlines()[0].split()
    for column in (
        "segments",
        "products",
        "local_companies",
        "elsewhere_companies",
        "unverified_share",
    ):
        assert column in header
    for chain in store.nodes("Chain"):
        assert chain.id in table.output and chain.name in table.output

    as_json = runner.invoke(cli, ["info", "--chains", "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    reported = {row["chain"]: row for row in orjson.loads(as_json.stdout)}
    for row in chain_overview(store):
        got = reported[row.chain]
        assert (got["segments"], got["products"]) == (row.segments, row.products)
        assert (got["local_companies"], got["elsewhere_companies"]) == (
            row.local_companies,
            row.elsewhere_companies,
        )
        assert 0 <= got["unverified_share"] <= 1
