"""
One bulk analysis: a feeder, workers, a waiter and the outbox.

::

    asset ids ──► feeder ──► work stream ──► workers (x concurrency)
                  validate,                   │ status read (baseline),
                  dedup, admit                │ reserve (P), request,
                                              │ ambiguous: status read
                                              ▼
                            waiter (with wait) ──► outbox ──► journal
                                                   (fsync) ──► on_result

It shares with registration the outbox (group commit, then delivery),
the journal's file handling, the retry verdict, pacing (the job's rate
is a ceiling on a limiter it owns; the client's limiter paces every
request), the poller, the pool check and the orderly stop.  Each
asset's work is ``_analysis_work``'s.

Strictly private.
"""

from __future__ import annotations

import contextlib

from collections.abc import AsyncIterable
from typing import TYPE_CHECKING

import anyio

from .._retry import RetryPolicy, Verdict, verdict
from .._scheduler import AdaptiveLimiter
from .._validation import check_id, check_workspace_ref
from ..exceptions import MaiuError, PermissionDenied, UsageError
from ._analysis_journal import AnalysisJournal
from ._analysis_report import (
    AnalysisOutcome,
    AnalysisReport,
    AnalysisTally,
    RequestStatus,
)
from ._analysis_wait import Item, analysis_poller
from ._analysis_work import Work
from ._job import _check_keys, _check_pool
from ._journal import JobIdentity
from ._outbox import Outbox
from ._state import Phase


if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterable

    from anyio.streams.memory import (
        MemoryObjectReceiveStream,
        MemoryObjectSendStream,
    )

    from .._client import MaiuClient
    from ..models import AnalysisStatus
    from ._analysis import AnalysisRequest
    from ._analysis_report import AnalysisHook
    from ._options import BulkOptions
    from ._poll import Poller


__all__ = ["AnalysisJob"]

_NOT_SENT = "the job stopped before sending it"
_DUPLICATE = "repeats an earlier asset id of the input"
#: Assets admitted at most: waiting ones included, with *wait*.
_WAITING_TOKENS = 4096


async def _aiter(
    ids: Iterable[object] | AsyncIterable[object],
) -> AsyncIterator[object]:
    if isinstance(ids, AsyncIterable):
        async for raw in ids:
            yield raw
    else:
        for raw in ids:
            yield raw


def _attach(exc: BaseException, report: Callable[[], AnalysisReport]) -> None:
    # The report goes with the error (an attribute of the caller's own
    # exception is left alone).
    if not hasattr(exc, "report"):
        with contextlib.suppress(AttributeError, TypeError):
            exc.report = report()  # type: ignore[attr-defined]


