"""Data commands: load, validate, info, show."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from chaingraph.cli import cli, emit, open_store, output_options, store_option, writable_store
from chaingraph.cli.options import classify_rule_options, store_path_option
from chaingraph.output import notice, write_json, write_output


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--mapping", help="Mapping spec for CSV/XLSX/JSONL: a file, or a name in ingest/mappings/."
)
@click.option(
    "--encoding", help="Force the text encoding (default: detect UTF-8, BOM, GBK/GB18030)."
)
@click.option(
    "--classify",
    "classify_rows",
    is_flag=True,
    help="Registry files: classify rows (see 'chaingraph classify') and write firms, MAKES, LOCATED_IN.",
)
@click.option("--dry-run", is_flag=True, help="With --classify: print the diff, write nothing.")
@click.option("--skip-bad", is_flag=True, help="With --classify: report bad rows, load the rest.")
@classify_rule_options("With --classify: ")
@click.option("--where", multiple=True, metavar="COL=VALUE", help="With --classify: row filter.")
@click.option("--source", help="With --classify: source for rows without a 来源 column.")
@store_option
@output_options
def load(
    files: tuple[Path, ...],
    mapping: str | None,
    encoding: str | None,
    classify_rows: bool,
    dry_run: bool,
    skip_bad: bool,
    rules: dict[str, Any],
    where: tuple[str, ...],
    source: str | None,
    store_path: Path | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Load data files into the store, all of them or nothing.

    Files may be YAML/JSON documents (see ontology/FORMAT.md) or CSV/XLSX/JSONL
    tables with a mapping spec. Loading the same files twice changes nothing.

    \b
    Example:
      chaingraph load --mapping companies-cn firms.csv
    """
    if classify_rows:
        from chaingraph.cli.classify import run_load_classify

        run_load_classify(
            store_path, files, mapping, dry_run, skip_bad, rules, where, source, fmt, output
        )
        return
    from chaingraph.loaders import load_files
    from chaingraph.reports.text import load_summary

    with writable_store(store_path) as store:
        report = load_files(store, list(files), mapping=mapping, encoding=encoding)
    for warning in report.warnings:
        notice(f"warning: {warning}")
    row = load_summary(report)
    emit([row], list(row), fmt, output)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--mapping", help="Mapping spec for CSV/XLSX/JSONL tables.")
@click.option("--encoding", help="Force the text encoding.")
@store_path_option(
    "Resolve references against this store (default: the store 'load' would use; "
    "with no FILES, the bundled dataset is checked on its own)."
)
@output_options
def validate(
    files: tuple[Path, ...],
    mapping: str | None,
    encoding: str | None,
    store_path: Path | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Check data files without writing anything; exit 1 listing every problem.

    FILES are checked as 'load' would load them: references may name nodes already
    in the store. With no FILES, checks the bundled dataset on its own.

    \b
    Example:
      chaingraph validate ingest/companies/*.yaml ontology/chains/*.yaml
    """
    from chaingraph.dataset import bundled_files
    from chaingraph.loaders import validate_files

    paths = list(files) or bundled_files()
    # A user's firm list names products and places of the dataset: check it against
    # the store it would be loaded into, or every such reference looks dangling.
    store = open_store(store_path) if store_path or files else None
    prepared = validate_files(paths, store, mapping=mapping, encoding=encoding)
    for warning in prepared.warnings:
        notice(f"warning: {warning}")
    if prepared.issues:
        emit(
            prepared.issues, ["file", "line", "field", "value", "message", "expected"], fmt, output
        )
        raise click.ClickException(
            f"{len(prepared.issues)} problem(s) in {len(prepared.files)} file(s); nothing was written"
        )
    notice(
        f"ok: {len(prepared.files)} file(s), {len(prepared.nodes)} nodes, "
        f"{len(prepared.relationships)} relationships"
    )


@cli.command()
@click.option(
    "--chains", "section", flag_value="chains", help="Per chain: segments, products, firms."
)
@click.option(
    "--bases", "section", flag_value="bases", help="Per base: location, area, focus, firms."
)
@click.option(
    "--types", "section", flag_value="types", help="Node and relationship counts by type."
)
@store_option
@output_options
def info(section: str | None, store_path: Path | None, fmt: str, output: Path | None) -> None:
    """What the store holds: counts by type, per chain and per base.

    Without a section flag, a table shows all three (JSON: one object with three keys;
    CSV: the counts by type).

    \b
    Example:
      chaingraph info --chains --format csv -o chains.csv
    """
    from chaingraph.reports.text import (
        overview,
        overview_columns,
        overview_payload,
        overview_text,
    )

    every_section = section is None and fmt != "csv"  # CSV has one table: the counts by type
    name = section or "types"
    sections = overview(open_store(store_path), None if every_section else name)
    if not every_section:
        emit(sections[name], overview_columns(name), fmt, output)
    elif fmt == "json":
        write_json(overview_payload(sections), output)
    else:
        write_output(overview_text(sections), output, fmt)


@cli.command()
@click.argument("name")
@click.option(
    "--type",
    "node_type",
    type=click.Choice(["Chain", "Segment", "Product", "Company", "Base", "Region"]),
    help="Only nodes of this type.",
)
@store_option
@output_options
def show(
    name: str, node_type: str | None, store_path: Path | None, fmt: str, output: Path | None
) -> None:
    """Show a node (by id, name or alias) and its neighbours; suggests near names.

    \b
    Example:
      chaingraph show 谐波减速器
    """
    from chaingraph.analysis.neighbourhood import neighbourhood
    from chaingraph.reports.text import NEIGHBOUR_COLUMNS, node_payload, node_text

    view = neighbourhood(open_store(store_path), name, node_type)
    if fmt == "table":
        write_output(node_text(view), output, fmt)
    elif fmt == "json":
        write_json(node_payload(view), output)
    else:
        emit(view.neighbours, NEIGHBOUR_COLUMNS, fmt, output)
