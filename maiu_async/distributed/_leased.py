"""
`LeasedLimiter`: a client's limiter that spends a central budget.

It holds no rate of its own: tokens come in small batches from the
job's budget (`BudgetPlugin`), and the answers to the requests they let
go are reported back with the next lease, so the budget's adaptive
limiter learns from every worker at once.

Strictly private.
"""

from __future__ import annotations

import collections

from typing import TYPE_CHECKING, Any

import anyio

from maiu_async.exceptions import LeaseRevoked


if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable


__all__ = ["LeasedLimiter"]


class LeasedLimiter:
    """
    Paces a client by tokens leased from a job's central budget.

    Up to *depth* leases are in flight at once: a lease takes a round
    trip to the scheduler, and a paced budget fills it token by token, so
    one lease at a time would cap a worker at *batch* per round trip.

    Args:
        call: Sends a lease request to the budget and returns its answer.
        batch: Tokens asked for per lease.
        on_stop: Called once when the budget says the job stops.
        depth: Leases in flight at most.

    Strictly private.
    """

    def __init__(
        self,
        call: Callable[..., Awaitable[dict[str, Any]]],
        *,
        batch: int,
        on_stop: Callable[[], None],
        depth: int = 4,
    ) -> None:
        self._call = call
        self._batch = batch
        self._depth = depth
        self._leasing = 0
        self._arrived = anyio.Event()
        self._on_stop = on_stop
        self._stopped = False
        self._tokens: collections.deque[float] = collections.deque()
        self._ok: list[float] = []
        self._limited: list[float] = []
        self._pause: float | None = None
        self._rate: float | None = None
        self._ceiling: float | None = None
        self._measured: float | None = None
        #: This worker's clock minus the budget's, as far as tokens show.
        self._offset: float | None = None

    def __repr__(self) -> str:
        return f"<LeasedLimiter rate={self._rate} batch={self._batch}>"

    @property
    def rate(self) -> float | None:
        """The budget's rate as of the last lease (all workers together)."""
        return self._rate

    @property
    def ceiling(self) -> float | None:
        """The budget's ceiling as of the last lease."""
        return self._ceiling

    @property
    def measured_limit(self) -> float | None:
        """The server's limit as the budget last measured it."""
        return self._measured

    async def acquire(self) -> float:
        """
        Take a leased token, leasing a batch first if none is left.

        Raises:
            LeaseRevoked: The budget refused the lease.

        """
        while not self._tokens:
            if self._leasing >= self._depth:
                await self._arrived.wait()
                continue
            self._leasing += 1
            try:
                await self._lease()
            finally:
                self._leasing -= 1
                self._arrived.set()
                self._arrived = anyio.Event()
        token = self._tokens.popleft()
        await self._keep_spacing(token)
        return token

    async def _keep_spacing(self, token: float) -> None:
        # A token is a send time on the budget's clock.  Sent on arrival,
        # a batch that waited in a stalled worker (or behind a slow
        # lease) would go out at once, a burst the server's bucket may
        # refuse; so each token keeps its distance from the ones before
        # it: it is sent at its time plus this worker's offset from the
        # budget's clock, and a late token moves the offset on.
        now = anyio.current_time()
        offset = self._offset
        if offset is None or now - token > offset:
            self._offset = now - token
            return
        due = token + offset
        if due > now:
            await anyio.sleep(due - now)

    def throttled(
        self, retry_after: float | None, sent: float | None = None
    ) -> None:
        """Note a 429; the next lease reports it."""
        if sent is not None:
            self._limited.append(sent)
        if retry_after is not None:
            self._pause = retry_after

    def succeeded(self, sent: float | None = None) -> None:
        """Note a success; the next lease reports it."""
        if sent is not None:
            self._ok.append(sent)

    async def _lease(self) -> None:
        ok, self._ok = self._ok, []
        limited, self._limited = self._limited, []
        pause, self._pause = self._pause, None
        answer = await self._call(
            want=self._batch, ok=ok, limited=limited, pause=pause
        )
        refused = answer.get("refused")
        if refused is not None:
            raise LeaseRevoked(f"rate budget refused the lease: {refused}")
        self._rate = answer.get("rate")
        self._ceiling = answer.get("ceiling")
        self._measured = answer.get("measured")
        self._tokens.extend(answer["tokens"])
        if answer.get("stop") and not self._stopped:
            self._stopped = True
            self._on_stop()
