"""Vocabulary of ``chaingraph classify`` added in the sixth pass (issue 19): real products
of a chain segment that no term named (ontology/matching/keywords.yaml). One test per
family: the term places a firm's revenue line in its segment, and the exclusions keep the
ambiguous words out. Firms, codes and shares are made up."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from chaingraph.classify import ClassifiedRow, classify_files
from chaingraph.store.networkx import NetworkxStore

LINES = ["股票代码", "简称", "主营构成", "占比"]


@pytest.fixture(scope="module")
def store(bundled_store_path: Path) -> NetworkxStore:
    # classify reads the store and writes nothing, so the session's shared file will do
    return NetworkxStore.open(bundled_store_path)


def classify_lines(
    store: NetworkxStore, tmp_path: Path, firms: dict[str, list[tuple[str, float]]]
) -> dict[str, ClassifiedRow]:
    """Classify one revenue-line file: {stock code: [(line, share)]} → rows by stock code."""
    path = tmp_path / "lines.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(LINES)
        for code, lines in firms.items():
            writer.writerows((code, f"测试{code}", label, share) for label, share in lines)
    return {row.stock_code or "": row for row in classify_files(store, [path])}


def segment_ids(row: ClassifiedRow) -> set[str]:
    return {s["id"] for s in row.segments}


def product_ids(row: ClassifiedRow) -> set[str]:
    return {p["id"] for p in row.products}


def test_pv_and_energy_saving_glass(store: NetworkxStore, tmp_path: Path) -> None:
    rows = classify_lines(
        store,
        tmp_path,
        {
            "600901": [("太阳能光伏减反玻璃", 0.97)],
            "600902": [("浮法玻璃原片", 0.80), ("节能建筑玻璃", 0.12)],
            # appliance panel glass is no display cover glass: the PV glass line decides
            "600903": [("家电盖板玻璃", 0.57), ("光伏玻璃", 0.20), ("家电玻璃", 0.15)],
        },
    )
    assert rows["600901"].chains == ["chain:materials"]
    assert "prod:pv-glass" in product_ids(rows["600901"])
    assert rows["600902"].chains == ["chain:materials"]
    assert "seg:materials.energy.green" in segment_ids(rows["600902"])
    assert rows["600903"].chains == ["chain:materials"]
    assert "prod:cover-glass" not in product_ids(rows["600903"])


def test_polymer_and_electronic_films(store: NetworkxStore, tmp_path: Path) -> None:
    rows = classify_lines(
        store,
        tmp_path,
        {
            "600911": [("功能性聚酯薄膜", 0.91)],
            "600912": [("电磁屏蔽膜", 0.99)],
            "600913": [("高端氟材料", 0.30), ("含氟聚合物", 0.26)],
            "600914": [("纸质载带", 0.76), ("胶带", 0.21)],
        },
    )
    for code in ("600911", "600912", "600913", "600914"):
        assert rows[code].chains == ["chain:materials"], code
    assert "seg:materials.polymer" in segment_ids(rows["600911"])
    assert "seg:materials.electronic" in segment_ids(rows["600912"])
    assert "seg:materials.polymer" in segment_ids(rows["600913"])
    assert "seg:materials.electronic" in segment_ids(rows["600914"])


def test_metal_powders_rare_metals_zirconia_and_fibres(
    store: NetworkxStore, tmp_path: Path
) -> None:
    rows = classify_lines(
        store,
        tmp_path,
        {
            "600921": [("区熔锗", 0.53), ("高纯二氧化锗", 0.41)],
            # 电容 in 电容氧化锆 is the powder's market, not a capacitor
            "600922": [("二氧化锆", 0.40), ("电容氧化锆", 0.30)],
            "600923": [("超细钴粉", 0.60)],
            "600924": [("陶瓷纤维制品", 0.80), ("玄武岩纤维", 0.10)],
        },
    )
    for code in ("600921", "600922", "600923", "600924"):
        assert rows[code].chains == ["chain:materials"], code
    assert "seg:materials.raw.metal" in segment_ids(rows["600921"])
    assert product_ids(rows["600922"]) == {"prod:ceramic-powder"}
    assert "seg:materials.raw.metal" in segment_ids(rows["600923"])
    assert "seg:materials.composite" in segment_ids(rows["600924"])


def test_sputtering_targets_are_ic_materials(store: NetworkxStore, tmp_path: Path) -> None:
    rows = classify_lines(
        store, tmp_path, {"600931": [("铝靶", 0.40), ("钽靶", 0.30), ("钨钛靶", 0.20)]}
    )
    assert rows["600931"].chains == ["chain:ic"]
    assert product_ids(rows["600931"]) == {"prod:sputtering-target"}


def test_components_terminals_and_vehicles(store: NetworkxStore, tmp_path: Path) -> None:
    rows = classify_lines(
        store,
        tmp_path,
        {
            "600941": [("管状熔断器", 0.64), ("自复保险丝", 0.06)],
            "600942": [("谐振器SMD", 0.66), ("谐振器DIP", 0.32)],
            "600943": [("红外截止滤光片", 1.0)],
            "600944": [("数字机顶盒", 0.60), ("房地产", 0.40)],
            # a service robot (robot vacuum) is consumer smart hardware, not an industrial robot
            "600945": [("自有品牌服务机器人", 0.67), ("扫地机器人", 0.20)],
            "600946": [("高级辅助驾驶系统", 0.56), ("智能驾驶", 0.20)],
            "600947": [("高速公路ETC设备", 0.97)],
            "600948": [("用户端智能电力仪表", 0.68)],
        },
    )
    for code in rows:
        assert rows[code].chains == ["chain:ngit"], code
    assert product_ids(rows["600941"]) == {"prod:passive-components"}
    assert product_ids(rows["600942"]) == {"prod:passive-components"}
    assert "seg:ngit.components.optoelectronic" in segment_ids(rows["600943"])
    assert "seg:ngit.terminal" in segment_ids(rows["600944"])
    assert product_ids(rows["600945"]) == {"prod:smart-hardware"}
    assert "prod:intelligent-connected-vehicle" in product_ids(rows["600946"])
    assert "seg:ngit.icv" in segment_ids(rows["600947"])
    assert product_ids(rows["600948"]) == {"prod:iot-terminal"}


def test_biologics_dosage_forms_and_home_devices(store: NetworkxStore, tmp_path: Path) -> None:
    rows = classify_lines(
        store,
        tmp_path,
        {
            "600951": [("注射用鼠神经生长因子", 0.99)],
            "600952": [("干扰素", 0.60)],
            "600953": [("对比剂", 0.93), ("细胞免疫治疗", 0.13)],
            "600954": [("粉尘螨滴剂", 0.94)],
            "600955": [("家用医疗", 0.60)],
        },
    )
    for code in rows:
        assert rows[code].chains == ["chain:biomed"], code
    assert "seg:biomed.pharma.biologics" in segment_ids(rows["600951"])
    assert "seg:biomed.pharma.biologics" in segment_ids(rows["600952"])
    assert "seg:biomed.pharma" in segment_ids(rows["600953"])
    assert "prod:cell-gene-therapy" in product_ids(rows["600953"])
    assert "seg:biomed.pharma" in segment_ids(rows["600954"])
    assert product_ids(rows["600955"]) == {"prod:home-diagnostic-device"}


def test_streaming_data_centre_cooling_and_network_maintenance(
    store: NetworkxStore, tmp_path: Path
) -> None:
    rows = classify_lines(
        store,
        tmp_path,
        {
            "600961": [("流媒体", 0.36), ("IPTV业务", 0.20)],
            "600962": [("机房温控节能", 0.52), ("户外柜温控", 0.40)],
            # telecom network maintenance is a digital service, not telecom equipment
            "600963": [("通信网络管维", 0.66), ("通信网络维护与优化服务", 0.30)],
        },
    )
    for code in rows:
        assert rows[code].chains == ["chain:digital"], code
    assert "seg:digital.ai.foundation.computing" in segment_ids(rows["600962"])


def test_equipment_synonyms_winding_freeze_drying_ships_and_navigation(
    store: NetworkxStore, tmp_path: Path
) -> None:
    rows = classify_lines(
        store,
        tmp_path,
        {
            "600971": [("自动化生产设备", 0.85)],
            "600972": [("工业视觉装备", 0.82), ("智能制造设备", 0.50)],
            "600973": [("绕线机非标机", 0.57), ("嵌线机", 0.23)],
            # a freeze dryer is pharma equipment, not a drug
            "600974": [("冻干系统设备", 0.48), ("冻干机", 0.14)],
            "600975": [("造船业务", 0.80)],
            "600976": [("惯性导航", 0.75)],
        },
    )
    for code in ("600971", "600972", "600973", "600974", "600975"):
        assert rows[code].chains == ["chain:equipment"], code
    assert "seg:equipment.smart-equipment" in segment_ids(rows["600971"])
    assert "prod:machine-vision" in product_ids(rows["600972"])
    assert "seg:equipment.smart-equipment" in segment_ids(rows["600973"])
    assert rows["600976"].chains == ["chain:ngit"]


def test_synonyms_of_existing_terms_and_their_markets(store: NetworkxStore, tmp_path: Path) -> None:
    rows = classify_lines(
        store,
        tmp_path,
        {
            "600981": [("光通讯器件", 0.60)],
            # 光通讯用 names the market of a quartz-glass material: no optical gear
            "600982": [("光通讯用石英玻璃材料", 0.60)],
            "600983": [("发光二极管芯片", 0.70)],
            "600984": [("红外成像仪", 0.50)],
            "600985": [("锂化物系列", 0.40), ("新能源电池壳", 0.20)],
            "600986": [("注塑", 0.70), ("SMT", 0.30)],
            "600987": [("低压集抄终端", 0.60)],
            "600988": [("电视机结构件", 0.62)],
            "600989": [("半导体封测装备类", 0.60)],
        },
    )
    assert "seg:ngit.comm-equipment.optical" in segment_ids(rows["600981"])
    assert "chain:ngit" not in rows["600982"].chains
    assert rows["600982"].chains == ["chain:materials"]
    assert product_ids(rows["600983"]) == {"prod:led-chip"}
    assert rows["600984"].chains == ["chain:ngit"]
    assert rows["600985"].chains == ["chain:energy"]
    assert {"prod:lithium-compounds", "prod:lightweight-structural-parts"} <= product_ids(
        rows["600985"]
    )
    assert product_ids(rows["600986"]) == {"prod:pcba"}
    assert product_ids(rows["600987"]) == {"prod:iot-terminal"}
    assert product_ids(rows["600988"]) == {"prod:precision-structural-part"}
    assert rows["600989"].chains == ["chain:ic"]
    assert "seg:ic.equipment.back-end" in segment_ids(rows["600989"])


def test_cloud_campus_films_blow_moulding_and_vitamins(
    store: NetworkxStore, tmp_path: Path
) -> None:
    rows = classify_lines(
        store,
        tmp_path,
        {
            # an ASCII term matches a whole ASCII word only: E-SaaS, not EdSaaS
            "600991": [("E-SaaS业务", 0.36), ("家校互动信息服务", 0.60)],
            "600997": [("EdSaaS业务", 0.36), ("家校互动信息服务", 0.60)],
            "600992": [("智慧校园应用解决方案", 0.58)],
            "600993": [("BOPP平膜", 0.25), ("BOPET膜", 0.25), ("烟标", 0.50)],
            "600994": [("薄膜吹塑机", 0.99)],
            "600995": [("合成维生素E系列", 0.35), ("社会配送", 0.44)],
            # feed-grade vitamins are a feed additive
            "600996": [("饲料级维生素D", 0.60)],
        },
    )
    assert "seg:digital.cloud" in segment_ids(rows["600991"])
    assert rows["600997"].chains == []
    assert rows["600992"].chains == ["chain:digital"]
    assert rows["600993"].chains == ["chain:materials"]
    assert rows["600994"].chains == ["chain:equipment"]
    assert product_ids(rows["600995"]) == {"prod:api"}
    assert rows["600996"].chains == []
