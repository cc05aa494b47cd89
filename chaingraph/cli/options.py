"""The options commands share, each declared once: ``--store``, ``--neo4j``,
``--neo4j-database``, ``--config``, ``--format`` and ``-o/--output``.

A command takes them as decorators (``@store_option``, ``@output_options``,
``@config_option``) or, where its meaning differs (``push`` pushes *from* a store file,
``map`` writes a folder with ``--all-bases``), from the factory with its own help text;
the name, type and behaviour stay the same everywhere. This module imports only click
and :mod:`chaingraph.output` so that ``chaingraph --help`` stays fast.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

import click

from chaingraph.output import FORMATS

__all__ = [
    "CLASSIFY_RULE_DEFAULTS",
    "NEO4J_DATABASE_KEY",
    "NEO4J_URI_KEY",
    "classify_rule_options",
    "config_option",
    "format_option",
    "neo4j_options",
    "neo4j_target",
    "output_option",
    "output_options",
    "scope_options",
    "store_option",
    "store_path_option",
]

F = TypeVar("F", bound=Callable[..., Any])

# Where --neo4j and --neo4j-database put their values: the click context's meta, so
# that commands keep one ``store_path`` parameter whichever store they run on.
NEO4J_URI_KEY = "chaingraph.neo4j_uri"
NEO4J_DATABASE_KEY = "chaingraph.neo4j_database"

STORE_HELP = (
    "Embedded store file (default: $CHAINGRAPH_STORE or a per-user store, built from "
    "the bundled dataset on first use)."
)
NEO4J_HELP = (
    "Use the graph in this Neo4j (bolt:// or neo4j:// for a cluster/Aura) instead of "
    "the embedded store; default $NEO4J_URI when no --store is given. Credentials from "
    "$NEO4J_USER/$NEO4J_PASSWORD, the Neo4j config file, or a prompt."
)
OUTPUT_HELP = "Write to this file instead of stdout (CSV files get a BOM for Excel)."


def _remember(key: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None:
            ctx.meta[key] = value
        return value

    return callback


def store_path_option(help: str = STORE_HELP, *, required: bool = False) -> Callable[[F], F]:
    """``--store FILE`` (parameter ``store_path``): an embedded store file."""
    return click.option(
        "--store",
        "store_path",
        required=required,
        type=click.Path(dir_okay=False, path_type=Path),
        help=help,
    )


def neo4j_options(help: str = NEO4J_HELP) -> Callable[[F], F]:
    """``--neo4j URI`` and ``--neo4j-database NAME``, kept in the click context
    (:func:`neo4j_target`) rather than passed to the command."""

    def decorate(f: F) -> F:
        f = click.option(
            "--neo4j-database",
            metavar="NAME",
            expose_value=False,
            callback=_remember(NEO4J_DATABASE_KEY),
            help="Neo4j database (default: $NEO4J_DATABASE or the server's default).",
        )(f)
        return click.option(
            "--neo4j",
            metavar="URI",
            expose_value=False,
            callback=_remember(NEO4J_URI_KEY),
            help=help,
        )(f)

    return decorate


def neo4j_target() -> tuple[str | None, str | None]:
    """The ``--neo4j`` URI and ``--neo4j-database`` name given to the running command
    (None for each one not given)."""
    ctx = click.get_current_context(silent=True)
    meta = ctx.meta if ctx is not None else {}
    return meta.get(NEO4J_URI_KEY), meta.get(NEO4J_DATABASE_KEY)


def store_option(f: F) -> F:
    """``--store FILE``, or ``--neo4j URI`` (+ ``--neo4j-database``): where the graph is
    (opened by :func:`chaingraph.cli.open_store`)."""
    return store_path_option()(neo4j_options()(f))


def config_option(f: F) -> F:
    """``--config FILE`` (parameter ``config_path``), shared by the analysis commands."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="YAML overriding thresholds and weights (see AnalysisConfig).",
    )(f)


def scope_options(f: F) -> F:
    """``--base``/``--region``/``--chain`` and ``--config``: what the gap-based commands
    (gaps, targets, audit, map) analyse."""
    f = config_option(f)
    f = click.option(
        "--chain", help="Only this chain (id or name); required for a base with no focus."
    )(f)
    f = click.option("--region", help="Analyse a region (id or name) instead of a base.")(f)
    return click.option("--base", help="The base (id or name), e.g. 银瓶高端装备产业基地.")(f)


def format_option(f: F) -> F:
    """``--format table|json|csv`` (parameter ``fmt``)."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output format.",
    )(f)


def output_option(
    help: str = OUTPUT_HELP,
    *,
    target: Literal["file", "folder", "any"] = "file",
    required: bool = False,
    dest: str = "output",
) -> Callable[[F], F]:
    """``-o/--output PATH`` (parameter ``output``, or ``dest``): where a command writes."""
    return click.option(
        "-o",
        "--output",
        dest,
        type=click.Path(file_okay=target != "folder", dir_okay=target != "file", path_type=Path),
        required=required,
        help=help,
    )


def output_options(f: F) -> F:
    """``--format`` and ``-o/--output FILE``: how and where a command prints its answer
    (through :mod:`chaingraph.output`)."""
    return format_option(output_option()(f))


# The defaults of chaingraph.classify.Options, written here because importing the
# classifier takes seconds and ``chaingraph --help`` must not; a test holds them equal.
CLASSIFY_RULE_DEFAULTS: dict[str, float | int | None] = {
    "min_share": 0.05,
    "min_chain_share": 0.09,
    "min_side_chain_share": 0.20,
    "side_main_share": 0.30,
    "max_lines": None,
}


def classify_rule_options(prefix: str = "") -> Callable[[F], F]:
    """The classifier's floors (``--min-share``, ``--min-chain-share``,
    ``--min-side-chain-share``, ``--side-main-share``, ``--max-lines``), passed to the
    command as one ``rules`` dict of :class:`chaingraph.classify.Options` fields, so that
    ``classify`` and ``load --classify`` read rows the same way. ``prefix`` starts each
    help text (``"With --classify: "``)."""
    share = click.FloatRange(0, 1)
    specs: list[tuple[str, str, Any, str]] = [
        ("--min-share", "min_share", share, "a revenue line below this share makes no maker."),
        (
            "--min-chain-share",
            "min_chain_share",
            share,
            "revenue lines naming a chain must add up to this share for the chain to count.",
        ),
        (
            "--min-side-chain-share",
            "min_side_chain_share",
            share,
            "the same for a chain beside the firm's main one (the chain with the largest share).",
        ),
        (
            "--side-main-share",
            "side_main_share",
            share,
            "--min-side-chain-share applies only beside a main chain of at least this share.",
        ),
        (
            "--max-lines",
            "max_lines",
            click.IntRange(1),
            "read only a firm's N largest revenue lines (at or above --min-share); default: all.",
        ),
    ]

    def decorate(f: F) -> F:
        @functools.wraps(f)
        def packed(*args: Any, **kwargs: Any) -> Any:
            rules = {name: kwargs.pop(name) for _, name, _, _ in specs}
            return f(*args, rules=rules, **kwargs)

        command: Any = packed
        for flag, name, kind, text in reversed(specs):
            default = CLASSIFY_RULE_DEFAULTS[name]
            command = click.option(
                flag,
                name,
                default=default,
                show_default=default is not None,
                type=kind,
                help=prefix + (text[0].upper() + text[1:] if not prefix else text),
            )(command)
        return command

    return decorate
