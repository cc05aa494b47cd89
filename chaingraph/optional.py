"""Optional dependencies, grouped in the extras of ``pyproject.toml``.

The base install is what ``make demo`` needs (the embedded store, gaps, targets,
exports); the rest comes with an extra:

``neo4j``  the Neo4j driver (``--neo4j``, ``neo4j-push``/``neo4j-pull``)
``nlp``    spaCy and jieba (``ingest-text``)
``maps``   pyvis, Jinja2, matplotlib and playwright (``map``, ``report``, map pictures)
``registry`` cpca, pyahocorasick and xlrd (``classify``, ``load --classify``)
``dev``    all of the above, plus the test and lint tools

Modules that need one import it at the top inside ``try``/``except ImportError``
and raise :func:`missing`, so the user reads which extra to install instead of a
bare ``ModuleNotFoundError``; the command line imports such modules only inside
the commands that use them, so ``chaingraph --help`` needs none of them.
"""

from __future__ import annotations

from chaingraph.errors import MissingDependency

__all__ = ["EXTRAS", "HEAVY_MODULES", "missing"]

# Top-level module -> the extra that installs it.
EXTRAS: dict[str, str] = {
    "neo4j": "neo4j",
    "spacy": "nlp",
    "jieba": "nlp",
    "pyvis": "maps",
    "jinja2": "maps",
    "matplotlib": "maps",
    "playwright": "maps",
    "cpca": "registry",
    "ahocorasick": "registry",
    "xlrd": "registry",
}

# Modules that ``chaingraph --help`` must not import (start-up time; see bench/cli_startup.py).
HEAVY_MODULES: tuple[str, ...] = (
    "neo4j",
    "spacy",
    "jieba",
    "playwright",
    "matplotlib",
    "pyvis",
    "cpca",
    "pandas",
    "ahocorasick",
)


def missing(module: str) -> MissingDependency:
    """The error to raise when importing the optional dependency ``module`` failed.

    Examples
    --------
    >>> try:
    ...     import spacy
    ... except ImportError as exc:
    ...     raise missing("spacy") from exc
    >>> missing("spacy").extra, missing("neo4j").extra
    ('nlp', 'neo4j')
    """
    return MissingDependency(module, EXTRAS[module.split(".")[0]])
