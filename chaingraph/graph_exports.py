"""Whole-graph exports for other tools: GraphML, GEXF (Gephi) and node-link JSON.

Every exporter is one :class:`GraphExporter` in one registry; ``chaingraph export``
makes a ``--<name> PATH`` option of each. Adding a format is adding one entry, e.g.::

    register(GraphExporter("neo4j-admin", "CSV files for neo4j-admin database import",
                           lazy("chaingraph.store.neo4j.admin", "write_neo4j_admin"),
                           target="directory"))

(``lazy`` imports the writer only when it runs.) A writer takes the store and a
path and returns what it wrote.

GraphML and GEXF hold only flat, typed values: a property that is a list or a
mapping (``aliases``, ``tags``, ``listing``…) is written as JSON text, and a
property whose values mix types is written as text (numbers mixing int and float
become floats); XML readers turn a lone CR in GraphML text into LF. Node-link JSON
keeps every value as it is and reads back exactly (:func:`read_node_link`).
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import orjson

from chaingraph.errors import NotFound
from chaingraph.fs import atomic_write_bytes
from chaingraph.output import json_bytes

if TYPE_CHECKING:
    # networkx and the model are imported by the writers: the registry alone (which
    # ``chaingraph --help`` reads) stays light.
    import networkx as nx

    from chaingraph.model import Node, Relationship
    from chaingraph.store.base import GraphStore

__all__ = [
    "GraphExporter",
    "export_graph",
    "exporters",
    "flat_graph",
    "get_exporter",
    "lazy",
    "read_node_link",
    "register",
    "to_networkx",
    "write_gexf",
    "write_graphml",
    "write_node_link",
]

Writer = Callable[["GraphStore", Path], Any]
# Characters XML 1.0 cannot hold at all (not even escaped).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class GraphExporter:
    """One export format: its option name, a line of help, and its writer.

    ``target`` says whether the writer wants a file or a directory path.
    """

    name: str
    help: str
    write: Writer
    target: Literal["file", "directory"] = "file"


_REGISTRY: dict[str, GraphExporter] = {}
_NODE_LINK_ENDS = {"source": "from", "target": "to"}


def register(exporter: GraphExporter) -> GraphExporter:
    """Add (or replace) an exporter; returns it."""
    _REGISTRY[exporter.name] = exporter
    return exporter


def exporters() -> list[GraphExporter]:
    """Every registered exporter, in registration order."""
    return list(_REGISTRY.values())


def get_exporter(name: str) -> GraphExporter:
    """The exporter called ``name``; :class:`NotFound` with the known names otherwise."""
    if name not in _REGISTRY:
        raise NotFound("graph export format", name, list(_REGISTRY))
    return _REGISTRY[name]


def export_graph(store: GraphStore, targets: Mapping[str, Path]) -> list[dict[str, str]]:
    """Write the whole graph in each format named in ``targets`` (exporter name -> path),
    in the order given; one row (``format``, ``path``) per file or folder written.

    Raises
    ------
    NotFound
        A format no exporter is registered for; nothing is written.

    Examples
    --------
    >>> import tempfile
    >>> from chaingraph.testing import tiny_store
    >>> path = Path(tempfile.mkdtemp()) / "tiny.json"
    >>> export_graph(tiny_store(), {"node-link": path})[0]["format"]
    'node-link'
    """
    chosen = [(get_exporter(name), path) for name, path in targets.items()]
    written = []
    for exporter, path in chosen:
        exporter.write(store, path)
        written.append({"format": exporter.name, "path": str(path)})
    return written


def lazy(module: str, function: str) -> Writer:
    """A writer that imports ``module.function`` when first called (keeps start-up fast)."""

    def write(store: GraphStore, path: Path) -> Any:
        return getattr(importlib.import_module(module), function)(store, path)

    write.__qualname__ = f"lazy({module}.{function})"
    return write


def to_networkx(store: GraphStore) -> nx.MultiDiGraph:
    """The store as a MultiDiGraph: node attributes ``node_type`` + properties, edges keyed
    ``e0, e1…`` with ``rel_type``, ``rel_key`` + properties (values untouched).

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> g = to_networkx(tiny_store())
    >>> g.nodes["co:dg-robot"]["node_type"], g.nodes["co:dg-robot"]["tags"]
    ('Company', ['龙头企业'])
    >>> g.number_of_edges() == tiny_store().count_relationships()
    True
    """
    import networkx as nx

    graph = nx.MultiDiGraph()
    for node in store.nodes():
        graph.add_node(node.id, **{**node.props, "node_type": node.type})
    for i, rel in enumerate(store.relationships()):
        graph.add_edge(
            rel.source,
            rel.target,
            key=f"e{i}",
            **{**rel.props, "rel_type": rel.type, "rel_key": rel.key},
        )
    return graph


def flat_graph(store: GraphStore) -> nx.MultiDiGraph:
    """:func:`to_networkx` with values that GraphML and GEXF can hold (see the module notes).

    Nodes also get ``label`` (their name), which Gephi shows.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> g = flat_graph(tiny_store())
    >>> g.nodes["co:dg-robot"]["tags"], g.nodes["co:dg-robot"]["label"]
    ('["龙头企业"]', '莞工机器人')
    """
    graph = to_networkx(store)
    for node_id, data in graph.nodes(data=True):
        data.setdefault("label", str(data.get("name", node_id)))
    _flatten((data for _, data in graph.nodes(data=True)))
    _flatten((data for _, _, data in graph.edges(data=True)))
    return graph


def write_graphml(store: GraphStore, path: Path) -> Path:
    """The whole graph as GraphML (UTF-8), for yEd, Gephi or Cytoscape."""
    import networkx as nx

    buffer = _xml_buffer(lambda fh: nx.write_graphml(flat_graph(store), fh, encoding="utf-8"))
    return atomic_write_bytes(Path(path), buffer)


def write_gexf(store: GraphStore, path: Path) -> Path:
    """The whole graph as GEXF 1.2 (UTF-8), Gephi's own format."""
    import networkx as nx

    buffer = _xml_buffer(lambda fh: nx.write_gexf(flat_graph(store), fh, encoding="utf-8"))
    return atomic_write_bytes(Path(path), buffer)


