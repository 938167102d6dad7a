"""
When a request may go, and whether to try again.

- `RetryPolicy`: bounded attempts, exponential backoff with full jitter,
  capped; backoff is a pure function of the attempt number.
- `AdaptiveLimiter`: one per client, built inside the running loop.
  An aiolimiter leaky bucket paces requests at the current rate; a 429
  halves the rate (multiplicative decrease) and pauses everyone for the
  server's ``Retry-After``; successes raise it again additively, up to the
  configured ceiling.

It never builds requests or parses bodies.
"""

from __future__ import annotations

import random
import time

import anyio
import attrs

from aiolimiter import AsyncLimiter


__all__ = ["AdaptiveLimiter", "RetryPolicy"]


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """
    How often and how patiently to retry.

    Attributes:
        attempts: Tries in all, the first included (1 means no retry).
        initial: Backoff ceiling before the second try, in seconds.
        maximum: Cap of any single backoff, in seconds.
        multiplier: Growth of the ceiling per attempt.
        max_retry_after: Cap on a server's ``Retry-After``, in seconds.

    """

    attempts: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    initial: float = attrs.field(default=0.1, validator=attrs.validators.ge(0))
    maximum: float = attrs.field(default=5.0, validator=attrs.validators.ge(0))
    multiplier: float = attrs.field(
        default=2.0, validator=attrs.validators.ge(1)
    )
    max_retry_after: float = attrs.field(
        default=60.0, validator=attrs.validators.ge(0)
    )

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """
        Seconds to wait after failed try number *attempt* (from 1).

        Full jitter: uniform between 0 and the capped exponential ceiling.
        """
        ceiling = min(
            self.maximum, self.initial * self.multiplier ** (attempt - 1)
        )
        return (rng or _RNG).uniform(0, ceiling)

    def wait_for(
        self,
        attempt: int,
        retry_after: float | None,
        rng: random.Random | None = None,
    ) -> float:
        """
        Seconds to wait, honouring a server's ``Retry-After`` when given.
        """
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        return self.backoff(attempt, rng)


_RNG = random.Random()  # noqa: S311 -- jitter, not cryptography


class AdaptiveLimiter:
    """
    Paces requests at an adaptive rate under a fixed ceiling.

    With no ceiling the limiter lets everything through until the first
    429; from then on it paces at half the throughput it had observed.

    Args:
        ceiling: Max requests per second, or ``None`` for no ceiling.
        minimum: The rate never drops below this.
        decrease: Factor applied to the rate on each 429.
        increase: Requests per second added per second of successes.

    """

    __slots__ = (
        "_bucket",
        "_ceiling",
        "_decrease",
        "_increase",
        "_last_throttle",
        "_minimum",
        "_paused_until",
        "_rate",
        "_window",
        "_window_start",
    )

    def __init__(
        self,
        ceiling: float | None = None,
        *,
        minimum: float = 1.0,
        decrease: float = 0.5,
        increase: float = 5.0,
    ) -> None:
        if ceiling is not None and ceiling <= 0:
            raise ValueError(f"rate must be positive, got {ceiling!r}")
        self._ceiling = ceiling
        self._minimum = minimum
        self._decrease = decrease
        self._increase = increase
        self._rate: float | None = ceiling
        self._bucket = _bucket(ceiling) if ceiling is not None else None
        self._paused_until = 0.0
        self._last_throttle = 0.0
        self._window = 0
        self._window_start = time.monotonic()

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

    async def acquire(self) -> None:
        """Wait until a request may be sent."""
        now = time.monotonic()
        if self._paused_until > now:
            await anyio.sleep(self._paused_until - now)
        if self._bucket is not None:
            await self._bucket.acquire()
        self._window += 1

    def throttled(self, retry_after: float | None) -> None:
        """Feed back a 429: lower the rate and honour ``Retry-After``."""
        now = time.monotonic()
        if retry_after is not None and retry_after > 0:
            self._paused_until = max(self._paused_until, now + retry_after)
        # One decrease per burst of 429s: in-flight requests all bounce
        # at once, and each should not halve the rate again.
        current = self._rate if self._rate is not None else self._observed()
        if now - self._last_throttle < 1.0 / max(current, 1.0):
            return
        self._last_throttle = now
        self._set_rate(max(self._minimum, current * self._decrease))

    def succeeded(self) -> None:
        """Feed back a success: raise the rate a little."""
        if self._rate is None or (
            self._ceiling is not None and self._rate >= self._ceiling
        ):
            return
        # `increase` per second of successes at the current rate.
        step = self._increase / max(self._rate, 1.0)
        new = self._rate + step
        if self._ceiling is not None:
            new = min(new, self._ceiling)
        self._set_rate(new)

    def _observed(self) -> float:
        elapsed = max(time.monotonic() - self._window_start, 1e-3)
        return max(self._window / elapsed, self._minimum)

    def _set_rate(self, rate: float) -> None:
        self._rate = rate
        if self._bucket is None:
            self._bucket = _bucket(rate)
        else:
            # aiolimiter keeps the rate in two slots; keep them in step.
            capacity = _capacity(rate)
            self._bucket.max_rate = capacity
            self._bucket.time_period = capacity / rate
            self._bucket._rate_per_sec = rate  # noqa: SLF001


def _capacity(rate: float) -> float:
    # A small bucket (a tenth of a second's worth, at least one) keeps
    # bursts short, which is what keeps a server's limiter quiet.
    return max(1.0, rate / 10)


def _bucket(rate: float) -> AsyncLimiter:
    capacity = _capacity(rate)
    return AsyncLimiter(capacity, capacity / rate)
