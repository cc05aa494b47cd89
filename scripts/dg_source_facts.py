#!/usr/bin/env python3
"""Give the Dongguan firms' unverified facts a public source, or drop them.

Every fact of a firm located in Dongguan must carry a document source (issue #21). This
script holds the reviewed decisions for the facts that neither the exchange data
(``scripts/verify_listed.py``) nor the generated local layer covered: a public page found for
the fact (source + as_of), or ``DROP`` with the reason no source was found. It only touches
facts whose effective source is still ``unverified``, so rerunning it changes nothing.

    python3 scripts/dg_source_facts.py           # print what it would source and drop
    python3 scripts/dg_source_facts.py --write   # rewrite ingest/companies/*.yaml

A record whose own source is replaced keeps the facts that inherited its old ``unverified``
as explicit ``source: unverified`` entries unless a decision below covers them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from company_records import rewrite_blocks
from verify_listed import ROOT

DROP = "DROP"
Src = tuple[str, str]  # (source, as_of)

# --- public pages (found with the project's page search; the passage is quoted in the source) ---
YCWB = "http://ep.ycwb.com/epaper/ycwb/html/2025-09/26/content_845_725341.htm (羊城晚报：东莞长安镇……这里汇聚了手机巨头vivo、OPPO)"
OPPO_WATCH = "http://www.kuwanit.com/plus/view.php?aid=37840 (OPPO首款智能手表OPPO Watch官宣；此前已推出5G CPE、真无线耳机Enco Free)"
VIVO_WATCH = (
    "http://suphp.cn/leifengwang/78/192678.html (雷锋网：vivo首款智能手表vivo WATCH正式发布)"
)
HW_DG = "https://m.3dmxku.com/shouji/huawei/9430412.html (华为布局松山湖……2012年在东莞松山湖注册华为终端(东莞)有限公司；华为终端总部提供手机、移动宽带和家庭终端等产品)"
HW_5G = "http://m.micomprapr.com/news/show-htm-itemid-34923.html (路透：华为已开始生产不含美国零部件的5G基站，每月建造5000个基站)"
HW_SWITCH = (
    "https://www.aiboce.com/ask/289265.html (华为交换机是华为技术有限公司推出的网络核心设备)"
)
HW_WATCH = "https://www.bnext.com.tw/article/67219/smart-watch-nexy-step (CCS Insights：2020年华为智能手表出货1800万只，位列次席)"
HKC = "http://fyhuishou.com/news/20250318/176997.htm (惠科东莞平板显示集群电子商务项目二期开工；惠科主营研发与制造半导体显示面板，技术包括Mini LED等)"
HUAQIN = "https://www.cjcn.com.cn/news/show-111964.html (华勤技术2023年8月登陆沪市主板；ODM产品线涉及智能手机、平板电脑、智能手表等)"
LUX_AIRPODS = "https://cn.technode.com/post/2020-05-13/apple-luxshare-ict-catcher-technolog/ (日经：AirPods 无线耳机的中国代工厂立讯精密)"
NEXPERIA = "https://news.cnyes.com/news/id/6197053 (安世半导体总部位于荷兰；东莞黄江镇工厂为其最大封装测试基地)"
DELTA_PLC = (
    "https://shsongjiang013548.11467.com/news/4582276.asp (台达DVP-20PM00D是一款专用运动控制型PLC)"
)
DTECH = "https://cs.com.cn/5g/202406/t20240618_6417829.html (中国证券报：东莞的广东鼎泰高科技术股份有限公司，PCB微型钻针每月生产8000万支)"
ZKTECO = "http://www.b502.com/information/88741 (塘厦镇中控智慧科技股份有限公司：掌纹静脉识别终端、虹膜识别等生物识别技术)"
AOHAI = "https://q.stock.sohu.com/cn,gg,002993,6877051302.shtml (奥海科技2020年年度报告摘要：公司主要从事充电器等智能终端充储电产品的设计、研发、制造和销售)"
SINO_NITRIDE = "https://m.163.com/dy/article/I36KECCT05387CFC.html (甘子钊院士一行来到东莞企石……2009年成立东莞市中镓半导体科技有限公司)"
TIANYU = (
    "东莞松山湖管委会《东莞市生态园2022年度土地征收成片开发方案》相关报道（天域碳化硅外延项目）"
)
KAIJIN = "http://m.djxww.com/xiaoshou/zonghe/2022/0630/69958.html (凯金新能源副董事长：我们是专业从事负极材料研发、生产及销售的高新技术企业)"

# Record-level decisions: new source for the record, and record fields that have no source.
RECORD: dict[str, tuple[Src, tuple[str, ...]]] = {
    "co:huawei": ((HW_DG, "2022"), ("hq", "founded")),
    "co:oppo": ((YCWB, "2025-09"), ("founded",)),
    "co:vivo": ((YCWB, "2025-09"), ("founded",)),
    "co:hkc": ((HKC, "2025-03"), ("hq",)),
    "co:huaqin": ((HUAQIN, "2025-10"), ("hq",)),
    "co:nexperia": ((NEXPERIA, "2025-10"), ()),
    "co:tianyu-semi": ((TIANYU, "2022"), ("hq", "founded")),
    # firms whose only sourced fact is their Dongguan site: the site's page names the firm
    "co:3sbio": (
        ("http://www.abinsuranceagency.net/_mtbd/shownews.php?id=2152&lang=tc", "2024"),
        ("hq",),
    ),
    "co:lifetech": (("https://diezimi.com/_qyzx/shownews.php?id=1787&lang=tc", "2021-11"), ("hq",)),
    "co:anke": (("https://diezimi.com/_qyzx/shownews.php?id=1787&lang=tc", "2021-11"), ("hq",)),
    "co:capitalbio": (
        ("https://diezimi.com/_qyzx/shownews.php?id=1787&lang=tc", "2021-11"),
        ("hq",),
    ),
    "co:delta-electronics": (("https://delta50.deltaww.com/news_210813.aspx", "2021-08"), ("hq",)),
    "co:holtek": (
        ("https://www.xuehua.us/a/5ebf7b21861d2e73150612fa?lang=zh-tw", "2018-11"),
        ("hq",),
    ),
    "co:nvt": (
        ("https://pub.timedg.com:443/s/2025-07/05/AP68687c46e4b0f9d757eb9a35.html", "2025-07"),
        (),
    ),
    "co:luxshare": (
        ("深交所A股列表 (2025-12-30)，立讯精密工业股份有限公司，A股代码002475", "2025-12-30"),
        ("hq",),  # 清溪 has no source; the register gives 深圳市宝安区
    ),
    "co:shengyi-tech": (
        ("ChainKnowledgeGraph 上市公司 (2021)，广东生益科技股份有限公司，代码600183", "2021-10"),
        ("hq",),  # 松山湖 not confirmed by a page found; the full name gives the province only
    ),
}

MAKES: dict[tuple[str, str], Src | str] = {
    ("co:huawei", "prod:5g-base-station"): (HW_5G, "2019-09"),
    ("co:huawei", "prod:router-switch"): (HW_SWITCH, "2025"),
    ("co:huawei", "prod:wearable"): (HW_WATCH, "2021"),
    ("co:oppo", "prod:wearable"): (OPPO_WATCH, "2020-03"),
    ("co:oppo", "prod:smart-hardware"): (OPPO_WATCH, "2020-03"),
    ("co:vivo", "prod:wearable"): (VIVO_WATCH, "2020-09"),
    ("co:hkc", "prod:display-panel"): (HKC, "2025-03"),
    ("co:hkc", "prod:mini-micro-led"): (HKC, "2025-03"),
    ("co:huaqin", "prod:smartphone"): (HUAQIN, "2025-10"),
    ("co:huaqin", "prod:wearable"): (HUAQIN, "2025-10"),
    ("co:luxshare", "prod:wearable"): (LUX_AIRPODS, "2020-05"),
    ("co:delta-electronics", "prod:plc"): (DELTA_PLC, "2024"),
    ("co:dtech", "prod:carbide-cutting-tool"): (DTECH, "2024-06"),
    ("co:zkteco", "prod:computer-vision"): (ZKTECO, "2019"),
    ("co:aohai", "prod:power-adapter"): (AOHAI, "2021-04"),
    ("co:kaijin", "prod:anode-material"): (KAIJIN, "2022-06"),
}

SITES: dict[tuple[str, str], Src | str] = {
    ("co:sino-nitride", "region:dg-qishi"): (SINO_NITRIDE, "2023"),
    ("co:luxshare", "region:cn-shenzhen"): DROP,  # 研发 site without a source
}

# Firms outside Dongguan: sources found for MAKES facts that are the only support of a target
# product (the rest stay marked `unverified` and counted; never dropped here, see the report).
OTHER_MAKES: dict[tuple[str, str], Src] = {
    ("co:asml", "prod:lithography-machine"): (
        "https://tweakers.net/reviews/10832/cto-martin-van-den-brink-over-de-obstakels-naar-asmls-euv-alleenheerschappij.html (ASML-cto over euv-lithografie; ASML-thuisbasis Veldhoven)",
        "2025-05",
    ),
    ("co:smee", "prod:lithography-machine"): (
        "https://www.piffle365.com/html/chanye/dianzidianlu/201706/60231.html (东方网“每月一访”走进上海微电子：高端扫描投影光刻机研制和先进封装光刻机产业化的承担单位)",
        "2017-06",
    ),
    ("co:tsmc", "prod:wafer-foundry"): (
        "https://www.japantimes.co.jp/opinion/2021/06/17/commentary/japan-commentary/taiwan-chip-dependence/ (TSMC, the world's first dedicated semiconductor foundry, 54% of the global foundry market in 2020)",
        "2021-06",
    ),
    ("co:synopsys", "prod:eda"): (
        "https://chinatechtales.wordpress.com/2020/09/24/example-post-3/ (today's dominant EDA vendors: Mentor Graphics, Cadence, Synopsys)",
        "2020-09",
    ),
    ("co:cadence", "prod:eda"): (
        "https://chinatechtales.wordpress.com/2020/09/24/example-post-3/ (today's dominant EDA vendors: Mentor Graphics, Cadence, Synopsys)",
        "2020-09",
    ),
    ("co:toyota", "prod:fcev"): (
        "http://www.toyota-global.com/innovation/environmental_technology/technology_file/fuel_cell_hybrid/tfcs.html (Toyota Fuel Cell System, the power train of the MIRAI; undated page)",
        "2021",
    ),
    ("co:toyota", "prod:fc-stack"): (
        "http://www.toyota-global.com/innovation/environmental_technology/technology_file/fuel_cell_hybrid/tfcs.html (Toyota's first mass-produced fuel cell, the Toyota FC Stack; undated page)",
        "2021",
    ),
    ("co:intuitive", "prod:surgical-robot"): (
        "https://friendlywiki.com/article/index.php?title=Intuitive_Surgical (Intuitive Surgical, da Vinci Surgical System; installed base 6,730 systems as of 2021-12-31, per its 10-K)",
        "2021-12",
    ),
    ("co:illumina", "prod:gene-sequencer"): (
        "https://www.axios.com/2022/09/29/competition-dna-sequencing-illumina (Illumina, an estimated 80% share of the global gene sequencing market, unveiled a new line of instruments)",
        "2022-09",
    ),
    ("co:nvidia", "prod:ai-chip"): (
        "https://lesvillasdusoleil.com/tech/nvidia-dominates-data-center-gpus-and-artificial-intelligence/ (Wells Fargo: NVIDIA holds 98% of data-center GPUs for AI, 2023)",
        "2024",
    ),
    ("co:lam", "prod:etching-equipment"): (
        "https://seekingalpha.com/article/4154304-lam-research-rises-in-semiconductor-etch-sector-on-heels-of-3d-nand-memory (Lam Research's plasma etch share rose to the mid-50% range; main competitor Tokyo Electron)",
        "2018-03",
    ),
    ("co:tel", "prod:etching-equipment"): (
        "https://seekingalpha.com/article/4154304-lam-research-rises-in-semiconductor-etch-sector-on-heels-of-3d-nand-memory (in the plasma etch sector Lam Research gained share against its main competitor Japan's Tokyo Electron)",
        "2018-03",
    ),
    ("co:amat", "prod:etching-equipment"): (
        "http://seekingalpha.com/article/4039773-applied-materials-42-percent-exposure-euv-lithography-will-stunt-long-term-growth (Applied Materials competes with Lam Research in the etch and deposition equipment sectors)",
        "2017-01",
    ),
    ("co:amat", "prod:deposition-equipment"): (
        "http://seekingalpha.com/article/4039773-applied-materials-42-percent-exposure-euv-lithography-will-stunt-long-term-growth (Applied Materials competes with Lam Research in the etch and deposition equipment sectors)",
        "2017-01",
    ),
    ("co:shin-etsu", "prod:silicon-wafer"): (
        "https://www.semimedia.cc/9354.html (Shin-Etsu Chemical: 29.4% of the global silicon wafer market as of September 2020, first in the world)",
        "2020-09",
    ),
}

# Sourced places added to a firm (only when it has no site in that region yet).
ADD_SITES: dict[str, list[dict[str, str]]] = {
    "co:shengyi-tech": [
        {
            "region": "region:dg-songshanhu",
            "role": "生产",
            "note": "高性能覆铜板项目（投资意向协议，约45亿元）",
            "source": "http://www.cisceindiaresults.com/cj/cjyw/2026-01-04/1823931.html (上海证券报：生益科技与东莞松山湖高新区管委会签订项目投资意向协议，投资建设高性能覆铜板项目；万江老厂区地块收储)",
            "as_of": "2026-01",
        }
    ],
    "co:luxshare": [
        {
            "region": "region:dg-qishi",
            "role": "生产",
            "note": "页面未注明年份",
            "source": "https://m.gzjll.com/3/4211614.html (东莞企石规模较大的工厂有立讯精密……员工超过5000人)",
            "as_of": "2025",
        }
    ],
}

SUPPLIES: dict[tuple[str, str, str], Src | str] = {}

# Edges in a file's `relationships:` list (firms homed in another chain's file), keyed by
# (type, from, to). Pages found with the project's page search; the passage is quoted.
HW_CLOUD = "http://www.yanyu31692.cn/html/2025-8-28/1717212.htm (数博会：华为常务董事、华为云计算CEO张平安：华为云整体算力规模同比增长近250%，使用昇腾AI云服务的客户1714家)"
HW_MODELARTS = "https://aigc.luomor.com/2023/07/08/6000-%e5%ad%97%e8%af%a6%e8%a7%a3%e5%8d%8e%e4%b8%ba%e7%9b%98%e5%8f%a4%e5%a4%a7%e6%a8%a1%e5%9e%8b%ef%bc%9a%e8%83%bd%e5%90%a6%e6%92%91%e8%b5%b7%e4%b8%96%e7%95%8c-ai-%e5%8f%a6%e4%b8%80%e6%9e%81%ef%bc%9f (HDC 2023：华为云发布盘古大模型3.0；AI开发生产线ModelArts、全场景AI框架昇思MindSpore)"
HW_PANGU = "https://hehuxinxi.cn/29145.html (华为正式宣布开源盘古70亿参数稠密模型、盘古Pro MoE 720亿参数混合专家模型)"
HW_HARMONY = "http://93992.cn/doc-view-1663.html (华为鸿蒙系统：2019年8月9日华为在东莞举行开发者大会发布鸿蒙OS；2021年6月发布HarmonyOS 2)"
HW_GAUSSDB = "http://www.ruibaoantu.com/article/detail.html?id=3820079 (GaussDB：华为云推出的企业级分布式关系型数据库)"
HW_SERVER = "https://www.zhitaoyun.cn/2323878.html (华为鲲鹏服务器基于鲲鹏处理器，昇腾服务器基于昇腾AI处理器)"
HW_DC = "http://finance.jxyuging.com/kx/2022/0225/169680.html (华为数字能源：东莞华为云数据中心采用预制模块化建设，2019年六个月内完成工程建设与交付)"
HW_IEF = "http://miconline.com.cn/cases/details_102794.html (案例：华为云IEF边云协同操作系统；企业：华为技术有限公司；领域：边缘计算)"
HW_FUSIONPLANT = "http://www.fujian-window.com/wangluo/16164_3.html (中国经济周刊：2018年，华为发布FusionPlant工业互联网平台)"
HW_PRIVATE5G = "https://star-elink.com/news/2021.html (2019年华为和中国移动为山西新元煤矿开发地下5G网络，为湘潭钢铁建成5G覆盖；5G民营网络专供特定企业场所)"
HW_6G = "http://m.gg1fic3.cn/viewnews-2303153.html (华为轮值董事长徐直军：华为2017年开始对6G研究的投资，预计6G将在2030年左右投向市场)"
HW_ESS = "http://m.r7565.cn/news/show.php?itemid=16608 (华为签下沙特红海新城1300MWh储能项目，提供智能组串式储能解决方案)"
HW_CHARGER = "https://wallstreetcn.com/livenews/2590036 (上证报：华为数字能源计划2024年部署超过10万个华为全液冷超快充充电桩)"
HW_DRIVEONE = "https://www.qbitai.com/2023/11/98369.html (量子位：华为DriveONE电驱动系统，电机控制器、电机和减速器三合一，首发搭载智界S7)"
HW_ASCEND = "https://udn.com/news/story/7333/9013285 (聯合報：華為全聯接大會2025，徐直軍披露昇騰晶片規畫；今年第1季推出昇騰910C)"
HW_ECG = "http://www.bjmhhq.com/108366.html (广东省药监局：华为腕部单导心电采集器正式批准生产，第二类医疗器械，粤械注准20202071705)"
OPPO_OS = "http://www.91haoming.cn/news/show-592975.html (2025年10月15日OPPO开发者大会：ColorOS 16)"
OPPO_LLM = "http://www.shdongyou.cn/dy/article/KC326TFE0511FMIQ.html?spss=dy_author (OPPO AI中心推出开源端侧多模态大模型AndesVL，0.6B-4B四档尺寸)"
VIVO_OS = "https://m.elecfans.com/article/2301799.html (2023 vivo开发者大会：正式发布自研智慧操作系统蓝河操作系统BlueOS)"
VIVO_LLM = "https://user.guancha.cn/main/content?id=1313447&s=fwtjgzwz (2023年vivo开发者大会推出自研大模型矩阵蓝心大模型；2024 vivo开发者大会发布全面升级的蓝心大模型矩阵)"
BYD_ICV = "https://www-lf.dongchedi.com/article/7470180476814000651 (2025年2月10日比亚迪智能化战略发布会：天神之眼高阶智能驾驶系统完成全国无图城市领航功能推送)"
YIAN_PARTS = "https://www.mygp.cn/?p=8345 (宜安科技：液态金属精密制造；华为Mate系列折叠屏铰链供应商、5G基站镁合金散热壳体；特斯拉液态金属门锁盖)"

RELATIONS: dict[tuple[str, str, str], Src | str] = {
    ("MAKES", "co:huawei", "prod:wearable-health-device"): (HW_ECG, "2021-10"),
    ("MAKES", "co:huawei", "prod:cloud-computing"): (HW_CLOUD, "2025-08"),
    ("MAKES", "co:huawei", "prod:ai-platform"): (HW_MODELARTS, "2023-07"),
    ("MAKES", "co:huawei", "prod:foundation-model"): (HW_PANGU, "2025-06"),
    ("MAKES", "co:huawei", "prod:operating-system"): (HW_HARMONY, "2021-11"),
    ("MAKES", "co:huawei", "prod:database"): (HW_GAUSSDB, "2025-09"),
    ("MAKES", "co:huawei", "prod:server"): (HW_SERVER, "2025-07"),
    ("MAKES", "co:huawei", "prod:data-center"): (HW_DC, "2022-02"),
    ("MAKES", "co:huawei", "prod:edge-computing"): (HW_IEF, "2021-03"),
    ("MAKES", "co:huawei", "prod:industrial-internet-platform"): (HW_FUSIONPLANT, "2018"),
    ("MAKES", "co:huawei", "prod:5g-private-network"): (HW_PRIVATE5G, "2021"),
    ("MAKES", "co:huawei", "prod:6g"): (HW_6G, "2022"),  # research investment, not a product yet
    ("MAKES", "co:huawei", "prod:pcs"): DROP,  # no page names a Huawei PCS (储能变流器)
    ("MAKES", "co:huawei", "prod:energy-storage-system"): (HW_ESS, "2021-10"),
    ("MAKES", "co:huawei", "prod:charging-pile"): (HW_CHARGER, "2023-12"),
    ("MAKES", "co:huawei", "prod:e-drive-system"): (HW_DRIVEONE, "2023-11"),
    ("MAKES", "co:huawei", "prod:5g-equipment"): (HW_5G, "2019-09"),
    ("MAKES", "co:huawei", "prod:ai-chip"): (HW_ASCEND, "2025-09"),
    ("MAKES", "co:oppo", "prod:operating-system"): (OPPO_OS, "2025-10"),
    ("MAKES", "co:oppo", "prod:foundation-model"): (OPPO_LLM, "2025"),
    ("MAKES", "co:vivo", "prod:operating-system"): (VIVO_OS, "2023-11"),
    ("MAKES", "co:vivo", "prod:foundation-model"): (VIVO_LLM, "2024-10"),
    ("MAKES", "co:byd", "prod:intelligent-connected-vehicle"): (BYD_ICV, "2025-02"),
    ("MAKES", "co:yian-tech", "prod:precision-structural-part"): (YIAN_PARTS, "2025-10"),
}

# Anything else still unverified on a Dongguan firm is dropped: no public source was found.
NO_SOURCE = "未找到公开来源"

# Whole records with no sourced fact at all.
DROP_FIRMS: dict[str, str] = {
    "co:xtc": "小天才: no public page found for the firm, its town or products (searched pages/docs)",
    "co:bbk": "步步高电子: no public page found; the A-share 步步高 (002251) is a different firm",
}


def _is_dg(places: set[str], parent: dict[str, str]) -> bool:
    for p in places:
        while p:
            if p == "region:cn-dongguan":
                return True
            p = parent.get(p, "")
    return False


def dongguan_firms() -> set[str]:
    regions = yaml.safe_load((ROOT / "ontology" / "regions.yaml").read_text(encoding="utf-8"))
    bases = yaml.safe_load((ROOT / "ontology" / "bases.yaml").read_text(encoding="utf-8"))
    parent = {r["id"]: r.get("parent", "") for r in regions["regions"]}
    base_region = {b["id"]: b.get("region", "") for b in bases["bases"]}
    places: dict[str, set[str]] = {}
    for path in sorted((ROOT / "ingest" / "companies").glob("*.yaml")):
        for c in yaml.safe_load(path.read_text(encoding="utf-8")).get("companies") or []:
            ps = places.setdefault(c["id"], set())
            if c.get("hq"):
                ps.add(c["hq"])
            for s in c.get("sites") or []:
                ps.add(s.get("region") or base_region.get(s.get("base", ""), ""))
    return {c for c, ps in places.items() if _is_dg(ps, parent)}


def _decide(
    entry: dict[str, Any], decision: Src | str | None, log: list[str], what: str
) -> dict[str, Any] | None:
    if decision is None or decision == DROP:
        log.append(f"DROP {what} ({NO_SOURCE})")
        return None
    src, as_of = cast(Src, decision)
    log.append(f"SOURCED {what}")
    return {**entry, "source": src, "as_of": as_of}


def _source_other(c: dict[str, Any], fsrc: Any, fasof: Any, log: list[str]) -> bool:
    """Apply OTHER_MAKES to a non-Dongguan firm's unverified MAKES facts (never drops)."""
    csrc = c.get("source", fsrc)
    changed = False
    makes = []
    for e in c.get("makes") or []:
        pid = e if isinstance(e, str) else e["product"]
        src = e.get("source", csrc) if isinstance(e, dict) else csrc
        decision = OTHER_MAKES.get((c["id"], pid))
        if src == "unverified" and decision is not None:
            base = {} if isinstance(e, str) else dict(e)
            e = {**base, "product": pid, "source": decision[0], "as_of": decision[1]}
            log.append(f"SOURCED {c['id']} {c['name']} makes ('{pid}',)")
            changed = True
        makes.append(e)
    if changed:
        c["makes"] = makes
    return changed


