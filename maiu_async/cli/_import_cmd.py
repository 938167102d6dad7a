"""
``maiu-async import``: its options, their checks, and the run.

The running itself (key sources, progress, report, resume hint) is in
``_import_run``.

Strictly private.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import click

from maiu_async import limits
from maiu_async._credentials import (
    ENV_S3_ACCESS_KEY,
    ENV_S3_ENDPOINT,
    ENV_S3_REGION,
    ENV_S3_SECRETS,
)
from maiu_async.bulk import BulkOptions, PollPolicy

from ._dryrun import run_dry_run, run_keys_dry_run
from ._import_run import (
    count_keys_of,
    import_keys,
    resume_hint,
    show_summary,
    storage_config,
)
from ._options import (
    Settings,
    connection_options,
    make_client,
    pacing_options,
    run_async,
    wait_policy,
)
from ._output import current_output, output_options
from ._reportfile import report_file


if TYPE_CHECKING:
    from maiu_async.storage import StorageConfig


__all__ = ["import_"]


@click.command("import")
@click.option(
    "--workspace",
    "-w",
    metavar="NAME",
    help="Workspace (required unless --dry-run).",
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
    "--create-project",
    is_flag=True,
    help="With --project: create the project if it does not exist.",
)
@click.option(
    "--bucket",
    required=True,
    metavar="BUCKET",
    help="Object Storage bucket holding the keys.",
)
@click.option(
    "--keys-file",
    type=click.Path(
        exists=True, dir_okay=False, allow_dash=True, path_type=Path
    ),
    metavar="FILE",
    help="One key per line; '-' reads standard input.",
)
@click.option(
    "--prefix",
    metavar="PREFIX",
    help=(
        "Instead of a keys file: list the bucket and register every "
        "object whose key starts with PREFIX (e.g. 'videos/2026/'), at "
        "any depth."
    ),
)
@click.option(
    "--whole-bucket",
    is_flag=True,
    help="Instead of a keys file: list and register the whole bucket.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help=(
        "Print what would be registered and what would be skipped (with "
        "counts per reason); send nothing. A keys file is checked offline, "
        "without credentials; a prefix is listed."
    ),
)
@click.option(
    "--s3-endpoint",
    metavar="URL",
    envvar=ENV_S3_ENDPOINT,
    default=limits.OBJECT_STORAGE_ENDPOINT,
    show_default=True,
    show_envvar=True,
    help="Object Storage endpoint to list.",
)
@click.option(
    "--s3-region",
    metavar="NAME",
    envvar=ENV_S3_REGION,
    default=limits.OBJECT_STORAGE_REGION,
    show_default=True,
    show_envvar=True,
    help="Its region name.",
)
@click.option(
    "--s3-access-key",
    metavar="KEY",
    envvar=ENV_S3_ACCESS_KEY,
    show_envvar=True,
    help=(
        "Object Storage access key. Default: the same NCP keys as the API. "
        "Its secret is read only from "
        + " or ".join(f"${name}" for name in ENV_S3_SECRETS)
        + "."
    ),
)
@pacing_options
@click.option(
    "--reconcile-delay",
    type=click.FloatRange(min=0),
    metavar="S",
    help=(
        "Seconds to wait before looking up keys whose answer was lost "
        "(default: the request timeout plus one second, so that a request "
        "still on its way lands first)."
    ),
)
@click.option(
    "--wait",
    is_flag=True,
    help=(
        "After registering each key, poll its import status until the "
        "import ends (COMPLETED, FAILED, FILE_NOT_EXIST, INVALID_METADATA)."
    ),
)
@click.option(
    "--wait-timeout",
    type=click.FloatRange(min=0),
    metavar="S",
    help=(
        "With --wait: seconds to wait for each key's import, from its "
        f"registration (default {PollPolicy().timeout:g}); keys still "
        "importing then are reported IN_PROGRESS."
    ),
)
@click.option(
    "--skip-existing",
    is_flag=True,
    help=(
        "Sync run: read the project's asset list once first and skip "
        "the keys it already has ('already in the project'), unsent."
    ),
)
@click.option(
    "--journal",
    type=click.Path(path_type=Path),
    metavar="PATH",
    help=(
        "Crash-safe journal; rerun with the same one to resume. With "
        "--workers or --scheduler: the job directory."
    ),
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PATH",
    help="Write one JSON object per key (JSONL) to PATH.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the summary as one JSON object on stdout; no progress bar.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    metavar="N",
    help=(
        "Shard the import over a local Dask cluster of N worker "
        "processes, under one rate budget (needs the 'dask' extra)."
    ),
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Shard the import over the Dask cluster at ADDRESS instead.",
)
@click.option(
    "--shard-size",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="With --workers or --scheduler: keys per shard, about.",
)
@output_options
@connection_options
@click.pass_obj
def import_(  # noqa: C901, PLR0913 -- one parameter per option, a branch per mode
    settings: Settings,
    *,
    workspace: str | None,
    project_id: int | None,
    project_name: str | None,
    create_project: bool,
    bucket: str,
    keys_file: Path | None,
    prefix: str | None,
    whole_bucket: bool,
    dry_run: bool,
    s3_endpoint: str,
    s3_region: str,
    s3_access_key: str | None,
    concurrency: int,
    rate: float | None,
    reconcile_delay: float | None,
    wait: bool,
    wait_timeout: float | None,
    skip_existing: bool,
    journal: Path | None,
    report: Path | None,
    as_json: bool,
    workers: int | None,
    scheduler: str | None,
    shard_size: int,
) -> int:
    """
    Register every key of a keys file, or of a bucket prefix, as assets.

    The keys file has one Object Storage key per line (UTF-8). The line
    end (LF or CRLF) is removed and nothing else; blank lines are ignored.
    Keys that cannot be registered (folders such as 'videos/2026/',
    unsupported extensions such as 'notes.txt') and repeated keys are
    skipped: never sent, and listed in the report.

    With --prefix (or --whole-bucket) the keys come from listing the
    bucket instead, page by page as the import goes (needs the 's3'
    extra). Objects over the documented size limits (video 10 GB, image
    10 MB) and empty ones are skipped too, from the sizes listed. Add
    --dry-run to see what would be registered and skipped first.

    Ctrl-C, SIGTERM and SIGHUP stop in order: no new key is sent,
    requests in flight settle, the journal and the report are flushed,
    and the command to resume is printed. Use --journal for large
    imports: rerunning with the same journal does each key exactly once.
    For a daily import of a growing prefix without the old journal, add
    --skip-existing: keys already in the project are not sent again.

    Progress, summaries and log lines go to stderr (a live bar on a
    terminal, a plain line every --progress-interval seconds elsewhere);
    --json puts the summary on stdout. The --report file is replaced
    only when the run ends: a refused run leaves it as it was.

    \b
    Exit status:
      0    every valid key is registered or already in the project
           (skipped keys are not failures); with --wait, and every import
           ended COMPLETED
      1    some keys failed or their fate is unknown (see --report); with
           --wait, also when an import did not end COMPLETED
      2    usage, keys-file or credential error; no such workspace/project
      3    service or network error
      4    nothing to register: no key of the input could be sent
      129  stopped by SIGHUP (the resume command is printed)
      130  interrupted by Ctrl-C (the resume command is printed)
      143  stopped by SIGTERM (the resume command is printed)
    """  # noqa: D301 -- \b is click's "do not rewrap" marker
    output = current_output()
    _refuse_same_files(keys_file, journal, report)
    listing: tuple[str, StorageConfig] | None = None
    listed_prefix = _listing_prefix(keys_file, prefix, whole_bucket)
    _refuse_dry_sync(dry_run=dry_run, skip_existing=skip_existing)
    if dry_run and keys_file is not None:
        return run_keys_dry_run(keys_file, report, output, as_json=as_json)
    if listed_prefix is not None:
        storage = storage_config(
            settings, s3_endpoint, s3_region, s3_access_key
        )
        if dry_run:
            return run_dry_run(
                bucket, listed_prefix, storage, report, output, as_json=as_json
            )
        listing = (listed_prefix, storage)
    if workspace is None:
        raise click.UsageError("Missing option '--workspace' / '-w'.")
    if (project_id is None) == (project_name is None):
        raise click.UsageError(
            "pass exactly one of --project-id and --project"
        )
    if create_project and project_name is None:
        raise click.UsageError("--create-project goes with --project NAME")
    from_stdin = str(keys_file) == "-"
    total = (
        None if keys_file is None or from_stdin else count_keys_of(keys_file)
    )
    options = BulkOptions(
        concurrency=concurrency,
        rate=rate,
        journal=journal,
        skip_existing=skip_existing,
    )
    options = attrs.evolve(options, wait=wait_policy(wait, wait_timeout))
    if reconcile_delay is not None and options.reconcile is not None:
        options = attrs.evolve(
            options,
            reconcile=attrs.evolve(options.reconcile, delay=reconcile_delay),
        )
    if workers is not None or scheduler is not None:
        from ._distributed_cmd import (  # noqa: PLC0415 -- the dask extra
            ShardedArgs,
            run_sharded,
        )

        return run_sharded(
            settings,
            output,
            ShardedArgs(
                workspace=workspace,
                project_id=project_id,
                project_name=project_name,
                create_project=create_project,
                bucket=bucket,
                keys_file=keys_file,
                listing=listing,
                options=options,
                journal=journal,
                report=report,
                as_json=as_json,
                workers=workers,
                scheduler=scheduler,
                shard_size=shard_size,
            ),
        )
    client = make_client(settings, concurrency)
    with output.logging() as log_handler, report_file(report) as out_file:
        summary = run_async(
            lambda: import_keys(
                client,
                settings=settings,
                output=output,
                log_handler=log_handler,
                workspace=workspace,
                project_id=project_id,
                project_name=project_name,
                create_project=create_project,
                bucket=bucket,
                keys_file=None if from_stdin else keys_file,
                listing=listing,
                total=total,
                options=options,
                report=out_file,
                as_json=as_json,
            )
        )
    show_summary(summary, output, as_json=as_json)
    if summary.interrupted or (
        summary.failure is not None
        and (journal is not None or summary.report.registered)
    ):
        click.echo(
            resume_hint(
                journal,
                report,
                settings.argv,
                failed=summary.failure is not None,
            ),
            err=True,
        )
    if summary.failure is not None:
        # The one-line error, and its exit code, as for any failure.
        raise summary.failure
    return summary.exit_code


def _refuse_dry_sync(*, dry_run: bool, skip_existing: bool) -> None:
    if dry_run and skip_existing:
        raise click.UsageError(
            "--dry-run does not read the project, so it cannot tell which "
            "keys --skip-existing would skip: drop one of them"
        )


def _refuse_same_files(
    keys_file: Path | None, journal: Path | None, report: Path | None
) -> None:
    """
    Refuse a ``--report`` that is the journal or the keys file.

    The report replaces its path at the end of the run: the journal (or
    the input) would be lost.
    """
    if report is None:
        return
    for other, option in ((journal, "--journal"), (keys_file, "--keys-file")):
        if other is not None and str(other) != "-" and _same(report, other):
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


def _listing_prefix(
    keys_file: Path | None,
    prefix: str | None,
    whole_bucket: bool,  # noqa: FBT001 -- a click flag
) -> str | None:
    """
    The prefix to list, or ``None`` when the keys come from a file.
    """
    given = [keys_file is not None, prefix is not None, whole_bucket]
    if sum(given) != 1:
        raise click.UsageError(
            "pass exactly one of --keys-file, --prefix and --whole-bucket"
        )
    if prefix == "":
        # An empty variable must not turn into "import everything".
        raise click.UsageError(
            "--prefix is empty; pass --whole-bucket to list the whole bucket"
        )
    if keys_file is not None:
        return None
    return prefix or ""
