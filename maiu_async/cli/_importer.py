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

import anyio
import attrs

from maiu_async.bulk import (
    BulkOptions,
    OutcomeStatus,
    report_of,
    stream_register,
)
from maiu_async.exceptions import MaiuError

from ._keysfile import KeysFileError, LineSplitter
from ._summary import EXAMPLES_PER_STATUS, ImportSummary


if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterable, Iterator

    from maiu_async import MaiuClient
    from maiu_async.bulk import (
        BulkEvent,
        BulkShortcuts,
        Outcome,
        OutcomeStream,
        SkippedKey,
    )
    from maiu_async.storage import ListingStats

    from ._storage import LineWriter


__all__ = [
    "ImportDisplay",
    "aiter_stream_keys",
    "run_import",
]

_CHUNK = 64 * 1024


class ImportDisplay(Protocol):
    """
    What shows an import's progress; see ``_render.ImportProgress``.

    *interval*: the import calls `tick` every *interval* seconds, unless
    it is ``None`` (a display that refreshes itself).

    Strictly private.
    """

    @property
    def interval(self) -> float | None:
        """Seconds between two calls of `tick`, or ``None``."""

    def tick(self) -> None:
        """Show the progress as of now."""

    def outcome(self, outcome: Outcome) -> None:
        """Count one key's outcome."""

    def event(self, event: BulkEvent) -> None:
        """Note a retry or a reconcile pass."""

    def notice(self, text: str) -> None:
        """Show a message above the progress bar."""


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
                "import_status": None
                if outcome.import_status is None
                else outcome.import_status.value,
                "import_message": outcome.import_message,
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


#: The signals that stop an import in order.  SIGHUP (the terminal or
#: the ssh session went away) is handled like SIGTERM, unless the command
#: runs with it ignored (``nohup``).
_STOP_SIGNALS: Final = ("SIGINT", "SIGTERM", "SIGHUP")


@contextlib.contextmanager
def _signals(on_signal: Callable[[int], None]) -> Iterator[None]:
    """
    Route the stop signals to *on_signal* (with their number).

    Strictly private.
    """
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for name in _STOP_SIGNALS:
        sig = getattr(signal, name, None)
        if sig is None:  # pragma: no cover -- not on this platform
            continue
        # Not in the main thread, or not on this platform: no handler,
        # and the signal keeps Python's default behaviour.
        with contextlib.suppress(
            NotImplementedError, RuntimeError, ValueError
        ):
            if signal.getsignal(sig) is signal.SIG_IGN:
                continue
            loop.add_signal_handler(sig, on_signal, int(sig))
            installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def _tick(display: ImportDisplay) -> None:
    """Call the display's `tick` every interval, until cancelled."""
    interval = display.interval
    if interval is None:
        return
    while True:
        await anyio.sleep(interval)
        display.tick()


class _Examples:
    """The first few keys of each status but registered."""

    def __init__(self) -> None:
        self.kept: list[tuple[str, str, str]] = []
        self._shown = dict.fromkeys(OutcomeStatus, 0)

    def add(self, outcome: Outcome) -> None:
        status = outcome.status
        if (
            status is not OutcomeStatus.REGISTERED
            and self._shown[status] < EXAMPLES_PER_STATUS
        ):
            self._shown[status] += 1
            self.kept.append((status.value, outcome.key, outcome.error or ""))


async def run_import(  # noqa: PLR0913 -- every option is keyword-only
    client: MaiuClient,
    *,
    workspace: str,
    project_id: int,
    bucket: str,
    keys: Iterable[str] | AsyncIterator[str | SkippedKey],
    total: int | None,
    report_file: LineWriter | None,
    report_path: Path | None,
    display: ImportDisplay,
    hard_exit: Callable[[int], None],
    listing: Callable[[], ListingStats] | None = None,
    options: BulkOptions | None = None,
    **shortcuts: Unpack[BulkShortcuts],
) -> ImportSummary:
    """
    Register *keys*, stream outcomes to *display* and the report file.

    The first SIGINT, SIGTERM or SIGHUP stops the job in order: no new
    key is sent, requests in flight settle and the journal is flushed.
    A second one calls *hard_exit* with its number: the journal is
    crash-safe, so a resume still does every key exactly once.
    *listing* gives the counts of the bucket listing the keys come from,
    if they do.  *options* and *shortcuts* are those of
    `maiu_async.bulk.stream_register`; the job's events go to *display*.

    A systemic failure (credentials refused, project deleted, journal
    refused, a keys file that is not UTF-8) after some keys settled is
    returned as the summary's `ImportSummary.failure`, with the counts
    so far; the report file then has every settled key.

    Raises:
        MaiuError: A systemic failure before any key settled.
        KeysFileError: The keys file is not UTF-8, from its start.

    Strictly private.
    """
    options = attrs.evolve(options or BulkOptions(), **shortcuts)
    options = attrs.evolve(options, on_event=display.event)
    journal = None if options.journal is None else Path(options.journal)
    examples = _Examples()
    stopped_by: list[int] = []
    running: list[OutcomeStream] = []
    failure: MaiuError | KeysFileError | None = None

    def on_signal(signum: int) -> None:
        stopped_by.append(signum)
        if len(stopped_by) > 1:
            hard_exit(signum)
            return
        display.notice(
            "Stopping: no new keys are sent; requests in flight are "
            "settling and the journal is being flushed (Ctrl-C again to "
            "quit at once)."
        )
        for stream in running:
            stream.stop()

    with _signals(on_signal):
        try:
            async with (
                stream_register(
                    client,
                    workspace,
                    project_id,
                    bucket_name=bucket,
                    keys=keys,
                    options=options,
                ) as outcomes,
                anyio.create_task_group() as ticker,
            ):
                running.append(outcomes)
                if stopped_by:
                    outcomes.stop()
                ticker.start_soon(_tick, display)
                async for outcome in outcomes:
                    if report_file is not None:
                        report_file.write(report_line(outcome))
                    examples.add(outcome)
                    display.outcome(outcome)
                ticker.cancel_scope.cancel()
        except (MaiuError, KeysFileError) as exc:
            if not running:
                raise  # refused before the job started
            failure = exc
    # The engine attaches the report to the error it raises; the stream
    # has it too, for an error of the caller's own.
    report = (None if failure is None else report_of(failure)) or running[
        0
    ].report
    if failure is not None and not report.total:
        raise failure  # refused before any key settled: nothing to sum up
    return ImportSummary(
        workspace=workspace,
        project_id=project_id,
        bucket=bucket,
        total=total,
        report=report,
        report_path=report_path,
        journal_path=journal,
        examples=tuple(examples.kept),
        listing=None if listing is None else listing(),
        signal=stopped_by[0] if stopped_by else None,
        failure=failure,
        waited=options.wait is not None,
    )
