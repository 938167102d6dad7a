"""
Register many Object Storage keys as assets, exactly once.

Two forms, one engine::

    report = await register_many(
        client, "my-workspace", project_id, bucket_name="b", keys=keys,
        journal="import.journal", on_result=print,
    )

    async with stream_register(
        client, "my-workspace", project_id, bucket_name="b", keys=keys
    ) as outcomes:
        async for outcome in outcomes:
            ...
    report = outcomes.report

How the job runs is one `BulkOptions` record, passed as *options*; any
of its fields may also be given as a keyword (``concurrency=16``), which
replaces the record's value.

The iterator form is an async context manager rather than an async
generator: the job runs in a task group, and a task group must not be
left suspended inside a generator the caller may abandon.  Leaving the
block early stops the job in order (see below); outcomes not read by then
are still journaled and counted.

**No duplicates.**  Registration is not idempotent, so a request is sent
again only when it certainly did not create an asset (never sent, 429,
503).  When it may have (timeout or reset after sending, lost answer,
500/502/504), the key is *ambiguous*: it is parked and later looked up
in the project's asset list, in batches (one pass per batch, see
`ReconcilePolicy`).  Found: registered.  Absent: sent again, within the
same attempt budget.  With ``reconcile=None`` ambiguous keys are reported
`OutcomeStatus.UNKNOWN` instead, and ``retry_ambiguous=True`` opts into
sending them again blindly, which may create duplicates.

**Journal.**  With *journal*, every key's outcome is written and fsynced
before it is delivered, and keys are durably reserved before they are
sent.  Rerunning with the same journal reports the keys registered before
as `Outcome.resumed`, reconciles the keys a crashed run may have sent, and
tries the rest.  A journal of another endpoint, workspace, project or
bucket is refused with `maiu_async.exceptions.JournalError`.

**Waiting for imports.**  A 2xx only means the key was accepted; the
import runs afterwards.  With ``wait=PollPolicy()`` each registered key's
import status is polled (through the same pacing, bounded in flight,
backing off per asset, for at most ``PollPolicy.timeout`` seconds) and
its outcome is delivered once the import is final, with
`Outcome.import_status` and `Outcome.import_message`; `BulkReport.imports`
counts keys per status.  The journal records final statuses, so a rerun
polls only what was still pending, and the keys of an earlier run that
did not wait.

**Before the first key**, one GET of the project checks the
credentials, the workspace, the project and the endpoint: a job that
cannot succeed fails before sending anything.

**Stopping.**  Cancelling the scope around the job (or Ctrl-C, or
`OutcomeStream.stop`, which is safe to call from a signal handler) stops
it in order: no new request is started, requests in flight settle for at
most *settle_timeout* seconds, and the journal is flushed; then the
cancellation goes on.  Every key read by then has an outcome: those
never sent are `OutcomeStatus.NOT_ATTEMPTED` (journaled, so a rerun
sends them).  Systemic failures stop it the same way and are raised,
with the report of everything settled before as the exception's
``report`` (`report_of`): credentials refused, permission denied, no
such workspace or project, journal I/O, the key source or a hook
raising, a ``Retry-After`` longer than `RetryPolicy.max_retry_after`
(the gateway asks every key to wait that long), and a run of attempts,
across keys, that cannot connect at all.  Every other failure is an
outcome.

**Long input.**  A key or an error longer than 1024 characters is
echoed shortened to its start and its length, in outcomes, events, the
journal and reports.
"""

from __future__ import annotations

import contextlib

from typing import TYPE_CHECKING, Unpack

import anyio
import attrs

from ._analysis import AnalysisRequest, request_analysis_many
from ._analysis_job import AnalysisJob
from ._analysis_report import (
    AnalysisHook,
    AnalysisOutcome,
    AnalysisReport,
    RequestStatus,
)
from ._job import Job, report_of
from ._options import DEFAULT_RETRY, BulkOptions, BulkShortcuts, build_options
from ._poll import PollPolicy
from ._reconcile import ReconcilePolicy
from ._report import (
    BulkEvent,
    BulkReport,
    EventHook,
    Outcome,
    OutcomeHook,
    OutcomeStatus,
    ReconcileFinished,
    RetryScheduled,
    SkippedKey,
)


if TYPE_CHECKING:
    from collections.abc import AsyncIterable, AsyncIterator, Iterable

    from anyio.streams.memory import MemoryObjectReceiveStream

    from .._client import MaiuClient


__all__ = [
    "DEFAULT_RETRY",
    "AnalysisHook",
    "AnalysisJob",
    "AnalysisOutcome",
    "AnalysisReport",
    "AnalysisRequest",
    "BulkEvent",
    "BulkOptions",
    "BulkReport",
    "BulkShortcuts",
    "EventHook",
    "Outcome",
    "OutcomeHook",
    "OutcomeStatus",
    "OutcomeStream",
    "PollPolicy",
    "ReconcileFinished",
    "ReconcilePolicy",
    "RequestStatus",
    "RetryScheduled",
    "SkippedKey",
    "register_many",
    "report_of",
    "request_analysis_many",
    "stream_register",
]


