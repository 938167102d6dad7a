"""
The ``--report`` file: one JSON line per key, put in place at the end.

Strictly private.
"""

from __future__ import annotations

import contextlib
import os
import secrets

from typing import TYPE_CHECKING

from ._options import CommandFailed


if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


__all__ = ["ReportFile", "report_file"]


class ReportFile:
    """
    The ``--report`` file, written beside its path and renamed at the end.

    Nothing touches *path* until the run ends: a run refused by the
    journal's lock, a bucket typo or a missing project leaves an earlier
    report (of a finished run, or of one still running) as it was.  The
    lines go to a hidden temporary file in the same directory, which
    replaces *path* when the run ends, however it ends (a systemic stop
    or a signal too), as long as it has a line or the run succeeded.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines = 0
        if path.exists() and not path.is_file():
            # Renamed over at the end, a device (run as root) or a pipe
            # would be replaced by a plain file.
            raise CommandFailed(
                f"cannot write the report {path}: not a regular file; "
                "give the path of a file"
            )
        self._temp = path.with_name(
            f".{path.name}.{secrets.token_hex(4)}.partial"
        )
        try:
            self._fd = os.open(
                self._temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666
            )
        except OSError as exc:
            raise CommandFailed(
                f"cannot write the report {path}: {exc.strerror}"
            ) from None
        #: Bytes of the whole lines written.
        self._size = 0

    def write(self, line: str) -> None:
        """
        Write one line, whole or not at all.

        Raises:
            CommandFailed: It cannot be written (disk full, say); the
                lines written before stay, and are put in place.

        """
        raw = line.encode("utf-8")
        data = memoryview(raw)
        try:
            while data:
                data = data[os.write(self._fd, data) :]
        except OSError as exc:
            # A torn line would read as a corrupt report: cut it off.
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, self._size)
                os.lseek(self._fd, self._size, os.SEEK_SET)
            raise CommandFailed(
                f"cannot write the report {self.path}: {exc.strerror}; "
                f"its first {self.lines} lines are kept"
            ) from None
        self._size += len(raw)
        self.lines += 1

    def commit(self) -> None:
        """Close the temporary file and put it in place."""
        if self._fd < 0:
            return
        fd, self._fd = self._fd, -1
        try:
            os.close(fd)
            self._temp.replace(self.path)
        except OSError as exc:
            raise CommandFailed(
                f"cannot write the report {self.path}: {exc.strerror}"
            ) from None

    def discard(self) -> None:
        """Close and remove the temporary file; *path* stays as it was."""
        if self._fd < 0:
            return
        os.close(self._fd)
        self._fd = -1
        with contextlib.suppress(OSError):
            self._temp.unlink()


@contextlib.contextmanager
def report_file(path: Path | None) -> Iterator[ReportFile | None]:
    """
    The ``--report`` file, if one is asked for (see `ReportFile`).
    """
    if path is None:
        yield None
        return
    report = ReportFile(path)
    try:
        yield report
    except BaseException:
        if report.lines:
            report.commit()
        else:
            report.discard()
        raise
    report.commit()
