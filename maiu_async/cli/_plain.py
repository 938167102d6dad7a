"""
Plain-text output for logs: progress lines and summaries, no drawing.

When standard error is not a terminal (cron, CI, ``> log 2>&1``) the
import and demo commands print a progress line every few seconds and
their summaries as plain ``label: value`` lines: ASCII punctuation, no
box drawing, no colours, no cursor movement, so that a log file reads
well and ``grep`` finds things.

No click and no rich here.

Strictly private.
"""

from __future__ import annotations

import time

from typing import TYPE_CHECKING

from maiu_async.bulk import OutcomeStatus, RetryScheduled

from ._storage import skipped_by_reason


if TYPE_CHECKING:
    from collections.abc import Callable

    from maiu_async.bulk import BulkEvent, Outcome

    from ._dryrun import KeysDryRun
    from ._storage import DryRunSummary
    from ._summary import ImportSummary


__all__ = [
    "PlainProgress",
    "clock_time",
    "dry_run_lines",
    "summary_lines",
]


def clock_time(seconds: float) -> str:
    """
    *seconds* as ``H:MM:SS``.

    Strictly private.
    """
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


class PlainProgress:
    """
    Progress as one line of text every *interval* seconds.

    The line gives the keys done (of the total, when known), the counts
    per status, the retries, the rate since the start and the time left
    at that rate::

        progress: 1,200/5,000 keys (24.0%): 1,180 registered, 20 skipped,
        0 failed, 0 unknown, 3 retries; 240.0 keys/s; elapsed 0:00:05;
        ETA 0:00:16

    (on one line).  The import calls `tick` every *interval* seconds and
    `stop` at the end, which prints a last line.

    Args:
        write: Prints one line.
        total: Keys in the input, if known.
        interval: Seconds between two lines.
        clock: Seconds, monotonic; for tests.

    Strictly private.
    """

    def __init__(
        self,
        write: Callable[[str], None],
        total: int | None,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval: float | None = interval
        self._write = write
        self._total = total
        self._clock = clock
        self._start = clock()
        self._counts = dict.fromkeys(OutcomeStatus, 0)
        self._retries = 0
        self._stopped = False

    def outcome(self, outcome: Outcome) -> None:
        """Count one key's outcome."""
        self._counts[outcome.status] += 1

    def event(self, event: BulkEvent) -> None:
        """Count retries."""
        if isinstance(event, RetryScheduled):
            self._retries += 1

    def notice(self, text: str) -> None:
        """Print *text* as a line of its own."""
        self._write(text)

    def tick(self) -> None:
        """Print the progress line."""
        self._write(self.line())

    def stop(self) -> None:
        """Print the last progress line, once."""
        if not self._stopped:
            self._stopped = True
            self.tick()

    def line(self) -> str:
        """The progress line, as of now."""
        counts = self._counts
        done = sum(counts.values())
        elapsed = max(0.0, self._clock() - self._start)
        rate = done / elapsed if elapsed > 0 else 0.0
        total = self._total
        if total is None:
            keys = f"{done:,} keys"
            eta = ""
        else:
            share = 100.0 * done / total if total else 100.0
            keys = f"{done:,}/{total:,} keys ({share:.1f}%)"
            left = max(0, total - done)
            eta = (
                f"; ETA {clock_time(left / rate)}"
                if rate > 0
                else "; ETA -:--:--"
            )
        # Keys left unsent are named only when there are some: they come
        # from a stop, not from the run's normal course.
        statuses = ", ".join(
            f"{counts[status]:,} {status.value.replace('_', ' ')}"
            for status in OutcomeStatus
            if counts[status] or status is not OutcomeStatus.NOT_ATTEMPTED
        )
        return (
            f"progress: {keys}: {statuses}, {self._retries:,} retries; "
            f"{rate:,.1f} keys/s; elapsed {clock_time(elapsed)}{eta}"
        )


def _count_lines(summary: ImportSummary) -> list[str]:
    r = summary.report
    registered = f"  registered: {r.registered:,}"
    notes = []
    if r.resumed:
        notes.append(f"{r.resumed:,} already done (journal)")
    if r.reconciled:
        notes.append(f"{r.reconciled:,} found after a lost answer")
    if notes:
        registered += f" ({'; '.join(notes)})"
    skipped = f"  skipped: {r.skipped:,}"
    if summary.listing is not None:
        reasons = [
            f"{count:,} {reason}"
            for reason, count in skipped_by_reason(summary.listing).items()
            if count
        ]
        if reasons:
            skipped += f" ({', '.join(reasons)})"
    lines = [
        registered,
        skipped,
        f"  failed: {r.failed:,}",
        f"  unknown: {r.unknown:,}",
    ]
    if summary.not_attempted:
        lines.append(f"  not attempted: {summary.not_attempted:,}")
    if summary.waited:
        lines.append(f"  imports: {summary.import_counts()}")
    return lines


def summary_lines(summary: ImportSummary, title: str) -> list[str]:
    """
    The summary of an import as plain lines.

    Strictly private.
    """
    r = summary.report
    lines = [f"{title}:", *_count_lines(summary)]
    if summary.listing is not None:
        lines.append(
            f"  objects listed: {summary.listing.listed:,} "
            f"({summary.listing.pages:,} pages)"
        )
    else:
        total = "?" if summary.total is None else f"{summary.total:,}"
        lines.append(f"  keys in the input: {total}")
    lines += [
        f"  duration: {clock_time(r.duration)}",
        f"  rate: {r.rate:,.1f} requests/s",
        (
            f"  requests: {r.requests:,}, retries: {r.retries:,}, "
            f"429s: {r.throttled:,}"
        ),
    ]
    if summary.examples:
        lines.append(summary.examples_title() + ":")
        lines += [
            f"  {status}: {key}: {error}"
            for status, key, error in summary.examples
        ]
    for label, path in (
        ("report", summary.report_path),
        ("journal", summary.journal_path),
    ):
        if path is not None:
            lines.append(f"{label}: {path}")
    lines.append(summary.verdict())
    return lines


def dry_run_lines(summary: DryRunSummary | KeysDryRun) -> list[str]:
    """
    The summary of a dry run as plain lines.

    Strictly private.
    """
    lines = [
        f"dry run of {summary.source} (nothing sent):",
        f"  would register: {summary.would_register:,}",
        f"  would skip: {summary.would_skip:,}",
    ]
    lines += [
        f"    {reason}: {count:,}"
        for reason, count in summary.skipped_by_reason.items()
    ]
    lines += [
        f"  example skipped: {reason}: {key}: {why}"
        for reason, key, why in summary.examples
    ]
    if summary.report_path is not None:
        lines.append(f"report: {summary.report_path}")
    return lines
