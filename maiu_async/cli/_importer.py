"""
Running a bulk import for the CLI: keys in, outcomes out, Ctrl-C.

No click and no rich here: `maiu-async import` and `maiu-async demo`
both drive `run_import`, each with its own display.

Strictly private.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import threading

from concurrent.futures import CancelledError
from pathlib import Path
from typing import TYPE_CHECKING, Final, Protocol, Unpack

import attrs

from maiu_async.bulk import BulkOptions, OutcomeStatus, stream_register

from ._errors import EXIT_FAILURES, EXIT_INTERRUPTED, EXIT_OK
from ._keysfile import KeysFileError, LineSplitter
from ._storage import skipped_by_reason


if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterable, Iterator
    from typing import TextIO

    from maiu_async import MaiuClient
    from maiu_async.bulk import (
        BulkEvent,
        BulkReport,
        BulkShortcuts,
        Outcome,
        OutcomeStream,
        SkippedKey,
    )
    from maiu_async.storage import ListingStats


__all__ = [
    "ImportDisplay",
    "ImportSummary",
    "aiter_stream_keys",
    "run_import",
]

#: Examples of keys that were not registered, kept per status for the
#: summary; the report file has them all.
EXAMPLES_PER_STATUS: Final = 3
_CHUNK = 64 * 1024


class ImportDisplay(Protocol):
    """
    What shows an import's progress; see ``_render.ImportProgress``.

    Strictly private.
    """

    def outcome(self, outcome: Outcome) -> None:
        """Count one key's outcome."""

    def event(self, event: BulkEvent) -> None:
        """Note a retry or a reconcile pass."""

    def notice(self, text: str) -> None:
        """Show a message above the progress bar."""


@attrs.frozen(kw_only=True)
class ImportSummary:
    """
    What an import did, for the table, ``--json`` and the exit code.

    Strictly private.
    """

    workspace: str
    project_id: int
    bucket: str
    total: int | None
    report: BulkReport
    interrupted: bool
    report_path: Path | None
    journal_path: Path | None
    examples: tuple[tuple[str, str, str], ...]
    listing: ListingStats | None = None

    @property
    def exit_code(self) -> int:
        """0 when nothing failed, 1 when some keys failed, 130 stopped."""
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.report.failed or self.report.unknown:
            return EXIT_FAILURES
        return EXIT_OK

    @property
    def not_attempted(self) -> int | None:
        """Keys of the input without an outcome, if the total is known."""
        if self.total is None:
            return None
        return max(0, self.total - self.report.total)

    def as_json(self) -> dict[str, object]:
        """The summary as one JSON object (no secret is part of it)."""
        r = self.report
        listed: dict[str, object] = {}
        if self.listing is not None:
            listed = {
                "listed": self.listing.listed,
                "pages": self.listing.pages,
                "skipped_by_reason": skipped_by_reason(self.listing),
            }
        return {
            "workspace": self.workspace,
            "project_id": self.project_id,
            "bucket": self.bucket,
            "total_keys": self.total,
            "registered": r.registered,
            "skipped": r.skipped,
            "failed": r.failed,
            "unknown": r.unknown,
            "resumed": r.resumed,
            "reconciled": r.reconciled,
            "not_attempted": self.not_attempted,
            "requests": r.requests,
            "retries": r.retries,
            "rate_limited": r.throttled,
            "duration_s": round(r.duration, 3),
            "rate_per_s": round(r.rate, 1),
            "interrupted": self.interrupted,
            "exit_code": self.exit_code,
            "report": None
            if self.report_path is None
            else str(self.report_path),
            "journal": None
            if self.journal_path is None
            else str(self.journal_path),
            **listed,
        }


def report_line(outcome: Outcome) -> str:
    """
    One JSONL line of the per-key report.

    Strictly private.
    """
    return (
        json.dumps(
            {
                "key": outcome.key,
                "status": outcome.status.value,
                "asset_id": outcome.asset_id,
                "error": outcome.error,
                "attempts": outcome.attempts,
                "latency_ms": round(outcome.latency * 1000, 1),
                "resumed": outcome.resumed,
                "reconciled": outcome.reconciled,
            },
            ensure_ascii=False,
        )
        + "\n"
    )


def _pump(
    source: int | Path, hand_over: Callable[[bytes | OSError], bool]
) -> None:
    """
    Read *source* to its end in chunks; see `_chunks`.

    Strictly private.
    """
    try:
        fd = (
            source if isinstance(source, int) else os.open(source, os.O_RDONLY)
        )
    except OSError as exc:
        hand_over(exc)
        return
    try:
        while True:
            try:
                chunk = os.read(fd, _CHUNK)
            except OSError as exc:
                hand_over(exc)
                return
            if not hand_over(chunk) or not chunk:
                return
    finally:
        if fd is not source:
            os.close(fd)


