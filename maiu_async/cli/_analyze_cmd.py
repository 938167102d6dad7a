"""
``maiu-async analyze``: request (and wait for) the analysis of assets.

A thin consumer of `maiu_async.bulk.AnalysisJob`: the assets come from
the project's listing (``--all``), an import report (``--from-report``)
or a file of ids (``--asset-ids-file``), all read before anything is
sent; outcomes go to the JSONL report; the summary to stderr (or stdout
with ``--json``).

Strictly private.
"""

from __future__ import annotations

import json
import shlex

from pathlib import Path
from typing import Any

import attrs
import click

from maiu_async import limits
from maiu_async.bulk import AnalysisRequest, BulkOptions, PollPolicy

from ._analyze_run import (
    exit_code,
    read_input,
    run_analysis,
    show,
    summary,
)
from ._options import (
    PROG,
    Settings,
    connection_options,
    make_client,
    pacing_options,
    run_async,
    wait_policy,
)
from ._reportfile import report_file


__all__ = ["analyze"]


@click.command("analyze")
@click.option(
    "--workspace", "-w", required=True, metavar="NAME", help="Workspace."
)
@click.option(
    "--project-id",
    type=click.IntRange(min=1),
    metavar="ID",
    help="The project's id.",
)
@click.option(
    "--project",
    "project_name",
    metavar="NAME",
    help="The project's name, looked up in the workspace.",
)
@click.option(
    "--all",
    "all_assets",
    is_flag=True,
    help="Every asset of the project whose import is COMPLETED.",
)
@click.option(
    "--from-report",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help=(
        "The assets of an import report (import --report): its registered "
        "lines, and only COMPLETED ones where it has import statuses."
    ),
)
@click.option(
    "--asset-ids-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="One asset id per line.",
)
@click.option(
    "--person-count",
    required=True,
    type=click.IntRange(
        limits.ANALYSIS_PERSON_COUNT_MIN, limits.ANALYSIS_PERSON_COUNT_MAX
    ),
    metavar="N",
    help="Persons to analyse, 0 to 10 (0 skips person analysis).",
)
@click.option(
    "--scene-range",
    type=click.Choice(limits.SCENE_RANGES),
    help="Scene length, for videos (the API's default: MEDIUM).",
)
@click.option(
    "--reanalyze",
    is_flag=True,
    help="Analyse again assets analysed already (skipped by default).",
)
@click.option(
    "--wait",
    is_flag=True,
    help="Poll each analysis until it ends; report its index id.",
)
@click.option(
    "--wait-timeout",
    type=click.FloatRange(min=0),
    metavar="S",
    help=(
        "With --wait: seconds to wait for each analysis, from its request "
        f"(default {PollPolicy().timeout:g})."
    ),
)
@pacing_options
@click.option(
    "--reconcile-delay",
    type=click.FloatRange(min=0),
    metavar="S",
    help=(
        "Seconds to wait before reading the analysis status of an asset "
        "whose request's answer was lost."
    ),
)
@click.option(
    "--journal",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PATH",
    help="Crash-safe journal; rerun with the same one to resume.",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PATH",
    help="Write one JSON object per asset (JSONL) to PATH.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the summary as JSON."
)
@connection_options
@click.pass_obj
def analyze(  # noqa: PLR0913 -- one parameter per option
    settings: Settings,
    *,
    workspace: str,
    project_id: int | None,
    project_name: str | None,
    all_assets: bool,
    from_report: Path | None,
    asset_ids_file: Path | None,
    person_count: int,
    scene_range: Any,  # noqa: ANN401 -- one of limits.SCENE_RANGES
    reanalyze: bool,
    wait: bool,
    wait_timeout: float | None,
    concurrency: int,
    rate: float | None,
    reconcile_delay: float | None,
    journal: Path | None,
    report: Path | None,
    as_json: bool,
) -> int:
    """
    Request the analysis of many assets, each at most once.

    Each asset's analysis status is read first: assets being analysed,
    or analysed already (unless --reanalyze), are skipped. A request
    whose answer is lost is never sent again blindly: the asset's
    analysis status tells whether it started. Use --journal: rerunning
    with it resumes, resolving what a killed run may have sent first.

    \b
    Exit status:
      0    every asset is requested or skipped; with --wait, every
           analysis ended ANALYZE_COMPLETED
      1    some assets failed, their fate is unknown, or they were not
           attempted; with --wait, also an analysis that failed or had
           not ended when waiting ended
      2    usage, input or credential error; no such workspace/project
      3    service or network error
      130  interrupted by Ctrl-C; 143: SIGTERM (rerun with the journal)
    """  # noqa: D301 -- \b is click's "do not rewrap" marker
    if (project_id is None) == (project_name is None):
        raise click.UsageError(
            "pass exactly one of --project-id and --project"
        )
    ids = read_input(all_assets, from_report, asset_ids_file)
    _check_files(report, from_report, journal)
    options = BulkOptions(
        concurrency=concurrency,
        rate=rate,
        journal=journal,
        wait=wait_policy(wait, wait_timeout),
    )
    if reconcile_delay is not None and options.reconcile is not None:
        options = attrs.evolve(
            options,
            reconcile=attrs.evolve(options.reconcile, delay=reconcile_delay),
        )
    request = AnalysisRequest(
        person_count=person_count, scene_range=scene_range
    )
    client = make_client(settings, concurrency)
    with report_file(report) as out:
        run = run_async(
            lambda: run_analysis(
                client,
                workspace,
                project_id or project_name or "",
                ids,
                request=request,
                options=options,
                reanalyze=reanalyze,
                out=out,
            )
        )
    if as_json:
        click.echo(json.dumps(summary(run, journal, report)))
    else:
        show(run, wait=wait)
    if run.signal is not None or run.failure is not None:
        command = shlex.join([PROG, *settings.argv])
        hint = (
            f"To resume, run the same command:\n  {command}"
            if journal is not None
            else "Pass --journal PATH to make a run resumable."
        )
        click.echo(hint, err=True)
    if run.failure is not None:
        raise run.failure
    return exit_code(run, wait=wait)


def _check_files(
    report: Path | None, from_report: Path | None, journal: Path | None
) -> None:
    # The report replaces its path at the end: never the input or journal.
    for path, option in (
        (from_report, "--from-report"),
        (journal, "--journal"),
    ):
        if report is not None and path is not None and _same(report, path):
            raise click.UsageError(
                f"--report {str(report)!r} is the same file as {option}; "
                "the report would overwrite it"
            )


def _same(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return a.samefile(b)
    except OSError:
        return False  # one of them does not exist yet
