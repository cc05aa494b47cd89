"""Bulk path to Neo4j: CSV files for ``neo4j-admin database import full``.

For very large first loads, where batched ``MERGE`` (``chaingraph push``) would take
long: :func:`write_neo4j_admin` writes one node file per node type and one
relationship file per relationship type, with typed headers, holding exactly the
properties :class:`~chaingraph.store.neo4j.Neo4jStore` writes (labels
``Entity`` plus the type, the plain and derived properties, ``props_extra``), so the
imported database is a chaingraph Neo4j store like any other. Beside them it
writes ``schema.cypher`` (the constraint and indexes, to run once the server is
up, e.g. with cypher-shell) and ``import-args.txt``, the arguments to give
neo4j-admin, one per line::

    chaingraph export --neo4j-admin out/
    neo4j-admin database import full neo4j $(cat out/import-args.txt)   # server stopped
    cypher-shell -f out/schema.cypher                                  # server started

:func:`bulk_import` (``chaingraph push --bulk``) does all of it in a temporary folder:
writes the files, runs neo4j-admin, deletes them; ``chaingraph push --schema-only``
then creates the constraint and indexes once the server runs.

Import into an empty database while the server is stopped (``--overwrite-destination``
replaces one). The files are UTF-8; every value is quoted (an empty field means "no
value", ``""`` an empty text), array elements are separated by U+001F, and fields
may span lines, so neo4j-admin must get ``--array-delimiter=U+001F
--multiline-fields=true`` (both are in ``import-args.txt``).

A property whose values mix types within one node type (say a number in one
company and text in another, possible only for extra company fields), or whose name
cannot go in a header, goes into ``props_extra`` (JSON) on the records where it does
not fit its column, so every value reads back exactly as merged.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from chaingraph.errors import ConfigError, StoreError
from chaingraph.fs import atomic_write_bytes
from chaingraph.model import Relationship
from chaingraph.store.base import GraphStore
from chaingraph.store.neo4j.encoding import (
    ENTITY_LABEL,
    EXTRA,
    ORDER,
    common_type,
    encode_relationship,
    node_properties,
    schema_statements,
    value_type,
)
from chaingraph.store.neo4j.forked import can_fork, run_shares
from chaingraph.store.neo4j.sharing import Part, file_name, plan

__all__ = ["ARRAY_DELIMITER", "BulkImport", "bulk_import", "import_arguments", "write_neo4j_admin"]

ARRAY_DELIMITER = "\x1f"
_NODE_FIXED = ("id", "type", EXTRA)
_UNSAFE_NAME = re.compile(r'[,:"\s\x00-\x1f]')
_REL_FIXED = ("key", EXTRA)
# Properties chaingraph derives: never data, never moved into props_extra.
_DERIVED = frozenset(
    {"id", "type", "key", ORDER, "lookup_names", "name_key", "legal_name_key", "listing_board",
     "global_rank_no"}
)  # fmt: skip


def write_neo4j_admin(
    store: GraphStore, directory: str | Path, *, workers: int | None = None
) -> list[Path]:
    """Write the whole store as neo4j-admin import files into ``directory``.

    Returns the files written: node CSVs, relationship CSVs, ``schema.cypher`` and
    ``import-args.txt`` (see the module docstring for how to use them).

    The files are written by ``workers`` processes at once (default: two, or one
    where the machine has one core or cannot fork): this one, and children forked
    from it that read the open store through shared memory (copy-on-write), each
    writing whole files. The files are the same whatever the number of workers. Only
    an embedded store is shared so; any other (a Neo4j store, read over a connection
    a child must not use) is written by this process alone.

    Examples
    --------
    >>> import tempfile
    >>> from chaingraph.testing import tiny_store
    >>> out = write_neo4j_admin(tiny_store(), tempfile.mkdtemp())
    >>> [p.name for p in out][:2], out[-1].name
    (['nodes-Chain.csv', 'nodes-Segment.csv'], 'import-args.txt')
    >>> out[0].read_text(encoding="utf-8").splitlines()[0][:40]
    'id:ID,:LABEL,type:string,props_extra:str'
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    node_types = _present(
        store.model.node_types, store.count_nodes, lambda: (n.type for n in store.nodes())
    )
    rel_types = _present(
        store.model.relationship_types,
        store.count_relationships,
        lambda: (r.type for r in store.relationships()),
    )
    from chaingraph.store.networkx import NetworkxStore

    if not isinstance(store, NetworkxStore):
        # a store read over a connection (Neo4j) is read by this process alone: a forked
        # child would speak on the parent's sockets and garble both sessions
        workers = 1
    elif workers is None:
        workers = DEFAULT_WORKERS if can_fork() else 1
    workers = max(1, min(workers, os.cpu_count() or 1))
    parts, shares = plan(
        [(t, store.count_nodes(t)) for t in node_types],
        [(t, store.count_relationships(t)) for t in rel_types],
        workers,
    )
    done: dict[str, Path] = {}
    for share in run_shares([partial(_write_share, store, directory, s) for s in shares]):
        done.update(share)
    written = [done[file_name(part)] for part in parts if file_name(part) in done]

    schema = directory / "schema.cypher"
    atomic_write_bytes(
        schema, "".join(f"{s};\n" for s in schema_statements(store.model)).encode("utf-8")
    )
    args = directory / "import-args.txt"
    atomic_write_bytes(args, "".join(f"{a}\n" for a in import_arguments(written)).encode("utf-8"))
    return [*written, schema, args]


