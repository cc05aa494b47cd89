"""The ``chaingraph`` command line: parse options, call one library function, print.

Each topic module (``data``, ``analysis``…) adds its commands to :data:`cli`;
the options they share are declared once, in :mod:`chaingraph.cli.options`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from chaingraph.cli.options import (
    NEO4J_DATABASE_KEY,
    NEO4J_URI_KEY,
    F,
    config_option,
    output_options,
    store_option,
)
from chaingraph.errors import ChaingraphError, ConfigError
from chaingraph.output import as_rows, emit, field_names, notice, wrote

if TYPE_CHECKING:
    from chaingraph.store.base import GraphStore

__all__ = [
    "F",
    "cli",
    "columns",
    "config_option",
    "emit",
    "main",
    "open_store",
    "output_options",
    "rows",
    "saved_store",
    "store_option",
    "writable_store",
]


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


# -- options shared by commands, declared once in chaingraph.cli.options ----------
_NEO4J_URI = NEO4J_URI_KEY
_NEO4J_DATABASE = NEO4J_DATABASE_KEY


def open_store(store_path: Path | None, must_exist: bool = True) -> GraphStore:
    """The store a command runs on: ``--neo4j``, else ``--store``, else ``$NEO4J_URI``,
    else the default embedded store."""
    from chaingraph.dataset import open_store_file

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
    return open_store_file(store_path, must_exist=must_exist, notify=notice)


@contextlib.contextmanager
def writable_store(store_path: Path | None, must_exist: bool = False) -> Iterator[GraphStore]:
    """The store a writing command changes, held for the whole read-modify-write.

    Embedded stores are opened under their exclusive write lock and saved when the
    block ends if it changed them (:func:`chaingraph.dataset.changing_store`, which
    says ``wrote FILE (store)``): a second writer waits, saying so, and no change is
    lost. Neo4j writes are transactions and need no lock.
    """
    from chaingraph.dataset import changing_store
    from chaingraph.store.neo4j.connection import default_uri

    ctx = click.get_current_context(silent=True)
    meta = ctx.meta if ctx is not None else {}
    uses_neo4j = meta.get(_NEO4J_URI) is not None or (store_path is None and default_uri())
    if uses_neo4j or (must_exist and store_path is not None and not store_path.exists()):
        yield open_store(store_path, must_exist=must_exist)
        return
    with changing_store(store_path, notify=notice, saved=saved_store) as store:
        yield store


def saved_store(path: Path) -> None:
    """Tell the user a store file was saved: ``wrote FILE (store)``."""
    wrote(path, "store")


# Kept under their old names for the command modules.
rows = as_rows
columns = field_names


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
