"""
``maiu-async import --workers N`` / ``--scheduler ADDRESS``: sharded runs.

The boundary of the ``dask`` extra: `import_` imports this module only
when one of the two options is given.  The keys are read (or listed)
once into the job directory (``--journal DIR``), the shards run on the
cluster, and the summary, the report and the exit status are the
single-process ones, built from the shards' reports.

Strictly private.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys

from typing import TYPE_CHECKING, Any

import anyio
import attrs
import click

from maiu_async.distributed import import_sharded
from maiu_async.storage import ObjectStorageSource

from ._import_run import _resolve_project, resume_hint, show_summary
from ._importer import aiter_stream_keys
from ._keysfile import iter_keys
from ._options import CommandFailed, credentials, make_client, run_async
from ._reportfile import report_file
from ._summary import EXAMPLES_PER_STATUS, ImportSummary


if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from pathlib import Path

    from maiu_async.bulk import BulkOptions
    from maiu_async.distributed import ShardedReport
    from maiu_async.storage import StorageConfig

    from ._options import Settings
    from ._output import Output


__all__ = ["ShardedArgs", "run_sharded"]

#: The signals that stop a sharded import in order.
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@attrs.frozen(kw_only=True)
class ShardedArgs:
    """The ``import`` options a sharded run uses."""

    workspace: str
    project_id: int | None
    project_name: str | None
    create_project: bool
    bucket: str
    keys_file: Path | None
    listing: tuple[str, StorageConfig] | None
    options: BulkOptions
    journal: Path | None
    report: Path | None
    as_json: bool
    workers: int | None
    scheduler: str | None
    shard_size: int


def run_sharded(settings: Settings, output: Output, args: ShardedArgs) -> int:
    """
    Run a sharded import, print its summary; return the exit status.

    Raises:
        click.UsageError: No ``--journal DIR``, or both cluster options.

    """
    if args.journal is None:
        raise click.UsageError(
            "--workers and --scheduler need --journal DIR (the job "
            "directory: manifest, journals and reports of the shards)"
        )
    if args.workers is not None and args.scheduler is not None:
        raise click.UsageError("pass one of --workers and --scheduler")
    with report_file(args.report) as out_file:
        summary = run_async(lambda: _run(settings, args))
        if out_file is not None:
            for line in _report_lines(summary.journal_path):
                out_file.write(line)
    show_summary(summary, output, as_json=args.as_json)
    if summary.interrupted or summary.failure is not None:
        click.echo(
            resume_hint(
                args.journal,
                args.report,
                settings.argv,
                failed=summary.failure is not None,
            ),
            err=True,
        )
    if summary.failure is not None:
        raise summary.failure
    return summary.exit_code


async def _run(settings: Settings, args: ShardedArgs) -> ImportSummary:
    assert args.journal is not None  # noqa: S101 -- checked before
    client = make_client(settings)
    project_id = args.project_id
    async with client:
        if project_id is None:
            assert args.project_name is not None  # noqa: S101 -- checked
            project_id = await _resolve_project(
                client,
                args.workspace,
                args.project_name,
                create=args.create_project,
            )
    creds = credentials(settings.access_key, settings.profile)
    stopped_by: list[int] = []
    async with _keys(args) as keys:
        with _stop_on_signals(stopped_by) as scope:
            result = await import_sharded(
                keys,
                directory=args.journal,
                endpoint=client.endpoint,
                workspace=args.workspace,
                project_id=project_id,
                bucket_name=args.bucket,
                credentials=creds if args.scheduler is None else None,
                profile=settings.profile,
                options=args.options,
                workers=args.workers,
                scheduler=args.scheduler,
                shard_size=args.shard_size,
            )
        if scope.cancelled_caught and not stopped_by:  # pragma: no cover
            raise CommandFailed("the sharded import was cancelled")
    return _summary(args, project_id, result, stopped_by)


@contextlib.asynccontextmanager
async def _keys(args: ShardedArgs) -> AsyncIterator[Any]:
    """The keys of the input, to be read once by the first run."""
    if args.listing is not None:
        prefix, storage = args.listing
        async with ObjectStorageSource(
            args.bucket, prefix, config=storage
        ) as source:
            yield source.keys()
        return
    if args.keys_file is None or str(args.keys_file) == "-":
        yield aiter_stream_keys(sys.stdin.fileno(), "<stdin>")
        return
    try:
        stream = args.keys_file.open("rb")
    except OSError as exc:
        raise CommandFailed(
            f"cannot read {args.keys_file}: {exc.strerror}"
        ) from None
    with stream:
        yield iter_keys(stream, str(args.keys_file))


@contextlib.contextmanager
def _stop_on_signals(stopped_by: list[int]) -> Iterator[Any]:
    """A scope the stop signals cancel (the job then stops in order)."""
    loop = asyncio.get_running_loop()
    installed = []
    with anyio.CancelScope() as scope:

        def on_signal(signum: int) -> None:
            stopped_by.append(signum)
            scope.cancel()

        for sig in _STOP_SIGNALS:
            # Not in the main thread: the signal keeps its default.
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, on_signal, int(sig))
                installed.append(sig)
        try:
            yield scope
        finally:
            for sig in installed:
                loop.remove_signal_handler(sig)


def _summary(
    args: ShardedArgs,
    project_id: int,
    result: ShardedReport,
    stopped_by: list[int],
) -> ImportSummary:
    examples: list[tuple[str, str, str]] = []
    shown: dict[str, int] = {}
    for line in _report_lines(result.directory):
        item = json.loads(line)
        status = item["status"]
        if status != "registered" and shown.get(status, 0) < (
            EXAMPLES_PER_STATUS
        ):
            shown[status] = shown.get(status, 0) + 1
            examples.append((status, item["key"], item["error"] or ""))
    return ImportSummary(
        workspace=args.workspace,
        project_id=project_id,
        bucket=args.bucket,
        total=sum(s.keys for s in result.shards),
        report=result.report,
        report_path=args.report,
        journal_path=result.directory,
        examples=tuple(examples),
        signal=stopped_by[0] if stopped_by else None,
        failure=result.failure,
    )


def _report_lines(directory: Path | None) -> Iterator[str]:
    """Every shard's report lines, shard by shard: one line per key."""
    if directory is None:
        return
    for path in sorted((directory / "shards").glob("*.report.jsonl")):
        with path.open(encoding="utf-8") as lines:
            yield from lines
