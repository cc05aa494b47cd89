"""Analysis commands: gaps, targets, compare, chokepoints, plan, audit."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from chaingraph.cli import cli, columns, emit, open_store, output_options, store_option
from chaingraph.cli.options import config_option, scope_options
from chaingraph.errors import ConfigError
from chaingraph.exports import GAP_TABLES, TARGET_COLUMNS, export_targets, target_rows
from chaingraph.output import notice, write_json, write_output, wrote


@cli.command()
@scope_options
@click.option(
    "--inputs", "show_inputs", is_flag=True, help="CSV: list 延链 input gaps instead of segments."
)
@click.option(
    "--export",
    "export_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every table (segments, chains, 延链 inputs) to .xlsx (one sheet each), "
    ".json, or .csv (one file each: FILE, FILE-chains.csv, FILE-inputs.csv); Chinese headers.",
)
@click.option(
    "--table",
    type=click.Choice(list(GAP_TABLES)),
    help="With --export: write only this table to FILE.",
)
@store_option
@output_options
def gaps(
    base: str | None,
    region: str | None,
    chain: str | None,
    config_path: Path | None,
    show_inputs: bool,
    export_path: Path | None,
    table: str | None,
    store_path: Path | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Gap analysis: 建链/补链/强链/延链/优势 for every focus segment, with the rule that fired.

    \b
    Example:
      chaingraph gaps --base 银瓶高端装备产业基地
      chaingraph gaps --region 东莞市 --chain 新能源 --format json
    """
    from chaingraph.analysis.config import load_config
    from chaingraph.analysis.gaps import InputGap, SegmentGap
    from chaingraph.analysis.gaps import gaps as run
    from chaingraph.reports.text import gaps_text

    if table is not None and export_path is None:
        raise ConfigError("--table chooses what --export writes: give --export FILE too")
    store = open_store(store_path)
    report = run(store, base, region=region, chain=chain, config=load_config(config_path))
    if export_path is not None:
        from chaingraph.exports import export_gap_tables

        for path in export_gap_tables(report, export_path, store, table=table):
            wrote(path)
    if fmt == "json":
        write_json(dataclasses.asdict(report), output)
    elif fmt == "csv":
        items, cls = (report.inputs, InputGap) if show_inputs else (report.segments, SegmentGap)
        emit(items, columns(cls), fmt, output)
    else:
        write_output(gaps_text(report), output, fmt)


