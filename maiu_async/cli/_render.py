"""
Rich output: the live progress bar and the summary tables.

Imported only by the commands that draw something, so that rich stays
an optional dependency (the ``cli`` extra).

Strictly private.
"""

from __future__ import annotations

import time

from collections import deque
from typing import TYPE_CHECKING, Final

from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from maiu_async.bulk import OutcomeStatus, RetryScheduled
from maiu_async.storage._filter import human_size

from ._storage import skipped_by_reason


if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from types import TracebackType
    from typing import Self

    from rich.console import RenderableType
    from rich.progress import Task, TaskID

    from maiu_async.bulk import BulkEvent, Outcome

    from ._dryrun import KeysDryRun
    from ._storage import DryRunSummary
    from ._summary import ImportSummary


__all__ = [
    "ImportProgress",
    "counters_table",
    "make_console",
    "print_dry_run",
    "print_summary",
    "summary_table",
]

_RATE_WINDOW: Final = 5.0
_RATE_MIN_SPAN: Final = 0.5
_TELL_EVERY: Final = 0.05
_STATUS_STYLE: Final = {
    OutcomeStatus.REGISTERED.value: "green",
    OutcomeStatus.SKIPPED.value: "yellow",
    OutcomeStatus.FAILED.value: "red",
    OutcomeStatus.UNKNOWN.value: "magenta",
    OutcomeStatus.NOT_ATTEMPTED.value: "dim",
}


def make_console(*, stderr: bool = False) -> Console:
    """
    A console on stdout or stderr; no markup in the data we print.

    Strictly private.
    """
    return Console(stderr=stderr, highlight=False)


class _RateColumn(ProgressColumn):
    """Keys per second over the last few seconds."""

    def __init__(self, owner: ImportProgress) -> None:
        super().__init__()
        self._owner = owner

    def render(self, task: Task) -> Text:  # noqa: ARG002 -- one task
        rate = self._owner.rate()
        shown = "-" if rate is None else f"{rate:,.0f}"
        return Text(f"{shown:>6} keys/s", style="progress.data.speed")


class _EtaColumn(ProgressColumn):
    """Time left at the recent rate; blank when the total is unknown."""

    def __init__(self, owner: ImportProgress) -> None:
        super().__init__()
        self._owner = owner

    def render(self, task: Task) -> Text:
        rate = self._owner.rate()
        if task.finished:
            left = 0.0
        elif task.total is None or not rate:
            return Text("ETA -:--:--", style="progress.remaining")
        else:
            left = max(0.0, task.total - task.completed) / rate
        minutes, seconds = divmod(int(left + 0.5), 60)
        hours, minutes = divmod(minutes, 60)
        return Text(
            f"ETA {hours}:{minutes:02d}:{seconds:02d}",
            style="progress.remaining",
        )


class _TwoLineProgress(Progress):
    """The bar, and under it the outcomes per status."""

    def __init__(self, owner: ImportProgress, console: Console) -> None:
        self._owner = owner  # before super(): it renders once already
        super().__init__(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            _RateColumn(owner),
            TimeElapsedColumn(),
            _EtaColumn(owner),
            console=console,
            redirect_stdout=False,
            redirect_stderr=False,
        )

    def get_renderables(self) -> Iterator[RenderableType]:
        yield self.make_tasks_table(self.tasks)
        yield self._owner.status_line()


