"""
The few CLI tests where a real process is the point.

- Ctrl-C: a real SIGINT to an import in progress; SIGTERM and SIGHUP,
  with stderr a pipe (no TTY), so that the progress lines show.
- ``python -m maiu_async.cli``: the exit status reaches the shell.
- A fresh interpreter without click and rich: the package and the
  emulator passthrough import neither.

Each process lives in `spawn`, which kills it in ``finally``; every wait
has a generous guard that fails the test instead of hanging it, and no
wait is a bet on timing.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import signal
import subprocess
import sys

from typing import TYPE_CHECKING

import anyio
import attrs
import pytest

from aiohttp import web
from clihelpers import (
    BUCKET,
    check_clean,
    import_args,
    read_report,
    serve,
    write_keys,
)
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async.emulator import EmulatorConfig, EmulatorState, Stats, make_app


if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable
    from pathlib import Path

    from aiohttp.typedefs import Handler
    from anyio.abc import ByteReceiveStream, Process
    from clihelpers import Cli


pytestmark = pytest.mark.anyio

#: A failure guard for anything a process does, not an expectation.
GUARD = 120.0
#: Keys of the stopped imports: the gate holds all but the first five,
#: so a stop always finds most of them not yet sent.
KEYS = 60


@contextlib.asynccontextmanager
async def spawn(*args: str) -> AsyncIterator[Process]:
    """Start ``python *args`` with the test's environment; kill it after."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = await anyio.open_process(
        [sys.executable, *args], stdin=subprocess.DEVNULL, env=env
    )
    try:
        yield proc
    finally:
        with anyio.CancelScope(shield=True):
            if proc.returncode is None:
                proc.kill()
            await proc.aclose()


async def _read_until(
    stream: ByteReceiveStream, needle: str, seen: bytearray
) -> None:
    """Read *stream* into *seen* until it holds *needle*."""
    while needle.encode() not in seen:
        seen += await stream.receive()


async def _read_all(stream: ByteReceiveStream, seen: bytearray) -> None:
    with contextlib.suppress(anyio.EndOfStream):
        while True:
            seen += await stream.receive()


async def communicate(
    proc: Process, out: bytearray, err: bytearray
) -> tuple[int, str, str]:
    """Read both pipes to their end, at once; wait for the exit status."""
    assert proc.stdout is not None
    assert proc.stderr is not None
    async with anyio.create_task_group() as tg:
        tg.start_soon(_read_all, proc.stdout, out)
        tg.start_soon(_read_all, proc.stderr, err)
    returncode = await proc.wait()
    stdout, stderr = out.decode(), err.decode()
    check_clean(stdout, stderr)
    return returncode, stdout, stderr


@attrs.define
class Gate:
    """
    Lets the first *open_for* registrations through, then holds the
    others until `release` is set; `held` is set when one is held.
    """

    open_for: int
    held: anyio.Event = attrs.field(factory=anyio.Event)
    release: anyio.Event = attrs.field(factory=anyio.Event)
    passed: int = 0

    def middleware(
        self,
    ) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
        """The aiohttp middleware that does it."""

        @web.middleware
        async def gate(
            request: web.Request, handler: Handler
        ) -> web.StreamResponse:
            if request.method == "POST" and request.path.endswith(
                "/object-storage"
            ):
                if self.passed < self.open_for:
                    self.passed += 1
                else:
                    self.held.set()
                    await self.release.wait()
            return await handler(request)

        return gate


