"""The rough edges a new analyst hits in the first hour (issue 16): each fixed, each tested."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import openpyxl
import orjson
import pytest
from click.testing import CliRunner

from chaingraph.analysis.gaps import gaps
from chaingraph.analysis.tag_check import check_tags
from chaingraph.cli import cli
from chaingraph.dataset import load_bundled
from chaingraph.errors import Ambiguous
from chaingraph.exports import GAP_TABLES, export_gap_tables
from chaingraph.loaders import validate_files
from chaingraph.reports import build_report
from chaingraph.store.lookup import resolve
from chaingraph.store.networkx import NetworkxStore

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "firms-synthetic.csv"
YINPING = "base:yinping-high-end-equipment"


@pytest.fixture(scope="module")
def bundled() -> NetworkxStore:
    store = NetworkxStore()
    load_bundled(store)
    return store


@pytest.fixture(scope="module")
def bundled_path(bundled: NetworkxStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bundled") / "store.cgraph.json"
    bundled.save(path)
    return path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


# -- one 未核实 marker per row on the report's targets page ------------------------------------


def test_report_targets_page_says_unverified_once_per_row(
    bundled: NetworkxStore, tmp_path: Path
) -> None:
    build_report(bundled, YINPING, tmp_path, top=2)
    page = (tmp_path / "targets.html").read_text(encoding="utf-8")
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    assert rows
    # the bundled data holds no unverified fact since issue #21: no row may be marked
    assert not [row for row in rows if "未核实" in row]


# -- gap exports carry every table ---------------------------------------------------------


def test_gaps_xlsx_has_one_sheet_per_table(bundled: NetworkxStore, tmp_path: Path) -> None:
    report = gaps(bundled, YINPING)
    (path,) = export_gap_tables(report, tmp_path / "g.xlsx", bundled)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == list(GAP_TABLES.values())
    segments, chains, inputs = (book[name] for name in GAP_TABLES.values())
    assert segments.max_row == len(report.segments) + 1
    assert chains.max_row == len(report.chains) + 1
    assert inputs.max_row == len(report.inputs) + 1
    assert [c.value for c in chains[1]][:5] == [
        "产业链ID",
        "产业链",
        "环节数",
        "已有环节数",
        "链条完整度",
    ]
    assert {c.value for c in chains["B"][1:]} == {c.name for c in report.chains}


def test_gaps_csv_one_file_per_table_or_the_one_asked(bundled_path: Path, tmp_path: Path) -> None:
    code, _, err = _run(
        "gaps", "--base", "银瓶", "--store", str(bundled_path), "--export", str(tmp_path / "g.csv")
    )
    assert code == 0, err
    written = [tmp_path / "g.csv", tmp_path / "g-chains.csv", tmp_path / "g-inputs.csv"]
    for path in written:
        assert f"wrote {path}" in err
    with open(tmp_path / "g-chains.csv", encoding="utf-8-sig", newline="") as fh:
        chains = list(csv.reader(fh))
    assert chains[0][1] == "产业链" and len(chains) == 4  # header + 3 focus chains
    code, _, err = _run(
        "gaps",
        "--base",
        "银瓶",
        "--store",
        str(bundled_path),
        "--export",
        str(tmp_path / "only.json"),
        "--table",
        "inputs",
    )
    assert code == 0, err
    data = orjson.loads((tmp_path / "only.json").read_bytes())
    assert isinstance(data, list) and data and "for_product_name" in data[0]
    code, _, err = _run("gaps", "--base", "银瓶", "--store", str(bundled_path), "--table", "chains")
    assert code == 1 and "--export" in err


def test_gaps_json_export_has_every_table(bundled: NetworkxStore, tmp_path: Path) -> None:
    (path,) = export_gap_tables(gaps(bundled, YINPING), tmp_path / "g.json", bundled)
    assert set(orjson.loads(path.read_bytes())) == set(GAP_TABLES)


# -- a filter on a tag the data does not have ----------------------------------------------


def test_tag_no_firm_has_is_named(bundled: NetworkxStore, bundled_path: Path) -> None:
    check = check_tags(bundled, ["单项冠军", "龙头企业"])
    assert check.missing == ("单项冠军",)
    assert "龙头企业" in dict(check.known)
    code, out, err = _run(
        "targets", "--base", "银瓶", "--store", str(bundled_path), "--tag", "单项冠军"
    )
    assert code == 0, err
    note = next(line for line in err.splitlines() if line.startswith("note:"))
    assert "'单项冠军'" in note and "没有任何企业" in note and "龙头企业" in note
    assert "(no rows)" in out
    code, _, err = _run(
        "targets", "--base", "银瓶", "--store", str(bundled_path), "--tag", "龙头企业"
    )
    assert code == 0 and "note:" not in err


# -- the mapping warning only when no column feeds the field ---------------------------------


def _table(path: Path, header: list[str], row: list[str]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerow(row)
    return path


def test_no_warning_when_another_column_feeds_the_field(
    bundled: NetworkxStore, tmp_path: Path
) -> None:
    with_area = _table(
        tmp_path / "a.csv", ["企业名称", "所在地区"], ["东莞甲乙科技有限公司", "东莞市"]
    )
    report = validate_files([with_area], mapping="companies-cn", store=bundled)
    assert not [w for w in report.warnings if "'hq'" in w]
    bare = _table(tmp_path / "b.csv", ["企业名称"], ["东莞甲乙科技有限公司"])
    report = validate_files([bare], mapping="companies-cn", store=bundled)
    hq = [w for w in report.warnings if "'hq'" in w]
    assert len(hq) == 1 and "'所在地区' or '注册地'" in hq[0]


# -- every command that writes a file says where -------------------------------------------


def test_writing_commands_say_where(bundled_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    code, _, err = _run(
        "targets", "--base", "银瓶", "--store", str(bundled_path), "--format", "csv", "-o", str(out)
    )
    assert code == 0 and f"wrote {out}" in err
    xlsx = tmp_path / "t.xlsx"
    code, _, err = _run(
        "targets",
        "--base",
        "银瓶",
        "--store",
        str(bundled_path),
        "--top",
        "1",
        "--export",
        str(xlsx),
    )
    assert code == 0 and f"wrote {xlsx}" in err
    graph = tmp_path / "g.graphml"
    code, _, err = _run("export", "--store", str(bundled_path), "--graphml", str(graph))
    assert code == 0 and f"wrote {graph}" in err


# -- pinyin and English names of bases and regions -----------------------------------------


@pytest.mark.parametrize(
    ("text", "type", "expected"),
    [
        ("yinping", "Base", YINPING),
        ("Yinping", "Base", YINPING),
        ("songshanhu", "Base", "base:songshanhu-biomedicine"),
        ("shuixiang", "Base", "base:shuixiang-new-energy"),
        ("Dongguan", "Region", "region:cn-dongguan"),
        ("dongguan", "Region", "region:cn-dongguan"),
        ("xiegang", "Region", "region:dg-xiegang"),
        ("Shenzhen", "Region", "region:cn-shenzhen"),
    ],
)
def test_pinyin_and_english_names_resolve(
    bundled: NetworkxStore, text: str, type: str, expected: str
) -> None:
    assert resolve(bundled, text, type).id == expected


def test_pinyin_that_fits_several_bases_lists_them(bundled: NetworkxStore) -> None:
    with pytest.raises(Ambiguous) as caught:
        resolve(bundled, "dongguan", "Base")
    assert "base:new-materials" in caught.value.ids


def test_pinyin_base_on_the_command_line(bundled_path: Path) -> None:
    code, out, err = _run("gaps", "--base", "yinping", "--store", str(bundled_path))
    assert code == 0, err
    assert out.startswith("# 银瓶高端装备产业基地")


# -- a sample firms file for the README's load/validate example ------------------------------


def test_sample_firms_file_validates_and_loads(bundled_path: Path, tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert rows and all(r["合成数据"] == "是" and "synthetic" in r["来源"] for r in rows)
    assert "synthetic" in (SAMPLE.parent / "README.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "examples/firms-synthetic.csv --mapping companies-cn" in readme
    code, _, err = _run(
        "validate", str(SAMPLE), "--mapping", "companies-cn", "--store", str(bundled_path)
    )
    assert code == 0, err
    assert "warning" not in err
    store = tmp_path / "try.cgraph.json"
    store.write_bytes(bundled_path.read_bytes())
    code, _, err = _run("load", "--store", str(store), "--mapping", "companies-cn", str(SAMPLE))
    assert code == 0, err
    assert f"wrote {store}" in err
    loaded = NetworkxStore.open(store)
    firm = resolve(loaded, "示例传动", "Company")
    assert "synthetic" in firm.get("source")
