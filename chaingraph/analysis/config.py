"""Thresholds and weights of the gap and target rules, in one documented place.

Defaults live here; ``--config FILE`` (YAML with the same keys) overrides any of them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from chaingraph.errors import ConfigError

__all__ = ["AnalysisConfig", "load_config"]


@dataclass(frozen=True)
class AnalysisConfig:
    """Every threshold and weight the analyses use.

    Attributes
    ----------
    scope
        What counts as local to a base: ``"city"`` (the city it lies in, e.g. 东莞市;
        the default, as firms are rarely recorded inside a park), ``"town"`` (its
        镇/功能区) or ``"base"`` (firms recorded inside the base itself).
    min_local_firms
        A floor: fewer local firms with decisive evidence than this makes a segment weak
        (补链) whatever its location quotient (default 1: the quotient alone decides).
    location_quotient
        A segment whose location quotient (区位商: its share among the local firms over
        its share among the firms in China) is below this is weak (补链); at or above
        it, 强链 (no local leader) or 优势.
    min_expected_local
        A segment with no local firm is 建链 (or 补链 断链) only if, at the area's share of
        China's firms, at least this many local firms would be expected from the firms
        the data knows in China; otherwise absence says nothing and it is 数据不足.
    min_known_makers
        Density (the location quotient) is judged only when the data knows at least this
        many firms of the segment in China; below it a present segment is 数据不足.
    leader_tags
        Tags that make a firm a leader (龙头) for 强链/优势 and 延链.
    priority_weights
        Weight of a focus priority (1 = highest) in gap severity and plan alignment.
    severity
        Severity of each status, 0..1 (建链 > 补链 > 强链 > 数据不足 > 延链).
    score_weights
        Weights of the target-score components; they sum to 1 and the score is 0..100.
    facility_rules, default_facility, plan_land_share
        ``plan``'s constraints: the kind of facility a firm would bring (from the gap
        segments it fills) and its land in km², and the share of the base's area
        (``area_km2``) the plan may fill. Facilities with no land figure are not placed.
    """

    scope: str = "city"
    min_local_firms: int = 1
    location_quotient: float = 1.0
    min_expected_local: float = 1.0
    min_known_makers: int = 5
    leader_tags: tuple[str, ...] = ("龙头企业", "链主", "全球百强", "单项冠军")
    priority_weights: dict[int, float] = field(
        default_factory=lambda: {1: 1.0, 2: 0.7, 3: 0.5, 4: 0.35, 5: 0.25}
    )
    adjacent_priority_weight: float = 0.3
    severity: dict[str, float] = field(
        default_factory=lambda: {
            "建链": 1.0,
            "补链": 0.8,
            "强链": 0.6,
            "数据不足": 0.5,
            "延链": 0.4,
            "优势": 0.0,
        }
    )
    leadership_scores: dict[str, float] = field(
        default_factory=lambda: {
            "龙头企业": 1.0,
            "链主": 1.0,
            "全球百强": 1.0,
            "单项冠军": 0.85,
            "隐形冠军": 0.8,
            "专精特新小巨人": 0.7,
            "专精特新": 0.5,
            "独角兽": 0.6,
            "上市": 0.3,
        }
    )
    proximity_scores: dict[str, float] = field(
        default_factory=lambda: {
            "大湾区": 1.0,
            "广东": 0.8,
            "邻省": 0.7,
            "中国": 0.6,
            "东亚": 0.4,
            "境外": 0.3,
            "未知": 0.2,
        }
    )
    score_weights: dict[str, float] = field(
        default_factory=lambda: {
            "severity": 0.25,
            "leadership": 0.20,
            "scale": 0.10,
            "technology": 0.10,
            "supply_ties": 0.10,
            "proximity": 0.10,
            "plan_alignment": 0.10,
            "confidence": 0.05,
        }
    )
    scale_full_revenue_cny_100m: float = 1000.0
    # plan: what a firm would build at the base, read from the names of the gap
    # segments it fills (first rule whose keyword appears wins), and the land it takes
    # in km²; None: it cannot be placed in an industrial park (a mine needs its deposit).
    facility_rules: tuple[tuple[str, tuple[str, ...], float | None], ...] = (
        ("资源开采", ("资源", "矿", "稀土原料", "原料与前驱体"), None),
        ("晶圆厂", ("晶圆制造", "面板制造", "特色工艺"), 1.0),
        ("整车厂", ("整车",), 1.5),
        (
            "研发设计",
            ("设计", "软件", "EDA", "服务", "平台", "算法", "云", "数据", "人工智能"),
            0.02,
        ),
        ("组装", ("整机", "终端", "手机", "系统集成", "可穿戴"), 0.1),
    )
    default_facility: tuple[str, float] = ("制造工厂", 0.2)
    plan_land_share: float = 0.2  # share of a base's area open to the firms a plan brings
    # plan weighs focus priorities more steeply than targets, so a base's first focus
    # is filled before firms that touch many segments of its secondary ones
    plan_priority_weights: dict[int, float] = field(
        default_factory=lambda: {1: 1.0, 2: 0.3, 3: 0.15, 4: 0.1, 5: 0.05}
    )

    def priority_weight(self, priority: int | None) -> float:
        if priority is None:
            return self.adjacent_priority_weight
        return self.priority_weights.get(priority, min(self.priority_weights.values()))


def load_config(path: str | Path | None) -> AnalysisConfig:
    """Defaults, overridden by the keys of a YAML file when given."""
    if path is None:
        return AnalysisConfig()
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read analysis config ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be a mapping of settings")
    known = {f.name: f for f in dataclasses.fields(AnalysisConfig)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(known)}"
        )
    base = AnalysisConfig()
    merged: dict[str, Any] = {}
    for key, value in data.items():
        default = getattr(base, key)
        if isinstance(default, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: {key} must be a mapping")
            merged[key] = {**default, **value}
        elif isinstance(default, tuple):
            merged[key] = tuple(value)
        else:
            merged[key] = type(default)(value)
    if merged.get("scope", base.scope) not in ("city", "town", "base"):
        raise ConfigError(f"{path}: scope must be city, town or base")
    return dataclasses.replace(base, **merged)
