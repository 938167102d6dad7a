"""
The state a bulk job's tasks share, and the moves they all make.

A job is a fixed set of tasks (see ``maiu_async.bulk._job``): a feeder,
workers, a reconciler and a flusher.  They share one `Pipeline`: the
job's target and options, the work stream, what is in flight (`Flow`),
the keys parked for reconciling, the outbox, and the job's `Phase`
(``_state``).  `Pipeline.settled` decides from that state whether to
reconcile parked keys or to close the work stream.

Strictly private.
"""

from __future__ import annotations

import time

from typing import TYPE_CHECKING

import anyio
import attrs

from .._retry import RetryPolicy
from ._log import JobLog
from ._report import Outcome, OutcomeStatus, SkippedKey, clip
from ._state import FeederState, Flow, Intake, Phase, ReconcilerState
from ._waiter import WaitingOutbox
from ._watermark import FROM_JOURNAL, Marks


if TYPE_CHECKING:
    from anyio.streams.memory import (
        MemoryObjectReceiveStream,
        MemoryObjectSendStream,
    )

    from .._client import MaiuClient
    from .._scheduler import AdaptiveLimiter
    from ._journal import Journal
    from ._options import BulkOptions
    from ._outbox import Outbox
    from ._report import BulkEvent, EventHook
    from ._tally import Tally


__all__ = ["STOPPED_RECONCILE", "Pending", "Pipeline", "Target"]

_now = time.perf_counter

#: Why keys parked for reconciling end unknown when the job stops.
STOPPED_RECONCILE = "the job stopped before the key could be reconciled"
_NOT_SENT = "the job stopped before sending it"
_NOT_RESENT = "the job stopped before sending it again"


@attrs.frozen
class Target:
    """
    Where keys are registered.
    """

    workspace: str
    project_id: int
    bucket: str


class Pending:
    """
    A key that needs more than one pass through the pipeline.
    """

    __slots__ = (
        "attempts",
        "error",
        "key",
        "maybe_created",
        "passes",
        "reached",
        "started",
        "watermark",
    )

    def __init__(
        self, key: str, attempts: int, started: float, error: str
    ) -> None:
        self.key = key
        self.attempts = attempts
        self.started = started
        self.error = error
        #: An earlier attempt may have created the asset.
        self.maybe_created = False
        #: Failed reconcile passes sat through.
        self.passes = 0
        #: An attempt reached the server (not only failed to connect).
        self.reached = False
        #: The highest asset id known when the key was first sent
        #: (``_watermark``); an earlier run's keys take the journal's.
        self.watermark: int | None = FROM_JOURNAL


@attrs.define
class _Scopes:
    # The shielded pipeline, the feeder, the current reconcile pass.
    pipeline: anyio.CancelScope = attrs.Factory(
        lambda: anyio.CancelScope(shield=True)
    )
    feed: anyio.CancelScope = attrs.Factory(anyio.CancelScope)
    round: anyio.CancelScope | None = None


