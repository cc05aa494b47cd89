"""Reading a store file's rows into the graph, noting what the first analysis needs.

The rows go straight into networkx's adjacency dicts, laid out as
``MultiDiGraph.add_node``/``add_edge`` would lay them; the notes
(:class:`~chaingraph.store.networkx.columns.ReadFacts`, sources by target as node
numbers) let the first query after opening skip a pass over every firm (issue 22).
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from pathlib import Path
from typing import Any

from chaingraph.model import Model
from chaingraph.store.base import HQ_ROLE
from chaingraph.store.networkx.columns import ReadFacts
from chaingraph.store.networkx.fileformat import corrupt

__all__ = ["edge_key", "load_rows"]


def _seeded_types(model: Model) -> tuple[str, ...]:
    """Relationship types whose sources are gathered by target while a file is read.

    Those into products, segments and places: their targets (a product with 10^5
    makers) are few and large, so finding the sources of one type there meant
    scanning every other relationship into it. Types into companies are left out:
    their targets are many and small, and gathering them would cost memory.
    """
    return tuple(
        name
        for name, spec in model.relationship_types.items()
        if "Company" not in spec.get("to", ())
    )


def _numbers() -> array[int]:
    return array("i")


def edge_key(rel_type: str, key: str) -> str:
    """The networkx key of a relationship: its type, or type, "\\x1f" and key."""
    return f"{rel_type}\x1f{key}" if key else rel_type


def load_rows(
    path: Path,
    model: Model,
    graph: Any,
    by_type: dict[str, dict[str, None]],
    counts: dict[str, int],
    nodes: list[Any],
    edges: list[Any],
) -> tuple[dict[str, dict[str, array[int]]], ReadFacts]:
    """Store node and edge rows of a file in ``graph`` (nodes by type in ``by_type``,
    relationships counted by type in ``counts``, both defaultdicts); return the sources noted by
    relationship type and target (node numbers) and the reader's notes.

    Consumes the rows: each list item is set to None once stored.
    """
    # A store file may come from someone else: rows the store cannot hold (a type
    # the model lacks, a malformed id, one row twice, an end with no node) make it
    # corrupt. The rows go straight into networkx's adjacency dicts, laid out as
    # MultiDiGraph.add_node/add_edge would lay them: per-row calls into networkx
    # took a third of a million-firm load.
    node_dicts: dict[str, Any] = graph._node
    succ: dict[str, dict[str, dict[str, Any]]] = graph._succ
    pred: dict[str, dict[str, dict[str, Any]]] = graph._pred
    # Each edge row brings its own copies of its ends' ids; the graph keeps the node
    # rows' copies instead (10^7 strings at a million firms), and every row is let go
    # once stored, so that the decoded file shrinks while the graph grows.
    # Each node gets a number (its row's position): the reader notes the sources of
    # relationships by number, and the analyses filter firms as integer arrays
    # (chaingraph.store.networkx.columns). ``ids`` holds the node rows' own id strings.
    facts = ReadFacts()
    number = facts.number
    ids = facts.ids
    names = facts.names
    is_company = facts.is_company
    note_company = facts.note_company
    kind_of = facts.kind_of
    repeated = _Repeated()
    last_company = ""
    for position, row in enumerate(nodes):
        nodes[position] = None
        node_id, node_type, props = _row(path, row, 3)
        if type(props) is not dict:
            raise corrupt(path, f"malformed store file (expected an object, got {props!r:.60})")
        problem = model.storable_node(node_id, node_type)
        if problem is None and node_id in node_dicts:
            problem = "appears twice"
        if problem:
            raise corrupt(path, f"malformed store file (node {str(node_id)[:80]!r} {problem})")
        node_type = repeated(node_type)
        node_dicts[node_id] = {"t": node_type, "p": props}
        number[node_id] = position
        ids.append(node_id)
        succ[node_id] = {}
        pred[node_id] = {}
        by_type[node_type][node_id] = None
        name = props.get("name")
        if type(name) is str:
            names.append(name)
        else:
            names.append(None)
            facts.nameless.append(position)
        if node_type == "Company":
            is_company.append(1)
            note_company(props)
            if node_id < last_company:
                facts.companies_sorted = False
            last_company = node_id
        else:
            is_company.append(0)
            kind_of.append(-2)
        if "tags" in props or "global_rank" in props:
            facts.note_leader_fields(node_id, position, props)
    rel_types = model.relationship_types
    type_names = {t: t for t in rel_types}
    seeds: dict[str, defaultdict[str, array[int]]] = {
        t: defaultdict(_numbers) for t in _seeded_types(model)
    }
    shared: dict[tuple[Any, ...], dict[str, Any]] = {}
    fact_props = facts.fact_props
    hq_sites = facts.hq_sites
    for position, row in enumerate(edges):
        edges[position] = None
        rel_type, source, target, key, props = _row(path, row, 5)
        # the node rows' copies of the ids (the row's own are let go with the row)
        at = number.get(source, -1)
        if at >= 0:
            source = ids[at]
        to = number.get(target, -1)
        if to >= 0:
            target = ids[to]
        if type(props) is not dict:
            raise corrupt(path, f"malformed store file (expected an object, got {props!r:.60})")
        problem = None if rel_type in rel_types else model.storable_relationship(rel_type, key)
        if problem is None and type(key) is not str:
            problem = "has a key that is not text"
        out = succ.get(source)
        if problem is None and (out is None or target not in pred):
            end = target if out is not None else source
            raise corrupt(
                path,
                f"malformed store file (a {rel_type} relationship ends at {end!r}, "
                "which has no node row)",
            )
        ekey = edge_key(rel_type, key) if problem is None else ""
        keydict: dict[str, Any] | None = out.get(target) if out is not None else None
        if problem is None and keydict is not None and ekey in keydict:
            problem = "appears twice"
        if problem:
            raise corrupt(
                path,
                f"malformed store file (relationship {str(rel_type)[:40]!r} from {source!r} "
                f"to {target!r} {problem})",
            )
        assert out is not None
        if keydict is None:
            keydict = out[target] = {}
            pred[target][source] = keydict
        # Relationships mostly repeat a few property sets (a source note, a role):
        # equal ones share one dict, a third of the memory of a million-firm store.
        # Merges replace a relationship's dict, never change it in place. The key
        # holds the value types, so that 1, 1.0 and True stay apart. (try/except, not
        # contextlib.suppress: this runs for every relationship.)
        try:  # noqa: SIM105
            props = shared.setdefault(
                (tuple(props.items()), tuple(map(type, props.values()))), props
            )
        except TypeError:  # a list or object value: kept as it is
            pass
        rel_type = type_names.get(rel_type, rel_type)
        if key:
            key, ekey = repeated(key), repeated(ekey)
        else:
            ekey = rel_type
        keydict[ekey] = {"t": rel_type, "k": key, "p": props}
        counts[rel_type] += 1
        seeded = seeds.get(rel_type)
        if seeded is not None:
            seeded[target].append(at)
            if rel_type == "MAKES":
                held = fact_props.setdefault(target, props)
                if held is not props:
                    facts.note_other_fact(target, held, props)
            elif key == HQ_ROLE and rel_type == "LOCATED_IN":
                hq_sites[target].append(at)
    facts.pack()
    return {t: dict(by_target) for t, by_target in seeds.items()}, facts


class _Repeated:
    """One shared copy of each text that many rows repeat (types, roles, product keys).

    Bounded, so that a file whose keys are all different costs no more than before.
    """

    LIMIT = 65536

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        seen = self._seen
        found = seen.get(text)
        if found is not None:
            return found
        if len(seen) < self.LIMIT:
            seen[text] = text
        return text


def _row(path: Path, row: Any, width: int) -> tuple[Any, ...]:
    if type(row) is not list or len(row) != width:
        raise corrupt(
            path, f"malformed store file (a row of {width} fields expected, got {row!r:.60})"
        )
    for value in row[:-1]:
        if type(value) is not str:
            raise corrupt(path, f"malformed store file (expected text, got {value!r:.60})")
    return tuple(row)
