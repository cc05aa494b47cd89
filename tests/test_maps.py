"""Chain maps: what they show, and that the page is offline, escaped and UTF-8 (no browser here)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile import HOSTILE_BASE_NAME, HOSTILE_NAMES, HOSTILE_SEGMENT, hostile_store

from chaingraph.analysis.gaps import STATUSES, gaps
from chaingraph.cli import cli
from chaingraph.errors import ConfigError
from chaingraph.maps import (
    STATUS_COLOURS,
    MapNode,
    chain_map,
    chain_subreport,
    render_map,
    write_base_maps,
    write_map,
)
from chaingraph.model import Node, Relationship
from chaingraph.testing import tiny_store

STAGE = {"上游": 0, "中游": 1, "下游": 2}


def page_data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="cg-data">(.*?)</script>', html, re.S)
    assert found, "no data block"
    return json.loads(found.group(1))


def inline_scripts(html: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", html, re.S)


def test_segments_are_coloured_by_status_and_sized_by_local_firms() -> None:
    store = tiny_store()
    report = gaps(store, "base:yinping")
    m = chain_map(store, "base:yinping")
    assert [n.id for n in m.nodes] == [g.segment for g in report.segments]
    for node, gap in zip(m.nodes, report.segments, strict=True):
        assert node.group == gap.status
        assert node.colour == STATUS_COLOURS[gap.status]
        assert node.local_firms == gap.local_firms
    for node in m.nodes:
        assert node.label == f"{node.name} ({node.local_firms})"
    assert [e.label for e in m.legend] == list(STATUSES)
    assert sum(e.count for e in m.legend) == len(m.nodes)


def test_columns_run_upstream_to_downstream() -> None:
    store = tiny_store()
    m = chain_map(store, "base:yinping")
    stage = {g.segment: STAGE[g.stage] for g in gaps(store, "base:yinping").segments}
    level = {n.id: n.level for n in m.nodes}
    x = {n.id: n.x for n in m.nodes}
    for e in m.edges:
        assert level[e.source] < level[e.target], e
        assert x[e.source] < x[e.target], e
    for a in level:
        for b in level:
            if stage[a] < stage[b]:
                assert level[a] < level[b]


def test_hover_cards_list_local_firms_and_top_targets() -> None:
    m = chain_map(tiny_store(), "base:yinping", top=1)
    body = m.node("seg:robot.body").card
    assert body.sections[0].items == ("莞工机器人",)
    assert m.node("seg:robot.parts.reducer").card.sections[1].items == (
        "苏减速 · 苏州市 · 63.97分",
    )
    assert any("数据不足" in line for line in body.lines)


@pytest.mark.parametrize(
    ("companies", "groups"),
    [
        ("none", set()),
        ("local", {"本地企业"}),
        ("targets", {"招商目标"}),
        ("all", {"本地企业", "招商目标"}),
    ],
)
def test_company_nodes(companies: str, groups: set[str]) -> None:
    m = chain_map(tiny_store(), "base:yinping", companies=companies)
    firms = [n for n in m.nodes if n.kind == "company"]
    assert {n.group for n in firms} == groups
    ids = {n.id for n in m.nodes}
    assert all(e.source in ids and e.target in ids for e in m.edges)
    # Firms are collapsed: each has a slot right of every segment it belongs to.
    x = {n.id: n.x for n in m.nodes}
    slots = {(s.segment, s.firm): s for s in m.slots}
    for e in m.edges:
        if e.kind != "flow":
            assert slots[(e.source, e.target)].x > x[e.source]
    page = page_data(render_map(m))
    assert {n["id"] for n in page["nodes"]} == {n.id for n in m.nodes if n.kind == "segment"}
    assert {n["id"] for n in page["firms"]} == {n.id for n in firms}


def test_company_cap_is_visible() -> None:
    m = chain_map(hostile_store(), "base:yinping", companies="all", max_companies=3)
    assert sum(1 for n in m.nodes if n.kind == "company") == 3
    assert any("已截断" in n and "3 /" in n for n in m.notes)
    html = render_map(m)
    assert 'id="cg-notes"' in html and "企业节点已截断：显示 3 / 共" in html
    # Local firms come first when cutting.
    assert all(n.group == "本地企业" for n in m.nodes if n.kind == "company")


def test_unknown_companies_choice() -> None:
    with pytest.raises(ConfigError, match="companies must be one of"):
        chain_map(tiny_store(), "base:yinping", companies="some")


def test_chain_subreport_keeps_one_chain() -> None:
    store = tiny_store()
    part = chain_subreport(store, gaps(store, "base:yinping"), "chain:robot")
    assert {g.chain for g in part.segments} == {"chain:robot"}
    assert chain_map(store, report=part).chains == ("工业机器人",)


def test_page_is_self_contained_and_offline() -> None:
    html = render_map(chain_map(tiny_store(), "base:yinping", companies="all"))
    # Nothing is fetched: no external script, stylesheet, image, font or frame.
    assert not re.search(
        r"<(script|link|img|iframe)[^>]*\s(src|href)=[\"']?(https?:)?//", html, re.I
    )
    assert not re.search(r"<script[^>]*\ssrc=", html, re.I)
    assert not re.search(r"<link[^>]*stylesheet", html, re.I)
    assert "@import" not in html and "cdn" not in html.lower().replace("vis-network", "")
    csp = unescape(
        re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    )
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp
    # Only the page's own scripts may run: each inline script is allowed by its hash.
    scripts = inline_scripts(html)
    assert len(scripts) == 2
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_page_data_matches_map() -> None:
    m = chain_map(tiny_store(), "base:yinping", companies="local")
    html = render_map(m)
    data = page_data(html)
    shown = [n for n in m.nodes if n.kind == "segment"]
    assert [n["id"] for n in data["nodes"]] == [n.id for n in shown]
    assert [n["id"] for n in data["firms"]] == [n.id for n in m.nodes if n.kind != "segment"]
    assert len(data["edges"]) + len(data["firm_edges"]) == len(m.edges)
    # Positions are fixed by the layout: no physics, no vis layout of its own.
    assert data["options"]["physics"]["enabled"] is False
    assert data["options"]["layout"]["hierarchical"]["enabled"] is False
    for node, drawn in zip(shown, data["nodes"], strict=True):
        assert (drawn["x"], drawn["y"], drawn["fixed"]) == (node.x, node.y, True)
    assert f'data-expected-nodes="{len(shown)}"' in html
    assert 'id="cg-search"' in html and 'id="cg-legend"' in html


def test_hostile_names_stay_text() -> None:
    store = hostile_store()
    m = chain_map(store, "base:yinping", companies="all", max_companies=100, top=10)
    html = render_map(m)
    for raw in [*HOSTILE_NAMES.values(), HOSTILE_SEGMENT[1], HOSTILE_BASE_NAME, "<b>机械臂</b>"]:
        if "<" in raw:
            assert raw not in html, raw
    assert "<img" not in html and "<svg" not in html and "<a " not in html
    assert html.count("</script>") == 3  # the data block and the two scripts, nothing injected
    assert "<title>银瓶&lt;script&gt;alert(5)&lt;/script&gt;" in html
    # The data block carries the names exactly, for the page to show as text.
    data = page_data(html)
    names = {n["name"] for n in data["nodes"] + data["firms"]}
    assert set(HOSTILE_NAMES.values()) <= names
    assert HOSTILE_SEGMENT[1] in names
    cards = json.dumps([n["card"] for n in data["nodes"] + data["firms"]], ensure_ascii=False)
    assert json.dumps("<img src=x onerror=alert(1)>")[1:-1] in cards
    # Nothing from the data reaches the page's HTML: only via textContent in map.js.
    js = inline_scripts(html)[1]
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "document.write" not in js


def test_written_as_utf8(tmp_path: Path) -> None:
    path = write_map(chain_map(tiny_store(), "base:yinping"), tmp_path / "map.html")
    text = path.read_bytes().decode("utf-8")
    assert '<meta charset="utf-8">' in text and "银瓶高端装备产业基地" in text
    assert oct(path.stat().st_mode & 0o777) != oct(0o600)


def test_cli_writes_utf8_under_a_non_utf8_locale(tmp_path: Path) -> None:
    """pyvis writes with the locale's encoding and fails on GBK/ASCII systems; we do not."""
    store_path = tmp_path / "tiny.json"
    tiny_store().save(store_path)
    out = tmp_path / "map.html"
    env = {
        **os.environ,
        "LC_ALL": "C",
        "LANG": "C",
        "PYTHONUTF8": "0",
        "PYTHONCOERCECLOCALE": "0",
        "PYTHONIOENCODING": "utf-8",
    }
    code = (
        "import locale, sys; from chaingraph.cli import main; "
        "assert locale.getpreferredencoding(False).lower().replace('-', '') != 'utf8', "
        "locale.getpreferredencoding(False); main(sys.argv[1:])"
    )
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "map",
            "--base",
            "base:yinping",  # argv itself cannot carry Chinese in an ASCII locale
            "--store",
            str(store_path),
            "-o",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert run.returncode == 0, run.stderr
    assert "工业机器人" in out.read_bytes().decode("utf-8")


