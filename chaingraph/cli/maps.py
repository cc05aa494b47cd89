"""Map, report and graph-export commands: chain maps, the offline HTML report, GraphML/GEXF/JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from chaingraph.cli import cli, emit, open_store, store_option
from chaingraph.cli.analysis import _config, scope_options
from chaingraph.errors import ConfigError
from chaingraph.graph_exports import exporters
from chaingraph.output import wrote

# Same as chaingraph.maps.chain_map.COMPANY_CHOICES (tests/test_startup.py checks); kept
# here so that ``chaingraph --help`` does not import the map code.
COMPANY_CHOICES = ("none", "local", "targets", "all")


@cli.command("map")
@scope_options
@click.option(
    "--companies",
    type=click.Choice(COMPANY_CHOICES),
    default="none",
    show_default=True,
    help="Also draw firms: local makers, top targets, or both.",
)
@click.option(
    "--max-companies",
    type=click.IntRange(min=1),
    default=80,
    show_default=True,
    help="Draw at most this many firms (the map notes the cut).",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Targets per segment on the hover cards.",
)
@click.option(
    "--all-bases", is_flag=True, help="One map per base, written into the folder given by -o."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="The .html file to write (a folder with --all-bases).",
)
@store_option
def map_command(
    base: str | None,
    region: str | None,
    chain: str | None,
    config_path: Path | None,
    companies: str,
    max_companies: int,
    top: int,
    all_bases: bool,
    output: Path,
    store_path: Path | None,
) -> None:
    """Interactive map of a base's chains: upstream → downstream, coloured by gap status.

    One HTML file that opens offline in any browser: hover a segment for its local
    firms and top targets, search by name, zoom and pan.

    \b
    Example:
      chaingraph map --base 银瓶高端装备产业基地 --chain 高端装备制造 -o map.html
      chaingraph map --base 东部智能制造产业基地 --companies local -o east.html
      chaingraph map --all-bases -o maps/
    """
    from chaingraph.maps import MapFile, chain_map, write_base_maps, write_map

    options: dict[str, Any] = {
        "companies": companies,
        "max_companies": max_companies,
        "top": top,
        "config": _config(config_path),
    }
    store = open_store(store_path)
    if all_bases:
        if base or region:
            raise ConfigError("--all-bases draws every base: drop --base/--region")
        written = write_base_maps(store, output, chain=chain, **options)
    else:
        if output.suffix.lower() not in (".html", ".htm"):
            raise ConfigError(
                f"{output}: a map is an .html file (or pass --all-bases for a folder)"
            )
        picture = chain_map(store, base, region=region, chain=chain, **options)
        path = write_map(picture, output)
        written = [
            MapFile(
                picture.subject,
                picture.subject_name,
                path,
                len(picture.nodes),
                len(picture.edges),
                path.stat().st_size,
            )
        ]
    emit(written, ["subject_name", "nodes", "edges", "size_bytes", "path"], "table", None)
    for item in written:
        wrote(item.path, "map")


@cli.command()
@click.option("--base", help="The base (id or name), e.g. 银瓶高端装备产业基地.")
@click.option("--region", help="Report on a region (id or name) instead of a base.")
@click.option(
    "--top", type=click.IntRange(min=1), default=5, show_default=True, help="Targets per gap."
)
@click.option(
    "--companies",
    type=click.Choice(COMPANY_CHOICES),
    default="none",
    show_default=True,
    help="Firms drawn on the maps.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML overriding thresholds and weights.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the report into (created if needed).",
)
@store_option
def report(
    base: str | None,
    region: str | None,
    top: int,
    companies: str,
    config_path: Path | None,
    output: Path,
    store_path: Path | None,
) -> None:
    """Static HTML report of a base, to zip and send: opens offline.

    index.html (completeness, coverage chart), gaps.html, targets.html, one map per
    focus chain under maps/, and gaps.xlsx / targets.xlsx.

    \b
    Example:
      chaingraph report --base 银瓶高端装备产业基地 -o report/
    """
    from chaingraph.reports import build_report

    built = build_report(
        open_store(store_path),
        base,
        output,
        region=region,
        top=top,
        companies=companies,
        config=_config(config_path),
    )
    for note in built.notes:
        click.echo(f"note: {note}", err=True)
    rows = [{"file": str(p), "size_bytes": p.stat().st_size} for p in built.files]
    emit(rows, ["file", "size_bytes"], "table", None)
    wrote(built.index.parent, f"report, {len(built.files)} files")
    click.echo(f"\nopen {built.index}")


def _export_options(f: Any) -> Any:
    """One ``--<name> PATH`` option per registered graph exporter."""
    for exporter in reversed(exporters()):
        is_dir = exporter.target == "directory"
        f = click.option(
            f"--{exporter.name}",
            exporter.name.replace("-", "_"),
            type=click.Path(path_type=Path, file_okay=not is_dir, dir_okay=is_dir),
            metavar="DIR" if is_dir else "FILE",
            help=exporter.help,
        )(f)
    return f


@cli.command("export")
@_export_options
@store_option
def export_command(store_path: Path | None, **paths: Path | None) -> None:
    """Export the whole graph for other tools (Gephi, yEd, Cytoscape, networkx).

    Give one or more formats, each with where to write it.

    \b
    Example:
      chaingraph export --graphml chain.graphml --gexf chain.gexf --node-link chain.json
    """
    by_param = {e.name.replace("-", "_"): e for e in exporters()}
    wanted = [(by_param[name], path) for name, path in paths.items() if path is not None]
    if not wanted:
        flags = ", ".join(f"--{e.name}" for e in exporters())
        raise ConfigError(f"name at least one format to export: {flags}")
    store = open_store(store_path)
    rows = []
    for exporter, path in wanted:
        exporter.write(store, path)
        rows.append({"format": exporter.name, "path": str(path)})
    emit(rows, ["format", "path"], "table", None)
    for row in rows:
        wrote(row["path"], row["format"])
