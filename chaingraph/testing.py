"""Small hand-built graphs for examples and tests (synthetic: not real companies)."""

from __future__ import annotations

from chaingraph.model import Node, Relationship
from chaingraph.store.networkx import NetworkxStore

__all__ = ["BUNDLED_BASES", "evidence_store", "tiny_store"]

# The seven bases of the bundled Dongguan dataset, in the plan's order.
BUNDLED_BASES = (
    "base:songshanhu-biomedicine",
    "base:east-intelligent-manufacturing",
    "base:new-materials",
    "base:digital-economy",
    "base:shuixiang-new-energy",
    "base:linshen-electronics",
    "base:yinping-high-end-equipment",
)


def tiny_store() -> NetworkxStore:
    """A one-chain robot graph with a Dongguan base, for doctests and unit tests.

    Every company here is made up (``synthetic: true``): it exists only to pin rules.

    Examples
    --------
    >>> tiny_store().count_nodes("Company")
    4
    """
    s = {"synthetic": True, "source": "chaingraph.testing", "as_of": "2024"}
    nodes = [
        Node("region:cn", "Region", {"name": "中国", "level": "country"}),
        Node("region:cn-guangdong", "Region", {"name": "广东省", "level": "province"}),
        Node("region:cn-dongguan", "Region", {"name": "东莞市", "level": "city", "gba": True}),
        Node("region:dg-xiegang", "Region", {"name": "谢岗镇", "level": "town"}),
        Node("region:cn-jiangsu", "Region", {"name": "江苏省", "level": "province"}),
        Node("region:cn-suzhou", "Region", {"name": "苏州市", "level": "city"}),
        Node("region:jp", "Region", {"name": "日本", "level": "country"}),
        Node("chain:robot", "Chain", {"name": "工业机器人"}),
        Node("seg:robot.parts", "Segment", {"name": "核心零部件", "stage": "上游"}),
        Node("seg:robot.parts.reducer", "Segment", {"name": "减速器", "stage": "上游"}),
        Node("seg:robot.body", "Segment", {"name": "机器人本体", "stage": "中游"}),
        Node("seg:robot.integration", "Segment", {"name": "系统集成", "stage": "下游"}),
        Node("prod:harmonic-reducer", "Product", {"name": "谐波减速器"}),
        Node("prod:servo-motor", "Product", {"name": "伺服电机"}),
        Node("prod:industrial-robot", "Product", {"name": "工业机器人"}),
        Node("prod:robot-workcell", "Product", {"name": "机器人工作站"}),
        Node(
            "base:yinping",
            "Base",
            {"name": "银瓶高端装备产业基地", "area_mu": 26420, "area_km2": 17.61},
        ),
        Node("co:dg-robot", "Company", {"name": "莞工机器人", "tags": ["龙头企业"], **s}),
        Node("co:dg-integrator", "Company", {"name": "莞集成", **s}),
        Node("co:sz-reducer", "Company", {"name": "苏减速", "tags": ["专精特新小巨人"], **s}),
        Node("co:jp-servo", "Company", {"name": "日伺服", "tags": ["全球百强"], **s}),
    ]
    rels = [
        Relationship("IN", "region:cn-guangdong", "region:cn"),
        Relationship("IN", "region:cn-dongguan", "region:cn-guangdong"),
        Relationship("IN", "region:dg-xiegang", "region:cn-dongguan"),
        Relationship("IN", "region:cn-jiangsu", "region:cn"),
        Relationship("IN", "region:cn-suzhou", "region:cn-jiangsu"),
        Relationship("IN", "base:yinping", "region:dg-xiegang"),
        Relationship("PART_OF", "seg:robot.parts", "chain:robot"),
        Relationship("PART_OF", "seg:robot.parts.reducer", "seg:robot.parts"),
        Relationship("PART_OF", "seg:robot.body", "chain:robot"),
        Relationship("PART_OF", "seg:robot.integration", "chain:robot"),
        Relationship("IN_SEGMENT", "prod:harmonic-reducer", "seg:robot.parts.reducer"),
        Relationship("IN_SEGMENT", "prod:servo-motor", "seg:robot.parts"),
        Relationship("IN_SEGMENT", "prod:industrial-robot", "seg:robot.body"),
        Relationship("IN_SEGMENT", "prod:robot-workcell", "seg:robot.integration"),
        Relationship("INPUT_TO", "prod:harmonic-reducer", "prod:industrial-robot"),
        Relationship("INPUT_TO", "prod:servo-motor", "prod:industrial-robot"),
        Relationship("INPUT_TO", "prod:industrial-robot", "prod:robot-workcell"),
        Relationship("FOCUSES_ON", "base:yinping", "chain:robot", props={"priority": 1}),
        Relationship("MAKES", "co:dg-robot", "prod:industrial-robot", props=dict(s)),
        Relationship("MAKES", "co:dg-integrator", "prod:robot-workcell", props=dict(s)),
        Relationship("MAKES", "co:sz-reducer", "prod:harmonic-reducer", props=dict(s)),
        Relationship("MAKES", "co:jp-servo", "prod:servo-motor", props=dict(s)),
        Relationship("LOCATED_IN", "co:dg-robot", "base:yinping", "总部", {"role": "总部"}),
        Relationship(
            "LOCATED_IN", "co:dg-integrator", "region:cn-dongguan", "总部", {"role": "总部"}
        ),
        Relationship("LOCATED_IN", "co:sz-reducer", "region:cn-suzhou", "总部", {"role": "总部"}),
        Relationship("LOCATED_IN", "co:jp-servo", "region:jp", "总部", {"role": "总部"}),
    ]
    store = NetworkxStore()
    store.merge(nodes, rels)
    return store


