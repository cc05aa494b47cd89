"""Safe file handling shared by every reader and writer.

- :func:`write_target` follows a symlink to the file it names, so an atomic replace
  updates the real file rather than turning the link into a regular file;
- :func:`refuse_special` refuses FIFOs, devices and sockets *before* anything opens
  them (opening a FIFO blocks forever, a device may never end);
- :func:`remove_stale_temps` deletes the temp files a killed save left beside a file;
- :func:`atomic_write_bytes` writes a whole file or nothing;
- :func:`os_error_text` turns ``ENOSPC``, ``EROFS``, ``EACCES``… into one line naming
  the file and the fix.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import time
from pathlib import Path

from chaingraph.errors import WriteFailed

__all__ = [
    "TEMP_SUFFIX",
    "atomic_write_bytes",
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


def atomic_write_bytes(path: Path, payload: bytes) -> Path:
    """Write to a temp file beside ``path``, fsync it, rename over ``path``, fsync the folder.

    The file gets the mode an ordinary write would give it: the old file's mode when
    replacing one, else ``0o666`` less the umask (temp files start private, at 0600).
    A symlink is written through: its target is replaced, the link stays. A FIFO, a
    device or a folder at ``path`` is refused before it is opened; temp files that a
    killed save left beside the file are removed. A full or read-only disk, a missing
    permission or a file where a folder is needed is a :class:`WriteFailed` naming the
    file and the fix, and leaves nothing behind. Returns ``path``.
    """
    path = Path(path)
    target = write_target(path)
    problem = refuse_special(target)
    if problem:
        raise WriteFailed(f"cannot write {path}: {problem}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteFailed(os_error_text(exc, target.parent, "cannot create folder")) from None
    remove_stale_temps(target)
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=temp_prefix(target), suffix=TEMP_SUFFIX, dir=target.parent
        )
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp_name, target)
        tmp_name = None
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        raise WriteFailed(os_error_text(exc, path)) from None
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
    return path
