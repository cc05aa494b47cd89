"""Loaders: every input format, encodings, deduplication, precise errors, all or nothing.

Fixtures under tests/data/ are synthetic (see tests/data/README.md); encoding variants
and broken files are written by the tests into tmp_path.
"""

from __future__ import annotations

import codecs
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import orjson
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from chaingraph.errors import DataError, Issue
from chaingraph.loaders import load_files, prepare, validate_files
from chaingraph.loaders.encoding import decode_bytes
from chaingraph.model import Node
from chaingraph.names import normalize_text
from chaingraph.resources import data_dir
from chaingraph.store.networkx import NetworkxStore

DATA = Path(__file__).resolve().parent / "data"
CHAIN = DATA / "demo-chain.yaml"
FIRMS = DATA / "demo-firms.csv"
RELS = DATA / "demo-relationships.csv"
SECTIONED = DATA / "demo-sectioned.jsonl"
HEADER = FIRMS.read_text(encoding="utf-8").splitlines()[0]
USCC_A = "91441900DEMX00001A"  # valid check characters, not real registrations
USCC_B = "91441900DEMX00002D"


def chain_store() -> NetworkxStore:
    store = NetworkxStore()
    load_files(store, [CHAIN])
    return store


def issues(paths: Sequence[Path], store: NetworkxStore | None = None, **kw: str) -> list[Issue]:
    prepared = prepare(store or NetworkxStore(), paths, **kw)
    return list(prepared.issues)


def only_issue(paths: Sequence[Path], store: NetworkxStore | None = None, **kw: str) -> Issue:
    found = issues(paths, store, **kw)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def firms_csv(tmp_path: Path, *rows: str, name: str = "firms.csv") -> Path:
    return write(tmp_path / name, "\n".join([HEADER, *rows]) + "\n")


def companies(store: NetworkxStore) -> dict[str, Node]:
    return {n.name: n for n in store.nodes("Company")}


def snapshot(store: NetworkxStore) -> tuple[list, list]:
    return (
        sorted(
            (n.id, n.type, orjson.dumps(n.props, option=orjson.OPT_SORT_KEYS))
            for n in store.nodes()
        ),
        sorted(
            (*r.identity, orjson.dumps(r.props, option=orjson.OPT_SORT_KEYS))
            for r in store.relationships()
        ),
    )


# -- formats ---------------------------------------------------------------------------


def test_yaml_document() -> None:
    store = NetworkxStore()
    report = load_files(store, [CHAIN])
    assert report.nodes_read == 12
    assert {t: store.count_nodes(t) for t in ("Chain", "Segment", "Product", "Region", "Base")} == {
        "Chain": 1,
        "Segment": 4,
        "Product": 4,
        "Region": 2,
        "Base": 1,
    }
    (chip_input,) = store.relationships("INPUT_TO", source="prod:demo-chip")
    assert chip_input.target == "prod:demo-module"
    assert chip_input.props == {"source": "synthetic-test-data", "as_of": "2024", "cost_share": 0.3}
    (focus,) = store.relationships("FOCUSES_ON")
    assert focus.props["priority"] == 1
    assert store.neighbors("seg:demo.module.optics", "PART_OF") == ["seg:demo.module"]
    assert store.get("prod:demo-sensor").props["source"] == "synthetic-test-data"  # type: ignore[union-attr]


def test_json_document_loads_like_its_yaml(tmp_path: Path) -> None:
    document = yaml.safe_load(CHAIN.read_text(encoding="utf-8"))
    as_json = tmp_path / "demo-chain.json"
    as_json.write_bytes(orjson.dumps(document))
    from_json, from_yaml = NetworkxStore(), NetworkxStore()
    load_files(from_json, [as_json])
    load_files(from_yaml, [CHAIN])
    assert snapshot(from_json) == snapshot(from_yaml)


def test_jsonl_rows_name_their_section_without_a_mapping() -> None:
    store = chain_store()
    load_files(store, [SECTIONED])
    firm = store.require("示例光电")
    assert firm.props["legal_name"] == "东莞示例光电有限公司"
    assert sorted(store.neighbors(firm.id, "MAKES")) == ["prod:demo-device", "prod:demo-sensor"]
    assert store.neighbors(firm.id, "LOCATED_IN") == ["region:zz-demo"]


def test_jsonl_without_section_is_a_precise_issue(tmp_path: Path) -> None:
    path = write(
        tmp_path / "rows.jsonl", '{"section": "companies", "name": "甲"}\n{"name": "乙"}\n'
    )
    issue = only_issue([path])
    assert (issue.line, issue.field, issue.message) == (2, "section", "unknown or missing section")


