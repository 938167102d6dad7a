"""
Tests for the retry policy and the adaptive limiter.

Limiter tests drive the event loop's clock by hand and replace the
limiter's sleep, so nothing sleeps for real.
"""

from __future__ import annotations

import asyncio
import random

import anyio
import pytest

from hypothesis import given
from hypothesis import strategies as st

from maiu_async import _scheduler
from maiu_async._retry import RetryPolicy
from maiu_async._scheduler import AdaptiveLimiter


class Clock:
    """A loop clock that moves only when told to."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(name="clock")
async def _clock(monkeypatch):
    loop = asyncio.get_running_loop()
    clock = Clock(loop.time())
    monkeypatch.setattr(loop, "time", clock)
    return clock


@pytest.fixture(name="sleeps")
def _sleeps(monkeypatch, clock):
    """Record the limiter's sleeps; each moves the clock on instead."""
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)

    monkeypatch.setattr(_scheduler, "_sleep", fake_sleep)
    return slept


async def answer(
    limiter: AdaptiveLimiter,
    ok: int,
    limited: int = 0,
    retry_after: float | None = None,
) -> None:
    """
    Feed back *ok* successes and *limited* 429s.

    An unpaced limiter also sees the requests go out, so that it can
    measure throughput; a paced one would make them wait for the clock.
    """
    if limiter.rate is None:
        for _ in range(ok + limited):
            await limiter.acquire()
    for _ in range(ok):
        limiter.succeeded()
    for _ in range(limited):
        limiter.throttled(retry_after)


@given(
    attempt=st.integers(1, 40),
    initial=st.floats(0, 10),
    maximum=st.floats(0, 100),
    seed=st.integers(),
)
def test_backoff_is_full_jitter_under_the_cap(attempt, initial, maximum, seed):
    """A backoff lies between 0 and the capped exponential ceiling."""
    policy = RetryPolicy(initial=initial, maximum=maximum)
    ceiling = min(maximum, initial * 2 ** (attempt - 1))

    wait = policy.backoff(attempt, random.Random(seed))

    assert 0 <= wait <= ceiling


def test_backoff_is_a_pure_function_of_the_attempt():
    """The same attempt and random state give the same backoff."""
    policy = RetryPolicy(initial=1, maximum=60)

    assert policy.backoff(3, random.Random(7)) == policy.backoff(
        3, random.Random(7)
    )


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        pytest.param(2.5, 2.5, id="honoured"),
        pytest.param(500.0, 60.0, id="capped"),
        pytest.param(-3.0, 0.0, id="negative-is-now"),
    ],
)
def test_wait_for_honours_retry_after(retry_after, expected):
    """A server's Retry-After replaces the backoff, within the cap."""
    assert expected == RetryPolicy().wait_for(1, retry_after)


@pytest.mark.anyio
async def test_unpaced_until_the_server_pushes_back(clock):
    """Without a ceiling nothing is paced, stray 429s included."""
    limiter = AdaptiveLimiter()

    await answer(limiter, ok=45, limited=5)

    assert limiter.rate is None


@pytest.mark.anyio
async def test_first_decrease_halves_the_observed_throughput(clock):
    """A block of mostly 429s paces at half of what was being sent."""
    limiter = AdaptiveLimiter()
    for _ in range(10):
        await answer(limiter, ok=40)
        clock.advance(0.1)  # 400 requests per second

    await answer(limiter, ok=0, limited=11)

    assert limiter.rate == pytest.approx(200, rel=0.1)


@pytest.mark.anyio
async def test_stray_429s_do_not_lower_the_rate(clock):
    """429s up to the tolerance (a fifth of a block) change nothing."""
    limiter = AdaptiveLimiter(100)

    for _ in range(20):
        await answer(limiter, ok=40, limited=10)
        clock.advance(0.5)

    assert limiter.rate == 100


@pytest.mark.anyio
async def test_one_decrease_per_burst(clock):
    """The 429s of one burst lower the rate once, not once each."""
    limiter = AdaptiveLimiter(100)

    await answer(limiter, ok=0, limited=64)

    assert limiter.rate == 50


@pytest.mark.anyio
async def test_a_later_burst_decreases_again(clock):
    """After the cooldown, renewed pushback lowers the rate again."""
    limiter = AdaptiveLimiter(100, cooldown=1.0)
    await answer(limiter, ok=0, limited=20)

    clock.advance(1.5)
    await answer(limiter, ok=0, limited=20)

    assert limiter.rate == 25


@pytest.mark.anyio
async def test_low_rates_are_judged_per_second(clock):
    """A second with few answers but mostly 429s lowers the rate."""
    limiter = AdaptiveLimiter(10)
    await answer(limiter, ok=3, limited=6)

    clock.advance(1.0)
    await limiter.acquire()

    assert limiter.rate == 5


@pytest.mark.anyio
async def test_decrease_pauses_everyone_for_retry_after(clock, sleeps):
    """When the rate drops, the next acquire waits out Retry-After."""
    limiter = AdaptiveLimiter(100)
    await answer(limiter, ok=0, limited=11, retry_after=2.0)

    await limiter.acquire()

    assert [2.0] == sleeps


