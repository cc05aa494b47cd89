"""Thresholds and weights of the gap and target rules, in one documented place.

Defaults live here; ``--config FILE`` (YAML with the same keys) overrides any of them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from frozendict import frozendict

from chaingraph.errors import ConfigError, mask_credentials
from chaingraph.fs import refuse_special
from chaingraph.store.base import DEFAULT_LEADER_TAGS, LeaderRule

__all__ = ["CONFIG_SCHEMA", "AnalysisConfig", "check_config", "load_config"]


@dataclass(frozen=True)
class AnalysisConfig:
    """Every threshold and weight the analyses use.

    Frozen and hashable: the mappings are read-only (``frozendict``) and the sequences
    tuples, so a config can key a cache (two equal configs are one key). A ``dict`` or
    ``list`` given for a field (``AnalysisConfig(score_weights={...})``,
    ``dataclasses.replace``) is frozen on construction.

    Attributes
    ----------
    scope
        What counts as local to a base: ``"city"`` (the city it lies in, e.g. 东莞市;
        the default, as firms are rarely recorded inside a park), ``"town"`` (its
        镇/功能区) or ``"base"`` (firms recorded inside the base itself).
    min_local_firms
        A floor: fewer local firms with decisive evidence than this makes a segment weak
        (强链) whatever its location quotient (default 1: the quotient alone decides).
    location_quotient
        A segment whose location quotient (区位商: its share among the local firms over
        its share among the firms in China outside the area, so that the local firms
        are not part of their own reference) is below this is weak (强链 薄弱); at or
        above it, 强链 (no local leader) or 优势.
    min_expected_local
        A segment with no local firm is 建链 (or 补链 断链) only if, at the density the
        segment has among the firms the data knows elsewhere in China, at least this
        many local firms would be expected (default 3: with 3 expected, finding none by
        chance has a probability of e^-3 ≈ 5%); otherwise absence says nothing and it
        is 数据不足.
    min_known_makers
        Density (the location quotient) is judged only when the data knows at least this
        many firms of the segment in China outside the area; below it a present segment
        is 数据不足.
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
    min_expected_local: float = 3.0
    min_known_makers: int = 5
    leader_tags: tuple[str, ...] = DEFAULT_LEADER_TAGS
    priority_weights: Mapping[int, float] = field(
        default_factory=lambda: frozendict({1: 1.0, 2: 0.5, 3: 0.3, 4: 0.2, 5: 0.15})
    )
    adjacent_priority_weight: float = 0.3
    severity: Mapping[str, float] = field(
        default_factory=lambda: frozendict(
            {
                "建链": 1.0,
                "补链": 0.8,
                "强链": 0.6,
                "数据不足": 0.5,
                "延链": 0.4,
                "优势": 0.0,
            }
        )
    )
    leadership_scores: Mapping[str, float] = field(
        default_factory=lambda: frozendict(
            {
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
    )
    proximity_scores: Mapping[str, float] = field(
        default_factory=lambda: frozendict(
            {
                "大湾区": 1.0,
                "广东": 0.8,
                "邻省": 0.7,
                "中国": 0.6,
                "东亚": 0.4,
                "境外": 0.3,
                "未知": 0.2,
            }
        )
    )
    score_weights: Mapping[str, float] = field(
        default_factory=lambda: frozendict(
            {
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
    )
    # scale: log10(1 + revenue) / log10(1 + this), revenue in 亿元. The targets' revenues
    # run from a few 亿元 (莱特光电 4.7) to about 4.5万亿元 (亚马逊 2024), so the cap is
    # 5万亿元: no firm in that range reaches 1.0 and two giants of different size do not
    # tie (a cap of 1000 亿元 put every global leader at 1.0). 100 亿元 scores 0.43,
    # 1000 亿元 0.64, 1万亿元 0.85; a listed firm without a figure keeps 0.3 (≈ 25 亿元).
    scale_full_revenue_cny_100m: float = 50_000.0
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
    plan_priority_weights: Mapping[int, float] = field(
        default_factory=lambda: frozendict({1: 1.0, 2: 0.3, 3: 0.15, 4: 0.1, 5: 0.05})
    )

    def __post_init__(self) -> None:
        for spec in dataclasses.fields(self):
            object.__setattr__(self, spec.name, _freeze(getattr(self, spec.name)))

    @property
    def leader(self) -> LeaderRule:
        """The leader rule these settings give (:attr:`leader_tags`, a global rank ≤ 100)."""
        return LeaderRule(tuple(self.leader_tags))

    def priority_weight(self, priority: int | None) -> float:
        """The weight of a focus priority (1 = highest) in gap severity and plan alignment.

        Parameters
        ----------
        priority
            The focus priority, or None for a segment outside the focus (延链).

        Returns
        -------
        float
            :attr:`priority_weights` of ``priority``; the smallest weight for a priority
            not listed; :attr:`adjacent_priority_weight` for None.

        Examples
        --------
        >>> config = AnalysisConfig()
        >>> config.priority_weight(1), config.priority_weight(9), config.priority_weight(None)
        (1.0, 0.15, 0.3)
        """
        if priority is None:
            return self.adjacent_priority_weight
        return self.priority_weights.get(priority, min(self.priority_weights.values()))


def _freeze(value: Any) -> Any:
    """``value`` with every mapping made a ``frozendict`` and every list a tuple."""
    if isinstance(value, Mapping):
        return frozendict({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


_FINITE = {"type": "number", "finite": True}


def _share(maximum: float = 1.0) -> dict[str, Any]:
    return {**_FINITE, "minimum": 0, "maximum": maximum}


# Every setting's type and range; NaN and infinities are refused ("finite"), so no
# score can print "nan" and no threshold can divide by zero.
CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "scope": {"enum": ["city", "town", "base"]},
        "min_local_firms": {"type": "integer", "minimum": 0, "maximum": 1_000_000},
        "min_national_share": _share(),
        "leader_tags": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "priority_weights": {
            "type": "object",
            "propertyNames": {"type": "integer", "minimum": 1, "maximum": 100},
            "additionalProperties": _share(100.0),
        },
        "adjacent_priority_weight": _share(100.0),
        "severity": {
            "type": "object",
            "propertyNames": {"enum": ["建链", "补链", "强链", "延链", "优势"]},
            "additionalProperties": _share(),
        },
        "leadership_scores": {"type": "object", "additionalProperties": _share()},
        "proximity_scores": {"type": "object", "additionalProperties": _share()},
        "score_weights": {
            "type": "object",
            "propertyNames": {
                "enum": [
                    "severity",
                    "leadership",
                    "scale",
                    "technology",
                    "supply_ties",
                    "proximity",
                    "plan_alignment",
                    "confidence",
                ]
            },
            "additionalProperties": _share(100.0),
        },
        "scale_full_revenue_cny_100m": {**_FINITE, "exclusiveMinimum": 0, "maximum": 1e9},
    },
}


def _finite(validator: Any, wanted: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if wanted and isinstance(instance, float) and not math.isfinite(instance):
        yield jsonschema.ValidationError(f"{instance!r} is not a finite number")


_Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"finite": _finite})


def check_config(data: Any, origin: str) -> None:
    """Refuse settings of the wrong type or range, one line naming the setting and the fix.

    Parameters
    ----------
    data
        The settings as read from YAML (a mapping of setting -> value).
    origin
        Where they came from (a file name), for the message.

    Raises
    ------
    ConfigError
        For an unknown setting, a value of the wrong type, or out of range (zero,
        negative, NaN or infinite where not allowed): one line naming the setting.

    Examples
    --------
    >>> check_config({"scale_full_revenue_cny_100m": 0}, "cfg.yaml")
    Traceback (most recent call last):
    ...
    chaingraph.errors.ConfigError: cfg.yaml: scale_full_revenue_cny_100m: 0 is less than or equal to the minimum of 0; fix this setting (see chaingraph/analysis/config.py) or remove it to use the default
    """
    errors = sorted(_Validator(CONFIG_SCHEMA).iter_errors(data), key=lambda e: list(e.path))
    if not errors:
        return
    error = jsonschema.exceptions.best_match(errors) or errors[0]
    where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    message = mask_credentials(error.message)[:200]
    if error.validator == "additionalProperties" and not error.absolute_path:
        unknown = sorted(str(k) for k in set(data) - set(CONFIG_SCHEMA["properties"]))
        known = ", ".join(CONFIG_SCHEMA["properties"])
        message = f"unknown setting(s) {', '.join(unknown)[:100]}; known: {known}"
    raise ConfigError(
        f"{origin}: {where}: {message}; fix this setting "
        "(see chaingraph/analysis/config.py) or remove it to use the default"
    )


def load_config(path: str | Path | None) -> AnalysisConfig:
    """Defaults, overridden by the keys of a YAML file when given.

    A mapping setting (``score_weights``...) overrides only the keys it names; any
    other setting replaces the default.

    Parameters
    ----------
    path
        A YAML file with some of :class:`AnalysisConfig`'s settings, or None.

    Returns
    -------
    AnalysisConfig
        The defaults with the file's settings applied (hashable, like every config).

    Raises
    ------
    ConfigError
        The file cannot be read, is not a YAML mapping, or a setting has the wrong type
        or range (:data:`CONFIG_SCHEMA`: zero, negative, NaN or infinite values
        included), or the score weights sum to 0.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(folder.name) / "cfg.yaml"
    >>> _ = path.write_text("scope: town\\nscore_weights: {severity: 0.5}\\n", encoding="utf-8")
    >>> config = load_config(path)
    >>> config.scope, config.score_weights["severity"], config.score_weights["leadership"]
    ('town', 0.5, 0.2)
    >>> config == load_config(path) and hash(config) == hash(load_config(path))
    True
    >>> load_config(None) == AnalysisConfig()
    True
    >>> folder.cleanup()
    """
    if path is None:
        return AnalysisConfig()
    problem = refuse_special(path)
    if problem:
        raise ConfigError(f"cannot read analysis config: {problem}")
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read analysis config ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        raise ConfigError(f"{path}: not valid YAML{line}; fix the file") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be a mapping of settings")
    check_config(data, str(path))
    base = AnalysisConfig()
    merged: dict[str, Any] = {}
    for key, value in data.items():
        default = getattr(base, key)
        if isinstance(default, Mapping):
            merged[key] = {**default, **value}
        elif isinstance(default, tuple):
            merged[key] = tuple(value)
        else:
            merged[key] = type(default)(value)
    weights = merged.get("score_weights", base.score_weights)
    if not sum(weights.values()) > 0:
        raise ConfigError(f"{path}: score_weights: the weights sum to 0; give some a weight > 0")
    return dataclasses.replace(base, **merged)