DEFAULT_WORKERS = 2
"""Processes writing the neo4j-admin files by default (one per core of a small
machine); never more than the machine's cores."""


def _write_share(store: GraphStore, directory: Path, share: list[Part]) -> dict[str, Path]:
    """Write these files; ``{file name: path}``."""
    written: dict[str, Path] = {}
    for part in share:
        if part[0] == "nodes":
            path = _write_nodes(store, part[1], directory / file_name(part), part[2], part[3])
            if path is not None:
                written[file_name(part)] = path
    # The relationships of this share's types, grouped in one pass (asking the store
    # for each type walks every relationship once per type).
    wanted = {p[1] for p in share if p[0] == "relationships"}
    by_type: dict[str, list[Relationship]] = {t: [] for t in wanted}
    if wanted:
        for rel in store.relationships():
            group = by_type.get(rel.type)
            if group is not None:
                group.append(rel)
    for part in share:
        if part[0] == "relationships":
            rels = by_type.pop(part[1])
            if rels:
                path = directory / file_name(part)
                written[file_name(part)] = _write_relationships(part[1], rels, path)
            del rels
    return written


def _write_nodes(
    store: GraphStore, node_type: str, path: Path, start: int, end: int
) -> Path | None:
    """The file of the nodes of this type from the ``start``-th to before the ``end``-th."""
    # One file at a time, so that only one file's encoded rows are held (at a million
    # firms, holding every row first took 5 GB beside the store).
    nodes = store.nodes(node_type)
    rows = [node_properties(node) for node in islice(nodes, start, end)]
    if not rows:
        return None
    columns, misfits = _columns(rows, _NODE_FIXED)
    rows = _fitted(rows, (columns, misfits))
    header = ["id:ID", ":LABEL"] + [f"{c}:{t}" for c, t in columns if c != "id"]
    label = _quoted(f"{ENTITY_LABEL}{ARRAY_DELIMITER}{node_type}")
    cells = [(c, _CELLS.get(t) or partial(_value_cell, column_type=t)) for c, t in columns]
    cells = [(c, f) for c, f in cells if c != "id"]
    lines = [_line(header, raw=True)]
    lines += [
        f"{_quoted(row['id'])},{label},"
        + ",".join(["" if (v := row.get(c)) is None else f(v) for c, f in cells])
        + "\n"
        for row in rows
    ]
    del rows
    return _write(path, lines)


