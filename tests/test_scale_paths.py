"""The fast paths issue 8 added must answer exactly what the plain definitions do.

- The embedded store's indexes (``chaingraph.store.networkx.index``) against the
  plain walks of ``chaingraph.store.networkx.aggregates`` on the same graph.
- ``targets`` walks makers by score bound and stops early; it must return what
  scoring every maker returns.
- A merge drops the indexes and whatever the analyses cached.
"""

from __future__ import annotations

import dataclasses
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import orjson
import pytest

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.gaps import gaps
from chaingraph.analysis.targets import Target, targets
from chaingraph.dataset import load_bundled
from chaingraph.model import Node, Relationship
from chaingraph.store import GraphStore, LeaderRule
from chaingraph.store.base import CompanyFacts
from chaingraph.store.networkx import NetworkxStore, aggregates
from chaingraph.store.records import (
    RecordBasics,
    record_basics_by_nodes,
    revenue_shares_by_facts,
)
from chaingraph.synthetic import synthetic_store
from chaingraph.testing import BUNDLED_BASES, tiny_store

LEADER = AnalysisConfig().leader


def ring_makers_by_coverage(
    store: GraphStore, segment_ids: Iterable[str], rings: Sequence[Sequence[str]]
) -> dict[str, tuple[int, ...]]:
    """``GraphStore.ring_makers`` by its definition: one :meth:`~GraphStore.segment_coverage`
    per distinct place of the rings, each ring's local firms united."""
    segs = sorted(set(segment_ids))
    local: dict[str, dict[str, frozenset[str]]] = {}
    for place in sorted({p for ring in rings for p in ring}):
        coverage = store.segment_coverage(segs, place)
        local[place] = {seg: frozenset(cov.local) for seg, cov in coverage.items()}
    return {
        seg: tuple(len(frozenset().union(*(local[p].get(seg, ()) for p in ring))) for ring in rings)
        for seg in segs
    }


class PlainWalks(NetworkxStore):
    """The embedded store answering aggregates by the generic walks, no indexes."""

    def _walker(self) -> aggregates.Walker:
        return aggregates.Walker(self)

    # the contract's own answer: one segment_coverage per place
    def ring_makers(
        self, segment_ids: Iterable[str], rings: Sequence[Sequence[str]]
    ) -> dict[str, tuple[int, ...]]:
        return ring_makers_by_coverage(self, segment_ids, rings)

    def record_basics(self, company_ids: Sequence[str]) -> RecordBasics:
        return record_basics_by_nodes(self, company_ids)

    # the reference walks of what the embedded store reads from its adjacency dicts
    def company_facts(self, company_ids: Iterable[str]) -> dict[str, CompanyFacts]:
        return aggregates.company_facts(self._walker(), company_ids)

    def revenue_shares(self, company_ids: Iterable[str]) -> dict[str, dict[str, float]]:
        return revenue_shares_by_facts(self, company_ids)


def _plain_copy(store: NetworkxStore) -> PlainWalks:
    plain = PlainWalks()
    plain.merge(list(store.nodes()), list(store.relationships()))
    return plain


@pytest.fixture(scope="module")
def synthetic_pair() -> tuple[NetworkxStore, PlainWalks]:
    store = synthetic_store(1500, seed=11)
    assert isinstance(store, NetworkxStore)
    return store, _plain_copy(store)


@pytest.fixture(scope="module")
def reopened_pair(
    synthetic_pair: tuple[NetworkxStore, PlainWalks], tmp_path_factory: pytest.TempPathFactory
) -> tuple[NetworkxStore, PlainWalks]:
    # Opened from a file, the index starts from what the reader gathered, not a scan.
    path = synthetic_pair[0].save(tmp_path_factory.mktemp("reopened") / "store.json")
    return NetworkxStore.open(path), synthetic_pair[1]


@pytest.fixture(scope="module")
def bundled_pair() -> tuple[NetworkxStore, PlainWalks]:
    store = NetworkxStore()
    load_bundled(store)
    return store, _plain_copy(store)


AREAS = ("region:cn-dongguan", "region:cn-guangdong", "region:cn", "base:nowhere")


def assert_area_reads_equal(
    indexed: NetworkxStore,
    plain: NetworkxStore,
    segments: list[str],
    products: list[str],
    area: str,
) -> None:
    """The area-scoped aggregates of the indexed store equal the plain walks'."""
    assert indexed.segment_coverage(segments, area, LEADER) == (
        plain.segment_coverage(segments, area, LEADER)
    )
    assert indexed.leader_inputs(products, area, LEADER) == (
        plain.leader_inputs(products, area, LEADER)
    )
    assert indexed.segment_candidates(segments, area) == plain.segment_candidates(segments, area)


