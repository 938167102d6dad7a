"""
Stopping a bulk job: cancelled scopes, task cancellation, settle time.

After any stop, the journal must let a rerun finish the job with every
key registered exactly once.
"""

from __future__ import annotations

import asyncio

import anyio
import pytest

from bulk_support import FAST_RECONCILE, FAST_RETRY, keys_for

from maiu_async.bulk import Outcome, OutcomeStatus, register_many


pytestmark = pytest.mark.anyio

REGISTERED = OutcomeStatus.REGISTERED
UNKNOWN = OutcomeStatus.UNKNOWN


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


async def test_cancelled_scope_settles_then_resumes(
    launch, open_client, tmp_path
):
    """Cancelling stops new requests; those in flight still report."""
    target = await launch(latency=0.01)
    client = await open_client(target)
    keys = keys_for(3_000)
    journal = tmp_path / "cancel.journal"
    outcomes: list[Outcome] = []

    with anyio.CancelScope() as scope:

        def on_result(outcome: Outcome) -> None:
            outcomes.append(outcome)
            if len(outcomes) == 200:
                scope.cancel()

        await register_many(
            client,
            target.workspace,
            target.project_id,
            bucket_name=target.bucket,
            keys=keys,
            concurrency=32,
            journal=journal,
            on_result=on_result,
        )

    registered = {o.key for o in outcomes if o.status is REGISTERED}
    assert scope.cancelled_caught
    assert len(outcomes) > 200  # the requests in flight settled
    assert registered == set(target.assets_by_key())
    assert len(registered) < 3_000

    report, again = await resume(target, client, keys, journal)

    assert (3_000, len(registered)) == (report.registered, report.resumed)
    assert dict.fromkeys(keys, 1) == dict(target.assets_by_key())
    assert registered == {o.key for o in again if o.resumed}


async def test_task_cancellation_is_an_orderly_stop(
    launch, open_client, tmp_path
):
    """Native asyncio cancellation (as Ctrl-C does) stops in order too."""
    target = await launch(latency=0.01)
    client = await open_client(target)
    keys = keys_for(2_000)
    journal = tmp_path / "ctrl-c.journal"
    outcomes: list[Outcome] = []
    enough = asyncio.Event()

    def on_result(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if len(outcomes) == 100:
            enough.set()

    task = asyncio.ensure_future(
        register_many(
            client,
            target.workspace,
            target.project_id,
            bucket_name=target.bucket,
            keys=keys,
            concurrency=32,
            journal=journal,
            on_result=on_result,
        )
    )
    await enough.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    registered = {o.key for o in outcomes if o.status is REGISTERED}
    assert registered == set(target.assets_by_key())

    report, _ = await resume(target, client, keys, journal)

    assert (2_000, len(registered)) == (report.registered, report.resumed)
    assert dict.fromkeys(keys, 1) == dict(target.assets_by_key())


async def test_settle_timeout_reports_in_flight_as_unknown(
    launch, open_client, tmp_path
):
    """Requests that outlast the settle time are unknown, then resolved."""
    target = await launch(latency=0.3)
    client = await open_client(target)
    keys = keys_for(100)
    journal = tmp_path / "slow.journal"
    outcomes: list[Outcome] = []

    with anyio.move_on_after(0.1):
        await register_many(
            client,
            target.workspace,
            target.project_id,
            bucket_name=target.bucket,
            keys=keys,
            concurrency=8,
            journal=journal,
            settle_timeout=0.01,
            on_result=outcomes.append,
        )

    unknown = [o for o in outcomes if o.status is UNKNOWN]
    assert 8 == len(unknown)
    assert all("in flight" in (o.error or "") for o in unknown)

    report, again = await resume(target, client, keys, journal)

    assert report.reconcile_passes > 0  # looked up before any resend
    assert {o.key for o in unknown} <= {
        o.key for o in again if o.status is REGISTERED and not o.resumed
    }
    assert (100, 100) == (report.registered, target.emu.stats.assets_created)
    assert dict.fromkeys(keys, 1) == dict(target.assets_by_key())
