# ruff: noqa: INP001, T201
# (A standalone script, not a package; it reports by printing.)
"""
Create a workspace and a project, and register a few keys one by one.

Credentials and endpoint come from the environment
(``NCLOUD_ACCESS_KEY_ID``, ``NCLOUD_SECRET_ACCESS_KEY``, ``MAIU_ENDPOINT``);
try it against the emulator::

    python -m maiu_async.emulator --port 8080 --access-key K --secret-key S
    NCLOUD_ACCESS_KEY_ID=K NCLOUD_SECRET_ACCESS_KEY=S \
        MAIU_ENDPOINT=http://127.0.0.1:8080 python examples/quickstart.py
"""

from __future__ import annotations

import asyncio
import sys

from maiu_async import Conflict, MaiuClient


WORKSPACE = "quickstart"
BUCKET = "media"
KEYS = ("videos/intro.mp4", "videos/talk.mkv", "images/poster.png")


async def main(workspace: str) -> None:
    """
    Set up the workspace and project, then register `KEYS`.
    """
    async with MaiuClient() as client:
        try:
            await client.workspaces.create(workspace, bucket_name=BUCKET)
            print(f"created workspace {workspace}")
        except Conflict:
            print(f"workspace {workspace} exists")
        project = await client.projects.create(workspace, "first steps")
        print(f"created project {project.project_id} ({project.name})")
        for key in KEYS:
            asset = await client.assets.register(
                workspace, project.project_id, key=key, bucket_name=BUCKET
            )
            print(f"registered {key} as asset {asset.asset_id}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else WORKSPACE))
