"""Draw one map of a base or region and write it: the HTML page and/or pictures (``chaingraph map``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from chaingraph.errors import ConfigError
from chaingraph.maps.chain_map import chain_map
from chaingraph.maps.html import write_map
from chaingraph.maps.render import picture_format, render_pictures

if TYPE_CHECKING:
    from chaingraph.analysis.config import AnalysisConfig
    from chaingraph.store.base import GraphStore

__all__ = ["DrawnFile", "draw_map"]

HTML_SUFFIXES = (".html", ".htm")


@dataclass(frozen=True)
class DrawnFile:
    """A file :func:`draw_map` wrote: whose map, where, in which format, how big."""

    subject_name: str
    file: str
    format: str
    size: str
    size_bytes: int


def draw_map(
    store: GraphStore,
    base: str | None = None,
    *,
    region: str | None = None,
    chain: str | None = None,
    output: Path | None = None,
    pictures: Mapping[str, Path] | None = None,
    width: int = 1600,
    scale: float = 1.0,
    companies: str = "none",
    max_companies: int = 80,
    top: int = 3,
    config: AnalysisConfig | None = None,
) -> list[DrawnFile]:
    """Draw the chain map of a base (or region) and write it as HTML and/or pictures.

    Parameters
    ----------
    store
        The graph.
    base, region, chain
        What to draw, as for :func:`~chaingraph.maps.chain_map.chain_map`.
    output
        The ``.html`` file to write, or None for pictures only.
    pictures
        Picture format (``png``, ``svg``, ``pdf``) -> file, drawn by headless Chromium.
    width, scale
        Picture width in pixels and PNG pixel density.
    companies, max_companies, top, config
        As for :func:`~chaingraph.maps.chain_map.chain_map`.

    Returns
    -------
    list of DrawnFile
        The HTML page first, then the pictures.

    Raises
    ------
    ConfigError
        ``output`` is not an ``.html`` file, or a picture's file does not end in its
        format; nothing is drawn.

    Examples
    --------
    >>> import tempfile
    >>> from chaingraph.testing import tiny_store
    >>> path = Path(tempfile.mkdtemp()) / "yinping.html"
    >>> [(f.format, f.size) for f in draw_map(tiny_store(), "base:yinping", output=path)]
    [('html', '4 nodes')]
    """
    pictures = dict(pictures or {})
    if output is not None and output.suffix.lower() not in HTML_SUFFIXES:
        raise ConfigError(
            f"{output}: a map is an .html file (--png/--svg/--pdf for pictures, "
            "or --all-bases for a folder)"
        )
    for fmt, path in pictures.items():
        if picture_format(path) != fmt:
            raise ConfigError(f"{path}: --{fmt} writes a .{fmt} file")
    picture = chain_map(
        store,
        base,
        region=region,
        chain=chain,
        companies=companies,
        max_companies=max_companies,
        top=top,
        config=config,
    )
    made: list[DrawnFile] = []
    if output is not None:
        path = write_map(picture, output)
        made.append(
            DrawnFile(
                picture.subject_name,
                str(path),
                "html",
                f"{len(picture.nodes)} nodes",
                path.stat().st_size,
            )
        )
    if pictures:
        for drawn in render_pictures([(picture, pictures)], width=width, scale=scale):
            made.append(
                DrawnFile(
                    picture.subject_name,
                    str(drawn.path),
                    drawn.format,
                    f"{drawn.width}x{drawn.height}",
                    drawn.size_bytes,
                )
            )
    return made