class AnalysisJob:
    """
    One bulk analysis: build it, then `run` it once; `stop` it anytime.

    The arguments are those of `maiu_async.request_analysis_many`, with
    *settings* and *wait* as their records.

    .. versionadded:: 26.1.0
    """

    __slots__ = (
        "_feed_scope",
        "_ids",
        "_options",
        "_outbox",
        "_phase",
        "_pipeline_scope",
        "_stop_event",
        "_tally",
        "_tokens",
        "_waiter",
        "_work",
        "fatal",
    )

    def __init__(  # noqa: PLR0913 -- the job's whole input
        self,
        client: MaiuClient,
        workspace: str,
        project_id: int,
        asset_ids: Iterable[int] | AsyncIterable[int],
        *,
        settings: AnalysisRequest,
        options: BulkOptions,
        reanalyze: bool = False,
        imported_only: bool = False,
        on_result: AnalysisHook | None = None,
    ) -> None:
        check_workspace_ref(workspace)
        check_id("project_id", project_id)
        _check_keys(asset_ids)
        _check_pool(client, options.concurrency)
        if options.retry_ambiguous:
            raise UsageError(
                "retry_ambiguous=True is refused for analyses: a request "
                "whose answer was lost is resolved by the asset's analysis "
                "status, never sent again blindly"
            )
        self._ids = asset_ids
        self._options = options
        chunk = min(max(4 * options.concurrency, 16), 1024)
        self._tokens = (
            _WAITING_TOKENS if options.wait is not None else 2 * chunk
        )
        self._tally = AnalysisTally()
        self._outbox = Outbox[AnalysisOutcome, AnalysisJournal](
            tally=self._tally,
            tokens=self._tokens,
            on_result=on_result,
            out=None,
        )
        self._outbox.on_failure = self.fail
        self._phase = Phase.UNSTARTED
        self._feed_scope = anyio.CancelScope()
        self._pipeline_scope = anyio.CancelScope(shield=True)
        self.fatal: BaseException | None = None
        self._work = Work(
            client,
            workspace,
            project_id,
            settings=settings,
            options=options,
            retry=options.retry or RetryPolicy(attempts=1),
            tally=self._tally,
            reanalyze=reanalyze,
            imported_only=imported_only,
            settle=self._settle,
            fail=self.fail,
        )
        self._waiter: Poller[Item, AnalysisStatus] | None = None
        self._stop_event = self._work.stop_event

    def __repr__(self) -> str:
        return f"<AnalysisJob {self._phase.value}>"

    @property
    def stopping(self) -> bool:
        """Whether the job is stopping."""
        return self._phase is Phase.STOPPING

    def report(self) -> AnalysisReport:
        """Summarise what happened so far."""
        return self._tally.report()

    def stop(self) -> None:
        """
        Stop in order: send nothing new, settle what is in flight.

        Safe outside any task (a signal handler): it only sets flags and
        cancels scopes.
        """
        if self._phase is Phase.UNSTARTED:
            self._tally.stopped = True
            return
        if self._phase is not Phase.RUNNING:
            return
        self._phase = Phase.STOPPING
        self._tally.stopped = True
        self._work.stopping = True
        if self.fatal is not None:
            self._work.unsent_reason = f"{_NOT_SENT}, because: {self.fatal}"
        self._stop_event.set()
        self._feed_scope.cancel()
        if self._waiter is not None:
            self._waiter.stop()

    def fail(self, exc: BaseException) -> None:
        """Stop the job; `run` raises *exc* (the first, if several)."""
        if self.fatal is None:
            self.fatal = exc
        self.stop()

    async def run(self) -> AnalysisReport:
        """
        Run the job to its end; raise what stopped it, if anything did.

        The exception raised carries the report as ``report``.
        """
        if self._phase is not Phase.UNSTARTED:
            raise UsageError("a bulk job runs once")
        work = self._work
        work.client.limiter  # noqa: B018 -- raises UsageError unless open
        options = self._options
        stopped_early = self._tally.stopped
        self._phase = Phase.RUNNING
        if options.rate is not None:
            work.pacer = AdaptiveLimiter(options.rate)
        if options.wait is not None:
            self._waiter = work.waiter = analysis_poller(
                options.wait,
                fetch=work.poll_status,
                finish=self._settle,
                pacer=work.pacer,
            )
        if stopped_early:
            self.stop()
        self._tally.start()
        send, recv = anyio.create_memory_object_stream[int](self._tokens)
        journal: AnalysisJournal | None = None
        try:
            if options.journal is not None:
                identity = JobIdentity.of(
                    work.client.endpoint, work.workspace, work.project_id, ""
                )
                journal, requested, maybe = await anyio.to_thread.run_sync(
                    AnalysisJournal.open, options.journal, identity
                )
                work.journal = journal
                work.requested, work.maybe = requested, maybe
                self._outbox.journal = journal
            async with anyio.create_task_group() as tg:
                tg.start_soon(self._guard)
                tg.start_soon(self._main, send, recv, tg.cancel_scope)
        except BaseException as exc:
            if isinstance(exc, Exception):
                _attach(exc, self.report)
            raise
        finally:
            self._phase = Phase.FINISHED
            self._tally.end()
            if journal is not None:
                journal.close()
            send.close()
            recv.close()
        if self.fatal is not None:
            _attach(self.fatal, self.report)
            raise self.fatal
        return self.report()

    async def _guard(self) -> None:
        # Cancellation from outside lands here and becomes an orderly
        # stop; the settle deadline is armed here (`stop` may run outside
        # any task).
        try:
            await self._stop_event.wait()
        finally:
            if self._phase is not Phase.FINISHED:
                self.stop()
                scope = self._pipeline_scope
                scope.deadline = min(
                    scope.deadline,
                    anyio.current_time() + self._options.settle_timeout,
                )

    async def _main(
        self,
        send: MemoryObjectSendStream[int],
        recv: MemoryObjectReceiveStream[int],
        outer: anyio.CancelScope,
    ) -> None:
        outbox = self._outbox
        try:
            with self._pipeline_scope:
                try:
                    async with anyio.create_task_group() as tg:
                        if outbox.buffered:
                            tg.start_soon(outbox.run)
                        async with anyio.create_task_group() as waiting:
                            if self._waiter is not None:
                                waiting.start_soon(self._wait, self._waiter)
                            async with anyio.create_task_group() as workers:
                                workers.start_soon(self._feed, send)
                                for _ in range(self._options.concurrency):
                                    workers.start_soon(self._worker, recv)
                            if self._waiter is not None:
                                self._waiter.close()
                        outbox.close()
                finally:
                    self._drain(recv)
                    outbox.flush_now()
        finally:
            self._phase = Phase.FINISHED
            outer.cancel()

    async def _wait(self, poller: Poller[Item, AnalysisStatus]) -> None:
        try:
            await poller.run()
        except MaiuError as exc:  # a poll met a systemic failure
            self.fail(exc)

    async def _feed(self, send: MemoryObjectSendStream[int]) -> None:
        seen: set[int] = set()
        try:
            with self._feed_scope:
                if self._options.preflight:
                    await self._preflight()
                async for raw in _aiter(self._ids):
                    if self.stopping:
                        break
                    asset_id = check_id("asset id", raw)
                    await self._outbox.admit()
                    if asset_id in seen:
                        item = Item(asset_id)
                        item.status = RequestStatus.SKIPPED
                        item.error = _DUPLICATE
                        self._settle(item)
                        continue
                    seen.add(asset_id)
                    send.send_nowait(asset_id)
        except Exception as exc:  # noqa: BLE001 -- the source's, or a check
            self.fail(exc)
        finally:
            send.close()

    async def _preflight(self) -> None:
        work = self._work
        try:
            await work.client.projects.get(
                work.workspace, work.project_id, retry=work.retry
            )
        except MaiuError as exc:
            if verdict(exc) is Verdict.SYSTEMIC and not isinstance(
                exc, PermissionDenied
            ):
                raise

    async def _worker(self, recv: MemoryObjectReceiveStream[int]) -> None:
        work = self._work
        async for asset_id in recv:
            item = Item(asset_id)
            if self.stopping:
                self._unsent(item)
                continue
            try:
                await work.handle(item)
            except anyio.get_cancelled_exc_class():
                work.cancelled(item)
                raise

    def _unsent(self, item: Item) -> None:
        item.status = RequestStatus.NOT_ATTEMPTED
        item.error = self._work.unsent_reason
        self._settle(item)

    def _drain(self, recv: MemoryObjectReceiveStream[int]) -> None:
        # Whatever a forced stop left behind, settled without awaiting.
        while True:
            try:
                asset_id = recv.receive_nowait()
            except (anyio.WouldBlock, anyio.EndOfStream):
                break
            self._unsent(Item(asset_id))
        if self._waiter is not None:
            self._waiter.stop()

    def _settle(self, item: Item) -> None:
        status = item.status or RequestStatus.REQUESTED
        self._outbox.settle(
            AnalysisOutcome(
                asset_id=item.asset_id,
                status=status,
                analyze_status=item.analyze_status,
                index_id=item.index_id,
                message=item.message,
                error=item.error,
                attempts=item.attempts,
                resumed=item.resumed,
                resolved=item.resolved,
            ),
            journaled=item.journaled,
        )
