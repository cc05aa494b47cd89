"""Smoke test of the benchmark graph generator (bench/synthetic_graph.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def synthetic_graph() -> ModuleType:
    # bench/ is a folder of scripts, not a package: load the module from its file.
    spec = importlib.util.spec_from_file_location("synthetic_graph", BENCH / "synthetic_graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("synthetic_graph", module)
    spec.loader.exec_module(module)
    return module


def test_same_seed_same_graph(synthetic_graph: ModuleType) -> None:
    first = synthetic_graph.synthetic_store(200, seed=1)
    second = synthetic_graph.synthetic_store(200, seed=1)
    assert first.count_nodes("Company") == 200
    assert [n.id for n in first.nodes()] == [n.id for n in second.nodes()]
    assert list(first.nodes()) == list(second.nodes())
    assert list(first.relationships()) == list(second.relationships())
    assert first.count_relationships() == second.count_relationships()
    other = synthetic_graph.synthetic_store(200, seed=2)
    assert list(other.nodes("Company")) != list(first.nodes("Company"))


def test_every_company_is_marked_synthetic(synthetic_graph: ModuleType) -> None:
    store = synthetic_graph.synthetic_store(200, seed=1)
    companies = list(store.nodes("Company"))
    assert companies
    for company in companies:
        assert company.props["synthetic"] is True
        assert company.props["source"] == "synthetic"
        assert company.props["name"] and company.props["legal_name"]
    company_ids = {c.id for c in companies}
    touching = [
        r for r in store.relationships() if r.source in company_ids or r.target in company_ids
    ]
    assert {r.type for r in touching} >= {"MAKES", "LOCATED_IN"}
    assert all(r.props["synthetic"] is True for r in touching)
    for company in companies:
        assert 1 <= len(store.neighbors(company.id, "MAKES")) <= 5
        sites = list(store.relationships("LOCATED_IN", source=company.id))
        assert [r.key for r in sites].count("总部") == 1  # one headquarters, maybe a plant
        assert {r.key for r in sites} <= {"总部", "生产"}
