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
import logging
import os
import shlex
import sys

from pathlib import Path
from typing import TYPE_CHECKING

import click

from maiu_async._retry import Verdict, verdict
from maiu_async.exceptions import MaiuError
from maiu_async.storage import ObjectStorageSource, StorageConfig

from ._errors import exit_for_signal
from ._importer import aiter_stream_keys, run_import
from ._keysfile import count_keys, iter_keys
from ._options import (
    PROG,
    CommandFailed,
    Settings,
    credentials,
    err,
)
from ._plain import PlainProgress, summary_lines
from ._storage import MissingSecret, s3_credentials


if TYPE_CHECKING:
    from collections.abc import (
        AsyncIterator,
        Callable,
        Iterable,
        Sequence,
    )

    from maiu_async import MaiuClient
    from maiu_async.bulk import BulkEvent, BulkOptions, Outcome, SkippedKey
    from maiu_async.storage import ListingStats

    from ._importer import ImportDisplay
    from ._output import Output, StderrLogHandler
    from ._reportfile import ReportFile
    from ._summary import ImportSummary


__all__ = [
    "count_keys_of",
    "import_keys",
    "resume_hint",
    "show_summary",
    "storage_config",
]

_log = logging.getLogger("maiu_async.cli")


class _QuietDisplay:
    """
    The display of ``--json`` and ``--quiet`` runs: notices on stderr.
    """

    interval: float | None = None

    def tick(self) -> None:
        """Nothing to show."""

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
    journal: Path | None,
    report: Path | None,
    argv: Sequence[str],
    *,
    failed: bool = False,
) -> str:
    """
    What to do after an interruption: the command to resume, if any.

    *failed*: a systemic failure stopped the import (fix it first).
    """
    command = shlex.join([PROG, *argv])
    if journal is not None:
        stdin = (
            " (feeding it the same keys on standard input)"
            if _reads_stdin(argv)
            else ""
        )
        first = "Once the cause below is fixed, to" if failed else "To"
        return (
            f"{first} resume, run the same command{stdin}; keys registered "
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


def show_summary(
    summary: ImportSummary,
    output: Output,
    *,
    as_json: bool,
    title: str = "Import summary",
) -> None:
    """
    Print an import's summary: JSON on stdout, or text on stderr.

    A table on a terminal, plain lines anywhere else; nothing with
    ``--quiet`` (but ``--json``).
    """
    if as_json:
        click.echo(json.dumps(summary.as_json()))
    elif output.quiet:
        return
    elif output.tty:
        # Rich only for a terminal (see LAZY_BOUNDARIES in the tests).
        from ._render import make_console, print_summary  # noqa: PLC0415

        print_summary(make_console(stderr=True), summary, title)
    else:
        for line in summary_lines(summary, title):
            click.echo(line, err=True)


#: Tries at creating the project of ``--create-project``.
_CREATE_ATTEMPTS = 3


async def _find_project(
    client: MaiuClient, workspace: str, name: str
) -> int | None:
    listed = await client.projects.list(workspace)
    for project in listed.projects:
        if project.name == name:
            return project.project_id
    return None


async def _resolve_project(
    client: MaiuClient, workspace: str, name: str, *, create: bool
) -> int:
    """
    The id of the project *name*; created with *create* if need be.

    Creating is not idempotent: after an answer that leaves it open
    whether the project was created (a 500, a lost answer) or a failure
    that never reached the server (a 503), the project is looked up
    first and created again only if it is not there.
    """
    found = await _find_project(client, workspace, name)
    if found is not None:
        return found
    if not create:
        raise CommandFailed(
            f"no project named {name!r} in workspace {workspace!r} "
            "(pass --create-project to create it, or --project-id)"
        )
    attempt = 0
    while True:
        attempt += 1
        try:
            return (await client.projects.create(workspace, name)).project_id
        except MaiuError as exc:
            if attempt >= _CREATE_ATTEMPTS or verdict(exc) not in (
                Verdict.RETRY,
                Verdict.AMBIGUOUS,
            ):
                raise
            _log.warning(
                "creating project %r failed (%s); looking it up before "
                "trying again",
                name,
                exc,
            )
        found = await _find_project(client, workspace, name)
        if found is not None:
            return found


def make_display(
    output: Output,
    total: int | None,
    stack: contextlib.ExitStack,
    log_handler: StderrLogHandler,
    *,
    as_json: bool = False,
) -> ImportDisplay:
    """
    The progress display of a run: a bar, plain lines, or nothing.

    On a terminal, log lines are printed above the bar until the run
    ends.
    """
    if as_json or output.quiet:
        return _QuietDisplay()
    if output.tty:
        from ._render import ImportProgress, make_console  # noqa: PLC0415

        bar = stack.enter_context(
            ImportProgress(make_console(stderr=True), total)
        )
        saved = log_handler.sink
        log_handler.sink = bar.log_line
        stack.callback(setattr, log_handler, "sink", saved)
        return bar
    plain = PlainProgress(_err_line, total, interval=output.progress_interval)
    stack.callback(plain.stop)
    return plain


def _err_line(line: str) -> None:
    click.echo(line, err=True)


async def import_keys(  # noqa: PLR0913 -- the command's options
    client: MaiuClient,
    *,
    settings: Settings,
    output: Output,
    log_handler: StderrLogHandler,
    workspace: str,
    project_id: int | None,
    project_name: str | None,
    create_project: bool,
    bucket: str,
    keys_file: Path | None,
    listing: tuple[str, StorageConfig] | None,
    total: int | None,
    options: BulkOptions,
    report: ReportFile | None,
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
            keys: Iterable[str | SkippedKey] | AsyncIterator[str | SkippedKey]
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
            display = make_display(
                output, total, stack, log_handler, as_json=as_json
            )

            def hard_exit(signum: int) -> None:
                _hard_exit(
                    display, report, options.journal, settings.argv, signum
                )

            return await run_import(
                client,
                workspace=workspace,
                project_id=project_id,
                bucket=bucket,
                keys=keys,
                total=total,
                options=options,
                report_file=report,
                report_path=None if report is None else report.path,
                display=display,
                hard_exit=hard_exit,
                listing=stats,
            )


def _hard_exit(
    display: object,
    report: ReportFile | None,
    journal: str | os.PathLike[str] | None,
    argv: Sequence[str],
    signum: int,
) -> None:
    """
    Quit at once on a second stop signal.

    The journal needs no flush: keys are durably reserved before they are
    sent, so a resume reconciles whatever was in flight.  The report has
    the keys settled so far.
    """
    stop = getattr(display, "stop", None)
    if stop is not None:
        stop()
    if report is not None:
        with contextlib.suppress(CommandFailed):
            report.commit()
    err("quit before requests in flight settled")
    click.echo(
        resume_hint(
            None if journal is None else Path(journal),
            None if report is None else report.path,
            argv,
        ),
        err=True,
    )
    sys.stderr.flush()
    sys.stdout.flush()
    os._exit(exit_for_signal(signum))
