"""Pictures of chain maps for slides and print: PNG, SVG and PDF, drawn in headless Chromium.

The map page is opened in Chromium (Debian's ``/usr/bin/chromium``, or
``$CHAINGRAPH_CHROMIUM``, driven by Playwright through ``executable_path``; no
``playwright install`` download). The page draws the network exactly as it does
on screen, then turns what it drew into one SVG with the title, legend and data
date (``chaingraphMap.toSVG``: node boxes measured by the browser, texts as text).
That SVG is the ``.svg``; the ``.png`` is Chromium's rendering of it at
``width × scale`` pixels; the ``.pdf`` is Chromium's print of it (vector, text kept).

Playwright is imported only when a picture is made, so ``chaingraph`` without the
maps extra still imports and runs everything else.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chaingraph.errors import ConfigError
from chaingraph.fs import atomic_write_bytes
from chaingraph.maps.chain_map import ChainMap
from chaingraph.maps.html import write_map

__all__ = ["FORMATS", "Picture", "chromium_path", "render_picture", "render_pictures"]

FORMATS = ("png", "svg", "pdf")
DEFAULT_WIDTH = 1600  # CSS pixels: a 16:9 slide's width
VIEWPORT = {"width": 1600, "height": 1000}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_HINT = (
    "install Playwright for Python (pip install 'playwright>=1.45', part of chaingraph's "
    "maps extra) and Chromium with CJK fonts (scripts/install-browser, or apt-get install "
    "chromium fonts-noto-cjk); no 'playwright install' needed"
)


@dataclass(frozen=True)
class Picture:
    """A picture written: where, its format, and its size in pixels (PDF: CSS pixels)."""

    path: Path
    format: str
    width: int
    height: int
    size_bytes: int


def chromium_path() -> Path:
    """The Chromium to drive: ``$CHAINGRAPH_CHROMIUM``, else ``/usr/bin/chromium``.

    Raises
    ------
    ConfigError
        When it is not there, naming the install step.
    """
    path = Path(os.environ.get("CHAINGRAPH_CHROMIUM") or "/usr/bin/chromium")
    if not path.exists():
        raise ConfigError(f"{path}: Chromium not found (set CHAINGRAPH_CHROMIUM or {INSTALL_HINT})")
    return path


def picture_format(path: Path) -> str:
    """The format a file name asks for.

    >>> picture_format(Path("map.PNG"))
    'png'
    """
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ConfigError(f"{path}: a picture is .png, .svg or .pdf, not {Path(path).suffix!r}")
    return fmt


def render_picture(
    chain_map: ChainMap, path: Path, *, width: int = DEFAULT_WIDTH, scale: float = 1.0
) -> Picture:
    """Render ``chain_map`` to ``path`` (format from its suffix: .png, .svg or .pdf).

    Parameters
    ----------
    chain_map
        The map to draw.
    path
        Where to write it.
    width
        Picture width in CSS pixels (at least 1600 suits a slide).
    scale
        Pixel density of the PNG (2 or 3 for print); SVG and PDF are vectors.

    Returns
    -------
    Picture

    Raises
    ------
    ConfigError
        For an unknown suffix, or when Playwright or Chromium is missing.
    """
    return render_pictures(
        [(chain_map, {picture_format(path): Path(path)})], width=width, scale=scale
    )[0]


def render_pictures(
    maps: Sequence[tuple[ChainMap, Mapping[str, Path]]],
    *,
    width: int = DEFAULT_WIDTH,
    scale: float = 1.0,
) -> list[Picture]:
    """Render several maps, each to one or more formats, with one browser.

    ``maps`` pairs each map with ``{format: path}`` (format one of :data:`FORMATS`).
    """
    if width < 320:
        raise ConfigError(f"picture width {width} is too small: give at least 320 pixels")
    if not 0.5 <= scale <= 8:
        raise ConfigError(f"--scale {scale}: give a pixel density between 0.5 and 8")
    for _, wanted in maps:
        for fmt in wanted:
            if fmt not in FORMATS:
                raise ConfigError(f"unknown picture format {fmt!r}: one of {', '.join(FORMATS)}")
    # Playwright's sync API refuses to run where an asyncio loop runs (Jupyter, or a
    # caller already driving a browser): a worker thread has none.
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(_render, maps, width, scale).result()


def _render(
    maps: Sequence[tuple[ChainMap, Mapping[str, Path]]], width: int, scale: float
) -> list[Picture]:
    written = []
    with _browser() as browser, tempfile.TemporaryDirectory(prefix="chaingraph-map-") as tmp:
        for n, (chain_map, wanted) in enumerate(maps):
            page_path = write_map(chain_map, Path(tmp) / f"map-{n}.html")
            svg, w, h = _svg(browser, page_path, width)
            for fmt, path in wanted.items():
                path = Path(path)
                path.parent.mkdir(parents=True, exist_ok=True)
                if fmt == "svg":
                    body = ('<?xml version="1.0" encoding="UTF-8"?>\n' + svg).encode("utf-8")
                    size = (w, h)
                elif fmt == "png":
                    body = _print(browser, svg, w, h, scale, pdf=False)
                    size = (round(w * scale), round(h * scale))
                else:
                    body = _print(browser, svg, w, h, scale, pdf=True)
                    size = (w, h)
                atomic_write_bytes(path, body)
                written.append(Picture(path, fmt, size[0], size[1], path.stat().st_size))
    return written


@contextmanager
def _browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise ConfigError(f"pictures need Playwright: {INSTALL_HINT}") from exc
    chromium = chromium_path()
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        except Exception as exc:  # playwright's Error: the browser did not start
            raise ConfigError(f"{chromium} did not start: {exc}".splitlines()[0]) from exc
        try:
            yield browser
        finally:
            browser.close()


def _offline(context: Any) -> None:
    """Refuse every request that is not a local file or inline data."""

    def route(r: Any) -> None:
        if r.request.url.startswith(("file://", "data:", "about:")):
            r.continue_()
        else:
            r.abort()

    context.route("**/*", route)


def _svg(browser: Any, page_path: Path, width: int) -> tuple[str, int, int]:
    context = browser.new_context(viewport=VIEWPORT)
    _offline(context)
    try:
        page = context.new_page()
        page.goto(page_path.resolve().as_uri())
        page.wait_for_selector("body[data-ready=true]", state="attached", timeout=30_000)
        page.evaluate("document.fonts.ready")
        out = page.evaluate("w => window.chaingraphMap.toSVG({width: w})", width)
        return str(out["svg"]), int(out["width"]), int(out["height"])
    finally:
        context.close()


def _print(browser: Any, svg: str, width: int, height: int, scale: float, *, pdf: bool) -> bytes:
    context = browser.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=scale
    )
    _offline(context)
    try:
        page = context.new_page()
        page.set_content(
            "<!DOCTYPE html><html><head><meta charset='utf-8'>"
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            "<style>@page { margin: 0; } html, body { margin: 0; padding: 0; background: #fff; }"
            " svg { display: block; }</style></head><body>" + svg + "</body></html>"
        )
        page.evaluate("document.fonts.ready")
        if pdf:
            return bytes(
                page.pdf(
                    width=f"{width}px",
                    height=f"{height}px",
                    print_background=True,
                    page_ranges="1",
                )
            )
        return bytes(
            page.screenshot(clip={"x": 0, "y": 0, "width": width, "height": height}, type="png")
        )
    finally:
        context.close()
