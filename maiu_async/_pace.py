"""
The arithmetic of `maiu_async._scheduler`.

An epoch's answers (`Epoch`), the cubic probe (`Probe`) and the leaky
bucket (`Bucket`).

Strictly private.
"""

from __future__ import annotations

import math


__all__ = ["MEASURE", "MIN_SAMPLE", "Bucket", "Epoch", "Probe"]

#: Fewer answers than this tell nothing.
MIN_SAMPLE = 8
#: The successes of this many seconds after the first 429 measure the
#: limit: over a shorter span, answers bunched by the network or a busy
#: loop misstate it by several per cent.
MEASURE = 1.0
#: Sums of intervals drift by rounding: a nanosecond is no wait.
_NO_WAIT = 1e-9


class Epoch:
    """
    The answers since the rate last changed.  Strictly private.

    Only answers to requests sent after *start* are judged (those sent
    before met the old rate); every success received counts towards the
    accepted rate.
    """

    __slots__ = (
        "first_429",
        "first_answer",
        "ok",
        "ok_at_first_429",
        "received",
        "start",
    )

    def __init__(self, start: float) -> None:
        self.start = start
        self.first_answer: float | None = None
        self.ok = 0
        self.received = 0
        self.first_429: float | None = None
        self.ok_at_first_429 = 0

    def measured(self, now: float) -> bool:
        """Whether the successes since the first 429 measure the limit."""
        first = self.first_429
        return (
            first is not None
            and now - first >= MEASURE
            and self.received - self.ok_at_first_429 >= MIN_SAMPLE
        )

    def accepted(self, now: float) -> float | None:
        """The server's acceptance rate, if enough was seen to tell."""
        first = self.first_429
        since = self.received - self.ok_at_first_429
        if first is not None and self.measured(now):
            # From the first 429 on the server's own bucket is empty, so
            # what it accepts is its rate, not its rate plus its burst.
            return since / (now - first)
        # Nearly everything bounced before a full measurement: the higher
        # guess (the epoch's rate counts from its first answer: the first
        # requests of a run wait for connections).  Too high a guess is
        # corrected by the next measurement, too low a one only by
        # probing, slowly.
        guesses = []
        if first is not None and since >= MIN_SAMPLE and now > first:
            guesses.append(since / (now - first))
        begun = self.first_answer
        if self.received >= MIN_SAMPLE and begun is not None and now > begun:
            guesses.append(self.received / (now - begun))
        return max(guesses, default=None)


class Probe:
    """
    The cubic climb after a decrease.  Strictly private.

    ``rate(t) = limit * (1 + c * (t - k) ** 3)`` starts at the paced
    rate, is back at the measured *limit* after *k* seconds, and grows
    ever faster beyond it; it never grows slower than *floor* requests
    per second per second (a low limit would take ages otherwise).
    """

    __slots__ = ("c", "floor", "k", "last", "limit", "start", "start_rate")

    def __init__(
        self,
        start: float,
        start_rate: float,
        limit: float,
        k: float,
        floor: float,
    ) -> None:
        self.start = start
        self.last = start
        self.start_rate = start_rate
        self.limit = limit
        self.k = k
        self.c = (1 - start_rate / limit) / k**3 if limit > 0 else 0.0
        self.floor = floor

    def rate(self, now: float) -> float:
        """The probing rate at *now*."""
        t = now - self.start
        cubic = self.limit * (1 + self.c * (t - self.k) ** 3)
        return max(cubic, self.start_rate + self.floor * t)


class Bucket:
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

    def free(self, now: float) -> bool:
        """Whether the next slot may be taken at *now* without waiting."""
        return self._wait(max(self._free_at, now), now) == 0.0

    def reserve(self, now: float) -> float:
        """Take the next slot; return the seconds to wait for it."""
        due = max(self._free_at, now)
        self._free_at = due + self._interval
        return self._wait(due, now)

    def _wait(self, due: float, now: float) -> float:
        # Seconds from *now* until a slot due at *due* may go.
        wait = due - self._slack - now
        return wait if wait > _NO_WAIT else 0.0


def _capacity(rate: float) -> float:
    # A small bucket (a fiftieth of a second's worth, at least one) keeps
    # bursts short: a server's limiter usually allows a tenth of a second's
    # worth, so our bursts, even bunched up by the network, fit in it.
    return max(1.0, rate / 50)
