"""Pin every gap rule and score component on small hand-built (synthetic) graphs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from chaingraph.analysis.audit import audit
from chaingraph.analysis.chokepoints import chokepoints
from chaingraph.analysis.compare import compare, comparison
from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.gaps import gaps
from chaingraph.analysis.plan import plan
from chaingraph.analysis.targets import target_list, targets
from chaingraph.errors import ConfigError, NotFound
from chaingraph.model import Node, Relationship
from chaingraph.store.networkx import NetworkxStore
from chaingraph.testing import tiny_store

S = {"source": "test", "as_of": "2024", "synthetic": True}


class Builder:
    """A small chain graph: one chain A with segments up -> mid -> down, a base in Dongguan."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.rels: list[Relationship] = []
        for rid, name, level, parent, gba in [
            ("region:cn", "中国", "country", None, False),
            ("region:cn-guangdong", "广东省", "province", "region:cn", False),
            ("region:cn-dongguan", "东莞市", "city", "region:cn-guangdong", True),
            ("region:cn-shenzhen", "深圳市", "city", "region:cn-guangdong", True),
            ("region:cn-shaoguan", "韶关市", "city", "region:cn-guangdong", False),
            ("region:cn-jiangsu", "江苏省", "province", "region:cn", False),
            ("region:cn-suzhou", "苏州市", "city", "region:cn-jiangsu", False),
            ("region:de", "德国", "country", None, False),
        ]:
            props = {"name": name, "level": level, **({"gba": True} if gba else {})}
            self.nodes.append(Node(rid, "Region", props))
            if parent:
                self.rels.append(Relationship("IN", rid, parent))
        self.nodes += [
            Node("chain:a", "Chain", {"name": "甲链"}),
            Node("base:b", "Base", {"name": "测试基地"}),
        ]
        self.rels.append(Relationship("IN", "base:b", "region:cn-dongguan"))
        for seg, stage in [("up", "上游"), ("mid", "中游"), ("down", "下游")]:
            self.segment(f"seg:a.{seg}", f"{seg}环节", stage, "chain:a")
            self.product(f"prod:{seg}", f"{seg}产品", f"seg:a.{seg}")
        self.input("prod:up", "prod:mid")
        self.input("prod:mid", "prod:down")

    def segment(self, sid: str, name: str, stage: str, parent: str) -> None:
        self.nodes.append(Node(sid, "Segment", {"name": name, "stage": stage}))
        self.rels.append(Relationship("PART_OF", sid, parent))

    def product(self, pid: str, name: str, seg: str) -> None:
        self.nodes.append(Node(pid, "Product", {"name": name}))
        self.rels.append(Relationship("IN_SEGMENT", pid, seg))

    def input(self, src: str, dst: str) -> None:
        self.rels.append(Relationship("INPUT_TO", src, dst))

    def focus(self, target: str = "chain:a", priority: int = 1) -> Builder:
        self.rels.append(Relationship("FOCUSES_ON", "base:b", target, props={"priority": priority}))
        return self

    def firm(
        self,
        cid: str,
        where: str,
        makes: list[str],
        source: str = "test",
        evidence: str | None = None,
        **props: object,
    ) -> Builder:
        self.nodes.append(
            Node(cid, "Company", {"name": cid.split(":")[1], **S, "source": source, **props})
        )
        self.rels.append(
            Relationship("LOCATED_IN", cid, where, "总部", {"role": "总部", **S, "source": source})
        )
        grade = {"evidence": evidence} if evidence else {}
        for p in makes:
            self.rels.append(Relationship("MAKES", cid, p, props={**S, "source": source, **grade}))
        return self

    def economy(self, where: str, count: int) -> Builder:
        """``count`` more firms in ``where`` making a product outside chain A (the
        economy a segment's share is measured against)."""
        if not any(n.id == "prod:other" for n in self.nodes):
            self.nodes.append(Node("prod:other", "Product", {"name": "其他产品"}))
        start = sum(1 for n in self.nodes if n.id.startswith("co:bg"))
        for i in range(start, start + count):
            self.firm(f"co:bg{i:03d}", where, ["prod:other"])
        return self

    def store(self) -> NetworkxStore:
        store = NetworkxStore()
        store.merge(self.nodes, self.rels)
        return store


