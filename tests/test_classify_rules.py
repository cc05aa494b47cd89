"""The decision rules of ``chaingraph classify`` that weigh a firm's lines as a whole
(issue 19, fifth precision pass): which revenue lines are read at all."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from chaingraph.classify import Options, classify_files
from chaingraph.classify.rules import leading_lines
from chaingraph.cli import cli
from chaingraph.dataset import STORE_ENV, open_default_store
from chaingraph.store.networkx import NetworkxStore

LINES = ["股票代码", "简称", "主营构成", "占比"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetworkxStore]:
    path = tmp_path_factory.mktemp("bundled") / "store.json"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(STORE_ENV, str(path))
        open_default_store()
    yield NetworkxStore.open(path)


def write_lines(path: Path, rows: list[tuple[str, str, str, float]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(LINES)
        writer.writerows(rows)
    return path


# A property firm: eight large lines in no chain, then a small software line (the 9th of
# the lines at or above 5%), and a software line of 3% below the share floor.
PROPERTY = [
    ("600999", "甲置业", "房地产开发", 0.62),
    ("600999", "甲置业", "商品房销售", 0.58),
    ("600999", "甲置业", "物业管理", 0.21),
    ("600999", "甲置业", "酒店经营", 0.17),
    ("600999", "甲置业", "建筑施工", 0.15),
    ("600999", "甲置业", "园林绿化", 0.13),
    ("600999", "甲置业", "停车场服务", 0.12),
    ("600999", "甲置业", "餐饮服务", 0.11),
    ("600999", "甲置业", "应用软件", 0.10),
    ("600999", "甲置业", "软件外包", 0.03),
]


def test_leading_lines_ranks_by_share_and_keeps_unshared_lines() -> None:
    lines: list[tuple[str, float | None]] = [
        ("房地产", 0.9),
        ("软件", 0.06),
        ("锂电池", None),
        ("芯片", 0.3),
        ("贸易", 0.04),
    ]
    assert leading_lines(lines, 0.05, 2) == [("房地产", 0.9), ("锂电池", None), ("芯片", 0.3)]
    assert leading_lines(lines, 0.05, None) == [
        ("房地产", 0.9),
        ("软件", 0.06),
        ("锂电池", None),
        ("芯片", 0.3),
    ]
    # ties keep the file's order
    tied: list[tuple[str, float | None]] = [("甲", 0.2), ("乙", 0.2), ("丙", 0.2)]
    assert leading_lines(tied, 0.05, 2) == [("甲", 0.2), ("乙", 0.2)]


def test_a_chain_named_only_past_the_leading_lines_does_not_count(
    store: NetworkxStore, tmp_path: Path
) -> None:
    """Only a firm's ``max_lines`` (8) largest revenue lines are read: a software line of
    10% ranked ninth says nothing of a property firm's business."""
    path = write_lines(tmp_path / "lines.csv", PROPERTY)
    (row,) = classify_files(store, [path])
    assert row.chains == []
    assert not any("应用软件" in w for w in row.why)
    # the same line read when every line counts (max_lines None), or with one line less
    (row,) = classify_files(store, [path], options=Options(max_lines=None))
    assert row.chains == ["chain:digital"]
    assert any("应用软件 (10%)" in w for w in row.why)
    shorter = write_lines(tmp_path / "shorter.csv", PROPERTY[1:])
    (row,) = classify_files(store, [shorter])
    assert row.chains == ["chain:digital"]


def test_the_leading_lines_are_the_largest_not_the_first(
    store: NetworkxStore, tmp_path: Path
) -> None:
    """A file may list a firm's lines in any order: the rank is by share."""
    path = write_lines(tmp_path / "lines.csv", list(reversed(PROPERTY)))
    (row,) = classify_files(store, [path])
    assert row.chains == []
    # a battery line of 30% listed last is among the eight largest and counts
    battery = [*PROPERTY[:8], ("600999", "甲置业", "锂电池", 0.30)]
    path = write_lines(tmp_path / "battery.csv", battery)
    (row,) = classify_files(store, [path])
    assert row.chains == ["chain:energy"]


