"""Hostile and broken input: whatever a file holds, a load either works or is a clear error.

Three layers:

- a round trip (hypothesis): the same made-up firm list written as YAML, JSON, JSONL,
  CSV, TSV and XLSX loads into the same store, whose save reopens unchanged;
- fuzzing (hypothesis, derandomized): valid files truncated, with bytes, NULs, BOMs,
  other encodings, duplicated or giant lines spliced in, and XLSX parts damaged,
  give a :class:`DataError` (never another exception) and write nothing;
- one named case per defect the fuzzing and review found, through the CLI: exit 1,
  one clear message, the store file byte for byte unchanged.

Store files someone else wrote, and a ``kill -9`` during a CLI load, close the file.
Everything here is synthetic (示例… names; see tests/data/README.md).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import orjson
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from killing import kill_when

from chaingraph.cli import cli
from chaingraph.errors import DataError, StoreCorrupt
from chaingraph.loaders import load_files, readers
from chaingraph.model import Node, Relationship
from chaingraph.names import normalize_text
from chaingraph.store.networkx import NetworkxStore
from chaingraph.store.networkx.fileformat import FORMAT_NAME, FORMAT_VERSION

DATA = Path(__file__).resolve().parent / "data"
CHAIN = DATA / "demo-chain.yaml"
TAGS = ["龙头企业", "专精特新", "上市", "高新技术企业"]

# Deterministic and bounded: the same examples on every run and machine. For a longer
# hunt, CHAINGRAPH_FUZZ_SCALE=20 runs twenty times as many (still derandomized).
SCALE = int(os.environ.get("CHAINGRAPH_FUZZ_SCALE", "1"))
FUZZ = settings(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@pytest.fixture(scope="module")
def chain_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file holding the demo chain: products and places firm lists refer to."""
    store = NetworkxStore()
    load_files(store, [CHAIN])
    return store.save(tmp_path_factory.mktemp("chain") / "chain.json")


def snapshot(store: NetworkxStore) -> tuple[list[Any], list[Any]]:
    return (
        sorted(
            (n.id, n.type, orjson.dumps(n.props, option=orjson.OPT_SORT_KEYS))
            for n in store.nodes()
        ),
        sorted(
            (*r.identity, orjson.dumps(r.props, option=orjson.OPT_SORT_KEYS))
            for r in store.relationships()
        ),
    )


# -- the same firms in every format round-trip ---------------------------------------------------

COLUMNS = {
    "企业名称": "legal_name",
    "企业简称": "name",
    "简介": "description",
    "成立年份": "founded",
    "营业收入": "revenue_cny_100m",
    "企业标签": "tags",
    "备注": "note",
    "主营产品": "makes",
    "所在地区": "hq",
}
SPEC = yaml.safe_dump(
    {
        "chaingraph_mapping": 1,
        "section": "companies",
        "columns": COLUMNS,
        "defaults": {"source": "synthetic-test-data", "as_of": "2024"},
    },
    allow_unicode=True,
)
# Letters, marks, digits, punctuation, symbols and spaces of every script; free text
# also tabs and line feeds. (XML turns a lone CR into LF, so no format keeps CR alike.)
name_text = st.text(
    st.characters(categories=["L", "M", "N", "P", "S", "Zs"]), min_size=1, max_size=16
)
free_text = (
    st.text(
        st.characters(categories=["L", "M", "N", "P", "S", "Zs"], include_characters="\n\t"),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)  # table cells are trimmed, as spreadsheet junk around values is
    .filter(bool)
)
firm = st.fixed_dictionaries(
    {
        "legal": name_text,
        "form": st.sampled_from(["有限公司", "股份有限公司", ""]),
        "short": st.none() | name_text,
        "description": st.none() | free_text,
        "founded": st.none() | st.integers(1800, 2100),
        "revenue": st.none() | st.floats(0, 1e6, allow_nan=False, allow_infinity=False),
        "tags": st.lists(st.sampled_from(TAGS), max_size=3, unique=True),
        "note": st.none() | free_text,
    }
)


