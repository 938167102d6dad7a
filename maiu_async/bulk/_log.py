"""
What a bulk job tells the ``maiu_async.bulk`` logger.

- INFO: the job starts and stops (with its counts);
- WARNING: a retry storm (many retries in a short time), a reconcile
  pass, a systemic stop.

Nothing is logged per key: the report and the journal have every key,
and a log line per key would cost more than the key's request.  The
job calls `JobLog` where it starts, stops and emits events; the records
are plain ``logging`` records, so any handler may take them.

Strictly private.
"""

from __future__ import annotations

import logging
import time

from typing import TYPE_CHECKING, Final

from ._report import ReconcileFinished, RetryScheduled


if TYPE_CHECKING:
    from collections.abc import Callable
    from os import PathLike

    from ._report import BulkEvent, BulkReport


__all__ = [
    "LOGGER_NAME",
    "STOPPED_BY_FAILURE",
    "STORM_RETRIES",
    "STORM_WINDOW",
    "JobLog",
]

#: The logger of bulk jobs.
LOGGER_NAME: Final = "maiu_async.bulk"
#: A retry storm: at least this many retries ...
STORM_RETRIES: Final = 50
#: ... within this many seconds; then one warning per such window.
STORM_WINDOW: Final = 10.0

#: An attribute set on the record of a systemic stop, so that a program
#: that reports the failure itself (the CLI) can leave it out.
STOPPED_BY_FAILURE: Final = "maiu_stopped_by_failure"

_log = logging.getLogger(LOGGER_NAME)


class JobLog:
    """
    The log lines of one job.

    Args:
        workspace: Where the job registers.
        project_id: The project.
        bucket: The bucket.
        clock: Seconds, monotonic; for tests.

    Strictly private.
    """

    __slots__ = (
        "_clock",
        "_target",
        "_window_retries",
        "_window_start",
    )

    def __init__(
        self,
        workspace: str,
        project_id: int,
        bucket: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._target = (
            f"workspace {workspace!r} project {project_id} bucket {bucket!r}"
        )
        self._clock = clock
        self._window_start: float | None = None
        self._window_retries = 0

    def started(
        self,
        *,
        concurrency: int,
        rate: float | None,
        journal: str | PathLike[str] | None,
    ) -> None:
        """Log the start of the job."""
        _log.info(
            "bulk job started: %s, concurrency %d, rate %s, journal %s",
            self._target,
            concurrency,
            "adaptive" if rate is None else f"at most {rate:g}/s",
            "none" if journal is None else repr(str(journal)),
        )

    def finished(
        self, report: BulkReport, fatal: BaseException | None
    ) -> None:
        """
        Log how the job ended: a systemic stop is a warning.

        A cancellation is not a failure of the job: it stops in order.
        """
        counts = (
            f"{report.registered} registered, {report.skipped} skipped, "
            f"{report.failed} failed, {report.unknown} unknown, "
            f"{report.requests} requests, {report.retries} retries "
            f"in {report.duration:.1f} s"
        )
        if isinstance(fatal, Exception):
            _log.warning(
                "bulk job stopped by a systemic failure (%s: %s): %s",
                type(fatal).__name__,
                fatal,
                counts,
                extra={STOPPED_BY_FAILURE: True},
            )
        elif report.stopped:
            _log.info("bulk job stopped before its input ended: %s", counts)
        else:
            _log.info("bulk job finished: %s", counts)

    def event(self, event: BulkEvent) -> None:
        """Log a reconcile pass, or a retry when retries storm."""
        if isinstance(event, ReconcileFinished):
            if event.error is None:
                _log.warning(
                    "reconcile pass: looked for %d ambiguous keys in %d "
                    "pages, found %d",
                    event.keys,
                    event.pages,
                    event.found,
                )
            else:
                _log.warning(
                    "reconcile pass failed (%d keys, %d pages): %s",
                    event.keys,
                    event.pages,
                    event.error,
                )
        elif isinstance(event, RetryScheduled):
            self._retried(event)

    def _retried(self, event: RetryScheduled) -> None:
        now = self._clock()
        if self._window_start is None or now - self._window_start > (
            STORM_WINDOW
        ):
            self._window_start = now
            self._window_retries = 0
        self._window_retries += 1
        if self._window_retries == STORM_RETRIES:
            _log.warning(
                "retry storm: %d retries in %.1f s (last: key %r, attempt "
                "%d: %s)",
                self._window_retries,
                now - self._window_start,
                _short(event.key),
                event.attempt,
                event.error,
            )


def _short(key: str, most: int = 120) -> str:
    if len(key) <= most:
        return key
    return f"{key[:most]}... ({len(key)} characters)"
