"""The decision rules of ``chaingraph classify`` that weigh a firm's lines as a whole
(issue 19, fifth precision pass): which revenue lines are read at all."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from chaingraph.classify import Options, classify_files
from chaingraph.classify.rules import leading_lines
from chaingraph.cli import cli
from chaingraph.dataset import STORE_ENV
from chaingraph.store.networkx import NetworkxStore

LINES = ["股票代码", "简称", "主营构成", "占比"]


@pytest.fixture(scope="module")
def store(bundled_store_path: Path) -> NetworkxStore:
    # classify reads the store and writes nothing, so the session's shared file will do
    return NetworkxStore.open(bundled_store_path)


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
    """With ``max_lines=8`` only a firm's eight largest revenue lines are read: a software
    line of 10% ranked ninth is then not read. By default (None) every line is read."""
    path = write_lines(tmp_path / "lines.csv", PROPERTY)
    (row,) = classify_files(store, [path], options=Options(max_lines=8))
    assert row.chains == []
    assert not any("应用软件" in w for w in row.why)
    # the same line read by default (every line counts), or with one line less
    (row,) = classify_files(store, [path])
    assert row.chains == ["chain:digital"]
    assert any("应用软件 (10%)" in w for w in row.why)
    shorter = write_lines(tmp_path / "shorter.csv", PROPERTY[1:])
    (row,) = classify_files(store, [shorter], options=Options(max_lines=8))
    assert row.chains == ["chain:digital"]


def test_every_line_is_read_by_default(store: NetworkxStore, tmp_path: Path) -> None:
    """The default reads every line at or above the share floor: a materials line ranked
    tenth (as 600346's, 601222's and 300263's on blind12) still counts; 3% lines do not."""
    assert Options().max_lines is None
    lines = [*PROPERTY[:9], ("600999", "甲置业", "碳纤维", 0.10)]
    (row,) = classify_files(store, [write_lines(tmp_path / "lines.csv", lines)])
    assert "chain:materials" in row.chains
    small = [*PROPERTY[:8], ("600999", "甲置业", "应用软件", 0.03)]
    (row,) = classify_files(store, [write_lines(tmp_path / "small.csv", small)])
    assert row.chains == []


def test_the_leading_lines_are_the_largest_not_the_first(
    store: NetworkxStore, tmp_path: Path
) -> None:
    """A file may list a firm's lines in any order: the rank is by share."""
    eight = Options(max_lines=8)
    path = write_lines(tmp_path / "lines.csv", list(reversed(PROPERTY)))
    (row,) = classify_files(store, [path], options=eight)
    assert row.chains == []
    # a battery line of 30% listed last is among the eight largest and counts
    battery = [*PROPERTY[:8], ("600999", "甲置业", "锂电池", 0.30)]
    path = write_lines(tmp_path / "battery.csv", battery)
    (row,) = classify_files(store, [path], options=eight)
    assert row.chains == ["chain:energy"]


def test_max_lines_applies_to_product_cells_and_the_cli(
    store: NetworkxStore,
    bundled_store_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a 主营产品 cell with shares is read the same way
    header = ["企业名称", "主营产品"]
    items = "、".join(f"{label}({share:.0%})" for _, _, label, share in PROPERTY)
    path = tmp_path / "firms.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerow(["甲置业股份有限公司", items])
    (row,) = classify_files(store, [path], options=Options(max_lines=8))
    assert row.chains == []
    (row,) = classify_files(store, [path], options=Options(max_lines=9))
    assert row.chains == ["chain:digital"]
    # the CLI passes --max-lines through; without it every line is read
    shutil.copyfile(bundled_store_path, tmp_path / "store.json")
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "store.json"))
    lines = write_lines(tmp_path / "lines.csv", PROPERTY)
    runner = CliRunner()
    narrow = runner.invoke(cli, ["classify", str(lines), "--format", "csv", "--max-lines", "8"])
    assert narrow.exit_code == 0, narrow.output
    assert "chain:digital" not in narrow.output
    default = runner.invoke(cli, ["classify", str(lines), "--format", "csv"])
    assert default.exit_code == 0, default.output
    assert "chain:digital" in default.output
    # ``load --classify`` takes the same rules (one shared option set): a dry run with
    # --max-lines 8 finds no software maker, without it the firm makes software
    dry = ["load", "--classify", "--dry-run", str(lines), "--format", "json"]
    narrow = runner.invoke(cli, [*dry, "--max-lines", "8"])
    assert narrow.exit_code == 0, narrow.output
    wide = runner.invoke(cli, dry)
    assert wide.exit_code == 0, wide.output
    assert "prod:high-end-software" not in narrow.output
    assert "prod:high-end-software" in wide.output


