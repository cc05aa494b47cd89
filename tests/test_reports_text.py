"""The text reports commands print (chaingraph.reports.text), the JSON helper of
chaingraph.output, and that the commands print exactly what the library builds."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from chaingraph.analysis.audit import audit
from chaingraph.analysis.compare import comparison
from chaingraph.analysis.gaps import gaps
from chaingraph.analysis.neighbourhood import neighbourhood
from chaingraph.analysis.plan import plan
from chaingraph.analysis.targets import target_list
from chaingraph.cli import cli
from chaingraph.exports import TARGET_COLUMNS
from chaingraph.output import json_bytes, json_text, write_json
from chaingraph.reports import text
from chaingraph.store import NetworkxStore
from chaingraph.testing import tiny_store

BASE = "base:yinping"


@pytest.fixture(scope="module")
def store() -> NetworkxStore:
    return tiny_store()


@pytest.fixture(scope="module")
def store_file(tmp_path_factory: pytest.TempPathFactory, store: NetworkxStore) -> Path:
    path = tmp_path_factory.mktemp("tiny") / "tiny.cgraph.json"
    store.save(path)
    return path


def _cli(*args: str | Path) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_gaps_text_has_heading_notes_and_every_row(store: NetworkxStore) -> None:
    report = gaps(store, BASE)
    lines = text.gaps_text(report).splitlines()
    assert lines[0] == (
        f"# {report.subject_name}  (本地范围: {report.area_name}; 圈层 rings = {report.ring_names})"
    )
    assert lines[1] == report.coverage_note
    headings = [i for i, line in enumerate(lines) if line.startswith("## ")]
    assert [lines[i] for i in headings] == [
        "## 链条完整度 / 本地配套率",
        "## 环节",
        "## 延链 · 本地龙头所需投入无本地供应",
    ]
    # Each table: header, rule, one line per row, then a blank line before the next heading.
    chains, segments, inputs = (
        lines[i + 3 : j] for i, j in zip(headings, [*headings[1:], None], strict=True)
    )
    assert len([c for c in chains if c]) == len(report.chains)
    assert len([s for s in segments if s]) == len(report.segments)
    assert len(inputs) == len(report.inputs)
    for row in report.segments:
        assert any(row.name in line and row.status in line for line in segments)
    for gap in report.inputs:
        assert any(line.startswith(gap.name) for line in inputs)


def test_targets_text_and_payload(store: NetworkxStore) -> None:
    found = target_list(store, BASE, top=3)
    body = text.targets_text(found)
    assert body.startswith(found.coverage_note + "\n")
    assert body.endswith(f"排序: 得分高者优先；{found.tie_rule}\n")
    for row in found.rows:
        assert row.name in body
    payload = text.targets_payload(found)
    assert list(payload) == ["coverage_note", "tie_rule", "notes", "rows"]
    assert len(payload["rows"]) == len(found.rows)
    assert payload["rows"], "the tiny store has gaps with makers elsewhere"
    assert set(payload["rows"][0]) >= set(TARGET_COLUMNS)


def test_comparison_plan_audit_text(store: NetworkxStore) -> None:
    result = comparison(store, BASE, "region:cn-suzhou")
    lines = text.comparison_text(result).splitlines()
    assert lines[0].startswith(f"a = {result.a_name} (本地范围 {result.a_area}")
    assert lines[1].startswith(f"b = {result.b_name} (本地范围 {result.b_area}")
    assert len(lines) == 3 + bool(result.coverage_warning) + 2 + len(result.rows)

    picked = plan(store, BASE, 1)
    body = text.plan_text(picked)
    assert f"weighted gap value: {picked.value_before} → {picked.value_after}" in body
    for chain in picked.completeness_before:
        assert chain in body.split("## 链条完整度 (前 → 后)")[1]

    checked = audit(store, BASE)
    body = text.audit_text(checked)
    assert body.startswith(f"# {checked.subject_name}  (本地范围: {checked.area_name})\n")
    assert str(checked.companies) in body.split("## 重点环节")[0]
    assert len(body.split("## 重点环节\n")[1].splitlines()) == 2 + len(checked.segments)


def test_overview_node_and_json_payloads(store: NetworkxStore) -> None:
    every = text.overview(store)
    assert list(every) == list(text.OVERVIEW_SECTIONS)
    body = text.overview_text(every)
    assert [line for line in body.splitlines() if line.startswith("## ")] == [
        "## types",
        "## chains",
        "## bases",
    ]
    payload = text.overview_payload(every)
    assert payload["bases"][0]["name"] == "银瓶高端装备产业基地"
    assert text.overview_columns("types") == ["kind", "type", "label_zh", "count"]

    view = neighbourhood(store, BASE)
    node = text.node_text(view)
    assert node.startswith("银瓶高端装备产业基地  [Base base:yinping]\n  area_km2: 17.61\n")
    assert text.node_payload(view)["node"]["id"] == BASE
    assert len(text.node_payload(view)["neighbours"]) == len(view.neighbours)


def test_json_helper_is_the_one_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    payload = {"名称": "东莞", "rows": [{"a": 1}], "none": None}
    assert json_bytes(payload) == orjson.dumps(payload, option=orjson.OPT_INDENT_2) + b"\n"
    assert json_text(payload) == json_bytes(payload).decode()
    write_json(payload, None)
    assert capsys.readouterr().out == json_text(payload)
    write_json(payload, tmp_path / "out.json")
    assert (tmp_path / "out.json").read_text(encoding="utf-8") == json_text(payload)


def test_commands_print_what_the_library_builds(store: NetworkxStore, store_file: Path) -> None:
    report = gaps(store, BASE)
    assert _cli("gaps", "--base", BASE, "--store", store_file) == text.gaps_text(report)
    assert _cli("gaps", "--base", BASE, "--store", store_file, "--format", "json") == json_text(
        dataclasses.asdict(report)
    )
    found = target_list(store, BASE, top=2)
    assert _cli("targets", "--base", BASE, "--top", "2", "--store", store_file) == (
        text.targets_text(found)
    )
    assert _cli(
        "targets", "--base", BASE, "--top", "2", "--store", store_file, "--format", "json"
    ) == json_text(text.targets_payload(found))
    assert _cli("audit", "--base", BASE, "--store", store_file) == text.audit_text(
        audit(store, BASE)
    )
    assert _cli("plan", "--base", BASE, "--budget", "1", "--store", store_file) == (
        text.plan_text(plan(store, BASE, 1))
    )
    assert _cli("info", "--store", store_file) == text.overview_text(text.overview(store))
    assert _cli("show", BASE, "--store", store_file, "--format", "json") == json_text(
        text.node_payload(neighbourhood(store, BASE))
    )