def plan(write: bool) -> list[str]:
    dg = dongguan_firms() | set(RECORD) | set(DROP_FIRMS)
    log: list[str] = []
    for path in sorted((ROOT / "ingest" / "companies").glob("*.yaml")):
        if path.name == "dongguan-local.yaml":
            continue  # generated from ingest/sources/dongguan-firms.csv
        text = path.read_text(encoding="utf-8")
        doc = yaml.safe_load(text)
        fsrc, fasof = doc.get("source"), doc.get("as_of")
        blocks: dict[str, dict[str, Any] | None] = {}
        for c in doc.get("companies") or []:
            cid = c["id"]
            if cid not in dg:
                if _source_other(c, fsrc, fasof, log):
                    blocks[cid] = c
                continue
            if cid in DROP_FIRMS:
                log.append(f"DROP firm {cid} {c['name']} ({DROP_FIRMS[cid]})")
                blocks[cid] = None
                continue
            changed = False
            csrc = c.get("source", fsrc)
            old_src, old_asof = csrc, c.get("as_of", fasof)
            if csrc == "unverified" and cid in RECORD:
                (src, as_of), fields = RECORD[cid]
                for f in fields:
                    if f in c:
                        log.append(f"DROP {cid} {c['name']} {f}={c[f]} ({NO_SOURCE})")
                        c.pop(f)
                c["source"], c["as_of"] = src, as_of
                log.append(f"SOURCED {cid} {c['name']} record")
                changed = True
            elif csrc == "unverified":
                log.append(f"LEFT {cid} {c['name']} record unverified (no decision)")
            for key in ("makes", "sites", "supplies"):
                entries = c.get(key) or []
                out = []
                for e in entries:
                    e = {"product": e} if isinstance(e, str) else dict(e)
                    own = e.get("source")
                    if (own or old_src) != "unverified":
                        if own is None and c.get("source") != old_src:
                            e = {**e, "source": old_src, "as_of": str(e.get("as_of", old_asof))}
                            changed = True
                        out.append(e)
                        continue
                    if key == "makes":
                        k: Any = (cid, e["product"])
                        decision = MAKES.get(k)
                    elif key == "sites":
                        k = (cid, e.get("region") or e.get("base"))
                        decision = SITES.get(k)
                    else:
                        k = (cid, e.get("customer"), e.get("product"))
                        decision = SUPPLIES.get(k)
                    new = _decide(e, decision, log, f"{cid} {c['name']} {key} {k[1:]}")
                    changed = True
                    if new is not None:
                        out.append(new)
                if entries:
                    if out:
                        c[key] = [x if set(x) != {"product"} else x["product"] for x in out]
                    else:
                        c.pop(key)
            for site in ADD_SITES.get(cid, []):
                if not any(x.get("region") == site["region"] for x in c.get("sites") or []):
                    c["sites"] = [*(c.get("sites") or []), site]
                    log.append(f"SOURCED {cid} {c['name']} new site {site['region']}")
                    changed = True
            if changed:
                blocks[cid] = c
        out_text = _rewrite(text, blocks) if blocks else text
        out_text = _relations(out_text, fsrc, dg, log)
        if write and out_text != text:
            path.write_text(out_text, encoding="utf-8")
    return log


