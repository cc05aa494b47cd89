"""Interactive chain maps: segments upstream → downstream, coloured by gap status, offline HTML."""

from typing import TYPE_CHECKING, Any

from chaingraph.maps.chain_map import (
    COMPANY_CHOICES,
    STATUS_COLOURS,
    Card,
    ChainMap,
    LegendEntry,
    MapEdge,
    MapNode,
    Section,
    chain_map,
    chain_subreport,
)

if TYPE_CHECKING:
    from chaingraph.maps.html import (
        MapFile,
        file_stem,
        map_options,
        render_map,
        write_base_maps,
        write_map,
    )

__all__ = [
    "COMPANY_CHOICES",
    "STATUS_COLOURS",
    "Card",
    "ChainMap",
    "LegendEntry",
    "MapEdge",
    "MapFile",
    "MapNode",
    "Section",
    "chain_map",
    "chain_subreport",
    "file_stem",
    "map_options",
    "render_map",
    "write_base_maps",
    "write_map",
]

# The HTML writers need pyvis (the [maps] extra): imported on first use (PEP 562).
_HTML = ("MapFile", "file_stem", "map_options", "render_map", "write_base_maps", "write_map")


def __getattr__(name: str) -> Any:
    if name not in _HTML:
        raise AttributeError(f"module 'chaingraph.maps' has no attribute {name!r}")
    from chaingraph.maps import html

    return getattr(html, name)
