"""Where analyses keep derived data between calls on one store state (part of the contract:
:meth:`GraphStore.analysis_cache <chaingraph.store.base.GraphStore.analysis_cache>` returns one)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = ["AnalysisCache"]

T = TypeVar("T")


@dataclass
class AnalysisCache:
    """Derived data analyses keep between calls on one store state.

    A store that can tell when it changes empties it on every merge; keys are hashable
    and name their owner (``("target-bounds", config)``).

    Examples
    --------
    >>> cache = AnalysisCache()
    >>> cache.slot(("demo", 1), dict)["x"] = 1
    >>> cache.slot(("demo", 1), dict)
    {'x': 1}
    """

    _slots: dict[Hashable, Any] = field(default_factory=dict)

    def slot(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value kept under ``key``, made by ``make()`` the first time."""
        if key not in self._slots:
            self._slots[key] = make()
        value: T = self._slots[key]
        return value

    def clear(self) -> None:
        """Forget everything (the store changed)."""
        self._slots.clear()

    def __len__(self) -> int:
        return len(self._slots)

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._slots)
