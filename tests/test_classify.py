"""chaingraph classify and load --classify: matching, towns, identity, conflicts, readers."""

from __future__ import annotations

import csv
import gzip
import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import orjson
import pytest
import xlwt
from click.testing import CliRunner, Result
from stdnum.cn import uscc as stdnum_uscc

from chaingraph.classify import Options, classify_files, classify_report
from chaingraph.classify.load import load_classified
from chaingraph.cli import cli
from chaingraph.dataset import STORE_ENV, open_default_store
from chaingraph.errors import DataError
from chaingraph.store.networkx import NetworkxStore

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "registry-sample.csv"
HEADER = [
    "企业名称",
    "统一社会信用代码",
    "注册地址",
    "经营范围",
    "主营产品",
    "经营状态",
    "来源",
    "数据日期",
]


def uscc(body: str) -> str:
    return body + stdnum_uscc.calc_check_digit(body)


@pytest.fixture(scope="module")
def bundled_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bundled") / "store.json"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(STORE_ENV, str(path))
        open_default_store()
    return path


@pytest.fixture
def store_file(bundled_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "store.json"
    shutil.copy(bundled_file, path)
    monkeypatch.setenv(STORE_ENV, str(path))
    return path


@pytest.fixture
def store(store_file: Path) -> Iterator[NetworkxStore]:
    yield NetworkxStore.open(store_file)


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def firm(
    name: str, code: str, address: str, scope: str = "", products: str = "", status: str = "存续"
) -> list[str]:
    return [
        name,
        code,
        address,
        scope,
        products,
        status,
        "https://example.org/list.html",
        "2025-06",
    ]


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def one(store: NetworkxStore, path: Path, **kw: object) -> list:
    return list(classify_files(store, [path], **kw))  # type: ignore[arg-type]


# -- matching knowledge -------------------------------------------------------------------


def test_exclusions_and_boilerplate(store: NetworkxStore, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        [
            firm(
                "东莞市甲检测设备有限公司",
                uscc("91441900MA00000A1"),
                "广东省东莞市塘厦镇一路1号",
                "电池检测设备的研发、生产",
            ),
            firm(
                "东莞市乙贸易有限公司",
                uscc("91441900MA00000B1"),
                "广东省东莞市南城区二路2号",
                "技术开发、技术服务、货物及技术进出口",
            ),
            firm(
                "东莞市丙医药有限公司",
                uscc("91441900MA00000C1"),
                "广东省东莞市虎门镇三路3号",
                "医药商业、药品批发",
            ),
            firm(
                "东莞市丁新材料有限公司",
                uscc("91441900MA00000D1"),
                "广东省东莞市松山湖园区四路4号",
                "电池级碳酸锂的生产",
            ),
        ],
    )
    rows = {r.legal_name: r for r in one(store, path)}
    tester = rows["东莞市甲检测设备有限公司"]
    assert [p["id"] for p in tester.products] == ["prod:lithium-battery-equipment"]
    assert tester.chains == ["chain:equipment"]
    assert tester.products[0]["evidence"] == "medium"
    assert rows["东莞市乙贸易有限公司"].chains == []  # boilerplate only: no chain, not a guess
    assert rows["东莞市丙医药有限公司"].chains == []  # distribution is not making
    assert [p["id"] for p in rows["东莞市丁新材料有限公司"].products] == ["prod:lithium-compounds"]


def test_evidence_levels_and_share(store: NetworkxStore, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        [
            firm(
                "东莞市甲电子有限公司",
                uscc("91441900MA00001A1"),
                "广东省东莞市长安镇",
                "",
                "锂电池(60%)、注塑机(3%)",
            ),
            firm("东莞市乙机器人有限公司", uscc("91441900MA00001B1"), "广东省东莞市长安镇"),
        ],
    )
    rows = {r.legal_name: r for r in one(store, path)}
    strong = rows["东莞市甲电子有限公司"]
    assert [(p["id"], p["evidence"], p["share"]) for p in strong.products] == [
        ("prod:battery-cell", "strong", 0.6)
    ]  # the 3% line makes no maker
    assert 0 < strong.products[0]["confidence"] <= 1
    assert any("锂电池" in w for w in strong.why)
    weak = rows["东莞市乙机器人有限公司"]
    assert weak.chains == ["chain:equipment"] and weak.segments[0]["evidence"] == "weak"


def test_precision_rules_generic_trade_other_and_chain_share(
    store: NetworkxStore, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        [
            # 轨道交通 as a cable maker's market: a generic word alone names no chain
            firm(
                "甲电缆股份有限公司",
                uscc("91441900MA00002A1"),
                "",
                "",
                "特种电缆(80%)、轨道交通市场(18%)",
            ),
            # trade and remainder lines are no evidence
            firm(
                "乙贸易有限公司",
                uscc("91441900MA00002B1"),
                "",
                "",
                "医疗器械贸易(60%)、其他业务(30%)",
            ),
            # lines naming a chain add up to less than the chain share: no chain
            firm("丙实业股份有限公司", uscc("91441900MA00002C1"), "", "", "水泥(88%)、锂电池(7%)"),
            # ... and to more: the chain stands, with its specific term
            firm(
                "丁实业股份有限公司", uscc("91441900MA00002D1"), "", "", "锂电池(7%)、动力电池(6%)"
            ),
            # equipment for another chain's product makes equipment
            firm("戊装备股份有限公司", uscc("91441900MA00002E1"), "", "", "锂电池自动化设备(70%)"),
        ],
    )
    rows = {r.legal_name: r for r in one(store, path)}
    assert rows["甲电缆股份有限公司"].chains == []
    assert rows["乙贸易有限公司"].chains == []
    assert rows["丙实业股份有限公司"].chains == []
    assert rows["丁实业股份有限公司"].chains == ["chain:energy"]
    assert rows["丁实业股份有限公司"].chain_shares == {"chain:energy": 0.07}
    assert rows["戊装备股份有限公司"].chains == ["chain:equipment"]
    # the chain share is an option: at 5% the 7% line counts again
    low = {r.legal_name: r for r in one(store, path, options=Options(min_chain_share=0.05))}
    assert low["丙实业股份有限公司"].chains == ["chain:energy"]


def test_ascii_words_trade_sales_machine_lines_and_vocabulary(
    store: NetworkxStore, tmp_path: Path
) -> None:
    rows_in = [
        # (1) CMO (a CDMO term) is not inside CMOS
        ("甲微电子股份有限公司", "CMOS图像传感器(72%)"),
        ("乙医药股份有限公司", "CMO业务(60%)"),
        # (2) a sale of a broad word is trade; a product term beside 销售 still counts
        ("丙通讯股份有限公司", "通信销售(97%)"),
        ("丁医药股份有限公司", "医药销售(90%)"),
        ("戊药业股份有限公司", "中成药销售(78%)、化学药销售(14%)"),
        # (3) a machine for a material counts for equipment (or nothing), not the material
        ("己科技股份有限公司", "光伏硅片检测分选设备(69%)"),
        ("庚通信股份有限公司", "通信设备(80%)"),
        ("辛科技股份有限公司", "光伏硅片检测分选设备(50%)、激光加工设备(40%)"),
        # (4) vocabulary: bare 仪器/试纸/试剂, 电池和配件, 照明, 红外探测器
        ("壬医疗股份有限公司", "仪器(40%)、试纸(30%)、试剂(30%)"),
        ("癸电池股份有限公司", "电池和配件(95%)"),
        ("子照明股份有限公司", "户外照明(60%)、室内照明(30%)"),
        ("丑微纳股份有限公司", "红外探测器(49%)、红外热像仪整机(47%)"),
        ("寅信息股份有限公司", "信息化解决方案(86%)"),
        # wire for cars is no car electronics
        ("卯线材股份有限公司", "漆包线(60%)、汽车电子线(19%)"),
    ]
    path = write_csv(
        tmp_path / "r.csv",
        [
            firm(name, uscc(f"91441900MA00003{i:X}1"), "", "", lines)
            for i, (name, lines) in enumerate(rows_in)
        ],
    )
    chains = {r.legal_name: r.chains for r in one(store, path)}
    assert "chain:biomed" not in chains["甲微电子股份有限公司"]
    assert "chain:ic" in chains["甲微电子股份有限公司"]
    assert chains["乙医药股份有限公司"] == ["chain:biomed"]
    assert chains["丙通讯股份有限公司"] == []
    assert chains["丁医药股份有限公司"] == []
    assert chains["戊药业股份有限公司"] == ["chain:biomed"]
    assert chains["己科技股份有限公司"] == []
    assert chains["庚通信股份有限公司"] == ["chain:ngit"]
    assert chains["辛科技股份有限公司"] == ["chain:equipment"]
    assert chains["壬医疗股份有限公司"] == ["chain:biomed"]
    assert chains["癸电池股份有限公司"] == ["chain:energy"]
    assert chains["子照明股份有限公司"] == ["chain:ngit"]
    assert chains["丑微纳股份有限公司"] == ["chain:ngit"]
    assert chains["寅信息股份有限公司"] == ["chain:digital"]
    assert chains["卯线材股份有限公司"] == []


def test_gbt_industry_is_medium(store: NetworkxStore, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        [["东莞市甲科技有限公司", "C3841 锂离子电池制造", "广东省东莞市石龙镇"]],
        header=["企业名称", "国标行业", "注册地址"],
    )
    (row,) = one(store, path)
    assert row.products[0]["id"] == "prod:battery-cell"
    assert row.products[0]["evidence"] == "medium"


# -- towns ----------------------------------------------------------------------------------


def test_towns_and_aliases(store: NetworkxStore, tmp_path: Path) -> None:
    addresses = {
        "广东省东莞市南城区宏远工业区": "region:dg-nancheng",
        "广东省东莞市东城区同沙科技工业园": "region:dg-dongcheng",
        "广东省东莞市松山湖高新区工业北路6号": "region:dg-songshanhu",
        "广东省东莞市南城街道东莞大道南城段116号": "region:dg-nancheng",
        "广东省东莞市长安镇长安步步高路408号": "region:dg-changan",
        "陕西省西安市长安区韦曲街道": None,  # 长安 outside Dongguan is no Dongguan town
    }
    path = write_csv(
        tmp_path / "r.csv",
        [[f"东莞市测试{i}有限公司", a] for i, a in enumerate(addresses)],
        header=["企业名称", "注册地址"],
    )
    got = {r.legal_name: r.town for r in one(store, path)}
    assert list(got.values()) == list(addresses.values())
    rows = one(store, path)
    assert rows[0].region["city"] == "东莞市" and rows[-1].region["city"] == "西安市"


# -- identity ---------------------------------------------------------------------------------


def test_identity_order_and_short_names(store: NetworkxStore, tmp_path: Path) -> None:
    path = tmp_path / "firms.jsonl"
    lines = [
        {"name": "耐普矿机", "fullname": "万华化学集团股份有限公司", "code": "300818"},
        {"name": "万华化学", "fullname": "某某矿机股份有限公司", "code": "688999"},
        {"name": "劲胜智能", "fullname": "广东劲胜智能集团股份有限公司", "code": "300083.SZ"},
    ]
    path.write_bytes(b"\n".join(orjson.dumps(x) for x in lines))
    rows = one(store, path)
    assert rows[0].match is not None and rows[0].match["by"] == "legal_name"
    assert rows[1].match is None  # a short name alone never merges different legal names
    assert rows[2].match == {"id": "co:create-century", "name": "创世纪", "by": "stock_code"}


def test_load_conflicts_are_listed_not_applied(store: NetworkxStore, tmp_path: Path) -> None:
    path = tmp_path / "firms.jsonl"
    path.write_bytes(
        orjson.dumps({"name": "耐普矿机", "fullname": "万华化学集团股份有限公司", "code": "300818"})
    )
    diff = load_classified(store, [path])
    assert [(c.id, c.field) for c in diff.conflicts] == [("co:wanhua", "listing.code")]
    wanhua = store.get("co:wanhua")
    assert wanhua is not None and wanhua.name == "万华化学"
    assert wanhua.props["listing"]["code"] == "600309"


# -- load --classify ----------------------------------------------------------------------------


def test_load_classify_dry_run_then_load_then_reload(store_file: Path, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        [
            firm(
                "东莞市甲电池有限公司",
                uscc("91441900MA00002A1"),
                "广东省东莞市塘厦镇一路1号",
                "",
                "锂电池(60%)",
            ),
            firm(
                "东莞市乙已注销有限公司",
                uscc("91441900MA00002B1"),
                "广东省东莞市塘厦镇",
                "",
                "锂电池",
                "注销",
            ),
        ],
    )
    before = NetworkxStore.open(store_file).count_nodes("Company")
    dry = orjson.loads(run("load", "--classify", "--dry-run", "--format", "json", path).stdout)
    assert dry["diff"]["created"] == 3  # firm, MAKES, LOCATED_IN
    assert dry["diff"]["closed_skipped"] == 1
    assert NetworkxStore.open(store_file).count_nodes("Company") == before  # nothing written
    loaded = orjson.loads(run("load", "--classify", "--format", "json", path).stdout)
    assert loaded["diff"]["created"] == 3
    stored = NetworkxStore.open(store_file)
    (co,) = stored.ids_by_name("东莞市甲电池有限公司")
    (makes,) = stored.relationships("MAKES", source=co)
    assert makes.target == "prod:battery-cell"
    assert makes.props["evidence"] == "strong" and makes.props["revenue_share"] == 0.6
    assert makes.props["source"] == "https://example.org/list.html"
    (site,) = stored.relationships("LOCATED_IN", source=co)
    assert site.target == "region:dg-tangxia" and site.key == "注册地"
    again = orjson.loads(run("load", "--classify", "--format", "json", path).stdout)
    assert again["diff"]["created"] == 0 and again["diff"]["updated"] == 0


def test_second_source_is_kept(store: NetworkxStore, tmp_path: Path) -> None:
    row = firm(
        "东莞市甲电池有限公司", uscc("91441900MA00003A1"), "广东省东莞市塘厦镇", "", "锂电池(60%)"
    )
    first = write_csv(tmp_path / "a.csv", [row])
    load_classified(store, [first])
    row[-2] = "https://example.org/other-list.html"
    second = write_csv(tmp_path / "b.csv", [row])
    diff = load_classified(store, [second])
    assert diff.conflicts == []
    (co,) = store.ids_by_name("东莞市甲电池有限公司")
    (makes,) = store.relationships("MAKES", source=co)
    assert makes.props["source"] == "https://example.org/list.html"
    assert makes.props["sources"] == [
        "https://example.org/list.html",
        "https://example.org/other-list.html",
    ]


def test_bad_rows_skip_or_all_or_nothing(store: NetworkxStore, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        [
            firm(
                "东莞市甲电池有限公司",
                uscc("91441900MA00004A1"),
                "广东省东莞市塘厦镇",
                "",
                "锂电池",
            ),
            firm("东莞市乙电池有限公司", "91441900MA00004B1X", "广东省东莞市塘厦镇", "", "锂电池"),
        ],
    )
    before = store.count_nodes("Company")
    with pytest.raises(DataError) as caught:
        load_classified(store, [path], options=Options(skip_bad=False))
    assert "r.csv:3" in str(caught.value) and "uscc" in str(caught.value)
    assert store.count_nodes("Company") == before
    diff = load_classified(store, [path], options=Options(skip_bad=True))
    assert len(diff.bad) == 1 and diff.bad[0].line == 3
    assert store.count_nodes("Company") == before + 1  # the bad row is left out, the rest loaded


# -- readers ------------------------------------------------------------------------------------


def test_gz_xlsx_xls_and_unmapped_columns(store: NetworkxStore, tmp_path: Path) -> None:
    rows = [["东莞市甲电池有限公司", "广东省东莞市塘厦镇", "锂电池", "备注"]]
    header = ["企业名称", "注册地址", "主营产品", "内部编号"]
    plain = write_csv(tmp_path / "r.csv", rows, header)
    gz = tmp_path / "r.csv.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    book = openpyxl.Workbook()
    book.active.append(header)
    book.active.append(rows[0])
    book.save(tmp_path / "r.xlsx")
    old = xlwt.Workbook()
    sheet = old.add_sheet("s")
    for c, v in enumerate(header):
        sheet.write(0, c, v)
        sheet.write(1, c, rows[0][c])
    old.save(str(tmp_path / "r.xls"))
    for name in ("r.csv.gz", "r.xlsx", "r.xls"):
        report = classify_report(store, [tmp_path / name])
        (row,) = report.rows
        assert row.town == "region:dg-tangxia" and row.chains == ["chain:energy"], name
        assert report.summary.unmapped_columns[str(tmp_path / name)] == ["内部编号"]


def test_two_row_header_is_explained(store: NetworkxStore, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["企业名称", "地址", None])
    ws.append([None, "注册地址", "经营地址"])
    ws.merge_cells("B1:C1")
    ws.append(["东莞市甲有限公司", "广东省东莞市", "广东省东莞市"])
    book.save(tmp_path / "two.xlsx")
    result = run("classify", tmp_path / "two.xlsx")
    assert result.exit_code == 1
    assert "header spans two rows" in result.stderr and "unmerge" in result.stderr


def test_classify_cli_json_and_where(store_file: Path) -> None:
    result = run("classify", SAMPLE, "--where", "注册地址=塘厦", "--format", "json")
    assert result.exit_code == 0, result.output
    payload = orjson.loads(result.stdout)
    assert set(payload) == {"rows", "summary"}
    assert payload["rows"] and all(r["town"] == "region:dg-tangxia" for r in payload["rows"])
    first = payload["rows"][0]
    for key in (
        "name",
        "legal_name",
        "match",
        "chains",
        "segments",
        "products",
        "town",
        "region",
        "status",
        "why",
    ):
        assert key in first
    assert payload["summary"]["rows"] == len(payload["rows"])
    table = run("classify", SAMPLE)
    assert table.exit_code == 0 and "rows: matched" in table.stdout


# -- real public data -------------------------------------------------------------------------


@pytest.mark.shared_data
@pytest.mark.slow
def test_ckg_twice_no_duplicate_no_rename(store: NetworkxStore, shared_data: Path) -> None:
    files = [
        shared_data / "ckg" / "company.jsonl",
        shared_data / "ckg" / "company_product.jsonl.gz",
    ]
    bundled = {n.id: (n.name, n.props.get("legal_name")) for n in store.nodes("Company")}
    first = load_classified(store, files)
    assert first.firms_created > 4000
    # (the row naming 中国石化's legal name under 耐普矿机's code used to conflict with the
    # bundled co:sinopec, dropped in issue #21 for want of a source: the unit tests above
    # check that refusal with 万华化学)
    count = store.count_nodes("Company")
    second = load_classified(store, files, dry_run=True)
    assert (second.created, second.updated, second.firms_created) == (0, 0, 0)
    load_classified(store, files)
    assert store.count_nodes("Company") == count
    for node_id, (name, legal) in bundled.items():
        node = store.get(node_id)
        assert node is not None and node.name == name, node_id
        if legal is not None:
            assert node.props.get("legal_name") == legal, node_id
    codes = [
        n.props["listing"]["code"]
        for n in store.nodes("Company")
        if isinstance(n.props.get("listing"), dict)
        and n.props["listing"]["board"].startswith(("深", "上"))
    ]
    assert len(codes) == len(set(codes))


@pytest.mark.shared_data
def test_szse_dongguan_towns(store: NetworkxStore, shared_data: Path) -> None:
    rows = [
        r
        for r in classify_files(
            store,
            [shared_data / "szse" / "szse_a_list_20251230.csv"],
            options=Options(where=(("city", "东莞"),)),
        )
    ]
    assert len(rows) == 51
    assert sum(r.town is not None for r in rows) >= 0.9 * len(rows)


def test_mapping_file_and_csv_output(store_file: Path, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "odd.csv",
        [["东莞市甲电池有限公司", "广东省东莞市塘厦镇", "锂电池"]],
        header=["单位", "住址", "做什么"],
    )
    assert run("classify", path).exit_code == 1  # no known header: says so
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "columns:\n  单位: legal_name\n  住址: address\n  做什么: products\n", encoding="utf-8"
    )
    result = run("classify", path, "--mapping", mapping, "--format", "csv")
    assert result.exit_code == 0, result.output
    (row,) = list(csv.DictReader(result.stdout.lstrip("\ufeff").splitlines()))
    assert row["town"] == "塘厦镇" and row["chains"] == "chain:energy"
    assert row["line"] == "2"
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns:\n  单位: nonsense\n", encoding="utf-8")
    failed = run("classify", path, "--mapping", bad)
    assert failed.exit_code == 1 and "unknown field" in failed.stderr


