"""A synthetic store whose names attack HTML pages and spreadsheets, for the escaping tests.

Built on :func:`chaingraph.testing.tiny_store`; every firm here is made up.
"""

from __future__ import annotations

from chaingraph.model import Node, Relationship
from chaingraph.store.networkx import NetworkxStore
from chaingraph.testing import tiny_store

# Firms in Dongguan (local: gap rows, local lists on the map).
LOCAL_NAMES = {
    "co:x-img": "<img src=x onerror=alert(1)>",
    "co:x-script": "</script><script>alert(2)</script>",
    "co:x-href": '<a href="javascript:alert(3)">点我</a>',
    "co:x-jinja": "{{ 7*7 }}{% raw %}",
}
# Firms in Suzhou (targets: target tables, hover cards, target nodes).
TARGET_NAMES = {
    "co:x-hyperlink": '=HYPERLINK("http://x")',
    "co:x-plus": "+1",
    "co:x-minus": "-2",
    "co:x-at": "@SUM(A1)",
    "co:x-tab": "\tTAB",
    "co:x-cr": "\rCR",
    "co:x-lf": "\nLF",
}
HOSTILE_NAMES = {**LOCAL_NAMES, **TARGET_NAMES}
HOSTILE_SEGMENT = ("seg:robot.evil", "<svg onload=alert(4)>")
HOSTILE_BASE_NAME = "银瓶<script>alert(5)</script>"
FORMULA_NAMES = {k: v for k, v in HOSTILE_NAMES.items() if v[0] in "=+-@\t\r\n"}


def hostile_store() -> NetworkxStore:
    """tiny_store plus firms, a segment and a base name that try to inject markup or formulas."""
    store = tiny_store()
    s = {"synthetic": True, "source": "tests/hostile.py", "as_of": "2024"}
    seg_id, seg_name = HOSTILE_SEGMENT
    nodes = [
        Node("base:yinping", "Base", {"name": HOSTILE_BASE_NAME}),
        Node(seg_id, "Segment", {"name": seg_name, "stage": "中游"}),
        Node("prod:evil-arm", "Product", {"name": "<b>机械臂</b>"}),
    ]
    rels = [
        Relationship("PART_OF", seg_id, "chain:robot"),
        Relationship("IN_SEGMENT", "prod:evil-arm", seg_id),
        Relationship("INPUT_TO", "prod:servo-motor", "prod:evil-arm"),
        Relationship("INPUT_TO", "prod:evil-arm", "prod:robot-workcell"),
    ]
    for i, (company, name) in enumerate(LOCAL_NAMES.items()):
        nodes.append(Node(company, "Company", {"name": name, **s}))
        product = ("prod:industrial-robot", "prod:robot-workcell")[i % 2]
        rels += [
            Relationship("MAKES", company, product, props=dict(s)),
            Relationship(
                "LOCATED_IN", company, "region:cn-dongguan", "总部", {"role": "总部", **s}
            ),
        ]
    for i, (company, name) in enumerate(TARGET_NAMES.items()):
        revenue = 10.0 * (i + 1)
        nodes.append(
            Node(
                company,
                "Company",
                {"name": name, "revenue_cny_100m": revenue, "tags": ["上市"], **s},
            )
        )
        product = ("prod:harmonic-reducer", "prod:servo-motor", "prod:evil-arm")[i % 3]
        rels += [
            Relationship("MAKES", company, product, props=dict(s)),
            Relationship("LOCATED_IN", company, "region:cn-suzhou", "总部", {"role": "总部", **s}),
        ]
    store.merge(nodes, rels)
    return store
