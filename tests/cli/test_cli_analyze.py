"""
``maiu-async analyze``, in process against the emulator; and one real
process killed with SIGKILL mid-job, then resumed.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys

from typing import TYPE_CHECKING

import anyio
import pytest

from aiohttp import web
from clihelpers import BUCKET, read_report, serve
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async.emulator import (
    Emulator,
    EmulatorConfig,
    EmulatorState,
    Stats,
    make_app,
)
from maiu_async.testing import set_testing


if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from pathlib import Path

    from aiohttp.typedefs import Handler
    from clihelpers import Cli


pytestmark = pytest.mark.anyio

WORKSPACE = "media"
#: A failure guard for the killed process, not an expectation.
GUARD = 120.0


@pytest.fixture(autouse=True, name="no_poll_waits")
def _no_poll_waits() -> Iterator[None]:
    """Polls and retries follow each other at once (testing mode)."""
    with set_testing(True, attempts=3):
        yield


@contextlib.asynccontextmanager
async def _emulator(**knobs) -> AsyncIterator[tuple[Emulator, int]]:
    async with Emulator(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, **knobs
    ) as emu:
        emu.state.add_workspace(WORKSPACE, BUCKET)
        yield emu, emu.state.add_project(WORKSPACE, "p").project_id


def _seed(state: EmulatorState, project_id: int, *keys: str) -> list[int]:
    return [
        state.add_asset(WORKSPACE, project_id, key, BUCKET).asset_id
        for key in keys
    ]


def _args(url: str, project_id: int, *more: str) -> list[str]:
    return [
        "analyze",
        "--endpoint",
        url,
        "--workspace",
        WORKSPACE,
        "--project-id",
        str(project_id),
        "--person-count",
        "1",
        "--reconcile-delay",
        "0",
        *more,
    ]


def _ids_file(path: Path, ids: list[int]) -> str:
    path.write_text("".join(f"{i}\n" for i in ids))
    return str(path)


def _analyses(state: EmulatorState) -> int:
    return state.workspace(WORKSPACE).monthly_analysis_count


async def test_wait_reports_an_index_per_asset(cli: Cli, tmp_path: Path):
    """--wait exits 0 with each asset's index id in the report."""
    async with _emulator(analysis_reads=3) as (emu, pid):
        ids = _seed(emu.state, pid, "a.mp4", "b.mp4", "c.png")
        report = tmp_path / "r.jsonl"

        result = await cli(
            *_args(emu.url, pid, "--wait", "--report", str(report)),
            "--asset-ids-file",
            _ids_file(tmp_path / "ids.txt", ids),
        )
        indexes = {
            i: emu.state.asset(WORKSPACE, pid, i).analysis.index.index_id
            for i in ids
        }

    assert 0 == result.code, result.stderr
    lines = read_report(report)
    assert {
        i: ("requested", "ANALYZE_COMPLETED", indexes[i]) for i in ids
    } == {
        line["asset_id"]: (
            line["status"],
            line["analyze_status"],
            line["index_id"],
        )
        for line in lines
    }
    assert {None} == {line["error"] for line in lines}
    assert "completed 3" in result.stderr


async def test_a_failed_analysis_exits_1(cli: Cli, tmp_path: Path):
    """With --wait, an analysis ending ANALYZE_FAIL makes the exit 1."""
    async with _emulator(analysis_fail="*bad*") as (emu, pid):
        ids = _seed(emu.state, pid, "good.mp4", "bad.mp4")
        result = await cli(
            *_args(emu.url, pid, "--wait", "--json"),
            "--asset-ids-file",
            _ids_file(tmp_path / "ids.txt", ids),
        )

    summary = json.loads(result.stdout)
    assert 1 == result.code
    assert (2, 1, 1) == (
        summary["requested"],
        summary["analyzed"],
        summary["analysis_failed"],
    )


async def test_without_wait_requests_exit_0(cli: Cli, tmp_path: Path):
    """Without --wait, every asset requested is success."""
    async with _emulator(analysis_reads=9) as (emu, pid):
        ids = _seed(emu.state, pid, "a.mp4", "b.mp4")
        result = await cli(
            *_args(emu.url, pid, "--json"),
            "--asset-ids-file",
            _ids_file(tmp_path / "ids.txt", ids),
        )
        count = _analyses(emu.state)

    assert (0, 2, 2) == (
        result.code,
        json.loads(result.stdout)["requested"],
        count,
    )


async def test_from_report_takes_imported_assets(cli: Cli, tmp_path: Path):
    """--from-report analyses the registered, COMPLETED lines only."""
    async with _emulator() as (emu, pid):
        done, other, failed = _seed(emu.state, pid, "a.mp4", "b.mp4", "c.mp4")
        lines = [
            {"key": "a.mp4", "status": "registered", "asset_id": done},
            {
                "key": "b.mp4",
                "status": "registered",
                "asset_id": other,
                "import_status": "COMPLETED",
            },
            {
                "key": "c.mp4",
                "status": "registered",
                "asset_id": failed,
                "import_status": "FILE_NOT_EXIST",
            },
            {"key": "d.mp4", "status": "failed", "asset_id": None},
        ]
        source = tmp_path / "import.jsonl"
        source.write_text("".join(json.dumps(x) + "\n" for x in lines))
        report = tmp_path / "r.jsonl"

        result = await cli(
            *_args(emu.url, pid, "--report", str(report)),
            "--from-report",
            str(source),
        )

    assert 0 == result.code, result.stderr
    assert [done, other] == sorted(x["asset_id"] for x in read_report(report))


