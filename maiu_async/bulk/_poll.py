"""
Polling many items until each reaches a terminal status.

Generic and engine-independent: the import wait (``_waiter``) and the
analysis wait both build on it.  The interface:

- `PollPolicy`: the first delay, the growth factor and cap of the delays
  between polls of one item, the per-item timeout, how many polls may be
  in flight, and the retry policy for failed polls.
- `Poller`: items are handed over with `Poller.add` (any time, without
  awaiting) and `Poller.close` says that none will follow; `Poller.run`
  polls them and returns once every item is settled.  Each item is
  settled exactly once, through one of two callbacks:

  - ``on_final(item, status)``: a poll answered a *status* for which
    ``terminal(status)`` holds;
  - ``on_unsettled(item, status, reason)``: waiting for it ended first
    (its timeout passed, its polls kept failing, or `Poller.stop`);
    *status* is the last one answered, ``None`` if none was.

Each item is polled *first* seconds after it is added, then after
delays growing by *factor* up to *cap*, each shortened by up to
*jitter* of itself (drawn from the injected ``random.Random``, so
seeded tests are deterministic; ``jitter=0`` draws nothing).  One task
dispatches due items to *in_flight* polling tasks: no task per item,
and at most *in_flight* polls at once.  Every poll first takes the
*pacer*'s permission, if there is one (the job's own rate ceiling);
the client's limiter is applied by the client itself.

A failed poll is judged by the one retry verdict
(``maiu_async._retry.verdict``): a poll is a GET, so `Verdict.RETRY`
and `Verdict.AMBIGUOUS` both poll again, after the retry policy's
backoff (or the server's ``Retry-After``), up to its attempts in a row;
`Verdict.FINAL` settles the item as unsettled with the error;
`Verdict.SYSTEMIC` stops the poller (no poll like it can succeed):
every item left is settled unsettled, then `Poller.run` raises it.

`Poller.stop` settles every waiting item at once (polls in flight settle
theirs as they return), and items added afterwards at once too; a
cancelled `Poller.run` does the same.

Time is read through an injectable `Timer`, so tests can use a virtual
clock and never sleep.  In testing mode
(`maiu_async.testing.set_testing`) polls follow each other at once, as
retries do.

Strictly private.
"""

from __future__ import annotations

import heapq
import itertools
import random

from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

import anyio
import attrs

from .._retry import RetryPolicy, Verdict, is_testing, verdict
from ..exceptions import MaiuError, RateLimited
from ._report import clip


if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from anyio.abc import ObjectReceiveStream, ObjectSendStream

    from .._scheduler import AdaptiveLimiter


__all__ = ["AnyioTimer", "PollPolicy", "Poller", "Timer"]

T = TypeVar("T")
S = TypeVar("S")

#: Why items still waiting end unsettled when the poller is stopped.
STOPPED = "the job stopped before the status was final"
_TIMED_OUT = "still not final when the wait timed out"
_POLL_RETRY = RetryPolicy(attempts=5, initial=1.0, maximum=30.0)


