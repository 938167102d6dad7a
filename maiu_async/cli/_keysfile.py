r"""
Reading a keys file: one Object Storage key per line.

A line's trailing ``\n`` or ``\r\n`` is removed and nothing else: keys
may legitimately begin or end with spaces.  Lines that are empty or only
whitespace are not keys and are neither sent nor reported.  The file is
UTF-8; a byte-order mark at its start is ignored.

Strictly private.
"""

from __future__ import annotations

import codecs

from typing import TYPE_CHECKING, BinaryIO


if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


__all__ = [
    "KeysFileError",
    "LineSplitter",
    "count_keys",
    "iter_keys",
    "key_of",
]

_BOM = codecs.BOM_UTF8


class KeysFileError(Exception):
    """
    A keys file cannot be read as UTF-8 lines.

    Strictly private.
    """


def count_keys(path: Path) -> int:
    """
    Count the keys in *path* without decoding it.

    Strictly private.
    """
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


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


def iter_keys(stream: BinaryIO, name: str) -> Iterator[str]:
    """
    Yield the keys of a binary *stream*, lazily; *name* is for errors.

    Raises:
        KeysFileError: A line is not UTF-8.

    Strictly private.
    """
    for number, line in enumerate(stream, start=1):
        key = key_of(line, number, name)
        if key is not None:
            yield key


class LineSplitter:
    """
    Cut the keys out of chunks of bytes, as they arrive.

    Strictly private.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._pending = b""
        self._number = 0

    def feed(self, chunk: bytes) -> list[str]:
        """
        Return the keys completed by *chunk*.
        """
        lines = (self._pending + chunk).split(b"\n")
        self._pending = lines.pop()
        keys = []
        for line in lines:
            self._number += 1
            key = key_of(line, self._number, self._name)
            if key is not None:
                keys.append(key)
        return keys

    def end(self) -> list[str]:
        """
        Return the key on an unterminated last line, if any.
        """
        line, self._pending = self._pending, b""
        key = key_of(line, self._number + 1, self._name) if line else None
        return [] if key is None else [key]
