"""How classify weighs a firm's lines as a whole: which revenue lines are read at all,
and which chains their hits make stand (shares, the main chain, generic words)."""

from __future__ import annotations

from collections.abc import Sequence

from chaingraph.classify.text import Hit

__all__ = ["leading_lines", "weighed"]


def leading_lines(
    lines: Sequence[tuple[str, float | None]], min_share: float, max_lines: int | None
) -> list[tuple[str, float | None]]:
    """The revenue lines classify reads: those at or above ``min_share``, and of them only
    the ``max_lines`` largest (ties in file order); lines without a share are all kept.

    A firm's business is in its leading lines; annual reports list old, regional and
    minor breakdowns after them.

    Examples
    --------
    >>> lines = [("a", 0.5), ("b", 0.02), ("c", 0.3), ("d", None), ("e", 0.3)]
    >>> leading_lines(lines, 0.05, 2)
    [('a', 0.5), ('c', 0.3), ('d', None)]
    >>> [label for label, _ in leading_lines(lines, 0.05, None)]
    ['a', 'c', 'd', 'e']
    """
    ranked = sorted(
        (i for i, (_, share) in enumerate(lines) if share is not None and share >= min_share),
        key=lambda i: -(lines[i][1] or 0.0),
    )
    kept = set(ranked if max_lines is None else ranked[:max_lines])
    return [line for i, line in enumerate(lines) if line[1] is None or i in kept]


def weighed(
    hits: list[Hit],
    min_chain_share: float,
    min_side_share: float = 0.0,
    side_main_share: float = 0.0,
) -> list[Hit]:
    """The hits whose chain stands: not on generic words alone (装备, 通信, 轨道交通),
    and, when revenue lines with shares are its only evidence, on lines adding up to
    ``min_chain_share``, or ``min_side_share`` for a chain beside the firm's main one
    (the chain whose lines add up to most) when that main chain's lines add up to at
    least ``side_main_share``. Only specific terms add share, and lines naming the same
    terms (one business listed by product and again by industry: 集成电路 8%,
    集成电路 7%) count once, at their largest share.

    A minor line beside a dominant chain names a market or a sideline more often than
    not (集成电路 85%, 手机 15%); beside a main chain that is itself minor (a firm
    mostly outside the chains: 医药 25%, 锂电池 12%), lines are compared on the chain
    floor alone.

    Examples
    --------
    >>> from chaingraph.classify.knowledge import Target
    >>> def hit(chain, term, share):
    ...     target = Target(chain, "chain", chain, chain, None, None)
    ...     return Hit(target, term, "strong", 0.8, term, share)
    >>> def chains(hits, *floors):
    ...     return sorted({h.target.chain for h in weighed(hits, *floors)})
    >>> dominant = [hit("chain:ic", "集成电路", 0.85), hit("chain:ngit", "手机", 0.15)]
    >>> chains(dominant, 0.09, 0.20, 0.30)
    ['chain:ic']
    >>> minor = [hit("chain:biomed", "医药", 0.25), hit("chain:energy", "锂电池", 0.12)]
    >>> chains(minor, 0.09, 0.20, 0.30), chains(minor, 0.09, 0.20, 0.0)
    (['chain:biomed', 'chain:energy'], ['chain:biomed'])
    """
    specific: set[str] = set()
    unshared: set[str] = set()
    line_terms: dict[tuple[str, str], set[str]] = {}
    line_share: dict[tuple[str, str], float] = {}
    for hit in hits:
        chain = hit.target.chain
        if hit.generic:
            continue
        specific.add(chain)
        if hit.share is None:
            unshared.add(chain)
        else:
            key = (chain, hit.source_text)
            line_terms.setdefault(key, set()).add(hit.term)
            line_share[key] = hit.share
    totals: dict[str, dict[frozenset[str], float]] = {}
    for (chain, text), terms in line_terms.items():
        by_terms = totals.setdefault(chain, {})
        same = frozenset(terms)
        by_terms[same] = max(by_terms.get(same, 0.0), line_share[(chain, text)])
    sums = {chain: sum(totals.get(chain, {}).values()) for chain in specific - unshared}
    main = max(sums.values(), default=0.0)
    side_floor = min_side_share if main >= side_main_share else 0.0
    keep = {
        chain
        for chain in specific
        if chain in unshared
        or (sums[chain] >= min_chain_share and (sums[chain] >= side_floor or sums[chain] >= main))
    }
    return [h for h in hits if h.target.chain in keep]