@attrs.frozen(kw_only=True)
class PollPolicy:
    """
    How patiently to poll each item until its status is final.

    Attributes:
        first: Seconds from an item's arrival to its first poll.
        factor: Growth of the delay from one poll to the next.
        cap: The longest delay between two polls of one item.
        timeout: Seconds an item is waited for, from its arrival;
            ``None`` waits as long as it takes.  An item is polled at
            least once, and never again once its next poll would fall
            at or after the timeout.
        in_flight: Polls in flight at most, across items.
        jitter: Each delay is shortened by up to this share of itself,
            at random, so that items added together spread out.
        retry: How often, and after what backoff, a failed poll is
            repeated before the item is given up.

    .. versionadded:: 26.1.0

    """

    first: float = attrs.field(default=2.0, validator=attrs.validators.ge(0))
    factor: float = attrs.field(default=2.0, validator=attrs.validators.ge(1))
    cap: float = attrs.field(default=60.0, validator=attrs.validators.ge(0))
    timeout: float | None = attrs.field(default=3600.0)
    in_flight: int = attrs.field(default=16, validator=attrs.validators.ge(1))
    jitter: float = attrs.field(
        default=0.1,
        validator=[attrs.validators.ge(0), attrs.validators.le(1)],
    )
    retry: RetryPolicy = _POLL_RETRY

    @timeout.validator
    def _check_timeout(self, _: object, value: float | None) -> None:
        if value is not None and value < 0:
            msg = f"'timeout' must be >= 0 or None: {value!r}"
            raise ValueError(msg)

    def wait_for(self, polls: int, rng: random.Random | None = None) -> float:
        """
        `delay`, or 0 in testing mode (`maiu_async.testing.set_testing`).
        """
        return 0.0 if is_testing() else self.delay(polls, rng)

    def delay(self, polls: int, rng: random.Random | None = None) -> float:
        """
        Seconds before the next poll of an item polled *polls* times.

        ``delay(0)`` is the wait before the first poll.  A pure function
        of *polls* (and *rng*, when there is jitter).
        """
        base = min(self.cap, self.first * self.factor**polls)
        if not self.jitter or not base:
            return base
        return base * (1 - self.jitter * (rng or _RNG).random())


class Timer(Protocol):
    """
    The poller's clock.
    """

    def now(self) -> float:
        """The current time, in seconds."""

    async def wait(self, seconds: float, wake: anyio.Event) -> None:
        """Return after *seconds*, or sooner once *wake* is set."""


class AnyioTimer:
    """
    The event loop's clock.
    """

    def now(self) -> float:
        """The current time, in seconds."""
        return anyio.current_time()

    async def wait(self, seconds: float, wake: anyio.Event) -> None:
        """Return after *seconds*, or sooner once *wake* is set."""
        with anyio.move_on_after(seconds):
            await wake.wait()


class _Entry(Generic[T, S]):
    # One item's polling state.
    __slots__ = ("deadline", "done", "failures", "item", "last", "polls")

    def __init__(self, item: T, deadline: float | None) -> None:
        self.item = item
        self.deadline = deadline
        self.polls = 0
        self.failures = 0
        self.last: S | None = None
        self.done = False


