"""
The scripts of examples/ run against the emulator and do what they say.

Each runs as a user would run it: a separate Python process with the
emulator's URL and keys in its environment.
"""

from __future__ import annotations

import os
import subprocess
import sys

from pathlib import Path

import anyio
import pytest

from testkeys import ACCESS_KEY, SECRET_KEY


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
#: A guard against a hung script, not an expectation.
TIMEOUT = 300


@pytest.fixture(name="run")
def _run(emu, tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NCLOUD_", "MAIU_"))
    }
    env |= {
        "NCLOUD_ACCESS_KEY_ID": ACCESS_KEY,
        "NCLOUD_SECRET_ACCESS_KEY": SECRET_KEY,
        "MAIU_ENDPOINT": emu.url,
        "HOME": str(tmp_path),
    }

    async def run(*args: str) -> str:
        with anyio.fail_after(TIMEOUT):
            done = await anyio.run_process(
                [sys.executable, *args],
                cwd=tmp_path,
                env=env,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        out = done.stdout.decode()
        err = done.stderr.decode()
        assert (0, "") == (done.returncode, err), out
        assert SECRET_KEY not in out
        return out

    return run


@pytest.mark.anyio
async def test_quickstart(run, emu):
    """The quickstart creates its workspace and registers its three keys."""
    out = await run(str(EXAMPLES / "quickstart.py"), "first-space")

    assert "created workspace first-space" in out
    assert 3 == out.count("registered ")
    assert 3 == emu.stats.assets_created


@pytest.mark.anyio
async def test_import_keys_file_resumes(run, emu, tmp_path):
    """A second run with the same journal registers nothing again."""
    keys = tmp_path / "keys.txt"
    keys.write_text(
        "".join(f"videos/{n}.mp4\n" for n in range(40)) + "notes.txt\n",
        encoding="utf-8",
    )
    script = str(EXAMPLES / "import_keys_file.py")
    args = (script, "keys-space", "clips", "media", str(keys))

    first = await run(*args, "--journal", "import.journal")
    second = await run(*args, "--journal", "import.journal")

    assert "registered 40 (resumed 0), skipped 1, failed 0" in first
    assert "registered 40 (resumed 40), skipped 1" in second
    assert "requests 0" in second
    assert 40 == emu.stats.assets_created


@pytest.mark.anyio
async def test_stream_outcomes(run, emu):
    """Every key's outcome is printed, the invalid ones as skipped."""
    script = str(EXAMPLES / "stream_outcomes.py")

    out = await run(script, "stream-space", "media", "12")

    lines = out.splitlines()
    assert 12 == sum("\tasset " in line for line in lines)
    assert 2 == sum("\tskipped: " in line for line in lines)
    assert "12 registered, 2 skipped" == lines[-1]


@pytest.mark.anyio
async def test_the_pytest_example_passes(tmp_path):
    """The example test module passes under pytest, as a user runs it."""
    with anyio.fail_after(TIMEOUT):
        done = await anyio.run_process(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                str(EXAMPLES / "test_with_emulator.py"),
            ],
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    out = done.stdout.decode()
    assert 0 == done.returncode, out + done.stderr.decode()
    assert "2 passed" in out
