"""
One shard, on a worker: the single-process engine under a leased budget.

`run_shard` is the task: it runs `maiu_async.bulk.stream_register` over
the shard's manifest, with the shard's journal, writing the shard's
report, through a `MaiuClient` whose limiter leases tokens from the
job's budget.  It resumes from the journal like any rerun; a shard that
ran before but lost its journal first reserves every key in a new one,
so that the engine looks every key up before sending anything.

The secret key never travels with the task: the worker resolves the
credentials from its own environment (a local cluster's workers are
given them by the driver), for the access key the task names.

Strictly private.
"""

from __future__ import annotations

import asyncio
import os
import pickle

from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import attrs

from distributed import get_worker

from maiu_async._client import MaiuClient
from maiu_async._credentials import Credentials
from maiu_async.bulk import (
    BulkOptions,
    BulkReport,
    OutcomeStatus,
    report_of,
    stream_register,
)
from maiu_async.bulk._journal import JobIdentity, Journal
from maiu_async.bulk._keys import KeyTable
from maiu_async.cli._importer import report_line
from maiu_async.exceptions import MaiuError, UsageError

from ._jobdir import ShardPaths, read_manifest, shard_paths
from ._leased import LeasedLimiter


if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from maiu_async.bulk import OutcomeStream


__all__ = ["ShardResult", "ShardSpec", "run_shard"]


@attrs.frozen(kw_only=True)
class ShardSpec:
    """Everything a worker needs to run one shard; no secret."""

    job_id: str
    index: int
    directory: str
    endpoint: str
    access_key: str | None
    profile: str | None
    workspace: str
    project_id: int
    bucket: str
    options: BulkOptions
    lease_batch: int


@attrs.frozen(kw_only=True)
class ShardResult:
    """
    How one run of a shard ended.

    *state*: ``done``, ``partial`` (stopped or failed part-way) or
    ``pending`` (told to stop before it began).
    """

    index: int
    state: str
    report: BulkReport
    failure: Exception | None = None


def run_shard(spec: ShardSpec) -> ShardResult:
    """
    Run one shard on this worker (the task function).

    Strictly private.
    """
    worker = get_worker()
    key = str(worker.get_current_task())
    address = worker.address
    loop = worker.loop.asyncio_loop  # type: ignore[attr-defined]

    async def call(op: str, **fields: Any) -> dict[str, Any]:  # noqa: ANN401
        coro = getattr(worker.scheduler, op)(**fields)
        future = asyncio.run_coroutine_threadsafe(coro, loop)
        answer: dict[str, Any] = await asyncio.wrap_future(future)
        return answer

    return asyncio.run(_run(spec, call, key, address))


async def _run(
    spec: ShardSpec,
    call: Callable[..., Awaitable[dict[str, Any]]],
    key: str,
    worker: str,
) -> ShardResult:
    begun = await call(
        "maiu_budget_begin", job=spec.job_id, key=key, worker=worker
    )
    if begun.get("stop"):
        return ShardResult(
            index=spec.index, state="pending", report=BulkReport()
        )
    if "refused" in begun:
        raise UsageError(f"shard {spec.index}: {begun['refused']}")
    epoch = begun["epoch"]
    paths = shard_paths(Path(spec.directory), spec.index)
    credentials = Credentials.from_environment(
        profile=spec.profile, access_key=spec.access_key
    )
    await _prepare(spec, paths)
    running: list[OutcomeStream] = []
    stop_asked: list[bool] = []

    def on_stop() -> None:
        stop_asked.append(True)
        for stream in running:
            stream.stop()

    async def lease(**fields: Any) -> dict[str, Any]:  # noqa: ANN401
        return await call(
            "maiu_budget_lease",
            job=spec.job_id,
            key=key,
            epoch=epoch,
            worker=worker,
            **fields,
        )

    def make_limiter(_rate: float | None) -> LeasedLimiter:
        return LeasedLimiter(lease, batch=spec.lease_batch, on_stop=on_stop)

    options = attrs.evolve(spec.options, journal=str(paths.journal))
    temp = paths.report.with_name(f".{paths.report.name}.partial")
    failure: Exception | None = None
    client = MaiuClient(
        credentials, endpoint=spec.endpoint, limiter=make_limiter
    )
    with temp.open("w", encoding="utf-8") as out:
        try:
            async with (
                client,
                stream_register(
                    client,
                    spec.workspace,
                    spec.project_id,
                    bucket_name=spec.bucket,
                    keys=read_manifest(paths.manifest),
                    options=options,
                ) as outcomes,
            ):
                running.append(outcomes)
                if stop_asked:
                    outcomes.stop()
                async for outcome in outcomes:
                    out.write(report_line(outcome))
            report = outcomes.report
        except MaiuError as exc:
            failure = _portable(exc)
            report = report_of(exc) or (
                running[0].report if running else BulkReport()
            )
        out.flush()
        os.fsync(out.fileno())
    temp.replace(paths.report)
    return ShardResult(
        index=spec.index,
        state=_state_of(report, failure),
        report=report,
        failure=failure,
    )


def _state_of(report: BulkReport, failure: Exception | None) -> str:
    left = report.counts[OutcomeStatus.NOT_ATTEMPTED]
    whole = failure is None and not report.stopped and not left
    return "done" if whole else "partial"


async def _prepare(spec: ShardSpec, paths: ShardPaths) -> None:
    """
    Note that the shard started; a lost journal is started over first.
    """
    if paths.started.exists() and not paths.journal.exists():
        identity = JobIdentity.of(
            spec.endpoint, spec.workspace, spec.project_id, spec.bucket
        )
        await _reserve_all(paths.journal, paths.manifest, identity)
    _touch(paths.started)


async def _reserve_all(
    journal: Path, manifest: Path, identity: JobIdentity
) -> None:
    """
    Start a lost journal over with every key of the shard reserved.

    A reserved key may have been sent, so the engine looks it up in the
    project's assets before it sends it (never sending blindly).
    """
    opened, _maybe = await anyio.to_thread.run_sync(
        Journal.open, journal, identity, KeyTable()
    )
    try:
        keys = [k for k in read_manifest(manifest) if isinstance(k, str)]
        await opened.reserve(keys)
    finally:
        opened.close()


def _touch(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _portable(exc: MaiuError) -> Exception:
    """*exc* if it survives the trip to the driver, else its text."""
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 -- our own bytes
    except Exception:  # noqa: BLE001 -- any pickling failure
        return UsageError(f"{type(exc).__name__}: {exc}")
    return exc
