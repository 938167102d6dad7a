"""
Before the first key: the preflight and the watermark read, at once.

A reconciling job checks its project (the preflight) and reads the
highest asset id (its starting watermark) before it sends a key.  The
two reads go together, one round trip instead of two, and the
watermark reaches the journal only once the preflight passed.

The emulator is real; a middleware in front of it holds or refuses the
two reads, and counts what arrives.  Nothing waits on the clock: the
guard only turns a hang into a failure.
"""

from __future__ import annotations

import os

from pathlib import Path
from typing import TYPE_CHECKING

import anyio
import pytest

from aiohttp import web
from bulk_support import BUCKET, WORKSPACE, keys_for, serve_emulator
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import MaiuClient
from maiu_async.bulk import OutcomeStatus, register_many, report_of
from maiu_async.exceptions import JournalError, NotFound


if TYPE_CHECKING:
    from aiohttp.typedefs import Handler


pytestmark = pytest.mark.anyio

#: A guard against a hang, not an expectation.
HANG_GUARD = 60


def _is_list(request: web.Request) -> bool:
    return request.method == "GET" and request.path.endswith("/assets")


def _is_project(request: web.Request) -> bool:
    return request.method == "GET" and not request.path.endswith("/assets")


def _client(url: str) -> MaiuClient:
    return MaiuClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=url
    )


async def test_the_two_reads_are_in_flight_together(tmp_path):
    """Neither read is answered until both arrived: the job still runs."""
    both = anyio.Event()
    arrived: list[str] = []

    @web.middleware
    async def barrier(
        request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        if request.method == "GET":
            arrived.append("list" if _is_list(request) else "project")
            if len(arrived) == 2:
                both.set()
            # A job that read one after the other would wait here for
            # ever: its second read comes only after the first answer.
            await both.wait()
        return await handler(request)

    keys = keys_for(5)
    journal = tmp_path / "job.journal"
    async with serve_emulator(barrier) as served:
        served.state.add_workspace(WORKSPACE, BUCKET)
        project = served.state.add_project(WORKSPACE, "p")
        old = served.state.add_asset(
            WORKSPACE, project.project_id, "old.mp4", BUCKET
        )
        async with _client(served.url) as client:
            with anyio.fail_after(HANG_GUARD):
                report = await register_many(
                    client,
                    WORKSPACE,
                    project.project_id,
                    bucket_name=BUCKET,
                    keys=keys,
                    journal=journal,
                )

    assert ["list", "project"] == sorted(arrived)
    assert (5, 5) == (report.registered, served.stats.assets_created)
    marks = [
        line for line in journal.read_text().splitlines() if line[:2] == "W\t"
    ]
    assert [f"W\t{old.asset_id}"] == marks


async def test_a_refused_preflight_records_no_watermark(tmp_path):
    """The list answered first; the project is refused: W is not written."""
    listed = anyio.Event()

    @web.middleware
    async def refuse_project(
        request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        if _is_list(request):
            try:
                return await handler(request)
            finally:
                listed.set()
        if _is_project(request):
            # Refused only once the watermark is known: the journal
            # would have it, if the gate did not hold it back.
            await listed.wait()
            raise web.HTTPNotFound(
                text='{"errorCode": "0032", "message": "no such project"}',
                content_type="application/json",
            )
        return await handler(request)

    journal = tmp_path / "job.journal"
    outcomes = []
    async with serve_emulator(refuse_project) as served:
        served.state.add_workspace(WORKSPACE, BUCKET)
        project = served.state.add_project(WORKSPACE, "p")
        served.state.add_asset(
            WORKSPACE, project.project_id, "old.mp4", BUCKET
        )
        async with _client(served.url) as client:
            with (
                anyio.fail_after(HANG_GUARD),
                pytest.raises(NotFound) as raised,
            ):
                await register_many(
                    client,
                    WORKSPACE,
                    project.project_id,
                    bucket_name=BUCKET,
                    keys=keys_for(3),
                    journal=journal,
                    on_result=outcomes.append,
                )
        created = served.stats.assets_created

    assert listed.is_set()
    report = report_of(raised.value)
    assert report is not None
    assert (0, 3) == (created, report.not_attempted)
    assert {OutcomeStatus.NOT_ATTEMPTED} == {o.status for o in outcomes}
    assert "\nW\t" not in journal.read_text()


def _fd_of(path: Path) -> int:
    # The descriptor this process holds on *path* (Linux: /proc).
    for link in Path("/proc/self/fd").iterdir():
        try:
            if link.readlink() == path:
                return int(link.name)
        except OSError:
            continue
    raise AssertionError(f"{path} is not open")


@pytest.mark.parametrize("preflight", [True, False])
async def test_a_watermark_the_journal_cannot_take_fails_the_job(
    tmp_path, preflight
):
    """The journal's file fails at the W line: the job raises that, alone."""
    journal = tmp_path / "job.journal"

    @web.middleware
    async def break_journal(
        request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        if _is_list(request):
            # From now on every write to the journal fails (EBADF): the
            # next one is the watermark's, whichever task reads it.
            readonly = os.open(journal, os.O_RDONLY)
            try:
                os.dup2(readonly, _fd_of(journal))
            finally:
                os.close(readonly)
        return await handler(request)

    async with serve_emulator(break_journal) as served:
        served.state.add_workspace(WORKSPACE, BUCKET)
        project = served.state.add_project(WORKSPACE, "p")
        async with _client(served.url) as client:
            with (
                anyio.fail_after(HANG_GUARD),
                pytest.raises(JournalError) as raised,
            ):
                await register_many(
                    client,
                    WORKSPACE,
                    project.project_id,
                    bucket_name=BUCKET,
                    keys=keys_for(3),
                    journal=journal,
                    preflight=preflight,
                )
        created = served.stats.assets_created

    assert "cannot write journal" in str(raised.value)
    assert 0 == created
    assert "\nW\t" not in journal.read_text()