def _write_relationships(rel_type: str, rels: list[Relationship], path: Path) -> Path:
    # Relationships of a type repeat a few property sets (provenance, a role):
    # each distinct set is encoded and formatted once, rows point at it.
    props, shape_of = _distinct_props(rels)
    columns, misfits = _columns(props, _REL_FIXED)
    props = _fitted(props, (columns, misfits))
    header = [":START_ID", ":END_ID", ":TYPE"] + [f"{c}:{t}" for c, t in columns]
    kind = _quoted(rel_type)
    cells = [(c, _CELLS.get(t) or partial(_value_cell, column_type=t)) for c, t in columns]
    tails = [
        f",{kind}," + ",".join(["" if (v := row.get(c)) is None else f(v) for c, f in cells]) + "\n"
        for row in props
    ]
    del props
    lines = [_line(header, raw=True)]
    lines += [
        f"{_text_cell(rel.source)},{_text_cell(rel.target)}{tails[shape]}"
        for rel, shape in zip(rels, shape_of, strict=True)
    ]
    del shape_of, tails
    return _write(path, lines)


def _present(
    model_types: Iterable[str],
    count: Callable[[str | None], int],
    walk: Callable[[], Iterable[str]],
) -> list[str]:
    """The types the store holds, the model's first (in its order): found from the
    counts, or by a walk when the store holds types the model lacks."""
    counts = {t: count(t) for t in model_types}
    if sum(counts.values()) == count(None):
        present: dict[str, Any] = {t: None for t, n in counts.items() if n}
    else:
        present = dict.fromkeys(walk())
    return _ordered(counts, present)


def import_arguments(files: Iterable[Path], report_dir: str | Path | None = None) -> list[str]:
    """Arguments for ``neo4j-admin database import full <database>`` for these CSV files.

    Its report (``import.report``, the rows it skipped and why) goes into
    ``report_dir``, else beside the files, else into a new temporary folder: never
    into the working folder.
    """
    files = list(files)
    args = []
    for path in files:
        if path.name.startswith("nodes-"):
            args.append(f"--nodes={path.resolve()}")
        elif path.name.startswith("relationships-"):
            args.append(f"--relationships={path.resolve()}")
    if report_dir is None:
        report_dir = (
            files[0].resolve().parent if files else tempfile.mkdtemp(prefix="chaingraph-import-")
        )
    report = Path(report_dir).resolve() / "import.report"
    return [
        *args,
        "--array-delimiter=U+001F",
        "--multiline-fields=true",
        f"--report-file={report}",
    ]


@dataclass(frozen=True)
class BulkImport:
    """What :func:`bulk_import` did.

    Attributes
    ----------
    database
        The database imported into.
    nodes, relationships
        Records written.
    csv_s, import_s
        Seconds writing the CSV files, and running neo4j-admin.
    rows_per_s
        Nodes and relationships per second, both steps together.
    next_step
        What to run once the server is (re)started: the constraint and indexes.
    """

    database: str
    nodes: int
    relationships: int
    csv_s: float
    import_s: float
    rows_per_s: float
    next_step: str