@cli.command()
@scope_options
@click.option("--segment", help="Only this gap segment (id or name).")
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Length of the list (best first across the gap segments).",
)
@click.option(
    "--per-segment",
    type=click.IntRange(min=1),
    help="Instead of one list: this many firms for each gap segment.",
)
@click.option(
    "--tag", "tags", multiple=True, help="Keep firms with any of these tags (repeatable)."
)
@click.option("--in-region", "regions_in", multiple=True, help="Keep firms located in this region.")
@click.option(
    "--not-in-region", "regions_out", multiple=True, help="Drop firms located in this region."
)
@click.option("--min-revenue", type=float, help="Minimum revenue, 亿元.")
@click.option(
    "--export",
    "export_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the list to .xlsx, .csv or .json.",
)
@store_option
@output_options
def targets(
    base: str | None,
    region: str | None,
    chain: str | None,
    config_path: Path | None,
    segment: str | None,
    top: int,
    per_segment: int | None,
    tags: tuple[str, ...],
    regions_in: tuple[str, ...],
    regions_out: tuple[str, ...],
    min_revenue: float | None,
    export_path: Path | None,
    store_path: Path | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Firms to attract, best first across the base's gaps, with score parts and reasons
    that cite their facts.

    \b
    Example:
      chaingraph targets --base 银瓶高端装备产业基地 --top 30
      chaingraph targets --base 银瓶 --segment 减速器 --top 3
      chaingraph targets --base 水乡新能源产业基地 --per-segment 3 --format csv -o targets.csv
    """
    from chaingraph.analysis.config import load_config
    from chaingraph.analysis.tag_check import check_tags
    from chaingraph.analysis.targets import target_list
    from chaingraph.reports.text import targets_payload, targets_text

    store = open_store(store_path)
    for note in check_tags(store, tags).notes:
        notice(f"note: {note}")
    found = target_list(
        store,
        base,
        region=region,
        chain=chain,
        segment=segment,
        top=top,
        per_segment=per_segment,
        tags=tags,
        regions_in=regions_in,
        regions_out=regions_out,
        min_revenue=min_revenue,
        config=load_config(config_path),
    )
    if export_path is not None:
        wrote(export_targets(found.rows, export_path), f"{len(found.rows)} rows")
    if fmt == "table":
        write_output(targets_text(found), output, fmt)
    elif fmt == "json":
        write_json(targets_payload(found), output)
    else:
        emit(target_rows(found.rows), TARGET_COLUMNS, fmt, output)


@cli.command()
@click.option("--base", "a", required=True, help="The base or region to benchmark (id or name).")
@click.option("--with", "b", required=True, help="The base or region to compare with.")
@click.option("--chain", help="Only this chain.")
@config_option
@store_option
@output_options
def compare(
    a: str,
    b: str,
    chain: str | None,
    config_path: Path | None,
    store_path: Path | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Benchmark (对标) two bases or regions segment by segment: a = --base, b = --with.

    Without --chain a base is compared on its focus chains. Names resolve as in every
    command (银瓶, 苏州 → 苏州市). A warning says when the two sides' data differ in
    coverage (firms known, unverified share).

    \b
    Example:
      chaingraph compare --base 银瓶 --with 苏州
      chaingraph compare --base 东部智能制造产业基地 --with 深圳市 --chain 集成电路
    """
    from chaingraph.analysis.compare import SegmentComparison, comparison
    from chaingraph.analysis.config import load_config
    from chaingraph.reports.text import comparison_text

    result = comparison(open_store(store_path), a, b, chain=chain, config=load_config(config_path))
    if fmt == "json":
        write_json(dataclasses.asdict(result), output)
    elif fmt == "csv":
        emit(result.rows, columns(SegmentComparison), fmt, output)
    else:
        write_output(comparison_text(result), output, fmt)


@cli.command()
@click.option("--chain", help="Only products of this chain (id or name).")
@click.option("--top", type=click.IntRange(min=1), help="At most this many rows.")
@click.option("--region", help="Count domestic suppliers located here as local, e.g. 东莞市.")
@store_option
@output_options
def chokepoints(
    chain: str | None,
    top: int | None,
    region: str | None,
    store_path: Path | None,
    fmt: str,
    output: Path | None,
) -> None:
    """卡脖子: products that depend on foreign supply (share of suppliers abroad, top
    country, domestic and local alternatives); never a product supplied only from China.

    \b
    Example:
      chaingraph chokepoints --chain 集成电路 --top 10 --region 东莞市
    """
    from chaingraph.analysis.chokepoints import Chokepoint
    from chaingraph.analysis.chokepoints import chokepoints as run

    found = run(open_store(store_path), chain, top=top, region=region)
    table = [
        "name",
        "foreign_suppliers",
        "domestic_suppliers",
        "local_suppliers",
        "top_country",
        "top_country_share",
        "reason",
    ]
    shown = table if fmt == "table" else columns(Chokepoint)
    emit(found, shown, fmt, output)


@cli.command()
@click.option("--base", required=True, help="The base (id or name).")
@click.option(
    "--budget", type=click.IntRange(min=1), required=True, help="How many firms to attract."
)
@click.option("--chain", help="Only this chain.")
@config_option
@store_option
@output_options
def plan(
    base: str,
    budget: int,
    chain: str | None,
    config_path: Path | None,
    store_path: Path | None,
    fmt: str,
    output: Path | None,
) -> None:
    """What if we attract K firms? Greedy picks with marginal gains; completeness before/after.

    \b
    Example:
      chaingraph plan --base 东莞水乡新能源产业基地 --budget 5
    """
    from chaingraph.analysis.config import load_config
    from chaingraph.analysis.plan import Pick
    from chaingraph.analysis.plan import plan as run
    from chaingraph.reports.text import plan_text

    result = run(open_store(store_path), base, budget, chain=chain, config=load_config(config_path))
    if fmt == "json":
        write_json(dataclasses.asdict(result), output)
    elif fmt == "csv":
        emit(result.picks, columns(Pick), fmt, output)
    else:
        write_output(plan_text(result), output, fmt)


@cli.command()
@scope_options
@store_option
@output_options
def audit(
    base: str | None,
    region: str | None,
    chain: str | None,
    config_path: Path | None,
    store_path: Path | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Coverage to read before trusting a verdict: firms known per segment, evidence, thin data.

    \b
    Example:
      chaingraph audit --base 银瓶高端装备产业基地
      chaingraph audit --region 东莞市 --chain 新能源 --format json
    """
    from chaingraph.analysis.audit import SegmentAudit
    from chaingraph.analysis.audit import audit as run
    from chaingraph.analysis.config import load_config
    from chaingraph.reports.text import audit_text

    result = run(
        open_store(store_path), base, region=region, chain=chain, config=load_config(config_path)
    )
    if fmt == "json":
        write_json(dataclasses.asdict(result), output)
    elif fmt == "csv":
        emit(result.segments, columns(SegmentAudit), fmt, output)
    else:
        write_output(audit_text(result), output, fmt)