@pytest.mark.anyio
async def test_stray_retry_after_pauses_nobody(clock, sleeps):
    """A 429 that causes no decrease leaves the others unpaused."""
    limiter = AdaptiveLimiter(100)
    await answer(limiter, ok=40, limited=1, retry_after=5.0)

    await limiter.acquire()

    assert [] == sleeps


@pytest.mark.anyio
async def test_successes_recover_additively_up_to_the_ceiling(clock):
    """Each success adds increase/rate; the ceiling caps the climb."""
    limiter = AdaptiveLimiter(100, increase=10.0)
    await answer(limiter, ok=0, limited=11)
    assert limiter.rate == 50

    limiter.succeeded()
    assert limiter.rate == pytest.approx(50.2)

    for _ in range(1000):
        limiter.succeeded()
    assert limiter.rate == 100


@pytest.mark.anyio
async def test_rate_never_drops_below_minimum(clock):
    """Repeated decreases stop at the minimum."""
    limiter = AdaptiveLimiter(4, minimum=1.0)

    for _ in range(5):
        await answer(limiter, ok=0, limited=11)
        clock.advance(2.0)

    assert limiter.rate == 1.0


@pytest.mark.anyio
async def test_paced_requests_wait_their_turn(clock, sleeps):
    """At 10/s one request passes at once; the next waits a tenth."""
    limiter = AdaptiveLimiter(10)

    await limiter.acquire()
    await limiter.acquire()
    clock.advance(1.0)
    await limiter.acquire()

    assert [pytest.approx(0.1)] == sleeps


@pytest.mark.anyio
async def test_requests_arriving_together_queue_in_order(clock, monkeypatch):
    """Requests that arrive at once are spaced one interval apart."""
    limiter = AdaptiveLimiter(10)
    asked: list[float] = []

    async def still_clock(seconds: float) -> None:
        asked.append(seconds)
        await anyio.lowlevel.checkpoint()

    monkeypatch.setattr(_scheduler, "_sleep", still_clock)

    async with anyio.create_task_group() as tg:
        for _ in range(4):
            tg.start_soon(limiter.acquire)

    assert pytest.approx([0.1, 0.2, 0.3]) == sorted(asked)


@pytest.mark.anyio
async def test_bursts_are_a_fiftieth_of_a_second(clock, sleeps):
    """At 500/s ten requests pass at once, the eleventh waits."""
    limiter = AdaptiveLimiter(500)

    for _ in range(11):
        await limiter.acquire()

    assert [pytest.approx(1 / 500)] == sleeps


@pytest.mark.anyio
async def test_a_new_rate_applies_from_the_next_request(clock, sleeps):
    """A lower ceiling spaces requests from the next free turn on."""
    limiter = AdaptiveLimiter(10)
    await limiter.acquire()

    limiter.set_ceiling(2)
    await limiter.acquire()
    await limiter.acquire()

    assert pytest.approx([0.1, 0.5]) == sleeps


@pytest.mark.parametrize(
    ("ceiling", "expected"),
    [
        pytest.param(20.0, 20.0, id="new-ceiling"),
        pytest.param(None, None, id="unpaced-again"),
    ],
)
@pytest.mark.anyio
async def test_set_ceiling_before_any_pushback(clock, ceiling, expected):
    """A limiter that never decreased takes the new ceiling as it is."""
    limiter = AdaptiveLimiter(500)

    limiter.set_ceiling(ceiling)

    assert (ceiling, expected) == (limiter.ceiling, limiter.rate)


@pytest.mark.parametrize(
    ("ceiling", "expected"),
    [
        pytest.param(1000.0, 50.0, id="learned-rate-kept"),
        pytest.param(20.0, 20.0, id="lowered-to-ceiling"),
        pytest.param(None, 50.0, id="lifted"),
    ],
)
@pytest.mark.anyio
async def test_set_ceiling_keeps_what_was_learned(clock, ceiling, expected):
    """After a decrease the learned rate stays, under the new ceiling."""
    limiter = AdaptiveLimiter(100)
    await answer(limiter, ok=0, limited=11)

    limiter.set_ceiling(ceiling)

    assert expected == limiter.rate


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"ceiling": 0}, id="zero-ceiling"),
        pytest.param({"ceiling": -1.0}, id="negative-ceiling"),
        pytest.param({"decrease": 1.0}, id="decrease-not-below-one"),
        pytest.param({"minimum": 0}, id="zero-minimum"),
        pytest.param({"tolerance": 1.0}, id="tolerance-all"),
    ],
)
def test_bad_settings_are_refused(kwargs):
    """Nonsensical limiter settings raise ValueError."""
    with pytest.raises(ValueError, match="must be"):
        AdaptiveLimiter(**kwargs)


def test_set_ceiling_refuses_non_positive():
    """A ceiling of zero would stop everything: refused."""
    with pytest.raises(ValueError, match="positive"):
        AdaptiveLimiter().set_ceiling(0)
