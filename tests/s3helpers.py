"""
An S3-compatible server for tests: moto's server mode on loopback.

The server runs in a thread of the test process (so tests can seed its
buckets directly, which is a hundred times faster than PUTs), but it is
reached over HTTP like any store, also from subprocesses.

The corpus is one bucket of a few thousand objects of mixed kinds,
each generated together with the decision the SDK must make about it,
so the expectations do not come from the code under test.
"""

from __future__ import annotations

import contextlib
import logging
import random

from collections import Counter
from typing import TYPE_CHECKING, Any

import attrs

from testkeys import S3_ACCESS_KEY, S3_SECRET_KEY


if TYPE_CHECKING:
    from collections.abc import Iterator


__all__ = [
    "MIB",
    "PREFIX",
    "S3_ACCESS_KEY",
    "S3_SECRET_KEY",
    "SMALL_VIDEO_LIMIT",
    "Corpus",
    "add_object",
    "create_bucket",
    "moto_server",
    "put",
    "seed_corpus",
]

PREFIX = "videos/2026/"
MIB = 1024 * 1024
#: The video limit the tests' filters use instead of 10 GiB: moto keeps
#: bodies in memory, so real 10 GiB videos are out of the question.
SMALL_VIDEO_LIMIT = 5000

VIDEO_EXTS = ("mp4", "mkv", "mov", "webm", "MP4", "MOV")
IMAGE_EXTS = ("jpg", "jpeg", "png", "heic", "JPG", "PNG")
UNSUPPORTED_EXTS = ("txt", "gif", "json", "srt", "avi", "webp")


def _backend() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID  # noqa: PLC0415
    from moto.s3.models import s3_backends  # noqa: PLC0415

    return s3_backends[DEFAULT_ACCOUNT_ID]["aws"]


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """Run moto on 127.0.0.1 and a free port; yield its URL."""
    from moto.server import ThreadedMotoServer  # noqa: PLC0415

    werkzeug = logging.getLogger("werkzeug")
    level = werkzeug.level
    werkzeug.setLevel(logging.ERROR)  # one log line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    try:
        server.start()
        try:
            host, port = server.get_host_and_port()
            yield f"http://{host}:{port}"
        finally:
            try:
                server.stop()  # ends serve_forever and joins the thread
            finally:
                # stop() leaves the listening socket open.
                server._server.server_close()
    finally:
        # Every stored body is a temporary file that moto warns about
        # (ResourceWarning) unless disposed of.
        _backend().reset()
        werkzeug.setLevel(level)


def put(bucket: str, key: str, size: int) -> None:
    """Store *key* with a body of *size* bytes, straight into moto."""
    _backend().put_object(bucket, key, b"m" * size)


def create_bucket(bucket: str) -> None:
    """Create *bucket* straight in moto."""
    _backend().create_bucket(bucket, "kr-standard")


@attrs.frozen
class Corpus:
    """A seeded bucket and what the SDK must decide about each object."""

    bucket: str
    #: key -> (size, reason it is skipped with the default limits or None)
    objects: dict[str, tuple[int, str | None]]
    #: videos over SMALL_VIDEO_LIMIT (selected with the default limits)
    big_videos: frozenset[str]

    def under(self, prefix: str) -> list[tuple[str, int]]:
        """(key, size) of every object under *prefix*, in key order."""
        return sorted(
            (k, s)
            for k, (s, _) in self.objects.items()
            if k.startswith(prefix)
        )

    def reasons(self, prefix: str) -> dict[str, str | None]:
        """key -> expected skip reason (None: registered)."""
        return {
            k: r for k, (_, r) in self.objects.items() if k.startswith(prefix)
        }

    def counts(self, prefix: str) -> Counter[str | None]:
        """How many objects under *prefix* per expected reason."""
        return Counter(self.reasons(prefix).values())


def _media(
    objects: dict[str, tuple[int, str | None]], count: int, seed: int
) -> None:
    rng = random.Random(seed)
    for i in range(count):
        month, day = 1 + i % 12, 1 + i % 28
        where = (
            PREFIX,
            f"{PREFIX}{month:02d}/",
            f"{PREFIX}{month:02d}/{day:02d}/cam-{i % 4}/",
        )[i % 3]
        if i % 2:
            ext = VIDEO_EXTS[i % len(VIDEO_EXTS)]
            high = 9000 if i % 41 == 1 else 4000
            size = rng.randint(
                1 if high == 4000 else SMALL_VIDEO_LIMIT + 1, high
            )
        else:
            ext = IMAGE_EXTS[i % len(IMAGE_EXTS)]
            size = rng.randint(1, 4000)
        objects[f"{where}clip-{i:05d}.{ext}"] = (size, None)


def _others(objects: dict[str, tuple[int, str | None]]) -> None:
    # Folders, as the console makes them: empty objects ending in "/".
    objects[PREFIX] = (0, "folder")
    for month in range(1, 13):
        objects[f"{PREFIX}{month:02d}/"] = (0, "folder")
    # Unsupported formats, no extension at all, empty files.
    for i in range(180):
        ext = UNSUPPORTED_EXTS[i % len(UNSUPPORTED_EXTS)]
        key = f"{PREFIX}{1 + i % 12:02d}/notes-{i:04d}.{ext}"
        objects[key] = (1 + i, "unsupported extension")
    for i in range(12):
        objects[f"{PREFIX}misc/README-{i}"] = (10, "unsupported extension")
    for i in range(20):
        ext = ("mp4", "png")[i % 2]
        objects[f"{PREFIX}empty/zero-{i:02d}.{ext}"] = (0, "empty")
    # Keys that need URL encoding in a listing.
    for key in (
        f"{PREFIX}special/한글 클립+1%.mp4",
        f"{PREFIX}special/space name (1).mov",
        f"{PREFIX}special/a&b=c;d.png",
        f"{PREFIX}special/~tilde*star'.jpg",
    ):
        objects[key] = (123, None)
    # Outside the prefix, including a sibling that shares its start.
    for i in range(40):
        objects[f"videos/2026x/sibling-{i:02d}.mp4"] = (100, None)
        objects[f"videos/2025/old-{i:02d}.mp4"] = (100, None)
        objects[f"images/top-{i:02d}.png"] = (100, None)
    objects["top-level.mp4"] = (100, None)


def seed_corpus(bucket: str, *, media: int = 2400, seed: int = 2026) -> Corpus:
    """Fill *bucket* with a few thousand objects of every kind."""
    objects: dict[str, tuple[int, str | None]] = {}
    _media(objects, media, seed)
    _others(objects)
    create_bucket(bucket)
    for key, (size, _) in objects.items():
        put(bucket, key, size)
    big = frozenset(
        k
        for k, (size, _) in objects.items()
        if size > SMALL_VIDEO_LIMIT and k.startswith(PREFIX)
    )
    return Corpus(bucket=bucket, objects=objects, big_videos=big)


def add_object(
    corpus: Corpus, key: str, size: int, reason: str | None
) -> None:
    """Record an object put into the corpus's bucket by other means."""
    corpus.objects[key] = (size, reason)
