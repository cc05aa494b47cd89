"""The target search reading makers in classes, a page at a time (chaingraph.store.candidates).

A server store (Neo4j) hands the target search each gap product's makers in classes,
each sorted by revenue, and the search reads them best score bound first
(``ScoreBounds.paged``); the embedded store gives whole lists instead. Here the paged
walk runs on the embedded store too, and must give the very targets the whole lists
give, at city and town scope, with filters and for several ``top``; and the bound a
class's page promises is never below the bound of the firms it holds. The graphs are
``chaingraph.synthetic`` (seeded, synthetic).
"""

from __future__ import annotations

import dataclasses
import importlib
import math
from collections.abc import Iterator
from typing import Any

import pytest

from chaingraph.analysis import target_score
from chaingraph.analysis.config import AnalysisConfig
from chaingraph.analysis.target_score import REACH_FULL, SupplyTies
from chaingraph.analysis.target_search import ScoreBounds, TargetSearch
from chaingraph.analysis.targets import targets
from chaingraph.store import GraphStore
from chaingraph.store.candidates import PAGE, arrange
from chaingraph.synthetic import synthetic_store

BASE = "base:yinping-high-end-equipment"
# the module (chaingraph.analysis.targets is also the function, re-exported)
targets_module = importlib.import_module("chaingraph.analysis.targets")


@pytest.fixture(scope="module")
def graph() -> GraphStore:
    return synthetic_store(3000, seed=7)


def paged_bounds(paged: bool) -> type[ScoreBounds]:
    class Forced(ScoreBounds):
        def __init__(self, store: GraphStore, config: AnalysisConfig) -> None:
            super().__init__(store, config, paged=paged)

    return Forced


@pytest.mark.parametrize(
    ("scope", "top", "tags", "min_revenue"),
    [
        ("city", 5, (), None),
        ("town", 5, (), None),
        ("town", 1, (), None),
        ("city", 40, (), None),
        ("town", 3, ("高新技术企业",), 0.5),
    ],
)
def test_paged_search_gives_the_targets_of_whole_lists(
    graph: GraphStore,
    monkeypatch: pytest.MonkeyPatch,
    scope: str,
    top: int,
    tags: tuple[str, ...],
    min_revenue: float | None,
) -> None:
    config = dataclasses.replace(AnalysisConfig(), scope=scope)

    def run(paged: bool) -> list[object]:
        monkeypatch.setattr(targets_module, "ScoreBounds", paged_bounds(paged))
        return list(
            targets(graph, BASE, top=top, tags=tags, min_revenue=min_revenue, config=config)
        )

    whole, paged = run(False), run(True)
    assert whole and paged == whole


def test_a_store_that_keeps_no_cache_reads_pages(graph: GraphStore) -> None:
    # the embedded store keeps whole lists; a store without an analysis cache pages
    assert not ScoreBounds(graph, AnalysisConfig()).paged

    class NoCache:
        def analysis_cache(self) -> None:
            return None

    assert ScoreBounds(NoCache(), AnalysisConfig()).paged  # type: ignore[arg-type]
    # a negative record weight would break the bound order: whole lists then
    weights = {**AnalysisConfig().score_weights, "scale": -0.1}
    config = dataclasses.replace(AnalysisConfig(), score_weights=weights)
    assert not ScoreBounds(NoCache(), config).paged  # type: ignore[arg-type]


def walk(bounds: ScoreBounds, product: str, classes: tuple[object, ...]) -> Iterator[float]:
    for negative, _ in bounds.stream(product, classes):
        yield -negative


def test_pages_come_best_bound_first(graph: GraphStore) -> None:
    # every maker of every product, in classes, walked: bounds never rise, each firm once
    bounds = ScoreBounds(graph, AnalysisConfig(), paged=True)
    segments = [n.id for n in graph.nodes("Segment")]
    seen_pages = 0
    for per in graph.candidate_classes(segments).values():
        for product, classes in per.items():
            found = list(bounds.stream(product, classes))
            assert len(found) == len({f for _, f in found}) == sum(c.count for c in classes)
            negatives = [n for n, _ in found]
            assert negatives == sorted(negatives)
            seen_pages += sum(len(c.tops) for c in classes)
    assert seen_pages > 0


def test_arrange_cuts_pages_of_page_makers() -> None:
    makers = [(f"co:{i:04d}", ((), None, float(i % 13), None)) for i in range(3 * PAGE + 1)]
    classes, pages = arrange(makers)
    (only,) = [c for c in classes if c.revenue]
    cut = pages[only.key]
    assert [len(p) for p in cut[:-1]] == [PAGE] * (len(cut) - 1)
    flat = [entry for page in cut for entry in page]
    assert flat == sorted(flat, key=lambda e: (-e[1], e[0]))
    assert only.tops == tuple(page[0][1] for page in cut)


