"""Load files into a store, all or nothing, and validate files without writing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from chaingraph.errors import DataError, Issue
from chaingraph.loaders.located import Where
from chaingraph.loaders.mapping import SECTIONS, apply_mapping, find_mapping
from chaingraph.loaders.readers import DOCUMENT_SUFFIXES, TABLE_SUFFIXES, read_document, read_rows
from chaingraph.loaders.records import (
    Batch,
    collect_document,
    collect_records,
    collect_relationships,
)
from chaingraph.loaders.resolve import resolve_batch
from chaingraph.model import Model, Node, Relationship
from chaingraph.store.base import GraphStore, MergeReport

__all__ = ["LoadReport", "Prepared", "load_files", "prepare", "validate_files"]


@dataclass(frozen=True)
class Prepared:
    """Files read, resolved and checked: ready to merge when ``issues`` is empty."""

    files: tuple[str, ...]
    nodes: tuple[Node, ...]
    relationships: tuple[Relationship, ...]
    issues: tuple[Issue, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class LoadReport:
    """What a load read and what it changed."""

    files: tuple[str, ...]
    nodes_read: int
    relationships_read: int
    merge: MergeReport
    warnings: tuple[str, ...]


def prepare(
    store: GraphStore,
    paths: Sequence[str | Path],
    *,
    mapping: str | None = None,
    encoding: str | None = None,
) -> Prepared:
    """Read every file, resolve references across them and the store, and check the model.

    Nothing is written. Files of one call are one unit: they may refer to each
    other in any order.
    """
    model: Model = store.model
    batch = Batch()
    files = []
    unreadable = False
    for raw_path in paths:
        path = Path(raw_path)
        files.append(str(path))
        try:
            _read_into(batch, path, model, store, mapping, encoding)
        except DataError as exc:
            batch.issues.extend(exc.issues)
            unreadable = True
    nodes, rels = resolve_batch(batch, store, model, references=not unreadable)
    return Prepared(
        tuple(files),
        tuple(nodes),
        tuple(rels),
        _in_file_order(batch.issues, files),
        tuple(batch.warnings),
    )


def _in_file_order(issues: Sequence[Issue], files: Sequence[str]) -> tuple[Issue, ...]:
    """Issues as a user fixes them: file by file, top to bottom (checks run in phases)."""

    def position(issue: Issue) -> tuple[int, int]:
        for index, name in enumerate(files):
            if issue.file == name or issue.file.startswith(name + "["):  # xlsx: file[sheet]
                return index, issue.line or 0
        return len(files), issue.line or 0

    return tuple(sorted(issues, key=position))


def _read_into(
    batch: Batch,
    path: Path,
    model: Model,
    store: GraphStore,
    mapping: str | None,
    encoding: str | None,
) -> None:
    origin = str(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise DataError([Issue(origin, "file not found", expected="an existing file path")])
    if suffix in DOCUMENT_SUFFIXES:
        collect_document(batch, read_document(path, encoding), origin, model, store)
        return
    if suffix not in TABLE_SUFFIXES:
        raise DataError(
            [
                Issue(
                    origin,
                    f"unsupported file type {suffix or '(none)'!r}",
                    expected="one of " + ", ".join(DOCUMENT_SUFFIXES + TABLE_SUFFIXES),
                )
            ]
        )
    spec = find_mapping(path, mapping)
    header, rows = read_rows(
        path, encoding, spec.sheet if spec else None, list(spec.columns) if spec else ()
    )
    where = Where(origin, None, "")
    if spec is None:
        if suffix in (".jsonl", ".ndjson"):
            _collect_sectioned_rows(batch, rows, origin, model, store)
            return
        raise DataError(
            [
                Issue(
                    origin,
                    "no mapping spec for this table",
                    expected=f"--mapping SPEC, or {path.stem}.mapping.yaml beside the file "
                    "(see ingest/mappings/)",
                )
            ]
        )
    records, warnings = apply_mapping(spec, header, rows, origin)
    batch.warnings.extend(warnings)
    if spec.section == "relationships":
        collect_relationships(batch, records, where, {}, model)
    else:
        collect_records(batch, records, SECTIONS[spec.section], where, {}, model, store)


def _collect_sectioned_rows(
    batch: Batch, rows: list, origin: str, model: Model, store: GraphStore
) -> None:
    """JSONL without a spec: every line names its section (``"section": "companies"``)."""
    for row in rows:
        section = row.pop("section", None)
        where = Where(origin, row.line, "")
        if not isinstance(section, str):
            section = repr(section)  # a list or mapping is no section name (nor hashable)
        if section == "relationships":
            collect_relationships(batch, [row], where, {}, model)
        elif section in SECTIONS:
            collect_records(batch, [row], SECTIONS[section], where, {}, model, store)
        else:
            batch.issue(
                where.at("section"),
                "unknown or missing section",
                section,
                "one of " + ", ".join([*SECTIONS, "relationships"]),
            )


def load_files(
    store: GraphStore,
    paths: Sequence[str | Path],
    *,
    mapping: str | None = None,
    encoding: str | None = None,
) -> LoadReport:
    """Load files into ``store``: all of them, or (on any problem) nothing.

    Raises
    ------
    DataError
        Listing every problem with its file, line and field.
    """
    prepared = prepare(store, paths, mapping=mapping, encoding=encoding)
    if prepared.issues:
        raise DataError(prepared.issues)
    report = store.merge(prepared.nodes, prepared.relationships)
    return LoadReport(
        prepared.files, len(prepared.nodes), len(prepared.relationships), report, prepared.warnings
    )


def validate_files(
    paths: Sequence[str | Path],
    store: GraphStore | None = None,
    *,
    mapping: str | None = None,
    encoding: str | None = None,
) -> Prepared:
    """Check files (against ``store`` if given, else on their own) without writing anything."""
    from chaingraph.store.networkx import NetworkxStore

    return prepare(store or NetworkxStore(), paths, mapping=mapping, encoding=encoding)