async def test_all_skips_assets_not_imported(cli: Cli, tmp_path: Path):
    """--all lists the project and skips assets whose import failed."""
    async with _emulator() as (emu, pid):
        good, broken = _seed(emu.state, pid, "a.mp4", "broken.mp4")
        emu.state.asset(WORKSPACE, pid, broken).forced_import = "FAILED"
        report = tmp_path / "r.jsonl"
        result = await cli(
            *_args(emu.url, pid, "--all", "--report", str(report))
        )
        count = _analyses(emu.state)

    outcomes = {x["asset_id"]: x for x in read_report(report)}
    assert 0 == result.code, result.stderr
    assert ("requested", "skipped") == (
        outcomes[good]["status"],
        outcomes[broken]["status"],
    )
    assert "FAILED" in outcomes[broken]["error"]
    assert 1 == count


async def test_a_refused_run_touches_no_file(cli: Cli, tmp_path: Path):
    """A run refused for its project leaves an earlier report as it was."""
    async with _emulator() as (emu, pid):
        report = tmp_path / "r.jsonl"
        report.write_text("earlier\n")
        result = await cli(
            *_args(emu.url, pid + 1000, "--report", str(report)),
            "--asset-ids-file",
            _ids_file(tmp_path / "ids.txt", [1]),
        )

    assert 2 == result.code
    assert "earlier\n" == report.read_text()
    assert [] == [p.name async for p in anyio.Path(tmp_path).glob(".r.*")]


@pytest.mark.parametrize(
    ("more", "message"),
    [
        pytest.param(
            ["--all", "--asset-ids-file", "x"], "exactly one", id="two"
        ),
        pytest.param([], "exactly one", id="none"),
        pytest.param(["--all", "--wait-timeout", "5"], "goes with --wait"),
    ],
)
async def test_usage_errors(cli: Cli, tmp_path: Path, more, message):
    """Bad option combinations exit 2 with a one-line reason."""
    (tmp_path / "x").write_text("1\n")
    result = await cli(*_args("http://127.0.0.1:9", 1, *more))

    assert 2 == result.code
    assert message in result.stderr


async def test_bad_ids_file_names_the_line(cli: Cli, tmp_path: Path):
    """An ids file with a non-id names the line and the value, exit 2."""
    bad = tmp_path / "ids.txt"
    bad.write_text("12\nvideo.mp4\n")
    result = await cli(
        *_args("http://127.0.0.1:9", 1), "--asset-ids-file", str(bad)
    )

    assert 2 == result.code
    assert "line 2: 'video.mp4'" in result.stderr


class _Holder:
    """
    Lets the first *open_for* analysis requests through, holds the rest;
    `all_held` is set once *hold* are held.
    """

    def __init__(self, open_for: int, hold: int) -> None:
        self.open_for = open_for
        self.hold = hold
        self.passed = 0
        self.held = 0
        self.processed = 0
        self.all_held = anyio.Event()
        self.release = anyio.Event()
        self.all_done = anyio.Event()

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        """Hold, then process, one request."""
        if request.method != "POST" or not request.path.endswith("/analyze"):
            return await handler(request)
        if self.passed < self.open_for:
            self.passed += 1
        else:
            await request.read()
            self.held += 1
            if self.held == self.hold:
                self.all_held.set()
            await self.release.wait()
        try:
            return await handler(request)
        finally:
            self.processed += 1
            if self.processed == self.passed + self.held:
                self.all_done.set()


async def test_resume_after_kill_analyses_each_asset_once(
    cli: Cli, tmp_path: Path
):
    """kill -9 mid-job, then a rerun: every asset analysed exactly once."""
    config = EmulatorConfig(access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    state = EmulatorState()
    state.add_workspace(WORKSPACE, BUCKET)
    pid = state.add_project(WORKSPACE, "p").project_id
    ids = _seed(state, pid, *(f"clip-{i:03d}.mp4" for i in range(40)))
    app = make_app(config, state=state, stats=Stats())
    # Every worker (4) ends up holding a request: nothing else is in
    # flight when the process is killed.
    holder = _Holder(open_for=10, hold=4)
    app.middlewares.append(holder.middleware)
    journal, report = tmp_path / "a.journal", tmp_path / "r.jsonl"
    ids_file = _ids_file(tmp_path / "ids.txt", ids)

    async with serve(app) as url:
        argv = [
            *_args(url, pid, "--concurrency", "4", "--journal", str(journal)),
            "--asset-ids-file",
            ids_file,
        ]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        proc = await anyio.open_process(
            [sys.executable, "-m", "maiu_async.cli", *argv],
            stdin=subprocess.DEVNULL,
            env=env,
        )
        try:
            with anyio.fail_after(GUARD):
                await holder.all_held.wait()
                proc.send_signal(signal.SIGKILL)
                await proc.wait()
        finally:
            with anyio.CancelScope(shield=True):
                if proc.returncode is None:
                    proc.kill()
                await proc.aclose()
        # The held requests land after the kill, as late requests do.
        holder.release.set()
        with anyio.fail_after(GUARD):
            await holder.all_done.wait()
        landed = holder.processed

        resumed = await cli(*argv, "--report", str(report), "--json")

    summary = json.loads(resumed.stdout)
    assert (-signal.SIGKILL, 14) == (proc.returncode, landed)
    assert 0 == resumed.code, resumed.stderr
    assert 40 == _analyses(state) == summary["requested"]
    assert 40 == len({x["asset_id"] for x in read_report(report)})
    assert landed == summary["resumed"] + summary["resolved"]
    assert 40 - landed == summary["requests"]