async def test_ctrl_c_stops_cleanly_and_resumes(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """SIGINT settles, flushes the journal and prints a working resume."""
    keys = [f"videos/clip-{i:04d}.mp4" for i in range(KEYS)]
    keys_file = write_keys(tmp_path / "keys.txt", keys)
    journal = tmp_path / "import.journal"
    config = EmulatorConfig(access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    state, stats = EmulatorState(), Stats()
    state.add_workspace("media", BUCKET)
    project_id = state.add_project("media", "target").project_id
    app = make_app(config, state=state, stats=stats)
    gate = Gate(open_for=5)
    app.middlewares.append(gate.middleware())
    out, err = bytearray(), bytearray()

    async with serve(app) as url:
        monkeypatch.setenv("MAIU_ENDPOINT", url)
        try:
            async with spawn(
                "-m",
                "maiu_async.cli",
                *import_args("media", project_id, keys_file),
                "--journal",
                str(journal),
                "--concurrency",
                "2",
            ) as proc:
                assert proc.stderr is not None
                with anyio.fail_after(GUARD):
                    # Five keys are registered; the next ones are held, so
                    # the import is certainly still running.
                    await gate.held.wait()
                    proc.send_signal(signal.SIGINT)
                    await _read_until(proc.stderr, "Stopping", err)
                    gate.release.set()
                    returncode, stdout, stderr = await communicate(
                        proc, out, err
                    )
        finally:
            gate.release.set()
        hint = stderr.splitlines()[-1].strip()
        prog, *argv = shlex.split(hint)

        # The held requests were answered before the run ended: nothing
        # lands late, so the resume need not wait out the request timeout.
        resumed = await cli(*argv, "--reconcile-delay", "0", "--json")

    assert 130 == returncode, stderr
    assert "" == stdout
    assert "Interrupted (SIGINT)." in stderr
    assert "To resume, run the same command" in stderr
    assert ("maiu-async", str(journal)) == (
        prog,
        argv[argv.index("--journal") + 1],
    )
    summary = json.loads(resumed.stdout)
    assert 0 == resumed.code, resumed.stderr
    assert KEYS == summary["registered"] == stats.assets_created
    assert 0 < summary["resumed"] < KEYS


#: Box drawing, block elements, check marks and ANSI escapes.
_DRAWING = re.compile("[\u2500-\u259f\u2713\u2717\u2022\u00b7\x1b]")


@pytest.mark.parametrize(
    ("signum", "code"),
    [
        pytest.param(signal.SIGTERM, 143, id="SIGTERM"),
        pytest.param(signal.SIGHUP, 129, id="SIGHUP"),
    ],
)
async def test_sigterm_and_sighup_stop_in_order(
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    signum: signal.Signals,
    code: int,
):
    """
    Without a TTY a stalled import prints progress lines; SIGTERM and
    SIGHUP then stop it as Ctrl-C does, with 128 + the signal's number,
    and the report and the journal hold every settled key.
    """
    keys = [f"videos/clip-{i:04d}.mp4" for i in range(KEYS)]
    keys_file = write_keys(tmp_path / "keys.txt", keys)
    journal, report = tmp_path / "import.journal", tmp_path / "r.jsonl"
    config = EmulatorConfig(access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    state, stats = EmulatorState(), Stats()
    state.add_workspace("media", BUCKET)
    project_id = state.add_project("media", "target").project_id
    app = make_app(config, state=state, stats=stats)
    gate = Gate(open_for=5)
    app.middlewares.append(gate.middleware())
    out, err = bytearray(), bytearray()

    async with serve(app) as url:
        monkeypatch.setenv("MAIU_ENDPOINT", url)
        try:
            async with spawn(
                "-m",
                "maiu_async.cli",
                *import_args("media", project_id, keys_file),
                "--journal",
                str(journal),
                "--report",
                str(report),
                "--concurrency",
                "2",
                "--progress-interval",
                "0.05",
            ) as proc:
                assert proc.stderr is not None
                with anyio.fail_after(GUARD):
                    await gate.held.wait()
                    # Held: only the periodic line can show progress now.
                    await _read_until(proc.stderr, "5 registered", err)
                    proc.send_signal(signum)
                    await _read_until(proc.stderr, "Stopping", err)
                    gate.release.set()
                    returncode, stdout, stderr = await communicate(
                        proc, out, err
                    )
        finally:
            gate.release.set()
        rows = read_report(report)
        hint = stderr.splitlines()[-1].strip()
        _prog, *argv = shlex.split(hint)
        # As after Ctrl-C: the held requests were answered before the run
        # ended, so a key journaled as sent without an outcome is looked
        # up at once instead of after the request timeout (61 s).
        resumed = await cli(*argv, "--reconcile-delay", "0", "--json")

    registered = [row for row in rows if row["status"] == "registered"]
    assert code == returncode, stderr
    assert "" == stdout
    assert None is _DRAWING.search(stderr), stderr
    assert "progress: " in stderr
    assert f"Interrupted ({signum.name})." in stderr
    # Keys read but never sent are in the report too, as not attempted.
    assert len(registered) >= 5
    assert {"registered", "not_attempted"} >= {row["status"] for row in rows}
    assert len(rows) == len({row["key"] for row in rows})
    assert KEYS == json.loads(resumed.stdout)["registered"]
    assert KEYS == stats.assets_created
    assert 0 == resumed.code, resumed.stderr


async def test_module_entry_exit_status():
    """``python -m maiu_async.cli`` exits with main's status."""
    async with spawn("-m", "maiu_async.cli", "projects", "frobnicate") as proc:
        with anyio.fail_after(GUARD):
            returncode, stdout, stderr = await communicate(
                proc, bytearray(), bytearray()
            )

    assert 2 == returncode
    assert "" == stdout
    assert 1 == len(stderr.splitlines())
    assert stderr.startswith("maiu-async: ")


_WITHOUT_EXTRA = """
import json
import sys

class NoCliExtra:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {"click", "rich"}:
            raise ImportError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, NoCliExtra())
from maiu_async.cli import main
codes = [main(["projects", "list", "-w", "w"]), main(["emulator", "--help"])]
imported = sorted({"click", "rich"} & set(sys.modules))
print(json.dumps({"codes": codes, "imported": imported}))
"""


async def test_fallback_without_click_in_a_fresh_interpreter():
    """Without click and rich: a one-line hint, and the emulator's CLI."""
    async with spawn("-c", _WITHOUT_EXTRA) as proc:
        with anyio.fail_after(GUARD):
            returncode, stdout, stderr = await communicate(
                proc, bytearray(), bytearray()
            )

    *helped, last = stdout.splitlines()
    assert 0 == returncode, stderr
    assert {"codes": [2, 0], "imported": []} == json.loads(last)
    assert "--fault-503" in "\n".join(helped)
    hint = (
        "maiu-async: this command needs the 'cli' extra (click is not "
        "installed); install it with: pip install 'maiu-async[cli]'"
    )
    assert [hint] == stderr.splitlines()
