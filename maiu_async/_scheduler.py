"""
When a request may go (whether to try again is `maiu_async._retry`).

- `AdaptiveLimiter`: one per client (and one per bulk job with a rate),
  built inside the running loop.  A small leaky bucket paces requests at
  the current rate; when 429s stand out among the answers the rate is
  lowered (multiplicative decrease) and everyone waits out the server's
  ``Retry-After``; successes raise it again additively, up to the
  configured ceiling.

The bucket is ours rather than aiolimiter's: the rate changes on every
success while it recovers, and aiolimiter offers no public way to change
the rate of a bucket that has waiters.

Time is the event loop's clock (``loop.time()``), so tests drive it by
patching it and never sleep.

It never builds requests or parses bodies.
"""

from __future__ import annotations

import asyncio
import logging
import math

import anyio


__all__ = ["AdaptiveLimiter"]

# Looked up through the module so that tests can replace it.
_sleep = anyio.sleep
# Rate changes are INFO: a few lines per episode of 429s, never per
# request.
_log = logging.getLogger("maiu_async.scheduler")


#: Acquisitions are counted in windows of this many seconds.
_WINDOW = 1.0
#: Answers are judged in blocks of this many (or per window, if fewer).
_BLOCK = 50
#: A window of fewer answers than this is not judged.
_MIN_SAMPLE = 8


class AdaptiveLimiter:
    """
    Paces requests at an adaptive rate under an optional ceiling.

    With no ceiling the limiter lets everything through until the server
    pushes back; from then on it paces at a fraction (*decrease*) of the
    throughput it had observed in the last second or two.

    Pushing back means: more than *tolerance* of a block of answers were
    429s (blocks are the last 50 answers, or the last second's if fewer,
    at least 8).  A stray 429 among successes is
    retried by whoever got it, after its ``Retry-After``, but does not
    slow everyone down: a server whose throttling is not tied to load
    (or a fault injector) would otherwise drive the rate to its minimum.
    When the limiter does decrease, every request waits out the
    ``Retry-After`` that triggered it, and further 429s do not lower the
    rate again for *cooldown* seconds (or until the pause ends): the
    requests in flight when the server starts refusing all bounce
    together, and each of them halving the rate would collapse it.
    Successes raise the rate by *increase* requests per second per second,
    up to the ceiling.

    Args:
        ceiling: Max requests per second, or ``None`` for no ceiling.
        minimum: The rate never drops below this.
        decrease: Factor applied to the rate on a decrease.
        increase: Requests per second added per second of successes.
        tolerance: Fraction of 429 answers tolerated without a decrease.
        cooldown: Seconds after a decrease during which 429s do not lower
            the rate again.

    .. versionchanged:: 0.1.0 `set_ceiling`, *tolerance*, *cooldown*.

    """

    __slots__ = (
        "_block_closed",
        "_bucket",
        "_ceiling",
        "_cooldown",
        "_decrease",
        "_increase",
        "_limited",
        "_loop",
        "_minimum",
        "_ok",
        "_paused_until",
        "_pending_retry_after",
        "_prev_count",
        "_prev_start",
        "_quiet_until",
        "_rate",
        "_throttled_ever",
        "_tolerance",
        "_win_count",
        "_win_start",
    )

    def __init__(  # noqa: PLR0913 -- every tuning knob is keyword-only
        self,
        ceiling: float | None = None,
        *,
        minimum: float = 1.0,
        decrease: float = 0.5,
        increase: float = 10.0,
        tolerance: float = 0.2,
        cooldown: float = 0.25,
    ) -> None:
        _check_ceiling(ceiling)
        if not 0 < decrease < 1:
            raise ValueError(f"decrease must be in (0, 1), got {decrease!r}")
        if not minimum > 0:
            raise ValueError(f"minimum must be positive, got {minimum!r}")
        if not 0 <= tolerance < 1:
            raise ValueError(f"tolerance must be in [0, 1), got {tolerance!r}")
        self._ceiling = ceiling
        self._minimum = minimum
        self._decrease = decrease
        self._increase = increase
        self._tolerance = tolerance
        self._cooldown = cooldown
        self._rate: float | None = ceiling
        self._bucket = _Bucket(ceiling) if ceiling is not None else None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._paused_until = -math.inf
        self._quiet_until = -math.inf
        self._throttled_ever = False
        self._win_start: float | None = None
        self._win_count = 0
        self._prev_start: float | None = None
        self._prev_count = 0
        self._ok = 0
        self._limited = 0
        self._pending_retry_after: float | None = None
        self._block_closed = False

    def __repr__(self) -> str:
        return f"<AdaptiveLimiter rate={self._rate} ceiling={self._ceiling}>"

    @property
    def rate(self) -> float | None:
        """The current rate in requests per second (``None``: unpaced)."""
        return self._rate

    @property
    def ceiling(self) -> float | None:
        """The configured ceiling (``None``: none)."""
        return self._ceiling

    def set_ceiling(self, ceiling: float | None) -> None:
        """
        Change the ceiling.

        A limiter that never decreased jumps to the new ceiling (or back
        to unpaced for ``None``); one that did keeps its learned rate,
        lowered to the new ceiling if above it.

        Raises:
            ValueError: *ceiling* is not positive.

        .. versionadded:: 0.1.0

        """
        _check_ceiling(ceiling)
        self._ceiling = ceiling
        if not self._throttled_ever:
            if ceiling is None:
                self._rate = None
                self._bucket = None
            else:
                self._set_rate(ceiling)
        elif ceiling is not None and (
            self._rate is None or self._rate > ceiling
        ):
            self._set_rate(ceiling)

    async def acquire(self) -> None:
        """Wait until a request may be sent."""
        now = self._now()
        while self._paused_until > now:
            await _sleep(self._paused_until - now)
            now = self._now()
        win_start = self._win_start
        if win_start is None or now - win_start >= _WINDOW:
            self._roll(now)
        self._win_count += 1
        if self._bucket is not None:
            wait = self._bucket.reserve(now)
            if wait > 0:
                await _sleep(wait)

    def throttled(self, retry_after: float | None) -> None:
        """Feed back a 429: maybe lower the rate and pause everyone."""
        now = self._now()
        win_start = self._win_start
        if win_start is None or now - win_start >= _WINDOW:
            self._roll(now)
        self._limited += 1
        if retry_after is not None:
            self._pending_retry_after = retry_after
        if self._limited > self._tolerance * _BLOCK:
            self._decrease_now(now)
        elif self._ok + self._limited >= _BLOCK:
            self._ok = self._limited = 0
            self._block_closed = True

    def succeeded(self) -> None:
        """Feed back a success: raise the rate a little."""
        ok = self._ok + 1
        if ok + self._limited >= _BLOCK:
            self._ok = self._limited = 0
            self._block_closed = True
        else:
            self._ok = ok
        rate = self._rate
        if rate is None:
            return
        ceiling = self._ceiling
        if ceiling is not None and rate >= ceiling:
            return
        # `increase` per second of successes at the current rate.
        new = rate + self._increase / max(rate, 1.0)
        self._set_rate(new if ceiling is None else min(new, ceiling))
        if ceiling is not None and new >= ceiling:
            _log.info("rate back at its ceiling, %.1f requests/s", ceiling)

    def observed(self) -> float:
        """
        Return the recent throughput in acquisitions per second.

        It counts the current and the previous one-second window, so it
        never reflects more than the last two seconds.
        """
        now = self._now()
        if self._win_start is None:
            return self._minimum
        start, count = self._win_start, self._win_count
        if self._prev_start is not None and now - self._prev_start <= (
            2 * _WINDOW
        ):
            start, count = self._prev_start, count + self._prev_count
        elapsed = max(now - start, 1e-3)
        return max(count / elapsed, self._minimum)

    def _decrease_now(self, now: float) -> None:
        retry_after = self._pending_retry_after
        self._ok = self._limited = 0
        self._pending_retry_after = None
        if now < self._quiet_until:
            return
        if retry_after is not None and retry_after > 0:
            self._paused_until = max(self._paused_until, now + retry_after)
        self._quiet_until = max(now + self._cooldown, self._paused_until)
        self._throttled_ever = True
        current = self._rate if self._rate is not None else self.observed()
        self._set_rate(max(self._minimum, current * self._decrease))
        _log.info(
            "rate lowered to %.1f requests/s after 429 answers", self._rate
        )

    def _roll(self, now: float) -> None:
        # At low rates a window sees no full block: judge what it saw, if
        # enough.  Otherwise the partial block goes on.
        limited, total = self._limited, self._ok + self._limited
        if not self._block_closed and total >= _MIN_SAMPLE:
            if limited > self._tolerance * total:
                self._decrease_now(now)
            else:
                self._ok = self._limited = 0
                self._pending_retry_after = None
        self._block_closed = False
        self._prev_start = self._win_start
        self._prev_count = self._win_count
        self._win_start = now
        self._win_count = 0

    def _now(self) -> float:
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        return loop.time()

    def _set_rate(self, rate: float) -> None:
        self._rate = rate
        if self._bucket is None:
            self._bucket = _Bucket(rate)
        else:
            self._bucket.set_rate(rate)


