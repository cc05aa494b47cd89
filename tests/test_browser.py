"""Real-browser tests: headless Chromium opens the generated maps and report from file://.

Chromium is Debian's (``/usr/bin/chromium``, installed with CJK fonts by
``scripts/install-browser``; ``make test`` runs it first), driven by Playwright for
Python through ``executable_path``: ``playwright install`` is never needed. Without
Chromium these tests fail, they do not skip.

Screenshots go to ``$CHAINGRAPH_SCREENSHOTS`` if set, else to a temporary folder.
"""

from __future__ import annotations

import os
import re
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
from chaingraph.maps.render import CHROMIUM_ARGS as RENDER_CHROMIUM_ARGS
from chaingraph.store.networkx import NetworkxStore
from chaingraph.testing import BUNDLED_BASES

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("CHAINGRAPH_CHROMIUM", "/usr/bin/chromium"))
# The same flags the library's renderer uses (chaingraph.maps.render), so the tests see
# what map --png sees.
CHROMIUM_ARGS = list(RENDER_CHROMIUM_ARGS)
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
    # The maps as pictures, inside the page: the report reads without JavaScript.
    widths = index.page.eval_on_selector_all("img.map", "els => els.map(e => e.naturalWidth)")
    assert len(widths) == 3 and min(widths) >= 1600
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
    # Firms are collapsed into their segments: a click on each segment shows them.
    for segment in page.evaluate("Object.keys(window.chaingraphMap.data.slots)"):
        page.evaluate("window.chaingraphMap.fit()")
        x, y = page.evaluate(NODE_ON_SCREEN_JS, [segment, False])
        page.mouse.click(x, y)
    assert (
        page.evaluate("window.chaingraphMap.nodes.get({filter: n => n.kind === 'company'}).length")
        > 0
    )
    assert page.title().startswith(HOSTILE_BASE_NAME)
    assert page.text_content("#cg-title").startswith(HOSTILE_BASE_NAME)
    # The node table shows every name exactly, as text.
    shown = page.eval_on_selector_all(
        "#cg-list-body td.cg-list-name", "els => els.map(e => e.textContent)"
    )
    assert set(HOSTILE_NAMES.values()) | {HOSTILE_SEGMENT[1]} <= set(shown)
    assert page.locator("img, svg, iframe, a[href^='javascript']").count() == 0

    # Hover cards: the card's title is the raw name; nothing inside it is markup.
    def check_card(node_id: str, raw: str) -> None:
        hover(page, node_id, zoom=True)
        assert page.text_content("div.vis-tooltip .cg-card-title") == raw
        assert page.locator("div.vis-tooltip *:is(img, svg, a, script, b)").count() == 0
        page.mouse.move(1, 1)

    for node_id in ("co:x-img", "co:x-href"):
        check_card(node_id, HOSTILE_NAMES[node_id])
    # Collapse the firms again (they may sit over other segments), then the segment's card.
    page.evaluate(
        "Object.keys(window.chaingraphMap.data.slots).forEach(window.chaingraphMap.collapse)"
    )
    check_card(*HOSTILE_SEGMENT)
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


# ---- Readable on first view, firms on click, pictures, the site (issue #23, #16) ----

WINDOWS = [(1280, 800), (1600, 1000)]
MIN_LABEL_PX = 10


