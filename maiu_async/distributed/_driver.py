"""
`import_sharded`: cut the input into shards, run them on a Dask cluster.

Strictly private.
"""

from __future__ import annotations

import contextlib
import time
import uuid

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import anyio
import attrs

from distributed import Client, LocalCluster, as_completed

from maiu_async._credentials import (
    ENV_ACCESS_KEY_ID,
    ENV_SECRET_ACCESS_KEY,
    Credentials,
)
from maiu_async.bulk import BulkOptions, BulkReport
from maiu_async.exceptions import MaiuError, UsageError

from ._budget import SHARD_PREFIX, BudgetPlugin
from ._jobdir import (
    JobFile,
    ShardRecord,
    Target,
    cut_manifest,
    shard_paths,
)
from ._shard import ShardResult, ShardSpec, run_shard


if TYPE_CHECKING:
    from collections.abc import (
        AsyncIterable,
        AsyncIterator,
        Callable,
        Iterable,
    )

    from distributed import Future

    from maiu_async.models import SkippedKey


__all__ = ["DEFAULT_SHARD_SIZE", "ShardedReport", "import_sharded"]

#: Keys per shard unless told otherwise: a few minutes of a typical
#: budget, and a journal that resumes in a blink.
DEFAULT_SHARD_SIZE: Final = 10_000
#: Tokens a worker leases at a time.
DEFAULT_LEASE_BATCH: Final = 8
#: Seconds a stopped job's shards may take to stop, beyond the settle
#: timeout of their requests.
_STOP_GRACE: Final = 30.0
#: A local cluster listens on loopback only.
_LOOPBACK: Final = "127.0.0.1"


@attrs.frozen(kw_only=True)
class ShardedReport:
    """
    What a sharded import did.

    Attributes:
        report: The counts of every shard added up; keys of shards done
            by an earlier run count as `~maiu_async.bulk.BulkReport.resumed`.
        shards: Each shard's record, as the job file now holds it.
        failure: The first systemic failure a shard stopped on, if any.
        directory: The job directory.

    .. versionadded:: 26.1.0
    """

    report: BulkReport
    shards: tuple[ShardRecord, ...]
    failure: Exception | None
    directory: Path

    def report_paths(self) -> list[Path]:
        """The shards' report files, in shard order (those that exist)."""
        found = (
            shard_paths(self.directory, s.index).report for s in self.shards
        )
        return [p for p in found if p.exists()]


