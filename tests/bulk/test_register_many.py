"""
End-to-end bulk registration against the emulator: the plain paths.
"""

from __future__ import annotations

import collections

import anyio
import pytest

from bulk_support import (
    FAST_RECONCILE,
    FAST_RETRY,
    PATIENT_RETRY,
    SECRET_KEY,
    keys_for,
)

import maiu_async

from maiu_async import AuthenticationFailed, NotFound, ValidationError
from maiu_async.bulk import (
    Outcome,
    OutcomeStatus,
    RetryScheduled,
    SkippedKey,
    register_many,
    report_of,
    stream_register,
)
from maiu_async.emulator import Faults


pytestmark = pytest.mark.anyio

REGISTERED = OutcomeStatus.REGISTERED
SKIPPED = OutcomeStatus.SKIPPED


@pytest.mark.parametrize(
    "count",
    [
        pytest.param(2_000, id="2k"),
        pytest.param(10_000, id="10k", marks=pytest.mark.heavy),
    ],
)
async def test_happy_path_registers_each_key_once(target, client, count):
    """Thousands of keys become as many assets, one per key, each reported."""
    keys = keys_for(count)
    outcomes: list[Outcome] = []

    report = await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=keys,
        on_result=outcomes.append,
    )

    by_key = target.assets_by_key()
    assert (count, count, 0) == (
        report.registered,
        report.requests,
        report.total - report.registered,
    )
    assert dict.fromkeys(keys, 1) == dict(by_key)
    assert count == target.emu.stats.assets_created
    ids = {
        a.key: a.asset_id
        for a in target.emu.state.assets_of(
            target.workspace, target.project_id
        )
    }
    assert ids == {o.key: o.asset_id for o in outcomes}
    assert {REGISTERED} == {o.status for o in outcomes}
    assert {1} == {o.attempts for o in outcomes}


async def test_invalid_and_repeated_keys_are_skipped_unsent(target, client):
    """Invalid keys and repeats are skipped with a reason, never sent."""
    keys = [
        "ok/a.mp4",
        "",
        "folder/",
        "notes.txt",
        "ok/a.mp4",
        "ok/b.png",
        "x" * 1100 + ".mp4",
        "ok/b.png",
    ]
    outcomes: list[Outcome] = []

    report = await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=keys,
        on_result=outcomes.append,
    )

    skipped = [(o.key, o.error) for o in outcomes if o.status is SKIPPED]
    assert (2, 6) == (report.registered, report.skipped)
    assert [
        "",
        "folder/",
        "notes.txt",
        "ok/a.mp4",
        "x" * 200 + "... (1104 characters)",
        "ok/b.png",
    ] == [k for k, _ in skipped]
    assert all(reason for _, reason in skipped)
    assert "duplicate" in dict(skipped)["ok/a.mp4"]
    assert 2 == target.emu.stats.by_route["register_asset"]


async def test_keys_may_come_from_an_async_iterable(target, client):
    """An async generator of keys is streamed like a list."""
    keys = keys_for(300)

    async def trickle():
        for i, key in enumerate(keys):
            if i % 50 == 0:
                await anyio.sleep(0.001)
            yield key

    report = await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=trickle(),
    )

    assert (300, dict.fromkeys(keys, 1)) == (
        report.registered,
        dict(target.assets_by_key()),
    )


async def test_empty_input_is_an_empty_report(target, client):
    """No keys: nothing sent, everything zero."""
    report = await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=[],
    )

    assert (0, 0) == (report.total, target.emu.stats.requests)


async def test_stream_form_yields_every_outcome(target, client):
    """The iterator form yields one outcome per key, then the report."""
    keys = [*keys_for(500), "bad/"]

    async with stream_register(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=keys,
    ) as outcomes:
        seen = collections.Counter([o.status async for o in outcomes])

    assert {REGISTERED: 500, SKIPPED: 1} == dict(seen)
    assert (500, 1, False) == (
        outcomes.report.registered,
        outcomes.report.skipped,
        outcomes.report.stopped,
    )


async def test_leaving_the_stream_early_stops_in_order(launch, open_client):
    """Breaking out stops the job; every asset made has its outcome."""
    target = await launch(latency=0.005)
    client = await open_client(target)
    keys = keys_for(2_000)
    got: list[Outcome] = []

    async with stream_register(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=keys,
        concurrency=16,
    ) as outcomes:
        async for outcome in outcomes:
            got.append(outcome)
            if len(got) == 100:
                break

    report = outcomes.report
    assert report.stopped
    assert sum(target.assets_by_key().values()) == report.registered
    assert report.registered < 2_000
    assert report.registered + report.abandoned + report.unknown <= 2_000


async def test_missing_project_stops_the_job(target, client):
    """A missing project is raised before any key is sent."""
    with pytest.raises(NotFound) as raised:
        await register_many(
            client,
            target.workspace,
            999_999,
            bucket_name=target.bucket,
            keys=keys_for(5_000),
            concurrency=8,
        )

    report = report_of(raised.value)
    assert report is not None
    assert (0, report.total) == (
        target.emu.stats.by_route.get("register_asset", 0),
        report.not_attempted,
    )