def test_jsonl_with_a_mapping(tmp_path: Path) -> None:
    path = write(
        tmp_path / "firms.jsonl",
        '{"企业名称": "东莞示例科技有限公司", "股票代码": 300999, "上市板块": "深交所创业板", '
        '"主营产品": ["示例芯片"], "来源": "synthetic-test-data"}\n',
    )
    store = chain_store()
    load_files(store, [path], mapping="companies-cn")
    firm = companies(store)["东莞示例科技有限公司"]
    # JSON numbers where the model wants text (stock codes) become text.
    assert firm.props["listing"] == {"board": "深交所创业板", "code": "300999"}
    assert store.neighbors(firm.id, "MAKES") == ["prod:demo-chip"]


def test_csv_with_the_bundled_companies_mapping() -> None:
    store = chain_store()
    report = load_files(store, [FIRMS], mapping="companies-cn")
    assert report.nodes_read == 3
    firms = companies(store)
    assert sorted(firms) == ["示例传感", "示例模组集团", "示例芯片设计"]
    group = firms["示例模组集团"].props
    assert group["listing"] == {"board": "深交所主板", "code": "001234"}  # leading zeros kept
    assert group["revenue_cny_100m"] == 1204.5  # "1,204.5"
    assert group["founded"] == 2008
    assert group["tags"] == ["上市", "龙头企业"]
    sensor = firms["示例传感"].props
    assert sensor["tags"] == ["专精特新", "高新技术企业"]  # split on 、
    assert sensor["as_of"] == "2024-06"
    chip = firms["示例芯片设计"]
    assert store.neighbors(chip.id, "LOCATED_IN") == ["region:zz-demo"]
    assert store.neighbors(firms["示例模组集团"].id, "LOCATED_IN") == ["region:zz-demo-park"]
    # 所在地区 feeds hq, so the other header for it (注册地) is not missing (issue 16).
    assert not any("注册地" in w for w in report.warnings)


def test_tsv_with_a_sidecar_mapping(tmp_path: Path) -> None:
    table = tmp_path / "firms.tsv"
    table.write_text(FIRMS.read_text(encoding="utf-8").replace(",", "\t"), encoding="utf-8")
    # "1,204.5" was quoted in the CSV; in TSV the quotes would be literal.
    table.write_text(table.read_text(encoding="utf-8").replace('"1\t204.5"', "1204.5"), "utf-8")
    shutil.copy(
        data_dir("ingest") / "mappings" / "companies-cn.yaml", tmp_path / "firms.mapping.yaml"
    )
    from_tsv, from_csv = chain_store(), chain_store()
    load_files(from_tsv, [table])
    load_files(from_csv, [FIRMS], mapping="companies-cn")
    assert snapshot(from_tsv)[0] == snapshot(from_csv)[0]


def test_xlsx_written_with_openpyxl(tmp_path: Path) -> None:
    import datetime as dt

    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "说明"
    notes.append(["合成测试数据 synthetic-test-data"])
    sheet = book.create_sheet("企业名录")
    sheet.append(["示例企业名单（合成测试数据）"])  # a title row above the header
    sheet.append([])
    sheet.append(
        [
            "企业名称",
            "统一社会信用代码",
            "主营产品",
            "股票代码",
            "上市板块",
            "成立年份",
            "数据日期",
            "来源",
        ]
    )
    sheet.append(["东莞示例表格有限公司", USCC_A, "示例传感器、示例芯片", 300999, "深交所创业板", 2016,
                  dt.date(2024, 6, 30), "synthetic-test-data"])  # fmt: skip
    sheet.append([None] * 8)
    sheet.append(["示例表格二有限公司", None, "prod:demo-module", None, None, None, 2024, "synthetic-test-data"])  # fmt: skip
    path = tmp_path / "firms.xlsx"
    book.save(path)
    spec = yaml.safe_load(
        (data_dir("ingest") / "mappings" / "companies-cn.yaml").read_text("utf-8")
    )
    spec["sheet"] = "企业名录"
    write(tmp_path / "firms.mapping.yaml", yaml.safe_dump(spec, allow_unicode=True))

    store = chain_store()
    load_files(store, [path])
    firms = companies(store)
    first = firms["东莞示例表格有限公司"]
    assert first.props["uscc"] == USCC_A
    assert first.props["listing"] == {"board": "深交所创业板", "code": "300999"}
    assert first.props["founded"] == 2016
    assert first.props["as_of"] == "2024-06-30"
    assert sorted(store.neighbors(first.id, "MAKES")) == ["prod:demo-chip", "prod:demo-sensor"]
    assert firms["示例表格二有限公司"].props["as_of"] == "2024"


