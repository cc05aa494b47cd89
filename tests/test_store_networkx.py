"""The embedded store's own behaviour: its file (round trips, broken files), and a
crash during save. What every engine does (merging, reads, aggregates, refusals) is
tested once for both engines in tests/test_store_contract.py."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from killing import kill_when

from chaingraph.errors import StoreCorrupt
from chaingraph.model import Node, Relationship
from chaingraph.store.networkx import NetworkxStore
from chaingraph.store.networkx.fileformat import FORMAT_NAME, FORMAT_VERSION
from chaingraph.testing import tiny_store


def snapshot(store: NetworkxStore) -> tuple[list[Node], list[tuple[Any, ...]]]:
    """Everything a store holds, in a canonical order, for equality checks."""
    nodes = sorted(store.nodes(), key=lambda n: n.id)
    rels = sorted(((*r.identity, r.props) for r in store.relationships()), key=lambda t: t[:4])
    return nodes, rels


# -- files -----------------------------------------------------------------------------


def test_save_and_open_round_trip(tmp_path: Path) -> None:
    store = tiny_store()
    store.meta["note"] = "示例"
    path = store.save(tmp_path / "store.json")
    again = NetworkxStore.open(path)
    assert snapshot(again) == snapshot(store)
    # user_loads: the store itself counts the merges that changed it (tiny_store's one).
    assert again.meta == {"note": "示例", "user_loads": store.meta["user_loads"]}
    assert again.ids_by_name("谐波减速器") == ["prod:harmonic-reducer"]
    assert again.count_relationships("LOCATED_IN") == store.count_relationships("LOCATED_IN")
    assert not again.merge(list(store.nodes()), list(store.relationships())).changed


def test_open_missing_file_is_an_empty_store_and_save_needs_a_path(tmp_path: Path) -> None:
    store = NetworkxStore.open(tmp_path / "new" / "store.json")
    assert store.count_nodes() == 0
    store.merge([Node("chain:x", "Chain", {"name": "甲"})], [])
    assert store.save().exists()
    with pytest.raises(ValueError, match="no path"):
        NetworkxStore().save()


plain = st.one_of(
    st.text(max_size=20),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)
props_strategy = st.dictionaries(
    st.text(min_size=1, max_size=8), st.one_of(plain, st.lists(st.text(max_size=8), max_size=3))
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(props=st.lists(props_strategy, min_size=1, max_size=5), edge_props=props_strategy)
def test_round_trip_keeps_any_plain_properties(
    tmp_path: Path, props: list[dict], edge_props: dict
) -> None:
    store = NetworkxStore()
    nodes = [Node(f"prod:p{i}", "Product", p) for i, p in enumerate(props)]
    rels = [Relationship("INPUT_TO", "prod:p0", nodes[-1].id, props=edge_props)]
    store.merge(nodes, rels)
    again = NetworkxStore.open(store.save(tmp_path / "round.json"))
    assert snapshot(again) == snapshot(store)


# -- broken files ------------------------------------------------------------------------


def store_document(**overrides: object) -> bytes:
    document: dict[str, object] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "meta": {},
        "nodes": [["chain:x", "Chain", {"name": "甲"}]],
        "edges": [],
    }
    document.update(overrides)
    return orjson.dumps(document)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a chaingraph store file"),
        (b"\x00\x01 binary", "not a chaingraph store file"),
        (store_document()[:-7], "not a chaingraph store file"),
        (b'{"nodes": []}', "no 'chaingraph-store' header"),
        (b"[1, 2, 3]", "no 'chaingraph-store' header"),
        (store_document(version=99), "version 99 is not supported"),
        (store_document(meta=5), "'meta' is not an object"),
        (store_document(nodes=[["chain:x", "Chain"]]), "malformed store file"),
        (store_document(nodes=[["chain:x", "Chain", "name"]]), "expected an object"),
        (store_document(nodes=[[1, "Chain", {}]]), "expected text"),
        (store_document(nodes={"abc": 1}), "malformed store file"),
        (
            store_document(edges=[["MAKES", "chain:x", "prod:gone", "", {}]]),
            "ends at 'prod:gone', which has no node row",
        ),
    ],
)
def test_malformed_store_file_is_store_corrupt(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "store.json"
    path.write_bytes(content)
    with pytest.raises(StoreCorrupt) as caught:
        NetworkxStore.open(path)
    text = str(caught.value)
    assert text.startswith(str(path))
    assert message in text
    assert "\n" not in text


def test_corrupt_message_says_how_to_recover(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    path.write_text("not json", encoding="utf-8")
    with pytest.raises(StoreCorrupt, match="move the file aside"):
        NetworkxStore.open(path)


def test_store_path_that_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(StoreCorrupt, match="is a folder, not a regular file"):
        NetworkxStore.open(tmp_path)


# -- crash during save -------------------------------------------------------------------

_SAVER = textwrap.dedent(
    """
    import sys
    from chaingraph.model import Node
    from chaingraph.store.networkx import NetworkxStore

    store = NetworkxStore.open(sys.argv[1])
    description = "示例" * 20000
    store.merge(
        [Node(f"prod:big-{i}", "Product", {"name": f"示例产品{i}", "description": description})
         for i in range(1500)],
        [],
    )
    print("saving", flush=True)
    store.save()
    print("saved", flush=True)
    """
)


def test_save_killed_part_way_leaves_the_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    old = tiny_store()
    old.save(path)
    old_bytes = path.read_bytes()

    saver = subprocess.Popen(
        [sys.executable, "-c", _SAVER, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    found, out, err = kill_when(
        saver, lambda: list(tmp_path.glob(".store.json.*.tmp")) or None, seconds=60, pause=0.0005
    )
    temp_file = found[0] if found else None
    assert temp_file is not None, f"the save finished before it could be killed: {out!r} {err!r}"
    assert saver.returncode == -signal.SIGKILL
    assert b"saved" not in out

    # The store file is the old one, whole; the half-written temp file sits beside it.
    assert path.read_bytes() == old_bytes
    reopened = NetworkxStore.open(path)
    assert reopened.count_nodes() == old.count_nodes()
    assert reopened.count_relationships() == old.count_relationships()
    assert reopened.get("prod:big-0") is None
    assert temp_file.exists()
    assert temp_file.name.startswith(".") and temp_file.name.endswith(".tmp")
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "store.json",
        "store.json.lock",  # the write lock's file; the lock itself died with the process
    ]

    # The next save replaces the store cleanly.
    reopened.merge([Node("chain:after", "Chain", {"name": "之后"})], [])
    reopened.save()
    assert NetworkxStore.open(path).get("chain:after") is not None
    assert not temp_file.exists()  # the killed save's temp file is removed by the next


def test_equal_relationship_properties_read_from_a_file_stay_independent(tmp_path: Path) -> None:
    # The reader shares one dict among equal property sets to save memory: a merge
    # into one relationship must leave the others as they were, and values that are
    # equal in Python but differ in type (1, 1.0, True) must keep their types.
    store = NetworkxStore()
    store.merge(
        [Node("prod:a", "Product", {"name": "A"})]
        + [Node(f"prod:{n}", "Product", {"name": n}) for n in ("b", "c", "d", "e")],
        [
            Relationship("INPUT_TO", "prod:b", "prod:a", "", {"cost_share": 1, "note": "x"}),
            Relationship("INPUT_TO", "prod:c", "prod:a", "", {"cost_share": 1, "note": "x"}),
            Relationship("INPUT_TO", "prod:d", "prod:a", "", {"cost_share": 1.0, "note": "x"}),
            Relationship("INPUT_TO", "prod:e", "prod:a", "", {"cost_share": True, "note": "x"}),
        ],
    )
    reopened = NetworkxStore.open(store.save(tmp_path / "s.json"))

    def share(source: str) -> object:
        (rel,) = reopened.relationships("INPUT_TO", source=source)
        return rel.props["cost_share"]

    assert [(type(share(s)), share(s)) for s in ("prod:b", "prod:c", "prod:d", "prod:e")] == [
        (int, 1),
        (int, 1),
        (float, 1.0),
        (bool, True),
    ]
    (b,) = reopened.relationships("INPUT_TO", source="prod:b")
    (c,) = reopened.relationships("INPUT_TO", source="prod:c")
    assert b.props is c.props  # shared, so the merge below is a real test
    reopened.merge([], [Relationship("INPUT_TO", "prod:b", "prod:a", "", {"cost_share": 0.5})])
    assert share("prod:b") == 0.5
    assert share("prod:c") == 1
    assert reopened.save(tmp_path / "again.json").read_bytes() != b""
    again = NetworkxStore.open(tmp_path / "again.json")
    assert [r.props for r in again.relationships("INPUT_TO", source="prod:c")] == [
        {"cost_share": 1, "note": "x"}
    ]