@pytest.fixture(scope="module")
def window_pages(browser: Any) -> Iterator[Any]:
    """Open a file in a fresh context of a given window size; requests outside file:// fail."""
    opened = []

    def open_at(path: Path, size: tuple[int, int]) -> Visit:
        context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        context.remote = []

        def route(r: Any) -> None:
            if r.request.url.startswith("file://"):
                r.continue_()
            else:
                context.remote.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        opened.append(context)
        page = context.new_page()
        seen = Visit(page, remote=context.remote)
        page.on(
            "console",
            lambda m: (
                seen.console.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        page.on("pageerror", lambda e: seen.console.append(f"pageerror: {e}"))
        page.goto(path.resolve().as_uri())
        page.wait_for_selector("body[data-ready=true]", state="attached", timeout=20_000)
        return seen

    yield open_at
    for context in opened:
        context.close()


def first_view(page: Any) -> dict[str, Any]:
    """What the first view shows, read through the vis-network API in the page."""
    return page.evaluate(
        """() => {
      const map = window.chaingraphMap;
      const net = map.network;
      const scale = net.getScale();
      const canvas = map.canvasSize();
      const boxes = map.nodes.get().map(n => {
        const b = net.getBoundingBox(n.id);
        const tl = net.canvasToDOM({x: b.left, y: b.top});
        const br = net.canvasToDOM({x: b.right, y: b.bottom});
        return {id: n.id, kind: n.kind, label: n.label, px: scale * n.font.size,
                left: tl.x, top: tl.y, right: br.x, bottom: br.y};
      });
      return {scale, canvas, boxes};
    }"""
    )


def overlapping(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (a["label"], b["label"])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    ]


@pytest.mark.parametrize("size", WINDOWS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_base_map_is_readable_on_first_view(
    bundled: dict[str, Any], window_pages: Any, screenshots: Path, size: tuple[int, int]
) -> None:
    """Every segment's name is drawn at >= 10 px, inside the window, with no overlap,
    and the view is fitted to what is drawn (no stray node stretching it)."""
    for base in BASES:
        seen = window_pages(bundled["maps"] / f"{base.partition(':')[2]}.html", size)
        view = first_view(seen.page)
        segments = [b for b in view["boxes"] if b["kind"] == "segment"]
        assert len(segments) == len(chain_map(bundled["store"], base).nodes)
        small = [(b["label"], round(b["px"], 2)) for b in segments if b["px"] < MIN_LABEL_PX]
        assert small == [], (base, size, small)
        width, height = view["canvas"]["width"], view["canvas"]["height"]
        outside = [
            b["label"]
            for b in segments
            if b["left"] < 0 or b["top"] < 0 or b["right"] > width or b["bottom"] > height
        ]
        assert outside == [], (base, size, outside)
        assert overlapping(segments) == [], (base, size)
        # Fitted: the drawn nodes span most of the window's width or height.
        span_x = max(b["right"] for b in segments) - min(b["left"] for b in segments)
        span_y = max(b["bottom"] for b in segments) - min(b["top"] for b in segments)
        capped = view["scale"] >= seen.page.evaluate("window.chaingraphMap.data.view.max_scale")
        fitted = span_x > 0.8 * width or span_y > 0.75 * height
        assert fitted or capped, (base, size, span_x, span_y, view["scale"])
        # ... and centred on them.
        middle_x = (max(b["right"] for b in segments) + min(b["left"] for b in segments)) / 2
        assert abs(middle_x - width / 2) < 0.1 * width, (base, size, middle_x)
        seen.assert_clean()
        if size == (1600, 1000):
            seen.page.screenshot(path=str(screenshots / f"first-view-{base.partition(':')[2]}.png"))


def test_firms_are_collapsed_and_expand_on_click(
    bundled: dict[str, Any], tmp_path: Path, window_pages: Any
) -> None:
    """`--companies all` opens like the plain map (firms counted in their segments, not
    a hairball); a click on a segment shows its firms beside it, a second click hides them."""
    store = bundled["store"]
    picture = chain_map(store, "base:yinping-high-end-equipment", companies="all")
    path = write_map(picture, tmp_path / "all.html")
    seen = window_pages(path, (1280, 800))
    page = seen.page
    view = first_view(page)
    assert {b["kind"] for b in view["boxes"]} == {"segment"}
    assert min(b["px"] for b in view["boxes"]) >= MIN_LABEL_PX
    assert overlapping(view["boxes"]) == []
    slots = page.evaluate("window.chaingraphMap.data.slots")
    segment = max(slots, key=lambda s: len(slots[s]))
    x, y = page.evaluate(NODE_ON_SCREEN_JS, [segment, False])
    page.mouse.click(x, y)
    shown = first_view(page)["boxes"]
    firms = [b for b in shown if b["kind"] == "company"]
    assert sorted(b["id"] for b in firms) == sorted(s[0] for s in slots[segment])
    anchor = next(b for b in shown if b["id"] == segment)
    assert all(b["left"] > anchor["right"] for b in firms)  # beside their segment
    assert overlapping(firms) == []
    # The view moved to the segment and its firms; the rest of the map steps back.
    assert min(b["px"] for b in firms) >= MIN_LABEL_PX
    opacity = page.evaluate(
        "window.chaingraphMap.nodes.get().map(n => [n.id, n.opacity === undefined ? 1 : n.opacity])"
    )
    assert {i for i, o in opacity if o == 1} == {segment} | {b["id"] for b in firms}
    x, y = page.evaluate(NODE_ON_SCREEN_JS, [segment, False])
    page.mouse.click(x, y)
    assert {b["kind"] for b in first_view(page)["boxes"]} == {"segment"}
    assert page.evaluate("window.chaingraphMap.network.getScale()") == pytest.approx(view["scale"])
    seen.assert_clean()


def test_isolated_segments_sit_in_their_chain_band(
    bundled: dict[str, Any], window_pages: Any
) -> None:
    """Segments with no flow to any other (e.g. 量子信息) are drawn inside their chain's
    band, among the others, not far off stretching the view."""
    base = "base:yinping-high-end-equipment"
    picture = chain_map(bundled["store"], base)
    linked = {e.source for e in picture.edges} | {e.target for e in picture.edges}
    lonely = [n for n in picture.nodes if n.id not in linked]
    assert lonely, "the bundled yinping map has segments without flows"
    seen = window_pages(bundled["maps"] / f"{base.partition(':')[2]}.html", (1280, 800))
    boxes = {b["id"]: b for b in first_view(seen.page)["boxes"]}
    bands = {b.chain: b for b in picture.bands}
    for node in lonely:
        band = bands[node.band]
        assert band.y <= node.y <= band.y + band.height, node.name
        others = [n for n in picture.nodes if n.band == node.band and n.id != node.id]
        nearest = min(abs(n.x - node.x) + abs(n.y - node.y) for n in others)
        assert nearest <= 260, (node.name, nearest)  # next to a neighbour in its band
        assert boxes[node.id]["px"] >= MIN_LABEL_PX
    seen.assert_clean()


def svg_texts(path: Path) -> tuple[Any, list[str]]:
    import xml.etree.ElementTree as ET

    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root, [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_map_exports_png_svg_pdf(bundled: dict[str, Any], tmp_path: Path) -> None:
    """One command writes the map as PNG, SVG and PDF, at slide size, with title and legend."""
    from test_report import png_size

    store_path = bundled["maps"].parent / "store.json"
    out = {fmt: tmp_path / f"yinping.{fmt}" for fmt in ("png", "svg", "pdf")}
    result = CliRunner().invoke(
        cli,
        ["map", "--base", "银瓶", "--store", str(store_path)]
        + [arg for fmt, path in out.items() for arg in (f"--{fmt}", str(path))],
    )
    assert result.exit_code == 0, result.output
    root, texts = svg_texts(out["svg"])
    width, height = int(root.get("width")), int(root.get("height"))
    assert width == 1600 and height > 600
    assert png_size(out["png"].read_bytes()) == (width, height)
    pdf = out["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes, "no page size in the PDF"
    pts = (float(boxes[0][0]), float(boxes[0][1]))
    assert abs(pts[0] - width * 0.75) < 2 and abs(pts[1] - height * 0.75) < 2  # CSS px -> pt
    picture = chain_map(bundled["store"], "base:yinping-high-end-equipment")
    assert picture.title in texts and any("数据截至" in t for t in texts)
    for entry in picture.legend:
        assert entry.label in texts
    for node in picture.nodes:
        assert node.label in texts
    # --scale for print: the PNG gets that many more pixels.
    big = tmp_path / "big.png"
    result = CliRunner().invoke(
        cli,
        ["map", "--base", "银瓶", "--store", str(store_path), "--png", str(big), "--scale", "2"],
    )
    assert result.exit_code == 0, result.output
    assert png_size(big.read_bytes()) == (2 * width, 2 * height)


def test_hostile_names_stay_text_in_pictures(tmp_path: Path) -> None:
    from chaingraph.maps.render import render_pictures

    picture = chain_map(hostile_store(), "base:yinping")
    made = render_pictures([(picture, {"svg": tmp_path / "h.svg", "png": tmp_path / "h.png"})])
    assert [p.format for p in made] == ["svg", "png"]
    root, texts = svg_texts(tmp_path / "h.svg")
    tags = {el.tag.rpartition("}")[2] for el in root.iter()}
    assert tags <= {"svg", "defs", "marker", "path", "rect", "text", "g", "line"}, tags
    assert picture.title in texts
    assert f"{HOSTILE_SEGMENT[1]} (0)" in texts


def test_site_works_offline_from_a_zip(bundled: dict[str, Any], tmp_path: Path, visit: Any) -> None:
    """`report --all-bases` makes a site that, zipped and unzipped elsewhere, opens offline."""
    import shutil
    import zipfile
    from urllib.parse import urlparse
    from urllib.request import url2pathname

    store_path = bundled["maps"].parent / "store.json"
    site = tmp_path / "site"
    result = CliRunner().invoke(
        cli, ["report", "--all-bases", "--no-pictures", "--store", str(store_path), "-o", str(site)]
    )
    assert result.exit_code == 0, result.output
    archive = shutil.make_archive(str(tmp_path / "site"), "zip", site)
    unpacked = tmp_path / "elsewhere"
    with zipfile.ZipFile(archive) as z:
        z.extractall(unpacked)
    index = visit(unpacked / "index.html", ready=False)
    index.assert_clean()
    links = index.page.eval_on_selector_all(
        "tbody a", "els => els.map(e => e.getAttribute('href'))"
    )
    assert len([h for h in links if h.endswith("/index.html")]) == 7
    # Follow a base's link, then its first map, then back to the site's index.
    index.page.click("tbody a >> nth=0")
    index.page.wait_for_load_state()
    assert index.page.url.endswith("/index.html") and "elsewhere/" in index.page.url
    map_link = index.page.eval_on_selector("nav a[href^='maps/']", "e => e.href")
    seen = visit(Path(url2pathname(urlparse(map_link).path)))
    check_drawn(seen, int(seen.page.get_attribute("body", "data-expected-nodes")))
    seen.assert_clean()
    index.page.click("nav a[href='../index.html']")
    index.page.wait_for_load_state()
    assert index.page.url == (unpacked / "index.html").resolve().as_uri()
    index.assert_clean()
