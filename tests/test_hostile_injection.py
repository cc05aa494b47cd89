"""Injection: data text never becomes markup, a formula or a terminal command.

tests/test_maps.py, test_report.py, test_browser.py and test_exports.py check the
names of :func:`hostile.hostile_store`. Here *every* text a node or relationship
carries (names, aliases, descriptions, sources, listing, ranks, locations, edge
properties…) is a payload that is at once HTML, a formula and a Jinja expression;
every page, spreadsheet and CSV the commands write is searched for it unescaped.
Cypher injection is in tests/test_hostile_neo4j.py (it needs the server).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from hostile import hostile_store

from chaingraph.cli import cli
from chaingraph.model import Node, Relationship
from chaingraph.store.networkx import NetworkxStore

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# Raw forms that would run if they reached a page unescaped: a tag, a closed script,
# an attribute broken out of, a template expression evaluated.
MARKUP = ["<img src=x", "<script>alert", '" onmouseover="', "' onmouseover='", "49-jinja"]


def payload(tag: str) -> str:
    """One text that is a formula, markup, an attribute break-out and a template at once
    (long, too: the report's chart could not lay out such names)."""
    return (
        f'=HYPERLINK("http://x/{tag}")<img src=x onerror=alert("{tag}")>'
        f"\" onmouseover=\"alert(1)' onmouseover='alert(2)</script><script>alert(3)</script>"
        "{{ 7*7 }}-jinja $\\foo{$"  # and matplotlib mathtext, which crashed the report
    )


def every_field_store() -> tuple[NetworkxStore, dict[str, str]]:
    """hostile_store with every text property (and a few more) replaced by a payload.

    Returns the store and {tag: field} for each payload placed.
    """
    placed: dict[str, str] = {}

    def text(field: str) -> str:
        tag = f"F{len(placed)}"
        placed[tag] = field
        return payload(tag)

    source = hostile_store()
    nodes = []
    for node in source.nodes():
        # Enumerations drive the analysis (stage, level): real values, or nothing works.
        props: dict[str, Any] = {
            k: text(f"{node.type}.{k}") if isinstance(v, str) and k not in ("stage", "level") else v
            for k, v in node.props.items()
        }
        props.update(
            aliases=[text(f"{node.type}.aliases")],
            description=text(f"{node.type}.description"),
            source=text(f"{node.type}.source"),
            as_of=text(f"{node.type}.as_of"),
        )
        if node.type == "Company":
            props.update(
                legal_name=text("Company.legal_name"),
                tags=[*props.get("tags", []), text("Company.tags")],
                listing={
                    "board": text("Company.listing.board"),
                    "code": text("Company.listing.code"),
                },
                global_rank={"list": text("Company.global_rank.list"), "rank": 3, "year": 2023},
                website="javascript:alert(document.domain)",
            )
        if node.type == "Base":
            props["location"] = text("Base.location")
        nodes.append(Node(node.id, node.type, props))
    rels = []
    for rel in source.relationships():
        props = {
            k: text(f"{rel.type}.{k}") if isinstance(v, str) and k not in ("role", "product") else v
            for k, v in rel.props.items()
        }
        props["source"] = text(f"{rel.type}.source")
        if rel.type == "MAKES":
            props["capacity"] = text("MAKES.capacity")
        rels.append(Relationship(rel.type, rel.source, rel.target, rel.key, props))
    store = NetworkxStore()
    store.merge(nodes, rels)
    return store, placed


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    store, placed = every_field_store()
    return store.save(tmp_path_factory.mktemp("every-field") / "store.json"), placed


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def assert_no_markup(html: str, where: str) -> None:
    for raw in MARKUP:
        assert raw not in html, f"{where}: {raw!r} reached the page unescaped"
    assert 'href="javascript:' not in html.lower(), where


def tags_in(text: str) -> set[str]:
    return set(re.findall(r"http://x/(F\d+)", text))


def assert_inert_cell(value: Any, where: str) -> None:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        try:
            float(value)
        except ValueError:
            raise AssertionError(f"{where}: {value[:60]!r} would run as a formula") from None


# -- HTML: maps and reports ------------------------------------------------------------------


def test_every_field_stays_text_in_maps_and_reports(
    hostile_file: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    store_path, placed = hostile_file
    run(
        "map",
        "--store",
        store_path,
        "--base",
        "base:yinping",
        "--companies",
        "all",
        "-o",
        tmp_path / "map.html",
    )
    run(
        "report",
        "--store",
        store_path,
        "--base",
        "base:yinping",
        "--top",
        "10",
        "-o",
        tmp_path / "report",
    )
    pages = sorted(tmp_path.rglob("*.html"))
    assert len(pages) >= 5
    shown: set[str] = set()
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert_no_markup(html, page.name)
        data = re.search(r'<script type="application/json" id="cg-data">(.*?)</script>', html, re.S)
        if data:  # the data block ends where it should: no payload closed it early
            payload = json.loads(data.group(1))
            nodes = payload["nodes"] + payload["firms"]  # firms: shown on a segment's click
            assert any("</script><script>alert(3)</script>" in n["name"] for n in nodes)
        shown |= tags_in(html)
    # The search covered real ground: these fields reach the pages (as text).
    fields = {placed[t] for t in shown}
    for field in [
        "Base.name",
        "Chain.name",
        "Segment.name",
        "Product.name",
        "Company.name",
        "Region.name",
        "Company.tags",
    ]:
        assert field in fields, f"{field} was not on any page: the test lost its reach"


# -- spreadsheets: exports and --format csv ---------------------------------------------------------


def test_every_field_is_inert_in_every_spreadsheet(
    hostile_file: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    store_path, placed = hostile_file
    store = ["--store", store_path]
    base = ["--base", "base:yinping"]
    run("gaps", *store, *base, "--export", tmp_path / "gaps.xlsx")
    run("targets", *store, *base, "--top", "10", "--export", tmp_path / "targets.xlsx")
    run("targets", *store, *base, "--top", "10", "--export", tmp_path / "targets.csv")
    run("report", *store, *base, "--top", "10", "-o", tmp_path / "report")
    outputs = {
        "gaps": run("gaps", *store, *base, "--format", "csv").output,
        "gaps --inputs": run("gaps", *store, *base, "--inputs", "--format", "csv").output,
        "targets": run("targets", *store, *base, "--top", "10", "--format", "csv").output,
        "show": run("show", *store, "co:x-img", "--format", "csv").output,
        "info": run("info", *store, "--chains", "--format", "csv").output,
        "info --bases": run("info", *store, "--bases", "--format", "csv").output,
        "chokepoints": run("chokepoints", *store, "--format", "csv").output,
        "compare": run(
            "compare",
            *store,
            "--base",
            "base:yinping",
            "--with",
            "region:cn-suzhou",
            "--format",
            "csv",
        ).output,
        "targets.csv": (tmp_path / "targets.csv").read_bytes().decode("utf-8-sig"),
    }
    shown: set[str] = set()
    for name, text in outputs.items():
        for r, row in enumerate(csv.reader(io.StringIO(text, newline=""))):
            for c, cell in enumerate(row):
                assert_inert_cell(cell, f"{name} row {r} column {c}")
        shown |= tags_in(text)
    books = [
        tmp_path / "gaps.xlsx",
        tmp_path / "targets.xlsx",
        *(tmp_path / "report").rglob("*.xlsx"),
    ]
    assert len(books) >= 4
    for book in books:
        for sheet in openpyxl.load_workbook(book).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{book.name}!{cell.coordinate} is a formula"
                    assert_inert_cell(cell.value, f"{book.name}!{cell.coordinate}")
                    shown |= tags_in(str(cell.value))
    fields = {placed[t] for t in shown}
    for field in ["Company.name", "Segment.name", "Chain.name", "Region.name", "Company.tags"]:
        assert field in fields, f"{field} was in no spreadsheet: the test lost its reach"


# -- terminals -------------------------------------------------------------------------------------

# Retitle the window, clear the screen, overprint a line, ring the bell; the 8-bit CSI.
TERMINAL = ["\x1b]0;pwned\x07", "\x1b[2J", "\r", "\x07", "\x9b31m", "\x08\x08"]


@pytest.fixture(scope="module")
def terminal_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file (as someone else might send one) whose names hold terminal controls."""
    store = hostile_store()
    store.merge(
        [
            Node("co:x-img", "Company", {"name": f"示例{TERMINAL[0]}甲{TERMINAL[1]}"}),
            Node("co:x-plus", "Company", {"name": f"示例乙{TERMINAL[2]}假名{TERMINAL[3]}"}),
            Node("chain:robot", "Chain", {"name": f"机器人{TERMINAL[4]}链{TERMINAL[5]}"}),
        ],
        [],
    )
    return store.save(tmp_path_factory.mktemp("terminal") / "store.json")


@pytest.mark.parametrize(
    "args",
    [
        ["show", "co:x-img"],
        ["show", "co:x-plus"],
        ["targets", "--base", "base:yinping", "--top", "10"],
        ["gaps", "--base", "base:yinping"],
        ["info"],
        ["info", "--chains"],
        ["compare", "--base", "base:yinping", "--with", "region:cn-suzhou"],
    ],
)
def test_tables_show_control_characters_as_escapes(terminal_file: Path, args: list[str]) -> None:
    # Before the fix, tables printed them raw: a name could retitle the reader's
    # terminal window, clear it, or overprint itself with another name.
    out = run(*args, "--store", terminal_file).output
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", out), repr(out[:200])
    if args[0] == "show":
        assert "\\x1b" in out or "\\r" in out  # shown, not dropped


def test_json_output_escapes_control_characters(terminal_file: Path) -> None:
    out = run("show", "co:x-img", "--store", terminal_file, "--format", "json").output
    assert "\x1b" not in out and "\\u001b" in out


# -- names with query syntax, on the embedded store ----------------------------------------------

QUERY_NAMES = [
    "示例'甲",
    '示例"乙',
    "示例`丙`",
    "示例{丁}",
    "示例//戊",
    "示例$己",
    "示例\\庚",
    "示例'}) MATCH (n) DETACH DELETE n //",
]


def test_names_with_query_syntax_are_plain_names(tmp_path: Path) -> None:
    store = hostile_store()
    store.merge(
        [Node(f"co:q{i}", "Company", {"name": name}) for i, name in enumerate(QUERY_NAMES)], []
    )
    path = store.save(tmp_path / "store.json")
    count = (store.count_nodes(), store.count_relationships())
    for i, name in enumerate(QUERY_NAMES):
        shown = run("show", name, "--store", path, "--format", "json").output
        assert f'"id": "co:q{i}"' in shown, name
        missing = CliRunner().invoke(cli, ["show", name + "X", "--store", str(path)])
        assert missing.exit_code == 1 and "no node named" in missing.output
        targets = CliRunner().invoke(cli, ["targets", "--base", name, "--store", str(path)])
        assert targets.exit_code == 1 and "Traceback" not in targets.output
    reopened = NetworkxStore.open(path)
    assert (reopened.count_nodes(), reopened.count_relationships()) == count
