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
    N <key>                          not attempted: reserved, never sent
    S <key> <reason>                 skipped (read, no longer written)
    W <asset id>                     watermark: highest id at a run's start
    I <key> <asset id> <status> <message>
                                     the asset's import ended so (final
                                     statuses only; jobs that wait)

A field that is not printable, or starts with ``"``, is written as a JSON
string.  Skipped keys get no line: whether a key is skipped follows from
the input alone, and a line per skipped key would make the journal grow
on every rerun.  Asset ids are kept whole, however large.  The first
line names the job (endpoint host, workspace, project id, bucket; never
a credential), and a journal of another job is refused.

Durability: ``P`` lines are written *and fsynced* before their keys are
sent, so after a crash every key that may have reached the server has at
least a ``P`` line.  Outcome lines are fsynced before the outcome is
delivered to the caller.  On reopening, a key whose last line is ``P`` or
``U`` "may exist" and is reconciled before being sent again.

A job that waits for imports writes a key's ``R`` line when it is
registered and its ``I`` line when the import is final, before the
outcome is delivered; a rerun that waits polls only the assets without
an ``I`` line (`Journal.imports` holds the others, in some 100 bytes
each).

Strictly private.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

import anyio
import attrs

from ..exceptions import JournalError
from ..models import ImportState
from ._report import Outcome, OutcomeStatus, clip


if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from ._keys import KeyTable


__all__ = [
    "FORMAT",
    "TABLE_ID_MAX",
    "JobIdentity",
    "Journal",
    "encode_field",
]

FORMAT: Final = "maiu-async-journal"
VERSION: Final = 1

