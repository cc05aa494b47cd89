"""Classify batches of rows in worker processes, streaming and in order.

The workers are forked from the reading process, so they share its matching knowledge
and identity index without copying them; only the rows go out and the classified rows
come back. At most two batches per worker are in flight, so memory stays flat however
long the file. Where ``fork`` is not available (Windows), batches run in this process.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from chaingraph.errors import DataError, Issue

__all__ = ["in_batches", "map_batches"]

# what a forked worker runs: (function, its fixed arguments); set just before the fork
_WORK: tuple[Callable[..., Iterable[Any]], tuple[Any, ...]] | None = None


def in_batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``items`` in lists of ``size`` (the last one shorter).

    >>> list(in_batches(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _run(batch: list[Any]) -> tuple[list[Any] | None, list[Issue]]:
    assert _WORK is not None
    work, args = _WORK
    issues: list[Issue] = []
    try:
        rows = list(work(batch, *args, issues))
    except DataError as exc:  # a bad row with skip_bad off: the reader stops there
        return None, list(exc.issues)
    return rows, issues


def map_batches(
    work: Callable[..., Iterable[Any]],
    batches: Iterable[list[Any]],
    args: tuple[Any, ...],
    workers: int,
    bad: list[Issue] | None,
) -> Iterator[Any]:
    """``work(batch, *args, issues)`` for every batch, in ``workers`` processes; the
    results in the batches' order. Issues the workers report go to ``bad``; a
    :class:`DataError` a worker raises is raised here.

    Examples
    --------
    >>> def double(batch, factor, issues):
    ...     return [x * factor for x in batch]
    >>> list(map_batches(double, in_batches(range(5), 2), (2,), 2, None))
    [0, 2, 4, 6, 8]
    """
    global _WORK
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for batch in batches:
            issues: list[Issue] = []
            yield from work(batch, *args, issues)
            if bad is not None:
                bad.extend(issues)
        return
    _WORK = (work, args)
    pending: deque[Any] = deque()
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for batch in batches:
                pending.append(pool.apply_async(_run, (batch,)))
                if len(pending) >= 2 * workers:
                    yield from _collect(pending.popleft().get(), bad)
            while pending:
                yield from _collect(pending.popleft().get(), bad)
    finally:
        _WORK = None


def _collect(result: tuple[list[Any] | None, list[Issue]], bad: list[Issue] | None) -> list[Any]:
    rows, issues = result
    if rows is None:
        raise DataError(issues)
    if bad is not None:
        bad.extend(issues)
    return rows
