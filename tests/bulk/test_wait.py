"""
Waiting for imports through the Python API, against the emulator.

The emulator's import knobs make every final status on demand and make
imports take a set number of status reads, so the polls counted at the
emulator are exact.
"""

from __future__ import annotations

import collections
import contextlib

import anyio
import pytest

from bulk_support import (
    ACCESS_KEY,
    BUCKET,
    FAST_RETRY,
    SECRET_KEY,
    WORKSPACE,
    Target,
    keys_for,
)
from s3helpers import S3_ACCESS_KEY, S3_SECRET_KEY, create_bucket, moto_server
from s3helpers import put as put_object

from maiu_async import MaiuClient
from maiu_async.bulk import (
    Outcome,
    OutcomeStatus,
    PollPolicy,
    register_many,
    stream_register,
)
from maiu_async.bulk._poll import STOPPED
from maiu_async.emulator import Emulator, ObjectStorageCheck
from maiu_async.models import ImportState


pytestmark = pytest.mark.anyio

#: Poll at once and at once again: the emulator's knobs count reads.
NOW = PollPolicy(first=0.0, cap=0.0, jitter=0.0, timeout=None)
COMPLETED = ImportState.COMPLETED
IN_PROGRESS = ImportState.IN_PROGRESS


async def run(target, client, keys, **options):
    """Register *keys*; return the report and outcomes by key."""
    outcomes: dict[str, Outcome] = {}
    options.setdefault("retry", FAST_RETRY)
    report = await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=keys,
        on_result=lambda o: outcomes.__setitem__(o.key, o),
        **options,
    )
    return report, outcomes


def polls_at(target) -> int:
    """Import-status reads the emulator answered."""
    return target.emu.stats.by_route.get("import_status", 0)


def statuses(outcomes: dict[str, Outcome]) -> dict[str, ImportState | None]:
    """Each key's import status."""
    return {key: o.import_status for key, o in outcomes.items()}


async def test_no_wait_leaves_import_status_unset(target, client):
    """Without wait, outcomes carry no import status and nothing polls."""
    report, outcomes = await run(target, client, keys_for(3))

    assert {None} == {o.import_status for o in outcomes.values()}
    assert ({}, 0, 0) == (report.imports, report.polls, polls_at(target))


async def test_imports_are_polled_until_final(launch, open_client):
    """Each key is polled until its import ends; 3 reads each here."""
    target = await launch(import_polls=2)
    client = await open_client(target)
    keys = keys_for(6)

    report, outcomes = await run(target, client, keys, wait=NOW)

    assert dict.fromkeys(keys, COMPLETED) == statuses(outcomes)
    assert {COMPLETED: 6} == report.imports
    assert (18, 18) == (report.polls, polls_at(target))
    assert report.all_imported
    assert {"The media file was imported."} == {
        o.import_message for o in outcomes.values()
    }


async def test_forced_statuses_are_reported(launch, open_client):
    """FAILED and INVALID_METADATA imports are each key's outcome."""
    target = await launch(import_failed="bad/*", import_invalid="odd/*")
    client = await open_client(target)
    keys = ["bad/a.mp4", "odd/b.mp4", "ok/c.mp4"]

    report, outcomes = await run(target, client, keys, wait=NOW)

    assert {
        "bad/a.mp4": ImportState.FAILED,
        "odd/b.mp4": ImportState.INVALID_METADATA,
        "ok/c.mp4": COMPLETED,
    } == statuses(outcomes)
    assert not report.all_imported
    assert all(o.import_message for o in outcomes.values())
    assert {OutcomeStatus.REGISTERED} == {o.status for o in outcomes.values()}


@pytest.fixture(name="s3_url", scope="module")
def _s3_url():
    with moto_server() as url:
        yield url


async def test_missing_objects_end_file_not_exist(s3_url):
    """5 keys that exist and 5 that do not: 5 COMPLETED, 5 FILE_NOT_EXIST."""
    create_bucket(BUCKET)
    present = keys_for(5, "here/clip")
    missing = keys_for(5, "gone/clip")
    for key in present:
        put_object(BUCKET, key, 100)
    check = ObjectStorageCheck(
        endpoint=s3_url,
        access_key=S3_ACCESS_KEY,
        secret_key=S3_SECRET_KEY,
        concurrency=0,
    )
    async with contextlib.AsyncExitStack() as stack:
        emu = await stack.enter_async_context(
            Emulator(
                access_key=ACCESS_KEY,
                secret_key=SECRET_KEY,
                object_storage=check,
            )
        )
        emu.state.add_workspace(WORKSPACE, BUCKET)
        project = emu.state.add_project(WORKSPACE, "p")
        target = Target(emu, WORKSPACE, project.project_id)
        client = await stack.enter_async_context(
            MaiuClient(
                access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=emu.url
            )
        )

        report, outcomes = await run(
            target, client, present + missing, wait=NOW
        )

    assert {
        **dict.fromkeys(present, COMPLETED),
        **dict.fromkeys(missing, ImportState.FILE_NOT_EXIST),
    } == statuses(outcomes)
    assert {COMPLETED: 5, ImportState.FILE_NOT_EXIST: 5} == report.imports
    assert 10 == report.registered
    assert not report.all_imported


