"""
Waiting for analyses to end: one task polls the assets that are due.

Each asset waiting has a due time: the first read *first* seconds after
it was requested, then each *factor* times later than the one before,
at most *cap* seconds apart (`AnalysisWait`).  The waiter sleeps until
the earliest is due and reads the due ones, at most *concurrency* at a
time, each through the job's pacing and the client's limiter.  Workers
keep requesting meanwhile: a worker never holds its slot while an
analysis runs.

Waiting ends for an asset when its analysis ends (``ANALYZE_COMPLETED``,
``ANALYZE_FAIL``, ``ANALYZE_CANCEL``), and for every asset at the
deadline (*timeout* seconds after the job started) or when the job
stops; an asset whose analysis had not ended then is reported with the
status last read.

Strictly private.
"""

from __future__ import annotations

import heapq
import itertools
import math

from typing import TYPE_CHECKING, Any, Final

import anyio
import attrs

from ..exceptions import MaiuError, UsageError
from ._analysis_report import TERMINAL, RequestStatus
from ._report import clip


if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from ..models import AnalysisStatus


__all__ = ["AnalysisWait", "Item", "Waiter"]

#: Failed reads in a row after which an asset is no longer waited for.
READ_FAILURES: Final = 3


def _seconds(
    _: object,
    attribute: attrs.Attribute[Any],
    value: Any,  # noqa: ANN401
) -> None:
    if value is None and attribute.name == "timeout":
        return
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not 0 <= value < float("inf")
    ):
        raise UsageError(
            f"{attribute.name} must be a number of seconds >= 0, "
            f"got {clip(repr(value), 60)}"
        )


@attrs.frozen(kw_only=True)
class AnalysisWait:
    """
    How a bulk analysis waits for its analyses to end.

    Attributes:
        timeout: Stop waiting this many seconds after the job started;
            ``None`` waits until every analysis ended.
        first: Seconds from the request to an asset's first status read.
        factor: Each wait is this many times the one before (>= 1).
        cap: The longest wait between two reads of one asset.

    .. versionadded:: 26.1.0

    """

    timeout: float | None = attrs.field(default=None, validator=_seconds)
    first: float = attrs.field(default=5.0, validator=_seconds)
    factor: float = attrs.field(default=2.0, validator=_seconds)
    cap: float = attrs.field(default=60.0, validator=_seconds)

    def __attrs_post_init__(self) -> None:
        """Refuse a shrinking backoff."""
        if self.factor < 1:
            raise UsageError(f"factor must be >= 1, got {self.factor!r}")

    def delay(self, polls: int) -> float:
        """Seconds before read number *polls* + 1."""
        return min(self.first * self.factor**polls, self.cap)


class Item:
    """
    One asset on its way through the job.

    Strictly private.
    """

    __slots__ = (
        "analyze_status",
        "asset_id",
        "attempts",
        "error",
        "failures",
        "in_flight",
        "index_id",
        "journaled",
        "maybe_sent",
        "message",
        "polls",
        "resolved",
        "resumed",
        "status",
    )

    def __init__(self, asset_id: int) -> None:
        self.asset_id = asset_id
        self.status: RequestStatus | None = None
        self.error: str | None = None
        self.attempts = 0
        self.resumed = False
        self.resolved = False
        self.analyze_status: str | None = None
        self.index_id: int | None = None
        self.message: str | None = None
        #: An attempt may have started an analysis.
        self.maybe_sent = False
        #: A request is on its way.
        self.in_flight = False
        self.polls = 0
        self.failures = 0
        self.journaled = True

    def saw(self, status: AnalysisStatus) -> None:
        """Note the analysis status just read."""
        self.analyze_status = status.status
        self.index_id = status.index_id
        self.message = status.analyze_status_message


class Waiter:
    """
    The assets waiting for their analysis to end, and the task that polls.

    Strictly private.
    """

    def __init__(
        self,
        policy: AnalysisWait,
        *,
        concurrency: int,
        read: Callable[[Item], Awaitable[AnalysisStatus | MaiuError]],
        finish: Callable[[Item], None],
    ) -> None:
        self._policy = policy
        self._limit = anyio.Semaphore(concurrency)
        self._read = read
        self._finish = finish
        self._heap: list[tuple[float, int, Item]] = []
        self._order = itertools.count()
        self._polling: set[Item] = set()
        self._wake = anyio.Event()
        self._closed = False
        self._stopped = False
        self.deadline = float("inf")

    def start(self, started: float) -> None:
        """Set the deadline from the job's start (`anyio.current_time`)."""
        if self._policy.timeout is not None:
            self.deadline = started + self._policy.timeout

    def add(self, item: Item) -> None:
        """Wait for *item*'s analysis to end."""
        if self._stopped:
            self._finish(item)
            return
        due = anyio.current_time() + self._policy.delay(item.polls)
        heapq.heappush(self._heap, (due, next(self._order), item))
        self._wake.set()

    def close(self) -> None:
        """No asset will be added: end once the last one is done."""
        self._closed = True
        self._wake.set()

    def stop(self) -> None:
        """Stop waiting: settle every asset at its last status."""
        self._stopped = True
        self._wake.set()

    def drain(self) -> None:
        """Settle what is left, without awaiting (a forced stop)."""
        self._stopped = True
        for item in [entry[2] for entry in self._heap] + list(self._polling):
            self._finish(item)
        self._heap.clear()
        self._polling.clear()

    async def run(self) -> None:
        """Poll due assets until closed and empty, or stopped."""
        async with anyio.create_task_group() as tg:
            while True:
                now = anyio.current_time()
                if self._stopped or now >= self.deadline:
                    self._give_up()
                    if self._closed or self._stopped:
                        return
                if not self._heap:
                    if self._closed and not self._polling:
                        return
                    await self._sleep(math.inf)
                    continue
                due = self._heap[0][0]
                if due > now:
                    await self._sleep(min(due, self.deadline) - now)
                    continue
                item = heapq.heappop(self._heap)[2]
                self._polling.add(item)
                await self._limit.acquire()
                tg.start_soon(self._poll, item)

    async def _sleep(self, seconds: float) -> None:
        with anyio.move_on_after(seconds):
            await self._wake.wait()
        self._wake = anyio.Event()

    def _give_up(self) -> None:
        while self._heap:
            self._finish(heapq.heappop(self._heap)[2])

    async def _poll(self, item: Item) -> None:
        try:
            result = await self._read(item)
        finally:
            self._limit.release()
        self._polling.discard(item)
        item.polls += 1
        self._after(item, result)
        self._wake.set()

    def _after(self, item: Item, result: AnalysisStatus | MaiuError) -> None:
        if isinstance(result, MaiuError):
            item.failures += 1
            if item.failures >= READ_FAILURES:
                item.error = clip(
                    f"could not read its analysis status: {result}"
                )
                self._finish(item)
                return
        else:
            item.failures = 0
            item.saw(result)
            if result.status in TERMINAL:
                self._finish(item)
                return
        if self._stopped or anyio.current_time() >= self.deadline:
            self._finish(item)
        else:
            self.add(item)
