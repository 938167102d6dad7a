"""
Register COUNT generated keys through a bare client; print peak RSS.

Usage: ``python memory_worker.py COUNT [JOURNAL]``.  Prints the number of
keys registered and the process's peak resident set size in bytes.
"""

from __future__ import annotations

import resource
import sys

from pathlib import Path
from typing import TYPE_CHECKING

import anyio
import anyio.lowlevel

from maiu_async import AdaptiveLimiter, Asset, Page
from maiu_async.bulk import register_many


if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable


class Assets:
    """Registers anything, remembering nothing (unlike a server)."""

    def __init__(self) -> None:
        self.count = 0

    async def register(self, *_: object, **__: object) -> Asset:
        """Answer at once with a new id."""
        await anyio.lowlevel.checkpoint()
        self.count += 1
        return Asset(asset_id=self.count)

    def _key_registrar(self, *_: object) -> Callable[[str], Awaitable[int]]:
        """What a job's workers register each key with."""

        async def register_key(_: str) -> int:
            return (await self.register()).asset_id

        return register_key

    async def list(self, *_: object, **__: object) -> Page[Asset]:
        """An empty project (the job reads its watermark at the start)."""
        await anyio.lowlevel.checkpoint()
        return Page(
            content=(), total_count=0, total_page=0, page_no=1, page_size=1
        )


class Projects:
    """The project lookup of the job's preflight."""

    async def get(self, *_: object, **__: object) -> None:
        """Find every project."""
        await anyio.lowlevel.checkpoint()


class Client:
    """The slice of `MaiuClient` that bulk uses, and nothing more."""

    endpoint = "http://memory.invalid"
    max_connections = None

    def __init__(self) -> None:
        self.assets = Assets()
        self.projects = Projects()
        self.limiter = AdaptiveLimiter()


async def main(count: int, journal: str | None) -> None:
    """Run one job over *count* keys that are never held in a list."""

    def keys():
        for i in range(count):
            yield f"archive/2026/11/{i:09d}.mp4"

    report = await register_many(
        Client(),
        "ws",
        1,
        bucket_name="b",
        keys=keys(),
        journal=journal,
    )
    sys.stdout.write(f"{report.registered} {peak_rss()}\n")


def peak_rss() -> int:
    """
    This process's peak RSS in bytes.

    ``VmHWM`` belongs to the address space that ``exec`` made, whereas
    ``ru_maxrss`` survives ``exec`` and so may report the forking parent's
    peak.
    """
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover -- not Linux
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


if __name__ == "__main__":
    anyio.run(main, int(sys.argv[1]), sys.argv[2] if sys.argv[2:] else None)
