"""Reaching Neo4j: where the settings come from, and one driver used with bounded retries.

Settings
--------
:meth:`Neo4jSettings.from_env` is the one place they are read. The server, the user,
the password and the database come from the arguments, else the environment
(``NEO4J_URI``, ``NEO4J_USER`` (default ``neo4j``), ``NEO4J_PASSWORD``,
``NEO4J_DATABASE`` (default: the server's)), else, for the command line, the Neo4j
config file (``$CHAINGRAPH_NEO4J_CONFIG``, else ``neo4j.yaml`` in the user config
folder, e.g. ``~/.config/chaingraph/neo4j.yaml``; keys ``uri``, ``user``, ``password``,
``database``), which is refused unless only its owner can read it; then a prompt, when
a terminal is attached. ``CHAINGRAPH_NEO4J_NO_WARM`` (any value) keeps the command line
from planning the named queries on opening. The password never appears in messages, and
a URI may not carry one.

Connection
----------
:class:`Connection` holds the official ``neo4j`` driver (``neo4j-rust-ext`` speeds up
its wire format; a ``neo4j://`` routing URI for a cluster or Aura, ``bolt://`` for one
server). A wrong password, an unreachable server or one lost during a transaction raise
:class:`~chaingraph.errors.StoreUnavailable` with a message saying what to do, after
``connect_attempts`` tries (opening) or ``retry_seconds`` of retries (in a
transaction). Servers older than 5.26 are refused on opening.

The driver is imported when a connection opens, not with this module: the command line
reads the settings here on every start.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from chaingraph.errors import ConfigError, StoreError, StoreUnavailable

if TYPE_CHECKING:
    import neo4j

__all__ = [
    "CONFIG_ENV",
    "NO_WARM_ENV",
    "Connection",
    "Neo4jSettings",
    "chunked",
    "config_path",
    "configured_database",
    "default_uri",
    "read_config",
    "redact",
]

CONFIG_ENV = "CHAINGRAPH_NEO4J_CONFIG"
NO_WARM_ENV = "CHAINGRAPH_NEO4J_NO_WARM"
MIN_SERVER_VERSION = (5, 26)
READ_CHUNK = 5000  # ids sent per read
_CONFIG_KEYS = ("uri", "user", "password", "database")

T = TypeVar("T")


# -- settings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Neo4jSettings:
    """Where the graph is and who reads it (the password is left out of ``repr``).

    Attributes
    ----------
    uri, user, password, database
        The server, the credentials, the database (None: the server's default).
    warm
        Whether the command line plans the named queries on opening (off with
        ``CHAINGRAPH_NEO4J_NO_WARM``).

    Examples
    --------
    >>> Neo4jSettings("bolt://localhost:7687", "neo4j", "secret", None)
    Neo4jSettings(uri='bolt://localhost:7687', user='neo4j', database=None, warm=True)
    """

    uri: str
    user: str
    password: str = field(repr=False)
    database: str | None
    warm: bool = True

    @classmethod
    def from_env(
        cls,
        uri: str | None = None,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
        *,
        config_file: bool = False,
        prompt: Callable[[str], str] | None = None,
    ) -> Neo4jSettings:
        """The settings from the arguments, else the environment, else (with
        ``config_file``) the Neo4j config file, else (with ``prompt``, on a terminal) the
        password asked for: ``prompt(user)`` returns it.

        Raises
        ------
        ConfigError
            No URI, no password, a URI carrying credentials, or an unusable config file.

        Examples
        --------
        >>> Neo4jSettings.from_env("bolt://db:7687", "reader", "pw", "chains").database
        'chains'
        """
        saved = read_config(config_path()) if config_file else {}
        uri = uri or os.environ.get("NEO4J_URI") or saved.get("uri")
        if not uri:
            raise ConfigError("no Neo4j server given: pass --neo4j URI or set NEO4J_URI")
        user = user or os.environ.get("NEO4J_USER") or saved.get("user") or "neo4j"
        if password is None:
            password = os.environ.get("NEO4J_PASSWORD")
        if password is None:
            password = saved.get("password")
        if password is None and prompt is not None and sys.stdin.isatty():
            password = prompt(user)
        if password is None:
            raise ConfigError(f"no password for Neo4j user {user!r}: set NEO4J_PASSWORD")
        if _has_credentials(uri):
            raise ConfigError(
                f"not a usable Neo4j URI {redact(uri)!r}: a user or password does not go "
                "in the URI; set NEO4J_USER and NEO4J_PASSWORD"
            )
        database = _database(database, saved)
        return cls(uri, user, password, database, warm=not os.environ.get(NO_WARM_ENV))

    @property
    def where(self) -> str:
        """The server (and database) for messages, without credentials.

        >>> Neo4jSettings("neo4j+s://abc.databases.neo4j.io", "u", "p", "g").where
        'neo4j+s://abc.databases.neo4j.io (database g)'
        """
        db = f" (database {self.database})" if self.database else ""
        return f"{redact(self.uri)}{db}"


def _database(database: str | None, saved: dict[str, Any]) -> str | None:
    return database or os.environ.get("NEO4J_DATABASE") or saved.get("database") or None


def configured_database(database: str | None = None) -> str | None:
    """The database the settings name (:meth:`Neo4jSettings.from_env` with the config
    file), for what needs no server: ``database``, else ``NEO4J_DATABASE``, else the
    config file's ``database``; None when none does (the server's default).

    Raises
    ------
    ConfigError
        The config file is unusable.

    Examples
    --------
    >>> configured_database("chains")
    'chains'
    """
    return _database(database, {} if database else read_config(config_path()))


def default_uri() -> str | None:
    """The server the environment names (``NEO4J_URI``), if any: commands given no
    store use it."""
    return os.environ.get("NEO4J_URI") or None


def config_path() -> Path:
    """``$CHAINGRAPH_NEO4J_CONFIG``, else ``<user config dir>/chaingraph/neo4j.yaml``."""
    configured = os.environ.get(CONFIG_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("chaingraph")) / "neo4j.yaml"


def read_config(path: Path) -> dict[str, str]:
    """The settings of a Neo4j config file; {} if there is none.

    Raises
    ------
    ConfigError
        The file can be read by other users (it holds a password), or is not a
        mapping of the known keys.
    """
    import yaml

    try:
        info = path.stat()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the Neo4j config ({exc.strerror})") from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"{path}: refusing a Neo4j config that other users can access "
            f"(mode {stat.filemode(info.st_mode)}); run: chmod 600 {path}"
        )
    try:
        # BaseLoader keeps every value as written: YAML 1.1 would turn a password such
        # as ``on`` or ``0x1F`` into true or 31.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the Neo4j config ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        # The YAML message quotes the offending line, which may hold the password.
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f" near line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}: the Neo4j config is not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: the Neo4j config must be a mapping of {', '.join(_CONFIG_KEYS)}"
        )
    unknown = sorted(str(k) for k in data if k not in _CONFIG_KEYS)
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting(s) {', '.join(unknown)} in the Neo4j config; "
            f"known: {', '.join(_CONFIG_KEYS)}"
        )
    for key, value in data.items():
        if not isinstance(value, str):
            raise ConfigError(f"{path}: {key} in the Neo4j config must be plain text")
    return {k: v for k, v in data.items() if v != ""}


def redact(uri: str) -> str:
    """The URI without any user or password in it, for messages.

    >>> redact("neo4j+s://neo4j:secret@abc.databases.neo4j.io")
    'neo4j+s://abc.databases.neo4j.io'
    """
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "<unparsable URI>"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _has_credentials(uri: str) -> bool:
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    return bool(parts.username or parts.password)


# -- the connection ---------------------------------------------------------------------


class Connection:
    """One Neo4j database through the driver: reads, and driver errors turned into
    chaingraph errors (see the module docstring).

    Parameters
    ----------
    settings
        Where and who (:meth:`Neo4jSettings.from_env`).
    retry_seconds
        How long the driver retries a transaction after transient errors or a lost
        connection before giving up.
    connect_attempts
        Tries to reach the server on opening (with a short back-off between them).
    connection_timeout
        Seconds to wait for one TCP/TLS connection.

    Raises
    ------
    StoreUnavailable
        The server is unreachable or refused the credentials.
    ConfigError
        A malformed URI, or no such database.
    StoreError
        The server is older than 5.26.
    """

    def __init__(
        self,
        settings: Neo4jSettings,
        *,
        retry_seconds: float = 30.0,
        connect_attempts: int = 3,
        connection_timeout: float = 10.0,
    ) -> None:
        import neo4j
        from neo4j import exceptions as errors

        self.settings = settings
        self.retry_seconds = retry_seconds
        self.server_version = ""
        uri = settings.uri
        try:
            self.driver = neo4j.GraphDatabase.driver(
                uri,
                auth=(settings.user, settings.password),
                max_transaction_retry_time=retry_seconds,
                connection_timeout=connection_timeout,
                connection_acquisition_timeout=connection_timeout * 2,
                notifications_min_severity="OFF",
                user_agent="chaingraph",
            )
        except (ValueError, errors.ConfigurationError) as exc:
            reason = str(exc).replace(uri, redact(uri))
            raise ConfigError(f"not a usable Neo4j URI {redact(uri)!r}: {reason}") from None
        try:
            self._connect(max(1, connect_attempts))
        except BaseException:
            self.driver.close()
            raise

    @property
    def where(self) -> str:
        """The server (and database) for messages, without credentials."""
        return self.settings.where

    def _connect(self, attempts: int) -> None:
        from neo4j import exceptions as errors

        reason = ""
        for attempt in range(1, attempts + 1):
            try:
                with self.session() as session:
                    record = session.run(
                        "CALL dbms.components() YIELD name, versions "
                        "WHERE name = 'Neo4j Kernel' RETURN versions[0] AS version"
                    ).single()
                self._check_version(str(record["version"]) if record else "")
                return
            except errors.AuthError:
                raise StoreUnavailable(
                    f"Neo4j at {self.where} refused the credentials of user "
                    f"{self.settings.user!r}; check NEO4J_USER and NEO4J_PASSWORD"
                ) from None
            except (errors.ServiceUnavailable, errors.SessionExpired, OSError) as exc:
                reason = driver_reason(exc)
            except errors.Neo4jError as exc:
                if "DatabaseNotFound" in str(exc.code):
                    raise ConfigError(
                        f"Neo4j at {redact(self.settings.uri)} has no database "
                        f"{self.settings.database!r}"
                    ) from None
                raise StoreError(f"Neo4j at {self.where}: {driver_reason(exc)}") from None
            if attempt < attempts:
                time.sleep(min(0.5 * 2 ** (attempt - 1), 4.0))
        raise StoreUnavailable(
            f"cannot reach Neo4j at {self.where} after {attempts} attempt(s) ({reason}); "
            "is the server running and the URI right?"
        )

    def _check_version(self, version: str) -> None:
        """Writes set relationship types from parameters (``CREATE ()-[r:$(type)]->()``),
        which Neo4j has since 5.26 LTS; refuse older servers up front."""
        self.server_version = version
        numbers = tuple(int(x) for x in re.findall(r"\d+", version)[:2])
        if numbers and numbers < MIN_SERVER_VERSION:
            raise StoreError(
                f"Neo4j at {self.where} is version {version}; chaingraph needs "
                f"{'.'.join(map(str, MIN_SERVER_VERSION))} or newer (5.26 LTS, 202x releases, Aura)"
            )

    def close(self) -> None:
        self.driver.close()

    def session(self) -> neo4j.Session:
        return self.driver.session(database=self.settings.database)

    def guard(self, work: Callable[[], T], doing: str) -> T:
        """Run ``work``, turning driver errors into chaingraph errors."""
        from neo4j import exceptions as errors

        try:
            return work()
        except errors.AuthError:
            raise StoreUnavailable(
                f"Neo4j at {self.where} refused the credentials of user "
                f"{self.settings.user!r} while {doing}; check NEO4J_USER and NEO4J_PASSWORD"
            ) from None
        except (errors.ServiceUnavailable, errors.SessionExpired) as exc:
            raise StoreUnavailable(
                f"lost Neo4j at {self.where} while {doing} ({driver_reason(exc)}; "
                f"retried for up to {self.retry_seconds:g}s)"
            ) from None
        except (errors.Neo4jError, errors.DriverError) as exc:
            raise StoreError(
                f"Neo4j at {self.where} failed while {doing}: {driver_reason(exc)}"
            ) from None

    def read(self, text: str, doing: str = "reading", **params: Any) -> list[neo4j.Record]:
        """The records of a read query, in one managed (retried) transaction.

        Through ``Driver.execute_query``, which sends the transaction's BEGIN with the
        query instead of waiting for it alone: two round trips a read instead of three
        (a ``targets`` call sends some fifty reads). No bookmark manager, as a plain
        session has none: a read waits for no earlier ``execute_query`` write.
        """
        import neo4j

        def run() -> list[neo4j.Record]:
            return self.driver.execute_query(
                text,
                params,
                routing_=neo4j.RoutingControl.READ,
                database_=self.settings.database,
                bookmark_manager_=None,
                result_transformer_=_records,
            )

        return self.guard(run, doing)

    def read_rows(self, text: str, doing: str = "reading", **params: Any) -> list[list[Any]]:
        """The rows of a query that returns them packed in one record: one column
        ``rows``, a list of lists (the driver's cost per record is several times the
        server's cost per row; a list element costs it next to nothing)."""
        records = self.read(text, doing, **params)
        return list(records[0]["rows"]) if records else []

    def warm(self, queries: Iterable[tuple[str, dict[str, Any]]]) -> float:
        """Plan each ``(text, parameters)`` with ``EXPLAIN`` (nothing runs), so the plans
        are cached before the first real call; seconds taken.

        A query that fails to plan is left for its first real call to report; so is a
        server gone away.
        """
        from neo4j import exceptions as errors

        started = time.perf_counter()
        try:
            with self.session() as session:
                for text, params in queries:
                    try:
                        session.run(f"EXPLAIN {text}", params).consume()
                    except errors.Neo4jError:
                        continue
        except (errors.DriverError, errors.Neo4jError, OSError):
            pass
        return time.perf_counter() - started


def _records(result: neo4j.Result) -> list[neo4j.Record]:
    """Every record of a result (``execute_query``'s transformer)."""
    return list(result)


def chunked(ids: Iterable[str], size: int = READ_CHUNK) -> Iterator[list[str]]:
    """The distinct ``ids`` in lists of at most ``size``, in their order.

    >>> list(chunked(["a", "b", "a", "c"], 2))
    [['a', 'b'], ['c']]
    """
    chunk: list[str] = []
    for node_id in dict.fromkeys(ids):
        chunk.append(node_id)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def driver_reason(exc: BaseException) -> str:
    """A one-line reason from a driver error (never the credentials, which it never holds)."""
    from neo4j import exceptions as errors

    if isinstance(exc, errors.Neo4jError):
        message = f"{exc.message or ''} [{exc.code}]"
    else:
        message = str(exc) or type(exc).__name__
    return " ".join(message.split())[:300]
