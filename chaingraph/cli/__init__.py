"""The ``chaingraph`` command line: parse options, call one library function, print.

Each topic module (``data``, ``analysis``…) adds its commands to :data:`cli`;
the options they share are defined here once.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from chaingraph.errors import ChaingraphError, ConfigError
from chaingraph.output import FORMATS, notice, render, write_output

if TYPE_CHECKING:
    from chaingraph.store.base import GraphStore

F = TypeVar("F", bound=Callable[..., Any])


class _Group(click.Group):
    """Turns domain errors into one clear line and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ChaingraphError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            # A library call that did not say which file (the ones that write do): still
            # one line naming the file and the fix, never a traceback.
            from chaingraph.fs import os_error_text

            where = exc.filename or "a file"
            raise click.ClickException(os_error_text(exc, where, "failed")) from None


@click.group(cls=_Group)
@click.version_option(package_name="chaingraph")
def cli() -> None:
    """chaingraph: industry-chain knowledge graph for regional investment promotion (产业链招商).

    With no --store, commands use your default store, built from the bundled
    Dongguan dataset on first use.

    \b
    Example:
      chaingraph info --chains
    """


# -- options shared by commands, written once ----------------------------------
_NEO4J_URI = "chaingraph.neo4j_uri"
_NEO4J_DATABASE = "chaingraph.neo4j_database"


def _remember(key: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None:
            ctx.meta[key] = value
        return value

    return callback


def store_option(f: F) -> F:
    """``--store FILE``, or ``--neo4j URI`` (+ ``--neo4j-database``): where the graph is.

    The Neo4j options reach :func:`open_store` through the click context, so commands
    keep one ``store_path`` parameter whichever store they run on.
    """
    f = click.option(
        "--neo4j-database",
        metavar="NAME",
        expose_value=False,
        callback=_remember(_NEO4J_DATABASE),
        help="Neo4j database (default: $NEO4J_DATABASE or the server's default).",
    )(f)
    f = click.option(
        "--neo4j",
        metavar="URI",
        expose_value=False,
        callback=_remember(_NEO4J_URI),
        help="Use the graph in this Neo4j (bolt:// or neo4j:// for a cluster/Aura) instead of "
        "the embedded store; default $NEO4J_URI when no --store is given. Credentials from "
        "$NEO4J_USER/$NEO4J_PASSWORD, the Neo4j config file, or a prompt.",
    )(f)
    return click.option(
        "--store",
        "store_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Embedded store file (default: $CHAINGRAPH_STORE or a per-user store, built from "
        "the bundled dataset on first use).",
    )(f)


def output_options(f: F) -> F:
    f = click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Write to this file instead of stdout (CSV files get a BOM for Excel).",
    )(f)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output format.",
    )(f)


def open_store(store_path: Path | None, must_exist: bool = True) -> GraphStore:
    """The store a command runs on: ``--neo4j``, else ``--store``, else ``$NEO4J_URI``,
    else the default embedded store."""
    from chaingraph.dataset import open_default_store
    from chaingraph.store.networkx import NetworkxStore

    ctx = click.get_current_context(silent=True)
    meta = ctx.meta if ctx is not None else {}
    neo4j_uri = meta.get(_NEO4J_URI)
    if neo4j_uri is not None and store_path is not None:
        raise ConfigError("give --store or --neo4j, not both")
    if neo4j_uri is None and store_path is None:
        from chaingraph.store.neo4j.connection import default_uri

        neo4j_uri = default_uri()
    if neo4j_uri is not None:
        from chaingraph.cli.neo4j import connect

        return connect(neo4j_uri, meta.get(_NEO4J_DATABASE))
    if store_path is None:
        return open_default_store(notify=notice)
    if must_exist and not store_path.exists():
        raise ConfigError(
            f"no store at {store_path}; create one with 'chaingraph load --store {store_path} FILES' "
            "or omit --store to use the bundled dataset"
        )
    return NetworkxStore.open(store_path)


@contextlib.contextmanager
def writable_store(store_path: Path | None, must_exist: bool = False) -> Iterator[GraphStore]:
    """The store a writing command changes, held for the whole read-modify-write.

    Embedded stores are opened under their exclusive write lock
    (:func:`chaingraph.dataset.updating_store`): a second writer waits, saying so, and
    no change is lost. Neo4j writes are transactions and need no lock.
    """
    from chaingraph.dataset import updating_store
    from chaingraph.store.neo4j.connection import default_uri

    ctx = click.get_current_context(silent=True)
    meta = ctx.meta if ctx is not None else {}
    uses_neo4j = meta.get(_NEO4J_URI) is not None or (store_path is None and default_uri())
    if uses_neo4j or (must_exist and store_path is not None and not store_path.exists()):
        yield open_store(store_path, must_exist=must_exist)
        return
    with updating_store(store_path, notify=notice) as store:
        yield store


def rows(items: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        dataclasses.asdict(i)
        if dataclasses.is_dataclass(i) and not isinstance(i, type)
        else dict(i)
        for i in items
    ]


def emit(items: Sequence[Any], columns: Sequence[str], fmt: str, output: Path | None) -> None:
    write_output(render(rows(items), columns, fmt), output, fmt)


def columns(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="chaingraph")


# Importing the topic modules registers their commands on ``cli``.
from chaingraph.cli import data  # noqa: E402, F401
from chaingraph.cli import analysis  # noqa: E402, F401
from chaingraph.cli import nlp  # noqa: E402, F401
from chaingraph.cli import maps  # noqa: E402, F401
from chaingraph.cli import neo4j  # noqa: E402, F401
from chaingraph.cli import scale  # noqa: E402, F401
from chaingraph.cli import classify  # noqa: E402, F401