async def import_sharded(  # noqa: PLR0913 -- every option is keyword-only
    keys: Iterable[str | SkippedKey] | AsyncIterable[str | SkippedKey],
    *,
    directory: str | Path,
    endpoint: str,
    workspace: str,
    project_id: int,
    bucket_name: str,
    credentials: Credentials | None = None,
    profile: str | None = None,
    options: BulkOptions | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    shard_size: int = DEFAULT_SHARD_SIZE,
    lease_batch: int = DEFAULT_LEASE_BATCH,
    on_shard: Callable[[ShardRecord], None] | None = None,
) -> ShardedReport:
    """
    Register *keys* on a Dask cluster, shard by shard, exactly once.

    The first run reads *keys* once and cuts them into shards of about
    *shard_size* keys in *directory* (the job directory); a run that
    finds a job file there resumes that job instead, and does not read
    *keys*: shards done are skipped, the others resume from their
    journals.  Each shard is one task running
    `maiu_async.bulk.register_many` with its own journal and report,
    paced by one rate budget for the whole job (``options.rate`` is the
    job's total).  A worker that dies has its shard rescheduled; the
    shard resumes from its journal and looks up what may have been sent.

    Args:
        keys: The keys, read once, only by the first run of the job.
        directory: The job directory; it must be on a file system every
            worker sees at the same path.
        endpoint: The API's base URL.
        workspace: The workspace's name.
        project_id: The project's id.
        bucket_name: The bucket holding the keys.
        credentials: With *workers*, the keys given to the local workers;
            on a cluster of your own (*scheduler*) each worker resolves
            them from its own environment and its ``~/.ncloud/configure``
            (only the access key id travels with the tasks).
        profile: The ``~/.ncloud/configure`` section workers read.
        options: How each shard's job runs (``journal`` and ``on_event``
            are the shard's own and ignored; ``rate`` is the job's total).
        workers: Start a local cluster of this many worker processes.
        scheduler: The address of a running cluster's scheduler.
        shard_size: Keys per shard, about.
        lease_batch: Tokens a worker leases at a time.
        on_shard: Called with each shard's record when its task ends.

    Returns:
        The added-up counts and each shard's state.

    Raises:
        UsageError: Both or neither of *workers* and *scheduler*, or a
            bad size.
        JournalError: *directory* holds another job.

    Cancelling the call stops the job in order: every shard stops
    sending, its requests in flight settle, and the job file records
    where each shard is, for the next run.

    .. versionadded:: 26.1.0

    """
    if (workers is None) == (scheduler is None):
        raise UsageError("pass exactly one of workers and scheduler")
    if workers is not None and workers < 1:
        raise UsageError(f"workers must be at least 1, got {workers!r}")
    if shard_size < 1 or lease_batch < 1:
        raise UsageError(
            f"shard_size and lease_batch must be at least 1, got "
            f"{shard_size!r} and {lease_batch!r}"
        )
    options = options or BulkOptions()
    where = Path(directory)
    target = Target(
        endpoint=endpoint.rstrip("/"),
        workspace=workspace,
        project_id=project_id,
        bucket=bucket_name,
    )
    job = JobFile.read(where)
    if job is None:
        await anyio.Path(where).mkdir(parents=True, exist_ok=True)
        sizes = await cut_manifest(where, keys, shard_size)
        job = JobFile(
            job_id=uuid.uuid4().hex,
            target=target,
            shard_size=shard_size,
            rate=options.rate,
            shards=tuple(
                ShardRecord(index=i, keys=n) for i, n in enumerate(sizes)
            ),
        )
        job.write(where)
    else:
        job.check(target, where)
    spec = _Spec(
        job=job,
        directory=where,
        access_key=None if credentials is None else credentials.access_key,
        profile=profile,
        options=attrs.evolve(options, journal=None, on_event=None, rate=None),
        lease_batch=lease_batch,
    )
    started = time.monotonic()
    async with _cluster(workers, scheduler, credentials) as client:
        runner = _Runner(client, spec, on_shard)
        await runner.run(options.rate)
    return ShardedReport(
        report=_added_up(
            runner.results, runner.job, time.monotonic() - started
        ),
        shards=runner.job.shards,
        failure=runner.failure,
        directory=where,
    )


@attrs.frozen(kw_only=True)
class _Spec:
    job: JobFile
    directory: Path
    access_key: str | None
    profile: str | None
    options: BulkOptions
    lease_batch: int

    def of(self, index: int) -> ShardSpec:
        target = self.job.target
        return ShardSpec(
            job_id=self.job.job_id,
            index=index,
            directory=str(self.directory),
            endpoint=target.endpoint,
            access_key=self.access_key,
            profile=self.profile,
            workspace=target.workspace,
            project_id=target.project_id,
            bucket=target.bucket,
            options=self.options,
            lease_batch=self.lease_batch,
        )


@contextlib.asynccontextmanager
async def _cluster(
    workers: int | None,
    scheduler: str | None,
    credentials: Credentials | None,
) -> AsyncIterator[Client]:
    """
    A client of the cluster at *scheduler*, or of a new local one.

    Closed shielded: a stopped job still closes its cluster.
    """
    stack = contextlib.AsyncExitStack()
    try:
        if scheduler is not None:
            yield await stack.enter_async_context(
                Client(scheduler, asynchronous=True)
            )
            return
        env = {}
        if credentials is not None:
            # The nannies set them in the worker processes they start;
            # they never travel in a task.
            env = {
                ENV_ACCESS_KEY_ID: credentials.access_key,
                ENV_SECRET_ACCESS_KEY: credentials.secret_key,
            }
        cluster = await stack.enter_async_context(
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                asynchronous=True,
                host=_LOOPBACK,
                # Any free port: the default one may be another cluster's.
                dashboard_address=f"{_LOOPBACK}:0",
                env=env,
            )
        )
        yield await stack.enter_async_context(
            Client(cluster, asynchronous=True)
        )
    finally:
        with anyio.CancelScope(shield=True):
            await stack.aclose()


