"""``chaingraph --help`` is fast and imports no heavy optional dependency; missing extras
are named in the error."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chaingraph.optional import EXTRAS, HEAVY_MODULES

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

HELP_PROBE = f"""
import sys
from chaingraph.cli import main
try:
    main(["--help"])
except SystemExit as exc:
    assert exc.code in (0, None), exc.code
print("HEAVY:" + ",".join(m for m in {HEAVY_MODULES!r} if m in sys.modules))
"""


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_imports_no_heavy_optional_module() -> None:
    done = _python(HELP_PROBE)
    assert done.returncode == 0, done.stderr
    assert "Commands:" in done.stdout
    assert done.stdout.strip().endswith("HEAVY:"), done.stdout.splitlines()[-1]
    assert {"neo4j", "spacy", "playwright", "matplotlib", "pyvis"} <= set(HEAVY_MODULES)


def test_cli_copies_of_constants_match_their_modules() -> None:
    # The CLI keeps copies so that --help need not import the modules that define them.
    from chaingraph.cli.maps import COMPANY_CHOICES
    from chaingraph.cli.neo4j import DEFAULT_BATCH_SIZE
    from chaingraph.maps.chain_map import COMPANY_CHOICES as MAP_CHOICES
    from chaingraph.store.neo4j import DEFAULT_BATCH_SIZE as STORE_BATCH_SIZE

    assert COMPANY_CHOICES == MAP_CHOICES
    assert DEFAULT_BATCH_SIZE == STORE_BATCH_SIZE


# Runs a command with the named top-level modules made unimportable, as on an install
# without that extra: a None in sys.modules makes ``import`` raise ModuleNotFoundError
# and ``importlib.util.find_spec`` return None, as for a module that is not installed.
BLOCKED_PROBE = """
import sys

for name in sys.argv[1].split(","):
    sys.modules[name] = None
from chaingraph.cli import main

main(sys.argv[2:])
"""


@pytest.mark.parametrize(
    ("blocked", "argv", "extra"),
    [
        ("neo4j", ["info", "--neo4j", "bolt://127.0.0.1:1"], "neo4j"),
        ("spacy,jieba", ["ingest-text", "--dry-run", "{plan}"], "nlp"),
        ("pyvis", ["map", "--base", "银瓶高端装备产业基地", "-o", "{tmp}/m.html"], "maps"),
        ("matplotlib", ["report", "--base", "银瓶高端装备产业基地", "-o", "{tmp}/r"], "maps"),
    ],
)
def test_missing_extra_is_named(blocked: str, argv: list[str], extra: str, tmp_path: Path) -> None:
    from chaingraph.resources import founding_plan_path

    args = [a.format(plan=founding_plan_path(), tmp=tmp_path) for a in argv]
    env_store = {"CHAINGRAPH_STORE": str(tmp_path / "store.cgraph.json")}
    done = subprocess.run(
        [sys.executable, "-c", BLOCKED_PROBE, blocked, *args],
        cwd=ROOT,
        env={**ENV, **env_store},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"pip install 'chaingraph[{extra}]'" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert EXTRAS[blocked.split(",")[0]] == extra


def _elapsed(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def test_help_median_under_half_a_second() -> None:
    # bench/cli_startup.py is the measurement (target: median < 0.5 s). On a machine busy
    # with other work every process starts slower, so the test also accepts a median
    # within 4x that of an interpreter that imports only click (the floor of any CLI),
    # timed in turns with it: importing networkx, jsonschema or the Neo4j driver at
    # start-up would still fail it.
    help_times, floor_times = [], []
    for _ in range(7):
        help_times.append(_elapsed([sys.executable, "-m", "chaingraph", "--help"]))
        floor_times.append(_elapsed([sys.executable, "-c", "import click"]))
    help_s, floor_s = statistics.median(help_times), statistics.median(floor_times)
    assert help_s < 0.5 or help_s < 4 * floor_s, (help_s, floor_s)
