"""Map, report and graph-export commands: chain maps, the offline HTML report, GraphML/GEXF/JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from chaingraph.cli import cli, emit, open_store, store_option
from chaingraph.cli.options import config_option, output_option, scope_options
from chaingraph.errors import ConfigError
from chaingraph.graph_exports import export_graph, exporters
from chaingraph.output import notice, write_output, wrote

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
@output_option("The .html file to write (a folder with --all-bases).", target="any")
@click.option(
    "--png",
    "png",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also a PNG picture (slide size).",
)
@click.option(
    "--svg", "svg", type=click.Path(dir_okay=False, path_type=Path), help="Also an SVG picture."
)
@click.option(
    "--pdf", "pdf", type=click.Path(dir_okay=False, path_type=Path), help="Also a PDF picture."
)
@click.option(
    "--width",
    type=click.IntRange(min=320),
    default=1600,
    show_default=True,
    help="Picture width in pixels.",
)
@click.option(
    "--scale",
    type=click.FloatRange(min=0.5, max=8),
    default=1.0,
    show_default=True,
    help="PNG pixel density (2 or 3 for print).",
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
    output: Path | None,
    png: Path | None,
    svg: Path | None,
    pdf: Path | None,
    width: int,
    scale: float,
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
      chaingraph map --base 银瓶 --png yinping.png --pdf yinping.pdf --scale 2
    """
    from chaingraph.analysis.config import load_config

    pictures = {fmt: path for fmt, path in (("png", png), ("svg", svg), ("pdf", pdf)) if path}
    if output is None and not pictures:
        raise ConfigError("say where to write the map: -o FILE.html and/or --png/--svg/--pdf FILE")
    if all_bases and (pictures or output is None):
        raise ConfigError(
            "--all-bases writes HTML maps into the folder given by -o (no --png/--svg/--pdf)"
        )

    options: dict[str, Any] = {
        "companies": companies,
        "max_companies": max_companies,
        "top": top,
        "config": load_config(config_path),
    }
    store = open_store(store_path)
    if all_bases:
        from chaingraph.maps import write_base_maps

        assert output is not None
        if base or region:
            raise ConfigError("--all-bases draws every base: drop --base/--region")
        written = write_base_maps(store, output, chain=chain, **options)
        emit(written, ["subject_name", "nodes", "edges", "size_bytes", "path"], "table", None)
        for item in written:
            wrote(item.path, "map")
        return
    from chaingraph.maps.draw import draw_map

    made = draw_map(
        store,
        base,
        region=region,
        chain=chain,
        output=output,
        pictures=pictures,
        width=width,
        scale=scale,
        **options,
    )
    emit(made, ["subject_name", "format", "size", "size_bytes", "file"], "table", None)
    for drawn in made:
        wrote(drawn.file, drawn.format)


@cli.command()
@click.option("--base", help="The base (id or name), e.g. 银瓶高端装备产业基地.")
@click.option("--region", help="Report on a region (id or name) instead of a base.")
@click.option(
    "--all-bases",
    is_flag=True,
    help="A small site: an index of every base linking each base's report.",
)
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
    "--pictures/--no-pictures",
    default=True,
    show_default=True,
    help="Draw each map as a PNG (headless Chromium) and show it in the report.",
)
@config_option
@output_option(
    "Folder to write the report into (created if needed).", target="folder", required=True
)
@store_option
def report(
    base: str | None,
    region: str | None,
    all_bases: bool,
    top: int,
    companies: str,
    pictures: bool,
    config_path: Path | None,
    output: Path,
    store_path: Path | None,
) -> None:
    """Static HTML report of a base, to zip and send: opens offline.

    index.html (completeness, coverage chart, map pictures), gaps.html, targets.html,
    one interactive map and its PNG per focus chain under maps/, and gaps.xlsx /
    targets.xlsx. With --all-bases: one such report per base under <folder>/<base>/
    and an index.html of all bases.

    \b
    Example:
      chaingraph report --base 银瓶高端装备产业基地 -o report/
      chaingraph report --all-bases -o site/
    """
    from chaingraph.analysis.config import load_config
    from chaingraph.reports import build_report, build_site

    store = open_store(store_path)
    options: dict[str, Any] = {
        "top": top,
        "companies": companies,
        "config": load_config(config_path),
        "pictures": pictures,
    }
    if all_bases:
        if base or region:
            raise ConfigError("--all-bases reports on every base: drop --base/--region")
        site = build_site(store, output, **options)
        files, index, notes = site.files, site.index, site.notes
    else:
        built = build_report(store, base, output, region=region, **options)
        files, index, notes = built.files, built.index, built.notes
    for note in notes:
        notice(f"note: {note}")
    rows = [{"file": str(p), "size_bytes": p.stat().st_size} for p in files]
    emit(rows, ["file", "size_bytes"], "table", None)
    wrote(index.parent, f"report, {len(files)} files")
    write_output(f"\nopen {index}\n", None, "table")


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
    by_param = {e.name.replace("-", "_"): e.name for e in exporters()}
    targets = {by_param[param]: path for param, path in paths.items() if path is not None}
    if not targets:
        flags = ", ".join(f"--{e.name}" for e in exporters())
        raise ConfigError(f"name at least one format to export: {flags}")
    written = export_graph(open_store(store_path), targets)
    emit(written, ["format", "path"], "table", None)
    for row in written:
        wrote(row["path"], row["format"])
