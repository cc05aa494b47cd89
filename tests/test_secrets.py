"""The Neo4j password: where it may come from, and that no output ever shows it.

It comes from ``$NEO4J_PASSWORD``, a prompt on a terminal, or a config file only its
owner can read; there is no option for it, and a URI cannot carry it. Then every
command is run with it (successes and failures), and everything they produce is
searched for it: stdout, stderr, every file written, log records down to DEBUG
(the driver's included) and warnings.
"""

from __future__ import annotations

import logging
import os
import pty
import select
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from chaingraph.cli import cli
from chaingraph.errors import ConfigError
from chaingraph.store.neo4j.connection import read_config
from chaingraph.testing import tiny_store

SECRET = "Sentinel-pw-7Qx9"  # what the config-file tests store; never a real password


def config(tmp_path: Path, text: str, mode: int) -> Path:
    path = tmp_path / "neo4j.yaml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


# -- where the password may come from ------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_a_config_only_its_owner_can_read_is_used(tmp_path: Path, mode: int) -> None:
    path = config(tmp_path, f"user: neo4j\npassword: {SECRET}\n", mode)
    assert read_config(path) == {"user": "neo4j", "password": SECRET}


@pytest.mark.parametrize("password", ["on", "no", "0x1F", "0123", "12:30:45", "1e3", "2024-01-01"])
def test_a_password_in_the_config_is_taken_as_written(tmp_path: Path, password: str) -> None:
    # YAML 1.1 read "on" as true, "0x1F" as 31 and "12:30:45" as 45045: the password
    # sent was not the one written, and the server refused it.
    path = config(tmp_path, f"password: {password}\nuser: neo4j\n", 0o600)
    assert read_config(path) == {"password": password, "user": "neo4j"}


@pytest.mark.parametrize("mode", [0o640, 0o620, 0o610, 0o604, 0o602, 0o601, 0o644, 0o666])
def test_a_config_others_can_reach_is_refused(tmp_path: Path, mode: int) -> None:
    path = config(tmp_path, f"password: {SECRET}\n", mode)
    with pytest.raises(ConfigError, match="chmod 600") as caught:
        read_config(path)
    assert SECRET not in str(caught.value)
    link = tmp_path / "link.yaml"
    link.symlink_to(path)  # a private-looking link to a shared file is no better
    with pytest.raises(ConfigError, match="other users can access"):
        read_config(link)


@pytest.mark.parametrize(
    "text",
    [
        f'password: "{SECRET}\nuser: neo4j\n',  # unterminated quote on the password's line
        f"user: neo4j\npassword: {SECRET}: x\n",
        f"password: [{SECRET}\n",
        f"password: {SECRET}\n\tuser: neo4j\n",
        f"password: {{nested: {SECRET}}}\n",
        f"password: [{SECRET}]\n",
        f"- {SECRET}\n",
        f"password: {SECRET}\nport: 7687\n",
    ],
)
def test_a_broken_config_does_not_quote_the_password(tmp_path: Path, text: str) -> None:
    # YAML errors quote the offending line; a config whose password line is broken
    # printed the password in the error message.
    path = config(tmp_path, text, 0o600)
    with pytest.raises(ConfigError) as caught:
        read_config(path)
    assert SECRET not in str(caught.value)
    assert str(path) in str(caught.value)


def test_no_option_takes_a_password_and_no_uri_carries_one() -> None:
    runner = CliRunner()
    for command in ("push", "pull", "info", "gaps", "targets", "report", "map"):
        help_text = runner.invoke(cli, [command, "--help"]).output
        assert "--password" not in help_text, command
    result = runner.invoke(
        cli,
        ["info", "--neo4j", f"bolt://neo4j:{SECRET}@127.0.0.1:1"],
        env={"NEO4J_PASSWORD": "x" * 12, "CHAINGRAPH_NEO4J_CONFIG": "/nonexistent"},
    )
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert SECRET not in result.output
    assert "not a usable Neo4j URI 'bolt://127.0.0.1:1'" in result.output


# -- with a server: the prompt, and every output searched ------------------------------------------


