"""The data commands (load, validate, info, show) through click's CliRunner, on a tmp store."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result
from stdnum.cn import uscc as stdnum_uscc

from chaingraph.cli import cli
from chaingraph.dataset import STORE_ENV
from chaingraph.store.networkx import NetworkxStore

DATA = Path(__file__).resolve().parent / "data"
README = Path(__file__).resolve().parent.parent / "README.md"
HEADER = (DATA / "demo-firms.csv").read_text(encoding="utf-8").splitlines()[0]


@pytest.fixture(scope="module")
def bundled_store_file(bundled_store_path: Path) -> Path:
    """The default store built from the bundled dataset (the session's file; tests copy it)."""
    return bundled_store_path


@pytest.fixture
def default_store(
    bundled_store_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A private copy of the bundled store, used as the default store (CHAINGRAPH_STORE)."""
    path = tmp_path / "default-store.json"
    shutil.copy(bundled_store_file, path)
    monkeypatch.setenv(STORE_ENV, str(path))
    return path


@pytest.fixture
def runner() -> Iterator[CliRunner]:
    yield CliRunner()


def run(runner: CliRunner, *args: str | Path) -> Result:
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def failed(result: Result) -> Result:
    """Exit 1 with a one-line 'Error: ...' message, never a traceback."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert any(line.startswith("Error: ") for line in result.stderr.splitlines())
    return result


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- info ------------------------------------------------------------------------------------


def test_info_table(runner: CliRunner, default_store: Path) -> None:
    out = ok(run(runner, "info")).stdout
    for section in ("## types", "## chains", "## bases"):
        assert section in out
    assert "Company" in out and "企业" in out


def test_info_json(runner: CliRunner, default_store: Path) -> None:
    payload = orjson.loads(ok(run(runner, "info", "--format", "json")).stdout)
    assert set(payload) == {"types", "chains", "bases"}
    counts = {(r["kind"], r["type"]): r["count"] for r in payload["types"]}
    store = NetworkxStore.open(default_store)
    assert counts[("node", "Company")] == store.count_nodes("Company")
    assert counts[("relationship", "MAKES")] == store.count_relationships("MAKES")
    chains = orjson.loads(ok(run(runner, "info", "--chains", "--format", "json")).stdout)
    assert {c["chain"] for c in chains} == {n.id for n in store.nodes("Chain")}


def test_info_csv(runner: CliRunner, default_store: Path) -> None:
    out = ok(run(runner, "info", "--types", "--format", "csv")).stdout
    assert out.splitlines()[0] == "kind,type,label_zh,count"
    rows = csv_rows(out)
    assert {r["type"] for r in rows} >= {"Chain", "Segment", "Product", "Company", "MAKES"}
    bases = csv_rows(ok(run(runner, "info", "--bases", "--format", "csv")).stdout)
    assert bases and all(r["base"].startswith("base:") for r in bases)


def test_output_file_gets_a_bom_for_excel(
    runner: CliRunner, default_store: Path, tmp_path: Path
) -> None:
    target = tmp_path / "types.csv"
    result = ok(run(runner, "info", "--types", "--format", "csv", "-o", target))
    assert result.stdout == ""
    assert target.read_bytes().startswith(b"\xef\xbb\xbfkind,type,label_zh,count")


# -- show ------------------------------------------------------------------------------------


def test_show_table(runner: CliRunner, default_store: Path) -> None:
    out = ok(run(runner, "show", "谐波减速器")).stdout
    assert out.startswith("谐波减速器  [Product prod:harmonic-reducer]")
    assert "IN_SEGMENT" in out and "MAKES" in out


def test_show_json(runner: CliRunner, default_store: Path) -> None:
    payload = orjson.loads(
        ok(run(runner, "show", "prod:harmonic-reducer", "--format", "json")).stdout
    )
    assert payload["node"]["id"] == "prod:harmonic-reducer"
    assert payload["node"]["props"]["name"] == "谐波减速器"
    relationships = {n["relationship"] for n in payload["neighbours"]}
    assert {"IN_SEGMENT", "MAKES"} <= relationships


def test_show_csv(runner: CliRunner, default_store: Path) -> None:
    out = ok(run(runner, "show", "谐波减速器", "--format", "csv")).stdout
    assert out.splitlines()[0] == "direction,relationship,id,type,name,detail"
    assert any(r["relationship"] == "IN_SEGMENT" for r in csv_rows(out))


def test_show_misspelt_name_suggests(runner: CliRunner, default_store: Path) -> None:
    result = failed(run(runner, "show", "谐波减速"))
    assert (
        "no node named '谐波减速'; did you mean: 谐波减速器 (prod:harmonic-reducer)"
        in result.stderr
    )
    assert result.stdout == ""


def test_show_with_type_filter(runner: CliRunner, default_store: Path) -> None:
    result = failed(run(runner, "show", "谐波减速器", "--type", "Company"))
    assert "no company (企业) named '谐波减速器'" in result.stderr


# -- load ------------------------------------------------------------------------------------


def test_load_then_reload_changes_nothing(runner: CliRunner, default_store: Path) -> None:
    ok(run(runner, "load", DATA / "demo-chain.yaml"))
    result = ok(
        run(
            runner, "load", "--mapping", "companies-cn", DATA / "demo-firms.csv", "--format", "json"
        )
    )
    (report,) = orjson.loads(result.stdout)
    assert (report["files"], report["nodes_read"], report["nodes_created"]) == (1, 3, 3)
    assert "warning:" in result.stderr and "duplicate of" in result.stderr
    saved = default_store.read_bytes()

    again = ok(
        run(runner, "load", "--mapping", "companies-cn", DATA / "demo-firms.csv", "--format", "csv")
    )
    (row,) = csv_rows(again.stdout)
    assert row["nodes_created"] == row["nodes_updated"] == "0"
    assert row["relationships_created"] == row["relationships_updated"] == "0"
    assert default_store.read_bytes() == saved  # nothing changed, nothing rewritten

    shown = ok(run(runner, "show", "示例传感")).stdout
    assert "示例传感器" in shown and "示例芯片" in shown


def test_load_table_output(runner: CliRunner, tmp_path: Path, default_store: Path) -> None:
    store = tmp_path / "own.json"
    out = ok(run(runner, "load", "--store", store, DATA / "demo-chain.yaml")).stdout
    assert "nodes_created" in out.splitlines()[0]
    assert NetworkxStore.open(store).count_nodes("Chain") == 1
    assert default_store.read_bytes() == (tmp_path / "default-store.json").read_bytes()


def test_failed_load_leaves_the_store_file_untouched(
    runner: CliRunner, tmp_path: Path, default_store: Path
) -> None:
    store = tmp_path / "own.json"
    ok(run(runner, "load", "--store", store, DATA / "demo-chain.yaml"))
    before = store.read_bytes()
    bad = write(
        tmp_path / "firms.csv",
        f"{HEADER}\n示例好有限公司,,,示例市,示例芯片,,,,,,synthetic-test-data,2024\n"
        "示例坏有限公司,,,示例市,示例芯片,,很久以前,,,,synthetic-test-data,2024\n",
    )
    result = failed(run(runner, "load", "--store", store, "--mapping", "companies-cn", bad))
    assert "nothing was written" in result.stderr
    assert f"{bad}:3: founded (column '成立年份')='很久以前': not a valid integer" in result.stderr
    assert store.read_bytes() == before
    assert list(tmp_path.glob(".own.json.*")) == []


def test_load_into_a_corrupt_store_fails_cleanly(runner: CliRunner, tmp_path: Path) -> None:
    store = write(tmp_path / "broken.json", '{"format": "something else"}')
    result = failed(run(runner, "load", "--store", store, DATA / "demo-chain.yaml"))
    assert f"{store}: not a chaingraph store file" in result.stderr
    assert store.read_text(encoding="utf-8") == '{"format": "something else"}'


def test_corrupt_default_store_fails_cleanly(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = write(tmp_path / "default.json", "{ truncated")
    monkeypatch.setenv(STORE_ENV, str(store))
    result = failed(run(runner, "info"))
    assert "not a chaingraph store file" in result.stderr


def test_missing_store_for_reading(runner: CliRunner, tmp_path: Path) -> None:
    result = failed(run(runner, "info", "--store", tmp_path / "nope.json"))
    assert "no store at" in result.stderr


# -- validate --------------------------------------------------------------------------------


def test_validate_the_bundled_dataset(runner: CliRunner, default_store: Path) -> None:
    result = ok(run(runner, "validate"))
    assert result.stderr.startswith("ok: ")
    assert result.stdout == ""


def test_validate_a_firm_list_against_the_default_store(
    runner: CliRunner, tmp_path: Path, default_store: Path
) -> None:
    firms = write(
        tmp_path / "firms.csv",
        f"{HEADER}\n东莞示例减速机有限公司,,示例减速,东莞市,谐波减速器,专精特新,2019,,,,synthetic-test-data,2024\n",
    )
    result = ok(run(runner, "validate", "--mapping", "companies-cn", firms))
    assert "ok: 1 file(s), 1 nodes" in result.stderr
    assert NetworkxStore.open(default_store).ids_by_name("示例减速") == []  # nothing written


def broken_files(tmp_path: Path) -> dict[str, tuple[Path, str, int, str, str]]:
    """Deliberately broken inputs: (file, field, line, message, expected) per problem."""
    body = "91441900DEMX00009"
    right = stdnum_uscc.calc_check_digit(body)
    wrong = "1" if right != "1" else "2"
    stage = write(
        tmp_path / "stage.yaml",
        "chaingraph: 1\nsegments:\n  - {id: seg:demo.x, name: 示例, stage: 上流, chain: chain:ic}\n",
    )
    unknown = write(
        tmp_path / "unknown.yaml",
        "chaingraph: 1\nproducts:\n  - id: prod:demo-x\n    name: 示例\n    segment: seg:ic.design\n    colour: 红\n",
    )
    dangling = write(
        tmp_path / "dangling.yaml",
        "chaingraph: 1\nsource: synthetic-test-data\ncompanies:\n  - name: 示例甲\n    makes: [谐波减速]\n",
    )
    uscc = write(
        tmp_path / "uscc.csv",
        f"{HEADER}\n示例乙有限公司,{body}{wrong},,东莞市,,,,,,,synthetic-test-data,2024\n",
    )
    return {
        "stage": (stage, "segments[0].stage", 3, "invalid value", "one of 上游, 中游, 下游"),
        "unknown": (unknown, "products[0].colour", 3, "unknown field", "one of: "),
        "dangling": (
            dangling,
            "companies[0].makes[0]",
            5,
            "no Product has this id or name; did you mean 谐波减速器 (prod:harmonic-reducer)",
            "an id or name defined in this load or already stored",
        ),
        "uscc": (
            uscc,
            "uscc (column '统一社会信用代码')",
            2,
            f"check character is wrong: expected '{right}' at position 18",
            "GB 32100-2015",
        ),
    }


@pytest.mark.parametrize("case", ["stage", "unknown", "dangling", "uscc"])
def test_validate_reports_precise_problems(
    runner: CliRunner, tmp_path: Path, default_store: Path, case: str
) -> None:
    path, field, line, message, expected = broken_files(tmp_path)[case]
    result = failed(run(runner, "validate", "--mapping", "companies-cn", path, "--format", "json"))
    (issue,) = orjson.loads(result.stdout)
    assert (issue["file"], issue["line"], issue["field"]) == (str(path), line, field)
    assert issue["message"].startswith(message)
    assert expected in issue["expected"]
    assert "1 problem(s) in 1 file(s); nothing was written" in result.stderr


def test_validate_lists_every_problem_in_every_format(
    runner: CliRunner, tmp_path: Path, default_store: Path
) -> None:
    cases = broken_files(tmp_path)
    paths = [c[0] for c in cases.values()]
    table = failed(run(runner, "validate", "--mapping", "companies-cn", *paths))
    for path, field, _, _, _ in cases.values():
        assert str(path) in table.stdout and field in table.stdout
    assert "4 problem(s) in 4 file(s)" in table.stderr
    rows = csv_rows(
        failed(
            run(runner, "validate", "--mapping", "companies-cn", *paths, "--format", "csv")
        ).stdout
    )
    assert [r["field"] for r in rows] == [c[1] for c in cases.values()]
    assert list(rows[0]) == ["file", "line", "field", "value", "message", "expected"]


def test_validate_against_an_explicit_store(
    runner: CliRunner, tmp_path: Path, default_store: Path
) -> None:
    own = tmp_path / "own.json"
    ok(run(runner, "load", "--store", own, DATA / "demo-chain.yaml"))
    rels = DATA / "demo-relationships.csv"
    firms = DATA / "demo-firms.csv"
    # Against the store holding the demo chain the firms resolve; against the default
    # store (the bundled dataset) the demo products do not exist.
    ok(run(runner, "validate", "--store", own, "--mapping", "companies-cn", firms))
    failed(run(runner, "validate", "--mapping", "companies-cn", firms))
    result = failed(run(runner, "validate", "--store", own, "--mapping", "relationships", rels))
    assert "示例传感" in result.stdout  # the firms are not in that store yet


# -- meta --------------------------------------------------------------------------------------


def test_every_command_has_help_with_an_example(runner: CliRunner) -> None:
    assert "Example" in ok(run(runner, "--help")).stdout
    for name in sorted(cli.commands):
        text = ok(run(runner, name, "--help")).stdout
        assert "Example" in text, f"'chaingraph {name} --help' has no Example"


def test_every_command_is_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = [name for name in sorted(cli.commands) if f"chaingraph {name}" not in readme]
    assert not missing, f"README.md does not mention: {', '.join(missing)}"
