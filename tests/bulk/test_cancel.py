"""
Stopping a bulk job: cancelled scopes, task cancellation, settle time.

A `Gate` holds registrations at the server, so each test decides what is
in flight when the job is stopped; nothing depends on the clock.  After
any stop, the journal must let a rerun finish the job with every key
registered exactly once.
"""

from __future__ import annotations

import asyncio
import functools

import anyio
import pytest

from bulk_support import FAST_RECONCILE, FAST_RETRY, Gate, keys_for

from maiu_async.bulk import Outcome, OutcomeStatus, register_many


pytestmark = pytest.mark.anyio

REGISTERED = OutcomeStatus.REGISTERED
UNKNOWN = OutcomeStatus.UNKNOWN
NOT_ATTEMPTED = OutcomeStatus.NOT_ATTEMPTED


async def resume(target, client, keys, journal):
    """Rerun the whole job on *journal*; return report and outcomes."""
    outcomes: list[Outcome] = []
    report = await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=keys,
        journal=journal,
        retry=FAST_RETRY,
        reconcile=FAST_RECONCILE,
        on_result=outcomes.append,
    )
    return report, outcomes


async def job_in(scope, target, client, journal, outcomes, **options):
    """Run a job on all of *target*'s keys inside *scope*."""
    with scope:
        await register_many(
            client,
            target.workspace,
            target.project_id,
            bucket_name=target.bucket,
            journal=journal,
            on_result=outcomes.append,
            **options,
        )


async def test_cancelled_scope_settles_then_resumes(
    launch_gated, open_client, tmp_path
):
    """Cancelling sends nothing new; requests in flight settle, reported."""
    gate = Gate(let_through=200)
    target = await launch_gated(gate)
    client = await open_client(target)
    # More than the job reads ahead of its 232 sent keys (2 chunks of 128
    # and a reconcile batch of 1000): some keys are never read.
    keys = keys_for(2_000)
    journal = tmp_path / "cancel.journal"
    outcomes: list[Outcome] = []

    scope = anyio.CancelScope()
    async with anyio.create_task_group() as tg:
        tg.start_soon(
            functools.partial(
                job_in,
                scope,
                target,
                client,
                journal,
                outcomes,
                keys=keys,
                concurrency=32,
            )
        )
        await gate.until(lambda g: g.held == 32)
        scope.cancel()
        gate.open()

    registered = {o.key for o in outcomes if o.status is REGISTERED}
    unsent = [o for o in outcomes if o.status is NOT_ATTEMPTED]
    assert scope.cancelled_caught
    assert 0 == gate.late  # nothing was sent after the stop
    assert (232, len(outcomes) - 232) == (len(registered), len(unsent))
    assert registered == set(target.assets_by_key())
    # Every key read has an outcome: those read are the input's first.
    assert sorted(keys[: len(outcomes)]) == sorted(o.key for o in outcomes)

    report, again = await resume(target, client, keys, journal)

    assert (2_000, 232) == (report.registered, report.resumed)
    assert dict.fromkeys(keys, 1) == dict(target.assets_by_key())
    assert registered == {o.key for o in again if o.resumed}


async def test_task_cancellation_is_an_orderly_stop(
    launch_gated, open_client, tmp_path
):
    """Native asyncio cancellation (as Ctrl-C does) stops in order too."""
    gate = Gate(let_through=100)
    target = await launch_gated(gate)
    client = await open_client(target)
    keys = keys_for(2_000)
    journal = tmp_path / "ctrl-c.journal"
    outcomes: list[Outcome] = []

    task = asyncio.ensure_future(
        register_many(
            client,
            target.workspace,
            target.project_id,
            bucket_name=target.bucket,
            keys=keys,
            concurrency=32,
            journal=journal,
            settle_timeout=0.0,
            on_result=outcomes.append,
        )
    )
    await gate.until(lambda g: g.held == 32)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    unknown = {o.key for o in outcomes if o.status is UNKNOWN}
    registered = {o.key for o in outcomes if o.status is REGISTERED}
    assert (32, 100) == (len(unknown), len(registered))
    assert registered == set(target.assets_by_key())

    gate.open()  # the held requests are processed after all
    await gate.until(lambda g: g.processed == 132)
    report, again = await resume(target, client, keys, journal)

    assert unknown == {o.key for o in again if o.reconciled}
    assert (2_000, 100) == (report.registered, report.resumed)
    assert dict.fromkeys(keys, 1) == dict(target.assets_by_key())


async def test_settle_timeout_reports_in_flight_as_unknown(
    launch_gated, open_client, tmp_path
):
    """Requests that outlast the settle time are unknown, then resolved."""
    gate = Gate()
    target = await launch_gated(gate)
    client = await open_client(target)
    keys = keys_for(100)
    journal = tmp_path / "slow.journal"
    outcomes: list[Outcome] = []

    scope = anyio.CancelScope()
    async with anyio.create_task_group() as tg:
        tg.start_soon(
            functools.partial(
                job_in,
                scope,
                target,
                client,
                journal,
                outcomes,
                keys=keys,
                concurrency=8,
                settle_timeout=0.01,
            )
        )
        await gate.until(lambda g: g.held == 8)
        scope.cancel()

    unknown = [o for o in outcomes if o.status is UNKNOWN]
    unsent = [o for o in outcomes if o.status is NOT_ATTEMPTED]
    assert (8, len(outcomes) - 8) == (len(unknown), len(unsent))
    assert all("in flight" in (o.error or "") for o in unknown)

    gate.open()  # the server processes them after all
    await gate.until(lambda g: g.processed == 8)
    report, again = await resume(target, client, keys, journal)

    assert report.reconcile_passes > 0  # looked up before any resend
    assert {o.key for o in unknown} == {o.key for o in again if o.reconciled}
    assert (100, 100) == (report.registered, target.emu.stats.assets_created)
    assert dict.fromkeys(keys, 1) == dict(target.assets_by_key())
