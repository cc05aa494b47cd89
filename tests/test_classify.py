"""chaingraph classify and load --classify: matching, towns, identity, conflicts, readers."""

from __future__ import annotations

import csv
import gzip
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import orjson
import pytest
import xlwt
from click.testing import CliRunner, Result
from stdnum.cn import uscc as stdnum_uscc

from chaingraph.classify import Options, classify_files, classify_report
from chaingraph.classify.load import load_classified
from chaingraph.cli import cli
from chaingraph.dataset import STORE_ENV
from chaingraph.errors import ConfigError, DataError
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
def bundled_file(bundled_store_path: Path) -> Path:
    return bundled_store_path


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


def by_legal_name(
    store: NetworkxStore, tmp_path: Path, rows_in: list[tuple[str, str]], block: str
) -> dict[str, Any]:
    """Classify firms given as (legal name, revenue lines), each with a credit code of
    its own (``block`` keeps a test's codes apart); rows by legal name."""
    path = write_csv(
        tmp_path / "r.csv",
        [
            firm(name, uscc(f"91441900MA0000{block}{i:X}1"), "", "", lines)
            for i, (name, lines) in enumerate(rows_in)
        ],
    )
    return {r.legal_name: r for r in one(store, path)}


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
        # (4) vocabulary: bare 仪器/试纸/试剂, 电池和配件, 红外探测器; lighting is in no chain
        ("壬医疗股份有限公司", "仪器(40%)、试纸(30%)、试剂(30%)"),
        ("癸电池股份有限公司", "电池和配件(95%)"),
        ("子照明股份有限公司", "户外照明(60%)、室内照明(30%)"),
        ("丑微纳股份有限公司", "红外探测器(49%)、红外热像仪整机(47%)"),
        ("寅信息股份有限公司", "信息化解决方案(86%)"),
        # wire for cars is no car electronics
        ("卯线材股份有限公司", "漆包线(60%)、汽车电子线(19%)"),
    ]
    chains = {k: r.chains for k, r in by_legal_name(store, tmp_path, rows_in, block="3").items()}
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
    assert chains["子照明股份有限公司"] == []
    assert chains["丑微纳股份有限公司"] == ["chain:ngit"]
    assert chains["寅信息股份有限公司"] == ["chain:digital"]
    assert chains["卯线材股份有限公司"] == []


