"""
Assets over loopback.
"""

from __future__ import annotations

import pytest

from maiu_async import NotFound, ValidationError


pytestmark = pytest.mark.anyio


@pytest.fixture(name="project")
async def _project(client):
    await client.workspaces.create("asset-ws", bucket_name="media")
    project = await client.projects.create("asset-ws", "clips")
    other = await client.projects.create("asset-ws", "other")
    return project.project_id, other.project_id


async def test_register_list_get_move_delete(client, project):
    """Register, list, read, move and delete an asset."""
    pid, other = project
    first = await client.assets.register(
        "asset-ws", pid, key="v/a.mp4", bucket_name="media"
    )
    second = await client.assets.register(
        "asset-ws", pid, key="v/b.png", bucket_name="media"
    )
    page = await client.assets.list("asset-ws", pid)
    got = await client.assets.get("asset-ws", pid, first.asset_id)
    moved = await client.assets.move(
        "asset-ws", pid, first.asset_id, new_project_id=other
    )
    await client.assets.delete("asset-ws", other, first.asset_id)

    assert second.asset_id > first.asset_id
    assert first.created_user_name is not None
    assert ["v/a.mp4", "v/b.png"] == [a.file_name for a in page.content]
    assert "v/a.mp4" == got.file_name
    assert other == moved.project_id
    with pytest.raises(NotFound):
        await client.assets.get("asset-ws", other, first.asset_id)


async def test_import_status(client, project):
    """A registered asset reports its import status."""
    pid, _ = project
    asset = await client.assets.register(
        "asset-ws", pid, key="a.mov", bucket_name="media"
    )

    status = await client.assets.import_status("asset-ws", pid, asset.asset_id)

    assert asset.asset_id == status.asset_id
    assert status.upload_status in {"IN_PROGRESS", "COMPLETED"}


async def test_iterate_all_pages(emu, client, project):
    """iterate() returns every asset across pages, in id order."""
    pid, _ = project
    for i in range(7):
        await client.assets.register(
            "asset-ws", pid, key=f"k{i}.mp4", bucket_name="media"
        )

    keys = [
        a.file_name
        async for a in client.assets.iterate("asset-ws", pid, page_size=3)
    ]

    assert [f"k{i}.mp4" for i in range(7)] == keys
    assert 3 == emu.stats.by_route.get("list_assets", 0)


@pytest.mark.parametrize(
    ("key", "bucket"),
    [("", "b"), ("dir/", "b"), ("a.txt", "b"), ("a.mp4", "")],
)
async def test_invalid_input_sends_nothing(emu, client, project, key, bucket):
    """Bad keys and buckets are refused before sending."""
    pid, _ = project
    before = emu.stats.requests

    with pytest.raises(ValidationError):
        await client.assets.register(
            "asset-ws", pid, key=key, bucket_name=bucket
        )

    assert before == emu.stats.requests


async def test_unknown_project(client, project):
    """Registering into a missing project is NotFound."""
    with pytest.raises(NotFound):
        await client.assets.register(
            "asset-ws", 999999, key="a.mp4", bucket_name="media"
        )