def bulk_import(
    store: GraphStore,
    admin: Sequence[str],
    database: str = "neo4j",
    *,
    overwrite: bool = False,
    work_dir: str | Path | None = None,
    workers: int | None = None,
) -> BulkImport:
    """Import the whole store into a new Neo4j database with ``neo4j-admin database
    import full`` (the fast path for a first load: no transactions, no Bolt).

    The CSV files (:func:`write_neo4j_admin`) and neo4j-admin's report go into a
    temporary folder (in ``work_dir`` if given: it needs room for the whole graph as
    text) that is deleted afterwards. The database must not exist (or ``overwrite``)
    and, in Neo4j Community, the server must be stopped. Once it runs, the
    constraint and indexes are created by ``chaingraph push --schema-only`` (any
    ``push`` creates them too).

    Parameters
    ----------
    store
        The graph to import.
    admin
        The neo4j-admin command, e.g. ``["neo4j-admin"]`` or
        ``["/opt/neo4j/bin/neo4j-admin"]``; ``database import full ...`` is appended.
    database
        Name of the database to create.
    overwrite
        Replace a database of that name (``--overwrite-destination``).
    work_dir
        Where to put the temporary folder (default: the system's).
    workers
        Processes writing the CSV files (see :func:`write_neo4j_admin`).

    Returns
    -------
    BulkImport

    Raises
    ------
    ConfigError
        The neo4j-admin command cannot be run, or the database name is not plain.
    StoreError
        neo4j-admin failed (its last lines are in the message); nothing is imported.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> bulk_import(tiny_store(), ["/nonexistent/neo4j-admin"])
    Traceback (most recent call last):
    ...
    chaingraph.errors.ConfigError: cannot run neo4j-admin ('/nonexistent/neo4j-admin'): No such file or directory; pass --neo4j-admin with the path of neo4j-admin (in the bin folder of a Neo4j installation)
    """
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9.\-]*", database):
        raise ConfigError(f"not a Neo4j database name: {database!r} (letters, digits, . and -)")
    if not admin:
        raise ConfigError("no neo4j-admin command given")
    with tempfile.TemporaryDirectory(prefix="chaingraph-bulk-", dir=work_dir) as tmp:
        started = time.perf_counter()
        files = write_neo4j_admin(store, Path(tmp) / "csv", workers=workers)
        csv_s = time.perf_counter() - started
        csv = [f for f in files if f.suffix == ".csv"]
        # The database name goes before --nodes/--relationships (they take several files).
        command = [*admin, "database", "import", "full", database, *import_arguments(csv, tmp)]
        if overwrite:
            command.append("--overwrite-destination=true")
        started = time.perf_counter()
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False
            )
        except OSError as exc:
            raise ConfigError(
                f"cannot run neo4j-admin ({admin[0]!r}): {exc.strerror}; pass --neo4j-admin "
                "with the path of neo4j-admin (in the bin folder of a Neo4j installation)"
            ) from None
        import_s = time.perf_counter() - started
        if done.returncode != 0:
            tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
            raise StoreError(
                f"neo4j-admin import into database {database!r} failed (exit "
                f"{done.returncode}): {tail[:500]}. Nothing was imported; is the server "
                "stopped and the database new (else --overwrite)?"
            )
    nodes = store.count_nodes()
    relationships = store.count_relationships()
    return BulkImport(
        database,
        nodes,
        relationships,
        round(csv_s, 3),
        round(import_s, 3),
        round((nodes + relationships) / max(csv_s + import_s, 1e-9)),
        "start the server, then: chaingraph push --schema-only --neo4j URI "
        f"--neo4j-database {database}",
    )


def _distinct_props(rels: list[Relationship]) -> tuple[list[dict[str, Any]], list[int]]:
    """The Neo4j properties of each distinct (key, properties) among ``rels``, encoded
    once each, and for every relationship the position of its own in that list.

    Properties are told apart by name, value and exact type (``True``, ``1`` and
    ``1.0`` are equal in Python but not in Neo4j); a set holding an unhashable value
    (a list, a map) is encoded on its own.
    """
    encoded: list[dict[str, Any]] = []
    seen: dict[Any, int] = {}
    shape_of: list[int] = []
    for rel in rels:
        values = tuple(rel.props.values())
        signature: Any = (rel.key, tuple(rel.props), values, tuple(map(type, values)))
        try:
            shape = seen.get(signature)
        except TypeError:  # an unhashable value
            shape, signature = None, None
        if shape is None:
            shape = len(encoded)
            encoded.append(encode_relationship(rel.key, rel.props))
            if signature is not None:
                seen[signature] = shape
        shape_of.append(shape)
    return encoded, shape_of


def _ordered(model_types: Iterable[str], present: dict[str, Any]) -> list[str]:
    return [t for t in model_types if t in present] + sorted(set(present) - set(model_types))


