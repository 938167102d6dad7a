"""
A job's rate is the job's own: it paces the job and never the client.

Nothing here measures time: pacing is seen in the limiter's requested
waits (its sleep is replaced, as in the limiter's own tests) and in the
client's limiter state.
"""

from __future__ import annotations

import anyio
import pytest

from bulk_support import keys_for

from maiu_async import _scheduler
from maiu_async.bulk import Outcome, register_many


pytestmark = pytest.mark.anyio


@pytest.fixture(name="waits")
def _waits(monkeypatch):
    """Record the waits limiters ask for; none really sleeps."""
    asked: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        asked.append(seconds)
        await anyio.lowlevel.checkpoint()

    monkeypatch.setattr(_scheduler, "_sleep", fake_sleep)
    return asked


async def gated(keys, first, event):
    """Yield *first* keys, then wait for *event*, then the rest."""
    for key in keys[:first]:
        yield key
    await event.wait()
    for key in keys[first:]:
        yield key


async def test_rate_paces_the_job_not_the_client(target, client, waits):
    """rate= makes each request after the first wait its turn."""
    seen = []

    report = await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=keys_for(5),
        concurrency=1,
        rate=0.001,  # one request per 1000 s: the clock never catches up
        on_result=lambda _: seen.append(client.limiter.rate),
    )

    assert 5 == report.registered
    assert [True] * 4 == [wait > 500 for wait in waits]
    assert [None] * 5 == seen


async def test_overlapping_jobs_leave_the_client_as_it_was(
    target, client, waits
):
    """Jobs with rates, overlapping in any order, never touch the client."""
    states: list[tuple[float | None, float | None]] = []
    a_running, b_running, a_done = anyio.Event(), anyio.Event(), anyio.Event()

    def watch(started: anyio.Event):
        def on_result(_: Outcome) -> None:
            started.set()
            states.append((client.limiter.ceiling, client.limiter.rate))

        return on_result

    async def job(keys, rate, on_result):
        return await register_many(
            client,
            target.workspace,
            target.project_id,
            bucket_name=target.bucket,
            keys=keys,
            rate=rate,
            on_result=on_result,
        )

    async def job_a() -> None:
        # Ends while B runs: the order in which version one restored
        # the client's ceiling wrongly.
        keys = keys_for(40, "a/clip")
        await job(gated(keys, 10, b_running), 200.0, watch(a_running))
        a_done.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(job_a)
        await a_running.wait()
        keys = keys_for(40, "b/clip")
        await job(gated(keys, 10, a_done), 1000.0, watch(b_running))

    waits.clear()
    after = await job(keys_for(40, "c/clip"), None, watch(anyio.Event()))

    assert 40 == after.registered
    assert [] == waits  # the job without a rate was not paced
    assert {(None, None)} == set(states)
    assert (None, None) == (client.limiter.ceiling, client.limiter.rate)
    assert 120 == sum(target.assets_by_key().values())
