"""
Journals: rerunning a job finishes it, exactly once per key.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

from pathlib import Path
from typing import TYPE_CHECKING

import anyio
import pytest

from bulk_support import (
    ACCESS_KEY,
    FAST_RECONCILE,
    FAST_RETRY,
    SECRET_KEY,
    keys_for,
)
from crash_worker import crash_keys

from maiu_async import JournalError, MaiuClient, RetryPolicy
from maiu_async.bulk import Outcome, OutcomeStatus, register_many
from maiu_async.emulator import Faults


REGISTERED = OutcomeStatus.REGISTERED
FAILED = OutcomeStatus.FAILED
UNKNOWN = OutcomeStatus.UNKNOWN
WORKER = Path(__file__).with_name("crash_worker.py")

if TYPE_CHECKING:
    from collections.abc import Iterator


async def run(target, client, keys, journal, **options):
    """Register *keys* on *journal*; return report and outcomes."""
    outcomes: list[Outcome] = []
    options.setdefault("retry", FAST_RETRY)
    options.setdefault("reconcile", FAST_RECONCILE)
    report = await register_many(
        client,
        target.workspace,
        target.project_id,
        bucket_name=target.bucket,
        keys=keys,
        journal=journal,
        on_result=outcomes.append,
        **options,
    )
    return report, outcomes


@pytest.mark.anyio
async def test_rerun_skips_what_was_registered(target, client, tmp_path):
    """Keys registered before are reported resumed, with their ids."""
    journal = tmp_path / "resume.journal"
    keys = keys_for(600)
    _, first = await run(target, client, keys[:300], journal)
    sent_before = target.emu.stats.by_route["register_asset"]

    report, second = await run(target, client, keys, journal)

    resumed = {o.key: o.asset_id for o in second if o.resumed}
    assert {o.key: o.asset_id for o in first} == resumed
    assert {0} == {o.attempts for o in second if o.resumed}
    assert (600, 300) == (report.registered, report.resumed)
    assert 300 == target.emu.stats.by_route["register_asset"] - sent_before
    assert dict.fromkeys(keys, 1) == dict(target.assets_by_key())


@pytest.mark.anyio
async def test_rerun_retries_what_failed(launch, open_client, tmp_path):
    """Keys that failed are tried again by the next run."""
    target = await launch(faults=Faults(error_503=0.3), seed=8)
    client = await open_client(target)
    journal = tmp_path / "failed.journal"
    keys = keys_for(300)
    first, outcomes = await run(
        target, client, keys, journal, retry=RetryPolicy(attempts=1)
    )
    failed = {o.key for o in outcomes if o.status is FAILED}

    report, again = await run(
        target, client, keys, journal, retry=RetryPolicy(attempts=30)
    )

    assert failed
    assert failed == {o.key for o in again if not o.resumed}
    assert (300, first.registered) == (report.registered, report.resumed)
    assert dict.fromkeys(keys, 1) == dict(target.assets_by_key())


@pytest.mark.anyio
async def test_unknown_keys_are_looked_up_before_resending(
    launch, open_client, tmp_path
):
    """Keys left unknown by one run are reconciled by the next."""
    target = await launch(faults=Faults(lost_response=0.2), seed=9)
    client = await open_client(target)
    journal = tmp_path / "unknown.journal"
    keys = keys_for(300)
    _, outcomes = await run(target, client, keys, journal, reconcile=None)
    unknown = {o.key for o in outcomes if o.status is UNKNOWN}

    report, again = await run(target, client, keys, journal)

    assert unknown
    assert unknown == {o.key for o in again if o.reconciled}
    assert 300 == report.registered == target.emu.stats.assets_created
    assert dict.fromkeys(keys, 1) == dict(target.assets_by_key())


@pytest.mark.anyio
async def test_journal_of_another_project_is_refused(target, client, tmp_path):
    """A journal written for one project cannot drive another."""
    journal = tmp_path / "project.journal"
    await run(target, client, keys_for(5), journal)
    other = target.emu.state.add_project(target.workspace, "other").project_id
    sent = target.emu.stats.requests

    with pytest.raises(JournalError, match="belongs to another job"):
        await register_many(
            client,
            target.workspace,
            other,
            bucket_name=target.bucket,
            keys=keys_for(5),
            journal=journal,
        )

    assert sent == target.emu.stats.requests


# -- kill -9 ----------------------------------------------------------------


@contextlib.contextmanager
def running(args: list[str], **env: str) -> Iterator[subprocess.Popen[str]]:
    """Run *args* as a process; it is killed and reaped on the way out."""
    with subprocess.Popen(
        args, stdout=subprocess.PIPE, text=True, env={**os.environ, **env}
    ) as process:  # leaving it closes the pipe and reaps the process
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()


@contextlib.contextmanager
def emulator_process() -> Iterator[str]:
    """Run the emulator as a process; yield its URL."""
    with running(
        [
            sys.executable,
            "-m",
            "maiu_async.emulator",
            "--port",
            "0",
            "--latency",
            "0.002",
            "--fault-lost-response",
            "0.02",
            "--seed",
            "1",
        ],
        MAIU_EMULATOR_ACCESS_KEY=ACCESS_KEY,
        MAIU_EMULATOR_SECRET_KEY=SECRET_KEY,
    ) as process:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"listening on (http://\S+)", line)
        assert match, line
        yield match.group(1)


async def make_project(url: str) -> int:
    """Create the crash test's workspace and project."""
    async with MaiuClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=url
    ) as client:
        await client.workspaces.create("crash-ws", bucket_name="crash-bucket")
        project = await client.projects.create("crash-ws", "crash")
        return project.project_id


