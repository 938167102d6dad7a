"""
One bulk registration with a journal, run as a process the tests kill.

Usage: ``python crash_worker.py URL JOURNAL WORKSPACE PROJECT_ID COUNT
[hold]``; credentials come from ``MAIU_TEST_ACCESS_KEY`` and
``MAIU_TEST_SECRET_KEY``.  Prints the report as JSON when it finishes.
With ``hold``, the input never ends after its last key, so the run never
finishes: it is there to be killed, however fast it goes.
"""

from __future__ import annotations

import json
import os
import sys

from typing import TYPE_CHECKING

import anyio
import attrs

from maiu_async import MaiuClient, RetryPolicy
from maiu_async.bulk import ReconcilePolicy, register_many


if TYPE_CHECKING:
    from collections.abc import AsyncIterator


def crash_keys(count: int) -> list[str]:
    """The keys every run of the worker registers."""
    return [f"crash/clip-{i:06d}.mp4" for i in range(count)]


async def feed(count: int, *, hold: bool) -> AsyncIterator[str]:
    """The keys; with *hold*, then nothing, forever."""
    for key in crash_keys(count):
        yield key
    if hold:
        await anyio.sleep_forever()


async def main(argv: list[str]) -> None:
    """Register the keys, resuming from the journal."""
    url, journal, workspace, project_id, count, *hold = argv
    async with MaiuClient(
        access_key=os.environ["MAIU_TEST_ACCESS_KEY"],
        secret_key=os.environ["MAIU_TEST_SECRET_KEY"],
        endpoint=url,
    ) as client:
        report = await register_many(
            client,
            workspace,
            int(project_id),
            bucket_name="crash-bucket",
            keys=feed(int(count), hold=hold == ["hold"]),
            concurrency=32,
            journal=journal,
            retry=RetryPolicy(attempts=10, initial=0.001, maximum=0.01),
            reconcile=ReconcilePolicy(
                batch=100,
                delay=0.0,
                retry=RetryPolicy(attempts=10, initial=0.001, maximum=0.01),
            ),
        )
    sys.stdout.write(json.dumps(attrs.asdict(report)) + "\n")


if __name__ == "__main__":
    anyio.run(main, sys.argv[1:])
