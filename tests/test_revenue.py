"""Firms' revenue (issue #21 item 4): sourced figures from ingest/sources/company-revenue.csv,
written into the company records by scripts/apply_revenue.py; and the score's scale part."""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.target_score import business_fit, record_parts

ROOT = Path(__file__).resolve().parent.parent
CSV_PATH = ROOT / "ingest" / "sources" / "company-revenue.csv"
# an address, then the figure quoted from that page in brackets (with a digit in it)
_SOURCE = re.compile(r"^https?://\S+ \(.*[0-9].*\)$")


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "apply_revenue", ROOT / "scripts" / "apply_revenue.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["apply_revenue"] = module
    spec.loader.exec_module(module)
    return module


def _records() -> dict[str, dict[str, object]]:
    records: dict[str, dict[str, object]] = {}
    for path in sorted((ROOT / "ingest" / "companies").glob("*.yaml")):
        for record in yaml.safe_load(path.read_text(encoding="utf-8"))["companies"]:
            records[record["id"]] = record
    return records


def test_every_revenue_has_a_year_and_a_quoted_source() -> None:
    with_revenue = {k: r for k, r in _records().items() if "revenue_cny_100m" in r}
    assert len(with_revenue) >= 14
    for company, record in with_revenue.items():
        assert float(record["revenue_cny_100m"]) > 0, company  # type: ignore[arg-type]
        assert 2015 <= int(record["revenue_year"]) <= 2026, company  # type: ignore[call-overload]
        assert _SOURCE.match(str(record.get("revenue_source", ""))), company
        assert re.match(r"^[0-9]{4}", str(record.get("revenue_as_of", ""))), company


def test_the_csv_and_the_company_records_agree() -> None:
    records = _records()
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["company_id"] for r in rows} == {
        k for k, r in records.items() if "revenue_cny_100m" in r
    }
    for row in rows:
        record = records[row["company_id"]]
        assert float(record["revenue_cny_100m"]) == pytest.approx(float(row["revenue_cny_100m"]))  # type: ignore[arg-type]
        assert record["revenue_year"] == int(row["revenue_year"])
        assert record["revenue_source"] == row["source"]
        assert str(record["revenue_as_of"]) == row["as_of"]
        # the figure in its own currency and the rate behind the conversion are kept
        assert row["currency_figure"] and row["exchange_rate"], row["company_id"]


def test_apply_revenue_is_idempotent_and_applied() -> None:
    # --check exits 0 only when rewriting would change nothing: the committed YAML is current
    assert _script().main(["--check"]) == 0


def test_apply_revenue_places_lines_after_the_header_and_replaces_old_ones() -> None:
    script = _script()
    revenue = script.Revenue(
        "co:x", 12.5, 2024, "https://example.org/ar (营业收入12.5亿元)", "2024", 2
    )
    text = (
        "companies:\n"
        "  - id: co:x\n"
        "    name: 甲\n"
        "    aliases:\n"
        "      - A\n"
        "    revenue_cny_100m: 3\n"
        "    revenue_year: 2020\n"
        "    makes: [prod:a]\n"
        "  - id: co:y\n"
        "    name: 乙\n"
    )
    once, found = script.apply(text, {"co:x": revenue})
    assert found == {"co:x"}
    assert once.splitlines()[4:9] == [
        "      - A",
        "    revenue_cny_100m: 12.5",
        "    revenue_year: 2024",
        '    revenue_source: "https://example.org/ar (营业收入12.5亿元)"',
        '    revenue_as_of: "2024"',
    ]
    assert "revenue_year: 2020" not in once and "    makes: [prod:a]\n  - id: co:y" in once
    assert script.apply(once, {"co:x": revenue})[0] == once
    loaded = yaml.safe_load(once)["companies"][0]
    assert loaded["revenue_cny_100m"] == 12.5 and loaded["aliases"] == ["A"]


