"""
Helpers for the CLI's tests: an in-process CLI runner and servers.

How the CLI runs here: ``maiu_async.cli.main(argv)`` is called in a
worker thread (``anyio.to_thread``) of an anyio test, while the emulator
serves on the test's own event loop.  ``main`` runs its own event loop
with `asyncio.run`, which cannot nest in the test's loop, and a worker
thread keeps the emulator answering meanwhile; the test can seed and
read the emulator's state in its own thread, with no locking.

Output is captured with pytest's ``capsys``: ``main`` writes to
`sys.stdout` and `sys.stderr` as they are when it writes.  Credentials
pass through the environment (``monkeypatch.setenv``), as users pass
them, with ``HOME`` in a temporary directory.  Every run is checked for
the two things no run may ever print: the secret key and a traceback.

Only the tests of ``test_cli_process.py`` start processes, each in a
context manager that kills it in ``finally``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys

from typing import TYPE_CHECKING, Any, Final

import anyio
import attrs

from aiohttp import web
from testkeys import SECRET_KEY

from maiu_async.cli import main


if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from pathlib import Path

    import pytest


BUCKET: Final = "media-bucket"
#: A failure guard for one in-process run, not an expectation: a run
#: that hangs fails the test instead of hanging the suite.
RUN_GUARD: Final = 120.0


@attrs.frozen
class Result:
    """What one CLI run did."""

    code: int
    stdout: str
    stderr: str

    @property
    def err_lines(self) -> list[str]:
        """Non-empty lines of stderr."""
        return [line for line in self.stderr.splitlines() if line.strip()]


def check_clean(stdout: str, stderr: str) -> None:
    """No secret and no traceback, whatever happened."""
    assert SECRET_KEY not in stdout
    assert SECRET_KEY not in stderr
    assert "Traceback" not in stdout + stderr


@contextlib.contextmanager
def _stdin(text: str | None) -> Iterator[None]:
    """
    Make `sys.stdin` a pipe holding *text*, then the end of input.

    The CLI reads standard input by its file descriptor, which pytest's
    own replacement of `sys.stdin` does not have.
    """
    if text is None:
        yield
        return
    data = text.encode()
    read_fd, write_fd = os.pipe()
    try:
        os.write(write_fd, data)  # far below a pipe's capacity
    finally:
        os.close(write_fd)
    saved = sys.stdin
    with open(read_fd, encoding="utf-8") as pipe:  # noqa: PTH123 -- an fd
        sys.stdin = pipe
        try:
            yield
        finally:
            sys.stdin = saved


@attrs.define
class Cli:
    """Runs ``maiu_async.cli.main`` in a worker thread, output captured."""

    capsys: pytest.CaptureFixture[str]

    async def __call__(self, *args: str, stdin: str | None = None) -> Result:
        """Run the CLI with *args* to completion."""
        self.capsys.readouterr()  # whatever came before is not ours
        with _stdin(stdin), anyio.fail_after(RUN_GUARD):
            code = await anyio.to_thread.run_sync(
                main, list(args), abandon_on_cancel=True
            )
        out, err = self.capsys.readouterr()
        check_clean(out, err)
        return Result(code, out, err)


@contextlib.asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """
    Serve *app* on a free loopback port; yield its URL.

    For emulator apps that a test extends with a middleware of its own.
    """
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        yield f"http://127.0.0.1:{site.port}"
    finally:
        await runner.cleanup()


def write_keys(path: Path, keys: list[str], newline: str = "\n") -> Path:
    """Write *keys* one per line."""
    path.write_bytes("".join(k + newline for k in keys).encode())
    return path


def read_report(path: Path) -> list[dict[str, Any]]:
    """The per-key JSONL report, parsed."""
    return [json.loads(line) for line in path.read_text().splitlines()]


def import_args(
    workspace: str, project_id: int, keys_file: Path | str, *more: str
) -> list[str]:
    """The arguments of an import of *keys_file* into a project."""
    return [
        "import",
        "--workspace",
        workspace,
        "--project-id",
        str(project_id),
        "--bucket",
        BUCKET,
        "--keys-file",
        str(keys_file),
        *more,
    ]
