"""Draw a :class:`~chaingraph.maps.chain_map.ChainMap` as one self-contained, offline HTML page.

pyvis assembles the network (nodes, edges, vis-network options); the page comes
from chaingraph's own template, not pyvis's, because pyvis's template loads
Bootstrap from a CDN even "in line", renders ``heading`` and the select menu
unescaped, and switches every tooltip to ``innerHTML`` once a title contains
``href``. Here:

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
    from pyvis.network import Network
except ImportError as exc:  # pragma: no cover - only without the [maps] extra
    raise missing(exc.name if exc.name == "jinja2" else "pyvis") from exc

from chaingraph.analysis.config import AnalysisConfig
from chaingraph.errors import ConfigError
from chaingraph.maps.chain_map import ChainMap, chain_map
from chaingraph.store.base import GraphStore
from chaingraph.store.fileformat import atomic_write_bytes

__all__ = [
    "VIS_NETWORK_VERSION",
    "MapFile",
    "file_stem",
    "map_options",
    "render_map",
    "write_base_maps",
    "write_map",
]

VIS_NETWORK_VERSION = "9.1.2"
FONT_STACK = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", '
    '"WenQuanYi Micro Hei", sans-serif'
)


def map_options() -> dict[str, Any]:
    """vis-network options: hierarchical left-to-right layout, physics off (drawn at once)."""
    return {
        "layout": {
            "hierarchical": {
                "enabled": True,
                "direction": "LR",
                "sortMethod": "directed",
                "levelSeparation": 260,
                "nodeSpacing": 105,
                "treeSpacing": 120,
                "blockShifting": True,
                "edgeMinimization": True,
                "parentCentralization": True,
            }
        },
        "physics": {"enabled": False},
        "interaction": {
            "hover": True,
            "tooltipDelay": 100,
            "keyboard": {"enabled": True, "bindToWindow": False},
            "multiselect": True,
        },
        "nodes": {
            "borderWidth": 1,
            "font": {"face": FONT_STACK, "size": 15, "strokeWidth": 3, "strokeColor": "#ffffff"},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "color": {"color": "#a7b1bc", "highlight": "#333333", "hover": "#555555"},
            "smooth": {
                "enabled": True,
                "type": "cubicBezier",
                "forceDirection": "horizontal",
                "roundness": 0.45,
            },
            "width": 1.2,
        },
    }


def render_map(chain_map: ChainMap) -> str:
    """The page as text: one HTML document with every script and style inside it."""
    net = _network(chain_map)
    nodes, edges, heading, _height, _width, _options = net.get_network_data()
    payload = {"nodes": nodes, "edges": edges, "options": map_options()}
    data_json = jinja2.utils.htmlsafe_json_dumps(payload, dumps=_dumps)
    app_js = _asset("map.js")
    vis_js = _vis_js()
    return (
        _environment()
        .get_template("map.html")
        .render(
            title=heading,
            chain_map=chain_map,
            data_json=data_json,
            scripts=[vis_js, app_js],
            csp=_csp([vis_js, app_js]),
            css=_asset("map.css"),
            node_count=len(nodes),
            edge_count=len(edges),
            vis_version=VIS_NETWORK_VERSION,
        )
    )


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


def _network(chain_map: ChainMap) -> Network:
    net = Network(directed=True, heading=chain_map.title, cdn_resources="in_line")
    for n in chain_map.nodes:
        net.add_node(
            n.id,
            label=n.name if n.kind == "company" else f"{n.name}\n本地 {n.local_firms} 家",
            shape=n.shape,
            color=n.colour,
            size=n.size,
            level=n.level,
            name=n.name,
            kind=n.kind,
            group_label=n.group,
            card=dataclasses.asdict(n.card),
        )
    for e in chain_map.edges:
        firm = e.kind != "flow"
        net.add_edge(
            e.source,
            e.target,
            kind=e.kind,
            card=dataclasses.asdict(e.card),
            dashes=firm,
            arrows={"to": {"enabled": not firm}},
        )
    return net


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
    lib = resources.files("pyvis").joinpath("templates", "lib", f"vis-{VIS_NETWORK_VERSION}")
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