#: The largest asset id `KeyTable` holds (it keeps 62 bits); a journal's
#: larger ids are recorded as this one, and kept whole in
#: `Journal.large_ids`.
TABLE_ID_MAX: Final = (1 << 62) - 2
#: Fields of each record, the tag included.
_FIELDS: Final = {
    "P": 2,
    "R": 4,
    "F": 4,
    "U": 4,
    "N": 2,
    "S": 3,
    "W": 2,
    "I": 5,
}


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
    #: What the journal records: ``register`` (keys), or ``analysis``
    #: (asset ids, ``_analysis_journal``); only the latter is written in
    #: the header, so journals of earlier versions still open.
    kind: str = "register"

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
        kind = "" if self.kind == "register" else f"{self.kind} of "
        return (
            f"{kind}workspace {self.workspace!r}, project {self.project_id}, "
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

    __slots__ = ("_buf", "_fd", "_path", "imports", "large_ids", "watermark")

    def __init__(self, fd: int, path: str) -> None:
        self._fd = fd
        self._path = path
        self._buf: list[str] = []
        #: Keys registered as an id above `TABLE_ID_MAX`, with the id.
        self.large_ids: dict[str, int] = {}
        #: The lowest watermark (``W``) an earlier run recorded, if any.
        self.watermark: int | None = None
        #: The final import status and message (``I``) of each asset
        #: an earlier run waited for, by asset id.
        self.imports: dict[int, tuple[ImportState, str]] = {}

    def __repr__(self) -> str:
        return f"<Journal {self._path!r}>"

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        identity: JobIdentity,
        table: KeyTable,
        *,
        apply: Callable[[list[str]], None] | None = None,
    ) -> tuple[Journal, dict[str, int]]:
        """
        Open (or create) the journal at *path* for the job *identity*.

        Keys it records as registered go into *table*.  With *apply*,
        each line's fields go to *apply* instead (another line format,
        which raises `ValueError` or `TypeError` on a corrupt line).

        Returns:
            The journal, and the keys that may exist (their last line is
            ``P`` or ``U``), each with the attempts it records.

        Raises:
            JournalError: It belongs to another job, is corrupt, is in
                use by another process, is not a regular file, or cannot
                be read.

        """
        name = os.fspath(path)
        try:
            fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        except OSError as exc:
            raise JournalError(
                f"cannot open journal {name!r}: {exc.strerror}"
            ) from exc
        journal = cls(fd, name)
        marks: list[int] = []
        try:
            _check_regular(fd, name)
            _lock(fd, name)
            maybe = _load(
                fd,
                name,
                identity,
                table,
                (journal.large_ids, marks, journal.imports),
                apply,
            )
        except OSError as exc:
            os.close(fd)
            raise JournalError(
                f"cannot read journal {name!r}: {exc.strerror or exc}"
            ) from exc
        except BaseException:
            os.close(fd)
            raise
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
        theirs; skipped keys get none (see the module).
        """
        status = outcome.status
        if status is OutcomeStatus.SKIPPED:
            return
        key = encode_field(outcome.key)
        if status is OutcomeStatus.REGISTERED:
            if not outcome.resumed:
                self._buf.append(
                    f"R\t{key}\t{outcome.asset_id}\t{outcome.attempts}\n"
                )
            return
        if status is OutcomeStatus.NOT_ATTEMPTED:
            self._buf.append(f"N\t{key}\n")
            return
        error = encode_field(clip(outcome.error or ""))
        tag = "F" if status is OutcomeStatus.FAILED else "U"
        self._buf.append(f"{tag}\t{key}\t{outcome.attempts}\t{error}\n")

    def record_import(self, outcome: Outcome) -> None:
        """
        Buffer the ``I`` line of *outcome*, if its import is final.
        """
        status = outcome.import_status
        if status is None or not status.final or outcome.asset_id is None:
            return
        message = encode_field(clip(outcome.import_message or ""))
        self._buf.append(
            f"I\t{encode_field(outcome.key)}\t{outcome.asset_id}\t"
            f"{encode_field(status.value)}\t{message}\n"
        )

    def has_pending(self) -> bool:
        """Whether lines wait for `commit`."""
        return bool(self._buf)

    async def reserve(self, keys: Iterable[str]) -> None:
        """
        Durably note that *keys* may be sent from now on.
        """
        self._write("".join(f"P\t{encode_field(k)}\n" for k in keys))
        await anyio.to_thread.run_sync(self._fsync)

    async def append(self, lines: str) -> None:
        """
        Durably write *lines* (whole lines, of another format) at once.
        """
        self._write(lines)
        await anyio.to_thread.run_sync(self._fsync)

    def buffer(self, line: str) -> None:
        """Buffer *line* (of another format) for the next `commit`."""
        self._buf.append(line)

    async def mark(self, watermark: int) -> None:
        """
        Durably record this run's starting *watermark*.
        """
        self._write(f"W\t{watermark}\n")
        await anyio.to_thread.run_sync(self._fsync)

    async def commit(self) -> None:
        """
        Write and fsync every buffered line.
        """
        if self._buf:
            data, self._buf = "".join(self._buf), []
            self._write(data)
        await anyio.to_thread.run_sync(self._fsync)

    def commit_sync(self) -> None:
        """
        `commit`, blocking: for the last flush of a cancelled job.
        """
        if self._buf:
            data, self._buf = "".join(self._buf), []
            self._write(data)
        self._fsync()

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
            raise self._failed(exc) from exc

    def _fsync(self) -> None:
        try:
            os.fsync(self._fd)
        except OSError as exc:
            raise self._failed(exc) from exc

    def _failed(self, exc: OSError) -> JournalError:
        return JournalError(
            f"cannot write journal {self._path!r}: {exc.strerror or exc}; "
            "what it holds is safe: once the cause is fixed (free some "
            "space, say), rerun the same command with it"
        )


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
    head: dict[str, object] = {
        "format": FORMAT,
        "version": VERSION,
        "endpoint": identity.endpoint,
        "workspace": identity.workspace,
        "project_id": identity.project_id,
        "bucket": identity.bucket,
    }
    if identity.kind != "register":
        head["kind"] = identity.kind
    return json.dumps(head, ensure_ascii=True) + "\n"


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
            kind=head.get("kind", "register"),
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


def _check_regular(fd: int, name: str) -> None:
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        kind = (
            "a device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a pipe"
            if stat.S_ISFIFO(mode)
            else "not a regular file"
        )
        raise JournalError(
            f"journal {name!r} is {kind}: a journal must be a regular "
            "file (it is created if missing); give another path"
        )


#: What `_load` fills besides the table: large ids, watermarks, imports.
_Filled = tuple[dict[str, int], list[int], dict[int, tuple[ImportState, str]]]


def _load(  # noqa: PLR0913, PLR0917 -- the journal and what it fills
    fd: int,
    name: str,
    identity: JobIdentity,
    table: KeyTable,
    filled: _Filled,
    apply: Callable[[list[str]], None] | None = None,
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
                if apply is not None:
                    apply(_fields(raw))
                else:
                    _apply(raw, maybe, table, filled)
            except (ValueError, TypeError) as exc:
                raise JournalError(
                    f"journal {name!r} is corrupt at line {lineno}: {exc}; "
                    "it was changed by something other than maiu-async. "
                    "Restore it from a copy, or fix or delete that line by "
                    "hand (a key whose 'R' line is deleted is registered "
                    "again by the next run)"
                ) from None
    return maybe


def _apply(  # noqa: C901 -- one branch per record type
    raw: bytes,
    maybe: dict[str, int],
    table: KeyTable,
    filled: _Filled,
) -> None:
    large, marks, imports = filled
    fields = _fields(raw)
    tag = fields[0]
    expected = _FIELDS.get(tag)
    if expected is None:
        raise ValueError(f"unknown record {clip(tag, 40)!r}")
    if len(fields) < expected:
        raise ValueError(
            f"a {tag!r} record has {expected} tab-separated fields, "
            f"this line {len(fields)}"
        )
    if tag == "W":
        marks.append(_count(fields[1], "watermark", minimum=0))
        return
    try:
        key = _decode_field(fields[1])
    except (ValueError, TypeError):
        raise ValueError("the key is not a valid JSON string") from None
    if tag == "S":
        # Skipped keys were never reserved; a skipped duplicate must not
        # clear the state of the original.
        return
    if tag == "I":
        _apply_import(fields, imports)
        return
    if tag == "P":
        maybe.setdefault(key, 1)
    elif tag == "R":
        asset_id = _count(fields[2], "asset id", minimum=1)
        if asset_id > TABLE_ID_MAX:
            large[key] = asset_id
            asset_id = TABLE_ID_MAX
        else:
            large.pop(key, None)
        table.set_registered(key, asset_id)
        maybe.pop(key, None)
    elif tag in {"F", "N"}:
        maybe.pop(key, None)
    else:  # "U"
        maybe[key] = max(_count(fields[2], "attempt count", minimum=0), 1)


def _fields(raw: bytes) -> list[str]:
    try:
        text = raw[:-1].decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    return text.split("\t")


#: One tuple per distinct status and message, shared by their assets.
_PAIRS: dict[tuple[str, str], tuple[ImportState, str]] = {}


def _apply_import(
    fields: list[str], imports: dict[int, tuple[ImportState, str]]
) -> None:
    asset_id = _count(fields[2], "asset id", minimum=1)
    try:
        status, message = _decode_field(fields[3]), _decode_field(fields[4])
    except (ValueError, TypeError):
        raise ValueError("a status or message is not valid") from None
    pair = _PAIRS.get((status, message))
    if pair is None:
        pair = (ImportState(status), message)
        if len(_PAIRS) < _PAIRS_MAX:
            _PAIRS[status, message] = pair
    imports[asset_id] = pair


#: Distinct status and message pairs shared at most (messages repeat).
_PAIRS_MAX: Final = 1024


def _count(field: str, what: str, *, minimum: int) -> int:
    # `int` would take " 7", "+7", "7_0" and "-1": none of which we write.
    if not (field.isascii() and field.isdigit()) or int(field) < minimum:
        raise ValueError(f"{what} {clip(field, 40)!r} is not a valid number")
    return int(field)


def _fsync_dir(name: str) -> None:
    directory = Path(name).resolve().parent
    with contextlib.suppress(OSError):
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
