"""
The ``maiu_async`` loggers: a DEBUG line per request, INFO for rate
changes and job start/stop, WARNING for retry storms, reconcile passes
and systemic stops.
"""

from __future__ import annotations

import asyncio
import logging

from typing import TYPE_CHECKING

import pytest

from testkeys import SECRET_KEY

from maiu_async import MaiuClient, register_many
from maiu_async._scheduler import AdaptiveLimiter
from maiu_async.bulk import BulkReport, ReconcileFinished, RetryScheduled
from maiu_async.bulk._log import STORM_RETRIES, STORM_WINDOW, JobLog
from maiu_async.testing import MockTransport, Response, success


if TYPE_CHECKING:
    from maiu_async.emulator import Emulator


pytestmark = pytest.mark.anyio


def _messages(caplog: pytest.LogCaptureFixture, name: str) -> list[str]:
    return [
        f"{r.levelname} {r.getMessage()}"
        for r in caplog.records
        if r.name == name
    ]


async def test_request_debug_line_names_the_request_id(
    caplog: pytest.LogCaptureFixture,
):
    """Each request logs method, URL, status and the server's request id."""
    answer = Response(
        200,
        json={"code": "0", "message": "success", "result": {}},
        headers={"X-NCP-TRACE-ID": "trace-42"},
    )
    transport = MockTransport(lambda _: answer)
    caplog.set_level(logging.DEBUG, logger="maiu_async")
    async with MaiuClient(
        access_key="AKIDEXAMPLE01",
        secret_key=SECRET_KEY,
        endpoint="https://h",
        transport=transport,
    ) as client:
        await client.workspaces.delete("my-ws")

    assert [
        (
            "DEBUG DELETE https://h/api/v1/workspaces/my-ws -> 200 "
            "(request id trace-42)"
        )
    ] == _messages(caplog, "maiu_async")
    assert SECRET_KEY not in caplog.text


async def test_rate_changes_are_info(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    """Lowering the rate after 429s, and its return, log one INFO each."""
    caplog.set_level(logging.INFO, logger="maiu_async")
    loop = asyncio.get_running_loop()
    now = [loop.time()]
    monkeypatch.setattr(loop, "time", lambda: now[0])
    limiter = AdaptiveLimiter(10.0, probe=1.0)
    await limiter.acquire()  # binds the loop's clock
    for _ in range(50):
        limiter.throttled(None)
    lowered = limiter.rate
    now[0] += 60.0  # far past the probe's way back to the ceiling
    await limiter.acquire()

    assert lowered is not None
    assert lowered < 10.0
    assert [
        f"INFO rate lowered to {lowered:.1f} requests/s after 429 answers",
        "INFO rate back at its ceiling, 10.0 requests/s",
    ] == _messages(caplog, "maiu_async.scheduler")


def test_retry_storm_warns_once_per_window(caplog: pytest.LogCaptureFixture):
    """Many retries in a short time give one WARNING per window, no more."""
    now = [0.0]
    log = JobLog("ws", 7, "b", clock=lambda: now[0])
    retry = RetryScheduled(key="a.mp4", attempt=1, wait=0.0, error="503")
    caplog.set_level(logging.INFO, logger="maiu_async.bulk")

    for _ in range(STORM_RETRIES - 1):
        log.event(retry)
    quiet = list(caplog.records)
    for _ in range(STORM_RETRIES * 2):
        log.event(retry)
    storm = _messages(caplog, "maiu_async.bulk")
    now[0] = STORM_WINDOW + 1
    for _ in range(STORM_RETRIES):
        log.event(retry)

    assert [] == quiet
    assert [
        (
            f"WARNING retry storm: {STORM_RETRIES} retries in 0.0 s "
            "(last: key 'a.mp4', attempt 1: 503)"
        )
    ] == storm
    assert 2 == len(_messages(caplog, "maiu_async.bulk"))


def test_job_events_and_stops(caplog: pytest.LogCaptureFixture):
    """Reconcile passes and systemic stops warn; start and end are INFO."""
    log = JobLog("ws", 7, "b")
    caplog.set_level(logging.INFO, logger="maiu_async.bulk")

    log.started(concurrency=4, rate=None, journal="j")
    log.event(ReconcileFinished(keys=3, found=2, pages=1))
    log.event(ReconcileFinished(keys=1, found=0, pages=0, error="500"))
    log.finished(BulkReport(registered=2), RuntimeError("disk full"))
    log.finished(BulkReport(registered=2, stopped=True), None)

    assert [
        (
            "INFO bulk job started: workspace 'ws' project 7 bucket 'b', "
            "concurrency 4, rate adaptive, journal 'j'"
        ),
        (
            "WARNING reconcile pass: looked for 3 ambiguous keys in 1 pages, "
            "found 2"
        ),
        "WARNING reconcile pass failed (1 keys, 0 pages): 500",
        (
            "WARNING bulk job stopped by a systemic failure (RuntimeError: "
            "disk full): 2 registered, 0 skipped, 0 failed, 0 unknown, "
            "0 requests, 0 retries in 0.0 s"
        ),
        (
            "INFO bulk job stopped before its input ended: 2 registered, 0 "
            "skipped, 0 failed, 0 unknown, 0 requests, 0 retries in 0.0 s"
        ),
    ] == _messages(caplog, "maiu_async.bulk")


async def test_a_job_logs_its_start_and_end(
    client: MaiuClient, emu: Emulator, caplog: pytest.LogCaptureFixture
):
    """A real job logs one INFO line as it starts and one as it ends."""
    emu.state.add_workspace("media", "bucket")
    project_id = emu.state.add_project("media", "p").project_id
    caplog.set_level(logging.INFO, logger="maiu_async")

    await register_many(
        client,
        "media",
        project_id,
        bucket_name="bucket",
        keys=["a.mp4", "b.mp4"],
    )

    lines = _messages(caplog, "maiu_async.bulk")
    assert 2 == len(lines)
    assert lines[0].startswith(
        f"INFO bulk job started: workspace 'media' project {project_id}"
    )
    assert lines[1].startswith(
        "INFO bulk job finished: 2 registered, 0 skipped"
    )


async def test_success_answers_log_nothing_above_debug(
    caplog: pytest.LogCaptureFixture,
):
    """Without trouble, a client logs nothing at INFO or above."""
    transport = MockTransport(lambda _: success({}))
    caplog.set_level(logging.INFO, logger="maiu_async")
    async with MaiuClient(
        access_key="AKIDEXAMPLE01",
        secret_key=SECRET_KEY,
        endpoint="https://h",
        transport=transport,
    ) as client:
        await client.workspaces.delete("my-ws")

    assert [] == caplog.records
