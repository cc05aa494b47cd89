"""The analyses: plain functions taking the store first and returning frozen dataclasses.

Each lives in its own module (``gaps``, ``targets``, ``chokepoints``, ...); the public
ones are re-exported here, so ``from chaingraph.analysis import gaps, targets`` works.
A name that is both a module and its function (``gaps``, ``targets``, ``plan``,
``compare``, ``audit``, ``chokepoints``, ``neighbourhood``) means the function here;
import other names from the module (``from chaingraph.analysis.gaps import STATUSES``).

The imports are eager: ``chaingraph --help`` does not import this package (the CLI
imports an analysis inside the command that runs it), and tests/test_startup.py checks it.
"""

from chaingraph.analysis.audit import Audit, SegmentAudit, audit
from chaingraph.analysis.chokepoints import Chokepoint, chokepoints
from chaingraph.analysis.compare import Comparison, SegmentComparison, compare, comparison
from chaingraph.analysis.config import AnalysisConfig, check_config, load_config
from chaingraph.analysis.gaps import ChainSummary, GapReport, InputGap, SegmentGap, gaps
from chaingraph.analysis.neighbourhood import Neighbour, Neighbourhood, neighbourhood
from chaingraph.analysis.plan import Pick, Plan, plan
from chaingraph.analysis.rings import RingCounts, Rings, ring_counts, rings_of
from chaingraph.analysis.summary import (
    BaseOverview,
    ChainOverview,
    TypeCount,
    base_overview,
    chain_overview,
    type_counts,
)
from chaingraph.analysis.tag_check import TagCheck, check_tags
from chaingraph.analysis.targets import ScoreParts, Target, TargetList, target_list, targets

__all__ = [
    "AnalysisConfig",
    "Audit",
    "BaseOverview",
    "ChainOverview",
    "ChainSummary",
    "Chokepoint",
    "Comparison",
    "GapReport",
    "InputGap",
    "Neighbour",
    "Neighbourhood",
    "Pick",
    "Plan",
    "RingCounts",
    "Rings",
    "ScoreParts",
    "SegmentAudit",
    "SegmentComparison",
    "SegmentGap",
    "TagCheck",
    "Target",
    "TargetList",
    "TypeCount",
    "audit",
    "base_overview",
    "chain_overview",
    "check_config",
    "check_tags",
    "chokepoints",
    "compare",
    "comparison",
    "gaps",
    "load_config",
    "neighbourhood",
    "plan",
    "ring_counts",
    "rings_of",
    "target_list",
    "targets",
    "type_counts",
]