def _columns(
    rows: list[dict[str, Any]], fixed: tuple[str, ...]
) -> tuple[list[tuple[str, str]], bool]:
    """``(property, neo4j-admin type)`` for every property in ``rows``, fixed ones first
    (``props_extra`` always: :func:`_fitted` may move values into it), and whether some
    value does not fit its column (a column of mixed types, a name unfit for a header)."""
    misfits = False
    kinds: dict[str, set[str]] = {EXTRA: {"string"}}
    unsafe: set[str] = set()
    for row in rows:
        for key, value in row.items():
            found = kinds.get(key)
            if found is None:
                if key in unsafe:
                    continue
                if _UNSAFE_NAME.search(key):
                    unsafe.add(key)
                    misfits = True  # cannot be named in a header: _fitted moves it
                    continue
                found = kinds[key] = set()
            # Scalars by their exact type (no call); lists and subclasses by _kind.
            found.add(_SCALAR_TYPES.get(type(value)) or _kind(value))
    names = [c for c in fixed if c in kinds] + sorted(set(kinds) - set(fixed))
    misfits = misfits or any(len(k) > 1 for k in kinds.values())
    return [(c, common_type(kinds[c])) for c in names], misfits


def _kind(value: Any) -> str:
    """:func:`value_type`, sooner for a list of one plain scalar type."""
    if type(value) is list and value:
        types = set(map(type, value))
        if len(types) == 1 and (inner := _SCALAR_TYPES.get(types.pop())):
            return inner + "[]"
    return value_type(value)


def _fitted(
    rows: list[dict[str, Any]], columns: tuple[list[tuple[str, str]], bool]
) -> list[dict[str, Any]]:
    """``rows`` with every value its column cannot hold exactly (a mixed column, or a
    name that cannot go in a header) moved into ``props_extra``."""
    if not columns[1]:
        return rows
    types = dict(columns[0])
    out = []
    for row in rows:
        misfits = {
            k: v
            for k, v in row.items()
            if k != EXTRA and k not in _DERIVED and (k not in types or value_type(v) != types[k])
        }
        if misfits:
            row = {k: v for k, v in row.items() if k not in misfits}
            extra = orjson.loads(row[EXTRA]) if EXTRA in row else {}
            extra.update(misfits)
            row[EXTRA] = orjson.dumps(extra).decode()
        out.append(row)
    return out


def _value(value: Any, column_type: str) -> str | None:
    if value is None:
        return None
    if column_type.endswith("[]"):
        items = value if isinstance(value, list) else [value]
        return ARRAY_DELIMITER.join(_scalar(v, column_type[:-2]) for v in items)
    if isinstance(value, list):
        return orjson.dumps(value).decode()
    return _scalar(value, column_type)


def _scalar(value: Any, column_type: str) -> str:
    if column_type == "double" and isinstance(value, int | float) and not isinstance(value, bool):
        return repr(float(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _quoted(text: str) -> str:
    """A field: every value is quoted (an empty field is "no value", ``""`` an empty text)."""
    return '"' + text.replace('"', '""') + '"' if '"' in text else '"' + text + '"'


def _value_cell(value: Any, column_type: str) -> str:
    return _quoted(str(_value(value, column_type)))


def _text_cell(value: Any) -> str:
    if type(value) is str:
        return '"' + value.replace('"', '""') + '"' if '"' in value else '"' + value + '"'
    return _value_cell(value, "string")


def _long_cell(value: Any) -> str:
    return f'"{value}"' if type(value) is int else _value_cell(value, "long")


def _double_cell(value: Any) -> str:
    return f'"{value!r}"' if type(value) is float else _value_cell(value, "double")


def _boolean_cell(value: Any) -> str:
    return (
        ('"true"' if value else '"false"') if type(value) is bool else _value_cell(value, "boolean")
    )


# The field of a value in a column of each type (values that do not fit the column
# were moved to props_extra by _fitted); other columns go through _value.
_CELLS: dict[str, Callable[[Any], str]] = {
    "string": _text_cell,
    "double": _double_cell,
    "long": _long_cell,
    "boolean": _boolean_cell,
}
_SCALAR_TYPES: dict[type, str] = {str: "string", int: "long", float: "double", bool: "boolean"}


def _line(values: list[Any], raw: bool = False) -> str:
    if raw:
        return ",".join(values) + "\n"
    return ",".join("" if v is None else _quoted(str(v)) for v in values) + "\n"


def _write(path: Path, lines: list[str]) -> Path:
    atomic_write_bytes(path, "".join(lines).encode("utf-8"))
    return path