async def test_wait_timeout_reports_keys_still_importing(launch, open_client):
    """Keys not final by the timeout end IN_PROGRESS, saying so."""
    target = await launch(import_polls=1000)
    client = await open_client(target)
    keys = keys_for(4)
    once = PollPolicy(first=0.0, cap=0.0, jitter=0.0, timeout=0.0)

    report, outcomes = await run(target, client, keys, wait=once)

    assert dict.fromkeys(keys, IN_PROGRESS) == statuses(outcomes)
    assert all("timed out" in o.import_message for o in outcomes.values())
    assert {IN_PROGRESS: 4} == report.imports
    assert (4, 4) == (report.registered, polls_at(target))
    assert not report.all_imported


async def test_rerun_with_wait_polls_keys_of_a_run_without(
    launch, open_client, tmp_path
):
    """A waiting rerun polls the earlier run's keys, then a third none."""
    target = await launch()
    client = await open_client(target)
    journal = tmp_path / "j"
    keys = keys_for(5)

    await run(target, client, keys, journal=journal)
    assert 0 == polls_at(target)
    second, outcomes = await run(
        target, client, keys, journal=journal, wait=NOW
    )
    third, again = await run(target, client, keys, journal=journal, wait=NOW)

    assert dict.fromkeys(keys, COMPLETED) == statuses(outcomes)
    assert {True} == {o.resumed for o in outcomes.values()}
    assert (5, 5) == (second.polls, polls_at(target))
    assert dict.fromkeys(keys, COMPLETED) == statuses(again)
    assert 0 == third.polls
    assert 5 == polls_at(target)
    assert collections.Counter(dict.fromkeys(keys, 1)) == (
        target.assets_by_key()
    )


async def test_resume_polls_only_pending_keys(launch, open_client, tmp_path):
    """After a run that left keys importing, a rerun polls only those."""
    target = await launch(import_polls=1)
    client = await open_client(target)
    journal = tmp_path / "j"
    keys = keys_for(6)
    once = PollPolicy(first=0.0, cap=0.0, jitter=0.0, timeout=0.0)

    # Every key is read once: IN_PROGRESS, then the wait times out.
    await run(target, client, keys, journal=journal, wait=once)
    slow = set(keys[3:])
    for asset in target.emu.state.assets_of(WORKSPACE, target.project_id):
        if asset.key in slow:
            asset.unread_polls = 1000
    # The first half completes; the second is still importing.
    _, middle = await run(target, client, keys, journal=journal, wait=once)
    for asset in target.emu.state.assets_of(WORKSPACE, target.project_id):
        asset.unread_polls = 0
    before = polls_at(target)
    report, last = await run(target, client, keys, journal=journal, wait=NOW)

    assert {
        **dict.fromkeys(keys[:3], COMPLETED),
        **dict.fromkeys(keys[3:], IN_PROGRESS),
    } == statuses(middle)
    assert dict.fromkeys(keys, COMPLETED) == statuses(last)
    assert (3, 3) == (report.polls, polls_at(target) - before)


async def test_stop_delivers_waiting_keys_then_resume_polls_them(
    launch, open_client, tmp_path
):
    """Stopping while keys wait delivers them importing; a rerun polls."""
    target = await launch()
    client = await open_client(target)
    journal = tmp_path / "j"
    keys = keys_for(4)
    later = PollPolicy(first=3600.0, cap=3600.0, jitter=0.0)
    outcomes: list[Outcome] = []

    async with stream_register(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=keys,
        journal=journal,
        wait=later,
    ) as stream:

        async def stop_when_idle() -> None:
            # Registered, each key's first poll an hour away: idle.
            await anyio.wait_all_tasks_blocked()
            stream.stop()

        async with anyio.create_task_group() as tg:
            tg.start_soon(stop_when_idle)
            outcomes.extend([o async for o in stream])

    assert dict.fromkeys(keys, IN_PROGRESS) == {
        o.key: o.import_status for o in outcomes
    }
    assert {STOPPED} == {o.import_message for o in outcomes}
    assert 0 == polls_at(target)

    report, last = await run(target, client, keys, journal=journal, wait=NOW)

    assert dict.fromkeys(keys, COMPLETED) == statuses(last)
    assert 4 == polls_at(target)
    assert 4 == len(target.assets_by_key())
    assert 4 == report.resumed
