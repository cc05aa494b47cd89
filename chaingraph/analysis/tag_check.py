"""Check filter tags against the data: a tag no firm carries filters everything out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from chaingraph.store.base import GraphStore

__all__ = ["TagCheck", "check_tags"]


@dataclass(frozen=True)
class TagCheck:
    """Which of the asked tags no company in the store carries, and the tags that exist.

    ``known`` holds every company tag in the store with how many firms carry it,
    most common first.
    """

    asked: tuple[str, ...]
    missing: tuple[str, ...]
    known: tuple[tuple[str, int], ...]

    @property
    def notes(self) -> tuple[str, ...]:
        """One line per missing tag, in Chinese (it is about the data), listing what exists."""
        if not self.missing:
            return ()
        existing = "、".join(f"{tag}({n})" for tag, n in self.known) or "（无）"
        return tuple(
            f"标签 {tag!r}: 当前数据中没有任何企业带有此标签，按它筛选不会有结果。"
            f"已有标签(企业数): {existing}"
            for tag in self.missing
        )


def check_tags(store: GraphStore, tags: Sequence[str]) -> TagCheck:
    """Compare ``tags`` with the tags of the companies in ``store``.

    Parameters
    ----------
    store
        Any graph store (the embedded one or Neo4j).
    tags
        Tags a filter asks for (e.g. ``targets --tag``).

    Returns
    -------
    TagCheck
        The tags no company carries, and every tag that does occur.

    Examples
    --------
    >>> from chaingraph.testing import tiny_store
    >>> check = check_tags(tiny_store(), ["龙头企业", "专精特新"])
    >>> check.missing
    ('专精特新',)
    >>> "龙头企业" in dict(check.known)
    True
    >>> check_tags(tiny_store(), []).notes
    ()
    """
    asked = tuple(dict.fromkeys(t.strip() for t in tags if t.strip()))
    if not asked:
        return TagCheck((), (), ())
    counts: Counter[str] = Counter()
    for node in store.nodes("Company"):
        counts.update(set(node.get("tags") or ()))
    missing = tuple(t for t in asked if t not in counts)
    known = tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return TagCheck(asked, missing, known)
