"""Neo4j commands: push (embedded -> Neo4j) and pull (Neo4j -> embedded file).

Every other command reaches Neo4j through ``--neo4j URI`` (see ``store_option``);
:func:`connect` opens it with :func:`chaingraph.store.neo4j.open_store`, which reads the
settings and credentials (environment, Neo4j config file, a prompt on a terminal; see
:mod:`chaingraph.store.neo4j.connection`). The password is never printed.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from chaingraph.cli import cli, emit, output_options, saved_store
from chaingraph.cli.options import neo4j_options, neo4j_target, store_path_option
from chaingraph.output import notice

if TYPE_CHECKING:  # the driver is imported by the commands that use it (fast --help)
    from chaingraph.store.neo4j import Neo4jStore

# Same as chaingraph.store.neo4j.DEFAULT_BATCH_SIZE (tests/test_startup.py checks).
DEFAULT_BATCH_SIZE = 2000

# The driver logs lost connections itself; the command reports them in one line
# (a chaingraph error), so keep the driver's log lines off the terminal.
logging.getLogger("neo4j").addHandler(logging.NullHandler())


def connect(
    uri: str | None,
    database: str | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    warm: bool = True,
) -> Neo4jStore:
    """Open the Neo4j store at ``uri`` (else ``$NEO4J_URI``) with the settings of
    :func:`chaingraph.store.neo4j.open_store`; closed when the command ends."""
    from chaingraph.store.neo4j import open_store

    store = open_store(uri, database, batch_size=batch_size, warm=warm, prompt=_ask_password)
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(store.close)
    return store


def _ask_password(user: str) -> str:
    password: str = click.prompt(f"Neo4j password for {user}", hide_input=True, err=True)
    return password


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
    "--bulk-workers",
    type=click.IntRange(min=1),
    default=None,
    help="With --bulk: processes writing the CSV files (default 2; 1 needs the least memory).",
)
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
    bulk_workers: int | None,
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
    server first): --neo4j-database, else $NEO4J_DATABASE, else the config file's
    `database`, else neo4j. Then start the server and run `push --schema-only` (the
    constraint, indexes and the figures the gap queries read).

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
        connect(uri, database, warm=False).ensure_schema(derive=True)
        emit([{"schema": "ready"}], ["schema"], fmt, output)
        return
    source = open_store_file(store_path, notify=notice)
    if bulk:
        import shlex

        from chaingraph.store.neo4j import bulk_import
        from chaingraph.store.neo4j.connection import configured_database

        # The database the settings name, as for every other command; else Neo4j's default.
        database = configured_database(database) or "neo4j"
        result = bulk_import(
            source, shlex.split(admin), database, overwrite=overwrite, workers=bulk_workers
        )
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
