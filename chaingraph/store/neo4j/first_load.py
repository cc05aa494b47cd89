"""A first load's derived figures, computed from its input while its rows are written.

After a merge, :meth:`Neo4jStore.merge <chaingraph.store.neo4j.Neo4jStore.merge>`
brings the derived figures (:mod:`~chaingraph.store.neo4j.derived`) up to date. A
large first load needs them all: the full refresh reads every company back and computes
every figure in Python, the server mostly idle meanwhile (issue 22, 100k firms: 8-9 s
after 11-13 s of writing rows). But a merge into a database that holds nothing leaves
exactly its input in it, so the figures can be computed from the input
(:meth:`~chaingraph.store.neo4j.snapshot.Snapshot.of_input`) while the rows are being
written: the writing waits mostly on the server, so a thread here has the time (a
forked process was slower: the merge and the child then copy each other's pages).
After the rows, only the figures' writes remain.

They are written only if the database then holds exactly the input (no other writer
came in between: the counts are checked before, and again as the stamp is written);
otherwise, or if the computing failed, the merge refreshes from the database as
before (:attr:`FirstLoad.outcome` says which).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from chaingraph.model import Node, Relationship
from chaingraph.store.base import NATION
from chaingraph.store.neo4j import derived, snapshot
from chaingraph.store.neo4j.connection import Connection
from chaingraph.store.neo4j.merge import BatchedMerge

__all__ = ["FirstLoad", "quick_handoffs"]

# Any node but the derived ones that carry no data (a firm labelled CgMaker is data).
_ANY_NODE = "MATCH (n) WHERE NOT ({}) RETURN 1 AS any LIMIT 1".format(
    " OR ".join(f"n:{label}" for label in derived.FIGURE_NODE_LABELS)
)


# Seconds a thread holds the GIL before handing it over while a first load computes
# (Python's default is 0.005), and how many merges asked for it (the last one out
# puts the default back).
HANDOFF = 0.001
_handoffs = {"merges": 0, "before": 0.005}
_handoffs_lock = threading.Lock()


@contextmanager
def quick_handoffs(wanted: bool = True) -> Iterator[None]:
    """Hand the GIL over every :data:`HANDOFF` seconds for the block (if ``wanted``).

    While the computing thread runs beside the merge's writers, a writer whose batch
    was answered waits for the GIL behind it for up to the switch interval, batch
    after batch; at 1 ms instead of 5 the rows of issue 22's 100k first load were
    written in 13.3-13.6 s instead of 15.7-16.0 s (two alternating pairs).

    >>> with quick_handoffs():
    ...     sys.getswitchinterval() == HANDOFF
    True
    """
    if not wanted:
        yield
        return
    with _handoffs_lock:
        if not _handoffs["merges"]:
            _handoffs["before"] = sys.getswitchinterval()
            sys.setswitchinterval(HANDOFF)
        _handoffs["merges"] += 1
    try:
        yield
    finally:
        with _handoffs_lock:
            _handoffs["merges"] -= 1
            if not _handoffs["merges"]:
                sys.setswitchinterval(_handoffs["before"])


class FirstLoad:
    """The derived figures of a first load, computed in a thread (:meth:`start`)."""

    def __init__(
        self,
        nodes: Sequence[Node],
        relationships: Sequence[Relationship],
        labelled: dict[str, tuple[bool, str]],
    ) -> None:
        self._nodes, self._relationships, self._labelled = nodes, relationships, labelled
        self._jobs: list[tuple[int, str, list[Any]]] = []
        self._stamp: dict[str, Any] = {}
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._compute, name="chaingraph-first-load", daemon=True
        )
        self.outcome = "computing"

    @classmethod
    def start(cls, conn: Connection, load: BatchedMerge) -> FirstLoad | None:
        """Start computing the figures of ``load``'s input if the database holds no
        node but derived ones (call before anything of it is written); else None.
        Its makers are then created with their derived labels and site key
        (:func:`~.snapshot.maker_labels`, set as ``load.firm_labels``): a pass over every
        firm's labels after would cost the server more than the rest of the figures."""
        nodes, relationships = load.nodes, load.relationships
        if not nodes or conn.read(_ANY_NODE, "checking whether the database is empty"):
            return None
        labelled = snapshot.maker_labels(nodes, relationships, NATION, derived.SEP)
        load.firm_labels = labelled
        first = cls(nodes, relationships, labelled)
        first._thread.start()
        return first

    def _compute(self) -> None:
        try:
            everything = derived.Everything(
                snapshot.Snapshot.of_input(self._nodes, self._relationships, self._labelled)
            )
            for job in everything.jobs():
                if self._stop.is_set():
                    return
                self._jobs.append(job)
            self._stamp = everything.stamp
        except BaseException as exc:  # told by finish(); the fallback refreshes
            self._error = exc

    def finish(self, conn: Connection) -> bool:
        """Write the figures and stamp them if the database holds exactly the input;
        whether it did (if not, the caller refreshes from the database)."""
        self._thread.join()
        jobs, self._jobs = self._jobs, []
        if self._error is not None:
            self.outcome = f"not used: computing them failed ({self._error!r})"
            return False
        if self._stop.is_set():
            return False
        expect = (len(self._nodes), len(self._relationships))
        if derived.counts(conn) != expect:
            self.outcome = "not used: the database holds other than the input (another writer)"
            return False
        derived.run_jobs(conn, jobs, "deriving the figures the gap queries read")
        if not derived.stamp_if(conn, self._stamp, *expect):
            self.outcome = "not stamped: the database changed while they were written"
            return False
        self.outcome = "computed from the input"
        return True

    def cancel(self) -> None:
        """Stop computing (the merge failed; its next run refreshes from the database)."""
        self._stop.set()
        self._thread.join()
        self._jobs = []
        self.outcome = "cancelled"
