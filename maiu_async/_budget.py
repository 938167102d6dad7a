"""
`ByteBudget`: answer bytes all requests of a client may hold at once.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio


if TYPE_CHECKING:
    from types import TracebackType


__all__ = ["ByteBudget"]


class ByteBudget:
    """
    Answer bytes all requests may hold at once; the rest wait their turn.

    A reservation is taken whole before the body is read and given back
    after, so no reader holds part of the budget while waiting for more:
    readers cannot deadlock.  One larger than the whole budget is cut to
    it (it then reads alone).

    Strictly private.
    """

    __slots__ = ("_changed", "_free", "_total")

    def __init__(self, total: int) -> None:
        self._total = max(1, total)
        self._free = self._total
        # Made only while someone waits: an `anyio.Event` per answer
        # cost several µs (anyio looks the event loop up to make one).
        self._changed: anyio.Event | None = None

    @property
    def free(self) -> int:
        """Bytes not reserved now."""
        return self._free

    def clamp(self, amount: int) -> int:
        """
        Return *amount* as reserved: at least 0, at most the whole budget.
        """
        return min(max(amount, 0), self._total)

    def take_now(self, amount: int) -> bool:
        """
        Reserve a clamped *amount* if it is free now; say whether it was.
        """
        if self._free >= amount:
            self._free -= amount
            return True
        return False

    async def take(self, amount: int) -> None:
        """
        Reserve a clamped *amount*, waiting until it is free.
        """
        while self._free < amount:
            if self._changed is None:
                self._changed = anyio.Event()
            await self._changed.wait()
        self._free -= amount

    def give(self, amount: int) -> None:
        """
        Give back what `take` or `take_now` reserved.
        """
        self._free += amount
        changed, self._changed = self._changed, None
        if changed is not None:
            changed.set()

    def hold(self, amount: int) -> _Hold:
        """
        Reserve *amount* bytes for the ``async with`` block, once free.
        """
        return _Hold(self, self.clamp(amount))


class _Hold:
    __slots__ = ("_amount", "_budget")

    def __init__(self, budget: ByteBudget, amount: int) -> None:
        self._budget = budget
        self._amount = amount

    async def __aenter__(self) -> None:
        if not self._budget.take_now(self._amount):
            await self._budget.take(self._amount)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._budget.give(self._amount)
