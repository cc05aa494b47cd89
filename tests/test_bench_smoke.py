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


def _bench_run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_results_table_shows_both_neo4j_load_paths() -> None:
    """bench/run.py's tables: analyses on the batched database when it was loaded, on
    the bulk-imported one above --neo4j-batched-max, a failed analysis, and the load
    breakdown."""
    run = _bench_run()
    latencies = {f"{c}{end}": 0.5 for c in run.COLUMNS for end in ("_first_s", "_s")}
    embedded = {"load_s": 1.0, "peak_rss_mib": 100.0, **latencies}
    bulk = {"rows": 1_200, "csv_s": 1.0, "import_s": 3.0, "schema_s": 0.5, "csv_peak_rss_mib": 50.0}
    rows = [
        {
            "companies": 1_000, "nodes": 200, "relationships": 1_000, "embedded": embedded,
            "neo4j": {**bulk, **latencies, "batched_s": 12.0, "analyses_on": "batched"},
        },
        {
            "companies": 2_000, "nodes": 400, "relationships": 2_000, "embedded": embedded,
            "neo4j": {
                **bulk, **latencies, "rows": 2_400, "analyses_on": "bulk",
                "gaps_first_s": None, "gaps_s": None, "gaps_error": "out of memory",
            },
        },
        {"companies": 3_000, "nodes": 600, "relationships": 3_000, "embedded": embedded},
    ]  # fmt: skip
    text = run.render(rows)
    assert "| | | | Neo4j batched | 12.00 | 100 | (server) |" in text
    assert "| | | | Neo4j bulk | 4.00 | 600 | (server) | failed | 0.50 / 0.500 |" in text
    assert "| | | | Neo4j / embedded (repeat) | 4.0× | | | – | 1.0× |" in text
    assert "- 2,000 companies, Neo4j, gaps: out of memory" in text
    # batched s, batched rows/s, CSV s, import s, CSV + import rows/s, import rows/s, schema s
    assert "| 1,000 | 1,200 | 12.00 | 100 | 1.00 | 3.00 | 300 | 400 | 0.50 | 50 |" in text
    assert "| 2,000 | 2,400 | – | – | 1.00 | 3.00 | 600 | 800 | 0.50 | 50 |" in text
    assert "| 3,000 | 600 | 3,000 | embedded |" in text
    assert text.count("Neo4j / embedded (repeat)") == 2


def test_json_figures_name_first_and_repeat_calls() -> None:
    """bench/run.py --json: the figures issue 22 asks for, largest size at the top."""
    run = _bench_run()
    latencies = {f"{c}{end}": 0.5 for c in run.COLUMNS for end in ("_first_s", "_s")}
    neo4j = {
        "rows": 1_200, "batched_s": 12.0, "csv_s": 1.0, "import_s": 3.0, **latencies,
        "analyses_on": "batched", "db_hits": {"segment_coverage": 10}, "open_s": 0.2,
        "gaps_first_unwarmed_s": 0.7,
    }  # fmt: skip
    rows = [
        {
            "companies": size, "nodes": 200, "relationships": 1_000,
            "embedded": {"load_s": 1.0, "peak_rss_mib": 9.0, **latencies}, "neo4j": neo4j,
            "load_average": {"before": (1.0, 2.0, 3.0), "after": (1.5, 2.0, 3.0)},
        }
        for size in (1_000, 2_000)
    ]  # fmt: skip
    figures = run.figures(rows)
    assert figures["companies"] == 2_000 and len(figures["by_size"]) == 2
    for key in ("gaps_first_s", "gaps_repeat_s", "targets_town_first_s"):
        assert figures["embedded"][key] == 0.5
    for key in ("gaps_first_s", "gaps_repeat_s", "targets_repeat_s"):
        assert figures["neo4j"][key] == 0.5
    assert figures["neo4j"]["load_rows_per_s"] == 100
    assert figures["neo4j"]["bulk_rows_per_s"] == 300
    assert figures["neo4j"]["db_hits"] == {"segment_coverage": 10}
    text = run.render(rows)
    assert "| 2,000 | 10 |" in text  # db hits
    assert "| 2,000 | 0.20 | 0.50 | 0.50 | 0.50 | – | 0.70 | – | – |" in text  # first calls
    assert "2,000: 1.00 2.00 3.00 before, 1.50 2.00 3.00 after" in text
