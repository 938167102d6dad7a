"""
Helpers of the sharded-import tests: names, key lists, counts.

A module with a unique name (not ``conftest``), so that ``from
dask_support import ...`` finds it whichever folders a run collects.
"""

from __future__ import annotations

import collections
import json

from typing import TYPE_CHECKING

from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import Credentials


if TYPE_CHECKING:
    from pathlib import Path

    from maiu_async.emulator import Emulator

WORKSPACE = "dist-ws"
BUCKET = "dist-bucket"
CREDENTIALS = Credentials(ACCESS_KEY, SECRET_KEY)


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
