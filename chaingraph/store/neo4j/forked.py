"""Work shared between this process and forked children that read its memory.

:func:`run_shares` runs the first share of the work here and every other share in a
child made by ``fork``: the child sees the open store as it was at the fork (pages are
copied only when written: no second load, no pickling of the graph) and sends back
only its small result through a pipe. Used by the neo4j-admin file writer
(:mod:`chaingraph.store.neo4j.admin`), whose files are independent of each other.

Where ``fork`` does not exist (Windows) the shares run one after the other here.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from chaingraph.collector import objects_frozen
from chaingraph.errors import StoreError

__all__ = ["can_fork", "run_shares"]

T = TypeVar("T")


def can_fork() -> bool:
    """Whether shares can run in forked children on this system."""
    return hasattr(os, "fork")


def run_shares(shares: Sequence[Callable[[], T]]) -> list[T]:
    """Run ``shares[0]`` in this process and each other share in a forked child, at
    the same time; their results in order.

    A child's exception is raised here (the first one, after every child has ended);
    a child that dies without a word (killed, out of memory) is a :class:`StoreError`.
    If this process's own share fails, the children are stopped and the error raised.

    Examples
    --------
    >>> run_shares([lambda: 1, lambda: os.getpid()])[0]
    1
    """
    # The objects alive now (the store) are left out of the collections while the
    # shares run: a full collection visits every one of them (seconds at a million
    # firms, each time), and in a child writes into them, which copies their pages.
    with objects_frozen():
        return _run(shares)


def _run(shares: Sequence[Callable[[], T]]) -> list[T]:
    if len(shares) <= 1 or not can_fork():
        return [share() for share in shares]
    children: list[tuple[int, int]] = []
    try:
        for share in shares[1:]:
            read_fd, write_fd = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: never returns
                os.close(read_fd)
                _child(share, write_fd)
            os.close(write_fd)
            children.append((pid, read_fd))
    except BaseException:
        _stop(children)
        raise
    try:
        mine = shares[0]()
    except BaseException:
        _stop(children)
        raise
    results: list[Any] = [mine]
    failure: BaseException | None = None
    for pid, read_fd in children:
        with os.fdopen(read_fd, "rb") as pipe:
            payload = pipe.read()
        _, status = os.waitpid(pid, 0)
        try:
            ok, value = pickle.loads(payload) if payload else (False, None)
        except Exception:
            ok, value = False, None
        if ok:
            results.append(value)
            continue
        if value is None:
            value = StoreError(
                f"a worker process ended without its result ({_ended(status)}); "
                "if memory is short, run with one worker (push --bulk-workers 1)"
            )
        failure = failure or value
    if failure is not None:
        raise failure
    return results


def _child(share: Callable[[], Any], write_fd: int) -> None:
    code = 0
    try:
        try:
            payload = pickle.dumps((True, share()))
        except BaseException as exc:
            code = 1
            try:
                payload = pickle.dumps((False, exc))
                pickle.loads(payload)  # some exceptions pickle but do not unpickle
            except Exception:
                payload = pickle.dumps((False, StoreError(f"{type(exc).__name__}: {exc}")))
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(payload)
    finally:
        os._exit(code)  # no exit handlers, no flushing of buffers the parent owns


def _stop(children: list[tuple[int, int]]) -> None:
    for pid, read_fd in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        os.close(read_fd)


def _ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
