"""
Fixtures for the bulk engine's tests: emulators and clients.

Every end-to-end test talks to the in-process emulator over loopback.
"""

from __future__ import annotations

import contextlib

from typing import Any

import pytest

from bulk_support import ACCESS_KEY, BUCKET, SECRET_KEY, WORKSPACE, Target

from maiu_async import MaiuClient
from maiu_async.emulator import Emulator


@pytest.fixture(name="anyio_backend")
def _anyio_backend():
    return "asyncio"


@pytest.fixture(name="launch")
async def _launch():
    """Start emulators with knobs; each gets a workspace and project."""
    async with contextlib.AsyncExitStack() as stack:

        async def launch(**knobs: Any) -> Target:
            emu = Emulator(
                access_key=ACCESS_KEY, secret_key=SECRET_KEY, **knobs
            )
            emu.state.add_workspace(WORKSPACE, BUCKET)
            project = emu.state.add_project(WORKSPACE, "bulk-project")
            await stack.enter_async_context(emu)
            return Target(emu, WORKSPACE, project.project_id)

        yield launch


@pytest.fixture(name="target")
async def _target(launch):
    return await launch()


@pytest.fixture(name="open_client")
async def _open_client():
    """Open clients for targets; closed after the test."""
    async with contextlib.AsyncExitStack() as stack:

        async def open_client(target: Target, **options: Any) -> MaiuClient:
            client = MaiuClient(
                access_key=options.pop("access_key", ACCESS_KEY),
                secret_key=SECRET_KEY,
                endpoint=target.emu.url,
                **options,
            )
            return await stack.enter_async_context(client)

        yield open_client


@pytest.fixture(name="client")
async def _client(target, open_client):
    return await open_client(target)


def pytest_collection_modifyitems(config, items):
    """Skip ``heavy`` bulk tests unless ``-m`` asks for them."""
    if "heavy" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="heavy: run with -m heavy")
    here = str(__file__).rsplit("/", 1)[0]
    for item in items:
        if "heavy" in item.keywords and str(item.path).startswith(here):
            item.add_marker(skip)
