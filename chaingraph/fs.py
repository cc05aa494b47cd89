"""Safe file handling shared by every reader and writer.

- :func:`write_target` follows a symlink to the file it names, so an atomic replace
  updates the real file rather than turning the link into a regular file;
- :func:`refuse_special` refuses FIFOs, devices and sockets *before* anything opens
  them (opening a FIFO blocks forever, a device may never end);
- :func:`remove_stale_temps` deletes the temp files a killed save left beside a file;
- :func:`os_error_text` turns ``ENOSPC``, ``EROFS``, ``EACCES``… into one line naming
  the file and the fix.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from pathlib import Path

__all__ = [
    "TEMP_SUFFIX",
    "os_error_text",
    "refuse_special",
    "remove_stale_temps",
    "special_kind",
    "temp_prefix",
    "write_target",
]

TEMP_SUFFIX = ".tmp"
# Temp files named in the format of earlier versions (no process id) are removed once
# they are this old: no save takes that long.
_LEGACY_TEMP_AGE = 3600.0


def write_target(path: str | Path) -> Path:
    """The file a write to ``path`` must replace: the symlink's final target, if any.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "real.json").write_text("{}")
    2
    >>> (folder / "link.json").symlink_to(folder / "real.json")
    >>> write_target(folder / "link.json").name
    'real.json'
    >>> write_target(folder / "new.json").name
    'new.json'
    """
    path = Path(path)
    if path.is_symlink():
        # A dangling link too: the write creates the file it points at.
        return Path(os.path.realpath(path))
    return path


def special_kind(path: str | Path) -> str | None:
    """``"a FIFO"``, ``"a device"``, ``"a socket"``, ``"a folder"`` or None (a regular
    file, or nothing there)."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def refuse_special(path: str | Path) -> str | None:
    """Why ``path`` must not be opened as a data file, or None (checked without opening it).

    Examples
    --------
    >>> refuse_special("/dev/null")
    '/dev/null is a device, not a regular file; pass the file itself'
    """
    kind = special_kind(path)
    if kind is None:
        return None
    return f"{path} is {kind}, not a regular file; pass the file itself"


def temp_prefix(target: Path) -> str:
    """Prefix of this process's temp files beside ``target`` (the pid tells whether the
    process that made one is still alive)."""
    return f".{target.name}.{os.getpid()}."


def remove_stale_temps(target: Path) -> list[Path]:
    """Delete temp files a killed save left beside ``target``; returns what was removed.

    A temp file is stale when the process named in it no longer runs (or, for names
    without a process id, when it is older than an hour). Files of running saves are
    left alone.
    """
    removed: list[Path] = []
    prefix = f".{target.name}."
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(TEMP_SUFFIX)):
            continue
        middle = name[len(prefix) : -len(TEMP_SUFFIX)]
        pid_text, _, rest = middle.partition(".")
        stale = False
        if pid_text.isdigit() and rest:
            stale = not _alive(int(pid_text))
        else:
            with contextlib.suppress(OSError):
                stale = now - entry.stat(follow_symlinks=False).st_mtime > _LEGACY_TEMP_AGE
        if stale and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


_FIXES = {
    errno.ENOSPC: "no space left on the device; free some space or write to another disk",
    errno.EDQUOT: "disk quota exceeded; free some space or write to another disk",
    errno.EROFS: "the file system is read-only; write to a folder you can write to",
    errno.EACCES: "permission denied; check the file's and folder's permissions or choose "
    "another path",
    errno.EPERM: "operation not permitted; check the file's and folder's permissions or "
    "choose another path",
    errno.EEXIST: "a file is in the way where a folder is needed; remove it or choose another path",
    errno.ENOTDIR: "a file is in the way where a folder is needed; remove it or choose another "
    "path",
    errno.EISDIR: "that is a folder; give a file name",
    errno.ENAMETOOLONG: "the name is too long; choose a shorter path",
    errno.EFBIG: "the file is too large for this file system; write to another disk",
}


def os_error_text(exc: OSError, path: str | Path, doing: str = "cannot write") -> str:
    """One line for an :class:`OSError`: the file, what failed and the fix.

    Examples
    --------
    >>> os_error_text(OSError(errno.ENOSPC, "No space left on device"), "out.csv")
    'out.csv: cannot write: no space left on the device; free some space or write to another disk; nothing was written'
    """
    where = exc.filename if exc.filename and doing == "cannot create folder" else path
    fix = _FIXES.get(exc.errno or 0, exc.strerror or str(exc))
    return f"{where}: {doing}: {fix}; nothing was written"
