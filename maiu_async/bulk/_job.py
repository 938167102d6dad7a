"""
The bulk registration pipeline: one task group, a fixed set of tasks.

::

    keys ──► feeder ──► work stream ──► workers (x concurrency) ──┐
               │  validate, dedup,          │ ambiguous           │
               │  resume, reserve (P)       ▼                     ▼
               │                      reconciler ──► found: outcome
               │                        (absent: back to the stream)
               └──────────────────────────────────► flusher ──► journal
                                                    (fsync) ──► on_result
                                                            ──► stream

Memory is bounded by an admission semaphore: a key takes a token when the
feeder reads it and gives it back when its outcome is delivered, so at
most ``2 * batch + reconcile.batch`` keys (batch: ``4 * concurrency``, at
most 1024) are anywhere between input and caller, whatever the input's
length.  (`KeyTable` adds 8-16 bytes per distinct key, to find duplicates
and resumed keys.)

Retries wait inside the worker that made the attempt (a worker is a
concurrency slot, so a key in backoff holds one, as with any retrying
client).  No task is created per key; nothing is logged per key; the
journal is written and fsynced once per batch (group commit).

Stopping (`Job.stop`, a cancelled scope around the job, Ctrl-C): no new
key is taken, queued keys are released unsent, requests in flight settle
(for at most *settle_timeout* seconds) and keys waiting to be reconciled
are reported unknown; then the journal is flushed.  The pipeline runs
shielded inside a child task, so that even native asyncio cancellation
of the caller reaches it only as this orderly stop.

Strictly private.
"""

from __future__ import annotations

import time

from collections import deque
from collections.abc import AsyncIterable
from itertools import islice
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

import anyio
import anyio.lowlevel

from .._retry import RetryPolicy
from .._validation import check_bucket_name, check_id, check_workspace_ref
from ..exceptions import JournalError, MaiuError, RateLimited, UsageError
from ._classify import Verdict, classify
from ._journal import JobIdentity, Journal, encode_field
from ._keys import DUPLICATE, NEW, KeyTable, skip_reason
from ._reconcile import ReconcilePolicy, find_assets
from ._report import (
    BulkReport,
    Outcome,
    OutcomeStatus,
    ReconcileFinished,
    RetryScheduled,
    SkippedKey,
)


if TYPE_CHECKING:
    import os

    from collections.abc import Iterable

    from anyio.streams.memory import (
        MemoryObjectReceiveStream,
        MemoryObjectSendStream,
    )

    from .. import MaiuClient
    from ._report import BulkEvent, EventHook, OutcomeHook


__all__ = ["DEFAULT_RETRY", "Job"]

#: The default retry policy of bulk jobs: more patient than a single call.
DEFAULT_RETRY = RetryPolicy(attempts=8, initial=0.2, maximum=10.0)

_REGISTERED = OutcomeStatus.REGISTERED
_SKIPPED = OutcomeStatus.SKIPPED
_FAILED = OutcomeStatus.FAILED
_UNKNOWN = OutcomeStatus.UNKNOWN
_DUPLICATE_REASON = "duplicate of an earlier key in the input"
_STOPPED_RECONCILE = "the job stopped before the key could be reconciled"
_CANCELLED_IN_FLIGHT = "the job was cancelled while the request was in flight"
_EARLIER_RUN = "an earlier run may have registered it (journal)"
_NO_RECONCILE = "reconciling is off: the asset may exist"
_now = time.perf_counter


class _Item:
    """
    A key that needs more than one pass through the pipeline.

    Strictly private.
    """

    __slots__ = (
        "attempts",
        "error",
        "key",
        "maybe_created",
        "passes",
        "started",
    )

    def __init__(
        self, key: str, attempts: int, started: float, error: str
    ) -> None:
        self.key = key
        self.attempts = attempts
        self.started = started
        self.error = error
        self.maybe_created = False
        self.passes = 0


