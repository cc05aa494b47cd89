"""Seeded random chain graphs (synthetic, made up) for store parity and fault tests.

Small, but built to reach every rule and every corner the two stores must agree on:
nested segments and parents with own products, products in two segments, a region
with two parents, firms with several sites or two headquarters, leaders by tag and
by global rank, unverified facts, supply ties, focus on chains, segments and
products with and without a priority, and sometimes an INPUT_TO cycle.
"""

from __future__ import annotations

import random
from typing import Any

from chaingraph.model import Node, Relationship

__all__ = ["TRICKY_NAMES", "random_graph"]

S = {"synthetic": True, "source": "tests.random_graph", "as_of": "2024"}

# Names a careless store would paste into Cypher or mangle; they must load verbatim.
TRICKY_NAMES = (
    "'}) DETACH DELETE n //",
    "`Company` MATCH (x) DETACH DELETE x",
    '"; MATCH (n) DETACH DELETE n; //',
    "$name {id: 'co:x'}",
    "名称\n第二行\t制表",
    "\\u0027 backslash \\",
)

_REGIONS = [
    # id, name, level, parents, gba
    ("region:cn", "中国", "country", [], False),
    ("region:cn-guangdong", "广东省", "province", ["region:cn"], False),
    ("region:cn-dongguan", "东莞市", "city", ["region:cn-guangdong"], True),
    ("region:cn-shenzhen", "深圳市", "city", ["region:cn-guangdong"], True),
    ("region:cn-shaoguan", "韶关市", "city", ["region:cn-guangdong"], False),
    ("region:dg-songshanhu", "松山湖", "town", ["region:cn-dongguan"], False),
    ("region:dg-xiegang", "谢岗镇", "town", ["region:cn-dongguan"], False),
    # A park administered by two towns: two IN parents.
    ("region:dg-park", "两镇园区", "park", ["region:dg-xiegang", "region:dg-songshanhu"], False),
    ("region:cn-jiangsu", "江苏省", "province", ["region:cn"], False),
    ("region:cn-suzhou", "苏州市", "city", ["region:cn-jiangsu"], False),
    ("region:de", "德国", "country", [], False),
    ("region:jp", "日本", "country", [], False),
]
_TAGS = (
    "龙头企业",
    "链主",
    "隐形冠军",
    "专精特新小巨人",
    "专精特新",
    "上市",
    "高新技术企业",
    "全球百强",
    "单项冠军",
)
_STAGES = ("上游", "中游", "下游")