class ImportProgress:
    """
    A live progress display for one import, on stderr.

    First line: done/total (``?`` when the total is unknown, as for
    standard input), percentage, rate, elapsed time and ETA.  Second
    line: outcomes per status and retries.

    Counting is cheap (the bar is told at most every 50 ms), so that the
    display costs nothing noticeable at thousands of keys per second.

    Strictly private.
    """

    #: The bar refreshes itself.
    interval: float | None = None

    def __init__(
        self,
        console: Console,
        total: int | None,
        description: str = "Registering",
    ) -> None:
        self.registered = 0
        self.skipped = 0
        self.failed = 0
        self.unknown = 0
        self.retries = 0
        self._done = 0
        self._told = 0.0
        self._samples: deque[tuple[float, int]] = deque()
        self._progress = _TwoLineProgress(self, console)
        self._task: TaskID = self._progress.add_task(description, total=total)

    def __enter__(self) -> Self:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Draw the display a last time and stop refreshing it."""
        self._progress.update(self._task, completed=self._done)
        self._progress.stop()

    def rate(self) -> float | None:
        """
        Keys per second over the last few seconds, or ``None`` yet.
        """
        now = time.monotonic()
        samples = self._samples
        samples.append((now, self._done))
        while len(samples) > 2 and now - samples[0][0] > _RATE_WINDOW:
            samples.popleft()
        t0, done0 = samples[0]
        if now - t0 < _RATE_MIN_SPAN:
            return None
        return (self._done - done0) / (now - t0)

    def status_line(self) -> Text:
        """The outcomes per status, for the second line."""
        text = Text("  ")
        text.append(f"{self.registered:,} registered", style="green")
        text.append(f" · {self.skipped:,} skipped", style="yellow")
        text.append(
            f" · {self.failed:,} failed",
            style="bold red" if self.failed else "",
        )
        if self.unknown:
            text.append(f" · {self.unknown:,} unknown", style="magenta")
        if self.retries:
            text.append(f" · {self.retries:,} retries", style="dim")
        return text

    def outcome(self, outcome: Outcome) -> None:
        """Count one key's outcome."""
        status = outcome.status
        if status is OutcomeStatus.REGISTERED:
            self.registered += 1
        elif status is OutcomeStatus.SKIPPED:
            self.skipped += 1
        elif status is OutcomeStatus.FAILED:
            self.failed += 1
        else:
            self.unknown += 1
        self._done += 1
        now = time.monotonic()
        if now - self._told >= _TELL_EVERY:
            self._told = now
            self._progress.update(self._task, completed=self._done)

    def event(self, event: BulkEvent) -> None:
        """Count retries."""
        if isinstance(event, RetryScheduled):
            self.retries += 1

    def notice(self, text: str) -> None:
        """Print *text* above the display."""
        self._progress.console.print(Text(text, style="bold yellow"))

    def tick(self) -> None:
        """Nothing to do: the bar refreshes itself."""

    def log_line(self, line: str) -> None:
        """Print a log line above the display."""
        self._progress.console.print(Text(line, style="dim"))


