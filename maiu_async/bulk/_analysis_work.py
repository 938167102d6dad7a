"""
One asset's way through a bulk analysis: read, reserve, request, resolve.

After each failed request the one retry verdict decides
(`maiu_async._retry.verdict`):

- `~Verdict.RETRY` (not sent, 429, 503): wait in the worker (backoff,
  or the server's ``Retry-After``), then send again, within the attempt
  budget;
- `~Verdict.AMBIGUOUS` (timeout or reset after sending, 500/502/504):
  wait the reconcile delay, read the analysis status and `resolve`:
  started means requested; not started means sent again, within the
  same budget; undecidable means unknown.  With ``reconcile=None`` the
  asset is unknown at once;
- `~Verdict.FINAL`: failed;
- `~Verdict.SYSTEMIC`: failed, and the job stops with the error; except
  that a 404 naming the asset (code 10102) fails that asset only.

Status reads are idempotent GETs and retried by the client's own loop.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import anyio

from .. import _errorcodes as codes
from .._retry import Verdict, verdict
from ..exceptions import MaiuError, RateLimited
from ..models import ImportState
from ._analysis_journal import Baseline
from ._analysis_report import (
    ANALYZE_COMPLETED,
    RUNNING,
    TERMINAL,
    RequestStatus,
)
from ._analysis_wait import resolve
from ._report import RetryScheduled, clip
from ._workers import too_long_wait


if TYPE_CHECKING:
    from collections.abc import Callable

    from .._client import MaiuClient
    from .._retry import RetryPolicy
    from .._scheduler import AdaptiveLimiter
    from ..models import AnalysisStatus
    from ._analysis import AnalysisRequest
    from ._analysis_journal import AnalysisJournal, Recorded
    from ._analysis_report import AnalysisTally
    from ._analysis_wait import Item
    from ._options import BulkOptions
    from ._poll import Poller


__all__ = ["Work"]

_RUNNING = "an analysis of it is already waiting or running"
_STOPPED_RETRY = "the job stopped before sending it again"
_CANCELLED = "the job was cancelled while the request was in flight"
_NO_RECONCILE = "reconciling is off: an analysis may have started"
_STOPPED_READ = "the job stopped before reading its analysis status"
_SAME: Final = (
    "its analysis status ({status}) is the same as before the request: "
    "cannot tell whether this request started an analysis"
)


class Work:
    """
    What the workers share, and the work they do per asset.

    Strictly private.
    """

    def __init__(  # noqa: PLR0913 -- the job's parts, keyword-only
        self,
        client: MaiuClient,
        workspace: str,
        project_id: int,
        *,
        settings: AnalysisRequest,
        options: BulkOptions,
        retry: RetryPolicy,
        tally: AnalysisTally,
        reanalyze: bool,
        imported_only: bool,
        settle: Callable[[Item], None],
        fail: Callable[[BaseException], None],
    ) -> None:
        self.client = client
        self.workspace = workspace
        self.project_id = project_id
        self.settings = settings
        self.options = options
        self.retry = retry
        self.tally = tally
        self.reanalyze = reanalyze
        self.imported_only = imported_only
        self.settle = settle
        self.fail = fail
        self.waiter: Poller[Item, AnalysisStatus] | None = None
        self.journal: AnalysisJournal | None = None
        self.pacer: AdaptiveLimiter | None = None
        #: What the journal holds: requested assets, and those that may be.
        self.requested: dict[int, Recorded] = {}
        self.maybe: dict[int, Baseline] = {}
        self.stopping = False
        #: Set when the job stops (by the job).
        self.stop_event = anyio.Event()
        self.unsent_reason = "the job stopped before sending it"

    # -- per asset -------------------------------------------------------

    async def handle(self, item: Item) -> None:
        """Take one asset from the input to its outcome (or the waiter)."""
        recorded = self.requested.pop(item.asset_id, None)
        if recorded is not None:
            item.resumed = True
            item.analyze_status = recorded.status
            item.index_id = recorded.index_id
            if recorded.status is None and self.waiter is not None:
                self.waiter.add(item)
            else:
                item.journaled = False
                self.settle(item)
            return
        baseline = self.maybe.pop(item.asset_id, None)
        if baseline is not None:
            # An earlier run may have sent it: look before sending.
            item.maybe_sent = True
            if not await self._resolved(item, baseline):
                return
        else:
            baseline = await self._baseline(item)
            if baseline is None:
                return
            if self.journal is not None:
                await self.journal.reserve(item.asset_id, baseline)
        await self._send(item, baseline)

    def cancelled(self, item: Item) -> None:
        """Settle *item*, whose worker a forced stop cancelled."""
        if item.status is not None:
            return  # settled, or with the waiter
        if item.in_flight or item.maybe_sent:
            self._final(item, RequestStatus.UNKNOWN, _CANCELLED)
        else:
            self._final(item, RequestStatus.NOT_ATTEMPTED, self.unsent_reason)

    async def poll_status(self, item: Item) -> AnalysisStatus:
        """Read *item*'s analysis status once (the poller's fetch)."""
        self.tally.status_reads += 1
        return await self.client.analysis.status(
            self.workspace, self.project_id, item.asset_id, retry=None
        )

    async def read_status(self, item: Item) -> AnalysisStatus | MaiuError:
        """Read *item*'s analysis status; the error if that failed."""
        if self.pacer is not None:
            await self.pacer.acquire()
        self.tally.status_reads += 1
        try:
            return await self.client.analysis.status(
                self.workspace,
                self.project_id,
                item.asset_id,
                retry=self.retry,
            )
        except MaiuError as exc:
            if verdict(exc) is Verdict.SYSTEMIC and not _asset_missing(exc):
                self.fail(exc)
            return exc

    async def _baseline(self, item: Item) -> Baseline | None:
        # The status before any request; `None` once *item* is settled.
        if self.imported_only and not await self._imported(item):
            return None
        read = await self.read_status(item)
        if isinstance(read, MaiuError):
            self._final(
                item,
                RequestStatus.FAILED,
                f"could not read its analysis status: {read}",
            )
            return None
        item.saw(read)
        if read.status in RUNNING:
            self._skip(item, _RUNNING)
            return None
        if read.status == ANALYZE_COMPLETED and not self.reanalyze:
            self._skip(
                item,
                f"already analysed (index {read.index_id}); pass "
                "reanalyze=True (--reanalyze) to analyse it again",
            )
            return None
        return Baseline(read.status, read.index_id)

    async def _imported(self, item: Item) -> bool:
        if self.pacer is not None:
            await self.pacer.acquire()
        self.tally.status_reads += 1
        try:
            status = await self.client.assets.import_status(
                self.workspace,
                self.project_id,
                item.asset_id,
                retry=self.retry,
            )
        except MaiuError as exc:
            if verdict(exc) is Verdict.SYSTEMIC and not _asset_missing(exc):
                self.fail(exc)
            self._final(
                item,
                RequestStatus.FAILED,
                f"could not read its import status: {exc}",
            )
            return False
        if status.upload_status != ImportState.COMPLETED:
            self._skip(
                item,
                f"its import is {status.upload_status}, not COMPLETED",
            )
            return False
        return True

    async def _resolved(self, item: Item, baseline: Baseline) -> bool:
        """
        Resolve a request that may have started an analysis.

        Return ``True`` to send it (again); otherwise *item* is settled.
        """
        read = await self.read_status(item)
        if isinstance(read, MaiuError):
            self._final(
                item,
                RequestStatus.UNKNOWN,
                f"could not read its analysis status: {read}",
            )
            return False
        item.saw(read)
        started = resolve(baseline, read)
        if started is None:
            self._final(
                item, RequestStatus.UNKNOWN, _SAME.format(status=read.status)
            )
            return False
        if started:
            item.resolved = True
            self._requested(item, fresh=False)
            return False
        item.maybe_sent = False
        return True

    async def _send(self, item: Item, baseline: Baseline) -> None:
        request = self.client.analysis.request
        settings = self.settings
        tally = self.tally
        while True:
            if self.stopping:
                self._stopped(item)
                return
            if self.pacer is not None:
                await self.pacer.acquire()
            item.attempts += 1
            tally.requests += 1
            if item.attempts > 1:
                tally.retries += 1
            item.in_flight = True
            try:
                await request(
                    self.workspace,
                    self.project_id,
                    item.asset_id,
                    analysis_person_count=settings.person_count,
                    scene_range=settings.scene_range,
                    tag_ids=settings.tag_ids,
                    source_language=settings.source_language,
                    detect_audio_effects=settings.detect_audio_effects,
                    retry=None,
                )
            except MaiuError as exc:
                item.in_flight = False
                item.error = clip(str(exc))
                if not await self._again(item, exc, baseline):
                    return
            else:
                item.in_flight = False
                self._requested(item, fresh=True)
                return

    async def _again(
        self, item: Item, exc: MaiuError, baseline: Baseline
    ) -> bool:
        # After a failed request: `True` to send again, after waiting.
        judged = verdict(exc)
        retry_after = None
        if isinstance(exc, RateLimited):
            self.tally.throttled += 1
            retry_after = exc.retry_after
            cap = self.retry.max_retry_after
            if retry_after is not None and retry_after > cap:
                stop = too_long_wait(exc, cap)
                self._final(item, RequestStatus.FAILED, str(stop))
                self.fail(stop)
                return False
        if judged is Verdict.AMBIGUOUS:
            if not await self._ambiguous(item, exc, baseline):
                return False
            judged = Verdict.RETRY
        if judged is Verdict.RETRY:
            if item.attempts < self.retry.attempts and not self.stopping:
                wait = self.retry.wait_for(item.attempts, retry_after)
                self._event(item, wait)
                await self._pause(wait)
                return True
            if self.stopping:
                self._stopped(item)
            else:
                self._final(
                    item,
                    RequestStatus.FAILED,
                    f"gave up after {item.attempts} attempts: {exc}",
                )
            return False
        self._final(item, RequestStatus.FAILED, str(exc))
        if judged is Verdict.SYSTEMIC and not _asset_missing(exc):
            self.fail(exc)
        return False

    async def _ambiguous(
        self, item: Item, exc: MaiuError, baseline: Baseline
    ) -> bool:
        # The request may have started an analysis: `True` if it did not.
        item.maybe_sent = True
        policy = self.options.reconcile
        if policy is None:
            self._final(item, RequestStatus.UNKNOWN, f"{_NO_RECONCILE}: {exc}")
            return False
        await self._pause(policy.delay)
        if self.stopping:
            self._final(item, RequestStatus.UNKNOWN, f"{_STOPPED_READ}: {exc}")
            return False
        return await self._resolved(item, baseline)

    # -- settling --------------------------------------------------------

    def _requested(self, item: Item, *, fresh: bool) -> None:
        item.status = RequestStatus.REQUESTED
        item.error = None
        if fresh:
            # What was read before the request is history now.
            item.analyze_status = item.index_id = item.message = None
        if self.waiter is not None and item.analyze_status not in TERMINAL:
            self.waiter.add(item)
        else:
            self.settle(item)

    def _skip(self, item: Item, reason: str) -> None:
        item.status = RequestStatus.SKIPPED
        item.error = reason
        if self.waiter is not None and item.analyze_status in RUNNING:
            self.waiter.add(item)
        else:
            self.settle(item)

    def _final(self, item: Item, status: RequestStatus, error: str) -> None:
        if status is RequestStatus.FAILED and item.maybe_sent:
            status = RequestStatus.UNKNOWN
        item.status = status
        item.error = clip(error)
        self.settle(item)

    def _stopped(self, item: Item) -> None:
        if item.maybe_sent:
            self._final(item, RequestStatus.UNKNOWN, _STOPPED_RETRY)
        elif item.attempts:
            self._final(
                item, RequestStatus.FAILED, f"{_STOPPED_RETRY}: {item.error}"
            )
        else:
            self._final(item, RequestStatus.NOT_ATTEMPTED, self.unsent_reason)

    def _event(self, item: Item, wait: float) -> None:
        hook = self.options.on_event
        if hook is None:
            return
        try:
            hook(
                RetryScheduled(
                    key=str(item.asset_id),
                    attempt=item.attempts,
                    wait=wait,
                    error=item.error or "",
                )
            )
        except Exception as exc:  # noqa: BLE001 -- the caller's hook
            self.fail(exc)

    async def _pause(self, seconds: float) -> None:
        # Waits end early when the job stops.
        with anyio.move_on_after(seconds):
            await self.stop_event.wait()


def _asset_missing(exc: MaiuError) -> bool:
    return getattr(exc, "api_code", None) == codes.ASSET_NOT_FOUND.code
