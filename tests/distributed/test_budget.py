"""
The budget's fencing and the leased limiter, without a cluster.

The plugin is driven through its handlers, on a stand-in for the
scheduler's task table; the limiter through its lease call.
"""

from __future__ import annotations

import types

import anyio
import pytest

from dask_support import BUCKET, WORKSPACE, video_keys
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import MaiuClient
from maiu_async.bulk import register_many, report_of


pytest.importorskip("distributed")

from maiu_async.distributed import BudgetPlugin, LeaseRevoked
from maiu_async.distributed._leased import LeasedLimiter


pytestmark = pytest.mark.anyio

KEY = "maiu-shard-job-run-00000"


def running_on(address: str) -> types.SimpleNamespace:
    """A scheduler task state processing on *address*."""
    return types.SimpleNamespace(
        state="processing",
        processing_on=types.SimpleNamespace(address=address),
    )


async def started_plugin(tasks: dict) -> BudgetPlugin:
    """A plugin on a stand-in scheduler whose task table is *tasks*."""
    plugin = BudgetPlugin()
    await plugin.start(types.SimpleNamespace(tasks=tasks, handlers={}))
    plugin.open(job="job", rate=None)
    return plugin


async def lease(plugin: BudgetPlugin, epoch: int, worker: str) -> dict:
    """Ask *plugin* for two tokens for shard `KEY`."""
    return await plugin.lease(
        job="job",
        key=KEY,
        epoch=epoch,
        worker=worker,
        want=2,
        ok=[],
        limited=[],
    )


async def test_rescheduled_shard_fences_its_old_holder():
    """Once a shard moves to another worker, the old holder is refused."""
    tasks = {KEY: running_on("tcp://a")}
    plugin = await started_plugin(tasks)
    plugin.transition(KEY, "waiting", "processing", stimulus_id="s1")
    first = plugin.begin(job="job", key=KEY, worker="tcp://a")["epoch"]
    assert 2 == len((await lease(plugin, first, "tcp://a"))["tokens"])

    tasks[KEY] = running_on("tcp://b")
    plugin.transition(KEY, "waiting", "processing", stimulus_id="s2")
    second = plugin.begin(job="job", key=KEY, worker="tcp://b")["epoch"]

    assert "refused" in await lease(plugin, first, "tcp://a")
    assert "refused" in await lease(plugin, second, "tcp://a")
    assert 2 == len((await lease(plugin, second, "tcp://b"))["tokens"])


async def test_same_worker_again_is_a_new_epoch():
    """A shard rescheduled onto the same worker refuses the older epoch."""
    tasks = {KEY: running_on("tcp://a")}
    plugin = await started_plugin(tasks)
    plugin.transition(KEY, "waiting", "processing", stimulus_id="s1")
    first = plugin.begin(job="job", key=KEY, worker="tcp://a")["epoch"]
    plugin.transition(KEY, "waiting", "processing", stimulus_id="s2")

    assert "refused" in await lease(plugin, first, "tcp://a")


async def test_stopped_job_tells_its_shards():
    """After a stop, new shards do not begin and leases carry the stop."""
    tasks = {KEY: running_on("tcp://a")}
    plugin = await started_plugin(tasks)
    plugin.transition(KEY, "waiting", "processing", stimulus_id="s1")
    epoch = plugin.begin(job="job", key=KEY, worker="tcp://a")["epoch"]
    plugin.stop(job="job")

    assert {"stop": True} == plugin.begin(job="job", key=KEY, worker="tcp://a")
    assert (await lease(plugin, epoch, "tcp://a"))["stop"]


async def test_reports_reach_the_budget_with_the_next_lease():
    """Successes and 429s are reported back with the following lease."""
    calls: list[dict] = []

    async def call(**fields):
        calls.append(fields)
        return {"tokens": [1.0, 1.01]}

    limiter = LeasedLimiter(call, batch=2, on_stop=lambda: None)
    first = await limiter.acquire()
    second = await limiter.acquire()
    limiter.succeeded(first)
    limiter.throttled(None, second)
    await limiter.acquire()

    assert ([], [], [1.0], [1.01]) == (
        calls[0]["ok"],
        calls[0]["limited"],
        calls[1]["ok"],
        calls[1]["limited"],
    )


async def test_a_late_batch_keeps_the_spacing_of_its_tokens():
    """
    Tokens that arrive together (a stalled worker, a slow lease) go out
    as far apart as the budget granted them, not in one burst.

    A sleep never ends early, so the times are lower bounds whatever the
    machine's load: sent on arrival, all four would go at once.
    """
    granted = [0.0, 0.02, 0.04, 0.06]

    async def call(**_fields):
        return {"tokens": granted}

    limiter = LeasedLimiter(call, batch=4, on_stop=lambda: None)
    start = anyio.current_time()
    sent = []
    for _ in granted:
        await limiter.acquire()
        sent.append(anyio.current_time() - start)

    # The loop may run a timer up to its clock's resolution early.
    assert all(
        at >= gap - 1e-6 for at, gap in zip(sent, granted, strict=True)
    ), (sent, granted)


async def test_refused_lease_stops_the_job_unsent(launch):
    """A refused lease stops a bulk job as systemic; nothing is sent."""
    emu, project = await launch()

    async def refuse(**_fields):
        return {"refused": "shard moved"}

    def make(_rate):
        return LeasedLimiter(refuse, batch=4, on_stop=lambda: None)

    async with MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        endpoint=emu.url,
        limiter=make,
    ) as client:
        with pytest.raises(LeaseRevoked) as caught:
            await register_many(
                client,
                WORKSPACE,
                project,
                bucket_name=BUCKET,
                keys=video_keys(10),
                preflight=False,
            )
    assert 0 == emu.stats.requests
    assert 0 == report_of(caught.value).registered
