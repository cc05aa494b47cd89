"""Text commands: ingest-text."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from chaingraph.cli import cli, columns, emit, output_options, rows, store_option, writable_store
from chaingraph.output import write_output, wrote

_TABLE_COLUMNS = ["action", "kind", "subject", "value", "detail", "confidence", "start", "end"]


@cli.command("ingest-text")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option(
    "--segmenter",
    type=click.Choice(["char", "jieba"]),
    default="char",
    show_default=True,
    help="Chinese word segmentation: by character, or jieba with the store's names added.",
)
@click.option("--source", help="Provenance for new facts (default: the document's title).")
@click.option("--as-of", "as_of", help="Date of the document, YYYY[-MM[-DD]].")
@click.option("--encoding", help="Force the text encoding (default: detect UTF-8, GBK/GB18030).")
@store_option
@output_options
def ingest_text(
    file: Path,
    dry_run: bool,
    segmenter: str,
    source: str | None,
    as_of: str | None,
    encoding: str | None,
    store_path: Path | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Read a policy document and merge the facts it states into the store.

    Finds bases (location, planned area in 亩 and km²), the industries they
    focus on, named firms and their roles, and every industry named. Each fact
    is linked (already known), added (new), a conflict (the store says
    otherwise; not overwritten) or a candidate (no such node; not invented).
    Ingesting the same document twice changes nothing.

    \b
    Example:
      chaingraph ingest-text plan.txt --dry-run --format json
    """
    from chaingraph.nlp.merge import Finding, ingest_text
    from chaingraph.store.networkx import NetworkxStore

    with writable_store(store_path, must_exist=True) as store:
        report = ingest_text(
            store,
            file,
            segmenter=segmenter,
            source=source,
            as_of=as_of,
            encoding=encoding,
            dry_run=dry_run,
        )
        if report.merge.changed and isinstance(store, NetworkxStore):
            wrote(store.save(), "store")
    counts = {a: report.count(a) for a in ("add", "link", "conflict", "candidate")}
    summary = {
        "source": report.source,
        "as_of": report.as_of,
        "dry_run": report.dry_run,
        **counts,
        **dataclasses.asdict(report.merge),
        "dropped_lines": list(report.dropped),
    }
    if fmt == "json":
        import orjson

        payload = {"summary": summary, "findings": rows(report.findings)}
        write_output(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode() + "\n", output, fmt)
        return
    click.echo(
        f"{report.source}: {counts['add']} to add, {counts['link']} already known, "
        f"{counts['conflict']} conflict(s), {counts['candidate']} candidate(s)"
        + (" (dry run: nothing written)" if dry_run else ""),
        err=True,
    )
    emit(report.findings, _TABLE_COLUMNS if fmt == "table" else columns(Finding), fmt, output)
