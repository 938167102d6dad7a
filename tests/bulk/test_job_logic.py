"""
The pipeline's decisions, against a scripted client.

These cover what the emulator cannot provoke on demand: per-key 4xx,
failures that never end, a list endpoint that keeps failing, and an
interruption at any chosen moment.
"""

from __future__ import annotations

import anyio
import pytest

from fake_client import (
    BAD,
    BUSY,
    DENIED,
    LOST,
    OK,
    RESET,
    FakeClient,
    always,
    status_error,
)
from hypothesis import given
from hypothesis import strategies as st

from maiu_async import AuthenticationFailed, RetryPolicy, ServerError
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


async def run(client, keys, **options):
    """Run a job on the fake client; return its report and outcomes."""
    outcomes: list[Outcome] = []
    options.setdefault("retry", NO_WAIT)
    options.setdefault("reconcile", QUICK_RECONCILE)
    report = await register_many(
        client,
        "ws",
        1,
        bucket_name="b",
        keys=keys,
        on_result=outcomes.append,
        **options,
    )
    return report, outcomes


async def test_4xx_is_final_and_not_retried():
    """A 400 fails its key at once; the other keys go on."""
    client = FakeClient(lambda key, _: BAD if key == "k/0003.mp4" else OK)

    report, outcomes = await run(client, KEYS[:10])

    bad = next(o for o in outcomes if o.key == "k/0003.mp4")
    assert (FAILED, 1, 9) == (bad.status, bad.attempts, report.registered)
    assert "HTTP 400" in (bad.error or "")
    assert 1 == client.assets.attempts["k/0003.mp4"]


async def test_safe_failures_give_up_after_the_attempts():
    """A key that always gets 503 fails after the policy's attempts."""
    client = FakeClient(always(BUSY))

    report, outcomes = await run(client, KEYS[:5])

    assert (5, 15) == (report.failed, report.requests)
    assert {3} == {o.attempts for o in outcomes}
    assert all("gave up after 3 attempts" in o.error for o in outcomes)
    assert 0 == report.reconcile_passes


async def test_ambiguous_then_absent_keys_are_resent_until_the_budget():
    """Resets are reconciled, found absent and resent, then failed."""
    client = FakeClient(always(RESET))

    report, outcomes = await run(client, KEYS[:5])

    assert (5, 15, 0) == (
        report.failed,
        report.requests,
        len(client.assets.created),
    )
    assert report.reconcile_passes >= 3
    assert all("not registered after 3" in o.error for o in outcomes)


async def test_lost_answers_are_found_and_never_resent():
    """A lost answer is found by reconciling: one attempt, one asset."""
    client = FakeClient(lambda _key, attempt: LOST if attempt == 1 else OK)

    report, outcomes = await run(client, KEYS)

    assert (40, 40, 40) == (
        report.registered,
        report.reconciled,
        report.requests,
    )
    assert dict.fromkeys(KEYS, 1) == dict(client.assets.count())
    assert all(o.reconciled and o.asset_id for o in outcomes)


async def test_failing_reconcile_leaves_keys_unknown():
    """If the asset list cannot be read, ambiguous keys end unknown."""
    client = FakeClient(always(LOST))
    client.assets.list_error = status_error(ServerError, 503)

    report, outcomes = await run(client, KEYS[:4])

    assert (4, 4) == (report.unknown, report.requests)
    assert {UNKNOWN} == {o.status for o in outcomes}
    assert all("could not reconcile" in o.error for o in outcomes)
    assert 2 == report.reconcile_passes


async def test_systemic_failure_while_reconciling_is_raised():
    """An auth failure of the asset list stops the job, unwrapped."""
    client = FakeClient(always(LOST))
    client.assets.list_error = status_error(AuthenticationFailed, 401)

    with pytest.raises(AuthenticationFailed):
        await run(client, KEYS[:4])


async def test_systemic_failure_on_register_is_raised():
    """A 401 on registration stops the job and is raised."""
    client = FakeClient(always(DENIED))
    keys = [f"many/{i}.mp4" for i in range(1_000)]

    with pytest.raises(AuthenticationFailed):
        await run(client, keys, concurrency=4)

    assert sum(client.assets.attempts.values()) < 100


async def test_blind_retry_that_then_fails_is_unknown():
    """With retry_ambiguous, a 400 after a lost answer may be a dupe."""
    client = FakeClient(lambda _key, attempt: LOST if attempt == 1 else BAD)

    report, outcomes = await run(
        client, KEYS[:3], reconcile=None, retry_ambiguous=True
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

    with pytest.raises(Broken):
        await run(FakeClient(always(OK)), keys())


async def test_memory_is_bounded_whatever_the_input_length():
    """Keys read but not yet delivered never exceed a fixed bound."""
    client = FakeClient(always(OK))
    in_flight = {"read": 0, "delivered": 0, "peak": 0}

    def keys():
        for i in range(30_000):
            in_flight["read"] += 1
            in_flight["peak"] = max(
                in_flight["peak"], in_flight["read"] - in_flight["delivered"]
            )
            yield f"many/{i}.mp4"

    def delivered(_: Outcome) -> None:
        in_flight["delivered"] += 1

    await register_many(
        client,
        "ws",
        1,
        bucket_name="b",
        keys=keys(),
        concurrency=8,
        on_result=delivered,
        reconcile=ReconcilePolicy(batch=100),
    )

    # Tokens (2 batches of 4 * concurrency, plus the reconcile batch),
    # plus one chunk read ahead of admission.
    bound = 2 * 32 + 100 + 32
    assert 30_000 == in_flight["delivered"]
    assert in_flight["peak"] <= bound


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
    client = FakeClient(
        lambda key, attempt: (
            faults[(KEYS.index(key) + attempt) % 8] if attempt < 6 else OK
        )
    )
    journal = tmp_path_factory.mktemp("j") / "job.journal"
    retry = RetryPolicy(attempts=8, initial=0.0, maximum=0.0)

    with anyio.CancelScope() as scope:

        def on_result(_: Outcome) -> None:
            nonlocal stop_after
            stop_after -= 1
            if stop_after <= 0:
                scope.cancel()

        if stop_after == 0:
            scope.cancel()
        await register_many(
            client,
            "ws",
            1,
            bucket_name="b",
            keys=KEYS,
            concurrency=4,
            journal=journal,
            retry=retry,
            reconcile=QUICK_RECONCILE,
            settle_timeout=settle,
            on_result=on_result,
        )

    report, _ = await run(client, KEYS, journal=journal, retry=retry)

    assert (len(KEYS), 0, 0) == (
        report.registered,
        report.failed,
        report.unknown,
    )
    assert dict.fromkeys(KEYS, 1) == dict(client.assets.count())


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
    client = FakeClient(
        lambda key, attempt: (
            faults[(KEYS.index(key) + attempt) % 8] if attempt < 6 else OK
        )
    )
    journal = tmp_path_factory.mktemp("j") / "job.journal"
    client.assets.journal = journal
    retry = RetryPolicy(attempts=8, initial=0.0, maximum=0.0)
    await run(client, KEYS, journal=journal, retry=retry, concurrency=4)
    header = len(journal.read_bytes().split(b"\n")[0]) + 1
    size = header + int(cut * (journal.stat().st_size - header))
    with journal.open("r+b") as f:
        f.truncate(size)
    client.assets.crash_at(size)

    report, _ = await run(client, KEYS, journal=journal, retry=retry)

    assert (len(KEYS), 0, 0) == (
        report.registered,
        report.failed,
        report.unknown,
    )
    assert dict.fromkeys(KEYS, 1) == dict(client.assets.count())
