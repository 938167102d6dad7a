# ruff: noqa: INP001, T201
# (A standalone script, not a package; it reports by printing.)
"""
Register every key of a text file (one per line), with a journal.

Run it again with the same journal after a crash or an interruption:
keys registered before are not sent again.

    python examples/import_keys_file.py WORKSPACE PROJECT BUCKET keys.txt \
        --journal import.journal

The workspace and the project (by name) are created if missing.
Credentials and endpoint come from the environment, as for
``quickstart.py``.
"""

from __future__ import annotations

import argparse
import asyncio

from pathlib import Path
from typing import TYPE_CHECKING

import maiu_async

from maiu_async import MaiuClient, NotFound


if TYPE_CHECKING:
    from collections.abc import Iterator


def read_keys(path: Path) -> Iterator[str]:
    """
    Yield the non-blank lines of *path*, one at a time.
    """
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            key = line.strip()
            if key:
                yield key


async def project_id_for(client: MaiuClient, workspace: str, name: str) -> int:
    """
    Return the id of the project called *name*, creating what is missing.
    """
    try:
        projects = await client.projects.list(workspace)
    except NotFound:
        await client.workspaces.create(workspace)
        projects = await client.projects.list(workspace)
    for project in projects.projects:
        if project.name == name:
            return project.project_id
    return (await client.projects.create(workspace, name)).project_id


async def main(args: argparse.Namespace) -> int:
    """
    Import the keys file; return 0 when no key failed or is unknown.
    """
    async with MaiuClient() as client:
        project_id = await project_id_for(client, args.workspace, args.project)
        report = await maiu_async.register_many(
            client,
            args.workspace,
            project_id,
            bucket_name=args.bucket,
            keys=read_keys(args.keys_file),
            journal=args.journal,
        )
    print(
        f"registered {report.registered} (resumed {report.resumed}), "
        f"skipped {report.skipped}, failed {report.failed}, "
        f"unknown {report.unknown}, requests {report.requests}"
    )
    return 0 if report.failed == report.unknown == 0 else 1


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """
    Read the command line.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("workspace")
    parser.add_argument("project", help="the project's name")
    parser.add_argument("bucket")
    parser.add_argument("keys_file", type=Path)
    parser.add_argument("--journal", type=Path, help="resume from here")
    return parser.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(parse())))
