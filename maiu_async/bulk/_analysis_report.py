"""
What a bulk analysis tells its caller: outcomes, the report, the tally.

Strictly private; the public names are re-exported by
``maiu_async.bulk``.
"""

from __future__ import annotations

import enum
import time

from typing import Final, Protocol

import attrs


__all__ = [
    "ANALYZE_CANCEL",
    "ANALYZE_COMPLETED",
    "ANALYZE_FAIL",
    "BEFORE_ANALYZE",
    "RUNNING",
    "TERMINAL",
    "AnalysisHook",
    "AnalysisOutcome",
    "AnalysisReport",
    "AnalysisTally",
    "RequestStatus",
]

#: Analysis statuses (``analyze-status``) the job reasons about.
BEFORE_ANALYZE: Final = "BEFORE_ANALYZE"
ANALYZE_COMPLETED: Final = "ANALYZE_COMPLETED"
ANALYZE_FAIL: Final = "ANALYZE_FAIL"
ANALYZE_CANCEL: Final = "ANALYZE_CANCEL"
#: Queued or running: another request would be refused (10500).
RUNNING: Final = frozenset({"WAIT_ANALYZE", "ANALYZING"})
#: Where an analysis ends.
TERMINAL: Final = frozenset({ANALYZE_COMPLETED, ANALYZE_FAIL, ANALYZE_CANCEL})

_now = time.perf_counter


class RequestStatus(enum.Enum):
    """
    What finally happened to one asset's analysis request.

    Attributes:
        REQUESTED: The service accepted an analysis of the asset (from
            this job, an earlier run of the same journal, or found by its
            analysis status after an answer was lost).
        SKIPPED: Never sent: the asset repeats an earlier one of the
            input, is already analysed or being analysed, or (with
            *imported_only*) its import is not ``COMPLETED``.
        FAILED: Not requested, and certainly no analysis started by this
            job: the API refused it, or no attempt reached the server.
        UNKNOWN: An attempt may have started an analysis and the job
            could not tell from the asset's analysis status.
        NOT_ATTEMPTED: Never sent: the job stopped first.  A rerun with
            the same journal sends it.

    .. versionadded:: 26.1.0

    """

    REQUESTED = "requested"
    SKIPPED = "skipped"
    FAILED = "failed"
    UNKNOWN = "unknown"
    NOT_ATTEMPTED = "not_attempted"


@attrs.frozen(kw_only=True)
class AnalysisOutcome:
    """
    The final result for one input asset.

    Attributes:
        asset_id: The asset's id.
        status: What happened to the request.
        analyze_status: The asset's analysis status as last read
            (``ANALYZE_COMPLETED`` once waited for, say), or ``None`` if
            it was not read.
        index_id: The index the analysis made, once
            ``ANALYZE_COMPLETED``.
        message: The service's analysis message (why it failed).
        error: Why the request was skipped, failed, is unknown or was
            not attempted; ``None`` when requested.
        attempts: Analysis requests sent for this asset.
        resumed: Requested by an earlier run, according to the journal.
        resolved: Found started by its analysis status after an answer
            was lost (or after a crash).

    .. versionadded:: 26.1.0

    """

    asset_id: int
    status: RequestStatus
    analyze_status: str | None = None
    index_id: int | None = None
    message: str | None = None
    error: str | None = None
    attempts: int = 0
    resumed: bool = False
    resolved: bool = False


class AnalysisHook(Protocol):
    """
    Called once per asset with its final outcome.

    It runs on the event loop between requests: keep it quick.  An
    exception stops the job and is raised by it.

    .. versionadded:: 26.1.0
    """

    def __call__(self, outcome: AnalysisOutcome, /) -> None:
        """Receive one outcome."""


@attrs.frozen(kw_only=True)
class AnalysisReport:
    """
    The summary of a bulk analysis.

    Attributes:
        requested: Assets whose analysis was requested (including
            `resumed` and `resolved`).
        skipped: Assets never sent (see `RequestStatus.SKIPPED`).
        failed: Assets certainly not requested.
        unknown: Assets that may or may not be analysed.
        not_attempted: Assets never sent because the job stopped.
        resumed: Assets the journal already recorded as requested.
        resolved: Assets found requested by their analysis status.
        analyzed: Assets last seen ``ANALYZE_COMPLETED``.
        analysis_failed: Assets last seen ``ANALYZE_FAIL`` or
            ``ANALYZE_CANCEL``.
        still_running: Assets waited for whose analysis had not ended
            when waiting ended (``--wait-timeout``, or a stop).
        requests: Analysis requests sent.
        status_reads: Analysis (and import) status reads.
        retries: Requests that repeated an earlier attempt.
        throttled: 429 answers received.
        duration: Seconds the job ran.
        stopped: Whether the job was stopped before its input ran out.

    .. versionadded:: 26.1.0

    """

    requested: int = 0
    skipped: int = 0
    failed: int = 0
    unknown: int = 0
    not_attempted: int = 0
    resumed: int = 0
    resolved: int = 0
    analyzed: int = 0
    analysis_failed: int = 0
    still_running: int = 0
    requests: int = 0
    status_reads: int = 0
    retries: int = 0
    throttled: int = 0
    duration: float = 0.0
    stopped: bool = False

    @property
    def total(self) -> int:
        """Assets with an outcome (every asset taken from the input)."""
        return (
            self.requested
            + self.skipped
            + self.failed
            + self.unknown
            + self.not_attempted
        )

    @property
    def counts(self) -> dict[RequestStatus, int]:
        """Outcomes per status."""
        return {
            RequestStatus.REQUESTED: self.requested,
            RequestStatus.SKIPPED: self.skipped,
            RequestStatus.FAILED: self.failed,
            RequestStatus.UNKNOWN: self.unknown,
            RequestStatus.NOT_ATTEMPTED: self.not_attempted,
        }


_REPORTED: Final = frozenset(f.name for f in attrs.fields(AnalysisReport)) - {
    "duration"
}


@attrs.define
class AnalysisTally:
    """
    What a bulk analysis did so far; its `AnalysisReport` in the making.

    Strictly private.
    """

    requested: int = 0
    skipped: int = 0
    failed: int = 0
    unknown: int = 0
    not_attempted: int = 0
    resumed: int = 0
    resolved: int = 0
    analyzed: int = 0
    analysis_failed: int = 0
    still_running: int = 0
    requests: int = 0
    status_reads: int = 0
    retries: int = 0
    throttled: int = 0
    stopped: bool = False
    started: float = attrs.field(factory=_now)
    ended: float | None = None

    def count(self, outcome: AnalysisOutcome) -> None:
        """Count one settled outcome."""
        name = outcome.status.value
        setattr(self, name, getattr(self, name) + 1)
        self.resumed += outcome.resumed
        self.resolved += outcome.resolved
        analyze = outcome.analyze_status
        if analyze == ANALYZE_COMPLETED:
            self.analyzed += 1
        elif analyze in TERMINAL:
            self.analysis_failed += 1
        elif analyze in RUNNING:
            self.still_running += 1

    def start(self) -> None:
        """Start the clock."""
        self.started = _now()

    def end(self) -> None:
        """Stop the clock."""
        self.ended = _now()

    def report(self) -> AnalysisReport:
        """Summarise the counts so far."""
        end = _now() if self.ended is None else self.ended
        counts = attrs.asdict(self, filter=lambda a, _: a.name in _REPORTED)
        return AnalysisReport(**counts, duration=end - self.started)
