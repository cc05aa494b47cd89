"""Bulk path to Neo4j: CSV files for ``neo4j-admin database import full``.

For very large first loads, where batched ``MERGE`` (``chaingraph push``) would take
long: :func:`write_neo4j_admin` writes one node file per node type and one
relationship file per relationship type, with typed headers, holding exactly the
properties :class:`~chaingraph.store.neo4j_store.Neo4jStore` writes (labels
``Entity`` plus the type, ``props_json``, the plain and derived properties), so the
imported database is a chaingraph Neo4j store like any other. Beside them it
writes ``schema.cypher`` (the constraint and indexes, to run once the server is
up, e.g. with cypher-shell) and ``import-args.txt``, the arguments to give
neo4j-admin, one per line::

    chaingraph export --neo4j-admin out/
    neo4j-admin database import full neo4j $(cat out/import-args.txt)   # server stopped
    cypher-shell -f out/schema.cypher                                  # server started

Import into an empty database while the server is stopped (``--overwrite-destination``
replaces one). The files are UTF-8; every value is quoted (an empty field means "no
value", ``""`` an empty text), array elements are separated by U+001F, and fields
may span lines, so neo4j-admin must get ``--array-delimiter=U+001F
--multiline-fields=true`` (both are in ``import-args.txt``).

A property whose values mix types within one node type (say a number in one
company and text in another, possible only for extra company fields) is written as
text in the bulk files; its exact values stay in ``props_json`` either way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from chaingraph.store.base import GraphStore
from chaingraph.store.fileformat import atomic_write_bytes
from chaingraph.store.neo4j_store import (
    ENTITY_LABEL,
    node_properties,
    relationship_properties,
    schema_statements,
)

__all__ = ["ARRAY_DELIMITER", "import_arguments", "write_neo4j_admin"]

ARRAY_DELIMITER = "\x1f"
_NODE_FIXED = ("id", "type", "props_json")
_UNSAFE_NAME = re.compile(r'[,:"\s\x00-\x1f]')
_REL_FIXED = ("key", "props_json")


def write_neo4j_admin(store: GraphStore, directory: str | Path) -> list[Path]:
    """Write the whole store as neo4j-admin import files into ``directory``.

    Returns the files written: node CSVs, relationship CSVs, ``schema.cypher`` and
    ``import-args.txt`` (see the module docstring for how to use them).

    Examples
    --------
    >>> import tempfile
    >>> from chaingraph.testing import tiny_store
    >>> out = write_neo4j_admin(tiny_store(), tempfile.mkdtemp())
    >>> [p.name for p in out][:2], out[-1].name
    (['nodes-Chain.csv', 'nodes-Segment.csv'], 'import-args.txt')
    >>> out[0].read_text(encoding="utf-8").splitlines()[0][:40]
    'id:ID,:LABEL,type:string,props_json:stri'
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    # One type at a time, so that only one file's rows are held (at a million firms,
    # holding every row first took 5 GB beside the store).
    written: list[Path] = []
    # The types present, found in a pass that keeps nothing (a store filled by someone
    # else may hold types the model lacks).
    node_types = _ordered(store.model.node_types, {n.type: None for n in store.nodes()})
    for node_type in node_types:
        rows = [node_properties(node) for node in store.nodes(node_type)]
        if not rows:
            continue
        columns = _columns(rows, _NODE_FIXED)
        header = ["id:ID", ":LABEL"] + [f"{c}:{t}" for c, t in columns if c != "id"]
        lines = [_line(header, raw=True)]
        label = f"{ENTITY_LABEL}{ARRAY_DELIMITER}{node_type}"
        for row in rows:
            values = [row["id"], label] + [_value(row.get(c), t) for c, t in columns if c != "id"]
            lines.append(_line(values))
        del rows
        written.append(_write(directory / f"nodes-{node_type}.csv", lines))
    rel_types = _ordered(
        store.model.relationship_types, {r.type: None for r in store.relationships()}
    )
    for rel_type in rel_types:
        rel_rows = [
            (rel.source, rel.target, relationship_properties(rel))
            for rel in store.relationships(rel_type)
        ]
        if not rel_rows:
            continue
        columns = _columns([r[2] for r in rel_rows], _REL_FIXED)
        header = [":START_ID", ":END_ID", ":TYPE"] + [f"{c}:{t}" for c, t in columns]
        lines = [_line(header, raw=True)]
        for source, target, props in rel_rows:
            lines.append(
                _line([source, target, rel_type] + [_value(props.get(c), t) for c, t in columns])
            )
        del rel_rows
        written.append(_write(directory / f"relationships-{rel_type}.csv", lines))

    schema = directory / "schema.cypher"
    atomic_write_bytes(
        schema, "".join(f"{s};\n" for s in schema_statements(store.model)).encode("utf-8")
    )
    args = directory / "import-args.txt"
    atomic_write_bytes(args, "".join(f"{a}\n" for a in import_arguments(written)).encode("utf-8"))
    return [*written, schema, args]