def test_max_lines_applies_to_product_cells_and_the_cli(
    store: NetworkxStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a 主营产品 cell with shares is read the same way
    header = ["企业名称", "主营产品"]
    items = "、".join(f"{label}({share:.0%})" for _, _, label, share in PROPERTY)
    path = tmp_path / "firms.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerow(["甲置业股份有限公司", items])
    (row,) = classify_files(store, [path])
    assert row.chains == []
    (row,) = classify_files(store, [path], options=Options(max_lines=9))
    assert row.chains == ["chain:digital"]
    # the CLI passes --max-lines through
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "store.json"))
    lines = write_lines(tmp_path / "lines.csv", PROPERTY)
    runner = CliRunner()
    default = runner.invoke(cli, ["classify", str(lines), "--format", "csv"])
    assert default.exit_code == 0, default.output
    assert "chain:digital" not in default.output
    wide = runner.invoke(cli, ["classify", str(lines), "--format", "csv", "--max-lines", "9"])
    assert wide.exit_code == 0, wide.output
    assert "chain:digital" in wide.output


def test_workers_give_the_same_rows_in_the_same_order(store: NetworkxStore, tmp_path: Path) -> None:
    """``workers`` forks processes that classify batches: the rows, their order and the
    bad rows reported are those of one process; a bad row with skip_bad off stops both."""
    from chaingraph.classify.synthetic import HEADER, registry_rows
    from chaingraph.errors import DataError
    from chaingraph.errors import Issue as _Issue

    rows = list(registry_rows(store, 1200, seed=5))
    for index in (7, 650, 1100):
        rows[index][1] = "91441900MA0000000X"  # a credit code with a wrong check character
    path = tmp_path / "registry.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    serial_bad: list[_Issue] = []
    parallel_bad: list[_Issue] = []
    serial = list(classify_files(store, [path], options=Options(chunk=100), bad=serial_bad))
    parallel = list(
        classify_files(store, [path], options=Options(chunk=100, workers=2), bad=parallel_bad)
    )
    assert len(serial) == 1200
    assert parallel == serial
    assert [r.line for r in parallel] == list(range(2, 1202))
    assert sum(bool(r.chains) for r in parallel) > 300  # the rows do name chains
    assert sorted(map(str, parallel_bad)) == sorted(map(str, serial_bad))
    assert len(serial_bad) == 3 and all("uscc" in str(i) for i in serial_bad)
    strict = Options(chunk=100, workers=2, skip_bad=False)
    with pytest.raises(DataError, match=r"registry\.csv:9: uscc"):
        list(classify_files(store, [path], options=strict))
    with pytest.raises(DataError, match=r"registry\.csv:9: uscc"):
        list(classify_files(store, [path], options=Options(chunk=100, skip_bad=False)))


def test_map_batches_runs_in_order_and_reports_issues() -> None:
    from chaingraph.classify.parallel import in_batches, map_batches
    from chaingraph.errors import DataError, Issue

    def work(batch: list[int], offset: int, issues: list[Issue]) -> list[int]:
        for x in batch:
            if x % 10 == 3:
                issues.append(Issue("n.csv", f"odd {x}", line=x))
        return [x + offset for x in batch]

    bad: list[Issue] = []
    out = list(map_batches(work, in_batches(range(50), 4), (100,), 2, bad))
    assert out == [x + 100 for x in range(50)]
    assert [i.line for i in bad] == [3, 13, 23, 33, 43]

    def fails(batch: list[int], issues: list[Issue]) -> list[int]:
        if 17 in batch:
            raise DataError([Issue("n.csv", "seventeen", line=17)])
        return batch

    with pytest.raises(DataError, match=r"n\.csv:17: seventeen"):
        list(map_batches(fails, in_batches(range(50), 4), (), 2, None))
