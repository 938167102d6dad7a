"""
What the documentation tests provide around a page, beyond the emulator.

The pages are written for a user with an account, a bucket and an ncloud
configuration file; the runner stands in for each, so that the blocks
run as a user types them:

- ``~/.ncloud/configure`` (in the page's empty ``HOME``) holds a
  ``[prod]`` section with the emulator's keys, and no ``[DEFAULT]``: the
  environment stays the only default source;
- pages that list a bucket get an S3 store (moto on loopback) in
  ``$MAIU_S3_ENDPOINT``, with their bucket holding `OBJECTS`;
  moto takes any key pair, so the NCP keys of the environment list it,
  as the docs say they do;
- a page whose blocks name a project by id gets its projects numbered
  so that the one it creates has that id (`FIRST_PROJECT`).
"""

from __future__ import annotations

import contextlib

from typing import TYPE_CHECKING

from s3helpers import create_bucket, moto_server, put
from testkeys import ACCESS_KEY, SECRET_KEY


if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from maiu_async.emulator import Emulator


__all__ = [
    "FIRST_PROJECT",
    "OBJECTS",
    "S3_PAGES",
    "number_projects",
    "s3_store",
    "write_profiles",
]

#: Objects of a page's bucket (key, size): videos and images under the pages'
#: prefix, and what a listing skips (a folder, a subtitle, an empty file,
#: a key outside the prefix).
OBJECTS = (
    *((f"videos/2026/clip-{n:02}.mp4", 1000 + n) for n in range(8)),
    ("videos/2026/03/poster.jpg", 2048),
    ("videos/2026/03/", 0),
    ("videos/2026/03/clip-01.srt", 300),
    ("videos/2026/empty.mp4", 0),
    ("videos/2025/old.mp4", 500),
)
#: Pages that list a bucket, and its name.
S3_PAGES = {"README.md": "my-bucket", "docs/bulk.md": "media"}
#: Per page, the id its first created project must get: the id its blocks
#: name (README's ``--project-id 1234`` is the project it creates).
FIRST_PROJECT = {"README.md": 1234}


def write_profiles(home: Path) -> Path:
    """Write ``HOME/.ncloud/configure`` with a ``[prod]`` section."""
    folder = home / ".ncloud"
    folder.mkdir()
    path = folder / "configure"
    path.write_text(
        "[prod]\n"
        f"ncloud_access_key_id = {ACCESS_KEY}\n"
        f"ncloud_secret_access_key = {SECRET_KEY}\n",
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


@contextlib.contextmanager
def s3_store(bucket: str) -> Iterator[str]:
    """Run moto with *bucket* holding `OBJECTS`; yield its URL."""
    with moto_server() as url:
        create_bucket(bucket)
        for key, size in OBJECTS:
            put(bucket, key, size)
        yield url


def number_projects(emu: Emulator, page: str) -> None:
    """Make the page's first created project get the id it names."""
    first = FIRST_PROJECT.get(page)
    if first is not None:
        # The workspace's base project takes an id first.  The emulator
        # has no knob for this: its counter is set directly.
        emu.state._next_project_id = first - 1