def test_the_cli_rule_defaults_are_the_library_defaults() -> None:
    """The CLI writes the defaults down (importing the classifier would slow
    ``chaingraph --help``); they must stay those of :class:`Options`."""
    from chaingraph.cli.options import CLASSIFY_RULE_DEFAULTS

    defaults = Options()
    assert {k: getattr(defaults, k) for k in CLASSIFY_RULE_DEFAULTS} == CLASSIFY_RULE_DEFAULTS


def test_texts_are_read_once_and_the_memos_stay_bounded(
    store: NetworkxStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Repeated texts give the same hits from the memo; the memo never grows past its size."""
    import chaingraph.classify.text as text
    from chaingraph.classify.core import _text
    from chaingraph.classify.knowledge import load_knowledge
    from chaingraph.names import normalize_text

    knowledge = load_knowledge(store)
    first = text.text_hits(knowledge, "锂离子电池的研发、生产", "medium", 0.5)
    assert [h.target.chain for h in first] == ["chain:energy"]
    assert text.text_hits(knowledge, "锂离子电池的研发、生产", "medium", 0.5) is first
    # another evidence level or share is another reading
    strong = text.text_hits(knowledge, "锂离子电池的研发、生产", "strong", 0.9, 0.6, revenue=True)
    assert strong is not first and strong[0].share == 0.6
    monkeypatch.setattr(text, "_MEMO_SIZE", 5)
    for i in range(40):
        text.text_hits(knowledge, f"工业机器人{i}", "medium", 0.5)
        text.scope_items(knowledge, f"技术开发、注塑机{i}生产")
        assert len(knowledge.memo) <= 5 and len(knowledge.boiler_memo) <= 5
    assert text.scope_items(knowledge, "技术开发、注塑机1生产") == ["注塑机1生产"]
    # cells: ASCII ones skip NFKC and read the same as normalize_text; short ones are memoised
    for cell in [
        "  91441900MA00  X ",
        "2025-06",
        "ＡＢＣ 集团",
        "存续（在营、开业、在册）",
        " 东莞市 ",
    ]:
        assert _text(cell) == normalize_text(cell)
    assert _text("   ") is None and _text(2024.0) == "2024"


def test_a_chain_of_about_ten_percent_counts(store: NetworkxStore, tmp_path: Path) -> None:
    """The chain floor is 9% (the labels read "about 10%"; issue 19, seventh pass): a
    battery line of 9.5% makes the firm's only chain, one of 8.5% does not."""
    assert Options().min_chain_share == 0.09
    rows = [
        ("600901", "甲地产", "房地产开发", 0.905),
        ("600901", "甲地产", "锂电池", 0.095),
        ("600902", "乙地产", "房地产开发", 0.915),
        ("600902", "乙地产", "锂电池", 0.085),
    ]
    path = write_lines(tmp_path / "lines.csv", rows)
    chains = {r.stock_code: r.chains for r in classify_files(store, [path])}
    assert chains == {"600901": ["chain:energy"], "600902": []}
    # the floor of the passes before (10%) is an option
    strict = Options(min_chain_share=0.10)
    chains = {r.stock_code: r.chains for r in classify_files(store, [path], options=strict)}
    assert chains == {"600901": [], "600902": []}


# Two firms with an IC line and a battery line of 12%: beside a minor main chain (25%) and
# beside a dominant one (60%); a third whose battery line is under the chain floor.
SIDE = [
    ("600911", "甲科技", "集成电路", 0.25),
    ("600911", "甲科技", "锂电池", 0.12),
    ("600911", "甲科技", "房地产开发", 0.63),
    ("600912", "乙科技", "集成电路", 0.60),
    ("600912", "乙科技", "锂电池", 0.12),
    ("600912", "乙科技", "房地产开发", 0.28),
    ("600913", "丙科技", "集成电路", 0.25),
    ("600913", "丙科技", "锂电池", 0.08),
    ("600913", "丙科技", "房地产开发", 0.67),
]


def test_the_side_floor_applies_only_beside_a_dominant_main_chain(
    store: NetworkxStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chain beside the main one needs 20% only when the main chain reaches 30%
    (``side_main_share``); beside a minor main chain the chain floor alone applies."""
    assert Options().side_main_share == 0.30
    path = write_lines(tmp_path / "lines.csv", SIDE)
    chains = {r.stock_code: r.chains for r in classify_files(store, [path])}
    assert chains == {
        "600911": ["chain:energy", "chain:ic"],
        "600912": ["chain:ic"],
        "600913": ["chain:ic"],
    }
    # side_main_share=0 is the rule of the passes before: the side floor everywhere
    everywhere = Options(side_main_share=0.0)
    chains = {r.stock_code: r.chains for r in classify_files(store, [path], options=everywhere)}
    assert chains["600911"] == ["chain:ic"]
    # the CLI passes --side-main-share through
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "store.json"))
    runner = CliRunner()
    result = runner.invoke(
        cli, ["classify", str(path), "--format", "json", "--side-main-share", "0"]
    )
    assert result.exit_code == 0, result.output
    assert "chain:energy" not in result.output
    assert "chain:ic" in result.output
