"""
Fixtures for the CLI's tests; the helpers are in ``clihelpers``.

The ``emu`` fixture (an in-process emulator, one per test) comes from the
root ``conftest.py``.
"""

from __future__ import annotations

import os
import threading

from typing import TYPE_CHECKING

import pytest

from clihelpers import BUCKET, Cli
from testkeys import ACCESS_KEY, SECRET_KEY


if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from maiu_async.emulator import Emulator


#: How long a thread started by a test may take to end after it; a
#: failure guard, not an expectation.
THREAD_GUARD = 60.0


@pytest.fixture(autouse=True, name="no_leaked_threads")
def _no_leaked_threads() -> Iterator[None]:
    """
    Fail a test that leaves a thread running.

    Set up before and torn down after every other fixture of the test,
    so the threads of its emulators and event loops are over by then.
    """
    before = set(threading.enumerate())
    yield
    leaked = []
    for thread in set(threading.enumerate()) - before:
        thread.join(THREAD_GUARD)
        if thread.is_alive():
            leaked.append(thread.name)
    assert [] == leaked


@pytest.fixture(name="home")
def _home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


@pytest.fixture(autouse=True, name="environment")
def _environment(
    monkeypatch: pytest.MonkeyPatch, home: Path, tmp_path: Path
) -> None:
    """
    Credentials in the environment and nothing else of ours; HOME and the
    working directory aside.
    """
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("NCLOUD_", "MAIU_", "AWS_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", SECRET_KEY)


@pytest.fixture(name="cli")
def _cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


@pytest.fixture(name="endpoint")
def _endpoint(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> str:
    """The emulator's URL, also as $MAIU_ENDPOINT."""
    monkeypatch.setenv("MAIU_ENDPOINT", emu.url)
    return emu.url


@pytest.fixture(name="project")
def _project(emu: Emulator, endpoint: str) -> tuple[str, int]:
    """A workspace with a project, seeded straight into the emulator."""
    emu.state.add_workspace("media", BUCKET)
    return "media", emu.state.add_project("media", "target").project_id
