"""
Stops no single key is to blame for (issue 13, items 3, 4, 6, 7, 12).

Whatever stops a job is raised with the report of everything settled
(`report_of`), and every key read has an outcome: those never sent are
`OutcomeStatus.NOT_ATTEMPTED`.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import os
import signal

import anyio
import anyio.lowlevel
import pytest

from bulk_support import (
    ACCESS_KEY,
    BUCKET,
    SECRET_KEY,
    WORKSPACE,
    Gate,
    keys_for,
)
from scripted import DENIED, OK, Script, scripted

from maiu_async import (
    AuthenticationFailed,
    ConnectError,
    MaiuClient,
    RateLimited,
    RetryPolicy,
    UsageError,
)
from maiu_async.bulk import (
    BulkReport,
    Outcome,
    OutcomeStatus,
    register_many,
    report_of,
    stream_register,
)
from maiu_async.emulator import Faults
from maiu_async.testing import (
    MockTransport,
    Request,
    Response,
    api_error,
    success,
)


pytestmark = pytest.mark.anyio

REGISTERED = OutcomeStatus.REGISTERED
NOT_ATTEMPTED = OutcomeStatus.NOT_ATTEMPTED
#: Quick backoff, but the default cap on a server's Retry-After (60 s).
QUICK = RetryPolicy(attempts=8, initial=0.001, maximum=0.01)
#: Only turns a hang into a failure; a passing run is far quicker.
HANG_GUARD = 120


def raised_report(exc: BaseException) -> BulkReport:
    """The report a stopped job's exception carries."""
    report = report_of(exc)
    assert report is not None
    return report


def check_every_key_read_has_one_outcome(
    keys: list[str], outcomes: list[Outcome], report: BulkReport
) -> None:
    """Keys are read in order: those with an outcome are a prefix."""
    counted = collections.Counter(o.status for o in outcomes)
    assert {s: counted[s] for s in OutcomeStatus} == report.counts
    assert sorted(keys[: report.total]) == sorted(o.key for o in outcomes)


def mock_client(handler) -> MaiuClient:
    """A client answered by *handler* (the project exists)."""

    def answer(request: Request) -> Response:
        if request.method == "GET":
            return success({"projectId": 7, "name": "p"})
        return handler(request)

    return MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        transport=MockTransport(answer),
    )


async def test_retry_after_beyond_the_cap_stops_the_job(launch, open_client):
    """A Retry-After over max_retry_after stops the job, quoting the ask."""
    keys = keys_for(2_000)
    faults = Faults(certain={keys[100]: "rate_limited"}, retry_after=86_400)
    target = await launch(faults=faults)
    client = await open_client(target)
    outcomes: list[Outcome] = []

    with anyio.fail_after(HANG_GUARD), pytest.raises(RateLimited) as raised:
        await register_many(
            client,
            target.workspace,
            target.project_id,
            bucket_name=target.bucket,
            keys=keys,
            retry=QUICK,
            concurrency=8,
            on_result=outcomes.append,
        )

    report = raised_report(raised.value)
    failed = [o for o in outcomes if o.status is OutcomeStatus.FAILED]
    assert "wait 86400 s" in str(raised.value)
    assert [keys[100]] == [o.key for o in failed]
    assert "86400 s" in (failed[0].error or "")
    assert report.not_attempted > 0
    assert report.registered == target.emu.stats.assets_created
    check_every_key_read_has_one_outcome(keys, outcomes, report)


async def test_retry_after_date_in_2100_stops_before_any_key():
    """An HTTP date in 2100 at the preflight stops before any key is sent."""
    posts = []

    def handler(request: Request) -> Response:
        posts.append(request)
        return success({"assetId": len(posts)})

    def answer(request: Request) -> Response:
        if request.method == "GET":
            return api_error(
                429, "420", retry_after="Fri, 01 Jan 2100 00:00:00 GMT"
            )
        return handler(request)

    keys = keys_for(100)
    async with MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        transport=MockTransport(answer),
    ) as client:
        with (
            anyio.fail_after(HANG_GUARD),
            pytest.raises(RateLimited) as raised,
        ):
            await register_many(
                client, "ws", 7, bucket_name="b", keys=keys, retry=QUICK
            )

    report = raised_report(raised.value)
    assert "days" in str(raised.value)
    assert ([], 100, 100) == (posts, report.not_attempted, report.total)


async def test_dead_endpoint_stops_before_any_key():
    """An endpoint nobody listens on fails at once; no key is attempted."""
    async with MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        endpoint="http://127.0.0.1:1",
    ) as client:
        with pytest.raises(ConnectError) as raised:
            await register_many(
                client,
                "ws",
                7,
                bucket_name="b",
                keys=keys_for(2_000),
                retry=QUICK,
                concurrency=16,
            )

    report = raised_report(raised.value)
    assert (0, 0) == (report.requests, report.failed)
    assert report.total == report.not_attempted > 0


async def test_refused_credentials_send_no_key(target, open_client):
    """Wrong credentials are found by the preflight: no key is sent."""
    client = await open_client(target, access_key="AKIDWRONG")
    keys = keys_for(1_000)
    outcomes: list[Outcome] = []

    with pytest.raises(AuthenticationFailed) as raised:
        await register_many(
            client,
            target.workspace,
            target.project_id,
            bucket_name=target.bucket,
            keys=keys,
            on_result=outcomes.append,
        )

    report = raised_report(raised.value)
    assert 0 == target.emu.stats.by_route.get("register_asset", 0)
    assert {NOT_ATTEMPTED} == {o.status for o in outcomes}
    check_every_key_read_has_one_outcome(keys, outcomes, report)


