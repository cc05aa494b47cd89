"""A seeded, made-up chain graph at scale: the real ontology plus synthetic companies, for benchmarks.

The chains, segments, products, bases and regions are the bundled ontology
(``ontology/*.yaml``, loaded with the real loader); every company and every
relationship that touches one is invented here and carries ``synthetic: true`` and
``source: synthetic``. Nothing of this goes into ``ontology/`` or ``ingest/``.

The companies look like the curated ones: a short name, a legal name, aliases
(the legal name without its suffix and a romanised brand), sometimes tags and a
listing; each MAKES 2-4 products of one chain, is LOCATED_IN (总部) a region, and
about a quarter SUPPLY an earlier company that makes a downstream product.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from chaingraph.dataset import bundled_files
from chaingraph.loaders.pipeline import load_files
from chaingraph.model import Node, Relationship
from chaingraph.resources import data_dir
from chaingraph.store.networkx_store import NetworkxStore

__all__ = ["SYNTHETIC_SOURCE", "ontology_store", "synthetic_store"]

SYNTHETIC_SOURCE = "synthetic"

# Brand characters with a romanisation, so aliases read like real English names.
_BRAND = (
    ("华", "Hua"), ("信", "Xin"), ("科", "Ke"), ("达", "Da"), ("通", "Tong"), ("盛", "Sheng"),
    ("源", "Yuan"), ("泰", "Tai"), ("新", "Xin"), ("宏", "Hong"), ("瑞", "Rui"), ("恒", "Heng"),
    ("德", "De"), ("微", "Wei"), ("芯", "Xin"), ("光", "Guang"), ("联", "Lian"), ("创", "Chuang"),
    ("汇", "Hui"), ("博", "Bo"), ("捷", "Jie"), ("凯", "Kai"), ("鑫", "Xin"), ("润", "Run"),
    ("海", "Hai"), ("天", "Tian"), ("中", "Zhong"), ("安", "An"), ("飞", "Fei"), ("锐", "Rui"),
    ("思", "Si"), ("嘉", "Jia"), ("伟", "Wei"), ("明", "Ming"), ("智", "Zhi"),
    ("元", "Yuan"), ("立", "Li"), ("峰", "Feng"), ("晶", "Jing"), ("邦", "Bang"), ("欣", "Xin"),
    ("众", "Zhong"), ("拓", "Tuo"), ("力", "Li"), ("富", "Fu"), ("美", "Mei"), ("长", "Chang"),
    ("东", "Dong"), ("南", "Nan"), ("精", "Jing"), ("佳", "Jia"), ("致", "Zhi"), ("弘", "Hong"),
    ("昇", "Sheng"), ("启", "Qi"), ("卓", "Zhuo"), ("永", "Yong"), ("丰", "Feng"), ("和", "He"),
    ("晟", "Sheng"), ("骏", "Jun"), ("迈", "Mai"), ("赛", "Sai"), ("奥", "Ao"),
)  # fmt: skip
_TRADE = (
    ("科技", "Technology"), ("电子", "Electronics"), ("精密", "Precision"), ("材料", "Materials"),
    ("生物", "Biotech"), ("智能", "Intelligent"), ("装备", "Equipment"), ("半导体", "Semiconductor"),
    ("新能源", "New Energy"), ("光电", "Optoelectronics"), ("医疗", "Medical"), ("软件", "Software"),
    ("机械", "Machinery"), ("信息", "Information"), ("微电子", "Microelectronics"),
)  # fmt: skip
_PLACE = ("东莞市", "深圳市", "广州市", "广东", "苏州", "上海", "佛山市", "惠州市", "")
_LEGAL_FORM = ("有限公司", "股份有限公司", "有限公司", "集团有限公司")
_TAGS = ("专精特新", "高新技术企业", "专精特新小巨人", "隐形冠军", "龙头企业", "单项冠军", "链主")
_BOARDS = ("深交所主板", "深交所创业板", "上交所主板", "上交所科创板", "北交所", "港交所")
_AS_OF = ("2023", "2024", "2024-06", "2024-12", "2025-03")


def ontology_store() -> NetworkxStore:
    """A store holding only the bundled ontology (chains, products, bases, regions; no companies)."""
    ontology = data_dir("ontology")
    store = NetworkxStore()
    load_files(store, [f for f in bundled_files() if f.is_relative_to(ontology)])
    return store


def synthetic_store(n_companies: int, seed: int = 0, *, batch_size: int = 10_000) -> NetworkxStore:
    """The ontology plus ``n_companies`` synthetic companies; the same seed gives the same graph.

    Companies are ``co:syn-000000``, ``co:syn-000001``…; they and all their
    relationships are marked ``synthetic: true``. Merged through
    :meth:`NetworkxStore.merge` in batches of ``batch_size``, as a loader would.
    """
    store = ontology_store()
    rng = random.Random(seed)
    products = _products_by_chain(store)
    chains = sorted(products)
    downstream: dict[str, list[str]] = defaultdict(list)
    for rel in store.relationships("INPUT_TO"):
        downstream[rel.source].append(rel.target)
    local, far = _hq_regions(store)
    makers: dict[str, list[str]] = defaultdict(list)  # product -> synthetic companies making it

    for start in range(0, n_companies, batch_size):
        nodes: list[Node] = []
        rels: list[Relationship] = []
        for i in range(start, min(start + batch_size, n_companies)):
            company = f"co:syn-{i:06d}"
            as_of = rng.choice(_AS_OF)
            marks = {"source": SYNTHETIC_SOURCE, "as_of": as_of, "synthetic": True}
            nodes.append(Node(company, "Company", _company_props(rng, marks)))
            chain_products = products[rng.choice(chains)]
            made = rng.sample(chain_products, min(len(chain_products), rng.randint(2, 4)))
            rels.extend(Relationship("MAKES", company, p, props=dict(marks)) for p in made)
            region = rng.choice(local if rng.random() < 0.4 else far)
            rels.append(
                Relationship("LOCATED_IN", company, region, "总部", {"role": "总部", **marks})
            )
            rels.extend(_supplies(rng, company, made, downstream, makers, marks))
            for p in made:
                makers[p].append(company)
        store.merge(nodes, rels)
    return store


def _company_props(rng: random.Random, marks: dict[str, Any]) -> dict[str, Any]:
    brand = rng.sample(_BRAND, rng.choice((2, 2, 3)))
    trade_zh, trade_en = rng.choice(_TRADE)
    brand_zh = "".join(c for c, _ in brand)
    legal_stem = f"{rng.choice(_PLACE)}{brand_zh}{trade_zh}"
    props: dict[str, Any] = {
        **marks,
        "name": brand_zh + trade_zh,
        "legal_name": legal_stem + rng.choice(_LEGAL_FORM),
        "aliases": [legal_stem, "".join(p for _, p in brand).capitalize() + " " + trade_en],
    }
    if rng.random() < 0.6:
        props["founded"] = rng.randint(1985, 2023)
    tags = rng.sample(_TAGS, rng.choice((0, 0, 0, 0, 1, 1, 2)))
    if rng.random() < 0.08:
        tags.append("上市")
        props["listing"] = {"board": rng.choice(_BOARDS), "code": f"{rng.randint(1, 999999):06d}"}
    if tags:
        props["tags"] = tags
    return props


def _supplies(
    rng: random.Random,
    company: str,
    made: list[str],
    downstream: dict[str, list[str]],
    makers: dict[str, list[str]],
    marks: dict[str, Any],
) -> Iterator[Relationship]:
    """About one company in four supplies a maker of a product its own product goes into."""
    if rng.random() >= 0.25:
        return
    product = rng.choice(made)
    customers = [c for q in downstream.get(product, ()) for c in makers[q][-50:]]
    if customers:
        customer = rng.choice(customers)
        yield Relationship("SUPPLIES", company, customer, product, {"product": product, **marks})


def _products_by_chain(store: NetworkxStore) -> dict[str, list[str]]:
    """Product ids of each chain (product -> segment -> parent segments -> chain)."""
    parent = {r.source: r.target for r in store.relationships("PART_OF")}
    result: dict[str, list[str]] = defaultdict(list)
    for rel in store.relationships("IN_SEGMENT"):
        node = rel.target
        while node in parent:
            node = parent[node]
        if node.startswith("chain:") and rel.source not in result[node]:
            result[node].append(rel.source)
    return {chain: ids for chain, ids in result.items() if len(ids) >= 2}


def _hq_regions(store: NetworkxStore) -> tuple[list[str], list[str]]:
    """Dongguan towns and districts, and other cities and countries, for headquarters."""
    local, far = [], []
    for node in store.nodes("Region"):
        level = node.props.get("level")
        if level in ("town", "district", "park"):
            local.append(node.id)
        elif level in ("city", "country"):
            far.append(node.id)
    return local, far
