"""
Bulk registration against a misbehaving emulator: limits and faults.

Every test checks the one promise that matters: no key is registered
twice, and every key is registered or reported as not.
"""

from __future__ import annotations

import pytest

from bulk_support import FAST_RECONCILE, FAST_RETRY, PATIENT_RETRY, keys_for

from maiu_async import RetryPolicy
from maiu_async.bulk import (
    Outcome,
    OutcomeStatus,
    ReconcileFinished,
    register_many,
)
from maiu_async.emulator import Faults


pytestmark = pytest.mark.anyio

REGISTERED = OutcomeStatus.REGISTERED
UNKNOWN = OutcomeStatus.UNKNOWN


async def run(target, client, keys, **options):
    """Register *keys* with fast policies; return report and outcomes."""
    outcomes: list[Outcome] = []
    options.setdefault("retry", FAST_RETRY)
    options.setdefault("reconcile", FAST_RECONCILE)
    # The faults counted are the registrations' own: no preflight GET
    # draws one.
    options.setdefault("preflight", False)
    report = await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=keys,
        on_result=outcomes.append,
        **options,
    )
    return report, outcomes


async def test_every_key_lands_once_under_a_server_rate_limit(
    launch, open_client
):
    """A job far above the server's limit is throttled, and loses nothing."""
    # One token at a time, 100 a second: the job's first 64 requests,
    # sent together, cannot all find one.
    target = await launch(
        rate_limit=100, rate_limit_burst=1, rate_limit_retry_after=0.05
    )
    client = await open_client(target)
    keys = keys_for(300)

    report, _ = await run(
        target,
        client,
        keys,
        rate=5_000.0,
        retry=RetryPolicy(attempts=100, initial=0.01, maximum=0.2),
    )

    # How the pace adapts is the limiter's to test, on a patched clock
    # (tests/test_scheduler.py): here wall time decides how many 429s
    # come back, so only what holds for any count is asserted.
    assert report.throttled > 0
    assert report.throttled == target.emu.stats.rate_limited
    assert (300, dict.fromkeys(keys, 1)) == (
        report.registered,
        dict(target.assets_by_key()),
    )


async def test_retries_through_5xx_and_resets(launch, open_client):
    """500/502/503 answers and resets are retried; no key is duplicated."""
    target = await launch(
        faults=Faults(
            error_500=0.05, error_502=0.05, error_503=0.1, reset=0.05
        ),
        seed=11,
    )
    client = await open_client(target)
    keys = keys_for(1_000)

    report, outcomes = await run(target, client, keys, retry=PATIENT_RETRY)

    assert report.retries > 0
    assert report.reconcile_passes > 0
    assert (1_000, dict.fromkeys(keys, 1)) == (
        report.registered,
        dict(target.assets_by_key()),
    )
    assert {REGISTERED} == {o.status for o in outcomes}
    assert target.emu.stats.assets_created == 1_000


async def test_lost_answers_are_reconciled_not_resent(launch, open_client):
    """A processed request whose answer is lost is found, not re-POSTed."""
    target = await launch(faults=Faults(lost_response=0.2), seed=2)
    client = await open_client(target)
    keys = keys_for(500)
    events = []

    report, outcomes = await run(target, client, keys, on_event=events.append)

    lost = target.emu.stats.faults["lost_response"]
    passes = [e for e in events if isinstance(e, ReconcileFinished)]
    assert lost > 0
    assert (500, 500) == (report.registered, target.emu.stats.assets_created)
    assert dict.fromkeys(keys, 1) == dict(target.assets_by_key())
    assert lost == report.reconciled == sum(o.reconciled for o in outcomes)
    assert report.reconcile_passes == len(passes) > 0
    assert lost == sum(p.found for p in passes)


async def test_without_reconciling_ambiguous_keys_are_unknown(
    launch, open_client
):
    """With reconcile=None an ambiguous key is reported, never resent."""
    target = await launch(faults=Faults(lost_response=0.2, reset=0.1), seed=4)
    client = await open_client(target)
    keys = keys_for(400)

    _report, outcomes = await run(target, client, keys, reconcile=None)

    unknown = [o for o in outcomes if o.status is UNKNOWN]
    faults = target.emu.stats.faults
    assert faults["lost_response"] + faults["reset"] == len(unknown) > 0
    assert 400 == target.emu.stats.by_route["register_asset"]
    assert all("may exist" in (o.error or "") for o in unknown)
    assert max(target.assets_by_key().values()) == 1


async def test_retry_ambiguous_opts_into_duplicates(launch, open_client):
    """retry_ambiguous=True resends lost answers, duplicating assets."""
    target = await launch(faults=Faults(lost_response=0.3), seed=6)
    client = await open_client(target)
    keys = keys_for(200)

    report, _ = await run(
        target, client, keys, reconcile=None, retry_ambiguous=True
    )

    assert report.registered + report.unknown == 200
    assert target.emu.stats.assets_created > 200
    assert max(target.assets_by_key().values()) > 1
