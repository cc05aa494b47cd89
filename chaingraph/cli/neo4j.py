"""Neo4j commands: push (embedded -> Neo4j) and pull (Neo4j -> embedded file).

Every other command reaches Neo4j through ``--neo4j URI`` (see ``store_option``);
:func:`connect` is where the credentials come from, in this order: ``$NEO4J_USER``
and ``$NEO4J_PASSWORD``; the Neo4j config file (``$CHAINGRAPH_NEO4J_CONFIG``, else
``neo4j.yaml`` in the user config folder, e.g. ``~/.config/chaingraph/neo4j.yaml``;
keys ``user``, ``password``, ``database``), which is refused unless only its owner
can read it; a prompt, when a terminal is attached. The password is never printed.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from chaingraph.cli import cli, emit, output_options, saved_store
from chaingraph.cli.options import neo4j_options, neo4j_target, store_path_option
from chaingraph.errors import ConfigError
from chaingraph.output import notice

if TYPE_CHECKING:  # the driver is imported by the commands that use it (fast --help)
    from chaingraph.store.neo4j_store import Neo4jStore

# Same as chaingraph.store.neo4j_store.DEFAULT_BATCH_SIZE (tests/test_startup.py checks).
DEFAULT_BATCH_SIZE = 5000

CONFIG_ENV = "CHAINGRAPH_NEO4J_CONFIG"

# The driver logs lost connections itself; the command reports them in one line
# (a chaingraph error), so keep the driver's log lines off the terminal.
logging.getLogger("neo4j").addHandler(logging.NullHandler())


def config_path() -> Path:
    """``$CHAINGRAPH_NEO4J_CONFIG``, else ``<user config dir>/chaingraph/neo4j.yaml``."""
    configured = os.environ.get(CONFIG_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("chaingraph")) / "neo4j.yaml"


def read_config(path: Path) -> dict[str, str]:
    """The settings of a Neo4j config file; {} if there is none.

    Raises
    ------
    ConfigError
        The file can be read by other users (it holds a password), or is not a
        mapping of the known keys.
    """
    import yaml

    try:
        info = path.stat()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the Neo4j config ({exc.strerror})") from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"{path}: refusing a Neo4j config that other users can access "
            f"(mode {stat.filemode(info.st_mode)}); run: chmod 600 {path}"
        )
    try:
        # BaseLoader keeps every value as written: YAML 1.1 would turn a password such
        # as ``on`` or ``0x1F`` into true or 31.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the Neo4j config ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        # The YAML message quotes the offending line, which may hold the password.
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f" near line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}: the Neo4j config is not valid YAML{where}") from None
    known = ("uri", "user", "password", "database")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the Neo4j config must be a mapping of {', '.join(known)}")
    unknown = sorted(str(k) for k in data if k not in known)
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting(s) {', '.join(unknown)} in the Neo4j config; "
            f"known: {', '.join(known)}"
        )
    for key, value in data.items():
        if not isinstance(value, str):
            raise ConfigError(f"{path}: {key} in the Neo4j config must be plain text")
    return {k: v for k, v in data.items() if v != ""}


def connect(
    uri: str | None,
    database: str | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    warm: bool = True,
) -> Neo4jStore:
    """Open the Neo4j store at ``uri`` (else ``$NEO4J_URI``) with credentials as the module
    docstring says; closed when the command ends."""
    from chaingraph.store.neo4j_store import Neo4jStore

    settings = read_config(config_path())
    uri = uri or os.environ.get("NEO4J_URI") or settings.get("uri")
    user = os.environ.get("NEO4J_USER") or settings.get("user") or "neo4j"
    password = os.environ.get("NEO4J_PASSWORD")
    if password is None:
        password = settings.get("password")
    if password is None and uri and sys.stdin.isatty():
        password = click.prompt(f"Neo4j password for {user}", hide_input=True, err=True)
    store = Neo4jStore(
        uri,
        user,
        password,
        database or os.environ.get("NEO4J_DATABASE") or settings.get("database"),
        batch_size=batch_size,
        warm=warm and not os.environ.get("CHAINGRAPH_NEO4J_NO_WARM"),
    )
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(store.close)
    return store


def _neo4j_options(f: Any) -> Any:
    """``--neo4j``/``--neo4j-database`` naming the server push and pull copy to and from,
    and ``--batch-size``."""
    f = click.option(
        "--batch-size",
        type=click.IntRange(min=1),
        default=DEFAULT_BATCH_SIZE,
        show_default=True,
        help="Rows per write transaction.",
    )(f)
    return neo4j_options(
        "The Neo4j server, e.g. bolt://localhost:7687 or neo4j+s://….databases.neo4j.io "
        "(default: $NEO4J_URI)."
    )(f)


@cli.command()
@_neo4j_options
@store_path_option("Embedded store to push (default: the default store, see 'chaingraph --help').")
@click.option(
    "--bulk",
    is_flag=True,
    help="First load of a large store: neo4j-admin import into a new database "
    "(server stopped), instead of merging over Bolt.",
)
@click.option(
    "--neo4j-admin",
    "admin",
    metavar="CMD",
    default="neo4j-admin",
    show_default=True,
    help="With --bulk: the neo4j-admin command (e.g. /opt/neo4j/bin/neo4j-admin).",
)
@click.option("--overwrite", is_flag=True, help="With --bulk: replace the database if it exists.")
@click.option(
    "--schema-only",
    is_flag=True,
    help="Only create the constraint and indexes (after a --bulk import, server started).",
)
@output_options
def push(
    batch_size: int,
    store_path: Path | None,
    bulk: bool,
    admin: str,
    overwrite: bool,
    schema_only: bool,
    fmt: str,
    output: Path | None,
) -> None:
    """Copy the embedded store into Neo4j (merge: pushing twice changes nothing).

    Constraints and indexes are created first; nodes then relationships are written
    in batches, each all or nothing. If the server is lost midway, run the same push
    again: what was written is skipped and the rest is written.

    For a first load of a large store (100k firms and more), --bulk is several times
    faster: it writes neo4j-admin import files into a temporary folder and runs
    `neo4j-admin database import full` into a new database (Neo4j Community: stop the
    server first). Then start the server and run `push --schema-only`.

    \b
    Example:
      NEO4J_PASSWORD=… chaingraph push --neo4j bolt://localhost:7687
      chaingraph push --bulk --neo4j-admin /opt/neo4j/bin/neo4j-admin --overwrite
      NEO4J_PASSWORD=… chaingraph push --schema-only --neo4j bolt://localhost:7687
    """
    from chaingraph.dataset import open_store_file

    uri, database = neo4j_target()
    if bulk and schema_only:
        raise click.UsageError("--bulk and --schema-only do not go together")
    if schema_only:
        connect(uri, database, warm=False).ensure_schema()
        emit([{"schema": "ready"}], ["schema"], fmt, output)
        return
    source = open_store_file(store_path, notify=notice)
    if bulk:
        import shlex

        from chaingraph.store.neo4j_admin import bulk_import

        result = bulk_import(source, shlex.split(admin), database or "neo4j", overwrite=overwrite)
        row = dataclasses.asdict(result)
        emit([row], list(row), fmt, output)
        return
    target = connect(uri, database, batch_size=batch_size, warm=False)
    report = target.merge(
        list(source.nodes()), list(source.relationships()), progress=_progress("push")
    )
    row = {"nodes": source.count_nodes(), "relationships": source.count_relationships()}
    row.update(dataclasses.asdict(report))
    emit([row], list(row), fmt, output)


@cli.command()
@_neo4j_options
@store_path_option("Embedded store file to write (merged into if it exists).", required=True)
@output_options
def pull(
    batch_size: int,
    store_path: Path,
    fmt: str,
    output: Path | None,
) -> None:
    """Copy the graph in Neo4j into an embedded store file (merge: pulling twice changes nothing).

    \b
    Example:
      chaingraph pull --neo4j neo4j+s://xxxx.databases.neo4j.io --store team.cgraph.json
      chaingraph gaps --store team.cgraph.json --base 银瓶高端装备产业基地
    """
    from chaingraph.dataset import changing_store

    uri, database = neo4j_target()
    source = connect(uri, database, batch_size=batch_size, warm=False)
    with changing_store(store_path, notify=notice, saved=saved_store) as target:
        report = target.merge(list(source.nodes()), list(source.relationships()))
    row = {"nodes": target.count_nodes(), "relationships": target.count_relationships()}
    row.update(dataclasses.asdict(report))
    emit([row], list(row), fmt, output)


def _progress(what: str) -> Any:
    """A progress callback printing to stderr when it is a terminal (nothing otherwise)."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        click.echo(f"\r{what}: {done}/{total} rows", err=True, nl=done >= total)

    return show
