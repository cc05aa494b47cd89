"""The thin command line: shared options declared once (chaingraph/cli/options.py), and
saving a store through one library call (chaingraph.dataset.changing_store)."""

from __future__ import annotations

import ast
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from chaingraph.cli import cli
from chaingraph.cli.options import neo4j_options, neo4j_target, store_option
from chaingraph.dataset import STORE_ENV, changing_store, open_store_file
from chaingraph.errors import ConfigError
from chaingraph.model import Node, Relationship
from chaingraph.output import FORMATS
from chaingraph.store import NetworkxStore
from chaingraph.testing import tiny_store

CLI_DIR = Path(__file__).resolve().parent.parent / "chaingraph" / "cli"
SHARED = ("--store", "--neo4j", "--neo4j-database", "--config", "--format", "--output", "-o")


def _declarations() -> dict[str, list[str]]:
    """Option name -> the files of chaingraph/cli that declare it (one entry per click.option)."""
    found: dict[str, list[str]] = {}
    for path in sorted(CLI_DIR.glob("*.py")):
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
                continue
            if call.func.attr != "option":
                continue
            for arg in call.args:
                if isinstance(arg, ast.Constant) and str(arg.value).startswith("-"):
                    found.setdefault(arg.value, []).append(path.name)
    return found


def test_shared_options_are_declared_once_in_options_py() -> None:
    declared = _declarations()
    for name in SHARED:
        assert declared.get(name) == ["options.py"], (name, declared.get(name))
    # Command-specific options are still declared where the command is.
    assert "--budget" in declared and "--neo4j-admin" in declared


def _commands() -> list[click.Command]:
    return list(cli.commands.values())


def test_every_command_gets_the_same_shared_options() -> None:
    with_store = 0
    for command in _commands():
        for param in command.params:
            opts = set(param.opts)
            if "--store" in opts:
                with_store += 1
                assert param.name == "store_path"
                assert isinstance(param.type, click.Path) and not param.type.dir_okay
            if opts & {"--neo4j", "--neo4j-database"}:
                assert param.expose_value is False, command.name
            if "--format" in opts:
                assert param.name == "fmt" and param.default == "table"
                assert isinstance(param.type, click.Choice)
                assert tuple(param.type.choices) == FORMATS
            if "--config" in opts:
                assert param.name == "config_path"
    assert with_store >= 15


def test_push_and_pull_read_neo4j_from_the_context() -> None:
    seen: list[tuple[str | None, str | None]] = []

    @click.command()
    @neo4j_options("The server.")
    def probe() -> None:
        seen.append(neo4j_target())

    runner = CliRunner()
    assert (
        runner.invoke(probe, ["--neo4j", "bolt://h:7687", "--neo4j-database", "d"]).exit_code == 0
    )
    assert runner.invoke(probe, []).exit_code == 0
    assert seen == [("bolt://h:7687", "d"), (None, None)]
    # Both name the server the same way every other command does.
    for name in ("push", "pull"):
        opts = {o for p in cli.commands[name].params for o in p.opts}
        assert {"--neo4j", "--neo4j-database", "--store", "--format", "--output"} <= opts


def test_store_option_refuses_store_and_neo4j_together(tmp_path: Path) -> None:
    from chaingraph.cli import open_store

    @click.command()
    @store_option
    def probe(store_path: Path | None) -> None:
        open_store(store_path)

    result = CliRunner().invoke(
        probe, ["--store", str(tmp_path / "s.json"), "--neo4j", "bolt://h:7687"]
    )
    assert result.exit_code == 1
    assert isinstance(result.exception, ConfigError)
    assert "give --store or --neo4j, not both" in str(result.exception)


# -- saving: one library call ------------------------------------------------------


def _chain(name: str = "示例链") -> Node:
    return Node("chain:x", "Chain", {"name": name})


def test_changing_store_saves_only_when_a_merge_changed_something(tmp_path: Path) -> None:
    path = tmp_path / "mine.cgraph.json"
    saved: list[Path] = []
    with changing_store(path, saved=saved.append) as store:
        assert store.merge([_chain()], []).changed
    assert saved == [path] and NetworkxStore.open(path).count_nodes() == 1
    before = path.read_bytes()
    with changing_store(path, saved=saved.append) as store:
        assert not store.merge([_chain()], []).changed
    assert saved == [path] and path.read_bytes() == before


def test_changing_store_writes_nothing_when_the_block_fails(tmp_path: Path) -> None:
    path = tmp_path / "mine.cgraph.json"
    with changing_store(path) as store:
        store.merge([_chain()], [])
    before = path.read_bytes()
    saved: list[Path] = []
    with pytest.raises(RuntimeError), changing_store(path, saved=saved.append) as store:
        store.merge([_chain("改名")], [])
        raise RuntimeError("stopped half way")
    assert saved == [] and path.read_bytes() == before


def test_changing_store_keeps_the_default_store_bookkeeping(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "default.cgraph.json"
    monkeypatch.setenv(STORE_ENV, str(path))
    notes: list[str] = []
    firm = Node("co:test-firm", "Company", {"name": "测试公司", "synthetic": True})
    located = Relationship("LOCATED_IN", "co:test-firm", "region:cn-dongguan")
    with changing_store(None, notify=notes.append) as store:
        store.merge([firm], [located])
    assert any("built the default store" in n for n in notes)
    meta = NetworkxStore.open(path).meta
    assert meta["default_store"] and meta["user_loads"] == 1
    assert meta["user_changes"]["nodes"] == ["co:test-firm"]
    assert open_store_file(None).get("co:test-firm") is not None


def test_open_store_file(tmp_path: Path) -> None:
    missing = tmp_path / "none.cgraph.json"
    with pytest.raises(ConfigError, match=r"no store at .*none\.cgraph\.json; create one with"):
        open_store_file(missing)
    assert open_store_file(missing, must_exist=False).count_nodes() == 0
    tiny_store().save(missing)
    assert open_store_file(missing).count_nodes("Company") == 4


def test_load_says_wrote_only_when_it_changed_the_store(tmp_path: Path) -> None:
    store = tmp_path / "s.cgraph.json"
    doc = tmp_path / "chain.yaml"
    doc.write_text("chaingraph: 1\nchains:\n  - id: chain:x\n    name: 示例链\n", encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(cli, ["load", "--store", str(store), str(doc)], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert f"wrote {store} (store)" in first.stderr
    again = runner.invoke(cli, ["load", "--store", str(store), str(doc)], catch_exceptions=False)
    assert again.exit_code == 0 and "wrote" not in again.stderr
