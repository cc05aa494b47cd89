"""Keeping Python's cyclic garbage collector away from a large store.

A store of a million firms is tens of millions of small objects and no garbage
cycles. Each full collection visits every one of them (seconds at that size), and
in a forked child its reference-count writes copy the parent's pages. Three places
need that kept in check: loading a store file, a large analysis, and work forked
off an open store; they share the two context managers here.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused", "objects_frozen"]


@contextmanager
def collector_paused(*, freeze_after: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, if it was on.

    It is switched back on after, even on an error; reference counting still frees
    memory meanwhile.

    Parameters
    ----------
    freeze_after
        When the block ends without an error, also move every object alive then out
        of the collector's sight (:func:`gc.freeze`): what a load made lives as long
        as the store, and the first full collection after it would otherwise rescan
        it all, charged to whatever query ran next.

    Examples
    --------
    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
        if freeze_after:
            gc.freeze()
    finally:
        if was_on:
            gc.enable()


@contextmanager
def objects_frozen() -> Iterator[None]:
    """Move the objects alive now out of the collector's sight for the block.

    Left alone (and not unfrozen after) if the caller froze objects already, so an
    earlier :func:`collector_paused` ``(freeze_after=True)`` keeps its effect.

    Examples
    --------
    >>> before = gc.get_freeze_count()
    >>> with objects_frozen():
    ...     gc.get_freeze_count() > 0
    True
    >>> gc.get_freeze_count() == before
    True
    """
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        yield
    finally:
        if freeze:
            gc.unfreeze()
