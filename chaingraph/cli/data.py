"""Data commands: load, validate, info, show."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from chaingraph.cli import (
    cli,
    columns,
    emit,
    open_store,
    output_options,
    rows,
    store_option,
    writable_store,
)
from chaingraph.output import render, write_output, wrote


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
@click.option(
    "--min-share",
    default=0.05,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="With --classify: a revenue line below this share makes no maker.",
)
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
    min_share: float,
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
    from chaingraph.loaders import load_files
    from chaingraph.store.networkx import NetworkxStore

    with writable_store(store_path) as store:
        if classify_rows:
            from chaingraph.cli.classify import run_load_classify

            run_load_classify(
                store, files, mapping, dry_run, skip_bad, min_share, where, source, fmt, output
            )
            return
        report = load_files(store, list(files), mapping=mapping, encoding=encoding)
        if report.merge.changed and isinstance(store, NetworkxStore):
            wrote(store.save(), "store")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    row = {
        "files": len(report.files),
        "nodes_read": report.nodes_read,
        "relationships_read": report.relationships_read,
        **dataclasses.asdict(report.merge),
    }
    emit([row], list(row), fmt, output)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--mapping", help="Mapping spec for CSV/XLSX/JSONL tables.")
@click.option("--encoding", help="Force the text encoding.")
@click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Resolve references against this store (default: the store 'load' would use; "
    "with no FILES, the bundled dataset is checked on its own).",
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
        click.echo(f"warning: {warning}", err=True)
    if prepared.issues:
        emit(
            prepared.issues, ["file", "line", "field", "value", "message", "expected"], fmt, output
        )
        raise click.ClickException(
            f"{len(prepared.issues)} problem(s) in {len(prepared.files)} file(s); nothing was written"
        )
    click.echo(
        f"ok: {len(prepared.files)} file(s), {len(prepared.nodes)} nodes, "
        f"{len(prepared.relationships)} relationships",
        err=True,
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
    from chaingraph.analysis.summary import (
        BaseOverview,
        ChainOverview,
        TypeCount,
        base_overview,
        chain_overview,
        type_counts,
    )

    store = open_store(store_path)
    sections = {
        "types": (type_counts, TypeCount),
        "chains": (chain_overview, ChainOverview),
        "bases": (base_overview, BaseOverview),
    }
    if section is None and fmt == "json":
        import orjson

        payload = {name: rows(fn(store)) for name, (fn, _) in sections.items()}  # type: ignore[operator]
        write_output(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode() + "\n", output, fmt)
        return
    if section is None and fmt == "table":
        text = "".join(
            f"## {name}\n" + render(rows(fn(store)), columns(cls), fmt) + "\n"  # type: ignore[operator]
            for name, (fn, cls) in sections.items()
        )
        write_output(text, output, fmt)
        return
    fn, cls = sections[section or "types"]
    emit(fn(store), columns(cls), fmt, output)  # type: ignore[operator]


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

    store = open_store(store_path)
    view = neighbourhood(store, name, node_type)
    if fmt == "table":
        props = "\n".join(f"  {k}: {v}" for k, v in sorted(view.node.props.items()))
        also = f"  (same name: {', '.join(view.same_name)})" if view.same_name else ""
        head = f"{view.node.name}  [{view.node.type} {view.node.id}]{also}\n{props}\n\n"
        write_output(head + render(rows(view.neighbours), _NEIGHBOUR_COLUMNS, fmt), output, fmt)
    elif fmt == "json":
        import orjson

        payload = {"node": dataclasses.asdict(view.node), "neighbours": rows(view.neighbours)}
        write_output(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode() + "\n", output, fmt)
    else:
        emit(view.neighbours, _NEIGHBOUR_COLUMNS, fmt, output)


_NEIGHBOUR_COLUMNS = ["direction", "relationship", "id", "type", "name", "detail"]