def identity_of(
    client: MaiuClient, workspace: str, project_id: int, bucket: str
) -> JobIdentity:
    """
    Name a job for its journal: endpoint host, workspace, project, bucket.

    Strictly private.
    """
    parts = urlsplit(client.endpoint)
    host = (parts.hostname or "").lower()
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    endpoint = host + parts.path.rstrip("/")
    return JobIdentity(
        endpoint=endpoint,
        workspace=workspace,
        project_id=project_id,
        bucket=bucket,
    )


class Job:
    """
    One bulk registration: build it, then `run` it once.

    Strictly private; see ``maiu_async.bulk.register_many`` for the
    arguments.
    """

    # Opened by `run`, so that a job that never runs leaks nothing.
    _work_send: MemoryObjectSendStream[str | _Item]
    _work_recv: MemoryObjectReceiveStream[str | _Item]

    def __init__(  # noqa: PLR0913, PLR0915 -- the job's whole state
        self,
        client: MaiuClient,
        workspace: str,
        project_id: int,
        *,
        bucket_name: str,
        keys: Iterable[object] | AsyncIterable[object],
        concurrency: int,
        rate: float | None,
        retry: RetryPolicy | None,
        journal: str | os.PathLike[str] | None,
        reconcile: ReconcilePolicy | None,
        retry_ambiguous: bool,
        settle_timeout: float,
        on_result: OutcomeHook | None,
        on_event: EventHook | None,
        out: MemoryObjectSendStream[Outcome] | None = None,
    ) -> None:
        check_workspace_ref(workspace)
        check_id("project_id", project_id)
        check_bucket_name(bucket_name)
        if isinstance(concurrency, bool) or not (
            isinstance(concurrency, int) and concurrency >= 1
        ):
            raise UsageError(
                f"concurrency must be a positive integer, got {concurrency!r}"
            )
        if rate is not None and not rate > 0:
            raise UsageError(f"rate must be positive, got {rate!r}")
        if not settle_timeout >= 0:
            raise UsageError(
                f"settle_timeout must be >= 0, got {settle_timeout!r}"
            )
        self._client = client
        self._workspace = workspace
        self._project_id = project_id
        self._bucket = bucket_name
        self._keys = keys
        self._concurrency = concurrency
        self._rate = rate
        self._retry = retry if retry is not None else RetryPolicy(attempts=1)
        self._journal_path = journal
        self._reconcile = reconcile
        self._retry_ambiguous = retry_ambiguous
        self._settle_timeout = settle_timeout
        self._on_result = on_result
        self._on_event = on_event
        self._out = out
        self._out_stream = out  # `_out` is dropped once the reader leaves
        self._buffered = journal is not None or out is not None

        # Keys are reserved in batches: one write and one fsync each.
        self._batch_size = min(max(4 * concurrency, 16), 1024)
        pending = 2 * self._batch_size + (reconcile.batch if reconcile else 0)
        self._admit = anyio.Semaphore(pending)
        self._pending = pending

        self._table = KeyTable()
        self._maybe: dict[str, int] = {}
        self._journal: Journal | None = None
        self._batch: list[str] = []
        self._ambiguous: list[_Item] = []
        self._round: list[_Item] = []
        self._unacked: list[Outcome] = []
        self._ready: deque[Outcome] = deque()

        self._scope = anyio.CancelScope(shield=True)
        self._feed_scope = anyio.CancelScope()
        self._round_scope: anyio.CancelScope | None = None
        self._stop_event = anyio.Event()
        self._flush_wake = anyio.Event()
        self._reconcile_wake = anyio.Event()

        self._active = 0
        self._feeder_waiting = False
        self._feeder_done = False
        self._reconciling = False
        self._closed = False
        self._producers_done = False
        self._stopping = False
        self._finished = False
        self._ran = False
        self._fatal: BaseException | None = None
        self._journal_broken = False

        self._registered = 0
        self._skipped = 0
        self._failed = 0
        self._unknown = 0
        self._resumed = 0
        self._reconciled = 0
        self._abandoned = 0
        self._requests = 0
        self._retries = 0
        self._throttled = 0
        self._passes = 0
        self._started = 0.0
        self._duration = 0.0

    # -- lifecycle -------------------------------------------------------

    async def run(self) -> BulkReport:
        """
        Run the job to its end; raise what stopped it, if anything did.
        """
        if self._ran:
            raise UsageError("a bulk job runs once")
        self._ran = True
        limiter = self._client.limiter
        self._work_send, self._work_recv = anyio.create_memory_object_stream[
            str | _Item
        ](self._pending)
        previous = limiter.ceiling
        if self._rate is not None:
            limiter.set_ceiling(self._rate)
        self._started = _now()
        try:
            if self._journal_path is not None:
                identity = identity_of(
                    self._client,
                    self._workspace,
                    self._project_id,
                    self._bucket,
                )
                self._journal, self._maybe = await anyio.to_thread.run_sync(
                    Journal.open, self._journal_path, identity, self._table
                )
            async with anyio.create_task_group() as tg:
                tg.start_soon(self._guard)
                tg.start_soon(self._main, tg.cancel_scope)
        finally:
            self._finished = True
            self._duration = _now() - self._started
            if self._rate is not None:
                limiter.set_ceiling(previous)
            if self._journal is not None:
                self._journal.close()
            if self._out_stream is not None:
                self._out_stream.close()
            self._work_send.close()
            self._work_recv.close()
        if self._fatal is not None:
            raise self._fatal
        return self.report()

    def stop(self) -> None:
        """
        Stop taking keys, let requests in flight settle, then finish.
        """
        if self._stopping or self._finished:
            return
        self._stopping = True
        self._stop_event.set()
        self._feed_scope.cancel()
        if self._round_scope is not None:
            self._round_scope.cancel()
        self._scope.deadline = anyio.current_time() + self._settle_timeout
        self._reconcile_wake.set()
        self._settled()

    def report(self) -> BulkReport:
        """
        Summarise what happened so far.
        """
        duration = self._duration if self._finished else _now() - self._started
        return BulkReport(
            registered=self._registered,
            skipped=self._skipped,
            failed=self._failed,
            unknown=self._unknown,
            resumed=self._resumed,
            reconciled=self._reconciled,
            abandoned=self._abandoned,
            requests=self._requests,
            retries=self._retries,
            throttled=self._throttled,
            reconcile_passes=self._passes,
            duration=duration,
            stopped=self._stopping,
        )

    async def _guard(self) -> None:
        # Cancellation from outside lands here, not in the shielded
        # pipeline, and becomes an orderly stop.
        try:
            await anyio.sleep_forever()
        finally:
            if not self._finished:
                self.stop()

    async def _main(self, outer: anyio.CancelScope) -> None:
        try:
            with self._scope:
                try:
                    async with anyio.create_task_group() as tg:
                        if self._buffered:
                            tg.start_soon(self._flush_loop)
                        async with anyio.create_task_group() as producers:
                            producers.start_soon(self._feed)
                            producers.start_soon(self._reconcile_loop)
                            for _ in range(self._concurrency):
                                producers.start_soon(self._work)
                        self._producers_done = True
                        self._flush_wake.set()
                finally:
                    self._last_flush()
        finally:
            self._finished = True
            outer.cancel()

    # -- bookkeeping -----------------------------------------------------

    def _settled(self) -> None:
        """
        React to a change of what is in flight: reconcile or finish.
        """
        if self._active or self._reconciling:
            return
        if self._ambiguous:
            if self._feeder_done or self._feeder_waiting or self._stopping:
                self._reconcile_wake.set()
        elif self._feeder_done and not self._closed:
            self._closed = True
            self._work_send.close()
            self._reconcile_wake.set()

    def _fail(self, exc: BaseException) -> None:
        if self._fatal is None:
            self._fatal = exc
        self.stop()

    def _finish(self, outcome: Outcome, line: str | None) -> None:
        status = outcome.status
        if status is _REGISTERED:
            self._registered += 1
            if outcome.resumed:
                self._resumed += 1
            elif outcome.reconciled:
                self._reconciled += 1
        elif status is _SKIPPED:
            self._skipped += 1
        elif status is _FAILED:
            self._failed += 1
        else:
            self._unknown += 1
        if self._buffered:
            if line is not None and self._journal is not None:
                self._journal.add(line)
            self._unacked.append(outcome)
            self._flush_wake.set()
        else:
            self._admit.release()
            if self._on_result is not None:
                self._call_hook(outcome)

    def _final(  # noqa: PLR0913 -- one outcome's fields
        self,
        key: str,
        status: OutcomeStatus,
        attempts: int,
        started: float,
        error: str,
        *,
        maybe_created: bool = False,
    ) -> None:
        """
        Finish a key that was not registered (failed or unknown).
        """
        if status is _FAILED and maybe_created:
            status = _UNKNOWN
        tag = "F" if status is _FAILED else "U"
        self._finish(
            Outcome(
                key=key,
                status=status,
                error=error,
                attempts=attempts,
                latency=_now() - started,
            ),
            f"{tag}\t{encode_field(key)}\t{attempts}\t{encode_field(error)}\n",
        )

    def _final_item(
        self, item: _Item, status: OutcomeStatus, error: str
    ) -> None:
        self._final(
            item.key,
            status,
            item.attempts,
            item.started,
            error,
            maybe_created=item.maybe_created,
        )

    def _registered_now(
        self,
        key: str,
        asset_id: int,
        attempts: int,
        started: float,
        *,
        reconciled: bool,
    ) -> None:
        self._finish(
            Outcome(
                key=key,
                status=_REGISTERED,
                asset_id=asset_id,
                attempts=attempts,
                latency=_now() - started,
                reconciled=reconciled,
            ),
            None
            if self._journal is None
            else f"R\t{encode_field(key)}\t{asset_id}\t{attempts}\n",
        )

    def _skip(self, key: object, reason: str) -> None:
        text = key if isinstance(key, str) else repr(key)
        self._finish(
            Outcome(key=text, status=_SKIPPED, error=reason),
            f"S\t{encode_field(text)}\t{encode_field(reason)}\n",
        )

    def _abandon(self, item: str | _Item) -> None:
        if isinstance(item, _Item) and item.maybe_created:
            # Unsent now, but an earlier attempt may have created it.
            self._active -= 1
            self._final(
                item.key, _UNKNOWN, item.attempts, item.started, item.error
            )
            if not self._active:
                self._settled()
            return
        key = item if isinstance(item, str) else item.key
        if self._journal is not None:
            self._journal.add(f"N\t{encode_field(key)}\n")
        self._abandoned += 1
        self._active -= 1
        self._admit.release()
        if not self._active:
            self._settled()

    def _give_up(self, items: list[_Item], reason: str) -> None:
        for item in items:
            self._final(
                item.key, _UNKNOWN, item.attempts, item.started, reason
            )

    def _event(self, event: BulkEvent) -> None:
        hook = self._on_event
        if hook is None:
            return
        try:
            hook(event)
        except Exception as exc:  # noqa: BLE001 -- the caller's hook
            self._on_event = None
            self._fail(exc)

    def _call_hook(self, outcome: Outcome) -> None:
        hook = self._on_result
        if hook is None:
            return
        try:
            hook(outcome)
        except Exception as exc:  # noqa: BLE001 -- the caller's hook
            self._on_result = None
            self._fail(exc)

    # -- feeder ----------------------------------------------------------

    async def _feed(self) -> None:
        try:
            with self._feed_scope:
                keys = self._keys
                if isinstance(keys, AsyncIterable):
                    await self._feed_async(keys)
                else:
                    iterator = iter(keys)
                    while True:
                        try:
                            chunk = list(islice(iterator, self._batch_size))
                        except Exception as exc:  # noqa: BLE001 -- theirs
                            self._fail(exc)
                            break
                        if not chunk:
                            break
                        await self._take(chunk)
        finally:
            batch, self._batch = self._batch, []
            for key in batch:
                self._active += 1
                self._abandon(key)
            self._feeder_done = True
            self._settled()

    async def _feed_async(self, keys: AsyncIterable[object]) -> None:
        send, recv = anyio.create_memory_object_stream[object](
            self._batch_size
        )

        async def pump() -> None:
            async with send:
                try:
                    async for key in keys:
                        await send.send(key)
                except Exception as exc:  # noqa: BLE001 -- their iterable
                    self._fail(exc)

        with send, recv:
            async with anyio.create_task_group() as tg:
                tg.start_soon(pump)
                await self._feed_chunks(recv)

    async def _feed_chunks(
        self, recv: MemoryObjectReceiveStream[object]
    ) -> None:
        while True:
            self._feeder_waiting = True
            self._settled()
            try:
                chunk = [await recv.receive()]
            except anyio.EndOfStream:
                return
            finally:
                self._feeder_waiting = False
            while len(chunk) < self._batch_size:
                try:
                    chunk.append(recv.receive_nowait())
                except (anyio.WouldBlock, anyio.EndOfStream):
                    break
            await self._take(chunk)

    async def _take(self, chunk: list[object]) -> None:
        admit = self._admit
        batch = self._batch
        screen = self._screen
        for key in chunk:
            try:
                admit.acquire_nowait()
            except anyio.WouldBlock:
                # Holding a partial batch is safe: it is smaller than the
                # tokens the rest of the pipeline holds and will release.
                self._feeder_waiting = True
                self._settled()
                try:
                    await admit.acquire()
                finally:
                    self._feeder_waiting = False
            if screen(key):
                batch.append(cast("str", key))
        if batch:
            await self._dispatch()
        else:
            await anyio.lowlevel.checkpoint()

    def _screen(self, key: object) -> bool:
        """
        Whether *key* is to be sent; if not, it is settled here.
        """
        reason = skip_reason(key)
        if reason is not None:
            if isinstance(key, SkippedKey):
                self._skip(key.key, key.reason)
            else:
                self._skip(key, reason)
            return False
        key = cast("str", key)  # skip_reason refuses anything else
        seen = self._table.mark_seen(key)
        if seen == NEW:
            maybe = self._maybe
            if maybe and key in maybe:
                self._resume_maybe(key, maybe.pop(key))
                return False
            return True
        if seen == DUPLICATE:
            self._skip(key, _DUPLICATE_REASON)
        else:
            self._finish(
                Outcome(
                    key=key,
                    status=_REGISTERED,
                    asset_id=seen - 1,
                    resumed=True,
                ),
                None,
            )
        return False

    async def _dispatch(self) -> None:
        batch = self._batch
        if self._journal is not None:
            await self._journal.reserve(batch)
        # The stream holds as many items as there are admission tokens,
        # so these never block (and never half-deliver on cancellation).
        send = self._work_send.send_nowait
        self._active += len(batch)
        for key in batch:
            send(key)
        batch.clear()

    def _resume_maybe(self, key: str, attempts: int) -> None:
        item = _Item(key, attempts, _now(), _EARLIER_RUN)
        if self._reconcile is None:
            if self._retry_ambiguous:
                item.maybe_created = True
                self._active += 1
                self._work_send.send_nowait(item)
            else:
                self._final(
                    key, _UNKNOWN, attempts, item.started, _EARLIER_RUN
                )
            return
        self._park(item)

    # -- workers ---------------------------------------------------------

    async def _work(self) -> None:
        recv = self._work_recv
        while True:
            try:
                item = recv.receive_nowait()
            except anyio.WouldBlock:
                try:
                    item = await recv.receive()
                except anyio.EndOfStream:
                    return
            except anyio.EndOfStream:
                return
            if self._stopping:
                self._abandon(item)
                continue
            await self._register(item)

    async def _register(self, item: str | _Item) -> None:
        # The hot path: a plain key, registered at the first attempt.
        if isinstance(item, str):
            key = item
            state: _Item | None = None
            attempts = 0
            started = _now()
        else:
            key = item.key
            state = item
            attempts = item.attempts
            started = item.started
        register = self._client.assets.register
        in_flight = False
        try:
            while True:
                attempts += 1
                self._requests += 1
                if attempts > 1:
                    self._retries += 1
                in_flight = True
                try:
                    asset = await register(
                        self._workspace,
                        self._project_id,
                        key=key,
                        bucket_name=self._bucket,
                        retry=None,
                    )
                except MaiuError as exc:
                    in_flight = False
                    if state is None:
                        state = _Item(key, attempts, started, "")
                    state.attempts = attempts
                    state.error = str(exc)
                    wait = self._after_failure(state, exc)
                    if wait is None:
                        return
                    await self._pause(wait)
                    if self._stopping:
                        self._active -= 1
                        self._final_item(
                            state, _FAILED, "the job stopped before retrying"
                        )
                        return
                    continue
                self._active -= 1
                self._registered_now(
                    key, asset.asset_id, attempts, started, reconciled=False
                )
                if not self._active:
                    self._settled()
                return
        except anyio.get_cancelled_exc_class():
            # Forced out (the settle time ran out): a request in flight
            # may have been processed.
            self._active -= 1
            self._final_item(
                state or _Item(key, attempts, started, ""),
                _UNKNOWN if in_flight else _FAILED,
                _CANCELLED_IN_FLIGHT
                if in_flight
                else "the job was cancelled before retrying",
            )
            raise

    def _after_failure(self, item: _Item, exc: MaiuError) -> float | None:
        """
        Decide after a failed attempt: seconds until the next, or ``None``.

        ``None`` means the key is settled (finished, or parked for
        reconciling) and no longer active.
        """
        verdict = classify(exc)
        retry_after = None
        if isinstance(exc, RateLimited):
            self._throttled += 1
            retry_after = exc.retry_after
        if verdict is Verdict.AMBIGUOUS:
            if self._retry_ambiguous:
                item.maybe_created = True
                verdict = Verdict.RETRY
            elif self._reconcile is not None and not self._stopping:
                self._active -= 1
                self._park(item)
                return None
        attempts = item.attempts
        if (
            verdict is Verdict.RETRY
            and attempts < self._retry.attempts
            and not self._stopping
        ):
            wait = self._retry.wait_for(attempts, retry_after)
            if self._on_event is not None:
                self._event(
                    RetryScheduled(
                        key=item.key,
                        attempt=attempts,
                        wait=wait,
                        error=item.error,
                    )
                )
            return wait
        self._active -= 1
        self._settle_failure(item, verdict, exc)
        if not self._active:
            self._settled()
        return None

    def _settle_failure(
        self, item: _Item, verdict: Verdict, exc: MaiuError
    ) -> None:
        if verdict is Verdict.RETRY:
            prefix = (
                "the job stopped before retrying"
                if self._stopping
                else f"gave up after {item.attempts} attempts"
            )
            self._final_item(item, _FAILED, f"{prefix}: {exc}")
        elif verdict is Verdict.AMBIGUOUS:
            reason = _STOPPED_RECONCILE if self._stopping else _NO_RECONCILE
            self._final_item(item, _UNKNOWN, f"{reason}: {exc}")
        elif verdict is Verdict.SKIPPED:
            reason = getattr(exc, "reason", item.error)
            self._finish(
                Outcome(
                    key=item.key,
                    status=_SKIPPED,
                    error=reason,
                    attempts=item.attempts,
                ),
                f"S\t{encode_field(item.key)}\t{encode_field(reason)}\n",
            )
        else:
            self._final_item(item, _FAILED, str(exc))
            if verdict is Verdict.SYSTEMIC:
                self._fail(exc)

    async def _pause(self, seconds: float) -> None:
        with anyio.move_on_after(seconds):
            await self._stop_event.wait()

    # -- reconciling -----------------------------------------------------

    def _park(self, item: _Item) -> None:
        self._ambiguous.append(item)
        policy = self._reconcile
        if policy is not None and len(self._ambiguous) >= policy.batch:
            self._reconcile_wake.set()
        elif not self._active:
            self._settled()

    async def _reconcile_loop(self) -> None:
        while True:
            await self._reconcile_wake.wait()
            self._reconcile_wake = anyio.Event()
            if self._closed:
                return
            if not self._ambiguous:
                continue
            self._reconciling = True
            try:
                policy = self._reconcile
                if policy is not None and policy.delay and not self._stopping:
                    await self._pause(policy.delay)
                batch, self._ambiguous = self._ambiguous, []
                if self._stopping or policy is None:
                    self._give_up(batch, _STOPPED_RECONCILE)
                else:
                    await self._reconcile_round(batch, policy)
            finally:
                self._reconciling = False
            self._settled()

    async def _reconcile_round(
        self, batch: list[_Item], policy: ReconcilePolicy
    ) -> None:
        self._passes += 1
        self._round = batch
        error: MaiuError | None = None
        found: dict[str, int] = {}
        pages = 0
        with anyio.CancelScope() as scope:
            self._round_scope = scope
            try:
                found, pages = await find_assets(
                    self._client,
                    self._workspace,
                    self._project_id,
                    [item.key for item in batch],
                    retry=policy.retry,
                    page_size=policy.page_size,
                )
            except MaiuError as exc:
                error = exc
        self._round_scope = None
        self._round = []
        if scope.cancelled_caught:
            self._give_up(batch, _STOPPED_RECONCILE)
            return
        if error is not None:
            self._event(
                ReconcileFinished(
                    keys=len(batch), found=0, pages=pages, error=str(error)
                )
            )
            if classify(error) is Verdict.SYSTEMIC:
                self._give_up(batch, f"could not reconcile: {error}")
                self._fail(error)
                return
            for item in batch:
                item.passes += 1
                if item.passes >= policy.passes:
                    self._give_up([item], f"could not reconcile: {error}")
                else:
                    self._ambiguous.append(item)
            return
        self._event(
            ReconcileFinished(keys=len(batch), found=len(found), pages=pages)
        )
        attempts_allowed = self._retry.attempts
        for item in batch:
            asset_id = found.get(item.key)
            if asset_id is not None:
                self._registered_now(
                    item.key,
                    asset_id,
                    item.attempts,
                    item.started,
                    reconciled=True,
                )
            elif item.attempts >= attempts_allowed or self._stopping:
                self._final(
                    item.key,
                    _FAILED,
                    item.attempts,
                    item.started,
                    f"not registered after {item.attempts} attempts; "
                    f"last error: {item.error}",
                )
            else:
                self._active += 1
                self._work_send.send_nowait(item)

    # -- delivery --------------------------------------------------------

    async def _flush_loop(self) -> None:
        while True:
            if not self._unacked:
                if self._producers_done:
                    return
                await self._flush_wake.wait()
                self._flush_wake = anyio.Event()
                continue
            count = len(self._unacked)
            journal = self._journal
            if journal is not None and journal.has_pending():
                # Commits the lines of at least the first `count`
                # outcomes: each line is buffered with its outcome.
                try:
                    await journal.commit()
                except JournalError as exc:
                    self._journal_broken = True
                    self._fail(exc)
            if self._journal_broken:
                self._unacked.clear()
                continue
            self._ready.extend(self._unacked[:count])
            del self._unacked[:count]
            await self._deliver()

    async def _deliver(self) -> None:
        ready = self._ready
        release = self._admit.release
        while ready:
            outcome = ready.popleft()
            release()
            if self._on_result is not None:
                self._call_hook(outcome)
            out = self._out
            if out is None:
                continue
            try:
                out.send_nowait(outcome)
            except anyio.WouldBlock:
                try:
                    await out.send(outcome)
                except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                    self._out = None
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                self._out = None

    def _last_flush(self) -> None:
        """
        Settle whatever a forced stop left behind, without awaiting.
        """
        self._give_up(self._round + self._ambiguous, _STOPPED_RECONCILE)
        self._round, self._ambiguous = [], []
        while True:
            try:
                item = self._work_recv.receive_nowait()
            except (anyio.WouldBlock, anyio.EndOfStream):
                break
            self._abandon(item)
        journal = self._journal
        if journal is not None and not self._journal_broken:
            journal.commit_sync()
        if self._journal_broken:
            return
        self._ready.extend(self._unacked)
        self._unacked.clear()
        while self._ready:
            outcome = self._ready.popleft()
            self._admit.release()
            if self._on_result is not None:
                self._call_hook(outcome)
            if self._out is not None:
                try:
                    self._out.send_nowait(outcome)
                except (
                    anyio.WouldBlock,
                    anyio.BrokenResourceError,
                    anyio.ClosedResourceError,
                ):
                    self._out = None