def import_arguments(files: Iterable[Path]) -> list[str]:
    """Arguments for ``neo4j-admin database import full <database>`` for these CSV files
    (its report goes beside them)."""
    files = list(files)
    args = []
    for path in files:
        if path.name.startswith("nodes-"):
            args.append(f"--nodes={path.resolve()}")
        elif path.name.startswith("relationships-"):
            args.append(f"--relationships={path.resolve()}")
    report = (files[0].resolve().parent if files else Path.cwd()) / "import.report"
    return [
        *args,
        "--array-delimiter=U+001F",
        "--multiline-fields=true",
        f"--report-file={report}",
    ]


def _ordered(model_types: Iterable[str], present: dict[str, Any]) -> list[str]:
    return [t for t in model_types if t in present] + sorted(set(present) - set(model_types))


def _columns(rows: list[dict[str, Any]], fixed: tuple[str, ...]) -> list[tuple[str, str]]:
    """``(property, neo4j-admin type)`` for every property in ``rows``, fixed ones first."""
    kinds: dict[str, set[str]] = {}
    for row in rows:
        for key, value in row.items():
            if _UNSAFE_NAME.search(key):
                continue  # cannot be named in a header; the value is in props_json
            kinds.setdefault(key, set()).add(_kind(value))
    names = [c for c in fixed if c in kinds] + sorted(set(kinds) - set(fixed))
    return [(c, _neo4j_type(kinds[c])) for c in names]


def _kind(value: Any) -> str:
    if isinstance(value, list):
        inner = {_kind(v) for v in value} or {"string"}
        return _neo4j_type(inner) + "[]"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    return "string"


def _neo4j_type(kinds: set[str]) -> str:
    if len(kinds) == 1:
        return next(iter(kinds))
    if kinds <= {"long", "double"}:
        return "double"
    if kinds <= {"long[]", "double[]"}:
        return "double[]"
    return "string"  # mixed: written as text (the exact values are in props_json)


def _value(value: Any, column_type: str) -> str | None:
    if value is None:
        return None
    if column_type.endswith("[]"):
        items = value if isinstance(value, list) else [value]
        return ARRAY_DELIMITER.join(_scalar(v, column_type[:-2]) for v in items)
    if isinstance(value, list):
        import orjson

        return orjson.dumps(value).decode()
    return _scalar(value, column_type)


def _scalar(value: Any, column_type: str) -> str:
    if column_type == "double" and isinstance(value, int | float) and not isinstance(value, bool):
        return repr(float(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _line(values: list[Any], raw: bool = False) -> str:
    if raw:
        return ",".join(values) + "\n"
    # Quote every value: an empty field is "no value", "" an empty text.
    return (
        ",".join("" if v is None else '"' + str(v).replace('"', '""') + '"' for v in values) + "\n"
    )


def _write(path: Path, lines: list[str]) -> Path:
    atomic_write_bytes(path, "".join(lines).encode("utf-8"))
    return path
