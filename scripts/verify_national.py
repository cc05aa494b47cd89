#!/usr/bin/env python3
"""Pay the unverified debt of the firms outside Dongguan: source each fact or drop it.

Issue #21 asks that firms outside Dongguan keep a fact only with a source. The A-share firms
were checked against the exchange data first (``scripts/verify_listed.py``: revenue lines,
registered places, the register confirming the firm); what that left ``unverified``, and every
unverified fact of the foreign and other non-listed firms, is decided here:

* ``FIRMS`` holds, per firm, the public pages found with the project's page search (source with
  the supporting passage, and as_of): for the record (the firm itself, its headquarters when
  the page states it — ``hq`` — and the tags the page supports), for products, sites and
  relationships;
* every other unverified fact of a firm outside Dongguan is **dropped** (an unverified fact is
  a debt, not data); a firm whose record stays unverified is dropped whole, with the supplies
  and relationships that name it.

It touches only the hand-written company files (``ingest/companies/*.yaml`` except the
generated ``dongguan-local.yaml``), only facts whose effective source is ``unverified``, and
only firms outside Dongguan (``scripts/dg_source_facts.py`` decided theirs), so rerunning
changes nothing. It prints every decision and the segments that lose their last maker::

    python3 scripts/verify_national.py           # what it would source and drop
    python3 scripts/verify_national.py --write   # rewrite ingest/companies/*.yaml
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dg_source_facts import _rewrite, dongguan_firms, relationship_edges, sourced_edge_line
from verify_listed import ROOT

Src = tuple[str, str]  # (source with the passage, as_of)

# --- pages found with the project's page search (issue #21, national pass) ---
HD = (
    "http://www1.haimaahm.com/lktp/4539.html (广发证券报告：日本哈默纳科(HarmonicDrive)谐波减速机"
    "全球龙头……总部位于日本东京；于JASDAQ上市)",
    "2023-04",
)
NAB = (
    "http://lsbst.com.cn/Article/szjykxbzlw.html (全球高精度機器人減速器市場日本納博特斯克和哈默納科"
    "兩家產品的市場占有率達75%；页面引2015年数据)",
    "2016",
)
BALLARD = (
    "http://china-hydrogen.org/details.aspx?firtCatgoryId=23&newsCatgoeyId=83&newsId=61465 "
    "(加拿大Ballard能源系统公司……Ballard总部位于加拿大温哥华，长期为加拿大、巴西、印度、中国等国的客车生产燃料电池)",
    "2019-10",
)
HIWIN = (
    "http://61.218.12.238/DispArt-tw.asp?O=HK69R95RMHAARASTDE (台湾工具机暨零组件公会报道："
    "滚珠螺杆等传动元件/系统大厂上银科技董事长卓文恒)",
    "2022",
)
WELION = (
    "https://m.x-techcon.com/article/96370.html (北京卫蓝新能源科技股份有限公司已启动A股IPO……"
    "中国科学院物理研究所固态电池产学研孵化企业，主营固态锂离子电池)",
    "2026-01",
)
ASPEN = (
    "https://www.bu.edu/washington/2009/03/07/energy-efficient-insulation-industry-would-benefit-from-earmark "
    "(insulation manufacturer Aspen Aerogels, headquartered in Northborough; flexible silica-based aerogel insulation)",
    "2009-03",
)
CAD = (
    "https://www.gongweng.com/cs/776025.html (主流的CAD软件包括Autodesk的AutoCAD，以及其他如中望CAD"
    "等国产软件；页面未注明日期)",
    "2025",
)
IFLYTEK = (
    "https://www.eqrm.cn/news/yysbgmxfjsylgtwl.html (科大讯飞作为国内领先的语音识别技术企业……"
    "为用户提供便捷的语音交互体验；页面未注明日期)",
    "2025",
)
SPEECHOCEAN = (
    "http://m.kevinfatkin.net/smart/20230730/0730247999.html (海天瑞声(SH688787)是国内最早投入AI训练数据"
    "的专业服务商之一；推出DOTS-AD自动驾驶标注平台)",
    "2023-07",
)
QUANTUM = (
    "http://m.jizihe.com/page/2024/0717/24917310.shtml (国盾量子(688027)：2023年量子通信、量子计算、"
    "量子测量产品的营收占比分别为34%、29%、10%)",
    "2024-07",
)
HEFEI_QUANTUM = (
    "http://paper.chinahightech.com/pc/content/202510/20/content_158515.html (合肥高新区云飞路："
    "2009年潘建伟团队在合肥高新区创办国盾量子前身；国仪量子、本源量子及国盾量子“量子三剑客”)",
    "2025-10",
)
ANT = (
    "https://www.siudz.com/news/ma-yi-qu-kuai-lian-ji-shu-jie-mi-zhen-shi-ying-yong-chang-jing-yu-chang-jian-wu-jie-cheng-qing.html "
    "(蚂蚁集团开发的蚂蚁链(Ant Chain)已成为全球领先的区块链平台之一)",
    "2023",
)

# The pages that dg_source_facts.OTHER_MAKES found for these firms' products also name the
# firm (and, where noted, its country): they source the record too.
ASML = (
    "https://tweakers.net/reviews/10832/cto-martin-van-den-brink-over-de-obstakels-naar-asmls-euv-alleenheerschappij.html (ASML-cto over euv-lithografie; ASML-thuisbasis Veldhoven)",
    "2025-05",
)
SMEE = (
    "https://www.piffle365.com/html/chanye/dianzidianlu/201706/60231.html (东方网“每月一访”走进上海微电子：高端扫描投影光刻机研制和先进封装光刻机产业化的承担单位)",
    "2017-06",
)
TSMC = (
    "https://www.japantimes.co.jp/opinion/2021/06/17/commentary/japan-commentary/taiwan-chip-dependence/ (TSMC, the world's first dedicated semiconductor foundry, 54% of the global foundry market in 2020)",
    "2021-06",
)
EDA = (
    "https://chinatechtales.wordpress.com/2020/09/24/example-post-3/ (today's dominant EDA vendors: Mentor Graphics, Cadence, Synopsys)",
    "2020-09",
)
US_EDA = (
    "https://www.strategicpipa.org/china-aims-to-shake-us-grip-on-chip-design-tools/ (China aims to shake "
    "US grip on chip design tools: Synopsys, Cadence, Mentor (Siemens) and Ansys about 90% of the EDA market)",
    "2020-11",
)
TOYOTA = (
    "http://www.toyota-global.com/innovation/environmental_technology/technology_file/fuel_cell_hybrid/tfcs.html (Toyota Fuel Cell System, the power train of the MIRAI; undated page)",
    "2021",
)
INTUITIVE = (
    "https://friendlywiki.com/article/index.php?title=Intuitive_Surgical (Intuitive Surgical, da Vinci Surgical System; installed base 6,730 systems as of 2021-12-31, per its 10-K)",
    "2021-12",
)
ILLUMINA = (
    "https://www.axios.com/2022/09/29/competition-dna-sequencing-illumina (Illumina, an estimated 80% share of the global gene sequencing market, unveiled a new line of instruments)",
    "2022-09",
)
NVIDIA = (
    "https://lesvillasdusoleil.com/tech/nvidia-dominates-data-center-gpus-and-artificial-intelligence/ (Wells Fargo: NVIDIA holds 98% of data-center GPUs for AI, 2023)",
    "2024",
)
LAM = (
    "https://seekingalpha.com/article/4154304-lam-research-rises-in-semiconductor-etch-sector-on-heels-of-3d-nand-memory (Lam Research's plasma etch share rose to the mid-50% range; main competitor Japan's Tokyo Electron)",
    "2018-03",
)
AMAT = (
    "http://seekingalpha.com/article/4039773-applied-materials-42-percent-exposure-euv-lithography-will-stunt-long-term-growth (Applied Materials competes with Lam Research in the etch and deposition equipment sectors)",
    "2017-01",
)
SHIN_ETSU = (
    "https://www.semimedia.cc/9354.html (Shin-Etsu Chemical: 29.4% of the global silicon wafer market as of September 2020, first in the world)",
    "2020-09",
)

SMIC = (
    "http://m.igu888.com/gonggao/ggnews.asp?code=688981&id=7940674 (中芯国际集成电路制造有限公司2021年年度报告摘要："
    "A股上交所科创板688981、港股00981；办公地址中国上海市浦东新区张江路18号)",
    "2022-03",
)
HYGON = (
    "https://basic.10jqka.com.cn/688041/operate.html (海光信息经营分析：研发、设计和销售应用于服务器、工作站等"
    "计算、存储设备中的高端处理器；通用处理器-海光CPU、协处理器-海光DCU)",
    "2025-06",
)
HYGON_REC = (
    "https://stock.stockstar.com/notice/SN2023041700021610.shtml (海光信息技术股份有限公司2022年年度报告摘要："
    "上海证券交易所科创板688041)",
    "2023-04",
)
TRANSWARP = (
    "https://vip.stock.finance.sina.com.cn/corp/view/vCB_AllBulletinDetail.php?id=10072423&stockid=688031 "
    "(星环信息科技(上海)股份有限公司2023年年度报告：围绕大数据和云基础平台、分布式关系型数据库、"
    "数据开发与智能分析工具三大产品矩阵；代码688031)",
    "2024-04",
)
TENCENT = (
    "http://twwtn.com/anews/202403/59863.html (腾讯2023年第四季度及全年财报：微信及WeChat月活13.43亿)",
    "2024-03",
)
MEDBOT = (
    "http://www.digipub.cc/dy/article/KIOIA62T05340BZM.html?spss=dy_author (来源微创机器人：图迈远程手术系统"
    "全科室应用获印度CDSCO批准上市；微创机器人集团全球远程手术网络)",
    "2025-12",
)

# Per firm: the record's source (None: the record is already sourced, e.g. by the register),
# whether that page states the headquarters, the tags it supports (the listing is kept only
# with 上市), and sources for products (makes and `relationships` MAKES edges), sites and
# supplies (keyed by customer).
FIRMS: dict[str, dict[str, Any]] = {
    "co:harmonic-drive": {
        "record": HD,
        "hq": True,
        "tags": ("隐形冠军", "上市"),
        "makes": {"prod:harmonic-reducer": HD},
    },
    "co:nabtesco": {
        "record": NAB,
        "hq": True,
        "tags": ("隐形冠军",),
        "makes": {"prod:rv-reducer": NAB},
    },
    "co:ballard": {
        "record": BALLARD,
        "hq": True,
        "makes": {"prod:fc-stack": BALLARD, "prod:fc-system": BALLARD},
    },
    "co:hiwin": {"record": HIWIN, "hq": True, "makes": {"prod:ball-screw-guide": HIWIN}},
    "co:welion": {"record": WELION, "hq": True, "makes": {"prod:solid-state-battery": WELION}},
    "co:aspen-aerogels": {"record": ASPEN, "hq": True, "makes": {"prod:aerogel": ASPEN}},
    "co:autodesk": {"record": CAD, "makes": {"prod:cad-software": CAD}},
    "co:zwsoft": {"makes": {"prod:cad-software": CAD}},
    "co:iflytek": {"makes": {"prod:intelligent-speech": IFLYTEK, "prod:hci": IFLYTEK}},
    "co:speechocean": {"makes": {"prod:data-annotation": SPEECHOCEAN}},
    "co:quantumctek": {
        "makes": {"prod:quantum-communication": QUANTUM},
        "sites": {"region:cn-hefei": HEFEI_QUANTUM},
    },
    "co:antgroup": {"record": ANT, "tags": ("龙头企业",), "makes": {"prod:blockchain": ANT}},
    "co:smic": {
        "record": SMIC,
        "hq": True,
        "tags": ("龙头企业", "上市"),
        "makes": {"prod:wafer-foundry": SMIC},
    },
    "co:hygon": {
        "record": HYGON_REC,
        "tags": ("上市",),
        "makes": {"prod:processor": HYGON, "prod:ai-chip": HYGON},
    },
    "co:transwarp": {
        "record": TRANSWARP,
        "hq": True,
        "tags": ("上市",),
        "makes": {"prod:big-data-platform": TRANSWARP, "prod:database": TRANSWARP},
    },
    "co:tencent": {"record": TENCENT, "makes": {"prod:mobile-app": TENCENT}},
    "co:microport-medbot": {
        "record": MEDBOT,
        "makes": {"prod:surgical-robot": MEDBOT, "prod:medical-robot": MEDBOT},
    },
    "co:asml": {"record": ASML, "hq": True, "tags": ("龙头企业",)},
    "co:smee": {"record": SMEE, "hq": True},
    "co:tsmc": {"record": TSMC, "hq": True, "tags": ("龙头企业",)},
    "co:synopsys": {"record": US_EDA, "hq": True, "tags": ("龙头企业",)},
    "co:cadence": {"record": US_EDA, "hq": True},
    "co:toyota": {"record": TOYOTA},
    "co:intuitive": {"record": INTUITIVE, "tags": ("龙头企业",)},
    "co:illumina": {"record": ILLUMINA, "tags": ("龙头企业",)},
    "co:nvidia": {"record": NVIDIA, "tags": ("龙头企业",)},
    "co:lam": {"record": LAM},
    "co:tel": {"record": LAM, "hq": True},
    "co:amat": {"record": AMAT},
    "co:shin-etsu": {"record": SHIN_ETSU, "tags": ("龙头企业",)},
}

UNVERIFIED = "unverified"


def _load() -> dict[Path, tuple[str, dict[str, Any]]]:
    out = {}
    for path in sorted((ROOT / "ingest" / "companies").glob("*.yaml")):
        if path.name == "dongguan-local.yaml":
            continue  # generated from ingest/sources/dongguan-firms*.csv
        text = path.read_text(encoding="utf-8")
        out[path] = (text, yaml.safe_load(text))
    return out


def _segments() -> tuple[dict[str, str], dict[str, str]]:
    """Product -> segment id, and segment id -> name."""
    seg, names = {}, {}
    for path in sorted((ROOT / "ontology" / "chains").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for s in doc.get("segments") or []:
            names[s["id"]] = s["name"]
        for p in doc.get("products") or []:
            first = p.get("segment") or (p.get("segments") or ["?"])[0]
            seg[p["id"]] = first
    return seg, names


def _makers(files: dict[Path, tuple[str, dict[str, Any]]]) -> dict[str, set[str]]:
    """Product -> firms making it, over every company file (dongguan-local.yaml included)."""
    out: dict[str, set[str]] = defaultdict(set)
    paths = sorted((ROOT / "ingest" / "companies").glob("*.yaml"))
    for path in paths:
        doc = files[path][1] if path in files else yaml.safe_load(path.read_text(encoding="utf-8"))
        for c in doc.get("companies") or []:
            for e in c.get("makes") or []:
                out[e if isinstance(e, str) else e["product"]].add(c["id"])
        for e in doc.get("relationships") or []:
            if e.get("type") == "MAKES":
                out[e["to"]].add(e["from"])
    return out


def plan(write: bool) -> list[str]:
    dg = dongguan_firms()
    files = _load()
    log: list[str] = []
    before = _makers(files)
    # 1. which records stay unverified: their firms are dropped whole
    dropped_firms: set[str] = set()
    for _path, (_text, doc) in files.items():
        fsrc = doc.get("source")
        for c in doc.get("companies") or []:
            if c["id"] in dg:
                continue
            if c.get("source", fsrc) == UNVERIFIED and not (FIRMS.get(c["id"]) or {}).get("record"):
                dropped_firms.add(c["id"])
    # a firm sourced in one file keeps its other records (their facts are decided one by one)
    for _path, (_text, doc) in files.items():
        fsrc = doc.get("source")
        for c in doc.get("companies") or []:
            if c["id"] in dropped_firms and c.get("source", fsrc) != UNVERIFIED:
                dropped_firms.discard(c["id"])
    # the record as sourced in one file covers the firm's records in other files
    sourced: dict[str, Src] = {}
    for _path, (_text, doc) in files.items():
        fsrc, fasof = doc.get("source"), doc.get("as_of")
        for c in doc.get("companies") or []:
            if c.get("source", fsrc) != UNVERIFIED:
                sourced.setdefault(c["id"], (c.get("source", fsrc), str(c.get("as_of", fasof))))
    # a sourced SUPPLIES fact names its customer: that page sources the customer's record
    # (not its headquarters or tags), so a firm some sourced fact depends on is kept
    for _path, (_text, doc) in files.items():
        fsrc = doc.get("source")
        for c in doc.get("companies") or []:
            csrc = c.get("source", fsrc)
            for e in c.get("supplies") or []:
                src = e.get("source", csrc)
                if src != UNVERIFIED and e["customer"] in dropped_firms:
                    dropped_firms.discard(e["customer"])
                    FIRMS.setdefault(e["customer"], {})["record"] = (
                        src,
                        str(e.get("as_of", c.get("as_of", doc.get("as_of")))),
                    )
    for cid in sorted(dropped_firms):
        log.append(f"DROP firm {cid} (no public source found for the firm)")
    # 2. rewrite each file
    for path, (text, doc) in files.items():
        fsrc, fasof = doc.get("source"), doc.get("as_of")
        blocks: dict[str, dict[str, Any] | None] = {}
        for c in doc.get("companies") or []:
            cid = c["id"]
            if cid in dg:
                continue
            if cid in dropped_firms:
                blocks[cid] = None
                continue
            decision = FIRMS.get(cid) or {}
            changed = False
            old_src, old_asof = c.get("source", fsrc), c.get("as_of", fasof)
            if old_src == UNVERIFIED:
                src, as_of = decision.get("record") or sourced[cid]
                c["source"], c["as_of"] = src, as_of
                log.append(f"SOURCED {cid} {c['name']} record")
                if "hq" in c and not (decision.get("record") and decision.get("hq")):
                    log.append(f"DROP {cid} {c['name']} hq={c['hq']} (page does not state it)")
                    c.pop("hq")
                keep = set(decision.get("tags") or ())
                if c.get("tags"):
                    gone = [t for t in c["tags"] if t not in keep]
                    if gone:
                        log.append(f"DROP {cid} {c['name']} tags {gone} (page does not state them)")
                    c["tags"] = [t for t in c["tags"] if t in keep]
                    if not c["tags"]:
                        c.pop("tags")
                if c.get("listing") and "上市" not in keep:
                    log.append(f"DROP {cid} {c['name']} listing {c['listing']} (no source)")
                    c.pop("listing")
                changed = True
            for key, field in (("makes", "product"), ("sites", "region"), ("supplies", "customer")):
                entries = c.get(key) or []
                out = []
                for e in entries:
                    e = {field: e} if isinstance(e, str) else dict(e)
                    if key == "supplies" and e.get("customer") in dropped_firms:
                        log.append(f"DROP {cid} supplies to dropped firm {e['customer']}")
                        changed = True
                        continue
                    own = e.get("source")
                    if (own or old_src) != UNVERIFIED:
                        if own is None and c.get("source") != old_src:
                            e = {**e, "source": old_src, "as_of": str(e.get("as_of", old_asof))}
                            changed = True
                        out.append(e)
                        continue
                    found = (decision.get(key) or {}).get(e.get(field) or e.get("base"))
                    what = f"{cid} {c['name']} {key} {e.get(field) or e.get('base')}"
                    changed = True
                    if found is None:
                        log.append(f"DROP {what} (no public source found)")
                        continue
                    log.append(f"SOURCED {what}")
                    out.append({**e, "source": found[0], "as_of": found[1]})
                if entries:
                    if out:
                        c[key] = [x if set(x) != {"product"} else x["product"] for x in out]
                    else:
                        c.pop(key)
            if c.get("parent_company") in dropped_firms:
                log.append(f"DROP {cid} parent_company {c['parent_company']} (firm dropped)")
                c.pop("parent_company")
                changed = True
            if changed:
                blocks[cid] = c
        # a dropped firm's other records (in files where it was not dropped yet) go too
        for c in doc.get("companies") or []:
            if c["id"] in dropped_firms:
                blocks[c["id"]] = None
        out_text = _rewrite(text, blocks) if blocks else text
        out_text = _relations(out_text, fsrc, dg, dropped_firms, log)
        if write and out_text != text:
            path.write_text(out_text, encoding="utf-8")
        files[path] = (out_text, yaml.safe_load(out_text))
    log.extend(_lost_segments(before, _makers(files)))
    return log


def _relations(text: str, fsrc: Any, dg: set[str], dropped: set[str], log: list[str]) -> str:
    """Source or drop the unverified edges of non-Dongguan firms in a `relationships:` list."""
    out: list[str] = []
    for line, edge in relationship_edges(text):
        if edge is None:
            out.append(line)
            continue
        ends = {edge.get("from"), edge.get("to")}
        if ends & dropped:
            log.append(
                f"DROP relationships {edge['type']} {edge['from']} -> {edge['to']} (firm dropped)"
            )
            continue
        frm = edge.get("from", "")
        if not re.match(r"co:", frm) or frm in dg or edge.get("source", fsrc) != UNVERIFIED:
            out.append(line)
            continue
        found = (
            (FIRMS.get(frm) or {}).get("makes", {}).get(edge["to"])
            if edge["type"] == "MAKES"
            else None
        )
        what = f"{frm} relationships {edge['type']} {edge['to']}"
        if found is None:
            log.append(f"DROP {what} (no public source found)")
            continue
        log.append(f"SOURCED {what}")
        out.append(sourced_edge_line(line, edge, found[0], found[1]))
    return "".join(out)


def _lost_segments(before: dict[str, set[str]], after: dict[str, set[str]]) -> list[str]:
    seg, names = _segments()
    by_seg_before: dict[str, set[str]] = defaultdict(set)
    by_seg_after: dict[str, set[str]] = defaultdict(set)
    for p, firms in before.items():
        by_seg_before[seg.get(p, "?")] |= firms
    for p, firms in after.items():
        by_seg_after[seg.get(p, "?")] |= firms
    out = []
    for s in sorted(by_seg_before):
        if by_seg_before[s] and not by_seg_after.get(s):
            out.append(
                f"LOST last maker: segment {s} {names.get(s, '')} (had {', '.join(sorted(by_seg_before[s]))})"
            )
    lost_products = sorted(p for p in before if before[p] and not after.get(p))
    out.append(f"products without a maker now: {len(lost_products)}: {', '.join(lost_products)}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write", action="store_true", help="rewrite the company files")
    args = ap.parse_args(argv)
    for line in plan(args.write):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