def test_service_lines_heads_distributors_and_vocabulary(
    store: NetworkxStore, tmp_path: Path
) -> None:
    rows_in = [
        # (1) a line ending in a service word makes nothing for a manufacturing chain ...
        ("甲监理股份有限公司", "通信监理(71%)、电力监理(19%)"),
        ("乙网络股份有限公司", "通信管线工程(68%)、通信网络建设(20%)"),
        # ... while a service term of its own (通信服务) and packaging-testing still count
        ("丙通信股份有限公司", "通信服务(80%)"),
        ("丁微电子股份有限公司", "集成电路封装测试服务(90%)"),
        # (2) the head term decides: an LED driver chip is a chip, not LED lighting
        ("戊半导体股份有限公司", "通用LED照明驱动芯片(83%)、智能LED照明驱动芯片(14%)"),
        # (3) a wholesaler's 药品 line is what it sells; a maker's 药品 line still counts
        ("己医药股份有限公司", "药品(96%)、批发(93%)、零售(7%)"),
        ("庚药业股份有限公司", "药品(90%)、零售(7%)"),
        # ... and so are its 中成药/中药饮片 lines; a product term (注射液) still counts
        ("辛医药股份有限公司", "注射液(40%)、中成药(89%)、药品批发(80%)"),
        ("丙医药股份有限公司", "中成药(89%)、药品批发(80%)"),
        # (4) vocabulary: PV wafers and cells are 新材料, satellites 新一代信息技术
        ("壬光伏股份有限公司", "单晶硅片(58%)、电池片(30%)"),
        ("癸卫星股份有限公司", "卫星研制(100%)、航天技术应用(100%)"),
        ("子能源股份有限公司", "锂离子聚合物电池(80%)"),
        ("丑机床股份有限公司", "数控机床(47%)、普通机床(31%)"),
        # cranes, material handling and diamond tools are in no chain; a crystal-growth
        # furnace is PV/semiconductor equipment, not a wafer
        ("寅重工股份有限公司", "物料搬运装备(49%)、起重装备(49%)"),
        ("卯工具股份有限公司", "金刚石工具(73%)"),
        ("辰机电股份有限公司", "全自动单晶硅生长炉(90%)"),
        ("巳科技股份有限公司", "光电材料(60%)、电容膜(30%)"),
        # (5) a term right after 非 is negated; a foaming agent named ADC is no drug
        ("午连锁股份有限公司", "非药品(60%)、非安防类(30%)"),
        ("未化工股份有限公司", "ADC发泡剂(87%)"),
        ("申通信股份有限公司", "通信网络建设服务(58%)、通信网络代维服务(30%)"),
        # (6) market words: a sensor line alone, marine parts; a retailer's laptops; a
        # film-blowing machine is no film
        ("酉汽配股份有限公司", "汽车传感器(35%)、液位传感器(27%)、燃油系统附件(38%)"),
        ("戌橡塑股份有限公司", "船用舱盖橡胶部件(60%)、轨道交通用(35%)"),
        ("亥数码股份有限公司", "IT连锁业务(83%)、笔记本(15%)、通讯(15%)"),
        ("甲机械股份有限公司", "薄膜吹塑机(99%)"),
        ("乙芯片股份有限公司", "芯片设计服务(70%)、通信设计服务(20%)"),
        # (7) pesticide formulations, mining and diving gear; optical elements are
        # optoelectronic parts; an internet ad line is digital while an outdoor ad is not
        ("丙农化股份有限公司", "农药制剂(60%)、农药原药(30%)"),
        ("丁矿机股份有限公司", "采掘装备(60%)、矿山装备(30%)"),
        ("戊潜水股份有限公司", "潜水装备制造(74%)"),
        ("己光学股份有限公司", "光学元件系列(53%)、光学元件组件系列(47%)"),
        ("庚传媒股份有限公司", "互联网广告服务(60%)"),
        ("辛传媒股份有限公司", "户外广告(60%)"),
        ("壬车业股份有限公司", "电动车(60%)、自行车(30%)"),
        # (8) 装备 alone is a market word (oil-field, power, mining gear); 智能装备 is not
        ("癸油服股份有限公司", "油气装备制造(73%)、电气装备用电线(20%)"),
        ("子智能股份有限公司", "智能装备(60%)、高端装备(30%)"),
        # a maker with a large wholesale arm below the distributor share keeps its lines
        ("丑药业股份有限公司", "药品(57%)、批发零售(57%)、工业(43%)"),
        # (9) one business listed twice (by product, by industry) counts once toward the
        # chain share; generic lines add no share to a small specific one
        ("寅电子股份有限公司", "集成电路和关键元器件(8%)、集成电路与关键元器件(7%)"),
        ("卯复材股份有限公司", "整线装备(62%)、农业智能装备(6%)"),
        # PV projects and cables carry their market in front; PV cells called chips
        ("辰电气股份有限公司", "光伏项目(18%)、通信电缆(60%)"),
        ("巳新能股份有限公司", "晶体硅太阳电池芯片(52%)、射频同轴电缆(30%)"),
    ]
    rows = by_legal_name(store, tmp_path, rows_in, block="4")
    chains = {name: row.chains for name, row in rows.items()}
    assert chains["甲监理股份有限公司"] == []
    assert chains["乙网络股份有限公司"] == []
    assert chains["丙通信股份有限公司"] == ["chain:digital"]
    assert chains["丁微电子股份有限公司"] == ["chain:ic"]
    assert chains["戊半导体股份有限公司"] == ["chain:ic"]
    assert chains["己医药股份有限公司"] == []
    assert chains["庚药业股份有限公司"] == ["chain:biomed"]
    assert chains["辛医药股份有限公司"] == ["chain:biomed"]
    assert chains["丙医药股份有限公司"] == []
    assert chains["壬光伏股份有限公司"] == ["chain:materials"]
    assert chains["癸卫星股份有限公司"] == ["chain:ngit"]  # 航天 is generic: a market word
    assert chains["子能源股份有限公司"] == ["chain:energy"]
    assert [p["id"] for p in rows["子能源股份有限公司"].products] == ["prod:consumer-li-battery"]
    # 数控机床 names the product (a MAKES target), not only its segment
    assert chains["丑机床股份有限公司"] == ["chain:equipment"]
    assert "prod:cnc-machine-tool" in [p["id"] for p in rows["丑机床股份有限公司"].products]
    assert chains["寅重工股份有限公司"] == []
    assert chains["卯工具股份有限公司"] == []
    assert chains["辰机电股份有限公司"] == ["chain:equipment"]
    assert chains["午连锁股份有限公司"] == []
    assert chains["未化工股份有限公司"] == []
    assert chains["申通信股份有限公司"] == []
    assert chains["酉汽配股份有限公司"] == []
    assert chains["戌橡塑股份有限公司"] == []
    assert chains["亥数码股份有限公司"] == []
    # a film-blowing machine is no film: a machine (吹塑机, plastic-forming equipment)
    assert chains["甲机械股份有限公司"] == ["chain:equipment"]
    assert chains["乙芯片股份有限公司"] == ["chain:ic"]
    assert chains["丙农化股份有限公司"] == []
    assert chains["丁矿机股份有限公司"] == []
    assert chains["戊潜水股份有限公司"] == []
    assert chains["己光学股份有限公司"] == ["chain:ngit"]
    assert chains["庚传媒股份有限公司"] == ["chain:digital"]
    assert chains["辛传媒股份有限公司"] == []
    assert chains["壬车业股份有限公司"] == []  # 电动车 alone: e-bikes or toys as often as EVs
    assert chains["癸油服股份有限公司"] == []
    assert chains["子智能股份有限公司"] == ["chain:equipment"]
    assert chains["丑药业股份有限公司"] == ["chain:biomed"]
    assert chains["寅电子股份有限公司"] == []
    assert chains["卯复材股份有限公司"] == []
    assert chains["辰电气股份有限公司"] == []
    assert chains["巳新能股份有限公司"] == ["chain:materials", "chain:ngit"]
    assert chains["巳科技股份有限公司"] == ["chain:materials"]