def write_node_link(store: GraphStore, path: Path) -> Path:
    """The whole graph as node-link JSON, every value kept.

    ``{"nodes": [{"id", "node_type", …props}], "edges": [{"from", "to", "key", "rel_type",
    "rel_key", …props}]}``: edge ends are ``from``/``to`` (as in chaingraph's YAML), since
    ``source`` is already a property (provenance). Read it with networkx as
    ``node_link_graph(data, edges="edges", source="from", target="to")``.
    """
    import networkx as nx

    data = nx.node_link_data(to_networkx(store), edges="edges", **_NODE_LINK_ENDS)
    return atomic_write_bytes(Path(path), json_bytes(data))


def read_node_link(path: Path) -> tuple[list[Node], list[Relationship]]:
    """Nodes and relationships from a file :func:`write_node_link` wrote (exact round trip)."""
    import networkx as nx

    from chaingraph.model import Node, Relationship

    data = orjson.loads(Path(path).read_bytes())
    graph = nx.node_link_graph(
        data, edges="edges", directed=True, multigraph=True, **_NODE_LINK_ENDS
    )
    nodes = []
    for node_id, attrs in graph.nodes(data=True):
        props = dict(attrs)
        nodes.append(Node(node_id, props.pop("node_type"), props))
    rels = []
    for source, target, attrs in graph.edges(data=True):
        props = dict(attrs)
        rels.append(
            Relationship(props.pop("rel_type"), source, target, props.pop("rel_key"), props)
        )
    return nodes, rels


def _flatten(records: Iterable[dict[str, Any]]) -> None:
    """Give every attribute one GraphML/GEXF type across ``records`` (in place)."""
    records = list(records)
    kinds: dict[str, set[str]] = {}
    for data in records:
        # A property name from a store someone else filled may hold characters XML
        # cannot (a control character made the export invalid XML): shown as U+FFFD.
        for key in [k for k in data if not isinstance(k, str) or _NOT_XML.search(k)]:
            data[_NOT_XML.sub("\ufffd", str(key))] = data.pop(key)
        for key, value in list(data.items()):
            if value is None:
                del data[key]
            else:
                kinds.setdefault(key, set()).add(_kind(value))
    for data in records:
        for key, value in data.items():
            found = kinds[key]
            if found == {"int", "float"}:
                data[key] = float(value)
            elif len(found) > 1 or found & {"list", "map"}:
                data[key] = value if isinstance(value, str) else _json_text(value)
            if isinstance(data[key], str):
                data[key] = _NOT_XML.sub("\ufffd", data[key])


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, Mapping):
        return "map"
    return "list"


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _xml_buffer(write: Callable[[Any], None]) -> bytes:
    import io

    buffer = io.BytesIO()
    write(buffer)
    return buffer.getvalue()


register(GraphExporter("graphml", "GraphML file (yEd, Gephi, Cytoscape).", write_graphml))
register(GraphExporter("gexf", "GEXF file (Gephi).", write_gexf))
register(
    GraphExporter(
        "node-link", "Node-link JSON file (networkx, D3), every value kept.", write_node_link
    )
)
register(
    GraphExporter(
        "neo4j-admin",
        "Directory of CSV files for neo4j-admin database import (bulk first load into Neo4j).",
        lazy("chaingraph.store.neo4j.admin", "write_neo4j_admin"),
        target="directory",
    )
)
