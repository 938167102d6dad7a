"""
The public API as a type checker sees it; checked by mypy, never run.
"""

from __future__ import annotations

from typing import assert_type

from maiu_async import (
    USE_CLIENT_DEFAULT,
    Asset,
    Credentials,
    ImportStatus,
    MaiuClient,
    Page,
    Project,
    ProjectList,
    RetryPolicy,
    Workspace,
)


async def use() -> None:
    """Exercise every resource method's types."""
    async with MaiuClient(Credentials("ak", "sk")) as client:
        assert_type(client, MaiuClient)
        assert_type(await client.workspaces.create("ws"), Workspace)
        assert_type(await client.workspaces.get("ws"), Workspace)
        assert_type(await client.workspaces.list(), Page[Workspace])
        async for ws in client.workspaces.iterate():
            assert_type(ws, Workspace)
        assert_type(await client.projects.list("ws"), ProjectList)
        p = await client.projects.create("ws", "p", retry=None)
        assert_type(p, Project)
        assert_type(
            await client.projects.update("ws", p.project_id, name="q"),
            Project,
        )
        a = await client.assets.register(
            "ws", 1, key="a.mp4", bucket_name="b", retry=RetryPolicy()
        )
        assert_type(a, Asset)
        assert_type(
            await client.assets.list("ws", 1, retry=USE_CLIENT_DEFAULT),
            Page[Asset],
        )
        assert_type(
            await client.assets.import_status("ws", 1, a.asset_id),
            ImportStatus,
        )
        async for asset in client.assets.iterate("ws", 1):
            assert_type(asset, Asset)
        assert_type(await client.assets.delete("ws", 1, 2), None)
