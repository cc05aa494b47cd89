"""The records the store contract's aggregate reads answer with (both engines build
the same ones; :mod:`chaingraph.store.base` re-exports them with the contract)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chaingraph.model import Node

__all__ = [
    "BaseFacts",
    "ChainCounts",
    "CompanyFacts",
    "EconomyCounts",
    "LeaderInput",
    "Place",
    "ProductSupply",
    "SegmentCoverage",
]


@dataclass(frozen=True)
class Place:
    """A region or base with what proximity rules read from it."""

    id: str
    level: str | None
    gba: bool
    name: str


@dataclass(frozen=True)
class CompanyFacts:
    """What the gap and target rules need to know about one firm.

    ``facts`` counts the company record and its MAKES, LOCATED_IN and SUPPLIES
    relationships; ``unverified`` how many of those have ``source: unverified``.
    """

    node: Node
    places: frozenset[str]
    hq: tuple[Place, ...]  # the headquarters and the regions around it, nearest first
    facts: int
    unverified: int
    makes: tuple[str, ...]
    customers: tuple[str, ...]  # companies it SUPPLIES


@dataclass(frozen=True)
class SegmentCoverage:
    """A segment, the firms making its own products, and which of them are local."""

    segment: str
    name: str
    stage: str
    weight: float
    chain: str  # "" when the segment is under no chain
    products: tuple[str, ...]  # products held directly by the segment
    makers: int  # how many firms make one of those products
    local: tuple[str, ...]  # makers with a site in the area
    local_names: tuple[str, ...]  # their names, in the order of ``local`` (() unless asked)
    local_leaders: tuple[str, ...]  # local makers that are leaders
    national: int  # makers with a site in China
    upstream: tuple[str, ...]  # segments holding inputs of its products (itself excluded)
    downstream: tuple[str, ...]  # segments holding products its products go into
    # Per local firm (in the order of ``local``), its best MAKES fact into the segment:
    local_verified: tuple[bool, ...] = ()  # source is not "unverified"
    local_grades: tuple[str, ...] = ()  # evidence: strong / medium / weak


@dataclass(frozen=True)
class EconomyCounts:
    """How many firms make any product: in an area, in China, anywhere (the economy a
    segment's local share is measured against, e.g. for the location quotient)."""

    area: str
    local: int
    national: int
    total: int


@dataclass(frozen=True)
class LeaderInput:
    """An input of a product that a local leader makes, and who else makes that input."""

    product: str
    product_name: str
    input: str
    input_name: str
    input_segments: tuple[str, ...]
    leaders: tuple[str, ...]  # local leaders making ``product``
    leader_names: tuple[str, ...]  # their names, sorted by name
    makers: int  # firms making ``input``
    local_makers: int  # of them, those with a site in the area


@dataclass(frozen=True)
class ProductSupply:
    """A product and the firms that make it."""

    product: str
    name: str
    makers: tuple[str, ...]


@dataclass(frozen=True)
class ChainCounts:
    """Sizes of one chain and of the firms making its products."""

    chain: str
    name: str
    segments: int
    products: int
    companies: int
    local_companies: int  # with a site in the home region
    facts: int  # company records and their MAKES/LOCATED_IN/SUPPLIES relationships
    unverified: int  # of those, marked ``source: unverified``


@dataclass(frozen=True)
class BaseFacts:
    """A base, what it focuses on and how many firms have a site inside it."""

    node: Node
    focus: tuple[tuple[Any, str, str], ...]  # (priority or 9, target id, target name), sorted
    regions: tuple[str, ...]  # names of the regions it lies in, nearest first
    companies: int