@pytest.mark.parametrize("pair", ["synthetic_pair", "reopened_pair", "bundled_pair"])
def test_indexed_aggregates_equal_plain_walks(pair: str, request: pytest.FixtureRequest) -> None:
    indexed, plain = request.getfixturevalue(pair)
    segments = sorted(n.id for n in indexed.nodes("Segment"))
    products = sorted(n.id for n in indexed.nodes("Product"))
    for area in AREAS:
        assert_area_reads_equal(indexed, plain, segments, products, area)
        assert indexed.chain_counts(area) == plain.chain_counts(area)
    assert indexed.segment_candidates(segments, "") == plain.segment_candidates(segments, "")
    assert indexed.product_supply() == plain.product_supply()
    assert indexed.base_facts() == plain.base_facts()


def _per_segment(rows: list[Target], top: int) -> list[Target]:
    kept: dict[str, int] = defaultdict(int)
    found = []
    for row in rows:
        if kept[row.segment] < top:
            kept[row.segment] += 1
            found.append(row)
    return found


@pytest.mark.parametrize("pair", ["synthetic_pair", "bundled_pair"])
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"tags": ["高新技术企业"]},
        {"regions_out": ["region:cn-guangdong"]},
        {"min_revenue": 50.0},
    ],
    ids=["plain", "tags", "regions-out", "min-revenue"],
)
def test_early_stop_returns_what_scoring_everyone_returns(
    pair: str, options: dict[str, object], request: pytest.FixtureRequest
) -> None:
    store, _ = request.getfixturevalue(pair)
    for base in BUNDLED_BASES:
        everyone = targets(store, base, top=10**6, **options)  # type: ignore[arg-type]
        for top in (1, 3):
            assert targets(store, base, top=top, **options) == _per_segment(everyone, top)  # type: ignore[arg-type]


def test_early_stop_with_other_weights(synthetic_pair: tuple[NetworkxStore, PlainWalks]) -> None:
    # Weights change which firms can be cut off early; negative ones flip the bounds.
    store, _ = synthetic_pair
    weights = {**AnalysisConfig().score_weights, "proximity": -0.2, "scale": 0.5}
    config = dataclasses.replace(AnalysisConfig(), score_weights=weights)
    base = "base:linshen-electronics"
    everyone = targets(store, base, top=10**6, config=config)
    assert targets(store, base, top=2, config=config) == _per_segment(everyone, 2)


def test_a_merge_drops_indexes_and_cached_bounds() -> None:
    store = tiny_store()
    assert isinstance(store, NetworkxStore)
    before = {g.segment: g.local_firms for g in gaps(store, "base:yinping").segments}
    targets(store, "base:yinping")
    assert store.analysis_cache()  # bounds kept for the next query
    store.merge(
        [Node("co:dg-servo", "Company", {"name": "莞伺服", "source": "test", "as_of": "2026"})],
        [
            Relationship("MAKES", "co:dg-servo", "prod:servo-motor"),
            Relationship("LOCATED_IN", "co:dg-servo", "region:cn-dongguan", "总部"),
        ],
    )
    assert not store.analysis_cache()
    after = {g.segment: g.local_firms for g in gaps(store, "base:yinping").segments}
    assert after["seg:robot.parts"] == before["seg:robot.parts"] + 1
    picked = {t.company for t in targets(store, "base:yinping", top=10)}
    assert "co:dg-servo" not in picked  # local now: not a firm to attract


def _odd_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[NetworkxStore, PlainWalks]:
    """A synthetic graph with facts of mixed strength, leaders by rank and by tag and
    leader fields of odd shapes, saved and reopened (what the reader notes is used)."""
    store = synthetic_store(1200, seed=5)
    assert isinstance(store, NetworkxStore)
    companies = sorted(n.id for n in store.nodes("Company"))
    s = {"source": "test", "as_of": "2026", "synthetic": True}
    nodes = [
        Node(companies[0], "Company", {**store.require(companies[0]).props, "tags": "链主"}),
        Node(companies[1], "Company", {**store.require(companies[1]).props, "tags": ["链主"]}),
        Node(
            companies[2],
            "Company",
            {**store.require(companies[2]).props, "global_rank": {"rank": 7}},
        ),
        Node(
            companies[3],
            "Company",
            {**store.require(companies[3]).props, "global_rank": {"rank": 7.5}, "tags": []},
        ),
    ]
    rels = []
    # Facts of another strength into some products: their segments are no longer uniform.
    for company in companies[4:400:7]:
        for product in sorted({r.target for r in store.relationships("MAKES", source=company)})[:1]:
            rels.append(
                Relationship(
                    "MAKES", company, product, "", {"source": "年报", "evidence": "strong", **s}
                )
            )
    for company in companies[5:400:11]:
        for product in sorted({r.target for r in store.relationships("MAKES", source=company)})[:1]:
            rels.append(Relationship("MAKES", company, product, "", {"source": "unverified"}))
    store.merge(nodes, rels)
    path = store.save(tmp_path_factory.mktemp("odd") / "store.json")
    reopened = NetworkxStore.open(path)
    return reopened, _plain_copy(reopened)