def test_apply_revenue_fails_clearly_on_an_unknown_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    script = _script()
    bad = tmp_path / "company-revenue.csv"
    bad.write_text(
        ",".join(script.COLUMNS) + "\n"
        'co:no-such-firm,10,2024,CNY 10亿元,1,"https://example.org (营业收入10亿元)",2024\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(script, "CSV_PATH", bad)
    monkeypatch.setattr(script, "ROOT", tmp_path)
    companies = tmp_path / "companies"
    companies.mkdir()
    (companies / "a.yaml").write_text("companies:\n  - id: co:x\n    name: 甲\n", encoding="utf-8")
    monkeypatch.setattr(script, "COMPANY_DIR", companies)
    assert script.main([]) == 2
    err = capsys.readouterr().err
    assert "co:no-such-firm (line 2)" in err and "fix the id or drop the row" in err
    assert (companies / "a.yaml").read_text(
        encoding="utf-8"
    ) == "companies:\n  - id: co:x\n    name: 甲\n"


def test_apply_revenue_rejects_a_source_without_an_address(tmp_path: Path) -> None:
    script = _script()
    bad = tmp_path / "company-revenue.csv"
    bad.write_text(
        ",".join(script.COLUMNS) + "\n" + "co:x,10,2024,CNY 10亿元,1,年报,2024\n", encoding="utf-8"
    )
    with pytest.raises(script.RevenueError, match=r"company-revenue.csv:2: source must be"):
        script.read_csv(bad)


def test_scale_spreads_real_revenues_up_to_the_largest_targets() -> None:
    config = AnalysisConfig()
    # real-shaped values (亿元): 莱特光电 4.72, 星源材质 35.41, 新宙邦 78.47, 意法半导体 945,
    # 飞利浦 1389, 西门子医疗 1727, 辉瑞 4529, 强生 6326, 亚马逊-sized 45 000
    revenues = [4.72, 35.41, 78.47, 945.05, 1389.15, 1726.7, 4529.4, 6325.57, 45_000.0]
    scales = [record_parts(config, (), None, r, "NYSE")[1] for r in revenues]
    assert scales == sorted(scales) and len(set(scales)) == len(scales)  # strictly increasing
    assert all(0 < s < 1 for s in scales)
    assert scales[3] == pytest.approx(0.633, abs=0.001)  # ≈ 1000 亿元 → 0.63
    # the old cap (1000 亿元) put every global leader at 1.0, tying them again
    old = AnalysisConfig(scale_full_revenue_cny_100m=1000.0)
    assert {record_parts(old, (), None, r, "NYSE")[1] for r in revenues[4:]} == {1.0}
    # a listed firm without a figure keeps 0.3; an unlisted one 0
    assert record_parts(config, (), None, None, "NYSE")[1] == 0.3
    assert record_parts(config, (), None, None, None)[1] == 0.0


def test_record_parts_reads_a_rank_stored_as_text_as_no_rank() -> None:
    config = AnalysisConfig()
    assert record_parts(config, (), 80, None, None)[0] == 1.0
    # not a TypeError: read as no rank, as LeaderRule reads it for the gap rules
    for odd in ("12", 7.5, True, {"rank": 3}):
        assert record_parts(config, (), odd, None, None) == (0.0, 0.0, 0.0), odd
    assert record_parts(config, ("上市",), "12", None, "NYSE") == (0.3, 0.3, 0.0)


def test_targets_run_when_a_stored_rank_is_text() -> None:
    from chaingraph.analysis.targets import target_list
    from chaingraph.model import Node
    from chaingraph.testing import tiny_store

    store = tiny_store()
    before = target_list(store, "base:yinping", top=3).rows
    # a record written past the schema (the loader would refuse it): rank as text
    (found,) = store.ids_by_name("日伺服", "Company")
    node = store.get(found)
    assert node is not None
    odd = {**node.props, "global_rank": {"list": "L", "rank": "12"}}
    store.merge([Node(node.id, "Company", odd)], [])
    after = target_list(store, "base:yinping", top=3).rows
    # the odd rank counts for nothing (its 全球百强 tag still leads), as for the leader rule
    assert [(t.company, t.score) for t in after] == [(t.company, t.score) for t in before]
    # tags stored as a bare string are no tags (not its characters), as for the leader rule
    store.merge([Node(node.id, "Company", {**odd, "tags": "全球百强"})], [])
    bare = {t.company: t for t in target_list(store, "base:yinping", top=3).rows}
    assert bare[node.id].parts.leadership == 0.0 and bare[node.id].tags == ()


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["p:a", "p:b", "p:c"]),
        st.tuples(st.floats(0, 1), st.floats(0, 1)),
        min_size=1,
    )
)
def test_business_fit_never_exceeds_the_best_product_weight(parts):
    # The target search stops on this bound; revenue shares that add up to more
    # than the whole (one line read as two products) must not break it.
    makes = tuple(parts)
    fit = {p: w for p, (w, _) in parts.items()}
    shares = {p: s for p, (_, s) in parts.items()}
    assert business_fit(makes, fit, shares) <= max(fit.values()) + 1e-12
    assert business_fit(makes, fit, {}) <= max(fit.values()) + 1e-12
