"""The synthetic generator: seeded, marked synthetic, and shaped like real firm lists."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from chaingraph.cli import cli
from chaingraph.store.networkx import NetworkxStore
from chaingraph.synthetic import synthetic_store


def test_same_seed_same_graph_and_everything_marked(tmp_path: Path) -> None:
    runner = CliRunner()
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for path in paths:
        result = runner.invoke(
            cli, ["generate", "--companies", "300", "--seed", "5", "-o", str(path)]
        )
        assert result.exit_code == 0, result.output
    assert paths[0].read_bytes() == paths[1].read_bytes()
    store = NetworkxStore.open(paths[0])
    firms = list(store.nodes("Company"))
    assert len(firms) == 300
    assert all(f.get("synthetic") and f.get("source") == "synthetic" for f in firms)
    touching = [r for r in store.relationships() if r.source.startswith("co:")]
    assert touching and all(r.props.get("synthetic") for r in touching)


def test_shape_heavy_tails_hubs_and_preferential_supply() -> None:
    store = synthetic_store(3000, seed=11)
    revenue = sorted((n.get("revenue_cny_100m") for n in store.nodes("Company")), reverse=True)
    top_share = sum(revenue[: len(revenue) // 10]) / sum(revenue)
    assert top_share > 0.5  # the largest tenth hold most of the revenue
    hq = Counter(r.target for r in store.relationships("LOCATED_IN"))
    assert hq.most_common(1)[0][1] > 10 * (3000 / len(hq))  # one hub far above the average place
    suppliers = Counter(r.target for r in store.relationships("SUPPLIES"))
    assert suppliers.most_common(1)[0][1] >= 5  # some customers attract many suppliers
    tags = Counter(t for n in store.nodes("Company") for t in n.get("tags") or [])
    assert 0.2 < tags["高新技术企业"] / 3000 < 0.4 and tags["龙头企业"] < 0.02 * 3000