async def register_many(  # noqa: PLR0913 -- the rest is keyword-only
    client: MaiuClient,
    workspace: str,
    project_id: int,
    *,
    bucket_name: str,
    keys: Iterable[str | SkippedKey] | AsyncIterable[str | SkippedKey],
    options: BulkOptions | None = None,
    on_result: OutcomeHook | None = None,
    **shortcuts: Unpack[BulkShortcuts],
) -> BulkReport:
    """
    Register every key of *keys* as an asset of a project, exactly once.

    Args:
        client: An open client.
        workspace: The workspace's name.
        project_id: The project's id.
        bucket_name: The Object Storage bucket holding the keys.
        keys: Object keys, streamed: only a bounded number is held at a
            time, whatever the input's length.  Invalid keys and repeats
            are reported as skipped and never sent, and so is every
            `SkippedKey` (a key its source already refused).  A single
            ``str`` is refused (it is not a list of keys).
        options: How the job runs; `BulkOptions` defaults if omitted.
        on_result: Called once per key with its `Outcome`.
        **shortcuts: Any `BulkOptions` field (``concurrency``, ``rate``,
            ``journal``, ``retry``, ``reconcile``, ``retry_ambiguous``,
            ``settle_timeout``, ``on_event``), replacing the value of
            *options*.

    Returns:
        The counts, once every outcome is delivered (and journaled).

    Raises:
        ValidationError: *workspace*, *project_id* or *bucket_name* is
            invalid.
        UsageError: An option or *keys* is invalid, or the client is not
            open.
        JournalError: The journal is another job's, corrupt, in use, not
            a regular file, or cannot be written.
        AuthenticationFailed: The credentials were refused.
        PermissionDenied: The key may not register assets.
        NotFound: No such workspace or project.
        RateLimited: The server asked to wait longer than
            `RetryPolicy.max_retry_after`.
        TransportError: The endpoint cannot be reached.

    Whatever stopped the job (the exceptions above, or one raised by
    *keys* or a hook) is raised with the job's `BulkReport` as its
    ``report`` attribute (read it with `report_of`).

    .. versionadded:: 26.1.0
    .. versionchanged:: 26.1.0 *options*; the keyword options are
       shortcuts for its fields.  The preflight request; the report on
       the exception; a ``str`` as *keys* is refused.

    """
    job = Job(
        client,
        workspace,
        project_id,
        bucket_name=bucket_name,
        keys=keys,
        options=build_options(options, shortcuts),
        on_result=on_result,
    )
    return await job.run()


class OutcomeStream:
    """
    The outcomes of a running `stream_register` job, as they come.

    Iterate it with ``async for``; the iteration ends when the job has
    delivered every outcome.

    .. versionadded:: 26.1.0

    """

    __slots__ = ("_job", "_raised", "_recv", "_report")

    def __init__(
        self, job: Job, recv: MemoryObjectReceiveStream[Outcome]
    ) -> None:
        self._job = job
        self._recv = recv
        self._report: BulkReport | None = None
        self._raised = False

    def __repr__(self) -> str:
        state = "finished" if self._report is not None else "running"
        return f"<OutcomeStream {state}>"

    def __aiter__(self) -> OutcomeStream:
        return self

    async def __anext__(self) -> Outcome:
        try:
            return await self._recv.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            raise StopAsyncIteration from None

    @property
    def report(self) -> BulkReport:
        """
        The job's report (final once the ``async with`` block is left).
        """
        if self._report is not None:
            return self._report
        return self._job.report()

    def stop(self) -> None:
        """
        Stop the job in order; the iteration then ends.
        """
        self._job.stop()


@contextlib.asynccontextmanager
async def stream_register(  # noqa: PLR0913 -- the rest is keyword-only
    client: MaiuClient,
    workspace: str,
    project_id: int,
    *,
    bucket_name: str,
    keys: Iterable[str | SkippedKey] | AsyncIterable[str | SkippedKey],
    options: BulkOptions | None = None,
    **shortcuts: Unpack[BulkShortcuts],
) -> AsyncIterator[OutcomeStream]:
    """
    Run `register_many` in the background and stream its outcomes.

    ::

        async with stream_register(client, ws, pid, bucket_name="b",
                                   keys=keys) as outcomes:
            async for outcome in outcomes:
                print(outcome.key, outcome.status)
        print(outcomes.report)

    The arguments are those of `register_many` but *on_result*.  Leaving
    the block before the iteration ends stops the job in order; a
    systemic failure is raised when the block is left.

    .. versionadded:: 26.1.0
    .. versionchanged:: 26.1.0 *options*; the keyword options are
       shortcuts for its fields.

    """
    resolved = build_options(options, shortcuts)
    send, recv = anyio.create_memory_object_stream[Outcome](
        max(resolved.concurrency, 16)
    )
    try:
        job = Job(
            client,
            workspace,
            project_id,
            bucket_name=bucket_name,
            keys=keys,
            options=resolved,
            on_result=None,
            out=send,
        )
    except BaseException:
        send.close()
        recv.close()
        raise
    stream = OutcomeStream(job, recv)
    failure: list[BaseException] = []

    async def run() -> None:
        try:
            stream._report = await job.run()  # noqa: SLF001 -- our own
        except Exception as exc:  # noqa: BLE001 -- raised below, unwrapped
            stream._report = job.report()  # noqa: SLF001 -- our own
            failure.append(exc)

    with recv:
        async with anyio.create_task_group() as tg:
            tg.start_soon(run)
            try:
                yield stream
            finally:
                recv.close()
                job.stop()
    if failure:
        raise failure[0]


def _rewrite_module() -> None:
    # Tracebacks and reprs show `maiu_async.bulk.Outcome`, not the private
    # module that defines it.  attrs classes get their string annotations
    # resolved first: they are looked up in `__module__`.
    for name in __all__:
        obj = globals()[name]
        if isinstance(obj, type) and obj.__module__.startswith(
            __name__ + "._"
        ):
            if attrs.has(obj):
                attrs.resolve_types(obj)
            obj.__module__ = __name__


_rewrite_module()