def evidence_store() -> NetworkxStore:
    """A graph pinning the evidence-aware gap rules (every firm synthetic).

    Four firms make something in 本市 (region:cn-home, holding ``base:home``), twenty
    in China, one in Japan: local share 4/20. The base focuses on chain:c, whose
    segment 结构件 holds no product itself: its makers are found through the product
    结构件 that chain:d files under 机电部件. ``co:l4``'s 控制器 fact is unverified;
    its 整机 fact is unverified but of strong evidence.

    Examples
    --------
    >>> store = evidence_store()
    >>> store.economy_counts("region:cn-home")
    EconomyCounts(area='region:cn-home', local=4, national=20, total=21)
    """
    s = {"synthetic": True, "source": "chaingraph.testing", "as_of": "2024"}
    unverified = {**s, "source": "unverified"}
    nodes = [
        Node("region:cn", "Region", {"name": "中国", "level": "country"}),
        Node("region:cn-home", "Region", {"name": "本市", "level": "city", "gba": True}),
        Node("region:cn-other", "Region", {"name": "他市", "level": "city"}),
        Node("region:jp", "Region", {"name": "日本", "level": "country"}),
        Node("base:home", "Base", {"name": "本地基地"}),
        Node("chain:c", "Chain", {"name": "整机链"}),
        Node("chain:d", "Chain", {"name": "部件链"}),
        Node("seg:c.sensor", "Segment", {"name": "传感器", "stage": "上游"}),
        Node("seg:c.motor", "Segment", {"name": "电机", "stage": "上游"}),
        Node("seg:c.structure", "Segment", {"name": "结构件", "stage": "上游"}),
        Node("seg:c.control", "Segment", {"name": "控制器", "stage": "上游"}),
        Node("seg:c.machine", "Segment", {"name": "整机", "stage": "中游"}),
        Node("seg:d.parts", "Segment", {"name": "机电部件", "stage": "中游"}),
        Node("prod:sensor", "Product", {"name": "传感器件"}),
        Node("prod:motor", "Product", {"name": "电机"}),
        Node("prod:structure", "Product", {"name": "结构件"}),
        Node("prod:control", "Product", {"name": "控制器"}),
        Node("prod:machine", "Product", {"name": "整机"}),
    ]
    rels = [
        Relationship("IN", "region:cn-home", "region:cn"),
        Relationship("IN", "region:cn-other", "region:cn"),
        Relationship("IN", "base:home", "region:cn-home"),
        Relationship("FOCUSES_ON", "base:home", "chain:c", props={"priority": 1}),
        *(
            Relationship("PART_OF", seg, "chain:c")
            for seg in ("seg:c.sensor", "seg:c.motor", "seg:c.structure", "seg:c.control")
        ),
        Relationship("PART_OF", "seg:c.machine", "chain:c"),
        Relationship("PART_OF", "seg:d.parts", "chain:d"),
        Relationship("IN_SEGMENT", "prod:sensor", "seg:c.sensor"),
        Relationship("IN_SEGMENT", "prod:motor", "seg:c.motor"),
        Relationship("IN_SEGMENT", "prod:structure", "seg:d.parts"),
        Relationship("IN_SEGMENT", "prod:control", "seg:c.control"),
        Relationship("IN_SEGMENT", "prod:machine", "seg:c.machine"),
        *(
            Relationship("INPUT_TO", p, "prod:machine")
            for p in ("prod:sensor", "prod:motor", "prod:structure", "prod:control")
        ),
    ]

    def firm(cid: str, name: str, place: str, tags: tuple[str, ...] = ()) -> None:
        nodes.append(Node(cid, "Company", {"name": name, "tags": list(tags), **s}))
        rels.append(Relationship("LOCATED_IN", cid, place, "总部", {"role": "总部", **s}))

    def makes(cid: str, product: str, props: dict[str, object] | None = None) -> None:
        rels.append(Relationship("MAKES", cid, product, props=dict(props or s)))

    firm("co:l1", "本地一号", "base:home", ("龙头企业",))
    firm("co:l2", "本地二号", "region:cn-home")
    firm("co:l3", "本地三号", "region:cn-home")
    firm("co:l4", "本地四号", "region:cn-home")
    makes("co:l1", "prod:motor")
    makes("co:l1", "prod:machine")
    makes("co:l2", "prod:structure")
    makes("co:l2", "prod:machine")
    makes("co:l3", "prod:structure")
    makes("co:l4", "prod:control", unverified)
    makes("co:l4", "prod:machine", {**unverified, "evidence": "strong"})
    for i in range(1, 17):
        firm(f"co:o{i:02d}", f"外地{i:02d}", "region:cn-other")
    for i in range(1, 13):
        makes(f"co:o{i:02d}", "prod:sensor")
    for i in range(1, 10):
        makes(f"co:o{i:02d}", "prod:motor")
    for i in (2, 3, 10, 11, 12):
        makes(f"co:o{i:02d}", "prod:structure")
    for i in (1, 13, 14, 15, 16):
        makes(f"co:o{i:02d}", "prod:control")
    for i in (5, 6, 7, 8, 9):
        makes(f"co:o{i:02d}", "prod:machine")
    firm("co:j1", "日本传感", "region:jp", ("全球百强",))
    makes("co:j1", "prod:sensor")
    store = NetworkxStore()
    store.merge(nodes, rels)
    return store
