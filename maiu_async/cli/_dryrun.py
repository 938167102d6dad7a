"""
``maiu-async import --dry-run``: verdicts, offline for a keys file.

Each key of the file gets the verdict the import would give it, by the
same rules (`maiu_async.storage.ObjectFilter` for the key itself, the
bulk engine's key table for repeats), with nothing sent and no
credentials needed: one line per key on stdout (``register<TAB>KEY`` or
``skip<TAB>KEY<TAB>REASON``, as for a bucket listing), the counts per
reason at the end.  Sizes are unknown offline, so the size rules of a
listing (empty objects, too large) do not apply.

Strictly private.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys

from typing import TYPE_CHECKING, Final

import attrs
import click

from maiu_async.bulk._keys import DUPLICATE, KeyTable
from maiu_async.storage import ObjectFilter, SkipReason

from ._errors import EXIT_OK
from ._keysfile import key_of
from ._options import CommandFailed, run_async
from ._plain import dry_run_lines
from ._reportfile import report_file
from ._storage import EXAMPLES_PER_REASON, printable
from ._storage import dry_run as list_and_filter


if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path
    from typing import TextIO

    from maiu_async.storage import StorageConfig

    from ._output import Output
    from ._storage import DryRunSummary, LineWriter


__all__ = [
    "DUPLICATE_REASON",
    "KeysDryRun",
    "dry_run_keys",
    "run_dry_run",
    "run_keys_dry_run",
]

#: The category of a key that repeats an earlier one.
DUPLICATE_REASON: Final = "duplicate"
_DUPLICATE_DETAIL: Final = "duplicate of an earlier key in the input"
#: Only the key rules apply offline: a size of 0 with empty objects
#: allowed passes every size rule.
_KEY_RULES: Final = ObjectFilter(skip_empty=False)
_REASONS: Final = (
    SkipReason.FOLDER.value,
    SkipReason.UNSUPPORTED_EXTENSION.value,
    SkipReason.INVALID_KEY.value,
    DUPLICATE_REASON,
)


@attrs.frozen(kw_only=True)
class KeysDryRun:
    """
    What a dry run of a keys file found.

    Strictly private.
    """

    source: str
    keys: int
    would_register: int
    skipped_by_reason: dict[str, int]
    report_path: Path | None
    examples: tuple[tuple[str, str, str], ...]

    @property
    def would_skip(self) -> int:
        """Keys that would be skipped."""
        return sum(self.skipped_by_reason.values())

    def as_json(self) -> dict[str, object]:
        """The summary as one JSON object."""
        return {
            "dry_run": True,
            "keys_file": self.source,
            "keys": self.keys,
            "would_register": self.would_register,
            "would_skip": self.would_skip,
            "skipped_by_reason": self.skipped_by_reason,
            "report": None
            if self.report_path is None
            else str(self.report_path),
            "exit_code": 0,
        }


def _verdict(key: str, table: KeyTable) -> tuple[str, str] | None:
    """The reason and detail of a skip, or ``None`` to register."""
    obj = _KEY_RULES.classify(key, 0)
    if obj.skip is not None:
        return obj.skip.value, obj.detail or obj.skip.value
    if table.mark_seen(key) == DUPLICATE:
        return DUPLICATE_REASON, _DUPLICATE_DETAIL
    return None


def dry_run_keys(
    lines: Iterable[bytes],
    name: str,
    *,
    out: TextIO | None,
    report_file: LineWriter | None,
    report_path: Path | None,
) -> KeysDryRun:
    """
    Give every key of *lines* (a keys file's raw lines) its verdict.

    Writes one line per key to *out* (if given) and one JSON object per
    key to *report_file* (if given).

    Raises:
        KeysFileError: A line is not UTF-8.

    Strictly private.
    """
    table = KeyTable()
    counts = dict.fromkeys(_REASONS, 0)
    examples: list[tuple[str, str, str]] = []
    keys = selected = 0
    for number, line in enumerate(lines, start=1):
        key = key_of(line, number, name)
        if key is None:
            continue
        keys += 1
        verdict = _verdict(key, table)
        if verdict is None:
            selected += 1
            if out is not None:
                out.write(f"register\t{printable(key)}\n")
        else:
            reason, detail = verdict
            counts[reason] += 1
            if out is not None:
                out.write(f"skip\t{printable(key)}\t{reason}\n")
            if counts[reason] <= EXAMPLES_PER_REASON:
                examples.append((reason, key, detail))
        if report_file is not None:
            report_file.write(
                json.dumps(
                    {
                        "key": key,
                        "line": number,
                        "action": "register" if verdict is None else "skip",
                        "reason": None if verdict is None else verdict[0],
                        "detail": None if verdict is None else verdict[1],
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    return KeysDryRun(
        source=name,
        keys=keys,
        would_register=selected,
        skipped_by_reason=counts,
        report_path=report_path,
        examples=tuple(examples),
    )


def run_dry_run(  # noqa: PLR0913 -- the command's options
    bucket: str,
    prefix: str,
    storage: StorageConfig,
    report: Path | None,
    output: Output,
    *,
    as_json: bool,
) -> int:
    """
    List and filter a bucket prefix; print the verdicts; send nothing.
    """
    with report_file(report) as out_file:
        try:
            summary = run_async(
                lambda: list_and_filter(
                    bucket=bucket,
                    prefix=prefix,
                    config=storage,
                    out=None if as_json else sys.stdout,
                    report_file=out_file,
                    report_path=report,
                )
            )
        except BrokenPipeError:
            return _reader_gone()
    _show_dry_run(summary, output, as_json=as_json)
    return EXIT_OK


def run_keys_dry_run(
    keys_file: Path, report: Path | None, output: Output, *, as_json: bool
) -> int:
    """
    Give each key of a keys file its verdict, offline; send nothing.
    """
    from_stdin = str(keys_file) == "-"
    name = "<stdin>" if from_stdin else str(keys_file)
    with report_file(report) as out_file, contextlib.ExitStack() as stack:
        try:
            lines = (
                sys.stdin.buffer
                if from_stdin
                else stack.enter_context(keys_file.open("rb"))
            )
        except OSError as exc:
            raise CommandFailed(
                f"cannot read {keys_file}: {exc.strerror}"
            ) from None
        try:
            summary = dry_run_keys(
                lines,
                name,
                out=None if as_json else sys.stdout,
                report_file=out_file,
                report_path=report,
            )
        except BrokenPipeError:
            return _reader_gone()
    _show_dry_run(summary, output, as_json=as_json)
    return EXIT_OK


def _reader_gone() -> int:
    # The reader has gone (`... --dry-run | head`): stop there, quietly,
    # and keep the interpreter's final flush from failing.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK


def _show_dry_run(
    summary: DryRunSummary | KeysDryRun, output: Output, *, as_json: bool
) -> None:
    if as_json:
        click.echo(json.dumps(summary.as_json()))
        return
    sys.stdout.flush()
    if output.quiet:
        return
    if output.tty:
        # Rich only for a terminal (see LAZY_BOUNDARIES in the tests).
        from ._render import make_console, print_dry_run  # noqa: PLC0415

        print_dry_run(make_console(stderr=True), summary)
    else:
        for line in dry_run_lines(summary):
            click.echo(line, err=True)