def run_in_terminal(args: list[str], typed: str, env: dict[str, str]) -> tuple[int, str]:
    """Run the CLI on a pseudo-terminal, typing ``typed`` at the first prompt."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, with the terminal as stdin/stdout/stderr
        os.execve(sys.executable, [sys.executable, "-c", "from chaingraph.cli import main; main()", *args], env)  # fmt: skip
    transcript = b""
    typed_yet = False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        transcript += chunk
        if (
            not typed_yet
            and b"password" in transcript.lower()
            and transcript.rstrip().endswith(b":")
        ):
            os.write(fd, typed.encode() + b"\n")
            typed_yet = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), transcript.decode("utf-8", "replace")


@pytest.mark.neo4j
def test_the_password_may_be_typed_at_a_prompt_that_does_not_echo(
    neo4j_env: dict[str, Any],
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_PASSWORD"}
    code, transcript = run_in_terminal(
        ["info", "--types", "--neo4j", neo4j_env["uri"]], neo4j_env["password"], env
    )
    assert "Neo4j password for neo4j" in transcript
    assert code == 0, transcript
    assert neo4j_env["password"] not in transcript  # not echoed, not printed


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def every_log() -> Iterator[Capture]:
    """Every log record, DEBUG and up, from every logger (the neo4j driver's included)."""
    handler = Capture()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.mark.neo4j
def test_no_output_of_any_command_contains_the_password(
    neo4j_env: dict[str, Any], tmp_path: Path, every_log: Capture
) -> None:
    password = neo4j_env["password"]
    uri = neo4j_env["uri"]
    local = tiny_store().save(tmp_path / "local.cgraph.json")
    out = tmp_path / "out"
    out.mkdir()
    neo = ["--neo4j", uri]
    base = ["--base", "base:yinping"]
    ok = [
        ["push", *neo, "--store", local],
        ["push", *neo, "--store", local, "--format", "json"],
        ["pull", *neo, "--store", out / "pulled.cgraph.json"],
        ["info", *neo],
        ["info", *neo, "--format", "json", "-o", out / "info.json"],
        ["show", "莞工机器人", *neo, "--format", "csv", "-o", out / "show.csv"],
        ["gaps", *neo, *base, "--export", out / "gaps.xlsx"],
        ["gaps", *neo, *base, "--format", "json"],
        ["targets", *neo, *base, "--export", out / "targets.csv", "--format", "csv"],
        ["compare", *neo, *base, "--with", "region:cn-suzhou"],
        ["chokepoints", *neo],
        ["plan", *neo, *base, "--budget", "2"],
        ["map", *neo, *base, "-o", out / "map.html"],
        ["report", *neo, *base, "-o", out / "report"],
        ["export", *neo, "--graphml", out / "g.graphml", "--gexf", out / "g.gexf"],
        ["export", *neo, "--node-link", out / "g.json", "--neo4j-admin", out / "bulk"],
    ]
    failing = [
        ["info", "--neo4j", uri, "--neo4j-database", "nosuchdb"],
        ["info", "--neo4j", "bolt://127.0.0.1:1"],
        ["info", "--neo4j", "http://127.0.0.1:1"],
        ["show", "没有这个节点", *neo],
        ["push", *neo, "--store", tmp_path / "missing.json"],
    ]
    texts: list[str] = []
    runner = CliRunner()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for args in ok:
            result = runner.invoke(cli, [str(a) for a in args])
            assert result.exit_code == 0, (args, result.output)
            texts.append(result.output)
        for args in failing:
            result = runner.invoke(cli, [str(a) for a in args])
            assert result.exit_code == 1 and isinstance(result.exception, SystemExit), args
            texts.append(result.output)
        # Wrong credentials for another user: the error names the user, not a password.
        wrong = runner.invoke(
            cli, ["info", *neo], env={"NEO4J_USER": "someone", "NEO4J_PASSWORD": password}
        )
        assert wrong.exit_code == 1 and "refused the credentials" in wrong.output
        texts.append(wrong.output)
    texts += [str(w.message) for w in caught]
    texts += every_log.lines
    assert any("neo4j" in line.lower() for line in every_log.lines), "the driver's log was not seen"
    for text in texts:
        assert password not in text
    written = [p for p in out.rglob("*") if p.is_file()]
    assert len(written) >= 15
    for path in written:
        raw = path.read_bytes()
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            assert password.encode(encoding) not in raw, path


@pytest.mark.neo4j
def test_the_password_is_not_echoed_by_a_failing_push_in_a_subprocess(
    neo4j_env: dict[str, Any], tmp_path: Path
) -> None:
    """What a user sees on a real terminal-less run: stdout and stderr of the process."""
    bad = tmp_path / "bad.cgraph.json"
    bad.write_text("{not a store", encoding="utf-8")
    env = {**os.environ, "NEO4J_PASSWORD": neo4j_env["password"], "PYTHONWARNINGS": "always"}
    for args in (
        ["push", "--neo4j", neo4j_env["uri"], "--store", str(bad)],
        ["info", "--neo4j", neo4j_env["uri"].replace("bolt://", "neo4j://"), "--neo4j-database", "nosuchdb"],
    ):  # fmt: skip
        done = subprocess.run(
            [sys.executable, "-c", "from chaingraph.cli import main; main()", *args],
            capture_output=True,
            text=True,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        assert neo4j_env["password"] not in done.stdout + done.stderr
