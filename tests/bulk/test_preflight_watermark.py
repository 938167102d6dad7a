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
from typing import TYPE_CHECKING, Any

import anyio
import attrs
import pytest

from aiohttp import web
from bulk_support import BUCKET, WORKSPACE, keys_for, serve_emulator
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import MaiuClient
from maiu_async.bulk import (
    BulkReport,
    Outcome,
    OutcomeStatus,
    register_many,
    report_of,
)
from maiu_async.exceptions import JournalError, NotFound


if TYPE_CHECKING:
    from aiohttp.typedefs import Handler, Middleware


pytestmark = pytest.mark.anyio

#: A guard against a hang, not an expectation.
HANG_GUARD = 60


def _is_list(request: web.Request) -> bool:
    return request.method == "GET" and request.path.endswith("/assets")


def _is_project(request: web.Request) -> bool:
    return request.method == "GET" and not request.path.endswith("/assets")


@attrs.frozen
class Ran:
    """A job run behind a middleware: its report or error, and more."""

    result: BulkReport | Exception
    created: int
    old_id: int


async def _run(middleware: Middleware, journal: Path, **options: Any) -> Ran:
    # A project holding one asset (the watermark to read), a journal,
    # and register_many's *options*; what it raised is returned.
    async with serve_emulator(middleware) as served:
        served.state.add_workspace(WORKSPACE, BUCKET)
        project = served.state.add_project(WORKSPACE, "p")
        old = served.state.add_asset(
            WORKSPACE, project.project_id, "old.mp4", BUCKET
        )
        async with MaiuClient(
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=served.url
        ) as client:
            result: BulkReport | Exception
            with anyio.fail_after(HANG_GUARD):
                try:
                    result = await register_many(
                        client,
                        WORKSPACE,
                        project.project_id,
                        bucket_name=BUCKET,
                        journal=journal,
                        **options,
                    )
                except Exception as exc:  # noqa: BLE001 -- the test checks
                    result = exc
        return Ran(result, served.stats.assets_created, old.asset_id)


def _marks(journal: Path) -> list[str]:
    return [
        line for line in journal.read_text().splitlines() if line[:2] == "W\t"
    ]


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

    ran = await _run(barrier, tmp_path / "job.journal", keys=keys_for(5))

    assert ["list", "project"] == sorted(arrived)
    assert isinstance(ran.result, BulkReport)
    assert (5, 5) == (ran.result.registered, ran.created)
    assert [f"W\t{ran.old_id}"] == _marks(tmp_path / "job.journal")


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

    outcomes: list[Outcome] = []
    ran = await _run(
        refuse_project,
        tmp_path / "job.journal",
        keys=keys_for(3),
        on_result=outcomes.append,
    )

    assert listed.is_set()
    assert isinstance(ran.result, NotFound)
    report = report_of(ran.result)
    assert report is not None
    assert (0, 3) == (ran.created, report.not_attempted)
    assert {OutcomeStatus.NOT_ATTEMPTED} == {o.status for o in outcomes}
    assert [] == _marks(tmp_path / "job.journal")


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

    ran = await _run(
        break_journal, journal, keys=keys_for(3), preflight=preflight
    )

    assert isinstance(ran.result, JournalError)
    assert "cannot write journal" in str(ran.result)
    assert 0 == ran.created
    assert [] == _marks(journal)
