"""
One bulk registration: one task group, a fixed set of tasks.

::

    keys ──► feeder ──► work stream ──► workers (x concurrency) ──┐
               │  validate, dedup,          │ ambiguous           │
               │  resume, reserve (P)       ▼                     ▼
               │                      reconciler ──► found: outcome
               │                        (absent: back to the stream)
               └──────────────────────────────────► outbox ──► journal
                                                    (fsync) ──► on_result
                                                            ──► stream

Each task has its module: ``_feeder``, ``_workers``, ``_reconciler``,
``_outbox`` (the flusher); they share a ``_pipeline.Pipeline``.

Memory is bounded by an admission semaphore: a key takes a token when the
feeder reads it and gives it back when its outcome is delivered, so at
most ``2 * chunk + reconcile.batch`` keys (chunk: ``4 * concurrency``,
16 to 1024) are anywhere between input and caller, whatever the input's
length.  (`KeyTable` adds 8-16 bytes per distinct key, to find duplicates
and resumed keys.)

Retries wait inside the worker that made the attempt (a worker is a
concurrency slot, so a key in backoff holds one, as with any retrying
client).  No task is created per key; nothing is logged per key; the
journal is written and fsynced once per chunk (group commit).

The job never changes the client it is given: its rate, if any, is a
fixed ceiling paced by a limiter the job owns.  What the server accepts
is learned by the client's limiter, which every request passes through:
a server's limit is the account's, so all the users of one client share
one measurement of it instead of each probing past it.

Before the first key is sent, the feeder checks the target once
(``_preflight``).

Stopping (`Job.stop`, a cancelled scope around the job, Ctrl-C, a
systemic failure): no new key is taken, keys read but not sent are
settled as not attempted, requests in flight settle (for at most
*settle_timeout* seconds) and keys waiting to be reconciled are reported
unknown; then the journal is flushed.  The pipeline runs shielded inside
a child task, so that even native asyncio cancellation of the caller
reaches it only as this orderly stop.  `Job.stop` only sets flags and
cancels scopes, so it may be called from a signal handler or a loop
callback, outside any task; the guard task arms the settle deadline.

What stops a job is raised with the report of everything settled so far
as its ``report`` attribute (see `report_of`).

Strictly private.
"""

from __future__ import annotations

import contextlib

from collections.abc import AsyncIterable, Iterable
from typing import TYPE_CHECKING

import anyio

from .._scheduler import AdaptiveLimiter
from .._validation import check_bucket_name, check_id, check_workspace_ref
from ..exceptions import UsageError
from ._feeder import Feeder
from ._journal import JobIdentity, Journal
from ._keys import KeyTable
from ._outbox import Outbox
from ._pipeline import Pipeline, Target
from ._reconciler import reconcile
from ._report import BulkReport, Outcome, clip
from ._state import Phase
from ._tally import Tally
from ._waiter import WaitingOutbox
from ._workers import work


if TYPE_CHECKING:
    from collections.abc import Callable

    from anyio.streams.memory import MemoryObjectSendStream

    from .._client import MaiuClient
    from ._options import BulkOptions
    from ._report import OutcomeHook


__all__ = ["Job", "report_of"]


def report_of(exc: BaseException) -> BulkReport | None:
    """
    Return the report of the bulk job *exc* stopped, if it stopped one.

    Everything the job settled before it stopped is counted (and
    journaled, and delivered); the keys it read but never sent are
    `OutcomeStatus.NOT_ATTEMPTED`.

    .. versionadded:: 26.1.0

    """
    report = getattr(exc, "report", None)
    return report if isinstance(report, BulkReport) else None


def _check_keys(keys: object) -> None:
    if isinstance(keys, str | bytes | bytearray | memoryview):
        raise UsageError(
            "keys must be an iterable of keys, not a single "
            f"{type(keys).__name__} ({clip(repr(keys), 60)}); "
            "for one key, pass a list: keys=[key]"
        )
    if not isinstance(keys, Iterable | AsyncIterable):
        raise UsageError(
            "keys must be an iterable or an async iterable of keys, "
            f"got {type(keys).__name__}"
        )