def firm_records(firms: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Authoring-format records; prefixes keep names apart (or firms would be merged)."""
    records = []
    for i, f in enumerate(firms):
        record: dict[str, Any] = {"legal_name": f"示例{i}号{f['legal']}{f['form']}"}
        if f["short"] is not None:
            record["name"] = f"简{i}号{f['short']}"
        for key, field in [
            ("description", "description"),
            ("founded", "founded"),
            ("revenue", "revenue_cny_100m"),
            ("note", "note"),
        ]:
            if f[key] is not None:
                record[field] = f[key]
        if f["tags"]:
            record["tags"] = f["tags"]
        record.update(makes=["prod:demo-chip"], hq="region:zz-demo")
        records.append(record)
    return records


def cell_text(field: str, value: Any) -> Any:
    if isinstance(value, list):
        return "、".join(value)
    if isinstance(value, float):
        return repr(value)
    return value


def write_formats(
    folder: Path, records: list[dict[str, Any]]
) -> dict[str, tuple[Path, str | None]]:
    """The records as a YAML, JSON, JSONL, CSV, TSV and XLSX file: {format: (path, mapping)}."""
    doc = {"chaingraph": 1, "source": "synthetic-test-data", "as_of": "2024", "companies": records}
    spec = folder / "firms.spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    files: dict[str, tuple[Path, str | None]] = {}
    path = folder / "firms.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    files["yaml"] = (path, None)
    path = folder / "firms.json"
    path.write_bytes(orjson.dumps(doc))
    files["json"] = (path, None)
    path = folder / "firms.jsonl"
    lines = [
        orjson.dumps(
            {"section": "companies", "source": "synthetic-test-data", "as_of": "2024", **r}
        )
        for r in records
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    files["jsonl"] = (path, None)
    header = list(COLUMNS)
    table = [
        [cell_text(COLUMNS[c], r.get(COLUMNS[c])) if COLUMNS[c] in r else None for c in header]
        for r in records
    ]
    for suffix, delimiter in [("csv", ","), ("tsv", "\t")]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
        writer.writerows([header, *[["" if v is None else v for v in row] for row in table]])
        path = folder / f"firms.{suffix}"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        files[suffix] = (path, str(spec))
    book = openpyxl.Workbook()
    sheet = book.active
    for r, row in enumerate([header, *table], start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = sheet.cell(r, c)
            if isinstance(value, str):
                cell.value = value
                cell.data_type = "s"  # never a formula or an error code, whatever it says
            else:
                cell.value = float(value) if isinstance(value, float) else value
    path = folder / "firms.xlsx"
    book.save(path)
    files["xlsx"] = (path, str(spec))
    return files


@settings(FUZZ, max_examples=40 * SCALE)
@given(firms=st.lists(firm, min_size=1, max_size=4))
def test_every_format_loads_the_same_firms_and_round_trips(
    tmp_path: Path, chain_file: Path, firms: list[dict[str, Any]]
) -> None:
    records = firm_records(firms)
    files = write_formats(tmp_path, records)
    loaded = {}
    for fmt, (path, mapping) in files.items():
        store = NetworkxStore.open(chain_file)
        load_files(store, [path], mapping=mapping)
        loaded[fmt] = snapshot(store)
        # load -> save -> load is the identity, and loading again changes nothing.
        reopened = NetworkxStore.open(store.save(tmp_path / f"{fmt}.store.json"))
        assert snapshot(reopened) == loaded[fmt], fmt
        assert not load_files(reopened, [path], mapping=mapping).merge.changed, fmt
        assert snapshot(reopened) == loaded[fmt], fmt
    reference = loaded.pop("yaml")
    for fmt, found in loaded.items():
        assert found == reference, fmt

    # And what loaded is what the file said (names in their normalised form).
    store = NetworkxStore.open(chain_file)
    load_files(store, [files["yaml"][0]])
    for record in records:
        legal = normalize_text(record["legal_name"])
        (firm_id,) = store.ids_by_name(legal, "Company")
        props = store.get(firm_id).props  # type: ignore[union-attr]
        assert props["legal_name"] == legal
        assert props["name"] == normalize_text(record.get("name", record["legal_name"]))
        for field in ("description", "founded", "revenue_cny_100m", "tags", "note"):
            assert props.get(field) == record.get(field), field
        assert store.neighbors(firm_id, "MAKES") == ["prod:demo-chip"]


# -- fuzzing: damaged files are errors, never crashes, and write nothing ------------------------


def demo_xlsx() -> bytes:
    rows = list(csv.reader(io.StringIO((DATA / "demo-firms.csv").read_text(encoding="utf-8"))))
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SEEDS: dict[str, tuple[str, bytes, str | None]] = {
    "chain.yaml": ("chain.yaml", CHAIN.read_bytes(), None),
    "chain.json": ("chain.json", orjson.dumps(yaml.safe_load(CHAIN.read_text("utf-8"))), None),
    "firms.csv": ("firms.csv", (DATA / "demo-firms.csv").read_bytes(), "companies-cn"),
    "relationships.csv": (
        "relationships.csv",
        (DATA / "demo-relationships.csv").read_bytes(),
        "relationships",
    ),
    "sectioned.jsonl": ("sectioned.jsonl", (DATA / "demo-sectioned.jsonl").read_bytes(), None),
    "firms.xlsx": ("firms.xlsx", demo_xlsx(), "companies-cn"),
}

# Mutations as data, so hypothesis can shrink them: (kind, position 0..1, payload).
SPLICES = [
    b"\x00",
    b"\xff\xfe",
    b"\xd5\xfe",
    codecs.BOM_UTF8,
    b'"',
    b"'",
    b",",
    b"\t",
    b"\r",
    b"\n",
    b"{",
    b"[",
    b"]",
    b":",
    b"- ",
    b"&a ",
    b"*a",
    b"!!python/object/apply:os.system ['true'] ",
    b"!!binary ",
    b"\\u0000",
    b"\\ud800",
    b"\\e",
    b"\x1b[2J",
    "＝HYPERLINK(".encode(),
    b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>",
    b"&e;",
    b"9" * 5000,
    "示".encode() * 200_000,
]
mutation = st.tuples(
    st.sampled_from(
        [
            "truncate",
            "splice",
            "replace",
            "bom",
            "reencode",
            "duplicate-line",
            "drop-line",
            "random",
        ]
    ),
    st.floats(0, 1),
    st.sampled_from(SPLICES),
    st.binary(max_size=16),
)


def mutate(raw: bytes, kind: str, where: float, splice: bytes, noise: bytes) -> bytes:
    at = int(where * len(raw))
    if kind == "truncate":
        return raw[:at]
    if kind == "splice":
        return raw[:at] + splice + raw[at:]
    if kind == "replace":
        return raw[:at] + splice + raw[at + len(splice) :]
    if kind == "bom":
        return codecs.BOM_UTF8 + raw if where < 0.5 else codecs.BOM_UTF16_LE + raw
    if kind == "reencode":  # the file, or just its second half, in another encoding
        text = raw.decode("utf-8", errors="replace")
        cut = len(text) // 2 if where < 0.5 else 0
        return text[:cut].encode() + text[cut:].encode(
            "utf-16" if where > 0.8 else "gb18030", errors="replace"
        )
    lines = raw.split(b"\n")
    line = min(int(where * len(lines)), len(lines) - 1)
    if kind == "duplicate-line":
        return b"\n".join([*lines[: line + 1], lines[line], *lines[line + 1 :]])
    if kind == "drop-line":
        return b"\n".join(lines[:line] + lines[line + 1 :])
    return raw[:at] + noise + raw[at:]


def mutate_xlsx(raw: bytes, part: int, changes: list[tuple[str, float, bytes, bytes]]) -> bytes:
    """Damage one XML part inside the workbook, keeping the zip itself sound."""
    source = zipfile.ZipFile(io.BytesIO(raw))
    names = source.namelist()
    target = names[part % len(names)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name in names:
            data = source.read(name)
            if name == target:
                for change in changes:
                    data = mutate(data, *change)
            book.writestr(name, data)
    return out.getvalue()


def assert_clean_failure_or_load(
    store: NetworkxStore, path: Path, mapping: str | None, before: Any
) -> bool:
    """Load ``path``: True if it loaded; if not, a DataError naming the file changed nothing."""
    try:
        load_files(store, [path], mapping=mapping)
    except DataError as exc:
        assert exc.issues
        assert all(str(path) in issue.file or issue.file.endswith(".yaml") for issue in exc.issues)
        message = str(exc)
        assert message.startswith(
            f"{len(exc.issues)} problem(s) in input data; nothing was written"
        )
        assert len(message) < 25 * 600, "an error message should be readable, not megabytes"
        assert snapshot(store) == before
        return False
    return True


@settings(FUZZ, max_examples=500 * SCALE)
@given(
    seed=st.sampled_from(sorted(SEEDS)),
    changes=st.lists(mutation, min_size=1, max_size=3),
    part=st.integers(0, 20),
)
def test_damaged_files_are_errors_that_write_nothing(
    tmp_path: Path,
    chain_file: Path,
    seed: str,
    changes: list[tuple[str, float, bytes, bytes]],
    part: int,
) -> None:
    name, raw, mapping = SEEDS[seed]
    if name.endswith(".xlsx") and part % 2:
        damaged = mutate_xlsx(raw, part // 2, changes)
    else:
        damaged = raw
        for change in changes:
            damaged = mutate(damaged, *change)
    path = tmp_path / name
    path.write_bytes(damaged)
    store = NetworkxStore.open(chain_file) if "chain" not in name else NetworkxStore()
    loaded = assert_clean_failure_or_load(store, path, mapping, snapshot(store))
    event(f"{seed}: {'loaded' if loaded else 'refused'}")


yaml_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["!!python/name:os.system", "!!set {a, b}", "*ref", "&ref x", "!tag x"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(FUZZ, max_examples=200 * SCALE)
@given(
    section=st.sampled_from(["chains", "segments", "products", "regions", "bases", "companies", "relationships"]),
    records=st.lists(st.dictionaries(st.sampled_from(
        ["id", "name", "legal_name", "aliases", "uscc", "stage", "chain", "parent", "segment",
         "inputs", "makes", "sites", "supplies", "hq", "focus", "type", "from", "to", "key",
         "level", "region", "tags", "listing", "founded", "as_of", "source", "confidence"]
    ), yaml_values, max_size=6), max_size=3),
    as_json=st.booleans(),
)  # fmt: skip
def test_any_shape_of_record_is_an_issue_not_a_crash(
    tmp_path: Path,
    chain_file: Path,
    section: str,
    records: list[dict[str, Any]],
    as_json: bool,
) -> None:
    """Wrong types anywhere (a list for a name, a mapping for an id, a tag for a product…)."""
    doc = {"chaingraph": 1, section: records}
    if as_json:
        path = tmp_path / "odd.json"
        path.write_bytes(orjson.dumps(doc, option=orjson.OPT_NON_STR_KEYS, default=str))
    else:
        # Written by hand so that the tag and alias strings above are YAML syntax.
        text = yaml.safe_dump(doc, allow_unicode=True, default_flow_style=True)
        for marker in ["!!python/name:os.system", "!!set {a, b}", "*ref", "&ref x", "!tag x"]:
            text = text.replace(f"'{marker}'", marker)
        path = tmp_path / "odd.yaml"
        path.write_text(text, encoding="utf-8")
    store = NetworkxStore.open(chain_file)
    loaded = assert_clean_failure_or_load(store, path, None, snapshot(store))
    if loaded:
        NetworkxStore.open(store.save(tmp_path / "odd.store.json"))
    event("loaded" if loaded else "refused")


# -- named cases: each defect found, through the CLI ---------------------------------------------

YAML_HEAD = "chaingraph: 1\nsource: synthetic-test-data\n"


def company_yaml(fields: str) -> str:
    return YAML_HEAD + "companies:\n  - {name: 示例甲, " + fields + "}\n"


def deep_json(depth: int) -> bytes:
    return b'{"chaingraph": 1, "x": ' + b"[" * depth + b"]" * depth + b"}"


SHEET = "xl/worksheets/sheet1.xml"


def xlsx_with(part: str, change: Callable[[bytes], bytes]) -> bytes:
    raw = demo_xlsx()
    source = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name in source.namelist():
            data = source.read(name)
            book.writestr(name, change(data) if name == part else data)
    return out.getvalue()


def with_doctype(doctype: bytes, replace: bytes) -> Callable[[bytes], bytes]:
    def change(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[-1]
        return b'<?xml version="1.0"?>' + doctype + body.replace("示例传感".encode(), replace, 1)

    return change


LAUGHS = (
    b'<!DOCTYPE w [<!ENTITY l0 "lol">'
    + b"".join(b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10) for i in range(1, 10))
    + b"]>"
)

# (case, file name, content, --mapping, what the error says). Every one of these
# crashed, hung, or loaded silently wrong data before it was fixed, except those
# marked "held" (hostile input that was already refused; kept as regressions).
CASES: list[tuple[str, str, bytes | str, str | None, str]] = [
    # YAML
    ("yaml-huge-integer", "a.yaml", company_yaml("founded: " + "9" * 5000), None, "integer with too many digits"),
    ("yaml-huge-uscc", "a.yaml", company_yaml("uscc: " + "9" * 100_000), None, "integer with too many digits"),
    ("yaml-lone-surrogate", "a.yaml", company_yaml('legal_name: "示例\\ud800"'), None, "lone surrogate U+D800"),
    ("yaml-escape-sequence", "a.yaml", company_yaml('aliases: ["\\e]0;owned\\a"]'), None, "control character U+001B"),
    ("yaml-nul-escape", "a.yaml", company_yaml('note: "甲\\0乙"'), None, "control character U+0000"),
    ("yaml-aliases-nested-list", "a.yaml", company_yaml("aliases: [[甲]]"), None, "invalid value"),
    ("yaml-aliases-mapping", "a.yaml", company_yaml("aliases: [{a: 1}]"), None, "invalid value"),
    ("yaml-aliases-text", "a.yaml", company_yaml("aliases: 甲乙丙"), None, "invalid value"),
    ("yaml-version-true", "a.yaml", "chaingraph: true\n", None, "unsupported format version"),
    ("yaml-version-float", "a.yaml", "chaingraph: 1.0\n", None, "unsupported format version"),
    ("yaml-huge-free-text", "a.yaml", company_yaml("note: " + "长" * 30_000), None, "text is 30000 characters long"),
    ("held:yaml-python-name", "a.yaml", YAML_HEAD + "x: !!python/name:os.system\n", None, "could not determine a constructor"),
    ("held:yaml-python-module", "a.yaml", YAML_HEAD + "x: !!python/module:os\n", None, "could not determine a constructor"),
    ("held:yaml-python-tuple", "a.yaml", YAML_HEAD + "x: !!python/tuple [1, 2]\n", None, "could not determine a constructor"),
    ("held:yaml-local-tag", "a.yaml", YAML_HEAD + "companies: !firm\n  - {name: 甲}\n", None, "could not determine a constructor"),
    ("held:yaml-tag-directive", "a.yaml", "%TAG !e! tag:example.com,2000:\n---\nchaingraph: 1\nx: !e!f 1\n", None, "could not determine a constructor"),
    ("held:yaml-deep-block-nesting", "a.yaml", YAML_HEAD + "x:\n" + "".join(" " * (i + 1) + "-\n" for i in range(3000)), None, "nested too deeply"),
    ("held:yaml-two-documents", "a.yaml", YAML_HEAD + "---\nchaingraph: 1\n", None, "not valid YAML"),
    # JSON and JSONL
    ("json-duplicate-key", "a.json", '{"chaingraph": 1, "companies": [{"name": "示例甲", "name": "示例乙"}]}', None, "duplicate key 'name'"),
    ("json-million-character-field-name", "a.json", '{"chaingraph": 1, "companies": [{"name": "示例甲", "' + "k" * 1_000_000 + '": 1}]}', None, "field name is 1000000 characters long"),
    ("json-control-character", "a.json", '{"chaingraph": 1, "chains": [{"id": "chain:x", "name": "\\u001b[2J示例"}]}', None, "control character U+001B"),
    ("jsonl-section-list", "a.jsonl", '{"section": ["companies"], "name": "示例甲"}\n', None, "unknown or missing section"),
    ("jsonl-section-mapping", "a.jsonl", '{"section": {"companies": 1}, "name": "示例甲"}\n', None, "unknown or missing section"),
    ("jsonl-duplicate-key", "a.jsonl", '{"section": "companies", "name": "示例甲", "name": "示例乙"}\n', None, "duplicate key 'name'"),
    ("held:jsonl-lone-surrogate", "a.jsonl", '{"section": "companies", "name": "\\ud800"}\n', None, "not valid JSON"),
    # CSV / TSV tables and mapping specs
    ("csv-escape-in-cell", "a.csv", "企业名称,来源\n示例\x1b[31m甲有限公司,synthetic-test-data\n", "companies-cn", "control character U+001B"),
    ("csv-headers-equal-after-folding", "a.csv", "企业名称,营业收入(亿元),营业收入（亿元）\n示例甲有限公司,1,2\n", "companies-cn", "duplicate header '营业收入（亿元）' (column 3, the same as '营业收入(亿元)')"),
    ("csv-duplicate-million-character-header", "a.csv", "企业名称," + "列" * 1_000_000 + "," + "列" * 1_000_000 + "\n示例甲有限公司,1,2\n", "companies-cn", "duplicate header '列列列"),
    ("csv-million-character-headers-only", "a.csv", "列" * 1_000_000 + ",来源\n示例甲有限公司,1\n", "companies-cn", "named in the mapping spec is not in the file"),
    ("held:csv-utf16-without-bom", "a.csv", "企业名称\n示例甲有限公司\n".encode("utf-16-le"), "companies-cn", "NUL character"),
    ("held:csv-field-over-limit", "a.csv", "企业名称,简介\n示例甲有限公司,\"" + "长" * (16 * 1024 * 1024 + 1) + "\"\n", "companies-cn", "malformed CSV"),
    # XLSX
    ("xlsx-malformed-sheet-xml", "a.xlsx", xlsx_with(SHEET, lambda _: b"<worksheet"), "companies-cn", "not a readable .xlsx workbook"),
    ("xlsx-workbook-without-sheets", "a.xlsx", xlsx_with("xl/workbook.xml", lambda _: b"<x/>"), "companies-cn", "not a readable .xlsx workbook"),
    ("xlsx-malformed-styles", "a.xlsx", xlsx_with("xl/styles.xml", lambda _: b"<<<"), "companies-cn", "not a readable .xlsx workbook"),
    ("xlsx-malformed-relationships", "a.xlsx", xlsx_with("xl/_rels/workbook.xml.rels", lambda _: b"<<<"), "companies-cn", "not a readable .xlsx workbook"),
    ("xlsx-entity-expansion", "a.xlsx", xlsx_with(SHEET, with_doctype(LAUGHS, b"&l9;")), "companies-cn", "not a readable .xlsx workbook"),
    ("xlsx-external-entity", "a.xlsx", xlsx_with(SHEET, with_doctype(b'<!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]>', b"&e;")), "companies-cn", "not a readable .xlsx workbook"),
    ("held:xlsx-not-a-zip", "a.xlsx", "企业名称\n".encode(), "companies-cn", "not a readable .xlsx workbook"),
    ("held:xlsx-truncated", "a.xlsx", demo_xlsx()[:2000], "companies-cn", "not a readable .xlsx workbook"),
]  # fmt: skip


@pytest.fixture
def store_file(chain_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "store.json"
    path.write_bytes(chain_file.read_bytes())
    return path


@pytest.mark.parametrize(
    ("name", "content", "mapping", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_hostile_file_is_one_clear_error_and_writes_nothing(
    tmp_path: Path,
    store_file: Path,
    name: str,
    content: bytes | str,
    mapping: str | None,
    message: str,
) -> None:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    before = store_file.read_bytes()
    args = ["load", "--store", str(store_file), str(path)]
    started = time.monotonic()
    result = CliRunner().invoke(cli, args + (["--mapping", mapping] if mapping else []))
    assert time.monotonic() - started < 30
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a crash
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: ") and message in result.output
    assert len(result.output) < 5000
    assert str(path) in result.output
    assert store_file.read_bytes() == before


def test_a_crafted_list_separator_is_refused_before_it_runs(
    tmp_path: Path, store_file: Path
) -> None:
    # A spec beside a table is picked up on its own, so it is untrusted input too:
    # (a+)+ would backtrack for minutes on one cell of 30 a's.
    table = tmp_path / "firms.csv"
    table.write_text("企业名称,企业标签\n示例甲有限公司," + "a" * 30 + "!\n", encoding="utf-8")
    (tmp_path / "firms.mapping.yaml").write_text(
        "chaingraph_mapping: 1\nsection: companies\n"
        "columns: {企业名称: legal_name, 企业标签: tags}\nlist_separator: '(a+)+$'\n",
        encoding="utf-8",
    )
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["load", "--store", str(store_file), str(table)])
    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    assert "list_separator" in result.output and "exponential time" in result.output


@pytest.mark.parametrize(
    ("target", "message"),
    [("名" * 1000, "bad field name (is 1000 characters long)"), ("a\x1bb", "control character")],
)
def test_mapping_field_names_are_checked(tmp_path: Path, target: str, message: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        yaml.safe_dump(
            {"chaingraph_mapping": 1, "section": "companies", "columns": {"名称": target}}
        ),
        encoding="utf-8",
    )
    table = tmp_path / "t.csv"
    table.write_text("名称\n示例甲有限公司\n", encoding="utf-8")
    with pytest.raises(DataError, match=re.escape(message)):
        load_files(NetworkxStore(), [table], mapping=str(spec))


def test_names_differing_only_by_invisible_characters_are_one_company(tmp_path: Path) -> None:
    # Scraped lists carry zero-width spaces, soft hyphens and stray BOMs inside names;
    # they made two companies of one, and a right-to-left override makes a name
    # display as something else.
    table = tmp_path / "firms.csv"
    table.write_text(
        "企业名称,来源\n"
        "示例甲科技有限公司,synthetic-test-data\n"
        "示例\u200b甲科\u00ad技有限公司\ufeff,synthetic-test-data\n"
        "示例\u202e乙科技有限公司,synthetic-test-data\n",
        encoding="utf-8",
    )
    store = NetworkxStore()
    load_files(store, [table], mapping="companies-cn")
    assert sorted(n.name for n in store.nodes("Company")) == [
        "示例乙科技有限公司",
        "示例甲科技有限公司",
    ]


def test_json_deeper_than_python_recurses_is_a_data_error(tmp_path: Path) -> None:
    # orjson takes 1023 levels; the second pass that finds repeated keys recurses in
    # Python and may give up sooner (how soon depends on the stack it starts from).
    path = tmp_path / "deep.json"
    path.write_bytes(deep_json(1000))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(400)
    try:
        with pytest.raises(DataError, match="nested too deeply"):
            readers.read_document(path)
    finally:
        sys.setrecursionlimit(limit)


def test_json_lines_may_hold_line_separators_inside_strings(tmp_path: Path) -> None:
    # str.splitlines() also breaks at U+2028, U+0085 …: valid JSON lines were refused.
    path = tmp_path / "a.jsonl"
    path.write_text(
        '{"section": "chains", "id": "chain:x", "name": "示例\u2028链", "description": "甲\x85乙"}\n'
        '{"section": "chains", "id": "chain:y", "name": "示例乙链"}\n',
        encoding="utf-8",
    )
    store = NetworkxStore()
    load_files(store, [path])
    assert store.get("chain:x").props["description"] == "甲\x85乙"  # type: ignore[union-attr]
    assert store.get("chain:y") is not None


def test_xlsx_rows_past_a_wrong_dimension_tag_are_read(tmp_path: Path) -> None:
    # openpyxl's read-only mode stops at the size the sheet declares; other programs
    # often declare too little, and the rows below were silently dropped.
    raw = xlsx_with(
        SHEET, lambda xml: xml.replace(b'<dimension ref="A1:L6"', b'<dimension ref="A1:B2"')
    )
    assert b'ref="A1:B2"' in zipfile.ZipFile(io.BytesIO(raw)).read(SHEET)
    path = tmp_path / "firms.xlsx"
    path.write_bytes(raw)
    header, rows = readers.read_rows(path)
    assert len(header) == 12 and len(rows) == 5


def test_xlsx_that_expands_past_the_cell_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One cell at column XFD per row makes every row 16384 cells wide: a small file
    # that would take hours. The budget is lowered here to keep the test fast.
    far = b"".join(
        b'<row r="%d"><c r="XFD%d" t="inlineStr"><is><t>x</t></is></c></row>' % (r, r)
        for r in range(6, 40)
    )
    path = tmp_path / "wide.xlsx"
    path.write_bytes(
        xlsx_with(SHEET, lambda xml: xml.replace(b"</sheetData>", far + b"</sheetData>"))
    )
    monkeypatch.setattr(readers, "MAX_XLSX_CELLS", 200_000)
    with pytest.raises(DataError, match="the sheet spans more than 200,000 cells"):
        load_files(NetworkxStore(), [path], mapping="companies-cn")


# -- store files someone else wrote ----------------------------------------------------------------


def store_bytes(nodes: list[Any], edges: list[Any] = (), meta: Any = None) -> bytes:  # type: ignore[assignment]
    return orjson.dumps(
        {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "meta": meta or {},
            "nodes": nodes,
            "edges": list(edges),
        }
    )


CHAIN_ROW = ["chain:x", "Chain", {"name": "示例链"}]
SEG_ROW = ["seg:x.a", "Segment", {"name": "示例环节", "stage": "上游"}]
PART_OF = ["PART_OF", "seg:x.a", "chain:x", "", {}]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (store_bytes([["evil:x", "Evil`) DETACH DELETE n //", {"name": "甲"}]]), "unknown type"),
        (store_bytes([["chain:x`}) DETACH DELETE n //", "Chain", {"name": "甲"}]]), "malformed id"),
        (store_bytes([["seg:x", "Chain", {"name": "甲"}]]), "not a Chain's"),
        (store_bytes([CHAIN_ROW, ["chain:x", "Chain", {"name": "乙"}]]), "appears twice"),
        (store_bytes([CHAIN_ROW, SEG_ROW], [PART_OF, PART_OF]), "appears twice"),
        (store_bytes([CHAIN_ROW, SEG_ROW], [["OWNS`]->() DETACH DELETE n //", "seg:x.a", "chain:x", "", {}]]), "unknown type"),
        (store_bytes([CHAIN_ROW], meta={"user_loads": "many"}), "'meta.user_loads' is not a count"),
    ],
)  # fmt: skip
def test_store_file_rows_the_store_cannot_hold_are_corrupt(
    tmp_path: Path, content: bytes, message: str
) -> None:
    # These opened before, with indexes that disagreed with the graph (counts off, a
    # node of two types), or with types a push would write into Neo4j; a bad 'meta'
    # crashed the next 'load'.
    path = tmp_path / "store.json"
    path.write_bytes(content)
    with pytest.raises(StoreCorrupt, match="malformed store file") as caught:
        NetworkxStore.open(path)
    assert message in str(caught.value)
    result = CliRunner().invoke(cli, ["info", "--store", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output.startswith("Error: ") and "move the file aside" in result.output


ODD_NAMES = [
    ["chain:a", "Chain", {"name": 5}],
    ["chain:b", "Chain", {"name": ["乙"], "aliases": "丙丁"}],
    ["chain:c", "Chain", {"name": "示例链", "aliases": [["戊"], 7, "己"]}],
    ["co:d", "Company", {"name": {"x": 1}, "legal_name": ["庚"], "uscc": ["辛"]}],
    ["co:e", "Company", {"name": "示例公司", "uscc": 91440300}],
]


def test_store_file_names_that_are_not_text_open_and_are_not_indexed(tmp_path: Path) -> None:
    # Each of these rows crashed opening the store with a TypeError.
    path = tmp_path / "store.json"
    path.write_bytes(store_bytes(ODD_NAMES))
    store = NetworkxStore.open(path)
    assert store.count_nodes() == 5
    assert sorted(i for i, _, _ in store.names()) == ["chain:c", "chain:c", "co:e"]
    assert store.ids_by_name("己") == ["chain:c"] and store.ids_by_name("丙丁") == []
    assert store.company_by_uscc("91440300") is None
    for args in (["info"], ["show", "示例链"], ["show", "co:d", "--format", "json"]):
        result = CliRunner().invoke(cli, [*args, "--store", str(path)])
        assert result.exit_code == 0, result.output
    # Merged again (as 'pull' does from a Neo4j), and renamed: nothing crashes.
    store.merge([Node(r[0], r[1], r[2]) for r in ODD_NAMES], [])
    store.merge(
        [Node("chain:a", "Chain", {"name": "改名"}), Node("co:e", "Company", {"uscc": ["x"]})], []
    )
    assert store.ids_by_name("改名") == ["chain:a"]


@pytest.mark.parametrize(
    ("nodes", "rels", "message"),
    [
        ([Node("chain:X Y", "Chain", {"name": "甲"})], [], "node has a malformed id"),
        ([Node("chain:x", "Script", {"name": "甲"})], [], "node has unknown type 'Script'"),
        ([Node("chain:x", "Chain", {"name": "甲"})], [Relationship("OWNS", "chain:x", "chain:x")], "relationship has unknown type"),
    ],
)  # fmt: skip
def test_merging_what_the_store_cannot_hold_writes_nothing(
    nodes: list[Node], rels: list[Relationship], message: str
) -> None:
    # As 'pull' merges whatever a Neo4j someone else filled holds: such rows were
    # stored, and the file saved then could not be used.
    store = NetworkxStore()
    load_files(store, [CHAIN])
    before = snapshot(store)
    with pytest.raises(DataError, match=message):
        store.merge([Node("chain:before", "Chain", {"name": "先"}), *nodes], rels)
    assert snapshot(store) == before


# -- kill -9 during a CLI load ------------------------------------------------------------------------


def big_firm_list(path: Path, rows: int) -> Path:
    lines = ["企业名称,主营产品,所在地区,简介,来源"]
    lines += [
        f"示例{i}号有限公司,示例芯片,示例市,{'示例简介' * 1200},synthetic-test-data"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_load_killed_while_saving_keeps_the_old_store_and_a_rerun_has_no_duplicates(
    tmp_path: Path, store_file: Path
) -> None:
    """tests/test_store_networkx.py kills a bare save; this kills the 'load' command."""
    old = store_file.read_bytes()
    # The kill must land while the store file is being written; on a quiet machine a
    # small load saves before the poll sees the temporary file, so a larger one is tried.
    for size in (1500, 6000, 24000):
        firms = big_firm_list(tmp_path / "firms.csv", size)
        killed, loader, out, err = _kill_while_saving(tmp_path, store_file, firms)
        if killed:
            break
        store_file.write_bytes(old)  # the load finished: back to the state before it
    assert killed, f"the load finished before it could be killed: {out!r} {err!r}"
    assert loader.returncode == -signal.SIGKILL

    # The previous state is there, whole, and opens.
    assert store_file.read_bytes() == old
    assert NetworkxStore.open(store_file).count_nodes("Company") == 0

    # Rerunning completes; the counts are those of one clean load; a third run adds nothing.
    # The killed save's temp file is removed by it (issue 18: 35 MB were left for good).
    assert list(tmp_path.glob(".store.json.*.tmp"))
    rerun = CliRunner().invoke(
        cli, ["load", "--store", str(store_file), "--mapping", "companies-cn", str(firms)]
    )
    assert rerun.exit_code == 0, rerun.output
    assert not list(tmp_path.glob(".store.json.*.tmp"))
    reference = NetworkxStore.open(chain_file_of(old, tmp_path))
    load_files(reference, [firms], mapping="companies-cn")
    after = NetworkxStore.open(store_file)
    assert after.count_nodes("Company") == size
    assert (after.count_nodes(), after.count_relationships()) == (
        reference.count_nodes(),
        reference.count_relationships(),
    )
    assert snapshot(after) == snapshot(reference)
    again = CliRunner().invoke(
        cli, ["load", "--store", str(store_file), "--mapping", "companies-cn", str(firms)]
    )
    assert again.exit_code == 0, again.output
    assert snapshot(NetworkxStore.open(store_file)) == snapshot(reference)


def _kill_while_saving(
    tmp_path: Path, store_file: Path, firms: Path
) -> tuple[bool, subprocess.Popen[bytes], bytes, bytes]:
    """Run ``load`` in a child and kill -9 it once its temporary store file appears."""
    command = [sys.executable, "-c", "from chaingraph.cli import main; main()"]
    command += ["load", "--store", str(store_file)]
    command += ["--mapping", "companies-cn", str(firms)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    loader = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    saving, out, err = kill_when(
        loader, lambda: list(tmp_path.glob(".store.json.*.tmp")) or None, seconds=120, pause=0.0005
    )
    killed = saving is not None
    return killed, loader, out, err


def chain_file_of(content: bytes, folder: Path) -> Path:
    path = folder / "reference.json"
    path.write_bytes(content)
    return path
