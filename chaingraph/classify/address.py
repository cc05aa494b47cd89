"""Place an address: province/city/district by cpca, 镇/街道/园区 by the ontology gazetteer.

cpca (Chinese Province, City and Area recognition, its table inside the package,
no download) stops at the county level; Dongguan and Zhongshan have no counties,
so the town comes from the Region nodes of the store and ``ontology/matching/regions.yaml``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from chaingraph.classify.knowledge import Knowledge
from chaingraph.names import normalize_text

__all__ = ["Place", "place_addresses"]


@dataclass(frozen=True)
class Place:
    """Where an address is: the town as a Region node (or None) and the admin names."""

    town: str | None
    town_name: str | None
    province: str | None
    city: str | None
    district: str | None
    city_id: str | None


def _cpca(addresses: Sequence[str]) -> list[tuple[str | None, str | None, str | None]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import cpca
        except ImportError as exc:  # the registry extra
            from chaingraph.optional import missing

            raise missing("cpca") from exc

        frame = cpca.transform(list(addresses))
    out = []
    for province, city, district in zip(frame["省"], frame["市"], frame["区"], strict=True):
        out.append(
            tuple(v if isinstance(v, str) and v else None for v in (province, city, district))
        )
    return out  # type: ignore[return-value]


def place_addresses(
    knowledge: Knowledge,
    addresses: Sequence[str | None],
    cities: Sequence[str | None] | None = None,
) -> list[Place]:
    """Places of many addresses at once (cpca works on batches).

    ``cities`` are the registry's own city column where it has one (所属城市).

    Examples
    --------
    >>> from chaingraph.dataset import open_default_store
    >>> from chaingraph.classify.knowledge import load_knowledge
    >>> k = load_knowledge(open_default_store())
    >>> p = place_addresses(k, ["广东省东莞市松山湖园区科苑路3号"])[0]
    >>> (p.town, p.city)
    ('region:dg-songshanhu', '东莞市')
    """
    texts = [normalize_text(a or "") for a in addresses]
    admin = _cpca(texts) if any(texts) else [(None, None, None)] * len(texts)
    places = []
    for index, text in enumerate(texts):
        province, city, district = admin[index]
        given = cities[index] if cities else None
        if given:
            city = normalize_text(given)
        city_id = knowledge.city_names.get(city or "") or knowledge.city_names.get(
            (city or "").removesuffix("市")
        )
        town, town_name = _town(knowledge, text, city_id)
        places.append(Place(town, town_name, province, city, district, city_id))
    return places


def _town(knowledge: Knowledge, text: str, city_id: str | None) -> tuple[str | None, str | None]:
    if not text or knowledge.town_automaton is None:
        return None, None
    best: tuple[int, int, str, str] | None = None  # (rank, -start, id, name)
    for end, (term, rank) in knowledge.town_automaton.iter(text):
        start = end - len(term) + 1
        for city, town_id, name in knowledge.towns.get(term, []):
            if city_id is not None and city != city_id:
                continue
            if city_id is None and not _city_named(knowledge, text, city):
                continue
            candidate = (rank, -start, town_id, name)
            # the first full name (塘厦镇) in the address; bare names (塘厦) only as fallback
            if best is None or (candidate[0], candidate[1]) > (best[0], best[1]):
                best = candidate
    return (best[2], best[3]) if best else (None, None)


def _city_named(knowledge: Knowledge, text: str, city_id: str) -> bool:
    return any(
        spelling in text
        for spelling, found in knowledge.city_names.items()
        if found == city_id and len(spelling) >= 2
    )
