"""The bundled Dongguan dataset and the per-user default store built from it."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import platformdirs
import yaml

from chaingraph.errors import ConfigError
from chaingraph.loaders.pipeline import LoadReport, load_files
from chaingraph.resources import bundled_fingerprint, data_dir
from chaingraph.store.networkx import NetworkxStore
from chaingraph.store.networkx.locking import store_lock

__all__ = [
    "STORE_ENV",
    "bundled_files",
    "changing_store",
    "default_store_path",
    "open_default_store",
    "open_store_file",
    "refresh_default_store",
    "updating_store",
]

Notify = Callable[[str], None]

STORE_ENV = "CHAINGRAPH_STORE"


def bundled_files() -> list[Path]:
    """The bundled data files in load order, as listed in ``ingest/bundled.yaml``."""
    root = data_dir("ingest").parent
    ontology, ingest = data_dir("ontology"), data_dir("ingest")
    with open(ingest / "bundled.yaml", encoding="utf-8") as fh:
        manifest = yaml.safe_load(fh)
    files: list[Path] = []
    for pattern in manifest["files"]:
        folder, _, rest = pattern.partition("/")
        base = {"ontology": ontology, "ingest": ingest}.get(folder, root)
        matches = sorted(base.glob(rest))
        if not matches:
            raise FileNotFoundError(f"bundled.yaml lists {pattern!r} but no such file is bundled")
        files.extend(m for m in matches if m not in files)
    return files


def load_bundled(store: NetworkxStore) -> LoadReport:
    """Load the bundled dataset into ``store`` (idempotent) and mark it as built from it.

    The marks live in the store's own metadata: ``bundled_fingerprint`` (which bundled
    data), ``default_store`` (a store chaingraph built and may refresh) and
    ``user_loads`` 0 (nothing of the user's yet).
    """
    report = load_files(store, bundled_files())
    store.meta["bundled_fingerprint"] = bundled_fingerprint()
    store.meta["default_store"] = True
    store.meta["user_loads"] = 0
    store.meta.pop("user_changes", None)
    return report


def default_store_path() -> Path:
    """``$CHAINGRAPH_STORE``, else ``<user data dir>/chaingraph/dongguan.cgraph.json``."""
    configured = os.environ.get(STORE_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_data_dir("chaingraph")) / "dongguan.cgraph.json"


def open_default_store(notify: Notify | None = None) -> NetworkxStore:
    """The per-user store, built from the bundled dataset on first use.

    Whether the file at :func:`default_store_path` may be refreshed is read from the
    file's own metadata, never from anywhere else:

    - no file: it is built from the bundled dataset (under the store's write lock, so
      a concurrent ``load`` is neither lost nor overwritten) and ``notify`` is told where;
    - a store chaingraph built (``default_store`` in its metadata) whose bundled data
      is older than this version's: it is refreshed, re-applying every node and
      relationship the user's loads changed (``user_changes``) on top of the new
      bundled data, and ``notify`` is told what was done;
    - any other store (``chaingraph generate``, ``pull``, a file someone sent): used as
      it is, never replaced.

    Parameters
    ----------
    notify
        Called with one line for each thing done to the file (built, refreshed).

    Returns
    -------
    NetworkxStore
    """
    path = default_store_path()
    store = NetworkxStore.open(path)
    if path.exists() and not _needs_refresh(store.meta):
        return store
    with store_lock(path, notify=notify):
        # Another process may have built or refreshed it while we waited.
        store = NetworkxStore.open(path)
        if not path.exists():
            load_bundled(store)
            store.save()
            if notify is not None:
                notify(
                    f"built the default store from the bundled dataset: {path} "
                    f"({store.count_nodes()} nodes; set ${STORE_ENV} to keep it elsewhere)"
                )
            return store
        if not _needs_refresh(store.meta):
            return store
        fresh, kept = refresh_default_store(store)
        fresh.save()
        if notify is not None:
            what = (
                f"re-applied {kept[0]} node(s) and {kept[1]} relationship(s) from your loads"
                if store.meta.get("user_loads")
                else "it held none of your data"
            )
            notify(f"refreshed the default store {path} for the new bundled dataset; {what}")
        return fresh


def _needs_refresh(meta: dict[str, object]) -> bool:
    # Stores built by versions before the default_store mark carry only the fingerprint
    # (a generated or pulled store has neither); a refresh of those keeps all they hold.
    built = meta.get("default_store", "bundled_fingerprint" in meta)
    return bool(built) and meta.get("bundled_fingerprint") != bundled_fingerprint()


def refresh_default_store(old: NetworkxStore) -> tuple[NetworkxStore, tuple[int, int]]:
    """A new default store: the bundled dataset, then what the user's loads changed in ``old``.

    The nodes and relationships listed in ``old.meta["user_changes"]`` are merged, as
    they are in ``old``, on top of the new bundled data (with the nodes their
    relationships need); a store whose metadata lacks that list (written by an earlier
    version) keeps every node and relationship of ``old``. Returns the new store
    (unsaved, same path) and how many nodes and relationships were re-applied.
    """
    fresh = NetworkxStore(old.path, old.model)
    load_bundled(fresh)
    changes = old.meta.get("user_changes")
    if not old.meta.get("user_loads"):
        return fresh, (0, 0)
    if (
        isinstance(changes, dict)
        and isinstance(changes.get("nodes"), list)
        and isinstance(changes.get("relationships"), list)
    ):
        rel_keys = {tuple(r) for r in changes["relationships"] if isinstance(r, list)}
        rels = [r for r in old.relationships() if (r.type, r.source, r.target, r.key) in rel_keys]
        wanted = dict.fromkeys(n for n in changes["nodes"] if isinstance(n, str))
        for rel in rels:
            for end in (rel.source, rel.target):
                if end not in fresh.graph:
                    wanted.setdefault(end)
        nodes = [n for n in old.get_many(wanted).values()]
    else:
        nodes, rels = list(old.nodes()), list(old.relationships())
    loads = int(old.meta.get("user_loads", 0))
    fresh.merge(nodes, rels)
    fresh.meta["user_loads"] = loads
    return fresh, (len(nodes), len(rels))


@contextlib.contextmanager
def updating_store(
    path: str | Path | None = None, notify: Notify | None = None
) -> Iterator[NetworkxStore]:
    """An embedded store opened for a read-modify-write under its exclusive write lock.

    ``path`` None is the default store (built first if need be). Save inside the
    ``with`` block (``store.save()``); a second writer of the same file waits for the
    lock (``notify`` says so) until this one has saved, so no change is lost.

    Examples
    --------
    >>> import tempfile
    >>> from chaingraph.model import Node
    >>> path = Path(tempfile.mkdtemp()) / "mine.cgraph.json"
    >>> with updating_store(path) as store:
    ...     _ = store.merge([Node("chain:x", "Chain", {"name": "示例链"})], [])
    ...     _ = store.save()
    >>> NetworkxStore.open(path).count_nodes()
    1
    """
    target = Path(path) if path is not None else default_store_path()
    with store_lock(target, notify=notify):
        yield open_default_store(notify) if path is None else NetworkxStore.open(target)


def open_store_file(
    path: str | Path | None, *, must_exist: bool = True, notify: Notify | None = None
) -> NetworkxStore:
    """An embedded store to read: the file at ``path``, or the default store if None.

    Parameters
    ----------
    path
        The store file; None for :func:`open_default_store` (built on first use).
    must_exist
        Refuse a ``path`` with no file (else an empty store is opened there).
    notify
        Told what was done to the default store (built, refreshed).

    Returns
    -------
    NetworkxStore

    Raises
    ------
    ConfigError
        ``must_exist`` and there is no file at ``path``.

    Examples
    --------
    >>> open_store_file("/nonexistent/mine.cgraph.json")
    Traceback (most recent call last):
    ...
    chaingraph.errors.ConfigError: no store at /nonexistent/mine.cgraph.json; create one with \
'chaingraph load --store /nonexistent/mine.cgraph.json FILES' or omit --store to use the \
bundled dataset
    """
    if path is None:
        return open_default_store(notify=notify)
    path = Path(path)
    if must_exist and not path.exists():
        raise ConfigError(
            f"no store at {path}; create one with 'chaingraph load --store {path} FILES' "
            "or omit --store to use the bundled dataset"
        )
    return NetworkxStore.open(path)


@contextlib.contextmanager
def changing_store(
    path: str | Path | None = None,
    notify: Notify | None = None,
    saved: Callable[[Path], None] | None = None,
) -> Iterator[NetworkxStore]:
    """:func:`updating_store`, saved when the ``with`` block ends if a merge in it
    changed something: the one way a command writes an embedded store.

    Nothing is saved if the block raises (the file stays as it was) or if every merge
    found the data already there. The default store (``path`` None) is built or
    refreshed first, and its merges are remembered in its metadata (``user_changes``)
    for the next refresh.

    Parameters
    ----------
    path
        The store file; None for the default store.
    notify
        Told when the lock is busy and what was done to the default store.
    saved
        Called with the file's path after it was saved.

    Yields
    ------
    NetworkxStore
        Opened under the file's write lock, held until it is saved.

    Examples
    --------
    >>> import tempfile
    >>> from chaingraph.model import Node
    >>> path = Path(tempfile.mkdtemp()) / "mine.cgraph.json"
    >>> for _ in range(2):
    ...     with changing_store(path, saved=lambda p: print("saved", p.name)) as store:
    ...         _ = store.merge([Node("chain:x", "Chain", {"name": "示例链"})], [])
    saved mine.cgraph.json
    """
    with updating_store(path, notify=notify) as store:
        merges = store.meta.get("user_loads", 0)
        yield store
        # ``user_loads`` counts the merges that changed something (NetworkxStore.merge).
        if store.meta.get("user_loads", 0) != merges:
            where = store.save()
            if saved is not None:
                saved(where)
