"""The ``chaingraph`` command line: parse options, call one library function, print.

Each topic module (``data``, ``analysis``…) adds its commands to :data:`cli`;
the options they share are defined here once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from chaingraph.errors import ChaingraphError, ConfigError
from chaingraph.output import FORMATS, render, write_output
from chaingraph.store.base import GraphStore

F = TypeVar("F", bound=Callable[..., Any])


class _Group(click.Group):
    """Turns domain errors into one clear line and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ChaingraphError as exc:
            raise click.ClickException(str(exc)) from None


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
def store_option(f: F) -> F:
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
    from chaingraph.dataset import open_default_store
    from chaingraph.store.networkx_store import NetworkxStore

    if store_path is None:
        return open_default_store()
    if must_exist and not store_path.exists():
        raise ConfigError(
            f"no store at {store_path}; create one with 'chaingraph load --store {store_path} FILES' "
            "or omit --store to use the bundled dataset"
        )
    return NetworkxStore.open(store_path)


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
