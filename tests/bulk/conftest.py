"""
Fixtures for the bulk engine's tests: emulators and clients.

Every end-to-end test talks to the in-process emulator over loopback.
"""

from __future__ import annotations

import contextlib

from typing import Any

import pytest

from bulk_support import (
    ACCESS_KEY,
    BUCKET,
    SECRET_KEY,
    WORKSPACE,
    Gate,
    Target,
    gated_emulator,
)

from maiu_async import MaiuClient
from maiu_async.emulator import Emulator


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


@pytest.fixture(name="launch_gated")
async def _launch_gated():
    """Start emulators behind a `Gate` that holds registrations."""
    async with contextlib.AsyncExitStack() as stack:

        async def launch(gate: Gate, **knobs: Any) -> Target:
            server = await stack.enter_async_context(
                gated_emulator(gate, **knobs)
            )
            server.state.add_workspace(WORKSPACE, BUCKET)
            project = server.state.add_project(WORKSPACE, "bulk-project")
            return Target(server, WORKSPACE, project.project_id)

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
