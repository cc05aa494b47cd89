"""Draw a :class:`~chaingraph.maps.chain_map.ChainMap` as one self-contained, offline HTML page.

Positions come from :mod:`chaingraph.maps.layout` (fixed, physics off); the pyvis
wheel supplies vis-network's JavaScript. The page comes from chaingraph's own
template, not pyvis's, because pyvis's template loads Bootstrap from a CDN even
"in line", renders ``heading`` and the select menu unescaped, and switches every
tooltip to ``innerHTML`` once a title contains ``href``. Here:

- vis-network's JavaScript (from the pyvis wheel) is inlined; no request leaves the page;
- data travels as JSON inside ``<script type="application/json">`` (``<``, ``>``, ``&``
  escaped) and the page puts every text into the document with ``textContent``;
- a Content-Security-Policy admits only the page's own two scripts (by hash), so an
  injected ``onerror=`` attribute could not run even if markup slipped through;
- the file is written as UTF-8 whatever the locale (pyvis uses the locale encoding).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from chaingraph.optional import missing

try:
    import jinja2
except ImportError as exc:  # pragma: no cover - only without the [maps] extra
    raise missing("jinja2") from exc

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.errors import ConfigError
from chaingraph.fs import atomic_write_bytes
from chaingraph.maps.chain_map import ChainMap, MapEdge, MapNode, chain_map
from chaingraph.maps.layout import FONT_SIZE
from chaingraph.store.base import GraphStore

__all__ = [
    "VIS_NETWORK_VERSION",
    "MapFile",
    "file_stem",
    "map_options",
    "page_payload",
    "render_map",
    "subtitle",
    "write_base_maps",
    "write_map",
]

VIS_NETWORK_VERSION = "9.1.2"
CROSS_BAND_EDGE = "#d3d9df"
MAX_FIRST_SCALE = 1.4  # small maps are not blown up beyond this on first view
LEGEND_NOTE = (
    "括号内 = 本地企业数 · 虚线框 = 基地重点外的相邻环节（延链） · 箭头 = 上游投入流向下游"
    " · 浅色线 = 跨产业链的投入"
)
FONT_STACK = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", '
    '"WenQuanYi Micro Hei", sans-serif'
)


def map_options() -> dict[str, Any]:
    """vis-network options: positions come from the layout (physics off, nothing moves)."""
    return {
        "layout": {"hierarchical": {"enabled": False}, "improvedLayout": False},
        "physics": {"enabled": False},
        "interaction": {
            "hover": True,
            "tooltipDelay": 100,
            "keyboard": {"enabled": True, "bindToWindow": False},
            "multiselect": True,
            "dragNodes": False,
        },
        "nodes": {
            "borderWidth": 1,
            "shape": "box",
            "margin": {"top": 6, "bottom": 6, "left": 8, "right": 8},
            "shapeProperties": {"borderRadius": 4},
            "font": {"face": FONT_STACK, "size": FONT_SIZE},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.45}},
            "color": {"color": "#9aa5b1", "highlight": "#1f2933", "hover": "#3e4c59"},
            "smooth": {
                "enabled": True,
                "type": "cubicBezier",
                "forceDirection": "horizontal",
                "roundness": 0.5,
            },
            "width": 1.1,
            "selectionWidth": 1.5,
        },
    }


def render_map(chain_map: ChainMap) -> str:
    """The page as text: one HTML document with every script and style inside it."""
    payload = page_payload(chain_map)
    data_json = jinja2.utils.htmlsafe_json_dumps(payload, dumps=_dumps)
    app_js = _asset("map.js")
    vis_js = _vis_js()
    segments = sum(1 for n in chain_map.nodes if n.kind == "segment")
    return (
        _environment()
        .get_template("map.html")
        .render(
            title=chain_map.title,
            chain_map=chain_map,
            data_json=data_json,
            scripts=[vis_js, app_js],
            csp=_csp([vis_js, app_js]),
            css=_asset("map.css"),
            node_count=len(payload["nodes"]),
            edge_count=len(payload["edges"]),
            segment_count=segments,
            subtitle=subtitle(chain_map),
            legend_note=LEGEND_NOTE,
            firm_count=len(chain_map.nodes) - segments,
            vis_version=VIS_NETWORK_VERSION,
        )
    )


def page_payload(chain_map: ChainMap) -> dict[str, Any]:
    """What the page draws, as JSON-ready data: the segments and flows shown first, the
    firms shown when their segment is clicked, the layout's bands and headers, and the
    texts of the title, legend and notes (for the picture export).
    """
    segments = [n for n in chain_map.nodes if n.kind == "segment"]
    firms = [n for n in chain_map.nodes if n.kind != "segment"]
    slots: dict[str, list[list[Any]]] = {}
    for slot in chain_map.slots:
        slots.setdefault(slot.segment, []).append([slot.firm, slot.x, slot.y])
    band = {n.id: n.band for n in chain_map.nodes}
    # Flows between chains first, so each chain's own (darker) flows are drawn over them.
    flows = sorted(
        (e for e in chain_map.edges if e.kind == "flow"),
        key=lambda e: band[e.source] == band[e.target],
    )
    firm_edges = [e for e in chain_map.edges if e.kind != "flow"]
    return {
        "nodes": [_vis_node(n, n.id in slots) for n in segments],
        "edges": [_vis_edge(f"flow:{i}", e, chain_map) for i, e in enumerate(flows)],
        "firms": [_vis_node(n, False) for n in firms],
        "firm_edges": [_vis_edge(f"firm:{e.source}|{e.target}", e, chain_map) for e in firm_edges],
        "slots": slots,
        "options": map_options(),
        "view": {
            "width": chain_map.width,
            "height": chain_map.height,
            "bands": [dataclasses.asdict(b) for b in chain_map.bands],
            "headers": [dataclasses.asdict(h) for h in chain_map.headers],
            "font": FONT_STACK,
            "max_scale": MAX_FIRST_SCALE,
        },
        "meta": {
            "title": chain_map.title,
            "subtitle": subtitle(chain_map),
            "legend": [dataclasses.asdict(e) for e in chain_map.legend],
            "legend_note": LEGEND_NOTE,
            "notes": list(chain_map.notes),
        },
    }


def subtitle(chain_map: ChainMap) -> str:
    """The line under the title: area, focus, data date."""
    parts = [f"本地范围：{chain_map.area_name}"]
    if chain_map.focus:
        parts.append(f"基地重点：{chain_map.focus}")
    parts.append(f"数据截至：{chain_map.as_of or '未注明'}")
    return " · ".join(parts)


def _text_colour(background: str) -> str:
    """Dark or white text, whichever reads better on ``background`` (#rrggbb).

    >>> _text_colour("#d62728"), _text_colour("#e6b400")
    ('#ffffff', '#1f2933')
    """
    r, g, b = (int(background[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    return "#ffffff" if (1.05 / (luminance + 0.05)) >= 4.0 else "#1f2933"


def _vis_node(n: MapNode, expandable: bool) -> dict[str, Any]:
    segment = n.kind == "segment"
    fill = n.colour if segment else "#ffffff"
    node: dict[str, Any] = {
        "id": n.id,
        "label": n.label or n.name,
        "x": n.x,
        "y": n.y,
        "fixed": True,
        "physics": False,
        "shape": "box",
        "color": {
            "background": fill,
            "border": "#1f2933" if expandable else n.colour,
            "highlight": {"background": fill, "border": "#000000"},
            "hover": {"background": fill, "border": "#000000"},
        },
        "font": {"color": _text_colour(fill), "size": n.size},
        "borderWidth": 2.5 if expandable else (1 if segment else 1.5),
        "name": n.name,
        "kind": n.kind,
        "group_label": n.group,
        "band": n.band,
        "card": dataclasses.asdict(n.card),
    }
    if segment and not n.in_focus:
        node["shapeProperties"] = {"borderDashes": [5, 3], "borderRadius": 4}
        node["color"]["border"] = "#1f2933"
        node["borderWidth"] = 1.5
    if not segment:
        node["margin"] = {"top": 4, "bottom": 4, "left": 6, "right": 6}
    return node


def _vis_edge(edge_id: str, e: MapEdge, chain_map: ChainMap) -> dict[str, Any]:
    firm = e.kind != "flow"
    edge: dict[str, Any] = {
        "id": edge_id,
        "from": e.source,
        "to": e.target,
        "kind": e.kind,
        "card": dataclasses.asdict(e.card),
        "dashes": firm,
        "arrows": {"to": {"enabled": not firm}},
    }
    if not firm:
        a, b = chain_map.node(e.source), chain_map.node(e.target)
        if abs(a.x - b.x) < 1:  # same column: bend it so it shows
            edge["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": 0.35}
        if a.band != b.band:  # between chains: lighter, so each chain's own flow reads first
            edge["color"] = {"color": CROSS_BAND_EDGE, "highlight": "#1f2933", "hover": "#3e4c59"}
            edge["width"] = 0.8
    return edge


def write_map(chain_map: ChainMap, path: Path) -> Path:
    """Write the page to ``path`` as UTF-8 (atomically); return the path."""
    return atomic_write_bytes(Path(path), render_map(chain_map).encode("utf-8"))


@dataclass(frozen=True)
class MapFile:
    """A map written to disk: whose it is, where, and how big."""

    subject: str
    subject_name: str
    path: Path
    nodes: int
    edges: int
    size_bytes: int


def write_base_maps(
    store: GraphStore,
    directory: Path,
    *,
    chain: str | None = None,
    companies: str = "none",
    max_companies: int = 80,
    top: int = 3,
    config: AnalysisConfig | None = None,
) -> list[MapFile]:
    """Write one map per base in the store into ``directory`` as ``<base>.html``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from chaingraph.testing import tiny_store
    >>> [(m.path.name, m.nodes) for m in write_base_maps(tiny_store(), pathlib.Path(tempfile.mkdtemp()))]
    [('yinping.html', 4)]
    """
    written = []
    for base in store.nodes("Base"):
        picture = chain_map(
            store,
            base.id,
            chain=chain,
            companies=companies,
            max_companies=max_companies,
            top=top,
            config=config,
        )
        path = write_map(picture, Path(directory) / f"{file_stem(base.id)}.html")
        written.append(
            MapFile(
                base.id,
                base.name,
                path,
                len(picture.nodes),
                len(picture.edges),
                path.stat().st_size,
            )
        )
    return written


def file_stem(node_id: str) -> str:
    """A safe file name stem from an id.

    >>> file_stem("base:yinping-high-end-equipment"), file_stem("chain:ic")
    ('yinping-high-end-equipment', 'ic')
    """
    stem = re.sub(r"[^a-z0-9._-]+", "-", node_id.partition(":")[2].lower()).strip("-.")
    return stem or "map"


def _dumps(obj: Any, **kwargs: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), **kwargs)


def _csp(scripts: list[str]) -> str:
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
        for s in scripts
    )
    return (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
        "img-src data: blob:; font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("chaingraph.maps", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


@cache
def _asset(name: str) -> str:
    return (
        resources.files("chaingraph.maps").joinpath("templates", name).read_text(encoding="utf-8")
    )


@cache
def _vis_js() -> str:
    try:
        package = resources.files("pyvis")
    except ModuleNotFoundError as exc:  # vis-network's JavaScript ships inside pyvis
        raise missing("pyvis") from exc
    lib = package.joinpath("templates", "lib", f"vis-{VIS_NETWORK_VERSION}")
    source = lib.joinpath("vis-network.min.js")
    if not source.is_file():
        raise ConfigError(
            f"vis-network {VIS_NETWORK_VERSION} is not inside the installed pyvis; "
            "reinstall chaingraph's pinned pyvis (0.3.x)"
        )
    text = source.read_text(encoding="utf-8")
    if "</script" in text.lower():  # would end the inline <script> early
        raise ConfigError("vis-network.min.js contains '</script'; cannot inline it safely")
    return text
