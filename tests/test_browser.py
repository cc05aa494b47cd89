"""Real-browser tests: headless Chromium opens the generated maps and report from file://.

Chromium is Debian's (``/usr/bin/chromium``, installed with CJK fonts by
``scripts/install-browser``; ``make test`` runs it first), driven by Playwright for
Python through ``executable_path``: ``playwright install`` is never needed. Without
Chromium these tests fail, they do not skip.

Screenshots go to ``$CHAINGRAPH_SCREENSHOTS`` if set, else to a temporary folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hostile import HOSTILE_BASE_NAME, HOSTILE_NAMES, HOSTILE_SEGMENT, hostile_store

from chaingraph.cli import cli
from chaingraph.dataset import load_bundled
from chaingraph.maps import chain_map, write_map
from chaingraph.store.networkx_store import NetworkxStore
from chaingraph.testing import BUNDLED_BASES

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("CHAINGRAPH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BASES = BUNDLED_BASES
NON_BLANK_JS = """() => {
  const canvas = document.querySelector('#cg-network canvas');
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i + 3] > 0 && (pixels[i] < 235 || pixels[i + 1] < 235 || pixels[i + 2] < 235)) inked++;
  }
  return inked / (canvas.width * canvas.height);
}"""
NODE_ON_SCREEN_JS = """([id, zoom]) => {
  const net = window.chaingraphMap.network;
  if (zoom) net.focus(id, {scale: 1.6, animation: false});
  net.redraw();
  const dom = net.canvasToDOM(net.getPositions([id])[id]);
  const box = document.getElementById('cg-network').getBoundingClientRect();
  return [box.left + dom.x, box.top + dom.y];
}"""
TOOLTIP_SHOWN_JS = """() => {
  const tip = document.querySelector('div.vis-tooltip');
  return tip !== null && getComputedStyle(tip).visibility === 'visible' && tip.textContent.length > 0;
}"""


@dataclass
class Visit:
    """One page opened from file://, with everything it said and asked for."""

    page: Any
    console: list[str] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.console == [], self.console
        assert self.remote == [], f"requests outside file://: {self.remote}"
        assert self.dialogs == [], f"dialogs fired: {self.dialogs}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: run scripts/install-browser (or 'make browser') to install "
            "Debian's chromium and fonts-noto-cjk",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("CHAINGRAPH_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def context(browser: Any) -> Iterator[Any]:
    """One browser context for the module; any request outside file:// is recorded and refused."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.remote = []

    def route(r: Any) -> None:
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            context.remote.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    yield context
    context.close()


@pytest.fixture
def visit(context: Any) -> Iterator[Any]:
    pages = []

    def open_page(path: Path, ready: bool = True) -> Visit:
        page = context.new_page()
        pages.append(page)
        seen = Visit(page, remote=context.remote)
        page.on(
            "console",
            lambda m: (
                seen.console.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning", "assert")
                else None
            ),
        )
        page.on("pageerror", lambda e: seen.console.append(f"pageerror: {e}"))

        def on_dialog(d: Any) -> None:
            seen.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", on_dialog)
        page.goto(path.resolve().as_uri())
        if ready:
            page.wait_for_selector("body[data-ready=true]", state="attached", timeout=20_000)
        return seen

    yield open_page
    for page in pages:
        page.close()


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The bundled store, maps for all seven bases made by one command, and one report."""
    root = tmp_path_factory.mktemp("bundled-maps")
    store_path = root / "store.json"
    store = NetworkxStore(store_path)
    load_bundled(store)
    store.save()
    runner = CliRunner()
    maps = runner.invoke(
        cli, ["map", "--all-bases", "--store", str(store_path), "-o", str(root / "maps")]
    )
    assert maps.exit_code == 0, maps.output
    report = runner.invoke(
        cli,
        [
            "report",
            "--base",
            "银瓶高端装备产业基地",
            "--store",
            str(store_path),
            "-o",
            str(root / "report"),
        ],
    )
    assert report.exit_code == 0, report.output
    return {"store": store, "maps": root / "maps", "report": root / "report"}


def hover(page: Any, node_id: str, zoom: bool = False) -> None:
    """Move the mouse onto a node and wait for its hover card."""
    x, y = page.evaluate(NODE_ON_SCREEN_JS, [node_id, zoom])
    page.mouse.move(x, y)
    page.wait_for_function(TOOLTIP_SHOWN_JS, timeout=5_000)


def check_drawn(seen: Visit, expected: int) -> None:
    page = seen.page
    assert int(page.get_attribute("body", "data-expected-nodes")) == expected
    assert int(page.get_attribute("body", "data-drawn-nodes")) == expected
    assert page.evaluate("window.chaingraphMap.nodes.length") == expected
    assert page.evaluate(NON_BLANK_JS) > 0.002, "the network canvas is blank"


def test_all_seven_base_maps_open_offline(
    bundled: dict[str, Any], visit: Any, screenshots: Path
) -> None:
    files = sorted(p.name for p in bundled["maps"].iterdir())
    assert files == sorted(f"{b.partition(':')[2]}.html" for b in BASES)
    for base in BASES:
        path = bundled["maps"] / f"{base.partition(':')[2]}.html"
        seen = visit(path)
        seen.assert_clean()
        check_drawn(seen, len(chain_map(bundled["store"], base).nodes))
        assert seen.page.title().startswith(bundled["store"].get(base).name)
        shot = screenshots / f"map-{path.stem}.png"
        seen.page.screenshot(path=str(shot))
        assert shot.stat().st_size > 20_000


def test_report_opens_offline(bundled: dict[str, Any], visit: Any, screenshots: Path) -> None:
    folder = bundled["report"]
    for name in ("index.html", "gaps.html", "targets.html"):
        seen = visit(folder / name, ready=False)
        seen.assert_clean()
        assert seen.page.locator("table").count() >= 1
    index = visit(folder / "index.html", ready=False)
    assert index.page.evaluate("document.querySelector('img.chart').naturalWidth") > 600
    index.page.screenshot(path=str(screenshots / "report-index.png"), full_page=True)
    maps = sorted((folder / "maps").glob("*.html"))
    assert len(maps) == 3
    for path in maps:
        seen = visit(path)
        seen.assert_clean()
        expected = int(seen.page.get_attribute("body", "data-expected-nodes"))
        check_drawn(seen, expected)
        # Hover the segment with the most local firms: its card lists them.
        node = seen.page.evaluate(
            "() => window.chaingraphMap.nodes.get().sort((a, b) => b.size - a.size)[0]"
        )
        hover(seen.page, node["id"])
        card = seen.page.locator("div.vis-tooltip")
        assert card.locator(".cg-card-title").text_content() == node["name"]
        assert "本地企业" in card.text_content() and "招商目标" in card.text_content()
        seen.page.screenshot(path=str(screenshots / f"report-map-{path.stem}.png"))
        seen.assert_clean()


def test_hostile_names_show_as_text(tmp_path: Path, visit: Any) -> None:
    store = hostile_store()
    path = write_map(
        chain_map(store, "base:yinping", companies="all", max_companies=100, top=10),
        tmp_path / "hostile.html",
    )
    seen = visit(path)
    page = seen.page
    assert page.title().startswith(HOSTILE_BASE_NAME)
    assert page.text_content("#cg-title").startswith(HOSTILE_BASE_NAME)
    # The node table shows every name exactly, as text.
    shown = page.eval_on_selector_all(
        "#cg-list-body td.cg-list-name", "els => els.map(e => e.textContent)"
    )
    assert set(HOSTILE_NAMES.values()) | {HOSTILE_SEGMENT[1]} <= set(shown)
    assert page.locator("img, svg, iframe, a[href^='javascript']").count() == 0
    # Hover cards: the card's title is the raw name; nothing inside it is markup.
    for node_id, raw in [
        ("co:x-img", HOSTILE_NAMES["co:x-img"]),
        HOSTILE_SEGMENT,
        ("co:x-href", HOSTILE_NAMES["co:x-href"]),
    ]:
        hover(page, node_id, zoom=True)
        assert page.text_content("div.vis-tooltip .cg-card-title") == raw
        assert page.locator("div.vis-tooltip *:is(img, svg, a, script, b)").count() == 0
        page.mouse.move(1, 1)
    segment_card = page.evaluate(
        "id => window.chaingraphMap.nodes.get(id).title.textContent", HOSTILE_SEGMENT[0]
    )
    assert "\rCR" in segment_card and "-2" in segment_card
    # Search finds a hostile name typed as text.
    page.fill("#cg-search", "<img src=x")
    assert page.text_content("#cg-search-status") == "1 个匹配"
    assert page.evaluate("window.chaingraphMap.network.getSelectedNodes()") == ["co:x-img"]
    page.wait_for_timeout(200)  # give any injected handler the chance to fire
    seen.assert_clean()
