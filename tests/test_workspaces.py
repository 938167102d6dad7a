"""
Workspaces over loopback.
"""

from __future__ import annotations

import pytest

from maiu_async import Conflict, NotFound, ValidationError


pytestmark = pytest.mark.anyio


async def test_create_get_list_delete(emu, client):
    """The workspace life cycle works and fields come back typed."""
    ws = await client.workspaces.create("media-ws", bucket_name="bucket-1")
    got = await client.workspaces.get("media-ws")
    page = await client.workspaces.list()
    await client.workspaces.delete("media-ws")

    assert "media-ws" == ws.workspace_name
    assert "bucket-1" == ws.bucket_name
    assert ws.created_time is not None
    assert "bucket-1" == got.bucket_name
    assert got.workspace_url is not None
    assert ["media-ws"] == [w.workspace_name for w in page.content]
    assert 1 == page.total_count
    with pytest.raises(NotFound):
        await client.workspaces.get("media-ws")


async def test_duplicate_is_conflict(client):
    """Creating an existing workspace raises Conflict (409)."""
    await client.workspaces.create("twice")

    with pytest.raises(Conflict) as info:
        await client.workspaces.create("twice")

    assert 409 == info.value.status


@pytest.mark.parametrize("name", ["ab", "Upper", "has space", "a" * 64])
async def test_invalid_names_send_nothing(emu, client, name):
    """Invalid workspace names are refused before any request."""
    with pytest.raises(ValidationError):
        await client.workspaces.create(name)

    assert 0 == emu.stats.requests


async def test_iterate_pages(emu, client):
    """iterate() walks every page of workspaces."""
    for i in range(5):
        emu.state.add_workspace(f"ws-{i}")

    names = [
        w.workspace_name async for w in client.workspaces.iterate(page_size=2)
    ]

    assert [f"ws-{i}" for i in range(5)] == sorted(names)