class _Runner:
    """Submits the shards not done, records each as it ends."""

    def __init__(
        self,
        client: Client,
        spec: _Spec,
        on_shard: Callable[[ShardRecord], None] | None,
    ) -> None:
        self._client = client
        self._spec = spec
        self._on_shard = on_shard
        self.job = spec.job
        self.results: dict[int, ShardResult] = {}
        self.failure: Exception | None = None
        self._run_id = uuid.uuid4().hex[:8]

    async def run(self, rate: float | None) -> None:
        client = self._client
        job_id = self.job.job_id
        await client.register_plugin(BudgetPlugin())
        scheduler: Any = client.scheduler
        await scheduler.maiu_budget_open(job=job_id, rate=rate)
        todo = [s.index for s in self.job.shards if s.state != "done"]
        futures = [
            client.submit(
                run_shard,
                self._spec.of(index),
                key=f"{SHARD_PREFIX}{job_id}-{self._run_id}-{index:05d}",
                pure=False,
            )
            for index in todo
        ]
        try:
            async for future in as_completed(futures):
                await self._settle(future)
        except anyio.get_cancelled_exc_class():
            with anyio.CancelScope(shield=True):
                await scheduler.maiu_budget_stop(job=job_id)
                grace = self._spec.options.settle_timeout + _STOP_GRACE
                with anyio.move_on_after(grace):
                    for future in futures:
                        await self._settle(future)
            raise

    async def _settle(self, future: Future[ShardResult]) -> None:
        index = int(str(future.key).rsplit("-", 1)[1])
        if index in self.results:
            return
        try:
            result: ShardResult = await future
        except Exception as exc:  # noqa: BLE001 -- a task's own failure
            # KilledWorker (its workers kept dying), a refused journal...:
            # the shard stays to be resumed, and the job says why.
            failure = (
                exc
                if isinstance(exc, MaiuError)
                else MaiuError(
                    f"shard {index} failed on the cluster: "
                    f"{type(exc).__name__}: {exc}"
                )
            )
            result = ShardResult(
                index=index,
                state="partial",
                report=BulkReport(),
                failure=failure,
            )
        self.results[index] = result
        if result.failure is not None and self.failure is None:
            self.failure = result.failure
        old = self.job.shards[index]
        record = ShardRecord(
            index=index,
            keys=old.keys,
            state=result.state,
            counts=attrs.asdict(result.report),
            error=None if result.failure is None else str(result.failure),
        )
        self.job = self.job.with_shard(record)
        self.job.write(self._spec.directory)
        if self._on_shard is not None:
            self._on_shard(record)


def _added_up(
    results: dict[int, ShardResult], job: JobFile, duration: float
) -> BulkReport:
    totals: dict[str, Any] = {
        f.name: 0 for f in attrs.fields(BulkReport) if f.type in ("int", int)
    }
    stopped = False
    for record in job.shards:
        result = results.get(record.index)
        if result is not None:
            counts = attrs.asdict(result.report)
            stopped = stopped or result.report.stopped
        elif record.state == "done":
            # Done by an earlier run: its keys count as resumed.
            old = record.counts
            counts = {
                "registered": old.get("registered", 0),
                "resumed": old.get("registered", 0),
                "skipped": old.get("skipped", 0),
                "failed": old.get("failed", 0),
                "unknown": old.get("unknown", 0),
            }
        else:
            continue
        for name in totals:
            totals[name] += counts.get(name, 0)
    return BulkReport(**totals, duration=duration, stopped=stopped)