def test_xlsx_errors_name_sheet_and_row(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "名单"
    sheet.append(["企业名称", "成立年份"])
    sheet.append(["示例甲有限公司", "去年"])
    path = tmp_path / "firms.xlsx"
    book.save(path)
    issue = only_issue([path], mapping="companies-cn")
    assert issue.file == str(path)
    assert (issue.line, issue.field) == (2, "founded (column '成立年份')")
    assert issue.message == "not a valid integer"

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    assert "not a readable .xlsx workbook" in only_issue([broken], mapping="companies-cn").message


def test_relationship_table_with_the_bundled_mapping() -> None:
    store = chain_store()
    load_files(store, [FIRMS], mapping="companies-cn")
    load_files(store, [RELS], mapping="relationships")
    group = store.require("示例模组集团").id
    supplies = sorted((r.source, r.key) for r in store.relationships("SUPPLIES", target=group))
    assert supplies == [
        (store.require("示例传感").id, "prod:demo-sensor"),  # 供货: the Chinese label
        (store.require("示例芯片设计").id, "prod:demo-chip"),
    ]
    (site,) = store.relationships("LOCATED_IN", source=group, target="base:demo-base")
    assert (site.key, site.props["role"]) == ("生产", "生产")
    (share,) = store.relationships("INPUT_TO", source="prod:demo-chip", target="prod:demo-device")
    assert share.props["cost_share"] == 0.25


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("firms.csv", "no mapping spec for this table"),
        ("notes.txt", "unsupported file type '.txt'"),
    ],
)
def test_files_that_cannot_be_read_as_data(tmp_path: Path, name: str, message: str) -> None:
    path = write(tmp_path / name, "企业名称\n示例\n")
    assert message in only_issue([path]).message


def test_missing_file_and_unknown_mapping(tmp_path: Path) -> None:
    assert only_issue([tmp_path / "nope.yaml"]).message == "file not found"
    issue = only_issue([FIRMS], mapping="no-such-spec")
    assert (issue.file, issue.message) == ("no-such-spec", "mapping spec not found")


