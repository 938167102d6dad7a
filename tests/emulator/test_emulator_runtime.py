"""The token bucket and the seeded dice, on a fake clock."""

from __future__ import annotations

import pytest

from maiu_async.emulator import EmulatorConfig, Faults
from maiu_async.emulator._faults import (
    Runtime,
    TokenBucket,
    retry_after_header,
)


def test_bucket_refills_at_the_rate():
    """Tokens come back at the rate, never beyond the burst."""
    now = [0.0]
    bucket = TokenBucket(rate=10.0, burst=2, clock=lambda: now[0])

    drained = [bucket.try_take() for _ in range(3)]
    now[0] = 0.1
    refilled = [bucket.try_take() for _ in range(2)]
    now[0] = 100.0
    capped = [bucket.try_take() for _ in range(3)]

    assert [True, True, False] == drained
    assert [True, False] == refilled
    assert [True, True, False] == capped


def runtime(**knobs) -> Runtime:
    rt = Runtime(EmulatorConfig(access_key="K", secret_key="S", **knobs))
    rt.start(lambda: 0.0)
    return rt


def test_delay_stays_within_latency_and_jitter():
    """Each delay is the latency plus at most the jitter."""
    rt = runtime(latency=0.2, jitter=0.1, seed=1)

    delays = [rt.delay() for _ in range(200)]

    assert all(0.2 <= d <= 0.3 for d in delays)
    assert 0.0 == runtime().delay()


def test_fault_mix_follows_the_probabilities():
    """Over many draws, each fault shows up about as often as configured."""
    rt = runtime(faults=Faults(error_503=0.25, reset=0.25), seed=3)

    draws = [rt.draw_fault() for _ in range(4000)]

    assert 1000 == pytest.approx(draws.count("error_503"), rel=0.1)
    assert 1000 == pytest.approx(draws.count("reset"), rel=0.1)
    assert 2000 == pytest.approx(draws.count(None), rel=0.1)


def test_stopped_runtime_has_no_knobs():
    """After cleanup the limiter and dice are gone."""
    rt = runtime(rate_limit=1.0, latency=1.0, faults=Faults(reset=1.0))

    rt.stop()

    assert (None, 0.0, None) == (rt.limiter, rt.delay(), rt.draw_fault())


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(None, {}), (2, {"Retry-After": "2"}), (0.25, {"Retry-After": "0.25"})],
)
def test_retry_after_header(seconds, expected):
    """Retry-After is written as given, whole numbers without a fraction."""
    assert expected == retry_after_header(seconds)
