"""The rule words of policy-text extraction: suffixes, units, cue and trigger words.

Names of industries, places, bases and firms come from the store (see
:mod:`chaingraph.nlp.gazetteer`); this module holds only the closed-class words
that tell what kind of thing a phrase is and how facts are stated.
"""

from __future__ import annotations

__all__ = [
    "AREA_CUES",
    "AREA_UNITS",
    "BASE_SUFFIXES",
    "ENUM_HEADS",
    "FOCUS_TRIGGERS",
    "GENERIC_TAILS",
    "LEADER_WORDS",
    "LEAD_INS",
    "LIST_SEPARATORS",
    "LOCATION_CUES",
    "MONEY_UNITS",
    "ORG_SUFFIXES",
    "PLACE_SUFFIXES",
    "SQM_PER_MU",
]

# 1 亩 = 10000/15 m² ≈ 666.67 m².
SQM_PER_MU = 666.67

# Unit -> square metres.
AREA_UNITS = {
    "平方公里": 1e6,
    "平方千米": 1e6,
    "km²": 1e6,
    "km2": 1e6,
    "万平方米": 1e4,
    "平方米": 1.0,
    "公顷": 1e4,
    "万亩": SQM_PER_MU * 1e4,
    "亩": SQM_PER_MU,
}
# Unit -> yuan.
MONEY_UNITS = {"亿元": 1e8, "万元": 1e4, "亿美元": 1e8, "元": 1.0}

# Words that end the name of a firm or an institution, longest first.
ORG_SUFFIXES = (
    "集团股份有限公司",
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "公司",
    "集团",
    "实验室",
    "研究院",
    "研究所",
    "交易中心",
    "交易所",
    "大学",
    "学院",
)
# Words that end the name of a place, longest first.
PLACE_SUFFIXES = (
    "功能区",
    "片区",
    "园区",
    "工业园",
    "科技园",
    "产业园",
    "开发区",
    "高新区",
    "新区",
    "基地",
    "街道",
    "省",
    "市",
    "区",
    "县",
    "镇",
)
BASE_SUFFIXES = ("产业基地", "基地", "产业园", "园区")

# Verbs and particles that come before a name but are not part of it.
LEAD_INS = (
    "依托",
    "依靠",
    "引进",
    "引入",
    "支持",
    "鼓励",
    "推动",
    "联合",
    "携手",
    "加强",
    "探索",
    "成立",
    "设立",
    "组建",
    "建设",
    "打造",
    "包括",
    "如",
    "以及",
    "与",
    "和",
    "及",
    "同",
    "由",
    "在",
    "对",
    "向",
    "将",
    "是",
    "的",
    "等",
)
# "依托A、B、C等龙头企业": the words after 等 that make the listed firms leaders.
LEADER_WORDS = ("龙头企业", "骨干企业", "领军企业", "链主企业", "头部企业", "链主", "龙头")

LOCATION_CUES = ("选址于", "选址", "位于", "坐落于", "地处", "落户于", "落户")
AREA_CUES = ("面积", "占地", "用地")

# Focus triggers: (regex over a sentence, confidence). A trigger's scope is the
# text it governs: up to the end of the clause, or the named closing words.
FOCUS_TRIGGERS: tuple[tuple[str, float], ...] = (
    (r"重点(?:导入)?(?:发展|推进|围绕|支持|培育|建设|布局)", 0.85),
    (r"聚焦(?:发展)?", 0.85),
    (r"以(?P<scope>[^,。;]{2,60}?)为(?:主导|核心|重点|主攻方向)", 0.8),
    (r"(?:大力|积极|加快|着力)(?:培育)?(?:发展|引进|培育)", 0.75),
    (r"打造(?P<scope>[^,。;]{2,40}?)(?:集聚区|聚集区|产业集群|集群)", 0.7),
    (r"推动(?P<scope>[^,。;]{2,60}?)(?:的)?(?:发展|突破|集聚)", 0.6),
)

# Items in a list are separated by these.
LIST_SEPARATORS = r"、|以及|和|及|与|或|,"
# Words that may follow an industry name without changing which industry it is.
GENERIC_TAILS = ("产业集群", "产业链", "产业", "行业", "领域", "项目", "方向")
# "A、B、C等关键材料": the head noun a list shares ("A材料", "B材料"...).
ENUM_HEADS = ("材料", "装备", "设备", "器件", "系统")