class Job:
    """
    One bulk registration: build it, then `run` it once.

    Strictly private; see ``maiu_async.bulk.register_many`` for the
    arguments.
    """

    __slots__ = ("_chunk", "_keys", "_pipe", "_tokens")

    def __init__(  # noqa: PLR0913 -- the job's whole input
        self,
        client: MaiuClient,
        workspace: str,
        project_id: int,
        *,
        bucket_name: str,
        keys: Iterable[object] | AsyncIterable[object],
        options: BulkOptions,
        on_result: OutcomeHook | None,
        out: MemoryObjectSendStream[Outcome] | None = None,
    ) -> None:
        check_workspace_ref(workspace)
        check_id("project_id", project_id)
        check_bucket_name(bucket_name)
        _check_keys(keys)
        _check_pool(client, options.concurrency)
        # Keys are reserved in chunks: one write and one fsync each.
        self._chunk = min(max(4 * options.concurrency, 16), 1024)
        reconcile_batch = options.reconcile.batch if options.reconcile else 0
        self._tokens = 2 * self._chunk + reconcile_batch
        self._keys = keys
        tally = Tally()
        outbox: Outbox[Outcome, Journal]
        if options.wait is None:
            outbox = Outbox[Outcome, Journal](
                tally=tally, tokens=self._tokens, on_result=on_result, out=out
            )
        else:
            outbox = WaitingOutbox(
                policy=options.wait,
                tally=tally,
                tokens=self._tokens,
                on_result=on_result,
                out=out,
            )
        self._pipe = Pipeline(
            client=client,
            target=Target(workspace, project_id, bucket_name),
            options=options,
            outbox=outbox,
            tally=tally,
        )

    def __repr__(self) -> str:
        return f"<Job {self._pipe.phase.value}>"

    async def run(self) -> BulkReport:
        """
        Run the job to its end; raise what stopped it, if anything did.

        The exception raised carries the report as ``report``.
        """
        pipe = self._pipe
        if pipe.phase is not Phase.UNSTARTED:
            raise UsageError("a bulk job runs once")
        client = pipe.client
        client.limiter  # noqa: B018 -- raises UsageError unless it is open
        options = pipe.options
        pipe.phase = Phase.RUNNING
        pipe.open(self._tokens)
        if options.rate is not None:
            pipe.pacer = AdaptiveLimiter(options.rate)
        if isinstance(pipe.outbox, WaitingOutbox):
            target = pipe.target
            pipe.outbox.start(
                client, (target.workspace, target.project_id), pipe.pacer
            )
        if pipe.tally.stopped:  # stopped before it ran
            pipe.stop()
        pipe.tally.start()
        pipe.log.started(
            concurrency=options.concurrency,
            rate=options.rate,
            journal=options.journal,
        )
        journal: Journal | None = None
        failure: BaseException | None = None
        try:
            table = KeyTable()
            maybe: dict[str, int] = {}
            if options.journal is not None:
                target = pipe.target
                identity = JobIdentity.of(
                    client.endpoint,
                    target.workspace,
                    target.project_id,
                    target.bucket,
                )
                journal, maybe = await anyio.to_thread.run_sync(
                    Journal.open, options.journal, identity, table
                )
                pipe.outbox.journal = journal
            feeder = Feeder(
                pipe, self._keys, table=table, maybe=maybe, chunk=self._chunk
            )
            async with anyio.create_task_group() as tg:
                tg.start_soon(self._guard)
                tg.start_soon(self._main, feeder, tg.cancel_scope)
        except BaseException as exc:
            failure = exc
            if isinstance(exc, Exception):
                _attach(exc, self.report)
            raise
        finally:
            pipe.phase = Phase.FINISHED
            pipe.tally.end()
            if journal is not None:
                journal.close()
            pipe.outbox.close_stream()
            pipe.work_send.close()
            pipe.work_recv.close()
            pipe.log.finished(self.report(), pipe.fatal or failure)
        if pipe.fatal is not None:
            _attach(pipe.fatal, self.report)
            raise pipe.fatal
        return self.report()

    def stop(self) -> None:
        """
        Stop taking keys, let requests in flight settle, then finish.
        """
        self._pipe.stop()

    def report(self) -> BulkReport:
        """
        Summarise what happened so far.
        """
        return self._pipe.tally.report()

    async def _guard(self) -> None:
        # Cancellation from outside lands here, not in the shielded
        # pipeline, and becomes an orderly stop.  So does `stop`, which
        # may have been called outside any task: the deadline is armed
        # here.
        pipe = self._pipe
        try:
            await pipe.stop_event.wait()
        finally:
            if pipe.phase is not Phase.FINISHED:
                pipe.stop()
                pipe.arm_deadline()

    async def _main(self, feeder: Feeder, outer: anyio.CancelScope) -> None:
        pipe = self._pipe
        outbox = pipe.outbox
        try:
            with pipe.scopes.pipeline:
                try:
                    async with anyio.create_task_group() as tg:
                        if outbox.buffered:
                            tg.start_soon(outbox.run)
                        async with anyio.create_task_group() as waiting:
                            if isinstance(outbox, WaitingOutbox):
                                waiting.start_soon(outbox.wait, pipe.fail)
                            try:
                                await self._produce(feeder)
                            finally:
                                if isinstance(outbox, WaitingOutbox):
                                    outbox.finish()
                        outbox.close()
                finally:
                    pipe.drain()
                    outbox.flush_now()
        finally:
            pipe.phase = Phase.FINISHED
            outer.cancel()

    async def _produce(self, feeder: Feeder) -> None:
        # Every task that registers keys.
        pipe = self._pipe
        async with anyio.create_task_group() as producers:
            producers.start_soon(feeder.run)
            producers.start_soon(reconcile, pipe)
            for _ in range(pipe.options.concurrency):
                producers.start_soon(work, pipe)


def _attach(exc: BaseException, report: Callable[[], BulkReport]) -> None:
    # The report goes with the error; one of the caller's own exceptions
    # (a hook's, the key source's) keeps an attribute it already has.
    if report_of(exc) is None and not hasattr(exc, "report"):
        with contextlib.suppress(AttributeError, TypeError):
            exc.report = report()  # type: ignore[attr-defined]


def _check_pool(client: MaiuClient, concurrency: int) -> None:
    # Capping the concurrency silently at the pool's size halved the
    # throughput of a latency-bound job (issue 15); the job may not
    # resize the client's pool, so it refuses instead.
    cap = client.max_connections
    if cap is not None and concurrency > cap:
        raise UsageError(
            f"concurrency {concurrency} exceeds the client's pool of {cap} "
            "connections: lower it, or give the client "
            f"limits=ConnectionLimits(max_connections={concurrency})"
        )
