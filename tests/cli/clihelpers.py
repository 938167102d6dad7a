"""
Helpers for the CLI's tests: emulator processes and a CLI runner.

The CLI runs as a real subprocess (``python -m maiu_async.cli``) against
an emulator that is a subprocess too, with credentials passed the way
users pass them: through the environment.  Every run is checked for the
two things no run may ever print: the secret key and a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import select
import subprocess
import sys
import urllib.request
import uuid

from typing import TYPE_CHECKING, Any

import attrs

from maiu_async import MaiuClient, RetryPolicy


if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


ACCESS_KEY = "AKIDCLITEST00001"
SECRET_KEY = "cli-secret-NEVER-shown-9f3a7c"
BUCKET = "media-bucket"
STARTUP_TIMEOUT = 20.0


@attrs.frozen
class EmulatorProcess:
    """An emulator running as a subprocess."""

    url: str
    proc: subprocess.Popen[str]

    def stats(self) -> dict[str, Any]:
        """Return the emulator's counters."""
        url = f"{self.url}/_emulator/stats"  # always http://127.0.0.1
        with urllib.request.urlopen(url) as r:  # noqa: S310 -- see above
            return json.loads(r.read())  # type: ignore[no-any-return]


def clean_env(home: Path) -> dict[str, str]:
    """The environment minus any credential or endpoint, HOME elsewhere."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NCLOUD_", "MAIU_"))
    }
    env["HOME"] = str(home)
    env["COLUMNS"] = "200"
    env["PYTHONUNBUFFERED"] = "1"
    return env


@contextlib.contextmanager
def start_emulator(home: Path, *flags: str) -> Iterator[EmulatorProcess]:
    """Start ``python -m maiu_async.emulator --port 0`` and wait for it."""
    env = clean_env(home)
    env["MAIU_EMULATOR_ACCESS_KEY"] = ACCESS_KEY
    env["MAIU_EMULATOR_SECRET_KEY"] = SECRET_KEY
    proc = subprocess.Popen(
        [sys.executable, "-m", "maiu_async.emulator", "--port", "0", *flags],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], STARTUP_TIMEOUT)
        assert ready, "the emulator did not start"
        line = proc.stdout.readline()
        prefix = "maiu-async emulator listening on "
        assert line.startswith(prefix), line
        yield EmulatorProcess(url=line[len(prefix) :].strip(), proc=proc)
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


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
    assert "Traceback" not in stderr


@attrs.define
class Cli:
    """Runs ``python -m maiu_async.cli`` with a given environment."""

    env: dict[str, str]
    cwd: Path

    def command(self, *args: str) -> list[str]:
        """The argv that runs the CLI with *args*."""
        return [sys.executable, "-m", "maiu_async.cli", *args]

    def __call__(
        self,
        *args: str,
        stdin: str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> Result:
        """Run the CLI to completion."""
        done = subprocess.run(
            self.command(*args),
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env if env is None else env,
            cwd=self.cwd,
            timeout=timeout,
            check=False,
        )
        check_clean(done.stdout, done.stderr)
        return Result(done.returncode, done.stdout, done.stderr)

    def popen(self, *args: str) -> subprocess.Popen[str]:
        """Start the CLI in the background."""
        return subprocess.Popen(
            self.command(*args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
            cwd=self.cwd,
        )


def cli_for(url: str, home: Path, cwd: Path) -> Cli:
    """A runner with credentials in the environment and *url* as endpoint."""
    env = clean_env(home)
    env["NCLOUD_ACCESS_KEY_ID"] = ACCESS_KEY
    env["NCLOUD_SECRET_ACCESS_KEY"] = SECRET_KEY
    env["MAIU_ENDPOINT"] = url
    return Cli(env=env, cwd=cwd)


def unique_workspace() -> str:
    """A fresh workspace name."""
    return f"ws-{uuid.uuid4().hex[:12]}"


def make_project(url: str, name: str = "target") -> tuple[str, int]:
    """
    Create a workspace and a project through the SDK, patiently.

    Patient because some emulators here inject faults on every route.
    """
    workspace = unique_workspace()

    async def create() -> int:
        async with MaiuClient(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            endpoint=url,
            retry=RetryPolicy(attempts=40, initial=0.01, maximum=0.05),
        ) as client:
            await client.workspaces.create(workspace, bucket_name=BUCKET)
            project = await client.projects.create(workspace, name)
            return project.project_id

    return workspace, asyncio.run(create())


def write_keys(path: Path, keys: list[str], newline: str = "\n") -> Path:
    """Write *keys* one per line."""
    path.write_bytes("".join(k + newline for k in keys).encode())
    return path


def read_report(path: Path) -> list[dict[str, Any]]:
    """The per-key JSONL report, parsed."""
    return [json.loads(line) for line in path.read_text().splitlines()]
