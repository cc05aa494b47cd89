"""Interactive chain maps: segments upstream → downstream, coloured by gap status, offline HTML."""

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
