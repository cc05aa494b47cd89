"""chaingraph: an industry-chain knowledge graph (产业链知识图谱) for regional investment promotion.

The public API, in short::

    from chaingraph import open_default_store, gaps, targets
    store = open_default_store()                 # bundled Dongguan dataset
    report = gaps(store, "银瓶高端装备产业基地")    # 建链/补链/强链/延链/优势
    best = targets(store, "银瓶", segment="减速器", top=3)
"""

from typing import TYPE_CHECKING, Any

# The public names are imported on first use (PEP 562), so that ``chaingraph --help``
# and ``import chaingraph.cli`` stay fast: name -> module that defines it.
_LAZY = {
    "AnalysisConfig": "chaingraph.analysis.config",
    "ChaingraphError": "chaingraph.errors",
    "GraphStore": "chaingraph.store.base",
    "NetworkxStore": "chaingraph.store.networkx",
    "chokepoints": "chaingraph.analysis.chokepoints",
    "compare": "chaingraph.analysis.compare",
    "gaps": "chaingraph.analysis.gaps",
    "load_config": "chaingraph.analysis.config",
    "load_files": "chaingraph.loaders",
    "open_default_store": "chaingraph.dataset",
    "plan": "chaingraph.analysis.plan",
    "targets": "chaingraph.analysis.targets",
    "validate_files": "chaingraph.loaders",
}

if TYPE_CHECKING:
    from chaingraph.analysis.chokepoints import chokepoints
    from chaingraph.analysis.compare import compare
    from chaingraph.analysis.config import AnalysisConfig, load_config
    from chaingraph.analysis.gaps import gaps
    from chaingraph.analysis.plan import plan
    from chaingraph.analysis.targets import targets
    from chaingraph.dataset import open_default_store
    from chaingraph.errors import ChaingraphError
    from chaingraph.loaders import load_files, validate_files
    from chaingraph.store import GraphStore, NetworkxStore


def __getattr__(name: str) -> Any:
    if name == "__version__":  # importlib.metadata is slow to import: only when asked
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("chaingraph")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            return "0.0.0"
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'chaingraph' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "AnalysisConfig",
    "ChaingraphError",
    "GraphStore",
    "NetworkxStore",
    "chokepoints",
    "compare",
    "gaps",
    "load_config",
    "load_files",
    "open_default_store",
    "plan",
    "targets",
    "validate_files",
]