# -- encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-16"])
def test_encodings_government_files_arrive_in(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "firms.csv"
    path.write_bytes(FIRMS.read_text(encoding="utf-8").encode(encoding))
    if encoding == "utf-8-sig":
        assert path.read_bytes().startswith(codecs.BOM_UTF8)
    decoded, reference = chain_store(), chain_store()
    load_files(decoded, [path], mapping="companies-cn")
    load_files(reference, [FIRMS], mapping="companies-cn")
    assert sorted(companies(decoded)) == sorted(companies(reference))


def test_gb18030_characters_beyond_gbk(tmp_path: Path) -> None:
    name = "东莞䶮㐀示例有限公司"  # CJK Extension A: in GB18030, not in GBK
    with pytest.raises(UnicodeEncodeError):
        name.encode("gbk")
    path = tmp_path / "firms.csv"
    path.write_bytes(f"企业名称,来源\n{name},synthetic-test-data\n".encode("gb18030"))
    store = NetworkxStore()
    load_files(store, [path], mapping="companies-cn")
    assert list(companies(store)) == [name]


def test_bom_is_dropped_even_when_utf8_is_forced(tmp_path: Path) -> None:
    path = tmp_path / "firms.csv"
    path.write_bytes(
        codecs.BOM_UTF8 + "企业名称,来源\n示例甲有限公司,synthetic-test-data\n".encode()
    )
    store = NetworkxStore()
    load_files(store, [path], mapping="companies-cn", encoding="utf-8")
    assert list(companies(store)) == ["示例甲有限公司"]


@pytest.mark.parametrize(("encoding", "bad"), [("utf-8", b"\xd5"), ("gbk", b"\xff")])
def test_undecodable_file_names_file_line_and_offset(
    tmp_path: Path, encoding: str, bad: bytes
) -> None:
    # Valid text up to line 3, then bytes no encoding accepts: the error is placed where
    # the encoding that read furthest stopped.
    raw = (
        "企业名称,来源\n示例甲有限公司,synthetic\n".encode(encoding) + b"\xd5\xfe\xff\xff broken\n"
    )
    path = tmp_path / "firms.csv"
    path.write_bytes(raw)
    with pytest.raises(DataError) as caught:
        load_files(NetworkxStore(), [path], mapping="companies-cn")
    (issue,) = caught.value.issues
    assert issue.file == str(path)
    assert issue.line == 3
    assert f"cannot decode byte {bad!r} at offset {raw.index(bad)}" in issue.message
    assert "tried utf-8, gb18030" in issue.message
    assert "--encoding" in (issue.expected or "")
    assert str(path) in str(caught.value)


def test_nul_bytes_and_unknown_encodings(tmp_path: Path) -> None:
    path = tmp_path / "firms.csv"
    path.write_bytes(b"a,b\n1,2\x00\n")
    assert "NUL character" in only_issue([path], mapping="companies-cn").message
    assert only_issue([path], mapping="companies-cn").line == 2
    with pytest.raises(DataError, match="unknown encoding 'klingon'"):
        decode_bytes(b"x", "x.csv", "klingon")


# -- duplicates --------------------------------------------------------------------------


def test_rows_with_one_uscc_are_one_company_with_aliases() -> None:
    store = chain_store()
    report = load_files(store, [FIRMS], mapping="companies-cn")
    firm = store.get("co:" + USCC_A.lower())
    assert firm is not None and firm.name == "示例传感"  # the second row had no short name
    assert firm.props["legal_name"] == "东莞示例传感科技股份有限公司"
    assert "东莞示例传感科技有限公司" in firm.props["aliases"]  # the first row's legal name
    assert sorted(store.neighbors(firm.id, "MAKES")) == ["prod:demo-chip", "prod:demo-sensor"]
    assert any("duplicate of co:91441900demx00001a" in w for w in report.warnings)
    assert store.require("东莞示例传感科技有限公司").id == firm.id


def test_legal_name_spellings_are_one_company() -> None:
    # 东莞示例模组（集团）有限公司 and 东莞示例模组(集团)股份有限公司: full-width brackets,
    # 有限公司 vs 股份有限公司.
    store = chain_store()
    load_files(store, [FIRMS], mapping="companies-cn")
    matches = [n for n in store.nodes("Company") if "示例模组" in n.name]
    assert len(matches) == 1
    (group,) = matches
    assert group.name == "示例模组集团"
    for spelling in (
        "东莞示例模组（集团）有限公司",
        "东莞示例模组(集团)股份有限公司",
        "东莞示例模组(集团)",
    ):
        assert store.require(spelling).id == group.id
    assert sorted(store.neighbors(group.id, "MAKES")) == ["prod:demo-device", "prod:demo-module"]


def test_duplicates_merge_the_same_in_one_load_or_two(tmp_path: Path) -> None:
    rows = FIRMS.read_text(encoding="utf-8").splitlines()[1:]
    first = firms_csv(tmp_path, rows[0], rows[2], name="first.csv")
    second = firms_csv(tmp_path, rows[1], rows[3], rows[4], name="second.csv")
    together, apart = chain_store(), chain_store()
    load_files(together, [first, second], mapping="companies-cn")
    load_files(apart, [first], mapping="companies-cn")
    load_files(apart, [second], mapping="companies-cn")
    assert sorted(n.id for n in together.nodes("Company")) == sorted(
        n.id for n in apart.nodes("Company")
    )
    assert together.count_nodes("Company") == 3
    assert sorted(companies(together)) == sorted(companies(apart))


def test_same_name_with_different_uscc_is_two_companies(tmp_path: Path) -> None:
    path = firms_csv(
        tmp_path,
        f"示例同名科技有限公司,{USCC_A},,,,,,,,,synthetic-test-data,2024",
        f"示例同名科技股份有限公司,{USCC_B},,,,,,,,,synthetic-test-data,2024",
    )
    store = NetworkxStore()
    report = load_files(store, [path], mapping="companies-cn")
    assert [store.company_by_uscc(u) for u in (USCC_A, USCC_B)] == [
        "co:" + USCC_A.lower(),
        "co:" + USCC_B.lower(),
    ]
    assert any("different USCC" in w for w in report.warnings)


def test_explicit_ids_sharing_a_uscc_merge_into_the_first(tmp_path: Path) -> None:
    path = write(
        tmp_path / "firms.yaml",
        f"""chaingraph: 1
source: synthetic-test-data
companies:
  - {{id: co:demo-one, name: 示例一, uscc: "{USCC_A}"}}
  - {{id: co:demo-two, name: 示例二, uscc: "{USCC_A}"}}
""",
    )
    store = NetworkxStore()
    report = load_files(store, [path])
    assert [n.id for n in store.nodes("Company")] == ["co:demo-one"]
    assert report.warnings == (
        f"{path}:5: co:demo-two has the USCC of co:demo-one; merged into it",
    )


# -- references --------------------------------------------------------------------------


def company_yaml(tmp_path: Path, body: str) -> Path:
    return write(tmp_path / "firms.yaml", "chaingraph: 1\nsource: synthetic-test-data\n" + body)


def test_dangling_name_reference_suggests_near_names(tmp_path: Path) -> None:
    path = company_yaml(
        tmp_path,
        """companies:
  - name: 示例甲
    makes:
      - prod:demo-chip
      - 示例传感
""",
    )
    issue = only_issue([path], chain_store())
    assert (issue.file, issue.line, issue.field) == (str(path), 7, "companies[0].makes[1]")
    assert issue.value == "示例传感"
    assert issue.message.startswith(
        "no Product has this id or name; did you mean 示例传感器 (prod:demo-sensor)"
    )


def test_dangling_id_reference_suggests_near_ids(tmp_path: Path) -> None:
    path = write(
        tmp_path / "more.yaml",
        "chaingraph: 1\nproducts:\n  - {id: prod:demo-extra, name: 额外, segment: seg:demo.sensng}\n",
    )
    issue = only_issue([path], chain_store())
    assert (issue.line, issue.field, issue.value) == (3, "products[0].segment", "seg:demo.sensng")
    assert (
        "refers to an id that is not defined; did you mean 示例感知 (seg:demo.sensing)"
        in issue.message
    )


def test_dangling_reference_in_a_table_names_the_column(tmp_path: Path) -> None:
    path = firms_csv(
        tmp_path, "示例甲有限公司,,,示例市,示例传感器;示例心片,,,,,,synthetic-test-data,2024"
    )
    issue = only_issue([path], chain_store(), mapping="companies-cn")
    assert (issue.line, issue.field, issue.value) == (2, "makes (column '主营产品')[1]", "示例心片")
    assert "did you mean 示例芯片 (prod:demo-chip)" in issue.message


def test_reference_to_the_wrong_type_and_ambiguous_names(tmp_path: Path) -> None:
    path = company_yaml(
        tmp_path,
        """products:
  - {id: prod:twin-a, name: 同名产品, segment: seg:demo.sensing}
  - {id: prod:twin-b, name: 同名产品, segment: seg:demo.sensing}
companies:
  - {name: 示例甲, makes: [seg:demo.sensing, 同名产品]}
""",
    )
    found = {i.field: i for i in issues([path], chain_store())}
    assert found["companies[0].makes[0]"].message == "refers to a Segment"
    assert found["companies[0].makes[1]"].message == "name fits several nodes"
    assert "prod:twin-a, prod:twin-b" in (found["companies[0].makes[1]"].expected or "")


def test_references_may_point_into_the_store_and_across_files(tmp_path: Path) -> None:
    later = company_yaml(
        tmp_path, "companies:\n  - {name: 示例甲, makes: [新产品], hq: 示例园区}\n"
    )
    earlier = write(
        tmp_path / "products.yaml",
        "chaingraph: 1\nproducts:\n  - {id: prod:new, name: 新产品, segment: seg:demo.device}\n",
    )
    store = chain_store()
    load_files(store, [later, earlier])  # order within one load does not matter
    firm = store.require("示例甲")
    assert store.neighbors(firm.id, "MAKES") == ["prod:new"]
    assert store.neighbors(firm.id, "LOCATED_IN") == ["region:zz-demo-park"]


# -- checks against the model ----------------------------------------------------------------


def test_bad_uscc_names_the_expected_check_character(tmp_path: Path) -> None:
    body = "91441900DEMX00003"
    right = stdnum_uscc.calc_check_digit(body)
    wrong = "0" if right != "0" else "1"
    path = firms_csv(tmp_path, f"示例甲有限公司,{body}{wrong},,,,,,,,,synthetic-test-data,2024")
    issue = only_issue([path], mapping="companies-cn")
    assert (issue.line, issue.field, issue.value) == (
        2,
        "uscc (column '统一社会信用代码')",
        body + wrong,
    )
    assert issue.message == f"check character is wrong: expected '{right}' at position 18"


@pytest.mark.parametrize(
    ("record", "field", "message", "expected"),
    [
        ("{id: seg:demo.x, name: 甲, stage: 上流, chain: chain:demo}", "segments[0].stage", "invalid value", "one of 上游, 中游, 下游"),
        ("{id: seg:demo.x, name: 甲, stage: 上游, chain: chain:demo, colour: 红}", "segments[0].colour", "unknown field", None),
        ("{id: seg:demo.x, stage: 上游, chain: chain:demo}", "segments[0].name", "required field is missing", "a value"),
        ("{id: seg:Demo X, name: 甲, stage: 上游, chain: chain:demo}", "segments[0].id", "malformed id", None),
        ("{id: prod:demo-x, name: 甲, stage: 上游, chain: chain:demo}", "segments[0].id", "malformed id", None),
        ("{id: seg:demo.x, name: 甲, stage: 上游}", "segments[0].chain", "a segment must name its chain or parent segment", None),
    ],
)  # fmt: skip
def test_model_violations_are_located(
    tmp_path: Path, record: str, field: str, message: str, expected: str | None
) -> None:
    path = write(tmp_path / "bad.yaml", f"chaingraph: 1\nsegments:\n  - {record}\n")
    issue = only_issue([path], chain_store())
    assert (issue.file, issue.line, issue.field, issue.message) == (str(path), 3, field, message)
    if expected:
        assert issue.expected == expected


def test_product_without_segment_and_segment_cycles(tmp_path: Path) -> None:
    path = write(
        tmp_path / "bad.yaml",
        """chaingraph: 1
products:
  - {id: prod:floating, name: 无环节产品}
segments:
  - {id: seg:demo.a, name: 甲, stage: 上游, parent: seg:demo.b}
  - {id: seg:demo.b, name: 乙, stage: 上游, parent: seg:demo.a}
""",
    )
    found = {i.message: i for i in issues([path], chain_store())}
    assert found["a product must name its segment"].field == "products[0].segment"
    cycle = found["segment hierarchy has a cycle"]
    assert cycle.value in (
        "seg:demo.a -> seg:demo.b -> seg:demo.a",
        "seg:demo.b -> seg:demo.a -> seg:demo.b",
    )


def test_text_cells_become_numbers_or_a_located_issue(tmp_path: Path) -> None:
    path = firms_csv(tmp_path, "示例甲有限公司,,,,,,二〇一五,约3亿,,,synthetic-test-data,2024年6月")
    found = {i.field: i for i in issues([path], mapping="companies-cn")}
    assert found["founded (column '成立年份')"].message == "not a valid integer"
    assert found["revenue_cny_100m (column '营业收入(亿元)')"].message == "not a valid number"
    assert all(i.line == 2 for i in found.values())


@pytest.mark.parametrize(
    ("value", "shown"),
    [(".nan", "nan"), ("-.inf", "-inf"), ("123456789012345678901234567890", "1234567890")],
)
def test_numbers_the_store_cannot_hold(tmp_path: Path, value: str, shown: str) -> None:
    path = company_yaml(tmp_path, f"companies:\n  - {{name: 示例甲, revenue_cny_100m: {value}}}\n")
    issue = only_issue([path])
    assert issue.line == 4 and issue.field == "companies[0].revenue_cny_100m"
    assert shown in str(issue.value)


def test_unstorable_numbers_in_free_fields_and_nested_edges(tmp_path: Path) -> None:
    path = company_yaml(
        tmp_path,
        """companies:
  - {name: 示例甲, employees_note: [1, .inf], makes: [{product: prod:demo-chip, revenue_share: .nan}]}
""",
    )
    found = issues([path], chain_store())
    assert {i.message for i in found} <= {
        "not a storable number (NaN, infinite, or beyond 64 bits)",
        "invalid value",
    }
    assert len(found) == 2


# -- hostile or broken YAML/JSON ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("chaingraph: 1\nx: !!python/object/apply:os.system ['echo pwned']\n", "could not determine a constructor", 2),
        ("chaingraph: 1\nx: !!python/object:builtins.dict {}\n", "could not determine a constructor", 2),
        ("chaingraph: 1\na: &x [1]\nb: *x\n", "YAML aliases (*name) are not allowed", 3),
        ("chaingraph: 1\nchains:\n  - {id: chain:a, name: 甲, name: 乙}\n", "duplicate key 'name'", 3),
        ("chaingraph: 1\n chains: [\n", "not valid YAML", None),
        ("chaingraph: 1\n[a, b]: 1\n", "mapping keys must be plain text", 2),
    ],
)  # fmt: skip
def test_hostile_or_broken_yaml_is_a_data_error(
    tmp_path: Path, text: str, message: str, line: int | None
) -> None:
    path = write(tmp_path / "bad.yaml", text)
    with pytest.raises(DataError) as caught:
        load_files(NetworkxStore(), [path])
    (issue,) = caught.value.issues
    assert issue.file == str(path)
    assert message in issue.message
    if line is not None:
        assert issue.line == line


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["chaingraph: 1", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    path = write(tmp_path / "laughs.yaml", "\n".join(lines) + "\n")
    with pytest.raises(DataError, match="aliases"):
        load_files(NetworkxStore(), [path])


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_deep_nesting_is_a_data_error(tmp_path: Path, suffix: str) -> None:
    depth = 100_000
    path = write(
        tmp_path / f"deep{suffix}", '{"chaingraph": 1, "x": ' + "[" * depth + "]" * depth + "}"
    )
    with pytest.raises(DataError) as caught:
        load_files(NetworkxStore(), [path])
    (issue,) = caught.value.issues
    assert issue.file == str(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- just\n- a list\n", "the file must hold a mapping of sections"),
        ("chains: []\n", "missing or unsupported format version"),
        ("chaingraph: 1\ncompanys: []\n", "unknown top-level key"),
        ("chaingraph: 1\nchains: {id: chain:a}\n", "section must be a list of records"),
        ("chaingraph: 1\nchains: [just text]\n", "record must be a mapping of fields"),
        (
            "chaingraph: 1\nrelationships: [{type: LIKES, from: a, to: b}]\n",
            "unknown relationship type",
        ),
    ],
)
def test_document_shape_errors(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "bad.yaml", text)
    assert only_issue([path]).message == message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!binary aGVsbG8=", "invalid value"),
        ("!!set {a, b}", "invalid value"),
        ("{deep: {deeper: 1}}", "invalid value"),
    ],
)
def test_odd_yaml_values_are_issues_not_crashes(tmp_path: Path, value: str, message: str) -> None:
    path = company_yaml(tmp_path, f"companies:\n  - {{name: 示例甲, extra: {value}}}\n")
    issue = only_issue([path])
    assert (issue.line, issue.field, issue.message) == (4, "companies[0].extra", message)


