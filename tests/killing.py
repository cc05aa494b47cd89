"""Killing a child process (kill -9) at the moment a test wants, for the crash tests."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def kill_when(
    process: subprocess.Popen[bytes],
    ready: Callable[[], T | None],
    *,
    seconds: float,
    pause: float,
) -> tuple[T | None, bytes, bytes]:
    """Ask ``ready()`` every ``pause`` seconds while ``process`` runs; as soon as it
    answers (not None), kill -9 the process. Gives up after ``seconds``. The process is
    ended and waited for in every case.

    Returns
    -------
    tuple
        What ``ready()`` answered (None: the process ended first, or time ran out, and
        was not killed by this), and the process's stdout and stderr.
    """
    found: T | None = None
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and process.poll() is None:
            found = ready()
            if found is not None:
                os.kill(process.pid, signal.SIGKILL)
                break
            time.sleep(pause)
    finally:
        if process.poll() is None:
            process.kill()
        out, err = process.communicate(timeout=60)
    return found, out, err
