"""The first call after opening a store file answers as the plain walks do (issue 22).

A store read from a file answers from what its reader noted (firms as node numbers,
leader flags from tag holders, headquarters sites), and target search bounds each
firm by its headquarters and each product by its local users. These must change no
answer: ``gaps`` and ``targets`` of a generated graph, opened from a file, at every
scope, against the same graph answering by the plain walks
(``chaingraph.store.networkx.aggregates``) with no notes and generic bounds, and
against scoring every maker.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from test_scale_paths import PlainWalks, _per_segment, _plain_copy

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.gaps import gaps
from chaingraph.analysis.targets import targets
from chaingraph.model import Node, Relationship
from chaingraph.store.networkx import NetworkxStore
from chaingraph.store.networkx.warm import declared_areas
from chaingraph.synthetic import synthetic_store
from chaingraph.testing import BUNDLED_BASES, tiny_store

BASES = ("base:yinping-high-end-equipment", *BUNDLED_BASES[:3])


@pytest.fixture(scope="module")
def opened_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[NetworkxStore, PlainWalks]:
    store = synthetic_store(2500, seed=23)
    assert isinstance(store, NetworkxStore)
    # Two firms with a second headquarters: one whose extra site sorts first (it is
    # the one company_facts reads), one whose extra site sorts last.
    firms = sorted(n.id for n in store.nodes("Company"))[:2]
    store.merge(
        [],
        [
            Relationship("LOCATED_IN", firms[0], "region:cn-dongguan", "总部"),
            Relationship("LOCATED_IN", firms[1], "region:jp", "总部"),
        ],
    )
    path = store.save(tmp_path_factory.mktemp("first-call") / "store.cgraph.json")
    return NetworkxStore.open(path), _plain_copy(store)


@pytest.mark.parametrize("scope", ["town", "city", "base"])
def test_first_calls_answer_as_the_plain_walks(
    opened_pair: tuple[NetworkxStore, PlainWalks], scope: str
) -> None:
    opened, plain = opened_pair
    config = dataclasses.replace(AnalysisConfig(), scope=scope)
    listed = 0
    for base in BASES:
        # each base's first call on a store opened afresh, as the benchmark makes it
        fresh = NetworkxStore.open(opened.path or "")
        assert gaps(fresh, base, config=config) == gaps(plain, base, config=config), base
        found = targets(NetworkxStore.open(opened.path or ""), base, top=3, config=config)
        assert found == targets(plain, base, top=3, config=config), base
        everyone = targets(opened, base, top=10**6, config=config)
        assert found == _per_segment(everyone, 3), base
        listed += len(found)
    assert listed  # the bases have gaps with firms to attract at this scope


def test_headquarters_as_company_facts_read_them(
    opened_pair: tuple[NetworkxStore, PlainWalks],
) -> None:
    opened, plain = opened_pair
    ids = sorted(n.id for n in plain.nodes("Company"))
    found = opened.headquarters(ids)
    assert found is not None and plain.headquarters(ids) is None
    facts = plain.company_facts(ids)
    assert [None if k < 0 else found.sites[k] for k in found.site_of] == [
        facts[c].hq[0].id if facts[c].hq else None for c in ids
    ]
    assert {"region:cn-dongguan", "region:jp"} <= set(found.sites)


def test_leader_flags_by_number_as_by_the_rule(
    opened_pair: tuple[NetworkxStore, PlainWalks],
) -> None:
    opened, plain = opened_pair
    leader = AnalysisConfig().leader
    segments = sorted(n.id for n in plain.nodes("Segment"))
    for area in ("region:cn-dongguan", "region:cn"):
        assert opened.segment_coverage(segments, area, leader) == plain.segment_coverage(
            segments, area, leader
        )
    ranked = dataclasses.replace(leader, tags=("专精特新",), rank=500)
    assert opened.segment_coverage(segments, "region:cn", ranked) == plain.segment_coverage(
        segments, "region:cn", ranked
    )


def test_what_opening_builds_answers_as_the_walks(
    opened_pair: tuple[NetworkxStore, PlainWalks], tmp_path: Path
) -> None:
    """Company facts and revenue shares from the adjacency dicts, the makers outside
    each area cut from the product's tuple of makers, and the declared bases' local
    sets built while the file opened: each as the plain walks answer."""
    opened, plain = opened_pair
    fresh = NetworkxStore.open(opened.path or "")
    ids = sorted(n.id for n in plain.nodes("Company"))
    asked = [*ids, "prod:none", ids[0], "co:not-a-node"]
    asked += sorted(n.id for n in plain.nodes("Product"))[:3]
    assert fresh.company_facts(asked) == plain.company_facts(asked)
    assert fresh.revenue_shares(asked) == plain.revenue_shares(asked)
    # unverified facts and records, odd revenue shares: counted and read alike
    store = tiny_store()
    store.merge(
        [Node("co:dg-robot", "Company", {"name": "莞工机器人", "source": "unverified"})],
        [
            Relationship("MAKES", "co:dg-robot", "prod:servo-motor", "", {"source": "unverified"}),
            Relationship("MAKES", "co:jp-servo", "prod:industrial-robot", "", {"revenue_share": 2}),
        ],
    )
    marked = NetworkxStore.open(store.save(tmp_path / "marked.cgraph.json"))
    few = sorted(n.id for n in store.nodes("Company"))
    assert marked.company_facts(few) == _plain_copy(store).company_facts(few)
    assert marked.company_facts(["co:dg-robot"])["co:dg-robot"].unverified == 2
    assert marked.revenue_shares(few) == _plain_copy(store).revenue_shares(few)
    segments = sorted(n.id for n in plain.nodes("Segment"))
    areas = ["", "region:cn", *sorted(declared_areas(plain, plain._analysis_index()))]
    assert len(areas) > 5
    leader = AnalysisConfig().leader
    cut = 0
    for area in areas:
        found = fresh.segment_candidates(segments, area)
        assert found == plain.segment_candidates(segments, area), area
        every = fresh.segment_candidates(segments, "")
        cut += sum(
            len(every[s][p]) - len(makers) for s, per in found.items() for p, makers in per.items()
        )
        if area:
            assert fresh.segment_coverage(segments, area, leader) == plain.segment_coverage(
                segments, area, leader
            ), area
    assert cut  # some makers were cut out of the tuples


def test_a_name_holding_the_packing_separator(tmp_path: Path) -> None:
    """Ids and names are packed into copies joined by NUL; a name holding one keeps
    the names as read."""
    store = tiny_store()
    odd = "莞工" + chr(0) + "机器人"
    store.merge([Node("co:dg-robot", "Company", {"name": odd})], [])
    opened = NetworkxStore.open(store.save(tmp_path / "s.cgraph.json"))
    found = opened.segment_coverage(["seg:robot.body"], "region:cn-dongguan")
    assert found["seg:robot.body"].local_names == (odd,)
    assert found == _plain_copy(store).segment_coverage(["seg:robot.body"], "region:cn-dongguan")


def test_a_segment_whose_products_have_no_maker(tmp_path: Path) -> None:
    """Opening builds every segment's makers; a segment of two products that nobody
    makes has none (it once failed while the file opened)."""
    store = tiny_store()
    store.merge(
        [
            Node("seg:robot.vision", "Segment", {"name": "机器视觉", "stage": "上游"}),
            Node("prod:camera", "Product", {"name": "工业相机"}),
            Node("prod:lens", "Product", {"name": "工业镜头"}),
        ],
        [
            Relationship("PART_OF", "seg:robot.vision", "chain:robot"),
            Relationship("IN_SEGMENT", "prod:camera", "seg:robot.vision"),
            Relationship("IN_SEGMENT", "prod:lens", "seg:robot.vision"),
        ],
    )
    opened = NetworkxStore.open(store.save(tmp_path / "s.cgraph.json"))
    found = opened.segment_coverage(["seg:robot.vision"], "region:cn-dongguan")
    assert found["seg:robot.vision"].local_names == ()
    assert found == _plain_copy(store).segment_coverage(["seg:robot.vision"], "region:cn-dongguan")