def test_collection_and_model_problems_are_reported_together(tmp_path: Path) -> None:
    path = company_yaml(
        tmp_path, "companies:\n  - {name: 示例甲, founded: 2001-02-03, tags: [某标签]}\n"
    )
    fields = {i.field for i in issues([path])}
    assert fields == {"companies[0].founded", "companies[0].tags.0"}


def test_broken_json_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.json", '{"chaingraph": 1,\n "chains": [,]}\n')
    issue = only_issue([path])
    assert issue.line == 2 and issue.message.startswith("not valid JSON")


# -- tables and mapping specs --------------------------------------------------------------------


def test_csv_lines_count_multi_line_cells(tmp_path: Path) -> None:
    path = write(
        tmp_path / "firms.csv",
        '企业名称,主营产品,成立年份\n"示例甲\n有限公司",示例芯片,2001\n\n示例乙有限公司,示例芯片,很久以前\n',
    )
    issue = only_issue([path], chain_store(), mapping="companies-cn")
    assert (issue.line, issue.value) == (5, "很久以前")


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("企业名称,来源\n甲,乙,丙\n", "row has 3 cells but the header has 2", 2),
        ("企业名称,企业名称\n甲,乙\n", "duplicate header '企业名称' (column 2)", 1),
        ("企业名称,,来源\n甲,,乙\n", "header column 2 is empty", 1),
        ("", "the file is empty", None),
    ],
)
def test_malformed_tables(tmp_path: Path, text: str, message: str, line: int | None) -> None:
    issue = only_issue([write(tmp_path / "t.csv", text)], mapping="companies-cn")
    assert (issue.message, issue.line) == (message, line)