def test_synthetic_registry_is_seeded_and_marked(store: NetworkxStore, tmp_path: Path) -> None:
    from chaingraph.classify.synthetic import registry_rows

    first = list(registry_rows(store, 30, seed=3))
    assert first == list(registry_rows(store, 30, seed=3))
    assert first != list(registry_rows(store, 30, seed=4))
    assert all("synthetic" in row[7] for row in first)
    assert all(stdnum_uscc.is_valid(row[1]) for row in first)
    with open(SAMPLE, encoding="utf-8") as fh:
        assert all("synthetic" in r["来源"] for r in csv.DictReader(fh))


def test_special_files_and_xlsx_bombs_are_refused(store: NetworkxStore, tmp_path: Path) -> None:
    """A FIFO named like a table is refused before it is opened (it would block forever),
    and an xlsx whose shared strings would not fit memory is refused before openpyxl reads it."""
    import os

    from tests.bombs import NS, repeated, workbook

    fifo = tmp_path / "registry.csv"
    os.mkfifo(fifo)
    with pytest.raises(DataError) as caught:
        list(classify_files(store, [fifo]))
    assert "regular file" in str(caught.value)

    bomb = tmp_path / "registry.xlsx"
    sst = b'<?xml version="1.0" encoding="UTF-8"?><sst ' + NS + b">"
    workbook(bomb, shared=repeated(sst + b"<si><t>", b"A", 1 << 30, b"</t></si></sst>"))
    with pytest.raises(DataError) as caught:
        list(classify_files(store, [bomb]))
    assert "registry.xlsx" in str(caught.value)
