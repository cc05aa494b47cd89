"""A seeded generator of registry rows (made up, marked synthetic) for the sample and the bench.

Names, codes and addresses are invented; the words come from the ontology's
vocabulary plus boilerplate scope text, so classify has something real to find.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
from collections.abc import Iterator
from pathlib import Path

from stdnum.cn import uscc as _uscc

from chaingraph.store.base import GraphStore

__all__ = ["HEADER", "registry_rows", "write_registry"]

HEADER = [
    "企业名称",
    "统一社会信用代码",
    "注册地址",
    "经营范围",
    "主营产品",
    "国标行业",
    "经营状态",
    "来源",
    "数据日期",
]
_SOURCE = "synthetic (chaingraph.classify.synthetic)"
_WORDS = [
    "华",
    "盛",
    "鑫",
    "达",
    "信",
    "源",
    "创",
    "科",
    "恒",
    "联",
    "晟",
    "拓",
    "宏",
    "泰",
    "嘉",
    "力",
    "新",
    "锐",
    "益",
    "隆",
    "立",
    "弘",
    "瑞",
    "森",
]
_BOILER = ["技术开发", "技术服务", "货物及技术进出口", "企业管理咨询", "物业租赁", "会议及展览服务"]
_PLAIN = ["五金制品", "服装", "家具", "包装材料", "餐饮服务", "日用百货", "纸制品", "鞋", "玩具"]
_TOWNS = [
    "莞城街道",
    "南城街道",
    "东城街道",
    "万江街道",
    "石碣镇",
    "石龙镇",
    "茶山镇",
    "石排镇",
    "企石镇",
    "横沥镇",
    "桥头镇",
    "谢岗镇",
    "东坑镇",
    "常平镇",
    "寮步镇",
    "樟木头镇",
    "大朗镇",
    "黄江镇",
    "清溪镇",
    "塘厦镇",
    "凤岗镇",
    "大岭山镇",
    "长安镇",
    "虎门镇",
    "厚街镇",
    "沙田镇",
    "道滘镇",
    "洪梅镇",
    "麻涌镇",
    "望牛墩镇",
    "中堂镇",
    "高埗镇",
    "松山湖园区",
]
_GBT = [
    "C3841 锂离子电池制造",
    "C3982 电子电路制造",
    "C2720 化学药品制剂制造",
    "F5179 其他机械设备及电子产品批发",
    "C3399 其他未列明金属制品制造",
]
_STATUS = ["存续"] * 18 + ["在业", "注销"]


def _code(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91441900" + "".join(rng.choice(alphabet) for _ in range(9))
    return body + _uscc.calc_check_digit(body)


def registry_rows(store: GraphStore, count: int, seed: int = 7) -> Iterator[list[str]]:
    """``count`` made-up registry rows (cells in :data:`HEADER` order), the same for a seed."""
    rng = random.Random(seed)
    vocab = sorted(
        n.name for n in store.nodes("Product") if any("\u4e00" <= c <= "\u9fff" for c in n.name)
    )
    for index in range(count):
        town = rng.choice(_TOWNS)
        strategic = rng.random() < 0.6
        made = rng.sample(vocab, 2) if strategic else rng.sample(_PLAIN, 2)
        scope = "、".join(
            [*(f"{m}的研发、生产" for m in made[:1]), *rng.sample(_BOILER, 3), f"{made[1]}销售"]
        )
        name = "东莞市" + "".join(rng.sample(_WORDS, 2)) + f"{index}科技有限公司"
        yield [
            name,
            _code(rng),
            f"广东省东莞市{town}{rng.choice(_WORDS)}兴路{rng.randint(1, 300)}号",
            scope + "。(依法须经批准的项目，经相关部门批准后方可开展经营活动)",
            "、".join(made),
            rng.choice(_GBT) if strategic else "C3399 其他未列明金属制品制造",
            rng.choice(_STATUS),
            _SOURCE,
            "2025-12",
        ]


def write_registry(store: GraphStore, path: Path, count: int, seed: int = 7) -> Path:
    """Write :func:`registry_rows` as CSV (UTF-8; gzip if the name ends in .gz)."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(HEADER)
        for row in registry_rows(store, count, seed):
            writer.writerow(row)
        text.flush()
        text.detach()
    return path