async def test_refused_credentials_stop_the_job(target, open_client):
    """Bad credentials are raised once, unwrapped."""
    client = await open_client(target, access_key="AKIDWRONG")

    with pytest.raises(AuthenticationFailed):
        await register_many(
            client,
            target.workspace,
            target.project_id,
            bucket_name=target.bucket,
            keys=keys_for(1_000),
        )

    assert 0 == target.emu.stats.assets_created


async def test_bad_bucket_name_is_refused_before_anything(target, client):
    """An invalid bucket name is a ValidationError before any request."""
    with pytest.raises(ValidationError):
        await register_many(
            client,
            target.workspace,
            target.project_id,
            bucket_name="",
            keys=keys_for(3),
        )

    assert 0 == target.emu.stats.requests


async def test_a_failing_callback_stops_the_job(target, client):
    """An exception in on_result stops the job and is raised as is."""

    class Boom(Exception):
        pass

    def explode(outcome):
        if outcome.key.endswith("000010.mp4"):
            raise Boom

    with pytest.raises(Boom):
        await register_many(
            client,
            target.workspace,
            target.project_id,
            bucket_name=target.bucket,
            keys=keys_for(3_000),
            on_result=explode,
        )

    assert target.emu.stats.assets_created < 3_000


async def test_retries_are_announced_and_counted(launch, open_client):
    """Injected 503s are retried; each retry is an event and counted."""
    target = await launch(faults=Faults(error_503=0.2), seed=3)
    client = await open_client(target)
    events = []

    report = await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=keys_for(400),
        retry=PATIENT_RETRY,
        reconcile=FAST_RECONCILE,
        on_event=events.append,
    )

    retries = [e for e in events if isinstance(e, RetryScheduled)]
    assert 400 == report.registered
    assert report.retries == len(retries) > 0
    assert report.requests == 400 + report.retries
    assert dict.fromkeys(keys_for(400), 1) == dict(target.assets_by_key())


async def test_no_secret_in_journal_or_outcomes(launch, open_client, tmp_path):
    """Neither the journal nor any outcome contains the secret key."""
    target = await launch(
        faults=Faults(error_500=0.1, error_503=0.1, reset=0.1), seed=5
    )
    client = await open_client(target)
    journal = tmp_path / "secret.journal"
    outcomes: list[Outcome] = []

    await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=[*keys_for(300), "bad/"],
        retry=FAST_RETRY,
        reconcile=FAST_RECONCILE,
        journal=journal,
        on_result=outcomes.append,
    )

    assert SECRET_KEY not in journal.read_text()
    assert SECRET_KEY not in repr(outcomes)


async def test_stream_form_raises_systemic_failures_on_exit(target, client):
    """A missing project ends the iteration and is raised by the block."""
    seen = []

    with pytest.raises(NotFound):
        async with stream_register(
            client,
            target.workspace,
            999_999,
            bucket_name=target.bucket,
            keys=keys_for(50),
            concurrency=4,
        ) as outcomes:
            seen.extend([o async for o in outcomes])

    assert {OutcomeStatus.NOT_ATTEMPTED} == {o.status for o in seen}


async def test_stream_stop_ends_the_iteration(launch, open_client):
    """stop() finishes what is in flight; the iteration then ends."""
    target = await launch(latency=0.005)
    client = await open_client(target)
    seen: list[Outcome] = []

    async with stream_register(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=keys_for(5_000),
        concurrency=8,
    ) as outcomes:
        async for outcome in outcomes:
            seen.append(outcome)
            if len(seen) == 20:
                outcomes.stop()

    assert outcomes.report.stopped
    assert len(seen) == outcomes.report.total < 5_000
    assert {o.key for o in seen if o.status is REGISTERED} == set(
        target.assets_by_key()
    )


async def test_package_facade_forms_run_the_engine(target, client):
    """maiu_async.register_many and stream_register run the engine."""
    keys = keys_for(60)

    report = await maiu_async.register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=keys[:30],
    )
    async with maiu_async.stream_register(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=keys[30:],
    ) as outcomes:
        streamed = [o.key async for o in outcomes]

    assert (30, keys[30:]) == (report.registered, sorted(streamed))
    assert dict.fromkeys(keys, 1) == dict(target.assets_by_key())


async def test_skipped_key_items_are_reported_unsent(target, client):
    """A SkippedKey from the source is reported with its own reason."""
    outcomes: list[Outcome] = []

    report = await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=["a.mp4", SkippedKey("huge.mp4", "too large"), "a.mp4"],
        on_result=outcomes.append,
    )

    assert (1, 2) == (report.registered, report.skipped)
    assert ("huge.mp4", SKIPPED, "too large") == (
        outcomes[0].key,
        outcomes[0].status,
        outcomes[0].error,
    )
    assert 1 == target.emu.stats.by_route["register_asset"]
