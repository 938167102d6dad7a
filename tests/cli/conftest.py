"""
Fixtures for the CLI's tests; the helpers are in ``clihelpers``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from clihelpers import (
    Cli,
    EmulatorProcess,
    cli_for,
    make_project,
    start_emulator,
)


if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture(name="home", scope="module")
def _home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(name="emulator", scope="module")
def _emulator(home: Path) -> Iterator[EmulatorProcess]:
    with start_emulator(home) as emu:
        yield emu


@pytest.fixture(name="cli")
def _cli(emulator: EmulatorProcess, home: Path, tmp_path: Path) -> Cli:
    return cli_for(emulator.url, home, tmp_path)


@pytest.fixture(name="project")
def _project(emulator: EmulatorProcess) -> tuple[str, int]:
    return make_project(emulator.url)