def test_what_the_reader_notes_answers_as_the_plain_walks(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    indexed, plain = _odd_store(tmp_path_factory)
    read = indexed._read_facts  # the fast paths are the ones under test, and their way out
    assert read is not None and read.mixed and read.odd and read.ranks
    segments = sorted(n.id for n in indexed.nodes("Segment"))
    products = sorted(n.id for n in indexed.nodes("Product"))
    rings = [["region:cn-dongguan"], ["region:cn-dongguan", "region:cn-shenzhen"], ["region:cn"]]
    for leader in (LEADER, LeaderRule(("链主", "高新技术企业"), 10)):
        for area in ("region:cn-dongguan", "region:cn-guangdong", "region:cn", "base:nowhere"):
            assert indexed.segment_coverage(segments, area, leader) == (
                plain.segment_coverage(segments, area, leader)
            )
            assert indexed.leader_inputs(products, area, leader) == (
                plain.leader_inputs(products, area, leader)
            )
            assert indexed.economy_counts(area) == plain.economy_counts(area)
    assert indexed.ring_makers([*segments, "prod:none"], rings) == plain.ring_makers(
        [*segments, "prod:none"], rings
    )
    town = dataclasses.replace(AnalysisConfig(), scope="town")
    for base in BUNDLED_BASES:
        assert gaps(indexed, base) == gaps(plain, base)
        assert gaps(indexed, base, config=town) == gaps(plain, base, config=town)
        assert targets(indexed, base, top=3, config=town) == targets(
            plain, base, top=3, config=town
        )


def _scrambled_file(tmp_path_factory: pytest.TempPathFactory, foreign_maker: bool) -> Path:
    """A synthetic store file whose rows the fast paths must not trust: company rows out
    of id order, a name that is no text, record fields of odd shapes, and with
    ``foreign_maker`` a ``MAKES`` fact from a node that is no company (the file format
    does not stop one; targets cannot profile such a maker, on either path)."""
    store = synthetic_store(900, seed=23)
    path = store.save(tmp_path_factory.mktemp("scrambled") / "store.json")
    document = orjson.loads(path.read_bytes())
    nodes = document["nodes"]
    companies = [row for row in nodes if row[1] == "Company"]
    others = [row for row in nodes if row[1] != "Company"]
    random.Random(3).shuffle(companies)
    companies[0][2]["name"] = 12345
    companies[1][2]["tags"] = "链主"
    companies[2][2]["revenue_cny_100m"] = 0
    companies[3][2]["global_rank"] = {"rank": 3}
    companies[4][2]["listing"] = {"board": "科创板"}
    document["nodes"] = companies[: len(companies) // 2] + others + companies[len(companies) // 2 :]
    if foreign_maker:
        platform = next(row[0] for row in others if row[1] == "Platform")
        product = next(row[2] for row in document["edges"] if row[0] == "MAKES")
        document["edges"].append(["MAKES", platform, product, "", {"source": "test"}])
    path.write_bytes(orjson.dumps(document))
    return path


@pytest.mark.parametrize("foreign_maker", [False, True])
def test_firm_numbers_answer_as_the_plain_walks_on_a_scrambled_file(
    tmp_path_factory: pytest.TempPathFactory, foreign_maker: bool
) -> None:
    path = _scrambled_file(tmp_path_factory, foreign_maker)
    indexed, plain = NetworkxStore.open(path), PlainWalks.open(path)
    read = indexed._read_facts
    assert read is not None and not read.companies_sorted and read.nameless
    segments = sorted(n.id for n in indexed.nodes("Segment"))
    products = sorted(n.id for n in indexed.nodes("Product"))
    companies = sorted(n.id for n in indexed.nodes("Company"))
    for area in AREAS:
        assert_area_reads_equal(indexed, plain, segments, products, area)
        assert indexed.economy_counts(area) == plain.economy_counts(area)
    rings = [["region:cn-dongguan"], ["region:cn-dongguan", "region:cn-shenzhen"], ["region:cn"]]
    assert indexed.ring_makers(segments, rings) == plain.ring_makers(segments, rings)
    asked = [*companies[::3], "co:none", companies[0]]
    mine, reference = indexed.record_basics(asked), plain.record_basics(asked)
    assert [mine.kinds[k] if k >= 0 else None for k in mine.kind_of] == [
        reference.kinds[k] if k >= 0 else None for k in reference.kind_of
    ]
    town = dataclasses.replace(AnalysisConfig(), scope="town")
    for base in BUNDLED_BASES:
        assert gaps(indexed, base) == gaps(plain, base)
        if not foreign_maker:
            assert targets(indexed, base, top=3, config=town) == targets(
                plain, base, top=3, config=town
            )


def test_targets_rank_by_record_kinds_as_by_each_record() -> None:
    # ScoreBounds orders makers from store.record_basics (one bound per kind): the same
    # targets as with every record read on its own (PlainWalks), at every depth.
    store = synthetic_store(1500, seed=11)
    assert isinstance(store, NetworkxStore)
    path_free = _plain_copy(store)
    for base in BUNDLED_BASES[:3]:
        for top in (1, 4):
            assert targets(store, base, top=top) == targets(path_free, base, top=top)