def test_missing_columns_warn_unless_required(tmp_path: Path) -> None:
    optional_missing = write(
        tmp_path / "a.csv", "企业名称,来源\n示例甲有限公司,synthetic-test-data\n"
    )
    prepared = prepare(NetworkxStore(), [optional_missing], mapping="companies-cn")
    assert not prepared.issues
    assert any(
        "no column '统一社会信用代码', so field 'uscc' stays empty" in w for w in prepared.warnings
    )

    required_missing = write(tmp_path / "b.csv", "企业简称,来源\n示例甲,synthetic-test-data\n")
    issue = only_issue([required_missing], mapping="companies-cn")
    assert issue.message == "column '企业名称' named in the mapping spec is not in the file"
    assert "企业简称, 来源" in (issue.expected or "")


def test_headers_match_across_full_and_half_width(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.csv",
        "企业名称,营业收入（亿元）, 来源 \n示例甲有限公司,2.5,synthetic-test-data\n",
    )
    store = NetworkxStore()
    load_files(store, [path], mapping="companies-cn")
    assert companies(store)["示例甲有限公司"].props["revenue_cny_100m"] == 2.5


def test_mapping_defaults_and_list_columns(tmp_path: Path) -> None:
    spec = write(
        tmp_path / "spec.yaml",
        """chaingraph_mapping: 1
section: companies
columns: {名称: legal_name, 代码: listing.code, 简称: aliases, 英文名: aliases}
defaults: {listing: {board: 深交所主板}, source: synthetic-test-data}
""",
    )
    table = write(
        tmp_path / "t.csv",
        "名称,代码,简称,英文名\n示例甲有限公司,000001,甲,Demo A\n示例乙有限公司,000002,乙;乙乙,\n",
    )
    store = NetworkxStore()
    load_files(store, [table], mapping=str(spec))
    firms = companies(store)
    # Nested defaults are copied per row, not shared (each row keeps its own code).
    assert firms["示例甲有限公司"].props["listing"] == {"board": "深交所主板", "code": "000001"}
    assert firms["示例乙有限公司"].props["listing"] == {"board": "深交所主板", "code": "000002"}
    assert firms["示例甲有限公司"].props["aliases"][:2] == ["甲", "Demo A"]
    assert firms["示例乙有限公司"].props["aliases"][:2] == ["乙", "乙乙"]


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ("section: companies\ncolumns: {a: name}\n", "chaingraph_mapping"),
        ("chaingraph_mapping: 1\nsection: firms\ncolumns: {a: name}\n", "section"),
        ("chaingraph_mapping: 1\nsection: companies\ncolumns: []\n", "columns"),
        ("chaingraph_mapping: 1\nsection: companies\ncolumns: {a: name}\nlist_separator: '['\n", "list_separator"),
        ("chaingraph_mapping: 1\nsection: companies\ncolumns: {a: name}\nrequired: [b]\n", "required"),
    ],
)  # fmt: skip
def test_bad_mapping_specs(tmp_path: Path, spec: str, field: str) -> None:
    spec_path = write(tmp_path / "spec.yaml", spec)
    issue = only_issue([FIRMS], mapping=str(spec_path))
    assert (issue.file, issue.field) == (str(spec_path), field)


