"""Small hand-built graphs for examples and tests (synthetic: not real companies)."""

from __future__ import annotations

from chaingraph.model import Node, Relationship
from chaingraph.store.networkx_store import NetworkxStore

__all__ = ["BUNDLED_BASES", "tiny_store"]

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