def test_a_segment_named_after_the_firm_is_no_evidence(
    store: NetworkxStore, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "lines.csv",
        [
            ["300999", "甲纳米", "甲纳米", "0.98"],
            ["300999", "甲纳米", "纳米磷酸铁锂", "0.96"],
        ],
        header=["股票代码", "简称", "主营构成", "占比"],
    )
    (row,) = one(store, path)
    assert row.chains == ["chain:energy"]  # the lines name LFP; the firm's own name is no 纳米
    assert not any("甲纳米 (98%)" in w for w in row.why)
    # a firm whose short name is a term of its own (机器人) keeps the lines that name it
    path = write_csv(
        tmp_path / "lines2.csv",
        [["300024", "机器人", "工业机器人", "0.31"]],
        header=["股票代码", "简称", "主营构成", "占比"],
    )
    (row,) = one(store, path)
    assert row.chains == ["chain:equipment"]


def test_service_scope_items_and_rules_are_data(store: NetworkxStore, tmp_path: Path) -> None:
    from chaingraph.classify.knowledge import load_knowledge
    from chaingraph.classify.text import text_hits

    knowledge = load_knowledge(store)
    # a business-scope item naming the upkeep of a product is a service too
    assert text_hits(knowledge, "通信设备维修", "medium", 0.5) == []
    assert [h.target.chain for h in text_hits(knowledge, "通信设备制造", "medium", 0.5)] == [
        "chain:ngit"
    ]
    # the lists are data: a matching folder whose service_lines name no real chain is refused
    folder = tmp_path / "matching"
    shutil.copytree(Path(__file__).resolve().parent.parent / "ontology" / "matching", folder)
    keywords = folder / "keywords.yaml"
    keywords.write_text(
        keywords.read_text(encoding="utf-8").replace(
            "chains: [chain:ngit, chain:ic,", "chains: [chain:nope, chain:ic,"
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="service_lines chains 'chain:nope'"):
        load_knowledge(store, folder)


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


def test_lighting_pv_markets_and_part_lines(store: NetworkxStore, tmp_path: Path) -> None:
    """Fourth precision pass (issue 19): rules that come from the ontology's segments."""
    rows_in = [
        # (1) lamps and luminaires, LED or not, are in no chain; LED packages are ngit
        ("甲照明股份有限公司", "LED光源(52%)、LED灯泡(34%)、LED灯具(17%)"),
        ("乙光电股份有限公司", "LED封装(80%)、LED照明(20%)"),
        ("丙光电股份有限公司", "半导体光应用(73%)"),
        # (2) bare 光伏 is a market word: PV mounts and PV segments make no PV material;
        # PV cells still do
        ("丁能源股份有限公司", "光伏支架(89%)、光伏经营分部(75%)"),
        ("戊能源股份有限公司", "电池片(60%)、光伏业务(40%)"),
        # (3) 高铁 and 生物识别 are markets beside a product
        ("己涂料股份有限公司", "高铁(55%)、防腐涂料(30%)"),
        ("庚光学股份有限公司", "光学元器件(80%)、生物识别(13%)"),
        # (4) chemicals for capacitors, die-cast alloy parts, a chip maker's wafer processing
        ("辛化学股份有限公司", "电容器化学品(70%)"),
        ("壬汽车股份有限公司", "镁合金压铸(60%)"),
        ("癸微电子股份有限公司", "集成电路(85%)、硅片加工(11%)"),
        # (5) a line ending in 平台 is a platform (software), not the hardware it names
        ("子信息股份有限公司", "统一通信平台(80%)"),
        # (6) a thing made of a material is not the material; a pesticide maker's 制剂
        ("丑胶带股份有限公司", "普通高分子材料轻型输送带(81%)"),
        ("寅化工股份有限公司", "中间体(45%)、原药(30%)、制剂(21%)"),
        ("卯药业股份有限公司", "中药原药材(30%)、制剂(70%)"),
        # (7) a line ending in a lamp names a lamp; empty capsule shells are no drug
        ("辰新能股份有限公司", "LED太阳能草坪灯(50%)、光伏与LED照明(26%)"),
        ("巳胶囊股份有限公司", "肠溶空心胶囊(60%)"),
    ]
    chains = {k: r.chains for k, r in by_legal_name(store, tmp_path, rows_in, block="4").items()}
    assert chains["甲照明股份有限公司"] == []
    assert chains["乙光电股份有限公司"] == ["chain:ngit"]
    assert chains["丙光电股份有限公司"] == []
    assert chains["丁能源股份有限公司"] == []
    assert chains["戊能源股份有限公司"] == ["chain:materials"]
    assert chains["己涂料股份有限公司"] == []
    assert chains["庚光学股份有限公司"] == ["chain:ngit"]
    assert chains["辛化学股份有限公司"] == ["chain:materials"]
    assert chains["壬汽车股份有限公司"] == []
    assert chains["癸微电子股份有限公司"] == ["chain:ic"]
    assert "chain:ngit" not in chains["子信息股份有限公司"]
    assert chains["丑胶带股份有限公司"] == []
    assert chains["寅化工股份有限公司"] == []
    assert chains["卯药业股份有限公司"] == ["chain:biomed"]
    assert chains["辰新能股份有限公司"] == []
    assert chains["巳胶囊股份有限公司"] == []


def test_side_chain_share_and_vocabulary(store: NetworkxStore, tmp_path: Path) -> None:
    """A chain beside the firm's main one needs lines of ``min_side_chain_share``
    (default 20%); a firm's only chain keeps the ``min_chain_share`` floor (10%)."""
    rows_in = [
        # main chain ic (85%), a 15% ngit line beside it: dropped at 20%, kept at 10%
        ("甲芯片股份有限公司", "集成电路(85%)、手机(15%)"),
        # two chains of 45% and 25%: both stand
        ("乙电子股份有限公司", "印制电路板(45%)、锂电池(25%)"),
        # one chain of 12%: the chain floor (10%) alone applies
        ("丙实业股份有限公司", "锂电池(12%)、房地产(88%)"),
        # vocabulary: dosage forms, patient monitors, smart cards, security gateways
        ("丁药业股份有限公司", "滴眼剂(60%)、眼膏剂(40%)"),
        ("戊医疗股份有限公司", "病人监护(40%)、心电图机(25%)、B超整机(12%)"),
        ("己卡业股份有限公司", "智能卡(80%)"),
        ("庚信息股份有限公司", "安全网关(33%)、数据安全与平台(19%)"),
        ("辛新材股份有限公司", "熔融硅微粉(47%)、结晶硅微粉(44%)"),
        # 制卡 (card making) inside 控制卡 is not a smart card: a motion-control card
        ("壬控制股份有限公司", "运动控制卡(70%)、伺服驱动器(30%)"),
    ]
    path = write_csv(
        tmp_path / "r.csv",
        [
            firm(name, uscc(f"91441900MA00005{i:X}1"), "", "", lines)
            for i, (name, lines) in enumerate(rows_in)
        ],
    )
    chains = {r.legal_name: r.chains for r in one(store, path)}
    assert chains["甲芯片股份有限公司"] == ["chain:ic"]
    assert chains["乙电子股份有限公司"] == ["chain:energy", "chain:ngit"]
    assert chains["丙实业股份有限公司"] == ["chain:energy"]
    assert chains["丁药业股份有限公司"] == ["chain:biomed"]
    assert chains["戊医疗股份有限公司"] == ["chain:biomed"]
    assert chains["己卡业股份有限公司"] == ["chain:ngit"]
    assert chains["壬控制股份有限公司"] == ["chain:equipment"]
    assert chains["庚信息股份有限公司"] == ["chain:digital"]
    assert chains["辛新材股份有限公司"] == ["chain:materials"]
    low = {
        r.legal_name: r.chains for r in one(store, path, options=Options(min_side_chain_share=0.10))
    }
    assert low["甲芯片股份有限公司"] == ["chain:ic", "chain:ngit"]


def test_a_segment_named_as_its_own_product_writes_that_product(
    store: NetworkxStore, tmp_path: Path
) -> None:
    """智能手机 names the segment and its product: the row reads as the segment and a load
    makes the product (it made no product before); 机械手 is an industrial robot."""
    rows_in = [("甲通信股份有限公司", "智能手机(90%)"), ("乙机械股份有限公司", "注塑机械手(80%)")]
    rows = by_legal_name(store, tmp_path, rows_in, block="6")
    phone = rows["甲通信股份有限公司"]
    assert phone.chains == ["chain:ngit"]
    assert [p["id"] for p in phone.products] == ["prod:smartphone"]
    assert [p["id"] for p in rows["乙机械股份有限公司"].products] == ["prod:industrial-robot"]
