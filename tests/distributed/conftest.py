"""
Fixtures for sharded imports: an emulator with a project.

The clusters are real `LocalCluster`s of worker processes, started by
`import_sharded` itself and closed when it returns.  Helpers are in
``dask_support``.
"""

from __future__ import annotations

import contextlib

from typing import Any

import pytest

from dask_support import BUCKET, WORKSPACE
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async.emulator import Emulator


pytest.importorskip("distributed")


@pytest.fixture(name="launch")
async def _launch():
    """Start emulators with knobs; each gets a workspace and project."""
    async with contextlib.AsyncExitStack() as stack:

        async def launch(**knobs: Any) -> tuple[Emulator, int]:
            emu = Emulator(
                access_key=ACCESS_KEY, secret_key=SECRET_KEY, **knobs
            )
            emu.state.add_workspace(WORKSPACE, BUCKET)
            project = emu.state.add_project(WORKSPACE, "dist-project")
            await stack.enter_async_context(emu)
            return emu, project.project_id

        yield launch
