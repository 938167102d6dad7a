# ruff: noqa: INP001, S101, SIM300
# (A test module to copy into your own project, not a package; pytest
# asserts, written `expected == actual`.)
"""
Test your own code against the emulator, with pytest and anyio's plugin.

Each test gets a fresh emulator on a free loopback port and a client
pointed at it; nothing leaves the machine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from maiu_async import MaiuClient, RetryPolicy, ServerError
from maiu_async.emulator import Emulator, Faults


if TYPE_CHECKING:
    from collections.abc import AsyncIterator


ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"  # noqa: S105 -- the emulator's own


async def register_all(
    client: MaiuClient, workspace: str, project_id: int, keys: list[str]
) -> list[int]:
    """
    The code under test: register *keys*, return the new asset ids.
    """
    ids = []
    for key in keys:
        asset = await client.assets.register(
            workspace, project_id, key=key, bucket_name="media"
        )
        ids.append(asset.asset_id)
    return ids


@pytest.fixture(name="anyio_backend")
def _anyio_backend() -> str:
    # aiohttp runs on asyncio only.
    return "asyncio"


@pytest.fixture(name="emu")
async def _emu() -> AsyncIterator[Emulator]:
    async with Emulator(access_key=ACCESS_KEY, secret_key=SECRET_KEY) as emu:
        emu.state.add_workspace("test-space", "media")
        yield emu


@pytest.fixture(name="client")
async def _client(emu: Emulator) -> AsyncIterator[MaiuClient]:
    async with MaiuClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=emu.url
    ) as client:
        yield client


@pytest.mark.anyio
async def test_registers_every_key(emu: Emulator, client: MaiuClient) -> None:
    """Each key becomes one asset of the project."""
    project = emu.state.add_project("test-space", "clips")

    ids = await register_all(
        client, "test-space", project.project_id, ["a.mp4", "b.mov"]
    )

    assert 2 == len(set(ids))
    assert 2 == emu.stats.assets_created


@pytest.mark.anyio
async def test_a_busy_server_creates_nothing() -> None:
    """Every 503 is retried, then raised; no asset is created."""
    async with (
        Emulator(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            faults=Faults(error_503=1.0),
        ) as emu,
        MaiuClient(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            endpoint=emu.url,
            retry=RetryPolicy(attempts=3, initial=0.0),
        ) as client,
    ):
        emu.state.add_workspace("test-space", "media")
        project = emu.state.add_project("test-space", "clips")

        with pytest.raises(ServerError):
            await register_all(
                client, "test-space", project.project_id, ["a.mp4"]
            )

    assert 3 == emu.stats.requests
    assert 0 == emu.stats.assets_created
