"""One writer at a time: an exclusive lock around every read-modify-write of a store file.

The lock is a ``<store>.lock`` file beside the real store file (a symlinked store is
locked where it really lives), taken with :mod:`filelock` (a maintained,
cross-platform library: ``fcntl.flock`` here, ``msvcrt`` on Windows). The lock is
released by the operating system when its process dies, so a ``kill -9`` never leaves
a store locked. A second writer waits, saying so, for up to ``$CHAINGRAPH_LOCK_TIMEOUT``
seconds (default 120), then fails with one clear line; nothing is written.

Readers take no lock: a save replaces the file atomically, so a reader sees either the
old or the new file, whole.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import filelock

from chaingraph.errors import ConfigError, StoreLocked, WriteFailed
from chaingraph.fs import os_error_text, write_target

__all__ = ["LOCK_TIMEOUT_ENV", "lock_path", "lock_timeout", "store_lock"]

LOCK_TIMEOUT_ENV = "CHAINGRAPH_LOCK_TIMEOUT"
DEFAULT_TIMEOUT = 120.0

Notify = Callable[[str], None]

# Locks this process holds, by real path: taking the same store's lock again (the default
# store built while 'load' holds its lock) is re-entrant instead of a self-deadlock.
_held: dict[str, tuple[filelock.BaseFileLock, int]] = {}
_guard = threading.Lock()


def lock_timeout() -> float:
    """Seconds a writer waits for another one: ``$CHAINGRAPH_LOCK_TIMEOUT`` or 120."""
    text = os.environ.get(LOCK_TIMEOUT_ENV)
    if not text:
        return DEFAULT_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise ConfigError(
            f"${LOCK_TIMEOUT_ENV}={text[:20]!r} is not a number of seconds; "
            "set it to e.g. 120 (0: fail at once if another process writes)"
        )
    return value


def lock_path(store_path: str | Path) -> Path:
    """The lock file of a store: ``<real store file>.lock``."""
    target = Path(os.path.abspath(write_target(store_path)))
    return target.with_name(target.name + ".lock")


@contextlib.contextmanager
def store_lock(
    store_path: str | Path, *, timeout: float | None = None, notify: Notify | None = None
) -> Iterator[Path]:
    """Hold the exclusive write lock of ``store_path`` for the ``with`` block.

    Parameters
    ----------
    store_path
        The store file (it need not exist yet).
    timeout
        Seconds to wait for another writer; default :func:`lock_timeout`.
    notify
        Called with one line when we have to wait.

    Yields
    ------
    Path
        The lock file.

    Raises
    ------
    StoreLocked
        Another process kept the lock for longer than ``timeout``.
    WriteFailed
        The lock file cannot be created (read-only folder, no permission…).

    Examples
    --------
    >>> import tempfile
    >>> store = Path(tempfile.mkdtemp()) / "s.cgraph.json"
    >>> with store_lock(store) as held:
    ...     with store_lock(store):   # the same process may take it again
    ...         held.name
    's.cgraph.json.lock'
    """
    path = lock_path(store_path)
    key = str(path)
    with _guard:
        entry = _held.get(key)
        if entry is not None:
            _held[key] = (entry[0], entry[1] + 1)
    if entry is None:
        lock = _acquire(path, lock_timeout() if timeout is None else timeout, notify)
        with _guard:
            _held[key] = (lock, 1)
    try:
        yield path
    finally:
        with _guard:
            held, count = _held[key]
            if count > 1:
                _held[key] = (held, count - 1)
            else:
                del _held[key]
                held.release()


def _acquire(path: Path, timeout: float, notify: Notify | None) -> filelock.BaseFileLock:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created here first, so a read-only or forbidden folder is one clear line
        # rather than the lock library's retry loop.
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o666))
    except OSError as exc:
        raise WriteFailed(os_error_text(exc, path, "cannot create the store's lock file")) from None
    lock = filelock.FileLock(str(path), thread_local=False)
    try:
        lock.acquire(timeout=0)
        return lock
    except filelock.Timeout:
        pass
    store = path.with_name(path.name[: -len(".lock")])
    if notify is not None and timeout > 0:
        notify(
            f"{store} is being written by another chaingraph process; "
            f"waiting up to {timeout:g} s (${LOCK_TIMEOUT_ENV})"
        )
    try:
        lock.acquire(timeout=timeout)
    except filelock.Timeout:
        raise StoreLocked(
            f"{store}: another chaingraph process is still writing it after {timeout:g} s; "
            f"nothing was written; run again when it has finished (or raise ${LOCK_TIMEOUT_ENV})"
        ) from None
    return lock
