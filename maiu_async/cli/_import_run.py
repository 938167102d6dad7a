"""
Running ``maiu-async import`` once its options are checked.

Where the keys come from (a keys file, standard input, a pipe or a bucket
listing), what shows progress, the report file, the dry run, and what to
print when the import is interrupted.

Strictly private.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import sys

from typing import TYPE_CHECKING

import click

from maiu_async.storage import ObjectStorageSource, StorageConfig

from ._errors import EXIT_INTERRUPTED, EXIT_OK
from ._importer import aiter_stream_keys, run_import
from ._keysfile import count_keys, iter_keys
from ._options import (
    PROG,
    CommandFailed,
    Settings,
    credentials,
    err,
    run_async,
)
from ._render import ImportProgress, make_console, print_dry_run
from ._storage import MissingSecret, s3_credentials
from ._storage import dry_run as list_and_filter


if TYPE_CHECKING:
    from collections.abc import (
        AsyncIterator,
        Callable,
        Iterable,
        Iterator,
        Sequence,
    )
    from pathlib import Path
    from typing import TextIO

    from maiu_async import MaiuClient
    from maiu_async.bulk import BulkEvent, Outcome, SkippedKey
    from maiu_async.storage import ListingStats

    from ._importer import ImportDisplay, ImportSummary


__all__ = [
    "count_keys_of",
    "import_keys",
    "report_file",
    "resume_hint",
    "run_dry_run",
    "storage_config",
]


class _QuietDisplay:
    """
    The display of ``--json`` runs: no bar, notices on stderr.
    """

    def outcome(self, outcome: Outcome) -> None:
        """Ignore."""

    def event(self, event: BulkEvent) -> None:
        """Ignore."""

    def notice(self, text: str) -> None:
        """Print *text* on stderr."""
        err(text)

    def stop(self) -> None:
        """Nothing to stop."""


def resume_hint(
    journal: Path | None, report: Path | None, argv: Sequence[str]
) -> str:
    """
    What to do after an interruption: the command to resume, if any.
    """
    command = shlex.join([PROG, *argv])
    if journal is not None:
        stdin = (
            " (feeding it the same keys on standard input)"
            if _reads_stdin(argv)
            else ""
        )
        return (
            f"To resume, run the same command{stdin}; keys registered "
            "already are not sent again, and keys that may have been sent "
            f"are looked up first:\n  {command}"
        )
    listed = f" ({report} lists them)" if report is not None else ""
    return (
        "This import had no --journal, so it cannot be resumed exactly: "
        "rerunning it would register the keys done so far a second "
        f"time{listed}. Pass --journal PATH to make an import resumable."
    )


def _reads_stdin(argv: Sequence[str]) -> bool:
    for i, arg in enumerate(argv):
        if arg == "--keys-file=-" or (
            arg == "--keys-file" and argv[i + 1 : i + 2] == ["-"]
        ):
            return True
    return False


def count_keys_of(path: Path) -> int | None:
    """
    Count the keys of a regular file; ``None`` for a pipe or a device.
    """
    try:
        return count_keys(path) if path.is_file() else None
    except OSError as exc:
        raise CommandFailed(f"cannot read {path}: {exc.strerror}") from None


@contextlib.contextmanager
def report_file(path: Path | None) -> Iterator[TextIO | None]:
    """
    Open the ``--report`` file, line-buffered, if one is asked for.
    """
    if path is None:
        yield None
        return
    try:
        f = path.open("w", encoding="utf-8", buffering=1)
    except OSError as exc:
        raise CommandFailed(
            f"cannot write the report {path}: {exc.strerror}"
        ) from None
    with f:
        yield f


def storage_config(
    settings: Settings,
    endpoint: str,
    region: str,
    access_key: str | None,
) -> StorageConfig:
    """
    Where to list, with which keys.
    """
    try:
        found = s3_credentials(
            access_key, lambda: credentials(settings.access_key)
        )
    except MissingSecret as exc:
        raise CommandFailed(str(exc)) from None
    return StorageConfig(endpoint=endpoint, region=region, credentials=found)


def run_dry_run(
    bucket: str,
    prefix: str,
    storage: StorageConfig,
    report: Path | None,
    *,
    as_json: bool,
) -> int:
    """
    List and filter a bucket prefix; print the verdicts; send nothing.
    """
    with report_file(report) as out_file:
        try:
            summary = run_async(
                lambda: list_and_filter(
                    bucket=bucket,
                    prefix=prefix,
                    config=storage,
                    out=None if as_json else sys.stdout,
                    report_file=out_file,
                    report_path=report,
                )
            )
        except BrokenPipeError:
            # The reader has gone (`... --dry-run | head`): stop there,
            # quietly, and keep the interpreter's final flush from failing.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_OK
    if as_json:
        click.echo(json.dumps(summary.as_json()))
    else:
        sys.stdout.flush()

        print_dry_run(make_console(stderr=True), summary)
    return EXIT_OK


async def _resolve_project(
    client: MaiuClient, workspace: str, name: str, *, create: bool
) -> int:
    listed = await client.projects.list(workspace)
    for project in listed.projects:
        if project.name == name:
            return project.project_id
    if not create:
        raise CommandFailed(
            f"no project named {name!r} in workspace {workspace!r} "
            "(pass --create-project to create it, or --project-id)"
        )
    return (await client.projects.create(workspace, name)).project_id


async def import_keys(  # noqa: PLR0913 -- the command's options
    client: MaiuClient,
    *,
    settings: Settings,
    workspace: str,
    project_id: int | None,
    project_name: str | None,
    create_project: bool,
    bucket: str,
    keys_file: Path | None,
    listing: tuple[str, StorageConfig] | None,
    total: int | None,
    concurrency: int,
    rate: float | None,
    journal: Path | None,
    report_file: TextIO | None,
    report: Path | None,
    as_json: bool,
) -> ImportSummary:
    """
    Open the client and the key source, then run the import.

    *keys_file* ``None`` without a *listing* reads standard input.
    """
    async with client, contextlib.AsyncExitStack() as astack:
        if project_id is None:
            assert project_name is not None  # noqa: S101 -- checked before
            project_id = await _resolve_project(
                client, workspace, project_name, create=create_project
            )
        with contextlib.ExitStack() as stack:
            keys: Iterable[str] | AsyncIterator[str | SkippedKey]
            stats: Callable[[], ListingStats] | None = None
            if listing is not None:
                prefix, storage = listing
                source = await astack.enter_async_context(
                    ObjectStorageSource(bucket, prefix, config=storage)
                )
                keys = source.keys()

                def stats() -> ListingStats:
                    return source.stats

            elif keys_file is None:
                keys = aiter_stream_keys(sys.stdin.fileno(), "<stdin>")
            elif total is None:
                # A pipe (`--keys-file <(cmd)`) is read like stdin.
                keys = aiter_stream_keys(keys_file, str(keys_file))
            else:
                try:
                    stream = stack.enter_context(keys_file.open("rb"))
                except OSError as exc:
                    raise CommandFailed(
                        f"cannot read {keys_file}: {exc.strerror}"
                    ) from None
                keys = iter_keys(stream, str(keys_file))
            display: ImportDisplay
            if as_json:
                display = _QuietDisplay()
            else:
                display = stack.enter_context(
                    ImportProgress(make_console(stderr=True), total)
                )

            def hard_exit() -> None:
                _hard_exit(
                    display, report_file, journal, report, settings.argv
                )

            return await run_import(
                client,
                workspace=workspace,
                project_id=project_id,
                bucket=bucket,
                keys=keys,
                total=total,
                concurrency=concurrency,
                rate=rate,
                journal=journal,
                report_file=report_file,
                report_path=report,
                display=display,
                hard_exit=hard_exit,
                listing=stats,
            )


def _hard_exit(
    display: object,
    report_file: TextIO | None,
    journal: Path | None,
    report: Path | None,
    argv: Sequence[str],
) -> None:
    """
    Quit at once on a second Ctrl-C.

    The journal needs no flush: keys are durably reserved before they are
    sent, so a resume reconciles whatever was in flight.
    """
    stop = getattr(display, "stop", None)
    if stop is not None:
        stop()
    if report_file is not None:
        report_file.flush()
    err("quit before requests in flight settled")
    click.echo(resume_hint(journal, report, argv), err=True)
    sys.stderr.flush()
    sys.stdout.flush()
    os._exit(EXIT_INTERRUPTED)