class Poller(Generic[T, S]):
    """
    Polls items until each is final: see the module.
    """

    def __init__(  # noqa: PLR0913 -- the poller's whole input
        self,
        *,
        fetch: Callable[[T], Awaitable[S]],
        terminal: Callable[[S], bool],
        on_final: Callable[[T, S], None],
        on_unsettled: Callable[[T, S | None, str], None],
        policy: PollPolicy,
        pacer: AdaptiveLimiter | None = None,
        rng: random.Random | None = None,
        timer: Timer | None = None,
    ) -> None:
        self._fetch = fetch
        self._terminal = terminal
        self._on_final = on_final
        self._on_unsettled = on_unsettled
        self.policy = policy
        self._pacer = pacer
        self._rng = rng
        self._timer: Timer = timer or AnyioTimer()
        self._heap: list[tuple[float, int, _Entry[T, S]]] = []
        self._seq = itertools.count()
        self._wake = anyio.Event()
        self._closed = False
        self._stopped = False
        self._busy = 0
        self._error: MaiuError | None = None
        #: Polls sent so far (answered or not).
        self.polls = 0

    def __repr__(self) -> str:
        return f"<Poller waiting={len(self._heap)} busy={self._busy}>"

    @property
    def waiting(self) -> int:
        """Items added and not yet settled."""
        return len(self._heap) + self._busy

    def add(self, item: T) -> None:
        """
        Poll *item* until it is final; settled at once if stopped.
        """
        if self._stopped:
            self._on_unsettled(item, None, STOPPED)
            return
        now = self._timer.now()
        timeout = self.policy.timeout
        entry: _Entry[T, S] = _Entry(
            item, None if timeout is None else now + timeout
        )
        self._push(now + self.policy.wait_for(0, self._rng), entry)

    def close(self) -> None:
        """Note that no item will be added: `run` ends once all settle."""
        self._closed = True
        self._poke()

    def stop(self) -> None:
        """
        Settle every waiting item as unsettled now; `run` then ends.

        Polls in flight settle their items as they return.  Safe outside
        any task.
        """
        self._stopped = True
        self._closed = True
        # Emptied in place: `_dispatch` holds the list.
        heap = sorted(self._heap, key=lambda e: e[1])
        self._heap.clear()
        for _, _, entry in heap:
            self._unsettled(entry, STOPPED)
        self._poke()

    async def run(self) -> None:
        """
        Poll until every item added is settled and `close` was called.

        Raises:
            MaiuError: A poll failed with a systemic error.

        """
        send, recv = anyio.create_memory_object_stream[_Entry[T, S]](0)
        try:
            async with anyio.create_task_group() as tg:
                for _ in range(self.policy.in_flight):
                    tg.start_soon(self._worker, recv.clone())
                recv.close()
                async with send:
                    await self._dispatch(send)
        finally:
            # Cancelled or failed: whatever still waits is settled.
            self.stop()
        if self._error is not None:
            raise self._error

    # -- strictly private ------------------------------------------------

    def _push(self, due: float, entry: _Entry[T, S]) -> None:
        heapq.heappush(self._heap, (due, next(self._seq), entry))
        self._poke()

    def _poke(self) -> None:
        self._wake.set()
        self._wake = anyio.Event()

    async def _dispatch(self, send: ObjectSendStream[_Entry[T, S]]) -> None:
        heap = self._heap
        timer = self._timer
        while True:
            wake = self._wake
            if not heap:
                if self._closed and not self._busy:
                    return
                await wake.wait()
                continue
            due = heap[0][0]
            now = timer.now()
            if due > now:
                await timer.wait(due - now, wake)
                continue
            _, _, entry = heapq.heappop(heap)
            self._busy += 1
            try:
                await send.send(entry)
            except BaseException:
                self._busy -= 1
                heapq.heappush(heap, (due, next(self._seq), entry))
                raise

    async def _worker(self, recv: ObjectReceiveStream[_Entry[T, S]]) -> None:
        async with recv:
            async for entry in recv:
                try:
                    await self._poll(entry)
                except BaseException:
                    # Cut short (cancelled): its poll may be lost.
                    self._unsettled(entry, STOPPED)
                    raise
                finally:
                    self._busy -= 1
                    self._poke()

    async def _poll(self, entry: _Entry[T, S]) -> None:
        if self._stopped:
            self._unsettled(entry, STOPPED)
            return
        if self._pacer is not None:
            await self._pacer.acquire()
        self.polls += 1
        entry.polls += 1
        try:
            status = await self._fetch(entry.item)
        except MaiuError as exc:
            self._failed(entry, exc)
            return
        entry.failures = 0
        entry.last = status
        if self._terminal(status):
            entry.done = True
            self._on_final(entry.item, status)
        else:
            self._again(
                entry, self.policy.wait_for(entry.polls, self._rng), _TIMED_OUT
            )

    def _failed(self, entry: _Entry[T, S], exc: MaiuError) -> None:
        judged = verdict(exc)
        error = clip(str(exc))
        if judged is Verdict.SYSTEMIC:
            self._unsettled(entry, error)
            if self._error is None:
                self._error = exc
            self.stop()
            return
        entry.failures += 1
        retry = self.policy.retry
        if judged is Verdict.FINAL or entry.failures >= retry.attempts:
            self._unsettled(entry, error)
            return
        after = exc.retry_after if isinstance(exc, RateLimited) else None
        wait = retry.wait_for(entry.failures, after, self._rng)
        self._again(entry, wait, f"{_TIMED_OUT}; the last poll: {error}")

    def _again(self, entry: _Entry[T, S], delay: float, why: str) -> None:
        if self._stopped:
            self._unsettled(entry, STOPPED)
            return
        due = self._timer.now() + delay
        if entry.deadline is not None and due >= entry.deadline:
            self._unsettled(entry, why)
            return
        self._push(due, entry)

    def _unsettled(self, entry: _Entry[T, S], why: str) -> None:
        if not entry.done:
            entry.done = True
            self._on_unsettled(entry.item, entry.last, why)


_RNG = random.Random()  # noqa: S311 -- jitter, not cryptography
