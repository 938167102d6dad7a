"""
Human mistakes at the command line lose nothing (issue 13, CLI items).

- 13.1: a refused run touches no file: the report is replaced only when
  a run ends having done something, and never by the journal or the
  input.
- 13.7: a systemic stop after some keys settled prints the summary, the
  ``--json`` object and the resume hint; the report has every settled
  key, and the resume does the rest exactly once.
- 13.12: ``--create-project`` survives a transient 500; an input with
  nothing to send says so and exits 4.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os

from typing import TYPE_CHECKING

import attrs
import pytest

from aiohttp import web
from clihelpers import BUCKET, import_args, read_report, serve, write_keys
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import _errorcodes as codes
from maiu_async.emulator import EmulatorConfig, EmulatorState, Stats, make_app


if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator
    from pathlib import Path

    from aiohttp.typedefs import Handler
    from clihelpers import Cli

    from maiu_async.emulator import Emulator


pytestmark = pytest.mark.anyio


def _leftovers(folder: Path) -> list[str]:
    """Temporary report files left in *folder*."""
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold *path*'s lock, as a run still going would."""
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        os.close(fd)


async def test_a_run_refused_by_the_journal_lock_keeps_the_report(
    cli: Cli, project: tuple[str, int], tmp_path: Path
):
    """A second run while the first holds the journal leaves its report."""
    workspace, project_id = project
    keys_file = write_keys(tmp_path / "k.txt", ["a.mp4", "b.mp4", "c.png"])
    journal, report = tmp_path / "import.journal", tmp_path / "r.jsonl"
    args = [
        *import_args(workspace, project_id, keys_file),
        "--journal",
        str(journal),
        "--report",
        str(report),
    ]
    first = await cli(*args)
    before = report.read_bytes()

    with _locked(journal):
        second = await cli(*args)

    assert 0 == first.code, first.stderr
    assert 2 == second.code
    assert "in use" in second.err_lines[-1]
    assert before == report.read_bytes()
    assert 3 == len(read_report(report))
    assert [] == _leftovers(tmp_path)


@pytest.mark.parametrize("option", ["--journal", "--keys-file"])
async def test_the_report_is_neither_the_journal_nor_the_input(
    cli: Cli, project: tuple[str, int], tmp_path: Path, option: str
):
    """--report naming the journal or the keys file is refused, unread."""
    workspace, project_id = project
    keys_file = write_keys(tmp_path / "k.txt", ["a.mp4"])
    journal = tmp_path / "import.journal"
    journal.write_bytes(b"precious\n")
    same = journal if option == "--journal" else keys_file
    before = same.read_bytes()

    result = await cli(
        *import_args(workspace, project_id, keys_file),
        "--journal",
        str(journal),
        # Another spelling of the same path.
        "--report",
        str(tmp_path / "." / same.name),
    )

    assert 2 == result.code
    assert 1 == len(result.err_lines)
    assert f"is the same file as {option}" in result.stderr
    assert before == same.read_bytes()
    assert [] == _leftovers(tmp_path)


@attrs.define
class _FlakyCreate:
    """Answers the first "create project" with a 500, before or after."""

    created_first: bool
    calls: int = 0

    def middleware(
        self,
    ) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
        """The aiohttp middleware that does it."""

        @web.middleware
        async def flaky(
            request: web.Request, handler: Handler
        ) -> web.StreamResponse:
            if request.method == "POST" and request.path.endswith("/projects"):
                self.calls += 1
                if self.calls == 1:
                    if self.created_first:
                        await handler(request)
                    row = codes.GW_UNEXPECTED
                    return web.json_response(
                        {
                            "error": {
                                "errorCode": row.code,
                                "message": row.message,
                            }
                        },
                        status=row.status,
                    )
            return await handler(request)

        return flaky


