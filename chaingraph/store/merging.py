"""How incoming properties combine with stored ones; shared by every store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["SET_VALUED", "merge_props"]

# Properties that accumulate (ordered sets) instead of being overwritten.
SET_VALUED = frozenset({"aliases", "tags"})


def merge_props(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """Combine stored ``old`` with incoming ``new`` properties.

    Incoming non-null values replace stored ones; ``aliases`` and ``tags`` keep
    every value seen, in first-seen order. Merging ``new`` twice gives the same
    result as merging it once.

    Examples
    --------
    >>> merge_props({"name": "A", "aliases": ["x"]}, {"aliases": ["y", "x"], "founded": None})
    {'name': 'A', 'aliases': ['x', 'y']}
    """
    merged = dict(old)
    for key, value in new.items():
        if value is None:
            continue
        if key in SET_VALUED and isinstance(value, list):
            seen = list(merged.get(key) or [])
            for item in value:
                if item not in seen:
                    seen.append(item)
            merged[key] = seen
        else:
            merged[key] = value
    return merged