def test_map_command(tmp_path: Path) -> None:
    store_path = tmp_path / "tiny.json"
    tiny_store().save(store_path)
    runner = CliRunner()
    out = tmp_path / "m.html"
    args = ["map", "--base", "base:yinping", "--store", str(store_path)]
    result = runner.invoke(cli, [*args, "--companies", "local", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "银瓶高端装备产业基地" in result.output and out.exists()
    data = page_data(out.read_text(encoding="utf-8"))
    assert (len(data["nodes"]), len(data["firms"])) == (4, 2)

    bad = runner.invoke(cli, [*args, "-o", str(tmp_path / "m.png")])
    assert bad.exit_code == 1 and ".html" in bad.output
    nothing = runner.invoke(cli, args)
    assert nothing.exit_code == 1 and "--png" in nothing.output
    wrong = runner.invoke(cli, [*args, "--png", str(tmp_path / "m.jpg")])
    assert wrong.exit_code == 1 and "m.jpg" in wrong.output and ".png" in wrong.output
    both = runner.invoke(cli, [*args, "--all-bases", "-o", str(tmp_path / "d")])
    assert both.exit_code == 1 and "--all-bases" in both.output
    folder = runner.invoke(
        cli, ["map", "--all-bases", "--store", str(store_path), "-o", str(tmp_path / "d")]
    )
    assert folder.exit_code == 0, folder.output
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["yinping.html"]


def test_write_base_maps_names_files_after_bases(tmp_path: Path) -> None:
    written = write_base_maps(tiny_store(), tmp_path)
    assert [(m.subject, m.path.name, m.nodes) for m in written] == [
        ("base:yinping", "yinping.html", 4)
    ]
    assert written[0].size_bytes == written[0].path.stat().st_size


def test_isolated_segment_is_placed_in_its_chain_band() -> None:
    """A focus segment without any flow sits in its chain's band, beside the others."""
    store = tiny_store()
    store.merge(
        [Node("seg:robot.lonely", "Segment", {"name": "孤立环节", "stage": "下游"})],
        [Relationship("PART_OF", "seg:robot.lonely", "chain:robot")],
    )
    m = chain_map(store, "base:yinping")
    lonely = m.node("seg:robot.lonely")
    assert lonely.band == "chain:robot" and lonely.in_focus
    (band,) = m.bands
    assert band.y <= lonely.y <= band.y + band.height
    assert 0 < lonely.x < m.width
    assert lonely.x == m.node("seg:robot.integration").x  # the 下游 column


def test_layout_orders_rows_to_reduce_crossings() -> None:
    """Barycentric ordering undoes crossings that the plain id order would draw."""
    from chaingraph.maps.layout import LayoutItem, crossings, layout

    items = [LayoutItem(f"u{i}", f"上{i}", "c", "上游") for i in range(4)] + [
        LayoutItem(f"d{i}", f"下{i}", "c", "下游") for i in range(4)
    ]
    flows = [(f"u{i}", f"d{3 - i}") for i in range(4)]  # id order: all cross
    placed = layout(items, flows, {"c": "链"})
    assert crossings(placed.positions, flows) == 0
    by_id = layout(items, [], {"c": "链"}).positions
    assert crossings(by_id, flows) == 6


def test_layout_bands_and_stage_columns() -> None:
    store = tiny_store()
    m = chain_map(store, "base:yinping")
    assert [h.text for h in m.headers] == ["上游", "中游", "下游"]
    stage = {g.segment: g.stage for g in gaps(store, "base:yinping").segments}
    for node in m.nodes:
        header = next(h for h in m.headers if h.text == stage[node.id])
        assert header.x <= node.x <= header.x + header.width, node.name
    assert m.focus == "工业机器人（优先级 1）" and m.as_of == "2024"


def test_barycentric_order_reduces_crossings_on_bundled_bases() -> None:
    """The drawn order crosses fewer edges than the same columns with rows sorted by id."""
    from chaingraph.dataset import load_bundled
    from chaingraph.maps.layout import crossings
    from chaingraph.store.networkx import NetworkxStore
    from chaingraph.testing import BUNDLED_BASES

    store = NetworkxStore()
    load_bundled(store)
    totals = []
    for base in BUNDLED_BASES:
        m = chain_map(store, base)
        flows = [(e.source, e.target) for e in m.edges]
        drawn = crossings({n.id: (n.x, n.y) for n in m.nodes}, flows)
        # The same bands, columns and rows, but each column's rows sorted by id.
        columns: dict[tuple[str, int], list[MapNode]] = {}
        for n in m.nodes:
            columns.setdefault((n.band, n.level), []).append(n)
        plain = {}
        for members in columns.values():
            ys = sorted(n.y for n in members)
            for n, y in zip(sorted(members, key=lambda n: n.id), ys, strict=True):
                plain[n.id] = (n.x, y)
        totals.append((drawn, crossings(plain, flows)))
    # Never much worse on one base (a column's id order can beat the sweeps by a
    # crossing or two), and clearly better over all seven.
    for base, (drawn, plain_count) in zip(BUNDLED_BASES, totals, strict=True):
        assert drawn <= plain_count + 2, (base, drawn, plain_count)
    drawn_all, plain_all = (sum(t) for t in zip(*totals, strict=True))
    assert drawn_all < 0.85 * plain_all, totals


def test_pictures_without_chromium_say_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No Chromium: one clear line naming the install step; the report still gets written."""
    from chaingraph.reports import build_report

    monkeypatch.setenv("CHAINGRAPH_CHROMIUM", str(tmp_path / "no-chromium"))
    store_path = tmp_path / "tiny.json"
    tiny_store().save(store_path)
    result = CliRunner().invoke(
        cli,
        [
            "map",
            "--base",
            "base:yinping",
            "--store",
            str(store_path),
            "--png",
            str(tmp_path / "m.png"),
        ],
    )
    assert result.exit_code == 1
    assert "no-chromium" in result.output and "scripts/install-browser" in result.output
    assert not (tmp_path / "m.png").exists()
    out = build_report(tiny_store(), "base:yinping", tmp_path / "r")
    assert any(n.startswith("未生成地图图片") and "install-browser" in n for n in out.notes)
    assert (tmp_path / "r" / "index.html").exists()
    assert not (tmp_path / "r" / "maps" / "robot.png").exists()


def test_cli_help_imports_no_browser() -> None:
    code = (
        "import sys; from chaingraph.cli import cli; from click.testing import CliRunner; "
        "r = CliRunner().invoke(cli, ['map', '--help']); assert r.exit_code == 0, r.output; "
        "import chaingraph.reports, chaingraph.maps.render; "
        "bad = [m for m in ('playwright', 'pyvis', 'matplotlib') if m in sys.modules]; "
        "assert not bad, bad"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_a_map_too_big_for_one_screen_says_to_page_by_chain() -> None:
    from chaingraph.dataset import load_bundled
    from chaingraph.store.networkx import NetworkxStore

    store = NetworkxStore()
    load_bundled(store)
    whole = chain_map(store, region="region:cn-dongguan")  # every chain of the city
    assert any("--chain" in n for n in whole.notes)
    one = chain_map(store, region="region:cn-dongguan", chain="chain:ic")
    assert not any("--chain" in n for n in one.notes)


def test_segment_without_a_stage_gets_its_own_column() -> None:
    """User data may leave ``stage`` out: such a segment is drawn in a 链位未知 column."""
    store = tiny_store()
    store.merge(
        [Node("seg:robot.other", "Segment", {"name": "其他环节"})],
        [Relationship("PART_OF", "seg:robot.other", "chain:robot")],
    )
    m = chain_map(store, "base:yinping")
    assert [h.text for h in m.headers] == ["上游", "中游", "下游", "链位未知"]
    other = m.node("seg:robot.other")
    assert other.x > max(n.x for n in m.nodes if n.id != other.id)
    assert other.card.subtitle.startswith("链位未知")
