"""
Fixtures for sharded imports: an emulator with a project, key lists.

The clusters are real `LocalCluster`s of worker processes, started by
`import_sharded` itself and closed when it returns.
"""

from __future__ import annotations

import collections
import contextlib
import json

from typing import TYPE_CHECKING, Any

import pytest

from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import Credentials
from maiu_async.emulator import Emulator


if TYPE_CHECKING:
    from pathlib import Path

pytest.importorskip("distributed")

WORKSPACE = "dist-ws"
BUCKET = "dist-bucket"
CREDENTIALS = Credentials(ACCESS_KEY, SECRET_KEY)


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


def video_keys(n: int, prefix: str = "v") -> list[str]:
    """*n* distinct video keys."""
    return [f"{prefix}/{i:06d}.mp4" for i in range(n)]


def assets_by_key(emu: Emulator, project_id: int) -> collections.Counter[str]:
    """How many assets the emulator holds per key."""
    return collections.Counter(
        a.key for a in emu.state.assets_of(WORKSPACE, project_id)
    )


def report_keys(directory: Path) -> collections.Counter[str]:
    """How many lines the shards' reports hold per key."""
    found: collections.Counter[str] = collections.Counter()
    for path in sorted((directory / "shards").glob("*.report.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            found[json.loads(line)["key"]] += 1
    return found
