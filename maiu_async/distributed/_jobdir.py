"""
The job directory of a sharded import: manifest, journals, reports.

Layout (``DIR`` is ``--journal DIR``)::

    DIR/job.json                  the job file: target, options, shards
    DIR/shards/00000.keys         manifest shard: one JSON value a line
    DIR/shards/00000.journal      the shard's journal (bulk engine)
    DIR/shards/00000.report.jsonl one JSON object per key of the shard
    DIR/shards/00000.started      the shard was handed to a worker once

A manifest line is a key (a JSON string) or a key the source already
skipped (``{"key": ..., "reason": ...}``).  Keys go to shards by a hash
of the key, so a key repeated in the input lands in one shard, whose
job reports the repeat as skipped: a repeat is never sent twice.

The job file is written only once the manifest is whole, and replaced
atomically; its presence means "resume this job".  It holds no secret.

Strictly private.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import secrets

from typing import TYPE_CHECKING, Any, Final

import attrs

from maiu_async.bulk import BulkReport, SkippedKey
from maiu_async.exceptions import JournalError


if TYPE_CHECKING:
    from collections.abc import AsyncIterable, Iterable, Iterator
    from pathlib import Path


__all__ = [
    "JOB_FILE",
    "JobFile",
    "ShardRecord",
    "Target",
    "cut_manifest",
    "read_manifest",
    "shard_paths",
]

JOB_FILE: Final = "job.json"
_VERSION: Final = 1
#: Lines buffered per shard before they are appended to its file.
_FLUSH: Final = 256


@attrs.frozen(kw_only=True)
class Target:
    """What a job registers into; a rerun must name the same."""

    endpoint: str
    workspace: str
    project_id: int
    bucket: str


@attrs.frozen(kw_only=True)
class ShardRecord:
    """
    One shard in the job file.

    *state*: ``pending`` (never finished a run), ``partial`` (a run
    stopped or failed part-way), ``done`` (ran to the end of its keys).
    """

    index: int
    keys: int
    state: str = "pending"
    counts: dict[str, Any] = attrs.field(factory=dict)
    error: str | None = None


@attrs.frozen(kw_only=True)
class JobFile:
    """The job file's content."""

    job_id: str
    target: Target
    shard_size: int
    rate: float | None
    shards: tuple[ShardRecord, ...]

    def write(self, directory: Path) -> None:
        """Replace ``job.json`` in *directory* atomically (and durably)."""
        data = {
            "version": _VERSION,
            "job_id": self.job_id,
            "target": attrs.asdict(self.target),
            "shard_size": self.shard_size,
            "rate": self.rate,
            "shards": [attrs.asdict(s) for s in self.shards],
        }
        temp = directory / f".{JOB_FILE}.{secrets.token_hex(4)}"
        with temp.open("w", encoding="utf-8") as out:
            json.dump(data, out, indent=1)
            out.flush()
            os.fsync(out.fileno())
        temp.replace(directory / JOB_FILE)

    @classmethod
    def read(cls, directory: Path) -> JobFile | None:
        """
        The job file of *directory*, or ``None`` if it has none.

        Raises:
            JournalError: It cannot be read or is not a job file.

        """
        path = directory / JOB_FILE
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise JournalError(
                f"cannot read the job file {str(path)!r}: {exc.strerror}"
            ) from None
        try:
            data = json.loads(raw)
            version = data.get("version")
        except (ValueError, AttributeError):
            version = None
        if version != _VERSION:
            raise JournalError(
                f"{str(path)!r} is not a job file of this version"
            )
        try:
            return cls(
                job_id=data["job_id"],
                target=Target(**data["target"]),
                shard_size=data["shard_size"],
                rate=data["rate"],
                shards=tuple(ShardRecord(**s) for s in data["shards"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise JournalError(
                f"{str(path)!r} is not a job file of this version: {exc}"
            ) from None

    def check(self, target: Target, directory: Path) -> None:
        """
        Refuse to resume this job for another *target*.

        Raises:
            JournalError: The job registers into something else.

        """
        if target != self.target:
            raise JournalError(
                f"the job directory {str(directory)!r} belongs to another "
                f"job ({self.target}), not {target}"
            )

    def with_shard(self, record: ShardRecord) -> JobFile:
        """This job file with *record* in place of its shard's."""
        shards = list(self.shards)
        shards[record.index] = record
        return attrs.evolve(self, shards=tuple(shards))


@attrs.frozen
class ShardPaths:
    """The files of one shard."""

    manifest: Path
    journal: Path
    report: Path
    started: Path


def shard_paths(directory: Path, index: int) -> ShardPaths:
    """Where the files of shard *index* are."""
    base = directory / "shards" / f"{index:05d}"
    return ShardPaths(
        manifest=base.with_suffix(".keys"),
        journal=base.with_suffix(".journal"),
        report=base.with_suffix(".report.jsonl"),
        started=base.with_suffix(".started"),
    )


def _line(item: str | SkippedKey) -> str:
    if isinstance(item, SkippedKey):
        value: object = {"key": item.key, "reason": item.reason}
    else:
        value = item
    return json.dumps(value, ensure_ascii=False) + "\n"


def _shard_of(line: str, shards: int) -> int:
    value = json.loads(line)
    key = value if isinstance(value, str) else value["key"]
    digest = hashlib.blake2b(
        key.encode("utf-8", "surrogatepass"), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big") % shards


async def cut_manifest(
    directory: Path,
    keys: Iterable[str | SkippedKey] | AsyncIterable[str | SkippedKey],
    shard_size: int,
) -> list[int]:
    """
    Read *keys* once and cut them into shards of about *shard_size*.

    The keys are spooled to one file first (so that their count, hence
    the number of shards, is known), then spread by hash.

    Returns:
        The number of input lines of each shard.

    """
    shard_dir = directory / "shards"
    shard_dir.mkdir(parents=True, exist_ok=True)
    spool = directory / ".keys.spool"
    count = 0
    with spool.open("w", encoding="utf-8") as out:
        if hasattr(keys, "__aiter__"):
            async for item in keys:
                out.write(_line(item))
                count += 1
        else:
            for item in keys:
                out.write(_line(item))
                count += 1
    shards = math.ceil(count / shard_size)
    sizes = [0] * shards
    buffers: list[list[str]] = [[] for _ in range(shards)]
    for index in range(shards):
        shard_paths(directory, index).manifest.write_text("", "utf-8")

    def flush(index: int) -> None:
        with shard_paths(directory, index).manifest.open(
            "a", encoding="utf-8"
        ) as out:
            out.writelines(buffers[index])
            out.flush()
            os.fsync(out.fileno())
        buffers[index].clear()

    with spool.open(encoding="utf-8") as lines:
        for line in lines:
            index = _shard_of(line, shards)
            buffers[index].append(line)
            sizes[index] += 1
            if len(buffers[index]) >= _FLUSH:
                flush(index)
    for index in range(shards):
        flush(index)
    with contextlib.suppress(OSError):
        spool.unlink()
    return sizes


def read_manifest(path: Path) -> Iterator[str | SkippedKey]:
    """The items of one manifest shard, in order."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            value = json.loads(line)
            if isinstance(value, str):
                yield value
            else:
                yield SkippedKey(key=value["key"], reason=value["reason"])


def empty_report() -> dict[str, Any]:
    """The counts of a shard that reported nothing yet."""
    return attrs.asdict(BulkReport())