def _seconds(value: float) -> str:
    if value < 60:
        return f"{value:.1f} s"
    minutes, seconds = divmod(int(value), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


def summary_table(summary: ImportSummary, title: str) -> Table:
    """
    The counts and the measures of an import, as a table.

    Strictly private.
    """
    r = summary.report
    table = Table(
        title=title,
        box=box.ROUNDED,
        show_header=False,
        title_style="bold",
        title_justify="left",
    )
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_column(style="dim")
    registered_note = []
    if r.resumed:
        registered_note.append(f"{r.resumed:,} already done (journal)")
    if r.reconciled:
        registered_note.append(f"{r.reconciled:,} found after a lost answer")
    skipped_note = "invalid or repeated keys, never sent"
    if summary.listing is not None:
        reasons = [
            f"{count:,} {reason}"
            for reason, count in skipped_by_reason(summary.listing).items()
            if count
        ]
        skipped_note = "never sent" + (
            f": {', '.join(reasons)}" if reasons else ""
        )
    rows: list[tuple[str, int, str, str]] = [
        ("Registered", r.registered, "; ".join(registered_note), "green"),
        ("Skipped", r.skipped, skipped_note, ""),
        ("Failed", r.failed, "certainly not registered", ""),
        ("Unknown", r.unknown, "may exist; a resume reconciles them", ""),
    ]
    for label, count, note, style in rows:
        colour = style or (_STATUS_STYLE[label.lower()] if count else "")
        table.add_row(
            Text(label, style=colour), Text(f"{count:,}", style=colour), note
        )
    if summary.not_attempted:
        table.add_row(
            "Not attempted",
            f"{summary.not_attempted:,}",
            "left in the input when the import stopped",
        )
    if summary.waited:
        table.add_section()
        _import_rows(table, summary)
    table.add_section()
    if summary.listing is not None:
        table.add_row(
            "Objects",
            f"{summary.listing.listed:,}",
            _pages(summary.listing.pages),
        )
    else:
        total = "?" if summary.total is None else f"{summary.total:,}"
        table.add_row("Keys", total, "non-blank lines of the input")
    table.add_row("Duration", _seconds(r.duration), "")
    table.add_row("Rate", f"{r.rate:,.0f} req/s", "registration requests")
    table.add_row("Requests", f"{r.requests:,}", "")
    table.add_row("Retries", f"{r.retries:,}", "")
    table.add_row("429s", f"{r.throttled:,}", "rate-limited answers")
    return table


def _import_rows(table: Table, summary: ImportSummary) -> None:
    # Registered keys per import status (--wait), then the polls.
    r = summary.report
    for status, count in sorted(
        r.imports.items(), key=lambda item: item[0] != "COMPLETED"
    ):
        colour = "green" if status == "COMPLETED" else "red"
        table.add_row(
            Text(f"Import {status.value}", style=colour),
            Text(f"{count:,}", style=colour),
            "" if status == "COMPLETED" else "not imported",
        )
    polls = r.polls / r.registered if r.registered else 0.0
    table.add_row(
        "Status polls", f"{r.polls:,}", f"{polls:.1f} per registered key"
    )


def _examples(summary: ImportSummary) -> Table | None:
    if not summary.examples:
        return None
    table = Table(
        title=summary.examples_title(),
        box=box.SIMPLE,
        title_justify="left",
        title_style="bold",
    )
    table.add_column("Status")
    table.add_column("Key", overflow="fold")
    table.add_column("Why", overflow="fold")
    for status, key, error in summary.examples:
        table.add_row(Text(status, style=_STATUS_STYLE[status]), key, error)
    return table


def print_summary(
    console: Console, summary: ImportSummary, title: str = "Import summary"
) -> None:
    """
    Print the summary table, examples of misses, paths and a verdict.

    Strictly private.
    """
    console.print(summary_table(summary, title))
    examples = _examples(summary)
    if examples is not None:
        console.print(examples)
    for label, path in (
        ("Report", summary.report_path),
        ("Journal", summary.journal_path),
    ):
        if path is not None:
            console.print(f"{label}: {path}", markup=False)
    r = summary.report
    if summary.failure is not None or summary.nothing_sendable:
        style = "bold red"
    elif summary.interrupted:
        style = "bold yellow"
    elif r.failed or r.unknown or summary.not_imported:
        style = "bold red"
    else:
        style = "bold green"
    console.print(Text(summary.verdict(), style=style))


def _pages(count: int) -> str:
    return f"listed in {count:,} page" + ("" if count == 1 else "s")


def print_dry_run(
    console: Console, summary: DryRunSummary | KeysDryRun
) -> None:
    """
    Print what a dry run would register and skip, with the reasons.

    Strictly private.
    """
    table = Table(
        title=f"Dry run: {summary.source} (nothing sent)",
        box=box.ROUNDED,
        show_header=False,
        title_style="bold",
        title_justify="left",
    )
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_column(style="dim")
    stats = getattr(summary, "stats", None)
    table.add_row(
        Text("Would register", style="green"),
        Text(f"{summary.would_register:,}", style="green"),
        "" if stats is None else human_size(stats.selected_bytes),
    )
    table.add_row(
        Text("Would skip", style="yellow" if summary.would_skip else ""),
        f"{summary.would_skip:,}",
        "",
    )
    for reason, count in summary.skipped_by_reason.items():
        table.add_row(f"  {reason}", f"{count:,}", "")
    table.add_section()
    if stats is not None:
        table.add_row("Objects", f"{stats.listed:,}", _pages(stats.pages))
    console.print(table)
    if summary.examples:
        examples = Table(
            title="Skipped (examples)",
            box=box.SIMPLE,
            title_justify="left",
            title_style="bold",
        )
        examples.add_column("Reason")
        examples.add_column("Key", overflow="fold")
        examples.add_column("Why", overflow="fold")
        for reason, key, detail in summary.examples:
            examples.add_row(Text(reason, style="yellow"), key, detail)
        console.print(examples)
    if summary.report_path is not None:
        console.print(f"Report: {summary.report_path}", markup=False)


def counters_table(title: str, rows: Mapping[str, object]) -> Table:
    """
    A two-column table of named values.

    Strictly private.
    """
    table = Table(
        title=title,
        box=box.ROUNDED,
        show_header=False,
        title_style="bold",
        title_justify="left",
    )
    table.add_column(style="bold")
    table.add_column(justify="right")
    for name, value in rows.items():
        shown = f"{value:,}" if isinstance(value, int) else str(value)
        table.add_row(name, shown)
    return table
