"""
When a request may go (whether to try again is `maiu_async._retry`).

- `AdaptiveLimiter`: one per client, built inside the running loop.  A
  small leaky bucket paces requests at the current rate.  When 429s
  stand out among the answers, the rate at which the server still
  accepted requests is a measurement of its limit: the limiter paces
  just under it, then probes upward along a cubic curve (as TCP CUBIC
  does), flat near the measured limit and steeper away from it.

The bucket is ours rather than aiolimiter's: the rate changes while the
limiter probes, and aiolimiter offers no public way to change the rate
of a bucket that has waiters.

Time is the event loop's clock (``loop.time()``), so tests drive it by
patching it and never sleep.

It never builds requests or parses bodies.
"""

from __future__ import annotations

import asyncio
import logging
import math

from typing import Protocol

import anyio

from ._pace import MIN_SAMPLE, Bucket, Epoch, Probe


__all__ = ["AdaptiveLimiter", "Limiter"]

# Looked up through the module so that tests can replace it.
_sleep = anyio.sleep
# Rate changes are INFO: a few lines per episode of 429s, never per
# request.
_log = logging.getLogger("maiu_async.scheduler")


#: Acquisitions are counted in windows of this many seconds.
_WINDOW = 1.0
#: Answers are judged over epochs of at least this many seconds (and
#: `MIN_SAMPLE` answers).
_EPOCH = 0.5
#: A block of this many answers that is mostly 429s is judged at once.
_BLOCK = 50
#: Stray 429s are never taken for more than this share of the answers.
_MAX_BACKGROUND = 0.25
#: 429s whose share a decrease left above this fraction of what it was
#: are taken for the usual share, not the load's.
_SAME_SHARE = 0.75
#: The probing rate is recomputed at most this often (seconds).
_REGROW = 0.01


class Limiter(Protocol):
    """
    What paces a client's requests; `AdaptiveLimiter` is the default.

    A limiter may also have an ``acquire_nowait()`` method returning the
    send time if a request may go at once, else ``None`` having taken
    nothing (as `AdaptiveLimiter.acquire_nowait`): the client then tries
    it before awaiting `acquire`.

    .. versionadded:: 26.1.0
    """

    @property
    def rate(self) -> float | None:
        """The current rate in requests per second (``None``: unpaced)."""

    @property
    def ceiling(self) -> float | None:
        """The configured ceiling (``None``: none)."""

    @property
    def measured_limit(self) -> float | None:
        """The server's limit as last measured (``None``: not yet)."""

    async def acquire(self) -> float:
        """Wait until a request may be sent; return its send time."""

    def throttled(
        self, retry_after: float | None, sent: float | None = None
    ) -> None:
        """Feed back a 429 to the request `acquire` let go at *sent*."""

    def succeeded(self, sent: float | None = None) -> None:
        """Feed back a success of the request let go at *sent*."""


