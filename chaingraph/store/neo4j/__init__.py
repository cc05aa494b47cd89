"""The Neo4j engine: the chain graph in a Neo4j 5.26+ server, a cluster or Aura.

Side by side with :mod:`chaingraph.store.networkx`, file for file:

- ``store.py``: :class:`Neo4jStore`, the contract of :class:`~chaingraph.store.base.GraphStore`
  (basic reads) and :func:`open_store`, how the command line opens it;
- ``aggregates.py``: the aggregate reads, one named query of ``queries/`` each;
- ``merge.py``: batched merge, checked whole before anything is written, finishing an
  interrupted load when run again;
- ``encoding.py``: how records are laid out as Neo4j properties, and read back;
- ``connection.py``: the settings (:class:`Neo4jSettings`, read in this one place), the
  driver, retries and the version check;
- ``admin.py``: files for ``neo4j-admin database import full``, and the bulk import.
- ``sharing.py``: which of those files each writing process writes; ``forked.py``: the
  processes (forked children reading the open store copy-on-write).

Names are imported on first use (PEP 562): the command line reads the settings without
loading the driver.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chaingraph.store.neo4j.admin import (
        ARRAY_DELIMITER,
        BulkImport,
        bulk_import,
        import_arguments,
        write_neo4j_admin,
    )
    from chaingraph.store.neo4j.connection import Neo4jSettings
    from chaingraph.store.neo4j.encoding import (
        ENTITY_LABEL,
        node_properties,
        relationship_properties,
        schema_statements,
    )
    from chaingraph.store.neo4j.merge import DEFAULT_BATCH_SIZE, DEFAULT_WRITERS
    from chaingraph.store.neo4j.store import Neo4jStore, open_store

__all__ = [
    "ARRAY_DELIMITER",
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_WRITERS",
    "ENTITY_LABEL",
    "BulkImport",
    "Neo4jSettings",
    "Neo4jStore",
    "bulk_import",
    "import_arguments",
    "node_properties",
    "open_store",
    "relationship_properties",
    "schema_statements",
    "write_neo4j_admin",
]

_LAZY = {
    "ARRAY_DELIMITER": "admin",
    "BulkImport": "admin",
    "bulk_import": "admin",
    "import_arguments": "admin",
    "write_neo4j_admin": "admin",
    "Neo4jSettings": "connection",
    "ENTITY_LABEL": "encoding",
    "node_properties": "encoding",
    "relationship_properties": "encoding",
    "schema_statements": "encoding",
    "DEFAULT_BATCH_SIZE": "merge",
    "DEFAULT_WRITERS": "merge",
    "Neo4jStore": "store",
    "open_store": "store",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'chaingraph.store.neo4j' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"chaingraph.store.neo4j.{module}"), name)
