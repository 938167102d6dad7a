"""
The counters of a bulk job, from which its `BulkReport` is made.

Strictly private.
"""

from __future__ import annotations

import time

import attrs

from ..models import ImportState  # noqa: TC001 -- attrs resolves it
from ._report import BulkReport, Outcome, OutcomeStatus


__all__ = ["Tally"]

_now = time.perf_counter
#: The fields a tally and its report share: all but the clock's.
_REPORTED = frozenset(f.name for f in attrs.fields(BulkReport)) - {"duration"}


@attrs.define
class Tally:
    """
    What a job did so far: outcomes by kind, requests, timing.

    Outcomes are counted as they are settled; the other counters by the
    part of the pipeline that does the thing counted.

    Strictly private.
    """

    registered: int = 0
    skipped: int = 0
    failed: int = 0
    unknown: int = 0
    not_attempted: int = 0
    resumed: int = 0
    reconciled: int = 0
    requests: int = 0
    retries: int = 0
    throttled: int = 0
    reconcile_passes: int = 0
    stopped: bool = False
    imports: dict[ImportState, int] = attrs.field(factory=dict)
    polls: int = 0
    started: float = attrs.field(factory=_now)
    ended: float | None = None

    def count(self, outcome: Outcome) -> None:
        """Count one settled outcome."""
        status = outcome.status
        if status is OutcomeStatus.REGISTERED:
            self.registered += 1
            imported = outcome.import_status
            if imported is not None:
                self.imports[imported] = self.imports.get(imported, 0) + 1
            if outcome.resumed:
                self.resumed += 1
            elif outcome.reconciled:
                self.reconciled += 1
        elif status is OutcomeStatus.SKIPPED:
            self.skipped += 1
        elif status is OutcomeStatus.FAILED:
            self.failed += 1
        elif status is OutcomeStatus.NOT_ATTEMPTED:
            self.not_attempted += 1
        else:
            self.unknown += 1

    def start(self) -> None:
        """Start the clock."""
        self.started = _now()

    def end(self) -> None:
        """Stop the clock."""
        self.ended = _now()

    def report(self) -> BulkReport:
        """Summarise the counts so far."""
        end = _now() if self.ended is None else self.ended
        counts = attrs.asdict(self, filter=lambda a, _: a.name in _REPORTED)
        return BulkReport(**counts, duration=end - self.started)
