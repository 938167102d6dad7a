"""
A job's concurrency is never capped silently by the client's pool.

Nothing here measures time: in-flight requests are counted by a gate
that holds them at the server.
"""

from __future__ import annotations

import functools

import anyio
import pytest

from bulk_support import Gate, keys_for

from maiu_async import ConnectionLimits, UsageError
from maiu_async.bulk import register_many


pytestmark = pytest.mark.anyio

#: Only a failing test waits this long (the gate never fills).
GUARD = 30.0


async def test_a_default_client_carries_a_concurrency_of_200(
    launch_gated, open_client
):
    """With no limits given, 200 workers have 200 requests in flight."""
    gate = Gate()
    target = await launch_gated(gate)
    client = await open_client(target)
    job = functools.partial(
        register_many,
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=keys_for(200),
        concurrency=200,
    )

    async with anyio.create_task_group() as tg:
        tg.start_soon(job)
        with anyio.fail_after(GUARD):
            await gate.until(lambda g: g.held >= 200)
        held = gate.held
        gate.open()

    assert 200 == held


async def test_concurrency_above_the_pool_is_refused(target, open_client):
    """A pool smaller than the concurrency is named in a UsageError."""
    client = await open_client(
        target, limits=ConnectionLimits(max_connections=10)
    )

    with pytest.raises(UsageError) as info:
        await register_many(
            client,
            target.workspace,
            target.project_id,
            bucket_name=target.bucket,
            keys=keys_for(3),
            concurrency=11,
        )

    assert (
        "concurrency 11 exceeds the client's pool of 10 connections: "
        "lower it, or give the client "
        "limits=ConnectionLimits(max_connections=11)"
    ) == str(info.value)
    assert {} == dict(target.assets_by_key())


async def test_an_unlimited_pool_takes_any_concurrency(target, open_client):
    """max_connections=0 (no cap) refuses no concurrency."""
    client = await open_client(
        target, limits=ConnectionLimits(max_connections=0)
    )

    report = await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=keys_for(3),
        concurrency=5_000,
    )

    assert (None, 3) == (client.max_connections, report.registered)
