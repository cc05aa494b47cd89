"""A fresh machine: the Makefile's venv and set-up steps, Java/Maven detection, the README's
two commands, and data found inside the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from chaingraph.resources import data_dir, founding_plan_path

ROOT = Path(__file__).resolve().parent.parent


# Variables an outer make (e.g. ``PY=python3 make test``) would pass down.
_MAKE_ENV = ("PY", "VENV", "SYSTEM_PYTHON", "PYTEST_ARGS", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")


def _make_dry_run(target: str, venv: Path, *extra: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in _MAKE_ENV}
    done = subprocess.run(
        ["make", "-n", "-B", target, f"VENV={venv}", *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_make_demo_creates_and_uses_the_virtualenv(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    lines = _make_dry_run("demo", venv)
    text = "\n".join(lines)
    assert f"python3 -m venv {venv} || {{ rm -rf {venv}; exit 1; }}" in text
    assert f"{venv}/bin/python -m pip install --progress-bar on -e ." in text
    assert " -q" not in text  # progress is shown, never a silent install
    runs = [line for line in lines if "-m chaingraph" in line]
    assert len(runs) == 3
    assert all(line.startswith(f"{venv}/bin/python -m chaingraph ") for line in runs)


def test_make_test_uses_only_the_venv_python(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    lines = _make_dry_run("test", venv)
    text = "\n".join(lines)
    assert f"{venv}/bin/python -m pip install --progress-bar on -e '.[dev]'" in text
    assert "scripts/install-java-maven" in text
    assert f"{venv}/bin/python scripts/neo4j-server fetch" in text
    assert "scripts/install-browser" in text
    for tool in ("ruff check", "mypy", "pytest -q"):
        assert any(line.startswith(f"{venv}/bin/python -m {tool}") for line in lines), tool
    # the machine's python3 only creates the venv
    bare = [line.split(" || ")[0] for line in lines if line.startswith("python3 ")]
    assert bare == [f"python3 -m venv {venv}"], bare


def test_make_with_a_given_python_installs_nothing(tmp_path: Path) -> None:
    lines = _make_dry_run("pytest-local", tmp_path / "venv", "PY=python3")
    assert not any("pip install" in line or " -m venv " in line for line in lines)
    assert any(
        'python3 -m pytest -q -m "not shared_data and not neo4j and not browser"' in line
        for line in lines
    )


def _fake_bin(tmp_path: Path, java_version: str | None, mvn: bool) -> Path:
    """A PATH with the tools the script uses, and the given java/mvn (or none)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("sed", "head", "dirname", "id", "cat"):
        found = shutil.which(tool)
        assert found is not None, tool
        (bin_dir / tool).symlink_to(found)
    if java_version is not None:
        java = bin_dir / "java"
        java.write_text(f"#!/bin/sh\necho 'openjdk version \"{java_version}\" 2024' >&2\n")
        java.chmod(0o755)
    if mvn:
        fake = bin_dir / "mvn"
        fake.write_text("#!/bin/sh\necho 'Apache Maven 3.8.7'\n")
        fake.chmod(0o755)
    return bin_dir


@pytest.mark.parametrize(
    ("java_version", "mvn", "missing"),
    [
        ("17.0.15", True, None),
        ("21.0.2", True, None),
        ("11.0.2", True, "Java 17+"),
        ("1.8.0_392", True, "Java 17+"),
        (None, True, "Java 17+"),
        ("17.0.15", False, "Maven"),
        (None, False, "Java 17+ Maven"),
    ],
)
def test_java_maven_detection(
    tmp_path: Path, java_version: str | None, mvn: bool, missing: str | None
) -> None:
    bin_dir = _fake_bin(tmp_path, java_version, mvn)
    done = subprocess.run(
        [
            shutil.which("bash") or "/bin/bash",
            str(ROOT / "scripts" / "install-java-maven"),
            "--check",
        ],
        env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    if missing is None:
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
    else:
        assert done.returncode == 1
        assert done.stderr.strip() == f"install-java-maven: missing: {missing}"


def test_readme_opens_with_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()]
    assert commands == ["make demo", "make test"]
    after = text.split("```", 2)[2].split("\n## ", 1)[0]
    assert "Prerequisites:" in after and "python3" in after and "root" in after


def test_founding_plan_ships_inside_the_package() -> None:
    path = founding_plan_path()
    assert path.is_relative_to(data_dir("ingest"))
    assert "东莞市战略性新兴产业基地规划建设" in path.read_text(encoding="utf-8")[:40]
    assert (path.parent / "README.md").read_text(encoding="utf-8").count("public government")


def test_plan_text_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "plan.txt"
    copy.write_text("东莞", encoding="utf-8")
    monkeypatch.setenv("CHAINGRAPH_PLAN_TEXT", str(copy))
    assert founding_plan_path() == copy
    monkeypatch.setenv("CHAINGRAPH_PLAN_TEXT", str(tmp_path / "missing.txt"))
    with pytest.raises(FileNotFoundError, match="CHAINGRAPH_PLAN_TEXT"):
        founding_plan_path()


def test_nothing_reads_outside_the_repository() -> None:
    # Tests and benches find data through the package or the shared_data fixture.
    offenders = []
    for folder in ("tests", "bench", "chaingraph"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if path.name != "test_fresh_setup.py" and "shared/docs" in text.replace('" / "', "/"):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