def random_graph(
    seed: int, companies: int = 40, *, chains: int = 2, tricky: bool = True
) -> tuple[list[Node], list[Relationship]]:
    """A random chain graph; the same seed gives the same graph."""
    rng = random.Random(seed)
    # Draws added later come from their own stream, so the graphs above stay as they were.
    extra = random.Random(seed + 7919)
    nodes: list[Node] = []
    rels: list[Relationship] = []

    for rid, name, level, parents, gba in _REGIONS:
        props: dict[str, Any] = {"name": name, "level": level, **({"gba": True} if gba else {})}
        nodes.append(Node(rid, "Region", props))
        rels.extend(Relationship("IN", rid, p) for p in parents)
    places = [r[0] for r in _REGIONS]

    bases = []
    for i, town in enumerate(["region:dg-songshanhu", "region:dg-xiegang", "region:cn-suzhou"]):
        bid = f"base:b{i}"
        bases.append(bid)
        props = {"name": f"测试基地{i}", "area_mu": rng.choice([1200, 3400.5])}
        if rng.random() < 0.5:
            props["location"] = f"某地{i}"
        nodes.append(Node(bid, "Base", props))
        rels.append(Relationship("IN", bid, town))
    places += bases

    products: list[str] = []
    segments: list[str] = []
    stage_of: dict[str, int] = {}
    for c in range(chains):
        cid = f"chain:c{c}"
        nodes.append(Node(cid, "Chain", {"name": f"链{c}", "aliases": [f"chain {c}"]}))
        for g in range(rng.randint(2, 4)):
            stage = rng.randrange(3)
            sid = f"seg:c{c}.s{g}"
            props = {"name": f"环节{c}-{g}", "stage": _STAGES[stage]}
            if rng.random() < 0.3:
                props["weight"] = rng.choice([0.5, 2, 1.5])
            nodes.append(Node(sid, "Segment", props))
            rels.append(Relationship("PART_OF", sid, cid))
            children = []
            if rng.random() < 0.5:
                for k in range(rng.randint(1, 3)):
                    child = f"{sid}.k{k}"
                    nodes.append(
                        Node(
                            child,
                            "Segment",
                            {"name": f"子环节{c}-{g}-{k}", "stage": _STAGES[stage]},
                        )
                    )
                    rels.append(Relationship("PART_OF", child, sid))
                    children.append(child)
            holders = children + ([sid] if not children or rng.random() < 0.4 else [])
            for holder in holders:
                segments.append(holder)
                for p in range(rng.randint(1, 3)):
                    pid = f"prod:{holder.split(':')[1].replace('.', '-')}-p{p}"
                    nodes.append(Node(pid, "Product", {"name": f"产品{pid[5:]}"}))
                    rels.append(Relationship("IN_SEGMENT", pid, holder))
                    products.append(pid)
                    stage_of[pid] = stage
    # A segment named like another chain's segment, a product named like a segment:
    # each is one thing for the gap rules (found through either).
    if len(segments) > 2:
        twin, named = extra.sample(segments, 2)
        twin_name = next(n.props["name"] for n in nodes if n.id == twin)
        for i, n in enumerate(nodes):
            if n.id == named:
                nodes[i] = Node(n.id, n.type, {**n.props, "name": twin_name})
        pid = extra.choice(products)
        seg = extra.choice(segments)
        seg_name = next(n.props["name"] for n in nodes if n.id == seg)
        for i, n in enumerate(nodes):
            if n.id == pid:
                nodes[i] = Node(n.id, n.type, {**n.props, "name": seg_name})
    for pid in rng.sample(products, k=min(2, len(products))):
        other = rng.choice(segments)
        if not any(r.source == pid and r.target == other for r in rels if r.type == "IN_SEGMENT"):
            rels.append(Relationship("IN_SEGMENT", pid, other))  # a product in two segments

    inputs: set[tuple[str, str]] = set()
    for _ in range(len(products) * 2):
        a, b = rng.sample(products, 2)
        if stage_of[a] <= stage_of[b]:
            inputs.add((a, b))
    if rng.random() < 0.3 and inputs:
        a, b = sorted(inputs)[0]
        inputs.add((b, a))  # a cycle: dominators are skipped, all else must still agree
    rels.extend(Relationship("INPUT_TO", a, b) for a, b in sorted(inputs))

    firms = []
    for i in range(companies):
        cid = f"co:f{i:03d}"
        firms.append(cid)
        source = "unverified" if rng.random() < 0.3 else "tests.random_graph"
        name = TRICKY_NAMES[i] if tricky and i < len(TRICKY_NAMES) else f"企业{i}"
        props = {**S, "source": source, "name": name}
        if rng.random() < 0.5:
            props["tags"] = rng.sample(_TAGS, k=rng.randint(1, 3))
        if rng.random() < 0.15:
            props["global_rank"] = {"list": "全球百强", "rank": rng.choice([5, 99, 100, 101, 300])}
        if rng.random() < 0.4:
            props["revenue_cny_100m"] = rng.choice([0.5, 12, 250.25, 3000])
        if rng.random() < 0.3:
            props["listing"] = {
                "board": rng.choice(["上交所科创板", "深交所主板"]),
                "code": "000001",
            }
        if rng.random() < 0.2:
            props["legal_name"] = f"{name}有限公司"
            props["aliases"] = [f"F{i}", name]
        nodes.append(Node(cid, "Company", props))
        hq = rng.choice(places)
        rels.append(
            Relationship("LOCATED_IN", cid, hq, "总部", {"role": "总部", **S, "source": source})
        )
        if rng.random() < 0.1:
            second = rng.choice(places)  # a second head office elsewhere
            rels.append(
                Relationship(
                    "LOCATED_IN",
                    cid,
                    second,
                    "总部" if second != hq else "分支",
                    {"role": "总部", **S},
                )
            )
        if rng.random() < 0.3:
            rels.append(
                Relationship("LOCATED_IN", cid, rng.choice(places), "生产", {"role": "生产", **S})
            )
        for pid in rng.sample(products, k=rng.randint(1, 3)):
            grade = extra.choice([None, "strong", "medium", "weak", "unknown"])
            rels.append(
                Relationship(
                    "MAKES",
                    cid,
                    pid,
                    props={**S, "source": source, **({"evidence": grade} if grade else {})},
                )
            )
    for _ in range(companies // 3):
        a, b = rng.sample(firms, 2)
        pid = rng.choice(products)
        rels.append(Relationship("SUPPLIES", a, b, pid, {"product": pid, **S}))

    for bid in bases[:2]:
        for _ in range(rng.randint(1, 3)):
            target = rng.choice(
                [f"chain:c{rng.randrange(chains)}", rng.choice(segments), rng.choice(products)]
            )
            props = {} if rng.random() < 0.2 else {"priority": rng.randint(1, 5)}
            rels.append(Relationship("FOCUSES_ON", bid, target, props=props))
    return nodes, rels
