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
        self._temp = path.with_name(
            f".{path.name}.{secrets.token_hex(4)}.partial"
        )
        try:
            fd = os.open(
                self._temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666
            )
        except OSError as exc:
            raise CommandFailed(
                f"cannot write the report {path}: {exc.strerror}"
            ) from None
        self._file = os.fdopen(fd, "w", encoding="utf-8", buffering=1)

    def write(self, line: str) -> None:
        """Write one line."""
        try:
            self._file.write(line)
        except OSError as exc:
            raise CommandFailed(
                f"cannot write the report {self.path}: {exc.strerror}"
            ) from None
        self.lines += 1

    def commit(self) -> None:
        """Close the temporary file and put it in place."""
        if self._file.closed:
            return
        try:
            self._file.close()
            self._temp.replace(self.path)
        except OSError as exc:
            raise CommandFailed(
                f"cannot write the report {self.path}: {exc.strerror}"
            ) from None

    def discard(self) -> None:
        """Close and remove the temporary file; *path* stays as it was."""
        if self._file.closed:
            return
        self._file.close()
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