def test_bundled_mapping_specs_are_valid() -> None:
    from chaingraph.loaders.mapping import load_mapping

    folder = data_dir("ingest") / "mappings"
    assert load_mapping(folder / "companies-cn.yaml").section == "companies"
    assert load_mapping(folder / "relationships.yaml").section == "relationships"


# -- all or nothing, idempotence ---------------------------------------------------------------


def test_one_bad_row_writes_nothing(tmp_path: Path) -> None:
    store = chain_store()
    before = snapshot(store)
    good = firms_csv(
        tmp_path, "示例好有限公司,,,示例市,示例芯片,,,,,,synthetic-test-data,2024", name="good.csv"
    )
    bad = firms_csv(
        tmp_path,
        "示例乙有限公司,,,示例市,示例芯片,,,,,,synthetic-test-data,2024",
        "示例丙有限公司,,,示例市,示例芯片,不存在的标签,,,,,synthetic-test-data,2024",
        name="bad.csv",
    )
    with pytest.raises(DataError) as caught:
        load_files(store, [good, bad], mapping="companies-cn")
    (issue,) = caught.value.issues
    assert (issue.file, issue.line) == (str(bad), 3)
    assert "nothing was written" in str(caught.value)
    assert snapshot(store) == before


def test_reloading_the_same_files_changes_nothing(tmp_path: Path) -> None:
    files = [CHAIN, FIRMS, RELS]
    store = NetworkxStore()
    first = load_files(store, [CHAIN])
    first = load_files(store, [FIRMS], mapping="companies-cn")
    load_files(store, [RELS], mapping="relationships")
    counts = (store.count_nodes(), store.count_relationships())
    assert first.merge.changed
    for path, mapping in zip(files, [None, "companies-cn", "relationships"], strict=True):
        again = load_files(store, [path], mapping=mapping)
        assert not again.merge.changed, path
        assert again.merge.unchanged == again.nodes_read + again.relationships_read
    assert (store.count_nodes(), store.count_relationships()) == counts

    reopened = NetworkxStore.open(store.save(tmp_path / "store.json"))
    assert snapshot(reopened) == snapshot(store)
    assert not load_files(reopened, [FIRMS], mapping="companies-cn").merge.changed


