"""How the neo4j-admin files are shared among the processes writing them
(:func:`chaingraph.store.neo4j.admin.write_neo4j_admin`): which files, and who writes each."""

from __future__ import annotations

__all__ = ["SPLIT_ROWS", "Part", "file_name", "plan"]

SPLIT_ROWS = 50_000
"""A node type with at least this many nodes (the companies) is written as one file
per worker, each holding a run of its nodes; each file has its header (the same
columns when the runs hold the same properties) and neo4j-admin reads them all."""

# (kind, type, first row, end row, piece number): one file.
Part = tuple[str, str, int, int, int]

# The cost of a row in each kind of file, and of walking every relationship once,
# in rough units of CPU time (measured at 100k firms: a company 66 µs, a relationship
# with its share of the walk 16 µs); only used to share the work.
_NODE_COST = 10
_REL_COST = 1.6
_WALK_COST = 0.8


def file_name(part: Part) -> str:
    """The file of a part: ``nodes-Company.csv``, then ``nodes-Company.part2.csv``…"""
    kind, name, _, _, piece = part
    return f"{kind}-{name}.csv" if piece == 1 else f"{kind}-{name}.part{piece}.csv"


def _cost(part: Part) -> float:
    return (part[3] - part[2]) * (_NODE_COST if part[0] == "nodes" else _REL_COST)


def plan(
    nodes: list[tuple[str, int]], rels: list[tuple[str, int]], workers: int
) -> tuple[list[Part], list[list[Part]]]:
    """The files to write, in the order neo4j-admin gets them, and the files each
    worker writes. Every relationship file goes to the first worker (one walk of the
    relationships in all); the other node types, the largest first, each to the least
    loaded worker; then each large type (:data:`SPLIT_ROWS`) is cut into runs of its
    nodes that even out the workers' loads (by a rough cost per row)."""
    load = [0.0] * workers
    shares: list[list[Part]] = [[] for _ in range(workers)]
    rel_parts: list[Part] = [("relationships", t, 0, n, 1) for t, n in rels if n]
    if rel_parts:
        shares[0] += rel_parts
        load[0] += sum(map(_cost, rel_parts)) + _WALK_COST * sum(n for _, n in rels)
    pieces: dict[str, list[Part]] = {}
    large = [(t, n) for t, n in nodes if workers > 1 and n >= SPLIT_ROWS]
    for node_type, count in sorted(set(nodes) - set(large), key=lambda c: -c[1]):
        if count:
            best = load.index(min(load))
            pieces[node_type] = [("nodes", node_type, 0, count, 1)]
            shares[best] += pieces[node_type]
            load[best] += count * _NODE_COST
    for node_type, count in sorted(large, key=lambda c: -c[1]):
        rows = _levelled(load, count)
        pieces[node_type] = []
        start = 0
        for worker, n in enumerate(rows):
            if n:
                part = ("nodes", node_type, start, start + n, len(pieces[node_type]) + 1)
                pieces[node_type].append(part)
                shares[worker].append(part)
                load[worker] += n * _NODE_COST
                start += n
    parts = [p for t, _ in nodes for p in pieces.get(t, [])] + rel_parts
    return parts, [s for s in shares if s]


def _levelled(load: list[float], count: int) -> list[int]:
    """How many of ``count`` nodes each worker takes so that the loads end up as even
    as can be (the least loaded workers are filled up to a common level)."""
    order = sorted(range(len(load)), key=lambda w: load[w])
    level = 0.0
    filled = 0
    for k in range(1, len(order) + 1):
        level = (sum(load[w] for w in order[:k]) + count * _NODE_COST) / k
        filled = k
        if k == len(order) or load[order[k]] >= level:
            break
    rows = [0] * len(load)
    for w in order[:filled]:
        rows[w] = max(0, int((level - load[w]) / _NODE_COST))
    rows[order[0]] += count - sum(rows)  # what rounding left
    return rows
