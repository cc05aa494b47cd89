"""Registry commands: classify (read-only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from chaingraph.cli import cli, open_store, output_options, store_option, writable_store
from chaingraph.cli.options import classify_rule_options
from chaingraph.output import notice, write_json, write_output


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--mapping", help="Header mapping file or preset (default: the header presets).")
@click.option(
    "--where",
    "where",
    multiple=True,
    metavar="COL=VALUE",
    help="Only rows whose COL contains VALUE (repeatable).",
)
@classify_rule_options()
@click.option(
    "--skip-bad/--no-skip-bad",
    default=True,
    show_default=True,
    help="Report bad rows and go on, or stop at the first.",
)
@store_option
@output_options
def classify(
    files: tuple[Path, ...],
    mapping: str | None,
    where: tuple[str, ...],
    rules: dict[str, Any],
    skip_bad: bool,
    store_path: Path | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Classify registry rows into chains, segments and products, and place them in towns.

    Writes nothing to the store. Reads .csv .tsv .xlsx .xls .json .jsonl (and .gz);
    common registry headers (企业名称, 统一社会信用代码, 注册地址, 经营范围, 主营产品,
    国标行业, 经营状态 …) need no mapping. JSON output is {"rows": [...], "summary": {...}}.

    \b
    Example:
      chaingraph classify examples/registry-sample.csv --where 城市=东莞市 --format json
    """
    from chaingraph.classify import Options, classify_report
    from chaingraph.classify.rows import parse_where
    from chaingraph.reports.text import classify_payload, classify_text

    options = Options(**rules, where=parse_where(where), skip_bad=skip_bad)
    report = classify_report(open_store(store_path), list(files), mapping=mapping, options=options)
    for issue in report.bad:
        notice(f"bad row: {issue}")
    for name, columns in report.summary.unmapped_columns.items():
        if columns:
            notice(f"unmapped columns in {name}: {', '.join(columns)}")
    if fmt == "json":
        write_json(classify_payload(report), output)
    else:
        write_output(classify_text(report, fmt), output, fmt)


def run_load_classify(
    store_path: Path | None,
    files: tuple[Path, ...],
    mapping: str | None,
    dry_run: bool,
    skip_bad: bool,
    rules: dict[str, Any],
    where: tuple[str, ...],
    source: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """``load --classify``: one call to :func:`load_classified`, then print the diff."""
    from chaingraph.classify import Options
    from chaingraph.classify.load import load_classified
    from chaingraph.classify.rows import parse_where
    from chaingraph.reports.text import classify_diff_payload, classify_diff_text

    options = Options(**rules, where=parse_where(where), skip_bad=skip_bad)
    with writable_store(store_path) as store:
        diff = load_classified(
            store, list(files), mapping=mapping, options=options, dry_run=dry_run, source=source
        )
    for issue in diff.bad:
        notice(f"bad row: {issue}")
    if fmt == "json":
        write_json(classify_diff_payload(diff), output)
    else:
        write_output(classify_diff_text(diff, fmt), output, fmt)