def test_validate_files_writes_nothing() -> None:
    store = chain_store()
    before = snapshot(store)
    prepared = validate_files([FIRMS], store, mapping="companies-cn")
    assert not prepared.issues and len(prepared.nodes) == 3
    assert snapshot(store) == before
    # Alone (no store), the firm list's references to products dangle.
    alone = validate_files([FIRMS], mapping="companies-cn")
    assert {i.message.split(";")[0] for i in alone.issues} == {
        "no Product has this id or name",
        "no Region or Base has this id or name",
        "refers to an id that is not defined",
    }


def test_the_bundled_dataset_reloads_without_change() -> None:
    from chaingraph.dataset import bundled_files

    store = NetworkxStore()
    first = load_files(store, bundled_files())
    assert first.merge.relationships_updated == 0  # no fact is stated twice with differences
    again = load_files(store, bundled_files())
    assert not again.merge.changed


def test_title_rows_and_trailing_empty_columns(tmp_path: Path) -> None:
    # As exported from a spreadsheet: a title line, a note, then the header; every line
    # padded with empty cells.
    path = write(
        tmp_path / "firms.csv",
        "东莞市示例企业名单（合成测试数据）,,,\n"
        "制表日期：2024年6月,,,\n"
        "序号,企业名称,成立年份,来源,,\n"
        "1,示例甲有限公司,2001,synthetic-test-data,,\n",
    )
    store = NetworkxStore()
    load_files(store, [path], mapping="companies-cn")
    assert companies(store)["示例甲有限公司"].props["founded"] == 2001
    late = write(tmp_path / "late.csv", "序号,企业名称,成立年份\n1,示例乙有限公司,今年\n")
    assert only_issue([late], mapping="companies-cn").line == 2


# Firms as lists spell them: one registration each (a USCC that a row may omit), the
# legal form and bracket width varying, short names coming and going. Two of them
# share a name key (示例 / 示例（集团）), as unrelated firms sometimes do.
demo_firms = [("示例", USCC_A), ("示例（集团）", None), ("东莞示例传感", USCC_B), ("Ａ示例", None)]
firm_rows = st.lists(
    st.tuples(
        st.sampled_from(range(len(demo_firms))),
        st.sampled_from(["有限公司", "股份有限公司", "有限责任公司", "集团有限公司"]),
        st.sampled_from(["", "示例简称", "另一简称"]),
        st.booleans(),
        st.booleans(),
        st.sampled_from(["", "示例传感器", "示例芯片;示例终端"]),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=firm_rows)
def test_any_firm_list_reloads_without_change(tmp_path: Path, rows: list[tuple[Any, ...]]) -> None:
    lines = []
    for firm, form, short, with_uscc, wide, makes in rows:
        core, uscc = demo_firms[firm]
        core = core if wide else normalize_text(core)
        code = uscc if uscc and with_uscc else ""
        lines.append(f"{core}{form},{code},{short},示例市,{makes},,,,,,synthetic-test-data,2024")
    path = firms_csv(tmp_path, *lines, name="random.csv")
    store = chain_store()
    load_files(store, [path], mapping="companies-cn")
    before = snapshot(store)
    again = load_files(store, [path], mapping="companies-cn")
    assert not again.merge.changed
    assert snapshot(store) == before
    reopened = NetworkxStore.open(store.save(tmp_path / "random.json"))
    assert snapshot(reopened) == before