async def _chunks(source: int | Path, name: str) -> AsyncIterator[bytes]:
    """
    Yield what a daemon thread reads from *source*, chunk by chunk.

    *source* is a file descriptor (standard input) or the path of a pipe.
    A pipe may pause for as long as its producer likes, and the event
    loop must keep serving requests meanwhile.  So a daemon thread (not a
    worker of the loop's pool, which the exit would wait for) reads, with
    `os.read` rather than a buffered file: a read still blocked when the
    import stops then holds no lock that the interpreter's shutdown
    needs.  For the same reason a path is opened in the thread (opening
    a FIFO waits for its writer) and the descriptor is closed only there.

    Strictly private.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[bytes | OSError] = asyncio.Queue(maxsize=8)

    def hand_over(chunk: bytes | OSError) -> bool:
        try:
            asyncio.run_coroutine_threadsafe(queue.put(chunk), loop).result()
        except (RuntimeError, CancelledError, asyncio.CancelledError):
            return False  # the loop is closing or gone: the import is over
        return True

    threading.Thread(
        target=_pump, args=(source, hand_over), name="maiu-keys", daemon=True
    ).start()
    while True:
        chunk = await queue.get()
        if isinstance(chunk, OSError):
            raise KeysFileError(f"{name}: {chunk.strerror or chunk}")
        if not chunk:
            return
        yield chunk


async def aiter_stream_keys(
    source: int | Path, name: str
) -> AsyncIterator[str]:
    """
    Yield the keys of standard input or a pipe, read in a thread.

    Strictly private.
    """
    splitter = LineSplitter(name)
    async for chunk in _chunks(source, name):
        for key in splitter.feed(chunk):
            yield key
    for key in splitter.end():
        yield key


@contextlib.contextmanager
def _signals(on_signal: Callable[[], None]) -> Iterator[None]:
    """
    Route SIGINT and SIGTERM to *on_signal* while the import runs.

    Strictly private.
    """
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Not in the main thread, or not on this platform: no handler,
        # and Ctrl-C keeps Python's default behaviour.
        with contextlib.suppress(
            NotImplementedError, RuntimeError, ValueError
        ):
            loop.add_signal_handler(sig, on_signal)
            installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def run_import(  # noqa: PLR0913 -- every option is keyword-only
    client: MaiuClient,
    *,
    workspace: str,
    project_id: int,
    bucket: str,
    keys: Iterable[str] | AsyncIterator[str | SkippedKey],
    total: int | None,
    report_file: TextIO | None,
    report_path: Path | None,
    display: ImportDisplay,
    hard_exit: Callable[[], None],
    listing: Callable[[], ListingStats] | None = None,
    options: BulkOptions | None = None,
    **shortcuts: Unpack[BulkShortcuts],
) -> ImportSummary:
    """
    Register *keys*, stream outcomes to *display* and the report file.

    The first Ctrl-C (or SIGTERM) stops the job in order: no new key is
    sent, requests in flight settle and the journal is flushed.  A second
    one calls *hard_exit*: the journal is crash-safe, so a resume still
    does every key exactly once.  *listing* gives the counts of the
    bucket listing the keys come from, if they do.  *options* and
    *shortcuts* are those of `maiu_async.bulk.stream_register`; the
    job's events go to *display*.

    Raises:
        MaiuError: A systemic failure (credentials refused, no such
            workspace or project, journal refused) stopped the job.
        KeysFileError: The keys file is not UTF-8.

    Strictly private.
    """
    options = attrs.evolve(options or BulkOptions(), **shortcuts)
    options = attrs.evolve(options, on_event=display.event)
    journal = None if options.journal is None else Path(options.journal)
    examples: list[tuple[str, str, str]] = []
    shown = dict.fromkeys(OutcomeStatus, 0)
    presses = 0
    running: list[OutcomeStream] = []

    def on_signal() -> None:
        nonlocal presses
        presses += 1
        if presses > 1:
            hard_exit()
            return
        display.notice(
            "Stopping: no new keys are sent; requests in flight are "
            "settling and the journal is being flushed (Ctrl-C again to "
            "quit at once)."
        )
        for stream in running:
            stream.stop()

    with _signals(on_signal):
        async with stream_register(
            client,
            workspace,
            project_id,
            bucket_name=bucket,
            keys=keys,
            options=options,
        ) as outcomes:
            running.append(outcomes)
            if presses:
                outcomes.stop()
            async for outcome in outcomes:
                if report_file is not None:
                    report_file.write(report_line(outcome))
                status = outcome.status
                if (
                    status is not OutcomeStatus.REGISTERED
                    and shown[status] < EXAMPLES_PER_STATUS
                ):
                    shown[status] += 1
                    examples.append(
                        (status.value, outcome.key, outcome.error or "")
                    )
                display.outcome(outcome)
    report = outcomes.report
    return ImportSummary(
        workspace=workspace,
        project_id=project_id,
        bucket=bucket,
        total=total,
        report=report,
        interrupted=report.stopped,
        report_path=report_path,
        journal_path=journal,
        examples=tuple(examples),
        listing=None if listing is None else listing(),
    )