async def test_endpoint_dying_mid_job_stops_it():
    """A run of connection failures across keys stops the job at once."""
    registered = []

    def handler(request: Request) -> Response:
        if len(registered) >= 40:
            raise ConnectError("refused", method="POST", url=request.url)
        registered.append(request.json()["key"])
        return success({"assetId": len(registered)})

    keys = keys_for(3_000)
    outcomes: list[Outcome] = []
    async with mock_client(handler) as client:
        with pytest.raises(ConnectError) as raised:
            await register_many(
                client,
                "ws",
                7,
                bucket_name="b",
                keys=keys,
                retry=QUICK,
                concurrency=4,
                on_result=outcomes.append,
            )

    report = raised_report(raised.value)
    assert any("in a row" in note for note in raised.value.__notes__)
    assert (40, 0, 0) == (report.registered, report.failed, report.unknown)
    assert report.requests < 40 + 2 * 8  # not 8 attempts for every key
    assert report.total - 40 == report.not_attempted
    check_every_key_read_has_one_outcome(keys, outcomes, report)


async def test_refusal_mid_job_is_raised_with_the_settled_report(tmp_path):
    """A 401 after 300 keys: raised, with every settled key reported."""
    keys = keys_for(2_000)
    script = Script(lambda key, _: DENIED if key >= keys[300] else OK)
    journal = tmp_path / "job.journal"
    outcomes: list[Outcome] = []

    async with scripted(script) as (served, client, project):
        with pytest.raises(AuthenticationFailed) as raised:
            await register_many(
                client,
                WORKSPACE,
                project,
                bucket_name=BUCKET,
                keys=keys,
                concurrency=8,
                journal=journal,
                on_result=outcomes.append,
            )
        created = len(served.state.assets_of(WORKSPACE, project))

    report = raised_report(raised.value)
    lines = journal.read_text(encoding="utf-8").splitlines()
    assert report.registered == created >= 300
    assert report.registered == sum(line[0] == "R" for line in lines)
    assert report.not_attempted > 0
    check_every_key_read_has_one_outcome(keys, outcomes, report)


def failing_source(keys: list[str]):
    """The keys, then the error a bad byte in a keys file gives."""
    yield from keys
    message = "keys.txt line 1201: not UTF-8"
    raise ValueError(message)


async def failing_async_source(keys: list[str]):
    """The same, as an async iterable."""
    for key in keys:
        yield key
    message = "keys.txt line 1201: not UTF-8"
    raise ValueError(message)


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(failing_source, id="sync"),
        pytest.param(failing_async_source, id="async"),
    ],
)
async def test_key_source_raising_midway(target, client, source):
    """Keys read before the source raised all get an outcome."""
    keys = keys_for(1_200)
    outcomes: list[Outcome] = []

    with pytest.raises(ValueError, match="line 1201") as raised:
        await register_many(
            client,
            target.workspace,
            target.project_id,
            bucket_name=target.bucket,
            keys=source(keys),
            concurrency=8,
            on_result=outcomes.append,
        )

    report = raised_report(raised.value)
    assert 1_200 == report.total == report.registered + report.not_attempted
    assert report.registered == target.emu.stats.assets_created
    check_every_key_read_has_one_outcome(keys, outcomes, report)


@pytest.mark.parametrize("how", ["call_soon", "signal"])
async def test_stop_from_outside_any_task(launch_gated, open_client, how):
    """stop() works from a loop callback or signal handler (sniffio on)."""
    import sniffio  # noqa: PLC0415 -- the point: anyio then asks it

    assert sniffio.current_async_library() == "asyncio"
    gate = Gate(let_through=20)
    target = await launch_gated(gate)
    client = await open_client(target)
    loop = asyncio.get_running_loop()
    errors: list[object] = []
    loop.set_exception_handler(lambda _, context: errors.append(context))
    try:
        async with stream_register(
            client,
            target.workspace,
            target.project_id,
            bucket_name=target.bucket,
            keys=keys_for(1_000),
            concurrency=8,
        ) as outcomes:
            await gate.until(lambda g: g.held == 8)
            # A fresh context: no task and no sniffio context variable,
            # as for a handler installed before anyio set it.
            if how == "call_soon":
                loop.call_soon(outcomes.stop, context=contextvars.Context())
            else:
                loop.add_signal_handler(
                    signal.SIGUSR1,
                    lambda: contextvars.Context().run(outcomes.stop),
                )
                os.kill(os.getpid(), signal.SIGUSR1)
            while not outcomes.report.stopped:
                await anyio.lowlevel.checkpoint()
            gate.open()
            seen = [outcome async for outcome in outcomes]
    finally:
        loop.set_exception_handler(None)
        loop.remove_signal_handler(signal.SIGUSR1)

    assert [] == errors
    assert outcomes.report.stopped
    assert len(seen) == outcomes.report.total
    assert 28 == outcomes.report.registered


@pytest.mark.parametrize("keys", ["abc.mp4", b"abc.mp4"], ids=["str", "bytes"])
async def test_a_single_key_is_refused(target, client, keys):
    """keys="abc.mp4" is a usage error, not seven skipped characters."""
    with pytest.raises(UsageError, match="not a single"):
        await register_many(
            client,
            target.workspace,
            target.project_id,
            bucket_name=target.bucket,
            keys=keys,
        )

    assert 0 == target.emu.stats.requests