def _yq(v: str) -> str:
    return "'" + v.replace("'", "''") + "'"


def relationship_edges(text: str) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """Each line of a company file, with its edge when it is a flow-mapping line of the
    top-level ``relationships:`` list (None otherwise)."""
    in_rel = False
    for line in text.splitlines(keepends=True):
        if line.startswith("relationships:"):
            in_rel = True
        elif line.strip() and not line.startswith((" ", "#")):
            in_rel = False
        if in_rel and line.lstrip().startswith("- {type:"):
            yield line, yaml.safe_load(line.strip()[2:])
        else:
            yield line, None


def sourced_edge_line(line: str, edge: dict[str, Any], source: str, as_of: str) -> str:
    """``line``'s edge rewritten in place with this source and as_of (other keys kept)."""
    indent = line[: len(line) - len(line.lstrip())]
    extra = "".join(
        f", {k}: {_yq(str(v))}"
        for k, v in edge.items()
        if k not in ("type", "from", "to", "source", "as_of")
    )
    return (
        f"{indent}- {{type: {edge['type']}, from: {edge['from']}, to: {edge['to']}{extra}, "
        f"source: {_yq(source)}, as_of: {_yq(as_of)}}}\n"
    )


def _relations(text: str, fsrc: Any, dg: set[str], log: list[str]) -> str:
    """Apply RELATIONS to the unverified edges of Dongguan firms in a `relationships:` list.

    Each edge is one flow-mapping line; a sourced edge is rewritten in place, a dropped one
    removed. Edges that already carry a source other than ``unverified`` are left alone.
    """
    out: list[str] = []
    for line, edge in relationship_edges(text):
        if edge is None:
            out.append(line)
            continue
        if edge.get("from") not in dg or edge.get("source", fsrc) != "unverified":
            out.append(line)
            continue
        key = (edge["type"], edge["from"], edge["to"])
        decision = RELATIONS.get(key)
        what = f"{edge['from']} relationships {key[0]} {key[2]}"
        if decision is None or decision == DROP:
            log.append(f"DROP {what} ({NO_SOURCE})")
            continue
        src, as_of = cast(Src, decision)
        log.append(f"SOURCED {what}")
        out.append(sourced_edge_line(line, edge, src, as_of))
    return "".join(out)


def _rewrite(text: str, blocks: dict[str, dict[str, Any] | None]) -> str:
    keep = {k: v for k, v in blocks.items() if v is not None}
    text = rewrite_blocks(text, keep)
    for cid in (k for k, v in blocks.items() if v is None):
        lines = text.splitlines(keepends=True)
        out, i = [], 0
        while i < len(lines):
            if lines[i].rstrip() == f"  - id: {cid}":
                i += 1
                while i < len(lines) and lines[i].startswith("    "):
                    i += 1
                continue
            out.append(lines[i])
            i += 1
        text = "".join(out)
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write", action="store_true", help="rewrite the company files")
    args = ap.parse_args(argv)
    for line in plan(args.write):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
