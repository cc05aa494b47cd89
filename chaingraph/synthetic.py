"""Seeded synthetic company graphs on top of the real ontology, for scale tests and benchmarks.

Every generated company and relationship carries ``synthetic: true`` and
``source: synthetic``; nothing generated belongs in ``ontology/`` or ``ingest/``.
The shape follows what real regional firm lists look like: firm sizes are
heavy-tailed (Pareto revenue), firms cluster in a few hub cities, each makes one
to five products of one chain, tags come at realistic rates (and leaders are the
big firms), and supply edges attach preferentially to customers that already
have many suppliers.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chaingraph.model import Node, Relationship
from chaingraph.store.base import GraphStore

__all__ = [
    "SYNTHETIC_SOURCE",
    "SyntheticSpec",
    "generate_batches",
    "ontology_store",
    "synthetic_store",
    "write_synthetic_store",
]

SYNTHETIC_SOURCE = "synthetic"

_BRAND = "华信科达通盛源泰新宏瑞恒德微芯光联创汇博捷凯鑫润海天中安飞锐思嘉伟明智元立峰晶邦欣众拓力富美长东南精佳致弘昇启卓永丰和晟骏迈赛奥"
_TRADE = (
    "科技",
    "电子",
    "精密",
    "材料",
    "生物",
    "智能",
    "装备",
    "半导体",
    "新能源",
    "光电",
    "医疗",
    "软件",
    "机械",
    "信息",
    "微电子",
)
_LEGAL_FORM = ("有限公司", "股份有限公司", "有限公司", "集团有限公司")
_BOARDS = ("深交所主板", "深交所创业板", "上交所主板", "上交所科创板", "北交所", "港交所")
# Share of firms with each tag (a firm may have several); leaders are drawn from the largest.
_TAG_RATES = (
    ("高新技术企业", 0.30),
    ("专精特新", 0.05),
    ("专精特新小巨人", 0.01),
    ("隐形冠军", 0.003),
)
_LISTED_RATE = 0.03


@dataclass(frozen=True)
class SyntheticSpec:
    """What to generate: how many firms, with which seed, in batches of what size."""

    companies: int
    seed: int = 0
    batch_size: int = 20_000


def ontology_store() -> GraphStore:
    """A store holding only the bundled ontology: chains, products, bases, regions (no firms)."""
    from chaingraph.dataset import bundled_files
    from chaingraph.loaders.pipeline import load_files
    from chaingraph.resources import data_dir
    from chaingraph.store.networkx import NetworkxStore

    ontology = data_dir("ontology")
    store = NetworkxStore()
    load_files(store, [f for f in bundled_files() if f.is_relative_to(ontology)])
    return store


def synthetic_store(companies: int, seed: int = 0, *, batch_size: int = 20_000) -> GraphStore:
    """The ontology plus ``companies`` synthetic firms; the same seed gives the same graph.

    Examples
    --------
    >>> store = synthetic_store(50, seed=1)
    >>> store.count_nodes("Company")
    50
    >>> all(n.get("synthetic") for n in store.nodes("Company"))
    True
    """
    store = ontology_store()
    for nodes, rels in generate_batches(store, SyntheticSpec(companies, seed, batch_size)):
        store.merge(nodes, rels)
    return store


def write_synthetic_store(path: str | Path, companies: int, seed: int = 0) -> GraphStore:
    """:func:`synthetic_store`, marked as synthetic in its metadata (``companies``,
    ``seed``) and written atomically to ``path`` (replacing the file).

    Parameters
    ----------
    path
        The embedded store file to write.
    companies, seed
        As for :func:`synthetic_store`.

    Returns
    -------
    GraphStore
        The store written.

    Examples
    --------
    >>> import tempfile
    >>> from chaingraph.store import NetworkxStore
    >>> path = Path(tempfile.mkdtemp()) / "syn.cgraph.json"
    >>> _ = write_synthetic_store(path, 20, seed=2)
    >>> NetworkxStore.open(path).meta["synthetic"]
    {'companies': 20, 'seed': 2}
    """
    store = synthetic_store(companies, seed)
    store.meta["synthetic"] = {"companies": companies, "seed": seed}  # type: ignore[attr-defined]
    store.save(path)  # type: ignore[attr-defined]
    return store


def generate_batches(
    ontology: GraphStore, spec: SyntheticSpec
) -> Iterator[tuple[list[Node], list[Relationship]]]:
    """Synthetic firms and their relationships, in batches, for a store holding ``ontology``."""
    rng = random.Random(spec.seed)
    products = _products_by_chain(ontology)
    chains = sorted(products)
    downstream: dict[str, list[str]] = defaultdict(list)
    for rel in ontology.relationships("INPUT_TO"):
        downstream[rel.source].append(rel.target)
    places, weights = _hq_places(ontology, rng)
    # Preferential attachment: a customer appears once per supplier it already has, plus once.
    customer_pool: dict[str, list[str]] = defaultdict(list)
    for start in range(0, spec.companies, spec.batch_size):
        nodes: list[Node] = []
        rels: list[Relationship] = []
        for i in range(start, min(start + spec.batch_size, spec.companies)):
            company = f"co:syn-{i:07d}"
            marks = {"source": SYNTHETIC_SOURCE, "as_of": "2025", "synthetic": True}
            nodes.append(Node(company, "Company", _company_props(rng, marks)))
            chain_products = products[rng.choice(chains)]
            count = min(len(chain_products), 1 + min(4, int(rng.expovariate(0.55))))
            made = rng.sample(chain_products, count)
            rels.extend(Relationship("MAKES", company, p, props=dict(marks)) for p in made)
            hq = rng.choices(places, weights)[0]
            rels.append(Relationship("LOCATED_IN", company, hq, "总部", {"role": "总部", **marks}))
            # Most firms make things away from their headquarters too.
            plant = rng.choices(places, weights)[0] if rng.random() < 0.6 else hq
            if plant != hq:
                rels.append(
                    Relationship("LOCATED_IN", company, plant, "生产", {"role": "生产", **marks})
                )
            customers: set[tuple[str, str]] = set()
            for _ in range(rng.choices((0, 1, 2, 3), (0.2, 0.3, 0.3, 0.2))[0]):
                product = rng.choice(made)
                pool = [c for q in downstream.get(product, ()) for c in customer_pool[q][-200:]]
                if not pool:
                    continue
                customer = rng.choice(pool)
                if (customer, product) in customers:
                    continue
                customers.add((customer, product))
                rels.append(
                    Relationship(
                        "SUPPLIES", company, customer, product, {"product": product, **marks}
                    )
                )
                for q in downstream.get(product, ()):
                    if customer in customer_pool[q][-200:]:
                        customer_pool[q].append(customer)
                        break
            for p in made:
                customer_pool[p].append(company)
        yield nodes, rels


def _company_props(rng: random.Random, marks: dict[str, Any]) -> dict[str, Any]:
    brand = "".join(rng.sample(_BRAND, rng.choice((2, 2, 3))))
    trade = rng.choice(_TRADE)
    legal = f"{brand}{trade}{rng.choice(_LEGAL_FORM)}"
    # Pareto(1.16) gives the 80/20 split real revenue tables show; in 亿元.
    revenue = round(min(20_000.0, 0.05 * rng.paretovariate(1.16)), 2)
    props: dict[str, Any] = {
        **marks,
        "name": brand + trade,
        "legal_name": legal,
        "revenue_cny_100m": revenue,
        "founded": rng.randint(1985, 2024),
    }
    tags = [tag for tag, rate in _TAG_RATES if rng.random() < rate]
    if revenue > 5 and rng.random() < 0.8:  # about 0.4% of firms, the largest ones
        tags.append("龙头企业")
    if rng.random() < _LISTED_RATE or revenue > 100:
        tags.append("上市")
        props["listing"] = {"board": rng.choice(_BOARDS), "code": f"{rng.randint(1, 999999):06d}"}
    if tags:
        props["tags"] = tags
    return props


def _products_by_chain(store: GraphStore) -> dict[str, list[str]]:
    parent = {r.source: r.target for r in store.relationships("PART_OF")}
    result: dict[str, list[str]] = defaultdict(list)
    for rel in sorted(store.relationships("IN_SEGMENT"), key=lambda r: (r.source, r.target)):
        node = rel.target
        while node in parent:
            node = parent[node]
        if node.startswith("chain:") and rel.source not in result[node]:
            result[node].append(rel.source)
    return {chain: ids for chain, ids in result.items() if len(ids) >= 2}


def _hq_places(store: GraphStore, rng: random.Random) -> tuple[list[str], list[float]]:
    """Headquarters places with Zipf weights: a few hub cities hold most firms."""
    regions = sorted(
        (
            n.id
            for n in store.nodes("Region")
            if n.get("level") in ("city", "town", "district", "country")
        ),
    )
    hubs = [
        r
        for r in (
            "region:cn-shenzhen",
            "region:cn-dongguan",
            "region:cn-suzhou",
            "region:cn-shanghai",
            "region:cn-guangzhou",
        )
        if r in regions
    ]
    rest = [r for r in regions if r not in hubs]
    rng.shuffle(rest)
    ordered = hubs + rest
    return ordered, [1.0 / (rank + 1) ** 1.1 for rank in range(len(ordered))]
