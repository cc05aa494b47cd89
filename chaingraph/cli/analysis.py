"""Analysis commands: gaps, targets, compare, chokepoints, plan, audit."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import click
import orjson

from chaingraph.cli import F, cli, columns, emit, open_store, output_options, rows, store_option
from chaingraph.errors import ConfigError
from chaingraph.exports import GAP_TABLES, TARGET_COLUMNS, export_targets, target_rows
from chaingraph.output import render, write_output, wrote


def config_option(f: F) -> F:
    """--config, shared by every analysis command."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="YAML overriding thresholds and weights (see AnalysisConfig).",
    )(f)


def scope_options(f: F) -> F:
    """--base/--region/--chain/--config, shared by the gap-based commands."""
    f = config_option(f)
    f = click.option(
        "--chain", help="Only this chain (id or name); required for a base with no focus."
    )(f)
    f = click.option("--region", help="Analyse a region (id or name) instead of a base.")(f)
    return click.option("--base", help="The base (id or name), e.g. 银瓶高端装备产业基地.")(f)


def _config(path: Path | None) -> Any:
    from chaingraph.analysis.config import load_config

    return load_config(path)


def _json(payload: Any, output: Path | None) -> None:
    write_output(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode() + "\n", output, "json")


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
    from chaingraph.analysis.gaps import ChainSummary, InputGap, SegmentGap
    from chaingraph.analysis.gaps import gaps as run

    if table is not None and export_path is None:
        raise ConfigError("--table chooses what --export writes: give --export FILE too")
    store = open_store(store_path)
    report = run(store, base, region=region, chain=chain, config=_config(config_path))
    if export_path is not None:
        from chaingraph.exports import export_gap_tables

        for path in export_gap_tables(report, export_path, store, table=table):
            wrote(path)
    if fmt == "json":
        _json(dataclasses.asdict(report), output)
    elif fmt == "csv":
        items, cls = (report.inputs, InputGap) if show_inputs else (report.segments, SegmentGap)
        emit(items, columns(cls), fmt, output)
    else:
        seg_cols = [
            "status",
            "name",
            "chain",
            "stage",
            "priority",
            "local_firms",
            "local_decisive",
            "local_leaders",
            "national_firms",
            "location_quotient",
            "rings",
            "rule",
        ]
        text = (
            f"# {report.subject_name}  (本地范围: {report.area_name}; "
            f"圈层 rings = {report.ring_names})\n"
            + f"{report.coverage_note}\n"
            + "".join(f"note: {n}\n" for n in report.notes)
            + "\n## 链条完整度 / 本地配套率\n"
            + render(rows(report.chains), columns(ChainSummary), fmt)
            + "\n## 环节\n"
            + render(rows(report.segments), seg_cols, fmt)
            + "\n## 延链 · 本地龙头所需投入无本地供应\n"
            + render(
                rows(report.inputs),
                ["name", "for_product_name", "local_leaders", "makers_elsewhere"],
                fmt,
            )
        )
        write_output(text, output, fmt)


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
    from chaingraph.analysis.tag_check import check_tags
    from chaingraph.analysis.targets import target_list

    store = open_store(store_path)
    for note in check_tags(store, tags).notes:
        click.echo(f"note: {note}", err=True)
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
        config=_config(config_path),
    )
    flat = target_rows(found.rows)
    if export_path is not None:
        wrote(export_targets(found.rows, export_path), f"{len(found.rows)} rows")
    if fmt == "table":
        text = (
            f"{found.coverage_note}\n"
            + "".join(f"note: {n}\n" for n in found.notes)
            + render(flat, ["status", "segment_name", "score", "name", "city", "reason"], fmt)
            + f"排序: 得分高者优先；{found.tie_rule}\n"
        )
        write_output(text, output, fmt)
    elif fmt == "json":
        _json(
            {
                "coverage_note": found.coverage_note,
                "tie_rule": found.tie_rule,
                "notes": list(found.notes),
                "rows": flat,
            },
            output,
        )
    else:
        emit(flat, TARGET_COLUMNS, fmt, output)


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

    result = comparison(open_store(store_path), a, b, chain=chain, config=_config(config_path))
    if fmt == "json":
        _json(dataclasses.asdict(result), output)
    elif fmt == "csv":
        emit(result.rows, columns(SegmentComparison), fmt, output)
    else:
        text = (
            f"a = {result.a_name} (本地范围 {result.a_area}, 已知制造企业 {result.a_firms} 家)\n"
            f"b = {result.b_name} (本地范围 {result.b_area}, 已知制造企业 {result.b_firms} 家)\n"
            f"difference = a_local_firms - b_local_firms\n"
            + (f"warning: {result.coverage_warning}\n" if result.coverage_warning else "")
            + render(rows(result.rows), columns(SegmentComparison), fmt)
        )
        write_output(text, output, fmt)


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
    from chaingraph.analysis.plan import Pick
    from chaingraph.analysis.plan import plan as run

    result = run(open_store(store_path), base, budget, chain=chain, config=_config(config_path))
    if fmt == "json":
        _json(dataclasses.asdict(result), output)
        return
    if fmt == "csv":
        emit(result.picks, columns(Pick), fmt, output)
        return
    summary = [
        {
            "chain": c,
            "before": result.completeness_before[c],
            "after": result.completeness_after.get(c),
        }
        for c in result.completeness_before
    ]
    land = (
        f"用地: 基地 {result.land_km2} km²，可用 {result.land_open_km2} km²，"
        f"本方案占用 {result.land_used_km2} km²\n"
    )
    text = (
        "".join(f"note: {n}\n" for n in result.notes)
        + render(
            rows(result.picks),
            ["order", "name", "facility", "land_km2", "marginal_gain", "score", "reason"],
            fmt,
        )
        + "\n## 链条完整度 (前 → 后)\n"
        + render(summary, ["chain", "before", "after"], fmt)
        + f"\nweighted gap value: {result.value_before} → {result.value_after}\n"
        + land
    )
    write_output(text, output, fmt)


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

    result = run(
        open_store(store_path), base, region=region, chain=chain, config=_config(config_path)
    )
    if fmt == "json":
        _json(dataclasses.asdict(result), output)
    elif fmt == "csv":
        emit(result.segments, columns(SegmentAudit), fmt, output)
    else:
        summary = {
            k: v for k, v in dataclasses.asdict(result).items() if k not in ("segments", "note")
        }
        text = (
            f"# {result.subject_name}  (本地范围: {result.area_name})\n{result.note}\n\n"
            + render([summary], list(summary), fmt)
            + "\n## 重点环节\n"
            + render(
                rows(result.segments),
                [
                    "status",
                    "name",
                    "chain",
                    "local_firms",
                    "local_with_town",
                    "local_decisive",
                    "local_unverified",
                    "local_weak",
                    "national_firms",
                    "verified_share",
                    "decide_by",
                ],
                fmt,
            )
        )
        write_output(text, output, fmt)
