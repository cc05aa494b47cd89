"""Text commands: ingest-text."""

from __future__ import annotations

from pathlib import Path

import click

from chaingraph.cli import cli, emit, output_options, store_option, writable_store
from chaingraph.output import notice, write_json


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
    from chaingraph.nlp.merge import ingest_text
    from chaingraph.reports.text import ingest_columns, ingest_line, ingest_payload

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
    if fmt == "json":
        write_json(ingest_payload(report), output)
        return
    notice(ingest_line(report))
    emit(report.findings, ingest_columns(fmt), fmt, output)
