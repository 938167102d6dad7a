"""
The bulk journal: an append-only text file, one line per event.

Why a text file and not SQLite: every write is an append of a few lines
at a time, never an update, so a log fits; group commit (one ``write``
and one ``fsync`` for a whole batch) is straightforward; a torn last line
is the only damage a crash can do, and it is recognised by its missing
newline; and the file can be read with ``grep``.  SQLite would add an
index update per key on the hot path and its own durability settings,
for lookups the run does not need: `KeyTable` answers "registered
before?" from memory in 16 bytes a key.

Format (UTF-8, newline-terminated lines, tab-separated fields)::

    {"format": "maiu-async-journal", "version": 1, "endpoint": ..., ...}
    P <key>                          reserved: may be sent from now on
    R <key> <asset id> <attempts>    registered
    F <key> <attempts> <reason>      failed; certainly not created by us
    U <key> <attempts> <reason>      unknown; may have been created
    S <key> <reason>                 skipped (invalid or duplicate)
    N <key>                          released: reserved but never sent
    W <asset id>                     watermark: highest id at a run's start

A field that is not printable, or starts with ``"``, is written as a JSON
string.  The first line names the job (endpoint host, workspace, project
id, bucket; never a credential), and a journal of another job is refused.

Durability: ``P`` lines are written *and fsynced* before their keys are
sent, so after a crash every key that may have reached the server has at
least a ``P`` line.  Outcome lines are fsynced before the outcome is
delivered to the caller.  On reopening, a key whose last line is ``P`` or
``U`` "may exist" and is reconciled before being sent again.

Strictly private.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

import anyio
import attrs

from ..exceptions import JournalError
from ._report import Outcome, OutcomeStatus


if TYPE_CHECKING:
    from collections.abc import Iterable

    from ._keys import KeyTable


__all__ = ["FORMAT", "JobIdentity", "Journal", "encode_field"]

FORMAT: Final = "maiu-async-journal"
VERSION: Final = 1


@attrs.frozen(kw_only=True)
class JobIdentity:
    """
    What a journal belongs to; a journal of another job is refused.

    Strictly private.
    """

    endpoint: str
    workspace: str
    project_id: int
    bucket: str

    @classmethod
    def of(
        cls, base_url: str, workspace: str, project_id: int, bucket: str
    ) -> JobIdentity:
        """
        Name a job by the API's host and path, workspace, project, bucket.

        The scheme and any credentials in the URL are left out: the same
        API over another scheme is the same job.
        """
        parts = urlsplit(base_url)
        host = (parts.hostname or "").lower()
        if parts.port is not None:
            host = f"{host}:{parts.port}"
        return cls(
            endpoint=host + parts.path.rstrip("/"),
            workspace=workspace,
            project_id=project_id,
            bucket=bucket,
        )

    def describe(self) -> str:
        """Say which job this is, in words."""
        return (
            f"workspace {self.workspace!r}, project {self.project_id}, "
            f"bucket {self.bucket!r} at {self.endpoint}"
        )


def encode_field(text: str) -> str:
    """
    Write *text* as one journal field.

    Strictly private.
    """
    if text.isprintable() and not text.startswith('"'):
        return text
    return json.dumps(text)


def _decode_field(field: str) -> str:
    if field.startswith('"'):
        value = json.loads(field)
        if not isinstance(value, str):
            raise TypeError("not a string")
        return value
    return field


class Journal:
    """
    An open journal: reserve keys, buffer outcome lines, commit them.

    Open it with `Journal.open`, which also reads what an earlier run
    left.

    Strictly private.
    """

    __slots__ = ("_buf", "_fd", "_path", "watermark")

    def __init__(self, fd: int, path: str) -> None:
        self._fd = fd
        self._path = path
        self._buf: list[str] = []
        #: The lowest watermark (``W``) an earlier run recorded, if any.
        self.watermark: int | None = None

    def __repr__(self) -> str:
        return f"<Journal {self._path!r}>"

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        identity: JobIdentity,
        table: KeyTable,
    ) -> tuple[Journal, dict[str, int]]:
        """
        Open (or create) the journal at *path* for the job *identity*.

        Keys it records as registered go into *table*.

        Returns:
            The journal, and the keys that may exist (their last line is
            ``P`` or ``U``), each with the attempts it records.

        Raises:
            JournalError: It belongs to another job, is corrupt, or is in
                use by another process.

        """
        name = os.fspath(path)
        try:
            fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        except OSError as exc:
            raise JournalError(
                f"cannot open journal {name!r}: {exc.strerror}"
            ) from exc
        marks: list[int] = []
        try:
            _lock(fd, name)
            maybe = _load(fd, name, identity, table, marks)
        except BaseException:
            os.close(fd)
            raise
        journal = cls(fd, name)
        journal.watermark = min(marks, default=None)
        return journal, maybe

    @property
    def path(self) -> str:
        """Where the journal is."""
        return self._path

    def record(self, outcome: Outcome) -> None:
        """
        Buffer the line of one outcome; `commit` writes it.

        Keys registered by an earlier run (``resumed``) already have
        theirs.
        """
        key = encode_field(outcome.key)
        status = outcome.status
        if status is OutcomeStatus.REGISTERED:
            if not outcome.resumed:
                self._buf.append(
                    f"R\t{key}\t{outcome.asset_id}\t{outcome.attempts}\n"
                )
            return
        error = encode_field(outcome.error or "")
        if status is OutcomeStatus.SKIPPED:
            self._buf.append(f"S\t{key}\t{error}\n")
            return
        tag = "F" if status is OutcomeStatus.FAILED else "U"
        self._buf.append(f"{tag}\t{key}\t{outcome.attempts}\t{error}\n")

    def release(self, key: str) -> None:
        """
        Buffer that a reserved *key* was left unsent; `commit` writes it.
        """
        self._buf.append(f"N\t{encode_field(key)}\n")

    def has_pending(self) -> bool:
        """Whether lines wait for `commit`."""
        return bool(self._buf)

    async def reserve(self, keys: Iterable[str]) -> None:
        """
        Durably note that *keys* may be sent from now on.
        """
        self._write("".join(f"P\t{encode_field(k)}\n" for k in keys))
        await anyio.to_thread.run_sync(os.fsync, self._fd)

    async def mark(self, watermark: int) -> None:
        """
        Durably record this run's starting *watermark*.
        """
        self._write(f"W\t{watermark}\n")
        await anyio.to_thread.run_sync(os.fsync, self._fd)

    async def commit(self) -> None:
        """
        Write and fsync every buffered line.
        """
        if self._buf:
            data, self._buf = "".join(self._buf), []
            self._write(data)
        await anyio.to_thread.run_sync(os.fsync, self._fd)

    def commit_sync(self) -> None:
        """
        `commit`, blocking: for the last flush of a cancelled job.
        """
        if self._buf:
            data, self._buf = "".join(self._buf), []
            self._write(data)
        os.fsync(self._fd)

    def close(self) -> None:
        """
        Close the file (and release its lock); buffered lines are lost.
        """
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def _write(self, text: str) -> None:
        data = memoryview(text.encode("utf-8", "surrogatepass"))
        try:
            while data:
                data = data[os.write(self._fd, data) :]
        except OSError as exc:
            raise JournalError(
                f"cannot write journal {self._path!r}: {exc.strerror}"
            ) from exc


if sys.platform == "win32":  # pragma: no cover -- no advisory lock

    def _lock(fd: int, name: str) -> None:
        pass

else:
    import fcntl

    def _lock(fd: int, name: str) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise JournalError(
                f"journal {name!r} is in use by another process"
            ) from exc


def _header(identity: JobIdentity) -> str:
    return (
        json.dumps(
            {
                "format": FORMAT,
                "version": VERSION,
                "endpoint": identity.endpoint,
                "workspace": identity.workspace,
                "project_id": identity.project_id,
                "bucket": identity.bucket,
            },
            ensure_ascii=True,
        )
        + "\n"
    )


def _check_header(raw: bytes, name: str, identity: JobIdentity) -> None:
    try:
        head: Any = json.loads(raw)
    except ValueError:
        head = None
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise JournalError(f"{name!r} is not a maiu-async journal")
    if head.get("version") != VERSION:
        raise JournalError(
            f"journal {name!r} has version {head.get('version')!r}; "
            f"this maiu-async reads version {VERSION}"
        )
    try:
        theirs = JobIdentity(
            endpoint=head["endpoint"],
            workspace=head["workspace"],
            project_id=head["project_id"],
            bucket=head["bucket"],
        )
    except KeyError as exc:
        raise JournalError(
            f"journal {name!r} has no {exc.args[0]!r} in its header"
        ) from None
    if theirs != identity:
        raise JournalError(
            f"journal {name!r} belongs to another job "
            f"({theirs.describe()}), not this one "
            f"({identity.describe()}); use another journal file"
        )


def _load(
    fd: int,
    name: str,
    identity: JobIdentity,
    table: KeyTable,
    marks: list[int],
) -> dict[str, int]:
    maybe: dict[str, int] = {}
    with os.fdopen(os.dup(fd), "rb") as f:
        f.seek(0)
        first = f.readline()
        if not first.endswith(b"\n"):
            # Empty, or our header itself was torn: nothing was sent (the
            # header is fsynced before any reservation), so start afresh.
            # Anything else is some other file, which we leave alone.
            header = _header(identity).encode()
            if not header.startswith(first):
                raise JournalError(f"{name!r} is not a maiu-async journal")
            os.ftruncate(fd, 0)
            os.write(fd, header)
            os.fsync(fd)
            _fsync_dir(name)
            return maybe
        _check_header(first, name, identity)
        # About two lines of some 30 bytes per key: size the table once.
        table.expect(os.fstat(fd).st_size // 64)
        good = len(first)
        for lineno, raw in enumerate(f, start=2):
            if not raw.endswith(b"\n"):
                # A line torn by a crash: it was never acknowledged.
                os.ftruncate(fd, good)
                os.fsync(fd)
                break
            good += len(raw)
            try:
                _apply(raw, maybe, table, marks)
            except (ValueError, TypeError, IndexError) as exc:
                raise JournalError(
                    f"journal {name!r} is corrupt at line {lineno}: {exc}"
                ) from None
    return maybe


def _apply(
    raw: bytes, maybe: dict[str, int], table: KeyTable, marks: list[int]
) -> None:
    fields = raw[:-1].decode("utf-8", "surrogatepass").split("\t")
    tag = fields[0]
    if tag == "W":
        marks.append(int(fields[1]))
        return
    if tag == "S":
        # Skipped keys were never reserved; a skipped duplicate must not
        # clear the state of the original.
        _decode_field(fields[1])
        return
    key = _decode_field(fields[1])
    if tag == "P":
        maybe.setdefault(key, 1)
    elif tag == "R":
        table.set_registered(key, int(fields[2]))
        maybe.pop(key, None)
    elif tag in {"F", "N"}:
        maybe.pop(key, None)
    elif tag == "U":
        maybe[key] = max(int(fields[2]), 1)
    else:
        raise ValueError(f"unknown record {tag!r}")


def _fsync_dir(name: str) -> None:
    directory = Path(name).resolve().parent
    with contextlib.suppress(OSError):
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
