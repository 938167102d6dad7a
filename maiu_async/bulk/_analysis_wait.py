"""
An asset's analysis status: what it tells, and waiting for its end.

`resolve` judges a status read after a lost answer.  Waiting runs on
the bulk engine's one poller (``_poll``): an asset requested (or found
being analysed) is handed to a `Poller` of its analysis status, with
the job's `PollPolicy` (``wait``): polls
are paced by the job's limiter and the client's, bounded in flight, and
back off per asset.  Workers keep requesting meanwhile: a worker never
holds its slot while an analysis runs.  The asset's outcome is settled
when its analysis ends (``ANALYZE_COMPLETED``, ``ANALYZE_FAIL``,
``ANALYZE_CANCEL``), or when waiting for it ends first (its timeout, its
polls kept failing, the job stopped), at the status last read.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._analysis_report import (
    ANALYZE_COMPLETED,
    BEFORE_ANALYZE,
    RUNNING,
    TERMINAL,
    RequestStatus,
)
from ._poll import Poller


if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from .._scheduler import AdaptiveLimiter
    from ..models import AnalysisStatus
    from ._analysis_journal import Baseline
    from ._poll import PollPolicy


__all__ = ["Item", "analysis_poller", "resolve"]


class Item:
    """
    One asset on its way through the job.

    Strictly private.
    """

    __slots__ = (
        "analyze_status",
        "asset_id",
        "attempts",
        "error",
        "in_flight",
        "index_id",
        "journaled",
        "maybe_sent",
        "message",
        "resolved",
        "resumed",
        "status",
    )

    def __init__(self, asset_id: int) -> None:
        self.asset_id = asset_id
        self.status: RequestStatus | None = None
        self.error: str | None = None
        self.attempts = 0
        self.resumed = False
        self.resolved = False
        self.analyze_status: str | None = None
        self.index_id: int | None = None
        self.message: str | None = None
        #: An attempt may have started an analysis.
        self.maybe_sent = False
        #: A request is on its way.
        self.in_flight = False
        self.journaled = True

    def saw(self, status: AnalysisStatus) -> None:
        """Note the analysis status just read."""
        self.analyze_status = status.status
        self.index_id = status.index_id
        self.message = status.analyze_status_message


def analysis_poller(
    policy: PollPolicy,
    *,
    fetch: Callable[[Item], Awaitable[AnalysisStatus]],
    finish: Callable[[Item], None],
    pacer: AdaptiveLimiter | None,
) -> Poller[Item, AnalysisStatus]:
    """
    The poller of a job's analysis statuses; *finish* settles an item.
    """

    def final(item: Item, status: AnalysisStatus) -> None:
        item.saw(status)
        finish(item)

    def unsettled(
        item: Item, status: AnalysisStatus | None, reason: str
    ) -> None:
        if status is not None:
            item.saw(status)
        if item.status is RequestStatus.REQUESTED:
            item.error = reason
        finish(item)

    return Poller(
        fetch=fetch,
        terminal=_ended,
        on_final=final,
        on_unsettled=unsettled,
        policy=policy,
        pacer=pacer,
    )


def _ended(status: AnalysisStatus) -> bool:
    return status.status in TERMINAL


def resolve(baseline: Baseline, now: AnalysisStatus) -> bool | None:
    """
    Whether a request whose answer was lost started an analysis.

    *baseline* is the status read before the request was first sent;
    *now* the status read after.  A status other than the baseline means
    an analysis started since: this job's, as the job skips assets being
    analysed and each analysis makes a new index.  The same
    ``BEFORE_ANALYZE``, or the same ``ANALYZE_COMPLETED`` with the same
    index, means it did not.  The same ``ANALYZE_FAIL`` or
    ``ANALYZE_CANCEL`` leaves it open (``None``): the request may have
    started an analysis that failed again.  Without a baseline (a
    journal's ``U`` line alone) only ``BEFORE_ANALYZE`` and a running
    analysis decide.
    """
    status = now.status
    if baseline.status is None:
        if status in RUNNING:
            return True
        return False if status == BEFORE_ANALYZE else None
    if (status, now.index_id) != (baseline.status, baseline.index_id):
        return True
    return False if status in {BEFORE_ANALYZE, ANALYZE_COMPLETED} else None
