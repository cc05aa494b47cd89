"""The neo4j-admin files written by several processes (no server needed: the import of
split files is checked in test_neo4j_store.py's ``imported_server``)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from random_graph import random_graph

from chaingraph.cli import cli
from chaingraph.errors import ConfigError, StoreError
from chaingraph.store import NetworkxStore
from chaingraph.store.neo4j import admin, sharing
from chaingraph.store.neo4j.forked import can_fork, run_shares
from chaingraph.testing import tiny_store

needs_fork = pytest.mark.skipif(not can_fork(), reason="no fork on this system")


def _joined(folder: Path) -> dict[str, bytes]:
    """Each file's text, a type's later pieces (``.partN``) appended without their header
    (which must be the first piece's)."""
    out: dict[str, bytes] = {}
    pieces = sorted(
        folder.glob("*.csv"),
        key=lambda p: (p.name.split(".")[0], int((re.findall(r"part(\d+)", p.name) or [1])[0])),
    )
    for path in pieces:
        data = path.read_bytes()
        name = path.name.split(".")[0] + ".csv"
        if name in out:
            header, _, rows = data.partition(b"\n")
            assert out[name].startswith(header + b"\n"), path.name
            out[name] += rows
        else:
            out[name] = data
    return out


@needs_fork
def test_two_workers_write_the_same_rows_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedded = NetworkxStore()
    embedded.merge(*random_graph(3, companies=400, tricky=False))
    monkeypatch.setattr(sharing, "SPLIT_ROWS", 100)
    one = admin.write_neo4j_admin(embedded, tmp_path / "one", workers=1)
    two = admin.write_neo4j_admin(embedded, tmp_path / "two", workers=2)
    assert "nodes-Company.part2.csv" not in [p.name for p in one]
    names = [p.name for p in two]
    assert names.index("nodes-Company.csv") + 1 == names.index("nodes-Company.part2.csv")
    assert _joined(tmp_path / "one") == _joined(tmp_path / "two")
    args = (tmp_path / "two" / "import-args.txt").read_text(encoding="utf-8")
    assert f"--nodes={(tmp_path / 'two' / 'nodes-Company.part2.csv').resolve()}" in args
    # Below the split size a type is one file, whatever the workers.
    monkeypatch.setattr(sharing, "SPLIT_ROWS", 10**9)
    three = admin.write_neo4j_admin(embedded, tmp_path / "three", workers=2)
    assert [p.name for p in three] == [p.name for p in one]
    for path in three:
        if path.suffix == ".csv":
            assert path.read_bytes() == (tmp_path / "one" / path.name).read_bytes()


def test_the_plan_covers_every_row_once_and_evens_out_the_workers() -> None:
    nodes = [("Chain", 7), ("Company", 1_000_000), ("Product", 250), ("Region", 0)]
    rels = [("MAKES", 2_200_000), ("LOCATED_IN", 1_550_000), ("IN", 130)]
    parts, shares = sharing.plan(nodes, rels, 2)
    assert sorted(p for s in shares for p in s) == sorted(parts)
    companies = [p for p in parts if p[1] == "Company"]
    # Runs of the companies, in order, covering each once; one relationship walk.
    assert [p[4] for p in companies] == [1, 2] and companies[0][2] == 0
    assert companies[0][3] == companies[1][2] and companies[1][3] == 1_000_000
    assert [p[1] for p in parts] == ["Chain", "Company", "Company", "Product", "MAKES",
                                     "LOCATED_IN", "IN"]  # fmt: skip
    assert sum(p[0] == "relationships" for p in shares[0]) == 3
    loads = [sum(map(sharing._cost, s)) for s in shares]
    loads[0] += sharing._WALK_COST * sum(n for _, n in rels)
    assert max(loads) - min(loads) <= sharing._NODE_COST * 2
    one_parts, one = sharing.plan(nodes, rels, 1)
    assert len(one) == 1 and sorted(one[0]) == sorted(one_parts)
    assert [p[4] for p in one_parts] == [1] * len(one_parts)
    # Relationships heavier than the companies: the companies all go to the other worker.
    parts, shares = sharing.plan([("Company", 60_000)], [("MAKES", 5_000_000)], 2)
    assert parts[0] == ("nodes", "Company", 0, 60_000, 1) and len(shares) == 2


@needs_fork
def test_a_worker_error_is_raised_in_the_caller() -> None:
    def bad() -> int:
        raise ConfigError("bad setting in the child")

    with pytest.raises(ConfigError, match="bad setting in the child"):
        run_shares([lambda: 1, bad])
    assert run_shares([lambda: 1, os.getpid])[1] != os.getpid()


@needs_fork
def test_a_worker_that_dies_is_a_clear_store_error() -> None:
    with pytest.raises(StoreError, match="exit status 3"):
        run_shares([lambda: 1, lambda: os._exit(3)])


@needs_fork
def test_the_callers_own_failure_stops_the_workers() -> None:
    def bad() -> int:
        raise ValueError("parent share failed")

    started = time.monotonic()
    with pytest.raises(ValueError, match="parent share failed"):
        run_shares([bad, lambda: time.sleep(60)])
    assert time.monotonic() - started < 30


@needs_fork
def test_push_bulk_workers_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``push --bulk --bulk-workers N`` passes neo4j-admin the files N processes wrote."""
    recorder = tmp_path / "neo4j-admin"
    recorder.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{tmp_path}/args-$$"\n')
    recorder.chmod(0o755)
    store_file = tmp_path / "s.cgraph.json"
    tiny_store().save(store_file)
    monkeypatch.setattr(sharing, "SPLIT_ROWS", 1)
    seen = {}
    for workers in ("1", "2"):
        result = CliRunner().invoke(
            cli,
            ["push", "--bulk", "--bulk-workers", workers, "--neo4j-admin", str(recorder),
             "--store", str(store_file)],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        (args_file,) = tmp_path.glob("args-*")
        seen[workers] = [Path(a).name for a in args_file.read_text().split() if "csv" in a]
        args_file.unlink()
    assert "nodes-Company.part2.csv" in seen["2"] and "nodes-Company.part2.csv" not in seen["1"]
    assert [a for a in seen["2"] if ".part2." not in a] == seen["1"]
    result = CliRunner().invoke(cli, ["push", "--bulk", "--bulk-workers", "0"])
    assert result.exit_code == 2 and "--bulk-workers" in result.output
