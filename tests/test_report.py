"""The static HTML report: pages, links, tables, chart and exports, offline and escaped."""

from __future__ import annotations

import re
import struct
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hostile import HOSTILE_BASE_NAME, HOSTILE_NAMES, hostile_store

from chaingraph.analysis.gaps import gaps
from chaingraph.cli import cli
from chaingraph.dataset import load_bundled
from chaingraph.reports import build_report, cjk_font, coverage_counts, coverage_png
from chaingraph.store.networkx import NetworkxStore
from chaingraph.testing import tiny_store


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def links_of(page: Path) -> list[str]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.links


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_report_folder(tmp_path: Path) -> None:
    out = build_report(tiny_store(), "base:yinping", tmp_path / "r")
    names = sorted(p.relative_to(out.directory).as_posix() for p in out.files)
    assert names == [
        "coverage.png",
        "gaps.html",
        "gaps.xlsx",
        "index.html",
        "maps/robot.html",
        "maps/robot.png",
        "targets.html",
        "targets.xlsx",
    ]
    assert out.index == out.directory / "index.html" and out.notes == ()
    # The map's picture is a slide-size PNG, also inside the index page (reads without JS).
    width, height = png_size((out.directory / "maps" / "robot.png").read_bytes())
    assert width >= 1600 and height > 300
    # Every link is relative and points at a file in the folder (works zipped and mailed).
    for page in out.directory.rglob("*.html"):
        for link in links_of(page):
            if link.startswith("data:"):
                continue
            assert not re.match(r"^[a-z]+:|^//|^/", link), (page, link)
            assert (page.parent / link).resolve().is_file(), (page, link)
    index = (out.directory / "index.html").read_text(encoding="utf-8")
    assert index.count('src="data:image/png;base64,') == 2  # chart and map travel inside
    assert '<img class="map"' in index and 'href="maps/robot.png"' in index
    assert "完整度 <b>50%</b>" in index
    assert 'href="maps/robot.html"' in index


def test_report_tables(tmp_path: Path) -> None:
    store = tiny_store()
    out = build_report(store, "base:yinping", tmp_path, top=1, pictures=False)
    gaps_page = (tmp_path / "gaps.html").read_text(encoding="utf-8")
    for g in gaps(store, "base:yinping").segments:
        assert escape(g.rule, quote=False) in gaps_page
    targets_page = (tmp_path / "targets.html").read_text(encoding="utf-8")
    assert "苏减速" in targets_page and "日伺服" in targets_page
    ws = openpyxl.load_workbook(tmp_path / "targets.xlsx").worksheets[0]
    assert ws.max_row == 3  # header + one target per gap with a maker elsewhere
    assert out.maps == (tmp_path / "maps" / "robot.html",)


def test_pages_are_offline_and_script_free(tmp_path: Path) -> None:
    build_report(tiny_store(), "base:yinping", tmp_path, pictures=False)
    for name in ("index.html", "gaps.html", "targets.html"):
        html = (tmp_path / name).read_text(encoding="utf-8")
        assert "<script" not in html
        assert "default-src 'none'" in html.replace("&#39;", "'")
        assert not re.search(r"(src|href)=[\"']?(https?:)?//", html)


def test_hostile_names_are_escaped_everywhere(tmp_path: Path) -> None:
    build_report(hostile_store(), "base:yinping", tmp_path, top=10)
    pages = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.rglob("*.html")}
    for name, html in pages.items():
        assert "<img src=x" not in html and "<svg" not in html, name
        assert html.count("<img") == 2 * (name == "index.html"), name  # the chart, the map
        assert HOSTILE_BASE_NAME not in html, name
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages["gaps.html"]
    assert "=HYPERLINK(&#34;http://x&#34;)" in pages["targets.html"]
    assert "{{ 7*7 }}" in pages["gaps.html"]  # not evaluated as a template
    assert any(raw in pages["targets.html"] for raw in HOSTILE_NAMES.values() if "<" not in raw)


def test_coverage_chart_uses_a_cjk_font() -> None:
    font = cjk_font()
    assert font is not None, "no CJK font: run scripts/install-browser (installs fonts-noto-cjk)"
    report = gaps(tiny_store(), "base:yinping")
    assert coverage_counts(report) == {"工业机器人": {"数据不足": 4}}
    # filterwarnings=error: a missing glyph ("Glyph ... missing from font") would fail here.
    width, height = png_size(coverage_png(report, font))
    assert width > 600 and height > 100


@pytest.fixture(scope="module")
def bundled_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bundled") / "store.json"
    store = NetworkxStore(path)
    load_bundled(store)
    store.save()
    return path


def test_report_command_on_bundled_base(bundled_store: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "report",
            "--base",
            "银瓶高端装备产业基地",
            "--store",
            str(bundled_store),
            "-o",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"open {tmp_path / 'index.html'}" in result.output
    chains = gaps(NetworkxStore.open(bundled_store), "base:yinping-high-end-equipment").chains
    maps = sorted(p.name for p in (tmp_path / "maps").glob("*.html"))
    assert len(maps) == len(chains) == 3
    for name in maps:  # each map also as a slide-size picture
        width, _ = png_size((tmp_path / "maps" / name).with_suffix(".png").read_bytes())
        assert width >= 1600
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    for c in chains:
        assert c.name in index


def test_report_without_pictures_says_nothing_is_missing(tmp_path: Path) -> None:
    out = build_report(tiny_store(), "base:yinping", tmp_path, pictures=False)
    assert not (tmp_path / "maps" / "robot.png").exists()
    assert out.notes == ()
    assert '<img class="map"' not in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_all_bases_site(bundled_store: Path, tmp_path: Path) -> None:
    """`report --all-bases` writes an index of every base linking each base's report."""
    site = tmp_path / "site"
    result = CliRunner().invoke(
        cli,
        ["report", "--all-bases", "--no-pictures", "--store", str(bundled_store), "-o", str(site)],
    )
    assert result.exit_code == 0, result.output
    assert f"open {site / 'index.html'}" in result.output
    store = NetworkxStore.open(bundled_store)
    bases = list(store.nodes("Base"))
    assert len(bases) == 7
    index = (site / "index.html").read_text(encoding="utf-8")
    for base in bases:
        stem = base.id.partition(":")[2]
        assert f'<a href="{stem}/index.html">{escape(base.name)}</a>' in index
        report = gaps(store, base.id)
        for c in report.chains:
            assert f"{escape(c.name)}</a> {c.completeness * 100:.0f}%" in index
        # The base's report links back to the site's index.
        assert 'href="../index.html"' in (site / stem / "index.html").read_text(encoding="utf-8")
    # Every link of every page is relative and resolves inside the site.
    pages = list(site.rglob("*.html"))
    assert len(pages) > 7 * 4
    for page in pages:
        for link in links_of(page):
            if link.startswith("data:"):
                continue
            assert not re.match(r"^[a-z]+:|^//|^/", link), (page, link)
            assert (page.parent / link).resolve().is_file(), (page, link)
            assert site.resolve() in (page.parent / link).resolve().parents, (page, link)
    both = CliRunner().invoke(
        cli,
        ["report", "--all-bases", "--base", "银瓶", "--store", str(bundled_store), "-o", str(site)],
    )
    assert both.exit_code == 1 and "--all-bases" in both.output
