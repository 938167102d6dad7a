"""
Running ``maiu-async analyze`` once its options are checked.

Reading the input (an ids file, an import report, or the project's
listing), the job with its signals, the report lines and the summary.

Strictly private.
"""

from __future__ import annotations

import json

from typing import TYPE_CHECKING, Any, Final

import attrs
import click

from maiu_async.bulk import AnalysisJob
from maiu_async.exceptions import MaiuError

from ._errors import EXIT_FAILURES, EXIT_OK, exit_for_signal
from ._importer import _signals
from ._options import CommandFailed


if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from maiu_async import MaiuClient
    from maiu_async.bulk import (
        AnalysisOutcome,
        AnalysisReport,
        AnalysisRequest,
        BulkOptions,
    )

    from ._reportfile import ReportFile


__all__ = [
    "Run",
    "exit_code",
    "read_input",
    "report_line",
    "run_analysis",
    "show",
    "summary",
]

#: Import statuses of a report line whose asset may be analysed.
_IMPORTED: Final = frozenset({None, "COMPLETED"})


def read_input(
    all_assets: bool,  # noqa: FBT001 -- a flag's value
    from_report: Path | None,
    ids_file: Path | None,
) -> list[int] | None:
    """
    The asset ids, read before anything is sent; ``None`` for ``--all``.
    """
    if sum([all_assets, from_report is not None, ids_file is not None]) != 1:
        raise click.UsageError(
            "pass exactly one of --all, --from-report and --asset-ids-file"
        )
    if from_report is not None:
        return read_import_report(from_report)
    if ids_file is not None:
        return read_ids_file(ids_file)
    return None


@attrs.frozen
class Run:
    # What a run ended with.
    report: AnalysisReport
    signal: int | None
    failure: MaiuError | None


def read_ids_file(path: Path) -> list[int]:
    """
    The asset ids of a file, one per line; blank lines are ignored.

    Strictly private.
    """
    ids: list[int] = []
    for number, line in enumerate(_lines(path), start=1):
        text = line.strip()
        if not text:
            continue
        if not (text.isascii() and text.isdigit()) or int(text) < 1:
            raise CommandFailed(
                f"{path}, line {number}: {text[:60]!r} is not an asset id "
                "(a positive integer)"
            )
        ids.append(int(text))
    return ids


def read_import_report(path: Path) -> list[int]:
    """
    The asset ids of an import report's registered (and imported) lines.

    Lines with an ``import_status`` count only when it is ``COMPLETED``.

    Strictly private.
    """
    ids: list[int] = []
    for number, line in enumerate(_lines(path), start=1):
        if not line.strip():
            continue
        try:
            entry: Any = json.loads(line)
        except ValueError:
            entry = None
        if not isinstance(entry, dict):
            raise CommandFailed(
                f"{path}, line {number}: not a JSON object of an import "
                "report (maiu-async import --report)"
            )
        asset_id = entry.get("asset_id")
        if (
            entry.get("status") == "registered"
            and isinstance(asset_id, int)
            and entry.get("import_status") in _IMPORTED
        ):
            ids.append(asset_id)
    return ids


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CommandFailed(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CommandFailed(f"{path} is not UTF-8 text") from None


def report_line(outcome: AnalysisOutcome) -> str:
    """
    One JSONL line of the per-asset report.

    Strictly private.
    """
    return (
        json.dumps(
            {
                "asset_id": outcome.asset_id,
                "status": outcome.status.value,
                "analyze_status": outcome.analyze_status,
                "index_id": outcome.index_id,
                "message": outcome.message,
                "error": outcome.error,
                "attempts": outcome.attempts,
                "resumed": outcome.resumed,
                "resolved": outcome.resolved,
            },
            ensure_ascii=False,
        )
        + "\n"
    )


async def _listed(
    client: MaiuClient, workspace: str, project_id: int
) -> AsyncIterator[int]:
    async for asset in client.assets.iterate(workspace, project_id):
        yield asset.asset_id


async def run_analysis(  # noqa: PLR0913 -- the command's parts
    client: MaiuClient,
    workspace: str,
    project: int | str,
    ids: list[int] | None,
    *,
    request: AnalysisRequest,
    options: BulkOptions,
    reanalyze: bool,
    out: ReportFile | None,
) -> Run:
    stopped_by: list[int] = []
    failure: MaiuError | None = None

    def on_result(outcome: AnalysisOutcome) -> None:
        if out is not None:
            out.write(report_line(outcome))

    async with client:
        project_id = await _project_id(client, workspace, project)
        job = AnalysisJob(
            client,
            workspace,
            project_id,
            _listed(client, workspace, project_id) if ids is None else ids,
            settings=request,
            options=options,
            reanalyze=reanalyze,
            imported_only=ids is None,
            on_result=on_result,
        )

        def on_signal(signum: int) -> None:
            stopped_by.append(signum)
            click.echo(
                "Stopping: no new request is sent; requests in flight "
                "settle and the journal is flushed.",
                err=True,
            )
            job.stop()

        with _signals(on_signal):
            try:
                report = await job.run()
            except MaiuError as exc:
                report = job.report()
                if not report.total:
                    raise
                failure = exc
    return Run(report, stopped_by[0] if stopped_by else None, failure)


async def _project_id(
    client: MaiuClient, workspace: str, project: int | str
) -> int:
    # An id as given; a name looked up.
    if isinstance(project, int):
        return project
    found = await client.projects.find(workspace, project)
    if found is None:
        raise CommandFailed(
            f"no project named {project!r} in workspace {workspace!r}"
        )
    return found.project_id


def exit_code(run: Run, *, wait: bool) -> int:
    report = run.report
    if run.signal is not None:
        return exit_for_signal(run.signal)
    bad = report.failed + report.unknown + report.not_attempted
    if wait:
        bad += report.analysis_failed + report.still_running
    return EXIT_FAILURES if bad else EXIT_OK


def summary(
    run: Run, journal: Path | None, report: Path | None
) -> dict[str, Any]:
    counts = attrs.asdict(run.report)
    counts["duration"] = round(run.report.duration, 3)
    return {
        **counts,
        "total": run.report.total,
        "journal": None if journal is None else str(journal),
        "report": None if report is None else str(report),
        "interrupted": run.signal is not None,
        "error": None if run.failure is None else str(run.failure),
    }


def show(run: Run, *, wait: bool) -> None:
    r = run.report
    lines = [
        "Analysis summary",
        (
            f"  requested      {r.requested} (resumed {r.resumed}, "
            f"resolved by status {r.resolved})"
        ),
        f"  skipped        {r.skipped}",
        f"  failed         {r.failed}",
        f"  unknown        {r.unknown}",
        f"  not attempted  {r.not_attempted}",
    ]
    if wait:
        lines.append(
            f"  analyses       completed {r.analyzed}, failed "
            f"{r.analysis_failed}, still running {r.still_running}"
        )
    lines.append(
        f"  requests {r.requests}, status reads {r.status_reads}, "
        f"retries {r.retries}, in {r.duration:.1f} s"
    )
    for line in lines:
        click.echo(line, err=True)
