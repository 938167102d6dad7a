"""
Per-run machinery: the rate limiter's bucket and the seeded dice.

Built when the app starts, inside the running loop (the bucket reads the
loop's clock), and dropped when it cleans up.

Strictly private.
"""

from __future__ import annotations

import random

from typing import TYPE_CHECKING

import attrs


if TYPE_CHECKING:
    from collections.abc import Callable

    from ._config import EmulatorConfig


__all__ = ["Runtime", "TokenBucket"]


class TokenBucket:
    """
    A token bucket: *rate* tokens a second, holding at most *burst*.

    Strictly private.
    """

    __slots__ = ("_burst", "_clock", "_last", "_rate", "_tokens")

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float]
    ) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._last = clock()

    def __repr__(self) -> str:
        return f"<TokenBucket rate={self._rate} burst={self._burst:g}>"

    def try_take(self) -> bool:
        """
        Take one token if there is one.
        """
        now = self._clock()
        self._tokens = min(
            self._burst, self._tokens + (now - self._last) * self._rate
        )
        self._last = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False


@attrs.define
class Runtime:
    """
    The limiter and dice of one running app.

    Strictly private.
    """

    config: EmulatorConfig
    limiter: TokenBucket | None = None
    _fault_dice: random.Random | None = None
    _jitter_dice: random.Random | None = None

    def start(self, clock: Callable[[], float]) -> None:
        """
        Build the limiter on *clock* and seed the dice.
        """
        cfg = self.config
        if cfg.rate_limit is not None:
            self.limiter = TokenBucket(cfg.rate_limit, cfg.burst, clock)
        # Separate streams: the fault sequence stays the same whatever
        # the jitter draws, so a seed replays the same faults in order.
        # Not cryptography: only the repeatability of test runs matters.
        self._fault_dice = random.Random(cfg.seed)  # noqa: S311
        self._jitter_dice = random.Random(  # noqa: S311
            None if cfg.seed is None else cfg.seed + 1
        )

    def stop(self) -> None:
        """
        Drop the limiter and dice; later requests meet no knobs.
        """
        self.limiter = None
        self._fault_dice = self._jitter_dice = None

    def delay(self) -> float:
        """
        Draw the latency for one request, in seconds.
        """
        cfg = self.config
        if self._jitter_dice is None or not cfg.latency + cfg.jitter:
            return 0.0
        return cfg.latency + self._jitter_dice.uniform(0, cfg.jitter)

    def draw_fault(self) -> str | None:
        """
        Draw at most one fault kind for one request.
        """
        faults = self.config.faults
        if self._fault_dice is None or not faults.total():
            return None
        roll = self._fault_dice.random()
        for kind, probability in faults.kinds():
            if roll < probability:
                return kind
            roll -= probability
        return None
