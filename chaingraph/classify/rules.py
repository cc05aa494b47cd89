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


def weighed(hits: list[Hit], min_chain_share: float, min_side_share: float = 0.0) -> list[Hit]:
    """The hits whose chain stands: not on generic words alone (装备, 通信, 轨道交通),
    and, when revenue lines with shares are its only evidence, on lines adding up to
    ``min_chain_share``, or ``min_side_share`` for a chain beside the firm's main one
    (the chain whose lines add up to most). Only specific terms add share, and lines
    naming the same terms (one business listed by product and again by industry:
    集成电路 9%, 集成电路 8%) count once, at their largest share."""
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
    keep = {
        chain
        for chain in specific
        if chain in unshared
        or (
            sums[chain] >= min_chain_share
            and (sums[chain] >= min_side_share or sums[chain] >= main)
        )
    }
    return [h for h in hits if h.target.chain in keep]
