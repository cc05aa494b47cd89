"""Exports: gap/target tables to XLSX/CSV/JSON (formula injection made inert), graph formats."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path

import networkx as nx
import openpyxl
import orjson
import pytest
from click.testing import CliRunner
from hostile import FORMULA_NAMES, HOSTILE_NAMES, hostile_store
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chaingraph.analysis.gaps import gaps
from chaingraph.analysis.targets import targets
from chaingraph.cli import cli
from chaingraph.errors import ConfigError, NotFound
from chaingraph.exports import (
    GAP_COLUMNS,
    TARGET_COLUMNS,
    export_gaps,
    export_rows,
    export_targets,
)
from chaingraph.graph_exports import (
    GraphExporter,
    exporters,
    flat_graph,
    get_exporter,
    read_node_link,
    register,
    write_gexf,
    write_graphml,
    write_node_link,
)
from chaingraph.testing import tiny_store

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV needs a BOM for Excel"
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))


def excel_text(value: object) -> object:
    """Decode OOXML's ``_xHHHH_`` escapes (how XLSX stores CR and other control characters)
    as Excel does; openpyxl leaves them as they are."""
    if not isinstance(value, str):
        return value
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)


def assert_inert(value: object, raw: str) -> None:
    """A text cell is shown as text: a dangerous first character gets a leading quote."""
    expected = "'" + raw if raw.startswith(DANGEROUS_STARTS) else raw
    assert excel_text(value) == expected


# -- rows to files --------------------------------------------------------------
ROWS = [
    {"name": raw, "score": -2, "severity": 0.5, "tags": ["龙头企业", "上市"], "unverified": True}
    for raw in HOSTILE_NAMES.values()
]
COLUMNS = ["name", "score", "severity", "tags", "unverified"]


def test_csv_is_utf8_with_bom_and_inert(tmp_path: Path) -> None:
    out = export_rows(ROWS, COLUMNS, tmp_path / "t.csv")
    table = read_csv(out)
    assert table[0] == ["企业", "得分", "缺口程度", "标签", "含未核实信息"]
    for row, raw in zip(table[1:], HOSTILE_NAMES.values(), strict=True):
        assert_inert(row[0], raw)
        assert row[1:] == ["-2", "0.5", "龙头企业、上市", "是"]  # numbers untouched
    assert b"\r\n" in out.read_bytes()


def test_xlsx_has_headers_freeze_filter_widths_and_inert_cells(tmp_path: Path) -> None:
    out = export_rows(
        [*ROWS, {"name": "空", "score": math.nan, "severity": math.inf}],
        COLUMNS,
        tmp_path / "t.xlsx",
        sheet="招商目标/测试",
    )
    book = openpyxl.load_workbook(out)
    ws = book.worksheets[0]
    assert ws.title == "招商目标_测试"
    assert [c.value for c in ws[1]] == ["企业", "得分", "缺口程度", "标签", "含未核实信息"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:E{len(ROWS) + 2}"
    assert ws.column_dimensions["A"].width >= 12 and ws.column_dimensions["D"].width >= 14
    for r, raw in enumerate(HOSTILE_NAMES.values(), start=2):
        name, score, severity = ws.cell(r, 1), ws.cell(r, 2), ws.cell(r, 3)
        assert name.data_type == "s"
        assert_inert(name.value, raw)
        assert (score.data_type, score.value) == ("n", -2)
        assert (severity.data_type, severity.value) == ("n", 0.5)
    last = len(ROWS) + 2
    assert ws.cell(last, 2).value is None and ws.cell(last, 3).value is None  # NaN/inf left blank
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_json_keeps_raw_values(tmp_path: Path) -> None:
    out = export_rows(ROWS, COLUMNS, tmp_path / "t.json")
    data = orjson.loads(out.read_bytes())
    assert [d["name"] for d in data] == list(HOSTILE_NAMES.values())
    assert data[0]["score"] == -2 and data[0]["tags"] == ["龙头企业", "上市"]


def test_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\.xlsx, \.csv, \.json"):
        export_rows(ROWS, COLUMNS, tmp_path / "t.ods")


text_cells = st.text(
    alphabet=st.sampled_from(
        ["=", "+", "-", "@", "\t", "\r", "\n", "'", "a", "东", "1", " ", '"', ","]
    ),
    max_size=8,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(
        st.one_of(text_cells, st.integers(-(10**6), 10**6), st.floats(-1e6, 1e6)),
        min_size=1,
        max_size=5,
    )
)
def test_any_cell_reads_back_inert(tmp_path: Path, values: list[object]) -> None:
    rows = [{"v": v} for v in values]
    ws = openpyxl.load_workbook(export_rows(rows, ["v"], tmp_path / "p.xlsx")).worksheets[0]
    csv_rows = read_csv(export_rows(rows, ["v"], tmp_path / "p.csv"))[1:]
    for i, value in enumerate(values):
        cell = ws.cell(i + 2, 1)
        if isinstance(value, str):
            if value == "":
                assert cell.value in (None, "")
            else:
                assert cell.data_type == "s"
                assert_inert(cell.value, value)
            assert_inert(csv_rows[i][0], value)
        else:
            assert cell.data_type == "n" and cell.value == pytest.approx(value)
            assert float(csv_rows[i][0]) == pytest.approx(value)


# -- gaps and targets -------------------------------------------------------------
def test_export_gaps_and_targets_from_hostile_store(tmp_path: Path) -> None:
    store = hostile_store()
    report = gaps(store, "base:yinping")
    found = targets(store, top=10, report=report)
    ws = openpyxl.load_workbook(export_gaps(report, tmp_path / "g.xlsx", store)).worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["状态", "产业链", "环节ID", "环节"] and len(header) == len(GAP_COLUMNS)
    assert "<svg onload=alert(4)>" in [c.value for c in ws["D"]]
    assert ws.cell(2, header.index("本地企业数") + 1).data_type == "n"
    rings = ["基地所在镇企业数", "本市企业数", "都市圈企业数", "大湾区企业数"]
    by_row = {ws.cell(r, 3).value: r for r in range(2, ws.max_row + 1)}
    for g in report.segments:
        cells = [ws.cell(by_row[g.segment], header.index(h) + 1) for h in rings]
        assert [c.value for c in cells] == [g.in_base, g.in_city, g.in_metro, g.in_gba]
        assert all(c.data_type == "n" for c in cells)

    ws = openpyxl.load_workbook(export_targets(found, tmp_path / "t.xlsx")).worksheets[0]
    header = [c.value for c in ws[1]]
    assert len(header) == len(TARGET_COLUMNS) and header[4] == "企业"
    names = {excel_text(ws.cell(r, 5).value) for r in range(2, ws.max_row + 1)}
    for raw in FORMULA_NAMES.values():
        if raw in {t.name for t in found}:
            assert "'" + raw in names
    score = ws.cell(2, header.index("得分") + 1)
    assert score.data_type == "n" and isinstance(score.value, int | float)
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]

    table = read_csv(export_targets(found, tmp_path / "t.csv"))
    assert {row[4] for row in table[1:]} == names
    data = orjson.loads(export_targets(found, tmp_path / "t.json").read_bytes())
    assert {d["name"] for d in data} == {t.name for t in found}


def test_gaps_and_targets_commands_export(tmp_path: Path) -> None:
    store_path = tmp_path / "hostile.json"
    hostile_store().save(store_path)
    runner = CliRunner()
    common = ["--base", "base:yinping", "--store", str(store_path)]
    result = runner.invoke(cli, ["gaps", *common, "--export", str(tmp_path / "g.csv")])
    assert result.exit_code == 0, result.output
    table = read_csv(tmp_path / "g.csv")
    assert table[0][:4] == ["状态", "产业链", "环节ID", "环节"]
    assert {"基地所在镇企业数", "本市企业数", "都市圈企业数", "大湾区企业数"} <= set(table[0])
    result = runner.invoke(
        cli, ["targets", *common, "--top", "9", "--export", str(tmp_path / "t.xlsx")]
    )
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").worksheets[0]
    assert '\'=HYPERLINK("http://x")' in [c.value for c in ws["E"]]
    bad = runner.invoke(cli, ["gaps", *common, "--export", str(tmp_path / "g.txt")])
    assert bad.exit_code == 1 and "cannot export" in bad.output


# -- graph formats ----------------------------------------------------------------
def store_facts(store):  # type: ignore[no-untyped-def]
    nodes = {
        (n.id, n.type, json.dumps(n.props, sort_keys=True, ensure_ascii=False))
        for n in store.nodes()
    }
    rels = {
        (r.type, r.source, r.target, r.key, json.dumps(r.props, sort_keys=True, ensure_ascii=False))
        for r in store.relationships()
    }
    return nodes, rels


def test_node_link_round_trip_is_exact(tmp_path: Path) -> None:
    store = hostile_store()
    nodes, rels = read_node_link(write_node_link(store, tmp_path / "g.json"))
    assert (
        {(n.id, n.type, json.dumps(n.props, sort_keys=True, ensure_ascii=False)) for n in nodes},
        {
            (
                r.type,
                r.source,
                r.target,
                r.key,
                json.dumps(r.props, sort_keys=True, ensure_ascii=False),
            )
            for r in rels
        },
    ) == store_facts(store)
    data = orjson.loads((tmp_path / "g.json").read_bytes())
    assert set(data) >= {"nodes", "edges", "directed", "multigraph"}
    edge = next(e for e in data["edges"] if e["rel_type"] == "MAKES")
    assert {"from", "to", "key", "source", "as_of"} <= set(edge)  # source = provenance


@pytest.mark.parametrize(
    ("writer", "reader"),
    [
        (write_graphml, lambda p: nx.read_graphml(p, force_multigraph=True)),
        (write_gexf, nx.read_gexf),
    ],
    ids=["graphml", "gexf"],
)
def test_xml_formats_read_back(tmp_path: Path, writer, reader) -> None:  # type: ignore[no-untyped-def]
    store = hostile_store()
    graph = reader(writer(store, tmp_path / "g.xml"))
    assert graph.number_of_nodes() == store.count_nodes()
    assert graph.number_of_edges() == store.count_relationships()
    for node in store.nodes():
        data = graph.nodes[node.id]
        assert data["node_type"] == node.type
        # GraphML keeps a CR in element text, which XML parsers read back as LF.
        assert data["name"] in (node.name, node.name.replace("\r", "\n"))
        if node.get("tags"):
            assert json.loads(data["tags"]) == node.get("tags")
        if node.get("revenue_cny_100m") is not None:
            assert data["revenue_cny_100m"] == node.get("revenue_cny_100m")
    types = sorted(d["rel_type"] for _, _, d in graph.edges(data=True))
    assert types == sorted(r.type for r in store.relationships())


def test_flat_graph_gives_each_attribute_one_type() -> None:
    g = flat_graph(tiny_store())
    for attribute in {k for _, d in g.nodes(data=True) for k in d}:
        kinds = {type(d[attribute]) for _, d in g.nodes(data=True) if attribute in d}
        assert len(kinds) == 1, (attribute, kinds)
    assert g.nodes["seg:robot.body"]["label"] == "机器人本体"


def test_registry_and_export_command(tmp_path: Path) -> None:
    assert [e.name for e in exporters()][:3] == ["graphml", "gexf", "node-link"]
    with pytest.raises(NotFound):
        get_exporter("dot")
    runner = CliRunner()
    help_text = runner.invoke(cli, ["export", "--help"]).output
    for exporter in exporters():  # every registered format is a documented option
        assert f"--{exporter.name}" in help_text and exporter.help.split()[0] in help_text
    store_path = tmp_path / "tiny.json"
    tiny_store().save(store_path)
    out = tmp_path / "out"
    result = runner.invoke(
        cli,
        [
            "export",
            "--store",
            str(store_path),
            "--graphml",
            str(out / "g.graphml"),
            "--gexf",
            str(out / "g.gexf"),
            "--node-link",
            str(out / "g.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["g.gexf", "g.graphml", "g.json"]
    none = runner.invoke(cli, ["export", "--store", str(store_path)])
    assert none.exit_code == 1 and "--graphml" in none.output


def test_register_adds_a_format() -> None:
    calls: list[Path] = []
    exporter = register(
        GraphExporter("test-dummy", "Dummy.", lambda store, path: calls.append(path))
    )
    try:
        assert get_exporter("test-dummy") is exporter
        get_exporter("test-dummy").write(tiny_store(), Path("x"))
        assert calls == [Path("x")]
    finally:
        from chaingraph import graph_exports

        graph_exports._REGISTRY.pop("test-dummy")
