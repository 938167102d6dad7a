"""
The pipeline's decisions, with a script in front of the emulator.

These cover what the emulator's fault knobs cannot provoke on demand:
per-key 4xx, failures that never end, a list endpoint that keeps
failing, and an interruption at any chosen moment.
"""

from __future__ import annotations

import collections

import anyio
import pytest

from bulk_support import WORKSPACE
from hypothesis import given, settings
from hypothesis import strategies as st
from scripted import (
    BAD,
    BUSY,
    DENIED,
    LOST,
    OK,
    RESET,
    Script,
    always,
    scripted,
)

from maiu_async import AuthenticationFailed, RetryPolicy
from maiu_async.bulk import (
    Outcome,
    OutcomeStatus,
    ReconcilePolicy,
    register_many,
)


pytestmark = pytest.mark.anyio

REGISTERED = OutcomeStatus.REGISTERED
FAILED = OutcomeStatus.FAILED
UNKNOWN = OutcomeStatus.UNKNOWN
NO_WAIT = RetryPolicy(attempts=3, initial=0.0, maximum=0.0)
QUICK_RECONCILE = ReconcilePolicy(
    delay=0.0, passes=2, retry=RetryPolicy(attempts=1)
)
KEYS = [f"k/{i:04d}.mp4" for i in range(40)]
#: The interruption properties serve an emulator and run a job twice per
#: example: a third of the profile's examples (20 by default, 333 with
#: ``HYPOTHESIS_PROFILE=thorough``).
TWO_RUNS = settings(max_examples=max(1, settings.default.max_examples // 3))


async def run(client, project, keys, **options):
    """Run a job; return its report and outcomes."""
    outcomes: list[Outcome] = []
    options.setdefault("on_result", outcomes.append)
    options.setdefault("retry", NO_WAIT)
    options.setdefault("reconcile", QUICK_RECONCILE)
    report = await register_many(
        client,
        WORKSPACE,
        project,
        bucket_name="bulk-bucket",
        keys=keys,
        **options,
    )
    return report, outcomes


def assets(served, project) -> collections.Counter[str]:
    """Assets per key in the project."""
    return collections.Counter(
        a.key for a in served.state.assets_of(WORKSPACE, project)
    )


async def test_4xx_is_final_and_not_retried():
    """A 400 fails its key at once; the other keys go on."""
    script = Script(lambda key, _: BAD if key == "k/0003.mp4" else OK)
    async with scripted(script) as (_, client, project):
        report, outcomes = await run(client, project, KEYS[:10])

    bad = next(o for o in outcomes if o.key == "k/0003.mp4")
    assert (FAILED, 1, 9) == (bad.status, bad.attempts, report.registered)
    assert "400" in (bad.error or "")
    assert 1 == script.attempts["k/0003.mp4"]


async def test_safe_failures_give_up_after_the_attempts():
    """A key that always gets 503 fails after the policy's attempts."""
    async with scripted(Script(always(BUSY))) as (_, client, project):
        report, outcomes = await run(client, project, KEYS[:5])

    assert (5, 15) == (report.failed, report.requests)
    assert {3} == {o.attempts for o in outcomes}
    assert all("gave up after 3 attempts" in o.error for o in outcomes)
    assert 0 == report.reconcile_passes


async def test_ambiguous_then_absent_keys_are_resent_until_the_budget():
    """Resets are reconciled, found absent and resent, then failed."""
    async with scripted(Script(always(RESET))) as (served, client, project):
        report, outcomes = await run(client, project, KEYS[:5])

    assert (5, 15, 0) == (
        report.failed,
        report.requests,
        served.stats.assets_created,
    )
    assert report.reconcile_passes >= 3
    assert all("not registered after 3" in o.error for o in outcomes)


async def test_lost_answers_are_found_and_never_resent():
    """A lost answer is found by reconciling: one attempt, one asset."""
    script = Script(lambda _key, attempt: LOST if attempt == 1 else OK)
    async with scripted(script) as (served, client, project):
        report, outcomes = await run(client, project, KEYS)

    assert (40, 40, 40) == (
        report.registered,
        report.reconciled,
        report.requests,
    )
    assert dict.fromkeys(KEYS, 1) == dict(assets(served, project))
    assert all(o.reconciled and o.asset_id for o in outcomes)


async def test_failing_reconcile_leaves_keys_unknown():
    """If the asset list cannot be read, ambiguous keys end unknown."""
    script = Script(always(LOST))
    script.list_status = 503
    async with scripted(script) as (_, client, project):
        report, outcomes = await run(client, project, KEYS[:4])

    assert (4, 4) == (report.unknown, report.requests)
    assert {UNKNOWN} == {o.status for o in outcomes}
    assert all("could not reconcile" in o.error for o in outcomes)
    assert 2 == report.reconcile_passes


async def test_systemic_failure_while_reconciling_is_raised():
    """An auth failure of the asset list stops the job, unwrapped."""
    script = Script(always(LOST))
    script.list_status = 401
    async with scripted(script) as (_, client, project):
        with pytest.raises(AuthenticationFailed):
            await run(client, project, KEYS[:4])


async def test_systemic_failure_on_register_is_raised():
    """A 401 on registration stops the job and is raised."""
    script = Script(always(DENIED))
    keys = [f"many/{i}.mp4" for i in range(1_000)]
    async with scripted(script) as (_, client, project):
        with pytest.raises(AuthenticationFailed):
            await run(client, project, keys, concurrency=4)

    assert sum(script.attempts.values()) < 100


async def test_blind_retry_that_then_fails_is_unknown():
    """With retry_ambiguous, a 400 after a lost answer may be a dupe."""
    script = Script(lambda _key, attempt: LOST if attempt == 1 else BAD)
    async with scripted(script) as (_, client, project):
        report, outcomes = await run(
            client, project, KEYS[:3], reconcile=None, retry_ambiguous=True
        )

    assert (3, 6) == (report.unknown, report.requests)
    assert {UNKNOWN} == {o.status for o in outcomes}


async def test_input_errors_stop_the_job_unwrapped():
    """An exception from the key iterable is raised as it is."""

    class Broken(Exception):
        pass

    def keys():
        yield from KEYS[:3]
        raise Broken

    async with scripted(Script(always(OK))) as (_, client, project):
        with pytest.raises(Broken):
            await run(client, project, keys())


async def test_memory_is_bounded_whatever_the_input_length():
    """
    Keys read but not yet delivered never exceed a fixed bound.

    The input is five times the bound: a feeder that read ahead without
    limit, or whose read-ahead grew with the input, would pass it.
    """
    # Tokens (2 batches of 4 * concurrency, plus the reconcile batch),
    # plus one chunk read ahead of admission.
    bound = 2 * 32 + 100 + 32
    length = 5 * bound
    in_flight = {"read": 0, "delivered": 0, "peak": 0}

    def keys():
        for i in range(length):
            in_flight["read"] += 1
            in_flight["peak"] = max(
                in_flight["peak"], in_flight["read"] - in_flight["delivered"]
            )
            yield f"many/{i}.mp4"

    def delivered(_: Outcome) -> None:
        in_flight["delivered"] += 1

    async with scripted(Script(always(OK))) as (_, client, project):
        await register_many(
            client,
            WORKSPACE,
            project,
            bucket_name="bulk-bucket",
            keys=keys(),
            concurrency=8,
            on_result=delivered,
            reconcile=ReconcilePolicy(batch=100),
        )

    assert length == in_flight["delivered"]
    assert in_flight["peak"] <= bound


def faulty(faults):
    """A plan: each key's attempts meet *faults* in turn, then succeed."""
    return lambda key, attempt: (
        faults[(KEYS.index(key) + attempt) % 8] if attempt < 6 else OK
    )


@TWO_RUNS
@given(
    stop_after=st.integers(0, len(KEYS)),
    settle=st.sampled_from([0.0, 5.0]),
    faults=st.lists(
        st.sampled_from([OK, OK, OK, LOST, RESET, BUSY]),
        min_size=8,
        max_size=8,
    ),
)
async def test_interrupted_anywhere_then_resumed_does_each_key_once(
    tmp_path_factory, stop_after, settle, faults
):
    """Stopped after any outcome, a resumed job makes each asset once."""
    journal = tmp_path_factory.mktemp("j") / "job.journal"
    retry = RetryPolicy(attempts=8, initial=0.0, maximum=0.0)
    async with scripted(Script(faulty(faults))) as (served, client, project):
        with anyio.CancelScope() as scope:

            def on_result(_: Outcome) -> None:
                nonlocal stop_after
                stop_after -= 1
                if stop_after <= 0:
                    scope.cancel()

            if stop_after == 0:
                scope.cancel()
            await run(
                client,
                project,
                KEYS,
                concurrency=4,
                journal=journal,
                retry=retry,
                settle_timeout=settle,
                on_result=on_result,
            )

        report, _ = await run(
            client, project, KEYS, journal=journal, retry=retry
        )

    assert (len(KEYS), 0, 0) == (
        report.registered,
        report.failed,
        report.unknown,
    )
    assert dict.fromkeys(KEYS, 1) == dict(assets(served, project))


@TWO_RUNS
@given(
    cut=st.floats(0, 1),
    faults=st.lists(
        st.sampled_from([OK, OK, LOST, RESET, BUSY]), min_size=8, max_size=8
    ),
)
async def test_crash_at_any_journal_prefix_then_resume_does_each_key_once(
    tmp_path_factory, cut, faults
):
    """A crash leaves a journal prefix; resuming from any is exactly once."""
    journal = tmp_path_factory.mktemp("j") / "job.journal"
    retry = RetryPolicy(attempts=8, initial=0.0, maximum=0.0)
    script = Script(faulty(faults))
    script.journal = journal
    async with scripted(script) as (served, client, project):
        await run(
            client, project, KEYS, journal=journal, retry=retry, concurrency=4
        )
        header = len(journal.read_bytes().split(b"\n")[0]) + 1
        size = header + int(cut * (journal.stat().st_size - header))
        with journal.open("r+b") as f:
            f.truncate(size)
        script.crash_at(served, project, size)

        report, _ = await run(
            client, project, KEYS, journal=journal, retry=retry
        )

    assert (len(KEYS), 0, 0) == (
        report.registered,
        report.failed,
        report.unknown,
    )
    assert dict.fromkeys(KEYS, 1) == dict(assets(served, project))
