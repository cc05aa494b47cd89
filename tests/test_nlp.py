"""Policy-document ingestion: clean-up, the spaCy pipeline, extraction, merging, evaluation."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from chaingraph.cli import cli
from chaingraph.dataset import load_bundled
from chaingraph.errors import ConfigError
from chaingraph.model import Node
from chaingraph.nlp import (
    Extraction,
    TextPipeline,
    build_gazetteer,
    build_pipeline,
    clean_text,
    extract,
    ingest_text,
    load_gold,
    merge_extraction,
    parse_area,
    score,
)
from chaingraph.resources import data_dir, founding_plan_path
from chaingraph.store.networkx import NetworkxStore
from chaingraph.testing import tiny_store

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "nlp"
# The founding plan ships inside the package (ingest/texts/, a public government document).
PLAN_FILE = founding_plan_path()
GOLD = data_dir("ingest") / "gold" / "dongguan-plan.gold.yaml"
SEGMENTERS = ("char", "jieba")

PLAN_BASES = {
    "base:songshanhu-biomedicine": (
        2489,
        1.66,
        "松山湖三角地及台湾科技园部分",
        "region:dg-songshanhu",
    ),
    "base:east-intelligent-manufacturing": (
        9236,
        6.16,
        "松山湖东部工业园",
        "region:dg-songshanhu-east-park",
    ),
    "base:new-materials": (None, None, "松山湖东部工业园", "region:dg-songshanhu-east-park"),
    "base:digital-economy": (21000, 14, "水乡功能区", "region:dg-shuixiang"),
    "base:shuixiang-new-energy": (3000, 2, "水乡功能区", "region:dg-shuixiang"),
    "base:linshen-electronics": (29676, 19.78, "临深片区塘厦镇", "region:dg-tangxia"),
    "base:yinping-high-end-equipment": (26420, 17.61, "谢岗镇", "region:dg-xiegang"),
}


@pytest.fixture(scope="module")
def bundled() -> NetworkxStore:
    store = NetworkxStore()
    load_bundled(store)
    return store


@pytest.fixture(scope="module")
def pipelines(bundled: NetworkxStore) -> dict[str, TextPipeline]:
    return {name: build_pipeline(bundled, name) for name in SEGMENTERS}


@pytest.fixture(scope="module")
def plan_raw() -> str:
    return PLAN_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def plan(pipelines: dict[str, TextPipeline], plan_raw: str) -> dict[str, Extraction]:
    return {name: extract(pipe, plan_raw) for name, pipe in pipelines.items()}


@pytest.fixture(scope="module")
def tiny_pipeline() -> TextPipeline:
    return build_pipeline(tiny_store())


# -- clean-up -------------------------------------------------------------------
def test_clean_up_drops_the_plans_page_chrome(plan_raw: str) -> None:
    clean = clean_text(plan_raw)
    assert clean.dropped == ("专人回答用户问题随问随答", "主编对园区的评价", "寻找更多厂房")
    assert clean.text.endswith("建立常态化数据收集、挖掘和共享机制。")
    assert clean.text.startswith("东莞市战略性新兴产业基地规划建设\n实施方案\n")


def test_clean_up_folds_widths_spaces_menus_and_footers() -> None:
    raw = (
        "首页 | 新闻中心 | 政策法规\n\n"
        "　东 莞 市　重点发展ＯＰＰＯ手机，规划面积２４８９亩 。\u200b\n"
        "增材制造(3D 打印)装备与 Mini LED 显示。\n"
        "政策解读 更多>>\n"
        "版权所有 © 2021 某某网站 粤ICP备00000000号\n"
    )
    clean = clean_text(raw)
    assert (
        clean.text
        == "东莞市重点发展OPPO手机,规划面积2489亩。\n增材制造(3D打印)装备与Mini LED显示。"
    )
    assert clean.dropped == (
        "首页 | 新闻中心 | 政策法规",
        "政策解读 更多>>",
        "版权所有 © 2021 某某网站 粤ICP备00000000号",
    )
    start, end = clean.source_span(7, 11)
    assert raw[start:end] == "ＯＰＰＯ"


_TEXT = st.text(
    alphabet=st.sampled_from(list("东莞产业基地ＡＢａ１２ AB12,，。、\n\u3000\u200b()（）|更多")),
    max_size=80,
)


@given(_TEXT)
@settings(max_examples=200, deadline=None)
def test_every_clean_character_maps_back_to_the_source(raw: str) -> None:
    clean = clean_text(raw)
    assert len(clean.origin) == len(clean.text) + 1
    for index, char in enumerate(clean.text):
        source = raw[clean.origin[index]]
        if char == "\n":
            assert source in "\r\n"
        else:
            assert char in unicodedata.normalize("NFKC", source)
    assert list(clean.origin) == sorted(clean.origin)


# -- pipeline -------------------------------------------------------------------
@pytest.mark.parametrize("segmenter", SEGMENTERS)
def test_pipeline_is_blank_chinese_with_patterns_from_the_store(segmenter: str) -> None:
    store = tiny_store()
    store.merge([Node("prod:demo-widget", "Product", {"name": "示例编织机"})], [])
    pipe = build_pipeline(store, segmenter)
    assert pipe.nlp.lang == "zh"
    assert pipe.nlp.pipe_names == ["entity_ruler", "chaingraph_rules"]
    assert pipe.nlp.meta.get("name") == "pipeline"  # blank: no trained model
    # zh_core_web_sm on the package index is a dependency-confusion placeholder.
    assert "zh_core_web" not in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    doc = pipe("谢岗镇重点发展示例编织机和伺服电机。")
    assert [(e.text, e.id_) for e in doc.ents] == [
        ("谢岗镇", "region:dg-xiegang"),
        ("示例编织机", "prod:demo-widget"),
        ("伺服电机", "prod:servo-motor"),
    ]


def test_an_unknown_segmenter_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown segmenter"):
        build_pipeline(tiny_store(), "pkuseg")


def test_gazetteer_leaves_out_everyday_aliases_but_keeps_names() -> None:
    store = tiny_store()
    store.merge(
        [
            Node(
                "seg:robot.body",
                "Segment",
                {"name": "机器人本体", "stage": "中游", "aliases": ["平台"]},
            ),
            Node("prod:robot-workcell", "Product", {"name": "机器人工作站", "aliases": ["工作站"]}),
        ],
        [],
    )
    gaz = build_gazetteer(store, {"平台": 3601, "工作站": 10})
    assert gaz.lookup("平台") is None
    assert gaz.lookup("工作站").id == "prod:robot-workcell"  # type: ignore[union-attr]


def test_short_names_inside_everyday_words_are_not_firms(tiny_pipeline: TextPipeline) -> None:
    store = tiny_store()
    store.merge([Node("co:demo-qs", "Company", {"name": "强生", "synthetic": True})], [])
    pipe = build_pipeline(store)
    assert [e.text for e in pipe("加强生物材料研发。").ents if e.label_ == "ORG"] == []
    assert [e.id_ for e in pipe("依托强生等龙头企业。").ents] == ["co:demo-qs"]


# -- extraction from the founding plan --------------------------------------------
@pytest.mark.parametrize("segmenter", SEGMENTERS)
def test_plan_bases_with_location_region_and_area(
    plan: dict[str, Extraction], segmenter: str
) -> None:
    found = {b.id: b for b in plan[segmenter].bases}
    assert set(found) == set(PLAN_BASES)
    for base_id, (mu, km2, location, region) in PLAN_BASES.items():
        fact = found[base_id]
        assert (fact.location, fact.region) == (location, region)
        if mu is None:
            assert fact.area is None
        else:
            assert fact.area is not None
            assert (fact.area.mu, fact.area.km2) == (mu, km2)
            assert fact.area.consistent
            assert fact.area.stated == (f"{mu}亩", f"约{km2}平方公里")


@pytest.mark.parametrize("segmenter", SEGMENTERS)
def test_plan_focus_leaders_and_provenance(plan: dict[str, Extraction], segmenter: str) -> None:
    found = plan[segmenter]
    assert found.source == "东莞市战略性新兴产业基地规划建设实施方案"
    focus = {(f.base_id, f.target) for f in found.focus}
    assert {
        ("base:songshanhu-biomedicine", "chain:biomed"),
        ("base:shuixiang-new-energy", "seg:energy.hydrogen"),
        ("base:linshen-electronics", "seg:ngit.comm-equipment"),
        ("base:yinping-high-end-equipment", "seg:equipment.robot"),
        ("base:new-materials", "seg:materials.semiconductor.wbg"),
    } <= focus
    leaders = {(o.name, o.id, o.industry) for o in found.orgs if o.role == "龙头企业"}
    assert leaders == {
        ("华为", "co:huawei", "chain:ngit"),
        ("OPPO", "co:oppo", "chain:ngit"),
        ("VIVO", "co:vivo", "chain:ngit"),
    }
    assert "信息技术" in {c.text for c in found.candidates}  # named, but no node: not invented


@pytest.mark.parametrize("segmenter", SEGMENTERS)
def test_every_fact_cites_its_words_in_the_source(
    plan: dict[str, Extraction], plan_raw: str, segmenter: str
) -> None:
    found = plan[segmenter]
    for fact in [*found.focus, *found.orgs]:
        cited = unicodedata.normalize("NFKC", plan_raw[fact.evidence.start : fact.evidence.end])
        text = fact.text if hasattr(fact, "text") else fact.name  # type: ignore[attr-defined]
        assert cited.replace(" ", "") == text
        assert text in fact.evidence.sentence
        assert 0 < fact.evidence.confidence <= 1
    for mention in found.mentions:
        cited = unicodedata.normalize("NFKC", plan_raw[mention.start : mention.end])
        assert cited.replace(" ", "") == mention.text


@pytest.mark.parametrize("segmenter", SEGMENTERS)
def test_plan_precision_and_recall_reach_the_target(
    plan: dict[str, Extraction], segmenter: str
) -> None:
    rows = score(plan[segmenter], load_gold(GOLD))
    assert [r.type for r in rows] == ["BASE", "AREA", "PLACE", "INDUSTRY", "FOCUS", "ORG", "LEADER"]
    for row in rows:
        assert row.precision >= 0.9, row
        assert row.recall >= 0.9, row


@pytest.mark.parametrize("segmenter", SEGMENTERS)
def test_a_text_that_names_no_company_yields_no_company(
    pipelines: dict[str, TextPipeline], segmenter: str
) -> None:
    raw = (DATA / "no-company.txt").read_text(encoding="utf-8")
    found = extract(pipelines[segmenter], raw)
    assert found.orgs == ()
    assert [m for m in found.mentions if m.label == "ORG"] == []
    assert {"seg:ngit.display", "seg:ngit.terminal", "seg:ngit.components"} <= set(
        found.industries()
    )


def test_parse_area_keeps_stated_numbers_and_derives_the_other_unit() -> None:
    assert parse_area(["1.5平方公里"]) == parse_area(["1.5平方公里"])
    area = parse_area(["1.5平方公里"])
    assert area is not None and (area.mu, area.km2) == (2250, 1.5)
    area = parse_area(["30公顷"])
    assert area is not None and (area.mu, area.km2) == (450, 0.3)
    area = parse_area(["1.2万亩"])
    assert area is not None and (area.mu, area.km2) == (12000, 8.0)
    area = parse_area(["3000亩", "约5平方公里"])
    assert area is not None and not area.consistent and (area.mu, area.km2) == (3000, 5)
    assert parse_area(["200亿元"]) is None


# -- merging ---------------------------------------------------------------------
def test_ingesting_the_plan_changes_nothing_right_and_twice_nothing_at_all(
    plan_raw: str, pipelines: dict[str, TextPipeline]
) -> None:
    store = NetworkxStore()
    load_bundled(store)
    before = {n.id: dict(n.props) for n in store.nodes()}
    edges_before = {r.identity: dict(r.props) for r in store.relationships()}
    found = extract(pipelines["char"], plan_raw)

    dry = merge_extraction(store, found, dry_run=True)
    assert not dry.merge.changed
    assert store.count_relationships() == len(edges_before)

    report = merge_extraction(store, found)
    assert report.count("conflict") == 0
    assert (report.merge.nodes_created, report.merge.nodes_updated) == (0, 0)
    assert report.merge.relationships_updated == 0
    added = [f for f in report.findings if f.action == "add"]
    assert added and {f.kind for f in added} == {"FOCUS"}
    assert report.merge.relationships_created == len(added)
    assert {n.id: n.props for n in store.nodes()} == before
    edges_after = {r.identity: r.props for r in store.relationships()}
    assert all(edges_after[identity] == props for identity, props in edges_before.items())
    new = [r for r in store.relationships("FOCUSES_ON") if r.identity not in edges_before]
    assert all(r.props["source"] == found.source for r in new)
    assert all(r.props["evidence"].startswith("[") for r in new)
    assert {"link", "candidate"} >= {f.action for f in report.findings} - {"add"}

    again = merge_extraction(store, found)
    assert not again.merge.changed
    assert {f.action for f in again.findings} <= {"link", "candidate"}


def test_a_new_base_is_added_once_with_both_units(tmp_path: Path) -> None:
    store = tiny_store()
    report = ingest_text(store, DATA / "new-base.txt")
    assert report.as_of == "2024-05-06"
    assert report.source == "关于建设莞北示例智能装备产业基地的工作方案(合成测试文本)"
    assert report.dropped == (
        "首页 | 政策文件 | 通知公告 | 联系我们",
        "版权所有 © 示例网站",
        "更多>>",
    )
    [base] = [n for n in store.nodes("Base") if n.name == "莞北示例智能装备产业基地"]
    assert (base.get("area_mu"), base.get("area_km2"), base.get("location")) == (
        2250,
        1.5,
        "谢岗镇",
    )
    assert base.get("as_of") == "2024-05-06" and base.get("evidence")
    assert store.neighbors(base.id, "IN") == ["region:dg-xiegang"]
    assert set(store.neighbors(base.id, "FOCUSES_ON")) == {"chain:robot", "prod:servo-motor"}
    assert "龙头企业" in store.require("co:dg-integrator").get("tags")
    actions = {(f.action, f.kind, f.subject) for f in report.findings}
    assert ("link", "LEADER", "co:dg-robot") in actions
    assert ("add", "LEADER", "co:dg-integrator") in actions
    assert ("candidate", "INDUSTRY", "示例量子编织机") in actions

    again = ingest_text(store, DATA / "new-base.txt")  # the pipeline now knows the base
    assert not again.merge.changed
    assert again.count("add") == 0


def test_a_different_area_is_a_conflict_not_an_overwrite() -> None:
    store = tiny_store()
    report = ingest_text(store, DATA / "area-conflict.txt")
    [conflict] = [f for f in report.findings if f.action == "conflict"]
    assert (conflict.kind, conflict.subject) == ("AREA", "base:yinping")
    assert "area_mu=26420" in conflict.detail and "30000亩" in conflict.value
    yinping = store.require("base:yinping")
    assert (yinping.get("area_mu"), yinping.get("area_km2")) == (26420, 17.61)


# -- command line ------------------------------------------------------------------
def test_cli_ingest_text_dry_run_then_for_real(tmp_path: Path) -> None:
    path = tmp_path / "tiny.cgraph.json"
    tiny_store().save(path)
    runner = CliRunner()
    args = ["ingest-text", str(DATA / "new-base.txt"), "--store", str(path)]
    before = path.read_bytes()

    dry = runner.invoke(cli, [*args, "--dry-run", "--format", "json"])
    assert dry.exit_code == 0, dry.output
    payload = orjson.loads(dry.stdout)
    assert payload["summary"]["dry_run"] is True and payload["summary"]["add"] > 0
    assert {"action", "kind", "subject", "sentence", "start", "end"} <= set(payload["findings"][0])
    assert path.read_bytes() == before

    real = runner.invoke(cli, args)
    assert real.exit_code == 0, real.output
    assert "莞北示例智能装备产业基地" in real.stdout
    assert NetworkxStore.open(path).count_nodes("Base") == 2

    again = runner.invoke(cli, [*args, "--format", "csv"])
    assert again.exit_code == 0, again.output
    assert ",add," not in again.stdout


def test_cli_ingest_text_reports_a_missing_file_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "tiny.cgraph.json"
    tiny_store().save(path)
    result = CliRunner().invoke(
        cli, ["ingest-text", str(tmp_path / "nope.txt"), "--store", str(path)]
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
