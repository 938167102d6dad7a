r"""
Reading a keys file: one Object Storage key per line.

A line's trailing ``\n`` or ``\r\n`` is removed and nothing else: keys
may legitimately begin or end with spaces.  Lines that are empty or only
whitespace are not keys and are neither sent nor reported.  The file is
UTF-8; a byte-order mark at its start is ignored.

Lines are cut from blocks of `BLOCK` bytes and never held whole beyond
`LINE_MAX` bytes: a longer line cannot be a key (keys are at most
`limits.OBJECT_KEY_MAX_BYTES`), so only its start and its length are
kept, and it is passed on as a `SkippedKey` saying how long it is.  A
100 MB line thus costs a block of memory, not 100 MB (or several copies
of it, as reading it whole, stripping and decoding it did).

Strictly private.
"""

from __future__ import annotations

import codecs

from typing import TYPE_CHECKING, BinaryIO, Final

from maiu_async import limits
from maiu_async.models import SkippedKey


if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


__all__ = [
    "BLOCK",
    "LINE_MAX",
    "KeysFileError",
    "LineSplitter",
    "count_keys",
    "iter_keys",
    "key_of",
]

_BOM = codecs.BOM_UTF8
#: Bytes read at a time.
BLOCK: Final = 1 << 20
#: The longest line kept whole: the longest key, a byte-order mark and
#: a CRLF.  Longer lines are skipped as too long, with their length.
LINE_MAX: Final = limits.OBJECT_KEY_MAX_BYTES + len(_BOM) + 2
#: Bytes of a line over `LINE_MAX` echoed in its outcome.
_HEAD: Final = 200


class KeysFileError(Exception):
    """
    A keys file cannot be read as UTF-8 lines.

    Strictly private.
    """


def count_keys(path: Path) -> int:
    """
    Count the keys in *path* without decoding it, a block at a time.

    Strictly private.
    """
    count = 0
    content = False  # the line so far has more than whitespace
    with path.open("rb") as f:
        while block := f.read(BLOCK):
            pieces = block.split(b"\n")
            for piece in pieces[:-1]:
                if content or piece.strip():
                    count += 1
                content = False
            content = content or bool(pieces[-1].strip())
    return count + content


def key_of(line: bytes, number: int, name: str) -> str | None:
    """
    Return the key on *line* (number *number* of *name*), or ``None``.

    Strictly private.
    """
    if number == 1 and line.startswith(_BOM):
        line = line[len(_BOM) :]
    if not line.strip():
        return None
    if line.endswith(b"\n"):
        line = line[:-1]
    if line.endswith(b"\r"):
        line = line[:-1]
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KeysFileError(
            f"{name}, line {number}: not UTF-8 ({exc.reason} at byte "
            f"{exc.start})"
        ) from None


def too_long(head: bytes, size: int) -> SkippedKey:
    """
    The outcome-to-be of a line of *size* bytes that starts with *head*.

    Strictly private.
    """
    most = limits.OBJECT_KEY_MAX_BYTES
    start = head[:_HEAD].decode("utf-8", errors="replace")
    return SkippedKey(
        f"{start}... ({size} bytes)",
        f"is {size} bytes long; Object Storage keys are at most {most} bytes",
    )


def iter_keys(stream: BinaryIO, name: str) -> Iterator[str | SkippedKey]:
    """
    Yield the keys of a binary *stream*, lazily; *name* is for errors.

    A line too long to be a key comes as a `SkippedKey`.

    Raises:
        KeysFileError: A line is not UTF-8.

    Strictly private.
    """
    splitter = LineSplitter(name)
    while block := stream.read(BLOCK):
        yield from splitter.feed(block)
    yield from splitter.end()


class LineSplitter:
    """
    Cut the keys out of chunks of bytes, as they arrive.

    Holds at most `LINE_MAX` bytes of a line; see the module.

    Strictly private.
    """

    __slots__ = (
        "_blank",
        "_head",
        "_last",
        "_name",
        "_number",
        "_over",
        "_pending",
    )

    def __init__(self, name: str) -> None:
        self._name = name
        self._pending = bytearray()
        self._number = 0
        # A line over LINE_MAX: its length so far (0: none), its start,
        # whether it is only whitespace so far, and its last byte.
        self._over = 0
        self._head = b""
        self._blank = True
        self._last = b""

    def feed(self, chunk: bytes) -> Iterator[str | SkippedKey]:
        """
        Yield the keys completed by *chunk*, lazily.

        Lazily, so that the keys before a line that is not UTF-8 are
        yielded before the error; iterate to the end before feeding more.
        """
        lines = chunk.split(b"\n")
        last = lines.pop()
        for line in lines:
            if self._pending or self._over or len(line) > LINE_MAX:
                self._add(line)
                key = self._finish()
            else:  # the common case: a whole short line, no copy
                self._number += 1
                key = key_of(line, self._number, self._name)
            if key is not None:
                yield key
        self._add(last)

    def end(self) -> list[str | SkippedKey]:
        """
        Return the key on an unterminated last line, if any.
        """
        if not (self._pending or self._over):
            return []
        key = self._finish()
        return [] if key is None else [key]

    def _add(self, piece: bytes) -> None:
        if self._over:
            self._over += len(piece)
            self._blank = self._blank and not piece.strip()
            self._last = piece[-1:] or self._last
            return
        pending = self._pending
        if len(pending) + len(piece) <= LINE_MAX:
            pending += piece
            return
        self._over = len(pending) + len(piece)
        self._head = bytes(pending[:_HEAD]) + piece[:_HEAD]
        self._blank = not (pending.strip() or piece.strip())
        self._last = piece[-1:] or bytes(pending[-1:])
        self._pending = bytearray()

    def _finish(self) -> str | SkippedKey | None:
        # The line just completed (its "\n" already cut off).
        self._number += 1
        if not self._over:
            line, self._pending = bytes(self._pending), bytearray()
            return key_of(line, self._number, self._name)
        size, head, blank = self._over, self._head, self._blank
        if self._last == b"\r":
            size -= 1
        self._over, self._head, self._blank, self._last = 0, b"", True, b""
        if blank:
            return None
        if self._number == 1 and head.startswith(_BOM):
            head, size = head[len(_BOM) :], size - len(_BOM)
        return too_long(head, size)
