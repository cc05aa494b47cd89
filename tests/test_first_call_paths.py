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

import pytest
from test_scale_paths import PlainWalks, _per_segment, _plain_copy

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.gaps import gaps
from chaingraph.analysis.targets import targets
from chaingraph.model import Relationship
from chaingraph.store.networkx import NetworkxStore
from chaingraph.synthetic import synthetic_store
from chaingraph.testing import BUNDLED_BASES

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
