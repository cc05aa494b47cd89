"""Registry commands: classify (read-only)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import click

from chaingraph.cli import cli, open_store, output_options, store_option
from chaingraph.errors import ConfigError
from chaingraph.output import render, write_output, wrote

CLASSIFY_COLUMNS = [
    "name",
    "legal_name",
    "match",
    "chains",
    "segments",
    "products",
    "town",
    "region",
    "status",
    "why",
]


def parse_where(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """``COL=VALUE`` pairs (a field such as city, or a preset header such as 所属城市)."""
    from chaingraph.classify.rows import _key, read_header_map

    headers = read_header_map()
    pairs = []
    for text in values:
        column, sep, value = text.partition("=")
        if not sep or not column.strip():
            raise ConfigError(f"--where {text!r}: expected COL=VALUE, e.g. --where 城市=东莞市")
        field = headers.get(_key(column), column.strip())
        pairs.append((field, value.strip()))
    return tuple(pairs)


def flat_row(row: Any) -> dict[str, Any]:
    """A classified row for table/CSV: lists joined, evidence and confidence inline."""

    def items(entries: list[dict[str, Any]]) -> str:
        return "; ".join(f"{e['name']}[{e['evidence']} {e['confidence']:.2f}]" for e in entries)

    match = row.match
    region = "/".join(v for v in row.region.values() if v)
    return {
        "file": row.file,
        "line": row.line,
        "name": row.name,
        "legal_name": row.legal_name,
        "match": f"{match['name']} ({match['id']}, {match['by']})" if match else "",
        "chains": "; ".join(row.chains),
        "segments": items(row.segments),
        "products": items(row.products),
        "town": row.town_name or "",
        "region": region,
        "status": row.status or "",
        "why": "; ".join(row.why),
    }


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
@click.option(
    "--min-share",
    default=0.05,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="A revenue line below this share makes no maker.",
)
@click.option(
    "--min-chain-share",
    default=0.10,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Revenue lines naming a chain must add up to this share for the chain to count.",
)
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
    min_share: float,
    min_chain_share: float,
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

    store = open_store(store_path)
    options = Options(
        min_share=min_share,
        min_chain_share=min_chain_share,
        where=parse_where(where),
        skip_bad=skip_bad,
    )
    report = classify_report(store, list(files), mapping=mapping, options=options)
    for issue in report.bad:
        click.echo(f"bad row: {issue}", err=True)
    for name, columns in report.summary.unmapped_columns.items():
        if columns:
            click.echo(f"unmapped columns in {name}: {', '.join(columns)}", err=True)
    if fmt == "json":
        import orjson

        payload = {
            "rows": [dataclasses.asdict(r) for r in report.rows],
            "summary": dataclasses.asdict(report.summary),
        }
        write_output(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode() + "\n", output, fmt)
        return
    flat = [flat_row(r) for r in report.rows]
    columns = ["file", "line", *CLASSIFY_COLUMNS] if fmt == "csv" else CLASSIFY_COLUMNS
    text = render(flat, columns, fmt)
    if fmt == "table":
        s = report.summary
        text += (
            f"\n{s.rows} rows: matched {s.matched}; chains {s.chains}; towns {len(s.towns)}; "
            f"evidence {s.evidence}; closed {s.closed}; bad {s.bad_rows}\n"
        )
    write_output(text, output, fmt)


def run_load_classify(
    store: Any,
    files: tuple[Path, ...],
    mapping: str | None,
    dry_run: bool,
    skip_bad: bool,
    min_share: float,
    where: tuple[str, ...],
    source: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """``load --classify``: one call to :func:`load_classified`, then print the diff."""
    from chaingraph.classify import Options
    from chaingraph.classify.load import load_classified
    from chaingraph.store.networkx import NetworkxStore

    options = Options(min_share=min_share, where=parse_where(where), skip_bad=skip_bad)
    diff = load_classified(
        store, list(files), mapping=mapping, options=options, dry_run=dry_run, source=source
    )
    if diff.merge is not None and diff.merge.changed and isinstance(store, NetworkxStore):
        wrote(store.save(), "store")
    for issue in diff.bad:
        click.echo(f"bad row: {issue}", err=True)
    counts = {
        "dry_run": diff.dry_run,
        "created": diff.created,
        "updated": diff.updated,
        "unchanged": diff.unchanged,
        "conflicts": len(diff.conflicts),
        "firms_created": diff.firms_created,
        "firms_matched": diff.firms_matched,
        "makes": diff.makes,
        "located_in": diff.located,
        "closed_skipped": diff.closed_skipped,
        "bad_rows": len(diff.bad),
    }
    conflicts = [dataclasses.asdict(c) for c in diff.conflicts]
    if fmt == "json":
        import orjson

        payload = {"diff": counts, "conflicts": conflicts, "changes": diff.changes}
        write_output(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode() + "\n", output, fmt)
        return
    text = render([counts], list(counts), fmt)
    if conflicts and fmt == "table":
        text += "\n## conflicts (not applied)\n" + render(
            conflicts,
            ["file", "line", "firm", "id", "field", "stored", "incoming", "resolution"],
            fmt,
        )
    write_output(text, output, fmt)
