"""
`ByteBudget`: answer bytes all requests of a client may hold at once.

Strictly private.
"""

from __future__ import annotations

import contextlib

from typing import TYPE_CHECKING

import anyio


if TYPE_CHECKING:
    from collections.abc import AsyncIterator


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
        self._changed = anyio.Event()

    @property
    def free(self) -> int:
        """Bytes not reserved now."""
        return self._free

    @contextlib.asynccontextmanager
    async def hold(self, amount: int) -> AsyncIterator[None]:
        """
        Reserve *amount* bytes for the block, waiting until they are free.
        """
        amount = min(max(amount, 0), self._total)
        while self._free < amount:
            await self._changed.wait()
        self._free -= amount
        try:
            yield
        finally:
            self._free += amount
            self._changed.set()
            self._changed = anyio.Event()