def status_of(report, segment: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    row = next(g for g in report.segments if g.segment == segment)
    return row.status, row.rule


def test_build_link_when_no_local_firm() -> None:
    # 4 local firms; elsewhere in China 6 firms, 5 of them make it -> 3.3 expected here
    b = Builder().focus().economy("region:cn-dongguan", 4).economy("region:cn-suzhou", 1)
    for i in range(5):
        b.firm(f"co:far{i}", "region:cn-suzhou", ["prod:up"])
    row = next(g for g in gaps(b.store(), "base:b").segments if g.segment == "seg:a.up")
    assert (row.status, row.expected_local, row.local_firms) == ("建链", 3.33, 0)
    assert (row.reference_firms, row.national_firms) == (5, 5)
    assert row.rule == (
        "建链: 本地无企业；本地以外国内已知 5 家 (共 6 家企业)，按同等密度预期本地 3.3 家"
    )


def test_absence_with_fewer_than_three_expected_is_insufficient() -> None:
    # 2.0 expected: absence happens by chance 14% of the time (Poisson e^-2)
    b = Builder().focus().economy("region:cn-dongguan", 4).economy("region:cn-suzhou", 5)
    for i in range(5):
        b.firm(f"co:far{i}", "region:cn-suzhou", ["prod:up"])
    row = next(g for g in gaps(b.store(), "base:b").segments if g.segment == "seg:a.up")
    assert (row.status, row.expected_local) == ("数据不足", 2.0)
    assert "按同等密度预期本地 2.0 家 < 3，无法区分空白与漏录" in row.rule


def test_insufficient_when_absence_says_nothing() -> None:
    b = Builder().focus().economy("region:cn-dongguan", 1).economy("region:cn-suzhou", 8)
    b.firm("co:far", "region:cn-suzhou", ["prod:up"])
    row = next(g for g in gaps(b.store(), "base:b").segments if g.segment == "seg:a.up")
    assert row.status == "数据不足" and row.expected_local == 0.11
    assert row.rule == (
        "数据不足: 本地无企业，而本地以外国内已知 1 家 (共 9 家企业)，"
        "按同等密度预期本地 0.1 家 < 3，无法区分空白与漏录"
    )
    assert row.decide_by == (
        "补充本地以外国内该环节的企业名录 (已知 1 家，按现有企业规模需约 27 家才能预期本地 3 家)，"
        "或本地的完整企业名录"
    )


def test_insufficient_when_the_area_is_too_small_to_expect_a_maker() -> None:
    # five makers elsewhere, but among 45 firms there: one local firm would hold 0.1
    b = Builder().focus().economy("region:cn-dongguan", 1).economy("region:cn-suzhou", 40)
    for i in range(5):
        b.firm(f"co:far{i}", "region:cn-suzhou", ["prod:up"])
    row = next(g for g in gaps(b.store(), "base:b").segments if g.segment == "seg:a.up")
    assert (row.status, row.expected_local) == ("数据不足", 0.11)
    assert "按同等密度预期本地 0.1 家 < 3" in row.rule


def test_location_quotient_leaves_the_local_firms_out_of_the_reference() -> None:
    # half of the data's firms in China are local (as in the bundled data): 10 local, 5
    # of them make mid; 10 elsewhere, 5 of them make mid. Counting the local firms in the
    # reference would give (5/10)/(10/20) = 1.0 whatever the local density; left out, the
    # quotient compares like with like: the same density here and elsewhere is 1.0, twice
    # the density 2.0 (it could not exceed 20/10 = 2.0 with the local firms inside).
    b = Builder().focus().economy("region:cn-dongguan", 5).economy("region:cn-suzhou", 5)
    for i in range(5):
        b.firm(f"co:here{i}", "region:cn-dongguan", ["prod:mid"])
        b.firm(f"co:far{i}", "region:cn-suzhou", ["prod:mid"])
    row = next(g for g in gaps(b.store(), "base:b").segments if g.segment == "seg:a.mid")
    assert (row.location_quotient, row.reference_firms) == (1.0, 5)
    b.economy("region:cn-suzhou", 10)  # elsewhere is now twice as large: mid half as dense
    row = next(g for g in gaps(b.store(), "base:b").segments if g.segment == "seg:a.mid")
    assert row.location_quotient == 2.0
    assert row.rule.startswith("强链(缺龙头): 区位商 2.00 ≥ 1 (本地 5/10 家，本地以外国内 5/20 家)")


def test_insufficient_when_too_few_known_to_judge_density() -> None:
    b = Builder().focus().firm("co:one", "region:cn-dongguan", ["prod:mid"])
    b.firm("co:far", "region:cn-suzhou", ["prod:mid"])
    report = gaps(b.store(), "base:b")
    status, rule = status_of(report, "seg:a.mid")
    assert status == "数据不足" and rule == (
        "数据不足: 本地 1 家，但本地以外国内仅知 1 家 (< 5)，集聚度无法判断"
    )
    row = next(g for g in report.segments if g.segment == "seg:a.mid")
    assert row.decide_by == (
        "补充本地以外国内该环节的企业名录 (已知 1 家，需 ≥ 5 家；如工商登记导出 load --classify)"
    )


def test_strengthen_link_when_location_quotient_below_one() -> None:
    b = Builder().focus().economy("region:cn-dongguan", 9)
    b.firm("co:one", "region:cn-dongguan", ["prod:mid"])
    for i in range(9):
        b.firm(f"co:far{i}", "region:cn-suzhou", ["prod:mid"])
    row = next(g for g in gaps(b.store(), "base:b").segments if g.segment == "seg:a.mid")
    # local makers exist: the link is there, weak — 强链, never 补链 (issue #20)
    assert (row.status, row.location_quotient) == ("强链", 0.1)
    assert row.rule == "强链(薄弱): 区位商 0.10 < 1 (本地 1/10 家，本地以外国内 9/9 家)"


def test_fill_link_when_broken_between_local_up_and_downstream() -> None:
    b = Builder().focus().economy("region:cn-dongguan", 2)
    b.firm("co:u1", "region:cn-dongguan", ["prod:up"]).firm(
        "co:d1", "region:cn-dongguan", ["prod:down"]
    )
    for i in range(5):
        b.firm(f"co:far{i}", "region:cn-suzhou", ["prod:mid"])
    status, rule = status_of(gaps(b.store(), "base:b"), "seg:a.mid")
    assert (
        status == "补链"
        and rule.startswith("补链(断链): 本地无企业 (预期 4.0 家)")
        and "up环节" in rule
        and "down环节" in rule
    )


def _dense(b: Builder, *, source: str = "test", evidence: str | None = None) -> Builder:
    """Two local makers of mid among four local firms; 5 of the 15 firms elsewhere in
    China make it."""
    b.focus().economy("region:cn-dongguan", 2).economy("region:cn-suzhou", 10)
    b.firm("co:m1", "region:cn-dongguan", ["prod:mid"], source, evidence)
    b.firm("co:m2", "region:cn-dongguan", ["prod:mid"], source, evidence)
    for i in range(5):
        b.firm(f"co:far{i}", "region:cn-suzhou", ["prod:mid"])
    return b


def test_strengthen_when_dense_but_no_local_leader() -> None:
    assert status_of(gaps(_dense(Builder()).store(), "base:b"), "seg:a.mid") == (
        "强链",
        "强链(缺龙头): 区位商 1.50 ≥ 1 (本地 2/4 家，本地以外国内 5/15 家)，但无本地龙头",
    )


def test_advantage_when_dense_and_led_locally() -> None:
    b = _dense(Builder())
    b.nodes = [
        Node(n.id, n.type, {**n.props, "tags": ["链主"]}) if n.id == "co:m1" else n for n in b.nodes
    ]
    row = next(g for g in gaps(b.store(), "base:b").segments if g.segment == "seg:a.mid")
    assert (row.status, row.local_leaders, row.location_quotient) == ("优势", 1, 1.5)
    assert row.rule == "优势: 区位商 1.50 (本地 2/4 家，本地以外国内 5/15 家)，有本地龙头"


def test_unverified_local_presence_is_insufficient_and_says_what_decides() -> None:
    row = next(
        g
        for g in gaps(_dense(Builder(), source="unverified").store(), "base:b").segments
        if g.segment == "seg:a.mid"
    )
    assert (row.status, row.local_firms, row.local_decisive, row.local_unverified) == (
        "数据不足",
        2,
        0,
        2,
    )
    assert row.rule == (
        "数据不足: 本地 2 家中 2 家仅有未核实或弱证据 (m1、m2)；若属实为强链，否则为数据不足"
    )
    assert row.decide_by == "核实m1、m2的产品事实"


def test_evidence_grades_strong_counts_weak_does_not() -> None:
    strong = _dense(Builder(), source="unverified", evidence="strong").store()
    assert status_of(gaps(strong, "base:b"), "seg:a.mid")[0] == "强链"
    weak = _dense(Builder(), evidence="weak").store()
    row = next(g for g in gaps(weak, "base:b").segments if g.segment == "seg:a.mid")
    assert (row.status, row.local_weak, row.local_decisive) == ("数据不足", 2, 0)


def test_segment_makers_found_through_products_filed_in_another_chain() -> None:
    b = _dense(Builder())
    # chain B files a product named like chain A's 'up环节' segment, and a twin segment
    b.nodes.append(Node("chain:b", "Chain", {"name": "乙链"}))
    b.segment("seg:b.parts", "部件", "上游", "chain:b")
    b.product("prod:b-up", "up环节", "seg:b.parts")
    b.segment("seg:b.twin", "down环节", "下游", "chain:b")
    b.product("prod:b-down", "乙下游产品", "seg:b.twin")
    b.firm("co:here-up", "region:cn-dongguan", ["prod:b-up"])
    b.firm("co:here-down", "region:cn-dongguan", ["prod:b-down"])
    report = gaps(b.store(), "base:b")
    rows = {g.segment: g for g in report.segments}
    assert rows["seg:a.up"].local_names == ("here-up",)
    assert rows["seg:a.down"].local_names == ("here-down",)
    assert rows["seg:a.up"].status not in ("建链", "补链")


def test_audit_counts_firms_places_and_evidence() -> None:
    b = _dense(Builder(), source="unverified")
    b.nodes.append(Node("region:dg-xiegang", "Region", {"name": "谢岗镇", "level": "town"}))
    b.rels.append(Relationship("IN", "region:dg-xiegang", "region:cn-dongguan"))
    b.firm("co:town", "region:dg-xiegang", ["prod:up"])
    result = audit(b.store(), "base:b")
    assert (result.companies, result.with_town, result.makers) == (5, 1, 5)
    # facts: record + LOCATED_IN + MAKES per firm; only m1 and m2 are unverified (3 each)
    assert (result.facts, result.unverified_share) == (60, round(6 / 60, 3))
    assert (result.local_facts, result.local_unverified_share) == (15, 0.4)
    mid = next(r for r in result.segments if r.segment == "seg:a.mid")
    assert (mid.local_firms, mid.local_decisive, mid.local_unverified, mid.thin) == (
        2,
        0,
        2,
        True,
    )
    assert mid.verified_share == 0.0 and result.segments[0] == mid
    up = next(r for r in result.segments if r.segment == "seg:a.up")
    assert (up.local_firms, up.local_with_town) == (1, 1)


def test_thresholds_come_from_config() -> None:
    b = Builder().focus().economy("region:cn-dongguan", 9)
    b.firm("co:one", "region:cn-dongguan", ["prod:mid"])
    for i in range(9):
        b.firm(f"co:far{i}", "region:cn-suzhou", ["prod:mid"])
    config = dataclasses.replace(AnalysisConfig(), location_quotient=0.1)
    assert status_of(gaps(b.store(), "base:b", config=config), "seg:a.mid")[0] == "强链"


def test_config_is_hashable_and_equal_configs_are_one_cache_key(tmp_path: Path) -> None:
    from chaingraph.analysis.config import load_config

    weights = dict(AnalysisConfig().score_weights)
    given = dataclasses.replace(AnalysisConfig(), score_weights=weights, leader_tags=["龙头企业"])
    assert hash(given) == hash(dataclasses.replace(given))
    assert given.leader_tags == ("龙头企业",)
    with pytest.raises(TypeError):
        given.score_weights["severity"] = 1.0  # type: ignore[index]
    weights["severity"] = 1.0  # the caller's dict stays the caller's
    assert given.score_weights["severity"] == 0.25
    path = tmp_path / "cfg.yaml"
    path.write_text("score_weights: {severity: 0.5}\nleader_tags: [链主]\n", encoding="utf-8")
    loaded = load_config(path)
    assert loaded == dataclasses.replace(
        AnalysisConfig(),
        score_weights={**AnalysisConfig().score_weights, "severity": 0.5},
        leader_tags=("链主",),
    )
    assert {loaded: 1}[load_config(path)] == 1
    store = tiny_store()
    first = targets(store, "base:yinping", top=1, config=load_config(path))

    def bound_keys() -> list[object]:
        return [
            k for k in store.analysis_cache() if isinstance(k, tuple) and k[0] == "target-bounds"
        ]

    assert bound_keys() == [("target-bounds", loaded)]
    again = targets(store, "base:yinping", top=1, config=load_config(path))
    assert again == first
    assert bound_keys() == [("target-bounds", loaded)]  # an equal config reuses the bounds


def test_coverage_note_counts_what_is_known() -> None:
    report = gaps(_dense(Builder(), source="unverified").store(), "base:b")
    assert report.coverage_note == (
        "数据覆盖: 东莞市已知制造企业 4 家 (全国 19 家); 重点环节本地企业 2 家次，"
        "其中证据确凿 0 家次; 3/3 个环节数据不足 (详见 chaingraph audit)"
    )


def test_extend_adjacent_segment_and_leader_inputs() -> None:
    b = Builder()
    b.focus("seg:a.down")
    b.firm("co:lead", "region:cn-dongguan", ["prod:down"], tags=["龙头企业"])
    b.firm("co:far", "region:cn-suzhou", ["prod:mid"])
    report = gaps(b.store(), "base:b")
    assert status_of(report, "seg:a.mid")[0] == "延链"
    assert [(g.product, g.for_product, g.local_leaders) for g in report.inputs] == [
        ("prod:mid", "prod:down", ("lead",))
    ]
    assert report.chains[0].local_supply_rate == 0.0


def test_priority_weights_severity() -> None:
    b = Builder().focus("seg:a.up", 1).focus("seg:a.down", 3)
    report = gaps(b.store(), "base:b")
    sev = {g.segment: g.severity for g in report.segments}
    # no firm known anywhere: both 数据不足 (0.5), weighted by priority 1 (1.0) and 3 (0.3)
    assert sev["seg:a.up"] == 0.5 and sev["seg:a.down"] == 0.15
    assert report.segments[0].segment == "seg:a.up"


def _rings_graph() -> Builder:
    """A base in a town of Dongguan; makers of up only outside Dongguan (深圳, 惠州,
    香港, 韶关, 苏州); makers of mid in the base, the town, the city and 深圳; one maker
    of down with sites in both Dongguan and Shenzhen."""
    b = Builder().focus().economy("region:cn-dongguan", 4)
    for rid, name, level, parent in [
        ("region:dg-town", "某镇", "town", "region:cn-dongguan"),
        ("region:cn-huizhou", "惠州市", "city", "region:cn-guangdong"),
        ("region:cn-hongkong", "香港特别行政区", "province", "region:cn"),
    ]:
        gba = {"gba": True} if level != "town" else {}
        b.nodes.append(Node(rid, "Region", {"name": name, "level": level, **gba}))
        b.rels.append(Relationship("IN", rid, parent))
    b.rels = [r for r in b.rels if (r.type, r.source) != ("IN", "base:b")]
    b.rels.append(Relationship("IN", "base:b", "region:dg-town"))
    for i, where in enumerate(
        ["region:cn-shenzhen", "region:cn-shenzhen", "region:cn-huizhou", "region:cn-hongkong"]
        + ["region:cn-shaoguan"]
        + ["region:cn-suzhou"] * 5
    ):
        b.firm(f"co:up{i}", where, ["prod:up"])
    b.firm("co:inbase", "base:b", ["prod:mid"]).firm("co:intown", "region:dg-town", ["prod:mid"])
    b.firm("co:incity", "region:cn-dongguan", ["prod:mid"])
    b.firm("co:midsz", "region:cn-shenzhen", ["prod:mid"])
    b.firm("co:midsg", "region:cn-shaoguan", ["prod:mid"])
    b.firm("co:two", "region:cn-dongguan", ["prod:down"])
    b.rels.append(Relationship("LOCATED_IN", "co:two", "region:cn-shenzhen", "工厂", {**S}))
    return b


def test_base_scope_counts_makers_ring_by_ring() -> None:
    report = gaps(_rings_graph().store(), "base:b")
    assert report.ring_names == "某镇/东莞市/深莞惠/大湾区"
    rows = {g.segment: g for g in report.segments}
    rings = {s: (g.in_base, g.in_city, g.in_metro, g.in_gba, g.rings) for s, g in rows.items()}
    assert rings == {
        "seg:a.up": (0, 0, 3, 4, "0/0/3/4"),  # 深圳 2 + 惠州 1; + 香港; 韶关 is not GBA
        "seg:a.mid": (2, 3, 4, 4, "2/3/4/4"),  # base + town; + city; + 深圳
        "seg:a.down": (0, 1, 1, 1, "0/1/1/1"),  # one firm with sites in two cities: once
    }
    assert all(g.in_city == g.local_firms for g in rows.values())
    # the city lacks up but the metro area has it: the rule says so; verdicts unchanged
    up = rows["seg:a.up"]
    assert up.status == "建链" and up.rule.startswith("建链: 本地无企业；本地以外国内已知 10 家")
    assert up.rule.endswith("；东莞市无，深莞惠有 3 家，大湾区有 4 家 (可就近招引)")
    assert "可就近招引" not in rows["seg:a.mid"].rule + rows["seg:a.down"].rule


def test_base_scope_follows_the_scope_setting_and_regions() -> None:
    b = _rings_graph()
    mid = next(
        g
        for g in gaps(b.store(), "base:b", config=AnalysisConfig(scope="town")).segments
        if g.segment == "seg:a.mid"
    )
    assert (mid.local_firms, mid.in_base, mid.in_city, mid.rings) == (2, 2, 3, "2/3/4/4")
    report = gaps(b.store(), region="region:cn-suzhou", chain="chain:a")
    assert report.ring_names == "-/苏州市/-/-"  # no base, no metro, not in the GBA
    up = next(g for g in report.segments if g.segment == "seg:a.up")
    assert (up.in_base, up.in_city, up.in_metro, up.in_gba, up.rings) == (
        None,
        5,
        None,
        None,
        "-/5/-/-",
    )


def test_completeness_and_local_supply_rate() -> None:
    b = Builder().focus()
    b.firm("co:lead", "region:cn-dongguan", ["prod:down"], tags=["龙头企业"])
    b.firm("co:mid", "region:cn-dongguan", ["prod:mid"])
    summary = gaps(b.store(), "base:b").chains[0]
    assert (summary.present, summary.segments, summary.completeness) == (2, 3, 0.667)
    assert (
        summary.local_leader_inputs,
        summary.local_supported_inputs,
        summary.local_supply_rate,
    ) == (1, 1, 1.0)


def test_base_with_no_focus_reports_and_accepts_chain() -> None:
    store = Builder().store()
    report = gaps(store, "base:b")
    assert report.segments == () and "no focus declared" in report.notes[0]
    assert len(gaps(store, "base:b", chain="chain:a").segments) == 3


def test_unknown_base_and_segment_suggest_near_names() -> None:
    store = Builder().focus().store()
    assert gaps(store, "测试基").subject == "base:b"  # a unique partial name resolves
    with pytest.raises(NotFound, match="did you mean: 测试基地"):
        gaps(store, "测验基地")
    with pytest.raises(NotFound, match="did you mean"):
        targets(store, "base:b", segment="中环节")
    with pytest.raises(ConfigError):
        gaps(store)


def test_score_components_each_pinned() -> None:
    b = Builder().focus()
    b.firm("co:lead", "region:cn-dongguan", ["prod:down"], tags=["龙头企业"])
    b.firm(
        "co:champ", "region:cn-shenzhen", ["prod:mid"], tags=["隐形冠军"], revenue_cny_100m=999.0
    )
    b.firm("co:abroad", "region:de", ["prod:mid"], source="unverified")
    b.rels.append(
        Relationship(
            "SUPPLIES",
            "co:abroad",
            "co:lead",
            "prod:mid",
            {"product": "prod:mid", **S, "source": "unverified"},
        )
    )
    rows = {t.company: t for t in targets(b.store(), "base:b", segment="seg:a.mid")}
    champ, abroad = rows["co:champ"].parts, rows["co:abroad"].parts
    # 数据不足 (1 maker known in China, none local) at priority 1: 0.5 leaning to 0.6
    # as no known maker is local (gaps.status_severity)
    assert champ.severity == 0.6
    assert champ.leadership == 0.8 and abroad.leadership == 0.0
    assert champ.scale == 0.638 and abroad.scale == 0.0  # 999 亿元 on the 5万亿元 log scale
    assert champ.technology == 1.0
    # its mid goes into down, which local lead makes: 0.4 + 0.3 × log(2)/log(21) + breadth
    assert champ.supply_ties == 0.506
    assert abroad.supply_ties == 1.0  # already supplies that local firm
    assert champ.proximity == 1.0 and abroad.proximity == 0.3
    assert champ.plan_alignment == 1.0
    # confidence: 0.6 × verified share + 0.4 × log(1 + facts) / log(21); 3 and 4 facts
    assert champ.confidence == 0.782 and abroad.confidence == 0.211 and rows["co:abroad"].unverified
    assert rows["co:abroad"].reason == (
        "数据不足·mid产品：已向本地lead供应mid产品（mid产品→down产品）；德国；部分信息未核实；"
        "数据截至2024"
    )
    assert rows["co:abroad"].supplies_local == ("lead: mid产品→down产品（已有供货记录）",)
    champ_row = rows["co:champ"]
    assert champ_row.reason == (
        "数据不足·mid产品：可向本地lead供应mid产品（mid产品→down产品）；隐形冠军；深圳市；"
        "营收 999.0 亿元；数据截至2024"
    )
    assert champ_row.evidence == (
        "生产mid产品: 已核实，来源 test，2024",
        "隐形冠军（来源 test）",
        "营收 999.0 亿元",
    )
    assert (champ_row.sources, champ_row.as_of, champ_row.facts) == (("test",), "2024", 3)


def test_supply_lines_show_twenty_firms_and_count_them_all() -> None:
    """A product going into many local firms shows SUPPLY_LINES_SHOWN of them (the firm
    already supplied first, then by id) and counts them all; the count breaks ties."""
    from chaingraph.analysis.target_score import SUPPLY_LINES_SHOWN
    from chaingraph.exports import HEADERS_ZH

    b = Builder().focus()
    for i in range(30):
        b.firm(f"co:user{i:02d}", "region:cn-dongguan", ["prod:down"])
    b.firm("co:far", "region:cn-suzhou", ["prod:mid"])
    b.firm("co:abroad", "region:de", ["prod:mid"])
    b.rels.append(Relationship("SUPPLIES", "co:abroad", "co:user29", "prod:mid", {**S}))
    b.firm("co:big", "region:cn-suzhou", ["prod:mid"])
    for i in range(25):  # more firms already supplied than lines shown
        b.rels.append(Relationship("SUPPLIES", "co:big", f"co:user{i:02d}", "prod:mid", {**S}))
    rows = {t.company: t for t in targets(b.store(), "base:b", segment="seg:a.mid", top=5)}
    big = rows["co:big"]
    assert big.supplies_local == tuple(
        f"user{i:02d}: mid产品→down产品（已有供货记录）" for i in range(20)
    )
    assert big.supplies_local_count == 30
    far, abroad = rows["co:far"], rows["co:abroad"]
    assert SUPPLY_LINES_SHOWN == 20
    assert far.supplies_local_count == abroad.supplies_local_count == 30
    assert far.supplies_local == tuple(f"user{i:02d}: mid产品→down产品" for i in range(20))
    # the firm already supplied (the last by id) comes first, then the first 19 others
    assert abroad.supplies_local == (
        "user29: mid产品→down产品（已有供货记录）",
        *(f"user{i:02d}: mid产品→down产品" for i in range(19)),
    )
    assert "已向本地user29、user00等30家供应mid产品" in abroad.reason
    assert f"前{SUPPLY_LINES_SHOWN}家" in HEADERS_ZH["supplies_local"]


def test_supply_claims_need_an_input_link_and_are_never_circular() -> None:
    b = Builder().focus()
    b.input("prod:mid", "prod:mid")  # a self-loop must not read as supplying oneself
    b.firm("co:m-local", "region:cn-dongguan", ["prod:mid"])
    b.firm("co:up-local", "region:cn-dongguan", ["prod:up"])  # up does not use mid
    b.firm("co:far", "region:cn-suzhou", ["prod:mid"])
    b.rels.append(Relationship("SUPPLIES", "co:far", "co:up-local", "prod:mid", {**S}))
    row = next(t for t in targets(b.store(), "base:b", segment="seg:a.mid"))
    assert row.supplies_local == () and row.parts.supply_ties == 0.0
    assert "供应" not in row.reason and "供货" not in row.reason


def test_target_list_is_one_ranked_list_with_a_tie_rule() -> None:
    b = Builder().focus("seg:a.up", 1).focus("seg:a.mid", 3)
    b.firm("co:lead", "region:cn-dongguan", ["prod:down"], tags=["龙头企业"])
    for i in range(3):
        b.firm(f"co:u{i}", "region:cn-suzhou", ["prod:up"])
        b.firm(f"co:m{i}", "region:cn-suzhou", ["prod:mid"])
    found = target_list(b.store(), "base:b", top=4)
    # priority 1 (up) ranks above priority 3 (mid); equal scores by the stated rule
    assert [t.company for t in found.rows] == ["co:u0", "co:u1", "co:u2", "co:m0"]
    assert found.tie_rule.startswith("同分依次比较") and found.coverage_note.startswith("数据覆盖")
    per = target_list(b.store(), "base:b", per_segment=1)
    assert [(t.segment, t.company) for t in per.rows] == [
        ("seg:a.up", "co:u0"),
        ("seg:a.mid", "co:m0"),
    ]
    with pytest.raises(ConfigError, match="no firm in the data has a revenue figure"):
        target_list(b.store(), "base:b", min_revenue=10)


def test_target_filters_and_ties() -> None:
    b = Builder().focus()
    for cid in ["co:b2", "co:a1", "co:c3"]:
        b.firm(cid, "region:cn-suzhou", ["prod:up"])
    b.firm("co:tagged", "region:cn-shaoguan", ["prod:up"], tags=["专精特新"])
    store = b.store()
    tied = [t.company for t in targets(store, "base:b", segment="seg:a.up", top=10)]
    assert tied[-3:] == ["co:a1", "co:b2", "co:c3"]  # equal scores: by id
    assert [t.company for t in targets(store, "base:b", tags=["专精特新"])] == ["co:tagged"]
    assert "co:tagged" not in [t.company for t in targets(store, "base:b", regions_out=["广东省"])]
    assert {t.company for t in targets(store, "base:b", regions_in=["江苏省"], top=10)} == {
        "co:a1",
        "co:b2",
        "co:c3",
    }
    assert targets(store, "base:b", min_revenue=1.0) == []
    b.firm("co:mid", "region:cn-suzhou", ["prod:mid"])
    assert [t.segment for t in targets(b.store(), "base:b", top=1)] == ["seg:a.mid", "seg:a.up"]


def test_local_firms_are_never_targets() -> None:
    b = Builder().focus().firm("co:here", "region:cn-dongguan", ["prod:up"])
    assert all(t.company != "co:here" for t in targets(b.store(), "base:b", top=10))


def test_plan_marginal_gains_and_completeness() -> None:
    result = plan(tiny_store(), "base:yinping", 2)
    assert [(p.name, p.marginal_gain) for p in result.picks] == [("日伺服", 1.0), ("苏减速", 0.7)]
    assert result.value_after > result.value_before
    with pytest.raises(ConfigError):
        plan(tiny_store(), "base:yinping", 0)


def test_plan_respects_land_and_facility_kind() -> None:
    b = Builder().focus()
    b.nodes = [
        Node(n.id, n.type, {**n.props, "area_km2": 2.0}) if n.id == "base:b" else n for n in b.nodes
    ]
    b.firm("co:fab", "region:cn-suzhou", ["prod:up"], tags=["龙头企业"])
    b.firm("co:mine", "region:cn-suzhou", ["prod:mid"], tags=["龙头企业"])
    b.firm("co:plant", "region:cn-suzhou", ["prod:down"])
    config = dataclasses.replace(
        AnalysisConfig(),
        facility_rules=(("晶圆厂", ("up环节",), 1.0), ("资源开采", ("mid环节",), None)),
    )
    result = plan(b.store(), "base:b", 3, config=config)
    # the fab needs 1 km² of the 0.4 km² open (20% of 2 km²); the mine cannot be placed
    assert [(p.company, p.facility, p.land_km2) for p in result.picks] == [
        ("co:plant", "制造工厂", 0.2)
    ]
    assert (result.land_km2, result.land_open_km2, result.land_used_km2) == (2.0, 0.4, 0.2)
    assert result.notes == (
        "1 家企业的设施无法落在园区 (如资源开采)，未纳入",
        "1 家企业所需用地超出基地可用面积 0.4 km²，未纳入",
    )


def test_plan_fills_the_first_focus_first() -> None:
    b = Builder().focus("seg:a.up", 1).focus("seg:a.mid", 2).focus("seg:a.down", 2)
    b.firm("co:wide", "region:cn-suzhou", ["prod:mid", "prod:down"])  # two P2 gaps
    b.firm("co:core", "region:cn-suzhou", ["prod:up"])  # one P1 gap
    assert [p.company for p in plan(b.store(), "base:b", 1).picks] == ["co:core"]


def test_compare_resolves_short_names_labels_sides_and_warns_on_coverage() -> None:
    b = Builder().focus("seg:a.up")
    for i in range(4):
        b.firm(f"co:dg{i}", "region:cn-dongguan", ["prod:up"])
    b.firm("co:sz", "region:cn-suzhou", ["prod:up", "prod:mid"], source="unverified")
    result = comparison(b.store(), "测试", "苏州")  # short names: the base, then 苏州市
    assert (result.a, result.b, result.b_name, result.a_area) == (
        "base:b",
        "region:cn-suzhou",
        "苏州市",
        "东莞市",
    )
    # a base is compared on its focus only (seg:a.up), not on every segment of b
    assert [(r.segment, r.a_local_firms, r.b_local_firms) for r in result.rows] == [
        ("seg:a.up", 4, 1)
    ]
    assert (result.a_firms, result.b_firms, result.b_unverified_share) == (4, 1, 1.0)
    assert result.coverage_warning.startswith("数据覆盖差异 (已知企业数相差悬殊): a 东莞市")
    with pytest.raises(NotFound, match="no base or region named"):
        comparison(b.store(), "测试", "火星")


def test_compare_and_chokepoints_on_tiny_graph() -> None:
    rows = compare(tiny_store(), "base:yinping", "region:cn-suzhou", chain="chain:robot")
    assert {r.segment: r.difference for r in rows}["seg:robot.parts.reducer"] == -1
    top = chokepoints(tiny_store())
    # 工业机器人 and 谐波减速器 are made only in China: never 卡脖子
    assert [(c.name, c.foreign_suppliers, c.domestic_suppliers) for c in top] == [
        ("伺服电机", 1, 0)
    ]
    assert (top[0].top_country, top[0].top_country_share, top[0].foreign_share) == (
        "日本",
        1.0,
        1.0,
    )


def test_chokepoints_are_foreign_dependence_with_cited_sources() -> None:
    b = Builder().focus()
    cite = {
        "suppliers": ["甲国一号", "乙国二号 B2"],
        "countries": ["德国", "日本"],
        "note": "公开资料所述",
        "source": "https://example.org/cited",
        "as_of": "2025",
    }
    b.nodes = [
        Node(n.id, n.type, {**n.props, "foreign_dependence": cite}) if n.id == "prod:up" else n
        for n in b.nodes
    ]
    b.firm("co:de1", "region:de", ["prod:up", "prod:mid"], name="甲国一号")
    b.firm("co:cn1", "region:cn-dongguan", ["prod:up"])
    b.firm("co:cn2", "region:cn-suzhou", ["prod:up", "prod:mid", "prod:down"])
    rows = {c.product: c for c in chokepoints(b.store(), region="东莞市")}
    assert "prod:down" not in rows  # only Chinese suppliers
    up = rows["prod:up"]  # cited: 甲国一号 is in the data, 乙国二号 only in the citation
    assert (up.foreign_suppliers, up.domestic_suppliers, up.local_suppliers) == (2, 2, 1)
    assert (up.foreign_share, up.top_country, up.top_country_share) == (0.5, "德国", 0.25)
    assert up.cited and up.source == "https://example.org/cited" and up.as_of == "2025"
    assert "公开资料所述" in up.reason and up.foreign_names == ("甲国一号", "乙国二号 B2")
    mid = rows["prod:mid"]  # not cited: listed because half of its suppliers are abroad
    assert (mid.foreign_share, mid.cited) == (0.5, False)
    assert "prod:mid" not in {c.product for c in chokepoints(b.store(), min_foreign_share=0.6)}


def test_analysis_package_reexports_the_functions_not_their_modules() -> None:
    import importlib

    import chaingraph.analysis as analysis

    for name in analysis.__all__:
        value = getattr(analysis, name)
        assert callable(value), name
        module = importlib.import_module(value.__module__)
        assert getattr(module, name) is value, name
    # A submodule imported before the package still leaves the function bound here.
    from chaingraph.analysis import gaps, targets

    assert gaps.__module__ == "chaingraph.analysis.gaps"
    assert targets.__module__ == "chaingraph.analysis.targets"


def _public_analysis_functions() -> list[str]:
    import inspect

    import chaingraph.analysis as analysis

    return [n for n in analysis.__all__ if inspect.isfunction(getattr(analysis, n))]


def _sections(doc: str) -> dict[str, list[str]]:
    """numpydoc sections of a docstring: heading -> its lines."""
    lines = doc.splitlines()
    found: dict[str, list[str]] = {}
    current = None
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and lines[i + 1].strip() and set(lines[i + 1].strip()) == {"-"}:
            current = line.strip()
            found[current] = []
        elif current is not None and set(line.strip()) != {"-"}:
            found[current].append(line)
    return found


@pytest.mark.parametrize("name", _public_analysis_functions())
def test_public_analysis_functions_have_numpydoc_docstrings(name: str) -> None:
    import inspect

    import chaingraph.analysis as analysis

    function = getattr(analysis, name)
    sections = _sections(inspect.getdoc(function) or "")
    signature = inspect.signature(function)
    documented = {
        part.strip()
        for line in sections.get("Parameters", [])
        if line and not line.startswith(" ")
        for part in line.split(",")
    }
    assert documented == set(signature.parameters), f"{name}: Parameters"
    if signature.return_annotation not in (None, "None"):
        assert any(line.strip() for line in sections.get("Returns", [])), f"{name}: Returns"
    if "raise " in inspect.getsource(function):
        assert any(line.strip() for line in sections.get("Raises", [])), f"{name}: Raises"
    assert any(line.lstrip().startswith(">>> ") for line in sections.get("Examples", [])), name
