"""The one exception hierarchy of chaingraph.

Every error a user can cause derives from :class:`ChaingraphError`; the CLI turns
these into a one-line message and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "Ambiguous",
    "ChaingraphError",
    "ConfigError",
    "DataError",
    "Issue",
    "MissingDependency",
    "NotFound",
    "StoreCorrupt",
    "StoreError",
    "StoreLocked",
    "StoreUnavailable",
    "WriteFailed",
    "mask_credentials",
]


@dataclass(frozen=True)
class Issue:
    """One problem found in input data, located precisely enough to fix.

    Examples
    --------
    >>> print(Issue("firms.csv", "bad check character", line=3, field="uscc",
    ...             value="91440300X", expected="18 characters, GB 32100-2015"))
    firms.csv:3: uscc='91440300X': bad check character (expected 18 characters, GB 32100-2015)
    """

    file: str
    message: str
    line: int | None = None
    field: str | None = None
    value: object = None
    expected: str | None = None

    def __post_init__(self) -> None:
        # What a message quotes from a file (a header, a value) may come from a file that
        # is not data at all: a credential in it is masked wherever the issue is shown.
        for name in ("message", "expected", "value"):
            text = getattr(self, name)
            if isinstance(text, str):
                object.__setattr__(self, name, mask_credentials(text))

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        what = ""
        if self.field is not None:
            shown = _short(self.value)
            what = f"{self.field}={shown}: " if self.value is not None else f"{self.field}: "
        tail = f" (expected {mask_credentials(self.expected)})" if self.expected else ""
        return f"{where}: {what}{mask_credentials(self.message)}{tail}"


def _short(value: object, limit: int = 80) -> str:
    text = mask_credentials(repr(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


# key: value / key=value pairs whose value must never be echoed (a "data file" that is
# really a config file, a symlink to ~/.config/...): errors quote headers and values.
_CREDENTIAL = re.compile(
    r"(?i)((?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|auth\w*|credential\w*)"
    r"[\"']?\s*[:=]\s*)(\S[^,;]*)"
)


def mask_credentials(text: str) -> str:
    """``text`` with the value of anything that looks like ``password: …`` masked.

    Examples
    --------
    >>> mask_credentials('user: neo4j, password: "s3cret"')
    'user: neo4j, password: ***'
    """
    return _CREDENTIAL.sub(lambda m: m.group(1) + "***", text)


class ChaingraphError(Exception):
    """Base class of every chaingraph error."""


class ConfigError(ChaingraphError):
    """A setting, option or environment variable is wrong."""


class MissingDependency(ChaingraphError, ImportError):
    """An optional dependency is not installed; names the extra that brings it.

    Examples
    --------
    >>> print(MissingDependency("pyvis", "maps"))
    this needs the Python package 'pyvis', which is not installed; install the extra: pip install 'chaingraph[maps]'
    """

    def __init__(self, module: str, extra: str) -> None:
        self.module, self.extra = module, extra
        super().__init__(
            f"this needs the Python package {module!r}, which is not installed; "
            f"install the extra: pip install 'chaingraph[{extra}]'"
        )


class DataError(ChaingraphError):
    """Input data is invalid; nothing was written.

    Holds every :class:`Issue` found (up to a limit), so one run shows the user
    all that must be fixed rather than one problem at a time.
    """

    max_shown = 20

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = tuple(issues)
        super().__init__(self._render())

    def _render(self) -> str:
        shown = [str(i) for i in self.issues[: self.max_shown]]
        more = len(self.issues) - len(shown)
        if more > 0:
            shown.append(f"... and {more} more problem(s)")
        head = f"{len(self.issues)} problem(s) in input data; nothing was written:"
        return "\n".join([head, *("  " + s for s in shown)])


class NotFound(ChaingraphError, LookupError):
    """A named node does not exist; carries near names to suggest."""

    def __init__(self, what: str, name: str, suggestions: Sequence[str] = ()) -> None:
        self.what = what
        self.name = name
        self.suggestions = tuple(suggestions)
        hint = f"; did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"no {what} named {name!r}{hint}")


class Ambiguous(NotFound):
    """A name fits several nodes; carries their ids so the user can pick one."""

    def __init__(
        self, what: str, name: str, candidates: Sequence[str] = (), ids: Sequence[str] = ()
    ) -> None:
        self.ids = tuple(ids)
        ChaingraphError.__init__(
            self,
            f"{name!r} names several nodes: {', '.join(candidates)}; pass --type or one of the ids",
        )
        self.what, self.name, self.suggestions = what, name, tuple(candidates)


class StoreError(ChaingraphError):
    """A store operation failed."""


class StoreCorrupt(StoreError):
    """A store file cannot be read as a chaingraph store."""


class StoreUnavailable(StoreError):
    """A store server cannot be reached or refused the credentials."""


class StoreLocked(StoreError):
    """Another process holds the store's write lock for longer than we may wait."""


class WriteFailed(ChaingraphError):
    """A file could not be written (disk full, read-only, no permission, not a folder…);
    nothing was left half-written."""