def _check_ceiling(ceiling: float | None) -> None:
    if ceiling is not None and not ceiling > 0:
        raise ValueError(f"rate must be positive, got {ceiling!r}")


class _Bucket:
    """
    A leaky bucket kept as its next due time (GCRA).

    Each request is due ``1 / rate`` after the previous one and may go
    early by the bucket's capacity less one; it sleeps until then.  Due
    times are handed out in order, so waiters are served first come,
    first served, and a rate change applies from the next request on.
    A waiter that is cancelled leaves its time unused.

    Strictly private.
    """

    __slots__ = ("_free_at", "_interval", "_slack")

    def __init__(self, rate: float) -> None:
        self._free_at = -math.inf
        self._interval = 1.0
        self._slack = 0.0
        self.set_rate(rate)

    def set_rate(self, rate: float) -> None:
        """Pace at *rate* per second from the next slot on."""
        self._interval = 1.0 / rate
        self._slack = (_capacity(rate) - 1.0) * self._interval

    def reserve(self, now: float) -> float:
        """Take the next slot; return the seconds to wait for it."""
        due = max(self._free_at, now)
        self._free_at = due + self._interval
        wait = due - self._slack - now
        # Due times are sums of float intervals: a slot that is due "now"
        # can come out picoseconds late, which is no reason to sleep.
        return wait if wait > _EPSILON else 0.0


#: Waits shorter than this (seconds) are rounding, not pacing.
_EPSILON = 1e-9


def _capacity(rate: float) -> float:
    # A small bucket (a fiftieth of a second's worth, at least one) keeps
    # bursts short: a server's limiter usually allows a tenth of a second's
    # worth, so our bursts, even bunched up by the network, fit in it.
    return max(1.0, rate / 50)
