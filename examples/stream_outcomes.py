# ruff: noqa: INP001, T201
# (A standalone script, not a package; it reports by printing.)
"""
Register generated keys and print each outcome as it completes.

    python examples/stream_outcomes.py WORKSPACE BUCKET [COUNT]

Creates the workspace (if missing) and a new project.  A few keys are
invalid on purpose (a folder, a text file) and come back as skipped,
never sent.  Credentials and endpoint come from the environment, as for
``quickstart.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys

import maiu_async

from maiu_async import Conflict, MaiuClient
from maiu_async.bulk import OutcomeStatus


def keys(count: int) -> list[str]:
    """
    Return *count* video keys, plus two that the API would refuse.
    """
    return [f"clips/{n:05}.mp4" for n in range(count)] + [
        "clips/",
        "clips/readme.txt",
    ]


async def main(workspace: str, bucket: str, count: int) -> None:
    """
    Stream the outcomes of one job, then print its report.
    """
    async with MaiuClient() as client:
        with contextlib.suppress(Conflict):  # it may exist already
            await client.workspaces.create(workspace, bucket_name=bucket)
        project = await client.projects.create(workspace, "streamed")
        async with maiu_async.stream_register(
            client,
            workspace,
            project.project_id,
            bucket_name=bucket,
            keys=keys(count),
        ) as outcomes:
            async for outcome in outcomes:
                if outcome.status is OutcomeStatus.REGISTERED:
                    print(f"{outcome.key}\tasset {outcome.asset_id}")
                else:
                    print(
                        f"{outcome.key}\t{outcome.status.value}: "
                        f"{outcome.error}"
                    )
        report = outcomes.report
    print(f"{report.registered} registered, {report.skipped} skipped")


if __name__ == "__main__":
    asyncio.run(
        main(
            sys.argv[1],
            sys.argv[2],
            int(sys.argv[3]) if len(sys.argv) > 3 else 10,
        )
    )