async def list_keys(url: str, project_id: int) -> collections.Counter[str]:
    """Every asset of the project, counted by key, through the API."""
    async with MaiuClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=url
    ) as client:
        return collections.Counter(
            [
                asset.file_name or ""
                async for asset in client.assets.iterate(
                    "crash-ws", project_id
                )
            ]
        )


def worker(
    url: str, journal: Path, project_id: int, count: int, *, hold: bool
) -> contextlib.AbstractContextManager[subprocess.Popen[str]]:
    """Run one crash worker process (see crash_worker.py for *hold*)."""
    return running(
        [
            sys.executable,
            str(WORKER),
            url,
            str(journal),
            "crash-ws",
            str(project_id),
            str(count),
            *(["hold"] if hold else []),
        ],
        MAIU_TEST_ACCESS_KEY=ACCESS_KEY,
        MAIU_TEST_SECRET_KEY=SECRET_KEY,
    )


def registered_lines(journal: Path) -> int:
    """How many keys the journal records as registered so far."""
    try:
        return journal.read_bytes().count(b"\nR\t")
    except FileNotFoundError:
        return 0


def test_kill_9_at_any_moment_then_rerun_registers_once(tmp_path):
    """SIGKILLed twice mid-run, the job still ends with each key once."""
    count = 1_200
    journal = tmp_path / "crash.journal"
    with emulator_process() as url:
        project_id = anyio.run(make_project, url)
        for kill_at in (200, 600):
            with worker(url, journal, project_id, count, hold=True) as process:
                # A hang guard, not a timing claim: held runs never end.
                deadline = time.monotonic() + 120
                while registered_lines(journal) < kill_at:
                    assert process.poll() is None, "the worker died"
                    assert time.monotonic() < deadline
                    time.sleep(0.005)
                process.send_signal(signal.SIGKILL)
                process.communicate()
            assert -signal.SIGKILL == process.returncode

        with worker(url, journal, project_id, count, hold=False) as final:
            out, _ = final.communicate(timeout=120)
        report = json.loads(out)
        stats_url = f"{url}/_emulator/stats"
        with urllib.request.urlopen(stats_url) as answer:  # noqa: S310 -- http by design
            stats = json.load(answer)
        listed = anyio.run(list_keys, url, project_id)

    assert 0 == final.returncode
    assert (count, 0, 0) == (
        report["registered"],
        report["failed"],
        report["unknown"],
    )
    assert report["resumed"] >= 600
    assert count == stats["assets_created"]
    assert stats["faults"]["lost_response"] > 0
    assert dict.fromkeys(crash_keys(count), 1) == dict(listed)
