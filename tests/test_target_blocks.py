"""The first ``targets`` call's cheaper paths answer as the plain ones (issue 22, item 3).

- :class:`~chaingraph.analysis.target_search.Ranked` orders a product's makers a block
  at a time: the same order as one stable sort of every bound, ties at a block's edge
  included, however far a walk goes.
- :class:`~chaingraph.analysis.target_score.RecordParts` computes each score part once
  per value it reads: the same parts as :func:`record_parts` of each record, ranks that
  compare equal but are not ints (``True``, ``1.0``) included.
- The embedded store's ``node_names`` reads the node data without a ``Node`` apiece:
  the names ``get_many`` gives.
- An embedded search reads its firms in chunks that do not grow: the same targets as
  scoring every maker, at several depths.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from test_scale_paths import _per_segment

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.target_score import RecordParts, record_parts, scale_part
from chaingraph.analysis.target_search import Ranked
from chaingraph.analysis.targets import targets
from chaingraph.store.networkx import NetworkxStore
from chaingraph.synthetic import synthetic_store
from chaingraph.testing import BUNDLED_BASES, tiny_store


def _walk(ranked: Ranked, depth: int | None = None) -> list[tuple[float, str]]:
    return list(itertools.islice(ranked.pairs(), depth))


@pytest.mark.parametrize("size", [0, 1, 5, 255, 256, 257, 3000, 20000])
def test_blocks_give_the_order_of_one_stable_sort(size: int) -> None:
    rng = np.random.default_rng(size)
    makers = tuple(f"co:{n:06d}" for n in range(size + 7))
    # some makers with no record (not in ``known``), and few distinct bounds: many ties
    known = np.sort(rng.choice(len(makers), size=size, replace=False)).astype(np.int64)
    negative = -rng.integers(0, 12, size=size).astype(np.float64) / 8
    order = np.argsort(negative, kind="stable")
    expected = list(
        zip(negative[order].tolist(), [makers[i] for i in known[order].tolist()], strict=True)
    )
    ranked = Ranked(makers, known, negative)
    assert _walk(ranked, 3) == expected[:3]  # a short walk first: one block made
    assert _walk(ranked) == expected  # then to the end, from the blocks kept
    assert _walk(ranked) == expected  # and again


def test_a_block_takes_every_tie_at_its_edge() -> None:
    makers = tuple(f"co:{n:04d}" for n in range(1000))
    negative = np.full(1000, -1.0)
    negative[::3] = -2.0  # 334 best: more than a first block, all tied
    ranked = Ranked(makers, np.arange(1000), negative)
    found = _walk(ranked)
    assert [m for _, m in found[:334]] == list(makers[::3])
    assert [m for _, m in found[334:]] == [m for i, m in enumerate(makers) if i % 3]
    assert len(ranked._blocks) == 2  # the first block holds the 334 tied makers


RECORDS = [
    ((), None, None, None),
    (("专精特新",), 80, 100.0, None),
    (("专精特新小巨人", "高新技术企业"), None, 3.5, "科创板"),
    ((), 1, None, "创业板"),
    ((), True, None, "创业板"),  # True == 1, but no rank
    ((), 1.0, None, "创业板"),  # 1.0 == 1, but no rank
    ((), "12", 0.0, "主板"),
    ((), 101, 60000.0, None),
    ((), [3], 7, None),  # a rank that cannot be a key
]


def test_record_parts_once_per_value_as_record_by_record() -> None:
    config = AnalysisConfig()
    parts = RecordParts(config)
    for record in RECORDS * 2:  # the second time from what was kept
        assert parts(*record) == record_parts(config, *record), record
    assert parts(*RECORDS[4]) == parts(*RECORDS[5]) != parts(*RECORDS[3])
    assert scale_part(config, 0.0, None) == 0.0


def test_node_names_as_nodes_give_them() -> None:
    store = tiny_store()
    assert isinstance(store, NetworkxStore)
    ids = [*[n.id for n in store.nodes()][:12], "no:such", "prod:servo-motor"]
    assert store.node_names(ids) == {i: n.name for i, n in store.get_many(ids).items()}
    named = store.get("prod:servo-motor")
    assert named is not None
    del named.props["name"]  # no name: the id, as Node.name reads it
    assert store.node_names(["prod:servo-motor"]) == {"prod:servo-motor": "prod:servo-motor"}


@pytest.mark.parametrize("scope", ["town", "city"])
def test_small_chunks_find_what_scoring_everyone_finds(scope: str) -> None:
    store = synthetic_store(2000, seed=5)
    config = dataclasses.replace(AnalysisConfig(), scope=scope)
    for base in BUNDLED_BASES[:2]:
        everyone = targets(store, base, top=10**6, config=config)
        for top in (1, 5, 30):
            store.analysis_cache().clear()  # each depth from a first call
            assert targets(store, base, top=top, config=config) == _per_segment(everyone, top)