@pytest.mark.parametrize(
    "created_first",
    [
        pytest.param(True, id="created-then-500"),
        pytest.param(False, id="500-before-creating"),
    ],
)
async def test_create_project_survives_a_transient_500(
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    created_first: bool,
):
    """After a 500 the project is looked up, and created only if absent."""
    config = EmulatorConfig(access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    state = EmulatorState()
    state.add_workspace("media", BUCKET)
    app = make_app(config, state=state, stats=Stats())
    flaky = _FlakyCreate(created_first)
    app.middlewares.append(flaky.middleware())
    keys_file = write_keys(tmp_path / "k.txt", ["a.mp4", "b.png"])

    async with serve(app) as url:
        monkeypatch.setenv("MAIU_ENDPOINT", url)
        result = await cli(
            "import",
            "-w",
            "media",
            "--project",
            "Fresh one",
            "--create-project",
            "--bucket",
            BUCKET,
            "--keys-file",
            str(keys_file),
            "--json",
        )

    named = [
        p
        for p in state.workspace("media").projects.values()
        if p.name == "Fresh one"
    ]
    assert 0 == result.code, result.stderr
    assert 2 == json.loads(result.stdout)["registered"]
    assert 1 == len(named)
    assert (1 if created_first else 2) == flaky.calls
    assert "looking it up before trying again" in result.stderr


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param(["a.mp4,10", "b.mov,20"], id="csv"),
        pytest.param([], id="empty"),
    ],
)
async def test_nothing_to_send_exits_4(
    cli: Cli, project: tuple[str, int], tmp_path: Path, lines: list[str]
):
    """An input without a single valid key says so and exits 4."""
    workspace, project_id = project
    keys_file = write_keys(tmp_path / "k.txt", lines)
    args = import_args(workspace, project_id, keys_file)

    text = await cli(*args)
    as_json = await cli(*args, "--json")

    summary = json.loads(as_json.stdout)
    assert (4, 4) == (text.code, as_json.code)
    assert text.err_lines[-1].startswith("Nothing to register: ")
    assert (True, 4, 0) == (
        summary["nothing_sendable"],
        summary["exit_code"],
        summary["registered"],
    )


#: Where the keys file of `test_systemic_stop_mid_run` stops being UTF-8.
_BAD_LINE = 1500


async def test_systemic_stop_mid_run_summarises_and_resumes(
    cli: Cli, emu: Emulator, project: tuple[str, int], tmp_path: Path
):
    """
    A keys file that turns bad midway: summary, JSON, resume hint and a
    report of every settled key; fixed and rerun, every key once.
    """
    workspace, project_id = project
    keys = [f"v/{i:05d}.mp4" for i in range(2000)]
    keys_file = tmp_path / "k.txt"
    good = "".join(k + "\n" for k in keys).encode()
    cut = good.index(keys[_BAD_LINE - 1].encode())
    keys_file.write_bytes(good[:cut] + b"\xff" + good[cut:])
    journal, report = tmp_path / "j", tmp_path / "r.jsonl"
    args = [
        *import_args(workspace, project_id, keys_file),
        "--journal",
        str(journal),
        "--report",
        str(report),
        "--concurrency",
        "2",
        # The in-process emulator lands nothing late: a key left sent
        # without an outcome is looked up at once, not after 61 s.
        "--reconcile-delay",
        "0",
        "--json",
    ]

    stopped = await cli(*args)
    rows = read_report(report)
    keys_file.write_bytes(good)
    resumed = await cli(*args)

    summary = json.loads(stopped.stdout)
    assert 2 == stopped.code
    assert 2 == summary["exit_code"]
    assert "not UTF-8" in summary["error"]
    assert 0 < summary["registered"] < _BAD_LINE
    registered = [row for row in rows if row["status"] == "registered"]
    assert summary["registered"] == len(registered)
    # Keys read ahead but never sent are reported as not attempted.
    assert {"registered", "not_attempted"} >= {row["status"] for row in rows}
    assert "Once the cause below is fixed, to resume" in stopped.stderr
    assert stopped.err_lines[-1].startswith("maiu-async: ")
    assert "not UTF-8" in stopped.err_lines[-1]
    assert 0 == resumed.code, resumed.stderr
    assert 2000 == json.loads(resumed.stdout)["registered"]
    assert 2000 == emu.stats.assets_created
