"""
The total time limit of requests in flight: one timer for all of them.

aiohttp's ``ClientTimeout(total=...)`` arms a timer and a timer context
for every request: a bare aiohttp loop runs 1.10x as fast without it
(``benchmarks/RESULTS.md``, section 1).  A transport gives all its requests the
same limit, so their deadlines come in the order they started.
`Deadlines` keeps them in that order and arms a single loop timer, at the
oldest.  When it fires, every request past its deadline is cancelled and
the timer moves on to the next; the request turns the cancellation into
a timeout as `asyncio.timeout` does (`Deadline.expired_here`, then
`Deadline.finish`), so a cancellation from elsewhere still propagates.

Strictly private.
"""

from __future__ import annotations

import asyncio

from typing import Final


__all__ = ["Deadline", "Deadlines"]


class Deadline:
    """
    One request's deadline, from `Deadlines.start`.
    """

    __slots__ = ("_in_flight", "at", "cancelling", "expired", "task")

    def __init__(
        self,
        at: float,
        task: asyncio.Task[object],
        in_flight: dict[Deadline, None],
    ) -> None:
        self.at: Final = at
        self.task: Final = task
        self._in_flight = in_flight
        # The cancellations the task had pending when the request began.
        self.cancelling: Final = task.cancelling()
        #: Set when the request was cancelled for being late.
        self.expired = False

    def expired_here(self) -> bool:
        """
        Whether the `~asyncio.CancelledError` being handled is this one's.

        ``False`` if another cancellation is pending as well (the task is
        being cancelled from outside): that one propagates.
        """
        return self.expired and self.task.cancelling() <= self.cancelling + 1

    def finish(self) -> None:
        """
        Stop the clock: the request ended, however it did.

        A cancellation this deadline made is withdrawn, as
        `asyncio.timeout` withdraws its own, whatever the request ended
        with.
        """
        self._in_flight.pop(self, None)
        if self.expired:
            self.task.uncancel()


class Deadlines:
    """
    The deadlines of a transport's requests in flight; see the module.

    Args:
        total: Seconds each request may take, start to end.
    """

    __slots__ = ("_handle", "_in_flight", "_loop", "_total")

    def __init__(self, total: float) -> None:
        self._total = total
        self._loop = asyncio.get_running_loop()
        # Oldest first: a dict keeps insertion order, and removes any
        # entry in constant time.
        self._in_flight: dict[Deadline, None] = {}
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> Deadline | None:
        """
        Start the clock for a request of the current task.

        ``None`` outside a task (the limit cannot be enforced there).
        """
        task = asyncio.current_task(self._loop)
        if task is None:  # pragma: no cover -- asyncio always has one
            return None
        in_flight = self._in_flight
        deadline = Deadline(self._loop.time() + self._total, task, in_flight)
        in_flight[deadline] = None
        if self._handle is None:
            self._handle = self._loop.call_at(deadline.at, self._fire)
        return deadline

    def close(self) -> None:
        """Disarm the timer (the transport is closing)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _fire(self) -> None:
        self._handle = None
        now = self._loop.time()
        in_flight = self._in_flight
        while in_flight:
            oldest = next(iter(in_flight))
            if oldest.at > now:
                self._handle = self._loop.call_at(oldest.at, self._fire)
                return
            del in_flight[oldest]
            oldest.expired = True
            oldest.task.cancel()
