"""Resolve a registry row to a firm already in the store.

Order: 统一社会信用代码, then stock code, then legal name, then former names (the
aliases of stored firms that are legal names, and the row's 曾用名), and last the
short name, which alone never merges two firms whose legal names differ.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from chaingraph.names import name_key, normalize_text
from chaingraph.store.base import GraphStore

__all__ = ["IdentityIndex", "Match", "stock_code"]

_CODE = re.compile(r"(\d{6})")
_LEGAL_FORMS = ("公司", "集团", "合伙)", "合伙企业", "厂", "研究院", "研究所")


def stock_code(value: object) -> str | None:
    """The 6-digit A-share code in ``300083``, ``300083.SZ``, ``SZ300083`` or 300083.0.

    Examples
    --------
    >>> stock_code("300083.SZ"), stock_code(2317), stock_code("")
    ('300083', '002317', None)
    """
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{int(value):06d}" if 0 < value < 1_000_000 else None
    found = _CODE.search(str(value))
    return found.group(1) if found else None


def is_legal_name(text: str) -> bool:
    """Whether a name is a registered legal name (ends in 公司, 厂 …) rather than a short name."""
    return normalize_text(text).endswith(_LEGAL_FORMS)


_A_SHARE = ("深交所", "上交所", "北交所", "深圳证券交易所", "上海证券交易所", "北京证券交易所")


def is_a_share(board: object) -> bool:
    """Whether a listing board is a mainland exchange (its 6-digit codes are A-share codes:
    a Korean or Tokyo code may be the same digits).

    >>> is_a_share("深交所创业板"), is_a_share("韩国证券交易所")
    (True, False)
    """
    return isinstance(board, str) and board.startswith(_A_SHARE)


@dataclass(frozen=True)
class Match:
    """The stored firm a row resolves to and by what."""

    id: str
    name: str
    by: str  # credit_code | stock_code | legal_name | former_name | short_name


class IdentityIndex:
    """Indexes of the stored firms, built once per run.

    Examples
    --------
    >>> from chaingraph.dataset import open_default_store
    >>> index = IdentityIndex(open_default_store())
    >>> index.resolve(legal_name="万华化学集团股份有限公司", name="耐普矿机", code="300818").by
    'legal_name'
    >>> index.resolve(legal_name="某某科技有限公司", name="万华化学") is None
    True
    """

    def __init__(self, store: GraphStore) -> None:
        self.uscc: dict[str, str] = {}
        self.code: dict[str, str] = {}
        self.legal: dict[str, set[str]] = {}
        self.former: dict[str, set[str]] = {}
        self.short: dict[str, set[str]] = {}
        self.props: dict[str, dict[str, object]] = {}
        for node in store.nodes("Company"):
            self.add(node.id, node.props)

    def add(self, node_id: str, props: dict[str, object]) -> None:
        """Index one firm (the stored ones, and those a load creates as it goes)."""
        self.props[node_id] = props
        uscc = props.get("uscc")
        if isinstance(uscc, str):
            self.uscc.setdefault(uscc.upper(), node_id)
        listing = props.get("listing")
        if isinstance(listing, dict) and is_a_share(listing.get("board")):
            code = stock_code(listing.get("code"))
            if code:
                self.code.setdefault(code, node_id)
        legal = props.get("legal_name")
        if isinstance(legal, str):
            self.legal.setdefault(name_key(legal), set()).add(node_id)
        name = props.get("name")
        if isinstance(name, str):
            self.short.setdefault(name_key(name), set()).add(node_id)
        for alias in props.get("aliases") or []:  # type: ignore[attr-defined]
            if not isinstance(alias, str):
                continue
            key = name_key(alias)
            if is_legal_name(alias):
                self.former.setdefault(key, set()).add(node_id)
            else:
                self.short.setdefault(key, set()).add(node_id)

    def _name(self, node_id: str) -> str:
        return str(self.props[node_id].get("name") or node_id)

    def resolve(
        self,
        *,
        uscc: str | None = None,
        code: str | None = None,
        legal_name: str | None = None,
        name: str | None = None,
        former_names: Iterable[str] = (),
    ) -> Match | None:
        """The stored firm these identifiers point to, or None."""
        if uscc and uscc.upper() in self.uscc:
            found = self.uscc[uscc.upper()]
            return Match(found, self._name(found), "credit_code")
        if code and code in self.code:
            found = self.code[code]
            return Match(found, self._name(found), "stock_code")
        if legal_name:
            key = name_key(legal_name)
            ids = self.legal.get(key, set())
            if len(ids) == 1:
                (found,) = ids
                return Match(found, self._name(found), "legal_name")
            ids = self.former.get(key, set())
            if len(ids) == 1:
                (found,) = ids
                return Match(found, self._name(found), "former_name")
        for former in former_names:
            key = name_key(former)
            ids = self.legal.get(key, set()) | self.former.get(key, set())
            if len(ids) == 1:
                (found,) = ids
                return Match(found, self._name(found), "former_name")
        if name:
            ids = self.short.get(name_key(name), set())
            if len(ids) == 1:
                (found,) = ids
                stored_legal = self.props[found].get("legal_name")
                # a short name alone never merges two firms whose legal names differ
                if (
                    legal_name
                    and isinstance(stored_legal, str)
                    and name_key(stored_legal) != name_key(legal_name)
                ):
                    return None
                listing = self.props[found].get("listing")
                stored_code = (
                    stock_code(listing.get("code"))
                    if isinstance(listing, dict) and is_a_share(listing.get("board"))
                    else None
                )
                if code and stored_code and code != stored_code:
                    return None
                return Match(found, self._name(found), "short_name")
        return None
