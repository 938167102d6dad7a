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

    def hold(self, amount: int) -> _Hold:
        """
        Reserve *amount* bytes for the ``async with`` block, once free.
        """
        return _Hold(self, min(max(amount, 0), self._total))

    async def _take(self, amount: int) -> None:
        while self._free < amount:
            if self._changed is None:
                self._changed = anyio.Event()
            await self._changed.wait()
        self._free -= amount

    def _give(self, amount: int) -> None:
        self._free += amount
        changed, self._changed = self._changed, None
        if changed is not None:
            changed.set()


class _Hold:
    # A class, not contextlib.asynccontextmanager: no generator per
    # answer, and no await at all while the budget has room.
    __slots__ = ("_amount", "_budget")

    def __init__(self, budget: ByteBudget, amount: int) -> None:
        self._budget = budget
        self._amount = amount

    async def __aenter__(self) -> None:
        budget, amount = self._budget, self._amount
        if budget._free >= amount:  # noqa: SLF001 -- its own helper
            budget._free -= amount  # noqa: SLF001
        else:
            await budget._take(amount)  # noqa: SLF001

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._budget._give(self._amount)  # noqa: SLF001