class Pipeline:
    """
    What the tasks of one job share.
    """

    # Opened by `open`, so that a job that never runs leaks nothing.
    work_send: MemoryObjectSendStream[str | Pending]
    work_recv: MemoryObjectReceiveStream[str | Pending]

    def __init__(
        self,
        *,
        client: MaiuClient,
        target: Target,
        options: BulkOptions,
        outbox: Outbox[Outcome, Journal],
        tally: Tally,
    ) -> None:
        self.client = client
        self.target = target
        self.options = options
        self.retry = options.retry or RetryPolicy(attempts=1)
        self.outbox = outbox
        self.tally = tally
        self.pacer: AdaptiveLimiter | None = None
        self.marks = Marks()
        self.phase = Phase.UNSTARTED
        self.flow = Flow()
        self.scopes = _Scopes()
        self.parked: list[Pending] = []
        self.passing: list[Pending] = []
        self.on_event: EventHook | None = options.on_event
        self.stop_event = anyio.Event()
        self.reconcile_wake = anyio.Event()
        self.fatal: BaseException | None = None
        self.log = JobLog(target.workspace, target.project_id, target.bucket)
        #: Why keys left unsent are (`stop` says why the job stopped).
        self.unsent_reason = _NOT_SENT
        #: Attempts in a row, across keys, that could not connect.
        self.unreachable = 0
        outbox.on_failure = self.fail

    def open(self, capacity: int) -> None:
        """
        Create the work stream, holding up to *capacity* items.
        """
        self.work_send, self.work_recv = anyio.create_memory_object_stream[
            str | Pending
        ](capacity)

    @property
    def stopping(self) -> bool:
        """Whether the job is stopping."""
        return self.phase is Phase.STOPPING

    # -- stopping --------------------------------------------------------

    def stop(self) -> None:
        """
        Stop taking keys, let requests in flight settle, then finish.

        Safe outside any task (a signal handler, ``loop.call_soon``): it
        only sets flags and cancels scopes; the settle deadline is set
        by the job's guard task, woken by `stop_event`.
        """
        if self.phase is Phase.UNSTARTED:
            # `Job.run` stops at once when it starts.
            self.tally.stopped = True
            return
        if self.phase is not Phase.RUNNING:
            return
        self.phase = Phase.STOPPING
        self.tally.stopped = True
        if self.fatal is not None:
            self.unsent_reason = (
                f"{_NOT_SENT}, because: {clip(str(self.fatal), 300)}"
            )
        self.stop_event.set()
        self.scopes.feed.cancel()
        self._stop_waiting()
        if self.scopes.round is not None:
            self.scopes.round.cancel()
        self.reconcile_wake.set()
        self.settled()

    def _stop_waiting(self) -> None:
        # Keys waiting for their import are delivered as they stand.
        if isinstance(self.outbox, WaitingOutbox):
            self.outbox.stop()

    def arm_deadline(self) -> None:
        """
        Give requests in flight *settle_timeout* seconds from now.

        Called in a task, once the job is stopping.
        """
        scope = self.scopes.pipeline
        scope.deadline = min(
            scope.deadline, anyio.current_time() + self.options.settle_timeout
        )

    def fail(self, exc: BaseException) -> None:
        """
        Stop the job; `Job.run` raises *exc* (the first, if several).
        """
        if self.fatal is None:
            self.fatal = exc
        self.stop()

    async def pause(self, seconds: float) -> None:
        """
        Wait *seconds*, or less if the job stops meanwhile.
        """
        with anyio.move_on_after(seconds):
            await self.stop_event.wait()

    # -- flow ------------------------------------------------------------

    def settled(self) -> None:
        """
        React to a change of what is in flight: reconcile or finish.
        """
        flow = self.flow
        if flow.active or flow.reconciler is ReconcilerState.PASSING:
            return
        if self.parked:
            if flow.feeder is not FeederState.READING or self.stopping:
                self.reconcile_wake.set()
        elif flow.feeder is FeederState.DONE and flow.intake is Intake.OPEN:
            flow.intake = Intake.CLOSED
            self.work_send.close()
            self.reconcile_wake.set()

    def send(self, item: str | Pending) -> None:
        """
        Put *item* on the work stream.

        This never blocks: the stream holds as many items as there are
        admission tokens.
        """
        self.flow.active += 1
        self.work_send.send_nowait(item)

    def done(self) -> None:
        """Note that an active key settled or was parked."""
        self.flow.active -= 1
        if not self.flow.active:
            self.settled()

    def park(self, item: Pending) -> None:
        """
        Set *item* aside for the next reconcile pass.
        """
        self.parked.append(item)
        policy = self.options.reconcile
        if policy is not None and len(self.parked) >= policy.batch:
            self.reconcile_wake.set()
        elif not self.flow.active:
            self.settled()

    # -- outcomes --------------------------------------------------------

    def registered(
        self,
        key: str,
        asset_id: int,
        attempts: int,
        started: float,
        *,
        reconciled: bool,
    ) -> None:
        """Settle *key* as registered by this job."""
        self.outbox.settle(
            Outcome(
                key=key,
                status=OutcomeStatus.REGISTERED,
                asset_id=asset_id,
                attempts=attempts,
                latency=_now() - started,
                reconciled=reconciled,
            )
        )

    def final(self, item: Pending, status: OutcomeStatus, error: str) -> None:
        """
        Settle *item* as not registered (failed or unknown).

        A key an earlier attempt may have created is never "failed".
        """
        if status is OutcomeStatus.FAILED and item.maybe_created:
            status = OutcomeStatus.UNKNOWN
        self.outbox.settle(
            Outcome(
                key=item.key,
                status=status,
                error=clip(error),
                attempts=item.attempts,
                latency=_now() - item.started,
            )
        )

    def stopped(self, item: Pending, reason: str) -> None:
        """
        Settle *item*, which the stopping job will not send again.

        Unknown if an attempt may have created it, failed if one reached
        the server, not attempted if none did.
        """
        if item.maybe_created or item.reached:
            self.final(item, OutcomeStatus.FAILED, reason)
        elif item.error:
            self.final(
                item,
                OutcomeStatus.NOT_ATTEMPTED,
                f"{self.unsent_reason}; no attempt reached the server, the "
                f"last: {item.error}",
            )
        else:
            self.final(item, OutcomeStatus.NOT_ATTEMPTED, self.unsent_reason)

    def give_up(self, items: list[Pending], reason: str) -> None:
        """Settle *items* as unknown."""
        for item in items:
            self.final(item, OutcomeStatus.UNKNOWN, reason)

    def skip(self, key: object, reason: str, attempts: int = 0) -> None:
        """Settle *key* as skipped: never sent."""
        self.outbox.settle(
            Outcome(
                key=_text(key),
                status=OutcomeStatus.SKIPPED,
                error=clip(reason),
                attempts=attempts,
            )
        )

    def unread(self, key: object) -> None:
        """
        Settle *key*, read but not yet screened, as not attempted.

        For the keys read ahead when the job stops: they hold no token
        and have no journal line.
        """
        self.outbox.settle(
            Outcome(
                key=_text(key),
                status=OutcomeStatus.NOT_ATTEMPTED,
                error=self.unsent_reason,
            ),
            journaled=False,
        )

    def abandon(self, item: str | Pending) -> None:
        """
        Leave an active *item* unsent because the job is stopping.
        """
        if isinstance(item, str):
            self.outbox.settle(
                Outcome(
                    key=item,
                    status=OutcomeStatus.NOT_ATTEMPTED,
                    error=self.unsent_reason,
                )
            )
        elif item.maybe_created:
            # Unsent now, but an earlier attempt may have created it.
            self.final(item, OutcomeStatus.UNKNOWN, item.error)
        elif item.reached:
            self.final(
                item, OutcomeStatus.FAILED, f"{_NOT_RESENT}: {item.error}"
            )
        else:
            self.final(item, OutcomeStatus.NOT_ATTEMPTED, self.unsent_reason)
        self.done()

    def event(self, event: BulkEvent) -> None:
        """Report *event* to the log and the caller's hook, if any."""
        self.log.event(event)
        hook = self.on_event
        if hook is None:
            return
        try:
            hook(event)
        except Exception as exc:  # noqa: BLE001 -- the caller's hook
            self.on_event = None
            self.fail(exc)

    def drain(self) -> None:
        """
        Settle whatever a forced stop left behind, without awaiting.
        """
        self.give_up(self.passing + self.parked, STOPPED_RECONCILE)
        self.passing, self.parked = [], []
        self._stop_waiting()
        while True:
            try:
                item = self.work_recv.receive_nowait()
            except (anyio.WouldBlock, anyio.EndOfStream):
                break
            self.abandon(item)


def _text(key: object) -> str:
    # A key as an outcome shows it: shortened if it cannot be a key.
    if isinstance(key, SkippedKey):
        key = key.key
    return clip(key if isinstance(key, str) else repr(key))