def test_gaps_walked_side_by_side_share_their_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    # A fresh store (nothing cached), the paged walk as on a server: every gap's search
    # reads its firms' facts in the same steps, so there are fewer fact reads than gaps
    # with targets; the rows' product facts come in one read, not one per row; and the
    # answer is that of each gap searched alone.
    store = synthetic_store(3000, seed=7)
    monkeypatch.setattr(targets_module, "ScoreBounds", paged_bounds(True))
    calls = {"company_facts": 0, "makes_facts": 0, "MAKES": 0, "inside": 0}
    originals = {name: getattr(store, name) for name in ("company_facts", "makes_facts")}

    def counted(name: str) -> object:
        def call(*args: object, **kwargs: object) -> object:
            calls[name] += 1
            calls["inside"] += 1
            try:
                return originals[name](*args, **kwargs)
            finally:
                calls["inside"] -= 1

        return call

    relationships = store.relationships

    def counted_relationships(type: str | None = None, **kwargs: str | None) -> object:
        # MAKES facts read one pair at a time, other than by makes_facts itself
        calls["MAKES"] += type == "MAKES" and not calls["inside"]
        return relationships(type, **kwargs)

    for name in originals:
        monkeypatch.setattr(store, name, counted(name))
    monkeypatch.setattr(store, "relationships", counted_relationships)
    rows = targets(store, BASE, top=3)
    segments = list(dict.fromkeys(r.segment for r in rows))
    assert len(segments) >= 3
    assert calls["makes_facts"] == 1 and calls["MAKES"] == 0
    assert 0 < calls["company_facts"] < len(segments)
    # each gap walked alone, one after the other (as before issue 22's fifth pass)
    side_by_side = TargetSearch.best_of_each

    def one_at_a_time(self: TargetSearch, gaps: list[Any], top: int) -> list[Any]:
        return [side_by_side(self, [gap], top)[0] for gap in gaps]

    monkeypatch.setattr(TargetSearch, "best_of_each", one_at_a_time)
    walked = calls["company_facts"]
    assert targets(synthetic_store(3000, seed=7), BASE, top=3) == rows
    assert calls["company_facts"] == walked  # the new store's reads were not counted


def test_names_of_firms_already_supplied_come_a_step_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The names a row shows of the local firms its target already supplies: read for
    # every firm of a step of the search at once (issue 22: at 1M firms a city call
    # sent 234 node_names reads, one per firm scored), same rows as a fresh read each.
    store = synthetic_store(3000, seed=7)
    config = dataclasses.replace(AnalysisConfig(), scope="city")
    monkeypatch.setattr(targets_module, "ScoreBounds", paged_bounds(True))
    # two lines a row: most firms already supplied are not among the names read first
    monkeypatch.setattr(target_score, "SUPPLY_LINES_SHOWN", 1)
    monkeypatch.setattr(target_score, "SUPPLY_LINES_KEPT", 2)
    calls = {"company_facts": 0, "node_names": 0}
    originals = {name: getattr(store, name) for name in calls}

    def counted(name: str) -> object:
        def call(*args: object, **kwargs: object) -> object:
            calls[name] += 1
            return originals[name](*args, **kwargs)

        return call

    for name in originals:
        monkeypatch.setattr(store, name, counted(name))
    rows = targets(store, BASE, top=5, config=config)
    assert any("已有供货记录" in line for r in rows for line in r.supplies_local)
    # one read for the names of the first lines, then at most one per step
    assert calls["node_names"] <= 1 + calls["company_facts"]
    stepped = calls["node_names"]
    # without the read per step, each firm reads the names it lacks on its own
    monkeypatch.setattr(SupplyTies, "read_names", lambda self, scored: None)
    calls["node_names"] = 0
    originals = {name: getattr(store := synthetic_store(3000, seed=7), name) for name in calls}
    for name in originals:
        monkeypatch.setattr(store, name, counted(name))
    assert targets(store, BASE, top=5, config=config) == rows
    assert calls["node_names"] > stepped


@pytest.mark.parametrize("sizes", [(3, 5), (39,), (40,), (39, 1), (20, 20), (45, 2), (0,)])
def test_reach_counts_the_local_firms_a_product_goes_into(sizes: tuple[int, ...]) -> None:
    """``SupplyTies.reach`` is the saturating count of every local firm reached, also when
    it stops joining at a user with ``REACH_FULL`` local firms or more (overlaps counted once)."""
    users = {
        "p:in": tuple(
            (f"p:user{i}", tuple(f"co:{j:03d}" for j in range(i, i + n)))
            for i, n in enumerate(sizes)
        ),
        "p:other": (("p:user9", ("co:000", "co:900")),),
    }
    ties = SupplyTies(users, {}, {})
    for makes in (("p:in",), ("p:in", "p:other"), ("p:other",)):
        reached = {c for m in makes for _, local in users[m] for c in local}
        assert ties.reach(makes) == min(1.0, math.log1p(len(reached)) / math.log1p(REACH_FULL))