class AdaptiveLimiter:
    """
    Paces requests at an adaptive rate under an optional ceiling.

    With no ceiling the limiter lets everything through until the server
    pushes back; with one it paces at the ceiling until then.

    Pushing back means: over an epoch (half a second and at least 8
    answers, or a block of 50 answers mostly 429s), more than the usual
    share of 429s plus *tolerance*.  The usual share is what is seen
    just after a decrease, if slowing down did not lower it much; a
    server (or a fault injector) whose 429s are not tied to
    load thus cannot drive the rate down step after step.  Answers to
    requests sent before the last change of rate are not judged: they
    met the old rate.

    On pushback the limiter measures the server's limit as the rate of
    successes in the second after the first 429 of the epoch (or, if
    nearly everything bounces before then, of the whole epoch; if too
    few got through, half the throughput), paces at *decrease* times it, waits
    out the ``Retry-After`` that came with the 429s (if any), and then
    probes upward: back at the measured limit after *probe* seconds,
    growing faster beyond it, and by at least *increase* requests per
    second per second, never above the ceiling.

    Args:
        ceiling: Max requests per second, or ``None`` for no ceiling.
        minimum: The rate never drops below this.
        decrease: Fraction of the measured limit paced at after pushback.
        increase: Requests per second the probing adds per second, at
            least.
        tolerance: Share of 429 answers, beyond the usual share, that is
            tolerated without a decrease.
        probe: Seconds the probing takes to climb back to the measured
            limit.

    .. versionchanged:: 26.1.0 `set_ceiling`, *tolerance*.
    .. versionchanged:: 26.1.0
       The limit is measured from the successes and probed along a cubic
       curve (*probe*), instead of halving the rate and climbing back
       linearly; *cooldown* is gone (answers to requests sent before a
       change are not judged).

    """

    __slots__ = (
        "_background",
        "_bucket",
        "_ceiling",
        "_decrease",
        "_epoch",
        "_increase",
        "_judged_429",
        "_loop",
        "_minimum",
        "_paused_until",
        "_pending_retry_after",
        "_prev_count",
        "_prev_start",
        "_probe",
        "_probe_seconds",
        "_rate",
        "_sample_background",
        "_share_at_cut",
        "_tolerance",
        "_win_count",
        "_win_start",
    )

    def __init__(  # noqa: PLR0913 -- every tuning knob is keyword-only
        self,
        ceiling: float | None = None,
        *,
        minimum: float = 1.0,
        decrease: float = 0.97,
        increase: float = 1.0,
        tolerance: float = 0.02,
        probe: float = 4.0,
    ) -> None:
        _check_ceiling(ceiling)
        if not 0 < decrease < 1:
            raise ValueError(f"decrease must be in (0, 1), got {decrease!r}")
        if not minimum > 0:
            raise ValueError(f"minimum must be positive, got {minimum!r}")
        if not 0 <= tolerance < 1:
            raise ValueError(f"tolerance must be in [0, 1), got {tolerance!r}")
        if not probe > 0:
            raise ValueError(f"probe must be positive, got {probe!r}")
        self._ceiling = ceiling
        self._minimum = minimum
        self._decrease = decrease
        self._increase = increase
        self._tolerance = tolerance
        self._probe_seconds = probe
        self._rate: float | None = ceiling
        self._bucket = Bucket(ceiling) if ceiling is not None else None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._paused_until = -math.inf
        self._epoch: Epoch | None = None
        self._judged_429 = 0
        self._pending_retry_after: float | None = None
        self._probe: Probe | None = None
        self._background = 0.0
        self._share_at_cut = 0.0
        self._sample_background = False
        self._win_start: float | None = None
        self._win_count = 0
        self._prev_start: float | None = None
        self._prev_count = 0

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

    @property
    def measured_limit(self) -> float | None:
        """
        The server's limit as last measured (``None``: never pushed back).

        .. versionadded:: 26.1.0
        """
        return None if self._probe is None else self._probe.limit

    def set_ceiling(self, ceiling: float | None) -> None:
        """
        Change the ceiling.

        A limiter that never decreased jumps to the new ceiling (or back
        to unpaced for ``None``); one that did keeps its learned rate,
        lowered to the new ceiling if above it, and probes on under it.

        Raises:
            ValueError: *ceiling* is not positive.

        .. versionadded:: 26.1.0

        """
        _check_ceiling(ceiling)
        self._ceiling = ceiling
        if self._probe is None:
            if ceiling is None:
                self._rate = None
                self._bucket = None
            else:
                self._set_rate(ceiling)
        elif ceiling is not None and (
            self._rate is None or self._rate > ceiling
        ):
            self._set_rate(ceiling)

    async def acquire(self) -> float:
        """
        Wait until a request may be sent.

        Returns:
            When it may be sent, on the loop's clock: pass it back to
            `succeeded` or `throttled` with the answer.

        .. versionchanged:: 26.1.0 Returns the send time.

        """
        now = self._now()
        while self._paused_until > now:
            await _sleep(self._paused_until - now)
            now = self._now()
        self._count(now)
        if self._bucket is not None:
            wait = self._bucket.reserve(now)
            if wait > 0:
                await _sleep(wait)
                return now + wait
        return now

    def acquire_nowait(self) -> float | None:
        """
        Let a request go at once if it need not wait.

        Returns:
            Its send time, as `acquire` returns it; ``None`` if it would
            have to wait (then nothing was taken: call `acquire`).

        .. versionadded:: 26.1.0

        """
        now = self._now()
        if self._paused_until > now:
            return None
        bucket = self._bucket
        # Checked before `_count` may grow the rate: growing never
        # lowers it, so a free slot stays free.
        if bucket is not None and not bucket.free(now):
            return None
        self._count(now)
        if bucket is not None:
            bucket.reserve(now)
        return now

    def throttled(
        self, retry_after: float | None, sent: float | None = None
    ) -> None:
        """
        Feed back a 429 to the request sent at *sent* (``None``: now).

        Args:
            retry_after: The wait the server asked for, if any; everyone
                waits it out if this 429 makes the limiter decrease.
            sent: What `acquire` returned for the request.

        """
        now = self._now()
        epoch = self._epoch_at(now)
        if epoch.first_answer is None:
            epoch.first_answer = now
        if retry_after is not None:
            self._pending_retry_after = retry_after
        if sent is not None and sent < epoch.start:
            return
        if epoch.first_429 is None:
            epoch.first_429 = now
            epoch.ok_at_first_429 = epoch.received
        self._judged_429 += 1
        self._judge(epoch, now)

    def succeeded(self, sent: float | None = None) -> None:
        """
        Feed back a success of the request sent at *sent* (``None``: now).
        """
        now = self._now()
        epoch = self._epoch_at(now)
        if epoch.first_answer is None:
            epoch.first_answer = now
        epoch.received += 1
        if sent is not None and sent < epoch.start:
            return
        epoch.ok += 1
        if now - epoch.start >= _EPOCH:
            self._judge(epoch, now)

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

    # -- judging ---------------------------------------------------------

    def _epoch_at(self, now: float) -> Epoch:
        epoch = self._epoch
        if epoch is None:
            epoch = self._epoch = Epoch(now)
        return epoch

    def _judge(self, epoch: Epoch, now: float) -> None:
        limited = self._judged_429
        total = epoch.ok + limited
        if total < MIN_SAMPLE:
            return
        share = limited / total
        full = now - epoch.start >= _EPOCH
        mostly = share > 0.5 and (full or total >= _BLOCK)
        if not (full or mostly):
            return
        if self._sample_background:
            # Just after a decrease: if slowing down left the share of
            # 429s about as it was, they are not the load's.
            self._sample_background = False
            usual = share >= _SAME_SHARE * self._share_at_cut
            self._background = min(share, _MAX_BACKGROUND) if usual else 0.0
        base = self._background
        noise = 2 * math.sqrt(base * (1 - base) / total)
        if share > base + self._tolerance + noise:
            # Unless nearly everything bounces, wait until the successes
            # since the first 429 measure the limit.
            if mostly or epoch.measured(now):
                self._share_at_cut = share
                self._decrease_now(epoch, now)
        else:
            self._new_epoch(now)

    def _decrease_now(self, epoch: Epoch, now: float) -> None:
        accepted = epoch.accepted(now)
        rate = self._rate
        if accepted is None:
            # Next to nothing got through: no measurement, just back off.
            accepted = target = (rate or self.observed()) / 2
        else:
            target = self._decrease * accepted
            if rate is not None:
                target = min(target, rate)
        if self._ceiling is not None:
            target = min(target, self._ceiling)
        target = max(self._minimum, target)
        retry_after = self._pending_retry_after
        if retry_after is not None and retry_after > 0:
            self._paused_until = max(self._paused_until, now + retry_after)
        start = max(now, self._paused_until)
        self._probe = Probe(
            start,
            target,
            max(target, accepted),
            self._probe_seconds,
            self._increase,
        )
        self._set_rate(target)
        _log.info("rate lowered to %.1f requests/s after 429 answers", target)
        # After a measured decrease the pace is under the limit, so the
        # next epoch's 429s are the usual share; after a guess it may not
        # be.
        self._sample_background = epoch.measured(now)
        self._new_epoch(start)

    def _new_epoch(self, now: float) -> None:
        self._epoch = Epoch(now)
        self._judged_429 = 0
        self._pending_retry_after = None

    def _grow(self, probe: Probe, now: float) -> None:
        probe.last = now
        if now <= probe.start:
            return
        rate = probe.rate(now)
        ceiling = self._ceiling
        if ceiling is not None and rate > ceiling:
            rate = ceiling
        if rate != self._rate:
            self._set_rate(rate)
            if rate == ceiling:
                _log.info("rate back at its ceiling, %.1f requests/s", ceiling)

    def _count(self, now: float) -> None:
        # One acquisition at *now*: the throughput window, the probe.
        win_start = self._win_start
        if win_start is None or now - win_start >= _WINDOW:
            self._roll(now)
            self._epoch_at(now)
        self._win_count += 1
        probe = self._probe
        if probe is not None and now - probe.last >= _REGROW:
            self._grow(probe, now)

    def _roll(self, now: float) -> None:
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
            self._bucket = Bucket(rate)
        else:
            self._bucket.set_rate(rate)


def _check_ceiling(ceiling: float | None) -> None:
    if ceiling is not None and not ceiling > 0:
        raise ValueError(f"rate must be positive, got {ceiling!r}")
