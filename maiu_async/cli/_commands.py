"""
The click application: ``maiu-async`` and its commands.

Every command returns its exit status; `run` turns every expected error
into one line on stderr and a stable exit code (see ``_errors``), so no
traceback is shown for anything but a bug.

Strictly private.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shlex
import sys

from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs
import click

from maiu_async import ConnectionLimits, Credentials, MaiuClient, limits
from maiu_async.exceptions import MaiuError

from ._errors import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    describe,
    one_line,
)
from ._keysfile import KeysFileError, count_keys, iter_keys


if TYPE_CHECKING:
    from collections.abc import (
        AsyncIterator,
        Awaitable,
        Callable,
        Iterable,
        Iterator,
        Sequence,
    )
    from typing import TextIO

    from attrs import AttrsInstance

    from maiu_async.bulk import BulkEvent, Outcome, SkippedKey
    from maiu_async.storage import ListingStats, StorageConfig

    from ._importer import ImportDisplay, ImportSummary


__all__ = ["cli", "run"]

PROG: Final = "maiu-async"
_CONTEXT: Final = {
    "help_option_names": ["-h", "--help"],
    "max_content_width": 100,
}
# The ncloud variable pairs MaiuClient reads (see maiu_async._credentials).
_ENV_PAIRS: Final = (
    ("NCLOUD_ACCESS_KEY_ID", "NCLOUD_SECRET_ACCESS_KEY"),
    ("NCLOUD_ACCESS_KEY", "NCLOUD_SECRET_KEY"),
)

T = TypeVar("T")
F = TypeVar("F", bound="Callable[..., Any]")


class CommandFailed(Exception):
    """
    An expected failure outside the SDK: one line, one exit code.

    Strictly private.
    """

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        self.exit_code = exit_code
        super().__init__(message)


@attrs.define
class Settings:
    """
    Options shared by every command; ``ctx.obj``.

    Strictly private.
    """

    argv: list[str] = attrs.Factory(list)
    endpoint: str | None = None
    access_key: str | None = None


def _version() -> str:
    try:
        return version("maiu-async")
    except PackageNotFoundError:  # pragma: no cover -- run from a checkout
        return "unknown"


def _err(message: str) -> None:
    click.echo(f"{PROG}: {message}", err=True)


# -- running ------------------------------------------------------------


def _unwrap(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """
    The error to report for an exception group out of a task group.

    Its first leaf if every leaf is an expected error, else the group
    itself (a bug: its traceback is worth seeing).
    """
    leaves: list[BaseException] = []
    pending: list[BaseException] = [group]
    while pending:
        exc = pending.pop(0)
        if isinstance(exc, BaseExceptionGroup):
            pending[:0] = exc.exceptions
        else:
            leaves.append(exc)
    expected = (MaiuError, CommandFailed, KeysFileError, KeyboardInterrupt)
    if leaves and all(isinstance(leaf, expected) for leaf in leaves):
        return leaves[0]
    return group


def run(args: Sequence[str]) -> int:
    """
    Run the command line *args*; return the exit status.

    Strictly private.
    """
    settings = Settings(argv=list(args))
    try:
        try:
            rv = cli.main(
                list(args),
                prog_name=PROG,
                standalone_mode=False,
                obj=settings,
            )
        except BaseExceptionGroup as group:
            raise _unwrap(group) from None
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.format_message(), err=True)
        return exc.exit_code
    except click.ClickException as exc:
        _err(_usage_line(exc))
        return exc.exit_code
    except (click.Abort, KeyboardInterrupt):
        _err("interrupted")
        return EXIT_INTERRUPTED
    except MaiuError as exc:
        code, message = describe(exc)
        _err(message)
        return code
    except (CommandFailed, KeysFileError) as exc:
        _err(one_line(str(exc)))
        return getattr(exc, "exit_code", EXIT_USAGE)
    return rv if isinstance(rv, int) else EXIT_OK


def _usage_line(exc: click.ClickException) -> str:
    message = one_line(exc.format_message())
    ctx = getattr(exc, "ctx", None)
    if isinstance(ctx, click.Context):
        return f"{message} (see '{ctx.command_path} --help')"
    return message


def _run_async(make: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await make()

    return asyncio.run(main())


# -- shared options -------------------------------------------------------


def _set_endpoint(
    ctx: click.Context, _param: click.Parameter, value: str | None
) -> None:
    if value is not None:
        ctx.ensure_object(Settings).endpoint = value


def _set_access_key(
    ctx: click.Context, _param: click.Parameter, value: str | None
) -> None:
    if value is not None:
        ctx.ensure_object(Settings).access_key = value


def _connection_options(f: F) -> F:
    """
    Add ``--endpoint`` and ``--access-key`` to a command.

    Strictly private.
    """
    f = click.option(
        "--access-key",
        metavar="KEY",
        expose_value=False,
        callback=_set_access_key,
        help=(
            "NCP access key id. Its secret is read only from "
            "$NCLOUD_SECRET_ACCESS_KEY, $NCLOUD_SECRET_KEY or "
            "~/.ncloud/configure; no option takes a secret, since command "
            "lines are visible to other users."
        ),
    )(f)
    return click.option(
        "--endpoint",
        metavar="URL",
        expose_value=False,
        callback=_set_endpoint,
        help=(
            "API base URL. Default: $MAIU_ENDPOINT, else the real API "
            "(https://mi.apigw.ntruss.com)."
        ),
    )(f)


def _credentials(access_key: str | None) -> Credentials:
    """
    Resolve credentials, pairing ``--access-key`` with a stored secret.

    Strictly private.
    """
    if access_key is None:
        return Credentials.from_environment()
    env = dict(os.environ)
    for access_name, _secret_name in _ENV_PAIRS:
        env[access_name] = access_key
    found = Credentials.from_environment(env)
    return Credentials(access_key, found.secret_key)


def _client(settings: Settings, concurrency: int | None = None) -> MaiuClient:
    # A pool smaller than the concurrency makes requests queue for a
    # connection, and aiohttp counts that wait against the connect
    # timeout: at high latency keys would fail with "timed out
    # connecting" for no fault of the server.
    limits = (
        None
        if concurrency is None
        else ConnectionLimits(
            max_connections=max(
                ConnectionLimits().max_connections, concurrency
            )
        )
    )
    return MaiuClient(
        _credentials(settings.access_key),
        endpoint=settings.endpoint,
        limits=limits,
    )


def _jsonable(obj: AttrsInstance) -> dict[str, Any]:
    def serialize(_inst: object, _field: object, value: object) -> object:
        return value.isoformat() if isinstance(value, datetime) else value

    return attrs.asdict(obj, value_serializer=serialize)


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


# -- the group ------------------------------------------------------------


@click.group(context_settings=_CONTEXT)
@click.version_option(
    _version(), "--version", prog_name=PROG, message="%(prog)s %(version)s"
)
@_connection_options
def cli() -> None:
    """
    Bulk-register media with NAVER Cloud's Media Intelligence API.

    No account yet? `maiu-async demo` runs an import against a local
    emulator in a few seconds.

    Credentials come from $NCLOUD_ACCESS_KEY_ID and
    $NCLOUD_SECRET_ACCESS_KEY, else $NCLOUD_ACCESS_KEY and
    $NCLOUD_SECRET_KEY, else the ncloud CLI file ~/.ncloud/configure.
    Secrets are never accepted as arguments and never printed.

    \b
    Exit status:
      0    done
      1    some keys failed or their fate is unknown
      2    usage, input or credential error; no such workspace or project
      3    service or network error
      130  interrupted
    """  # noqa: D301 -- \b is click's "do not rewrap" marker


# -- import -----------------------------------------------------------------


class _QuietDisplay:
    """
    The display of ``--json`` runs: no bar, notices on stderr.

    Strictly private.
    """

    def outcome(self, outcome: Outcome) -> None:
        """Ignore."""

    def event(self, event: BulkEvent) -> None:
        """Ignore."""

    def notice(self, text: str) -> None:
        """Print *text* on stderr."""
        _err(text)

    def stop(self) -> None:
        """Nothing to stop."""


def _resume_hint(
    journal: Path | None, report: Path | None, argv: Sequence[str]
) -> str:
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


def _count_keys(path: Path) -> int | None:
    """
    Count the keys of a regular file; ``None`` for a pipe or a device.

    Strictly private.
    """
    try:
        return count_keys(path) if path.is_file() else None
    except OSError as exc:
        raise CommandFailed(f"cannot read {path}: {exc.strerror}") from None


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


@contextlib.contextmanager
def _report_file(path: Path | None) -> Iterator[TextIO | None]:
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


@cli.command("import")
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
        "With --prefix or --whole-bucket: list what would be registered "
        "and what would be skipped (with counts per reason); send nothing."
    ),
)
@click.option(
    "--s3-endpoint",
    metavar="URL",
    envvar="MAIU_S3_ENDPOINT",
    default=limits.OBJECT_STORAGE_ENDPOINT,
    show_default=True,
    help="Object Storage endpoint to list (env: MAIU_S3_ENDPOINT).",
)
@click.option(
    "--s3-region",
    metavar="NAME",
    envvar="MAIU_S3_REGION",
    default=limits.OBJECT_STORAGE_REGION,
    show_default=True,
    help="Its region name (env: MAIU_S3_REGION).",
)
@click.option(
    "--s3-access-key",
    metavar="KEY",
    envvar="MAIU_S3_ACCESS_KEY",
    help=(
        "Object Storage access key (env: MAIU_S3_ACCESS_KEY). Default: the "
        "same NCP keys as the API. Its secret is read only from "
        "$MAIU_S3_SECRET_KEY or $AWS_SECRET_ACCESS_KEY."
    ),
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 1024),
    default=64,
    show_default=True,
    help="Requests in flight at most.",
)
@click.option(
    "--rate",
    type=click.FloatRange(min=0, min_open=True),
    metavar="RPS",
    help="Ceiling on requests per second (429s lower the pace anyway).",
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
    help="Write one JSON object per key (JSONL) to PATH.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the summary as one JSON object on stdout; no progress bar.",
)
@_connection_options
@click.pass_obj
def import_(  # noqa: PLR0913 -- one parameter per option
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
    journal: Path | None,
    report: Path | None,
    as_json: bool,
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

    Ctrl-C stops in order: no new key is sent, requests in flight settle,
    the journal is flushed, and the command to resume is printed. Use
    --journal for large imports: rerunning with the same journal does
    each key exactly once.

    \b
    Exit status:
      0    every valid key is registered (skipped keys are not failures)
      1    some keys failed or their fate is unknown (see --report)
      2    usage, keys-file or credential error; no such workspace/project
      3    service or network error
      130  interrupted (the resume command is printed)
    """  # noqa: D301 -- \b is click's "do not rewrap" marker
    listing: tuple[str, StorageConfig] | None = None
    listed_prefix = _listing_prefix(keys_file, prefix, whole_bucket, dry_run)
    if listed_prefix is not None:
        storage = _storage_config(
            settings, s3_endpoint, s3_region, s3_access_key
        )
        if dry_run:
            return _dry_run(
                bucket, listed_prefix, storage, report, as_json=as_json
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
    total = None if keys_file is None or from_stdin else _count_keys(keys_file)
    client = _client(settings, concurrency)
    with _report_file(report) as report_file:
        summary = _run_async(
            lambda: _import(
                client,
                settings=settings,
                workspace=workspace,
                project_id=project_id,
                project_name=project_name,
                create_project=create_project,
                bucket=bucket,
                keys_file=None if from_stdin else keys_file,
                listing=listing,
                total=total,
                concurrency=concurrency,
                rate=rate,
                journal=journal,
                report_file=report_file,
                report=report,
                as_json=as_json,
            )
        )
    if as_json:
        click.echo(json.dumps(summary.as_json()))
    else:
        from ._render import make_console, print_summary  # noqa: PLC0415

        print_summary(make_console(), summary)
    if summary.interrupted:
        click.echo(_resume_hint(journal, report, settings.argv), err=True)
    return summary.exit_code


def _listing_prefix(
    keys_file: Path | None,
    prefix: str | None,
    whole_bucket: bool,  # noqa: FBT001 -- a click flag
    dry_run: bool,  # noqa: FBT001 -- a click flag
) -> str | None:
    """
    The prefix to list, or ``None`` when the keys come from a file.

    Strictly private.
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
        if dry_run:
            raise click.UsageError(
                "--dry-run lists a bucket: it goes with --prefix or "
                "--whole-bucket"
            )
        return None
    return prefix or ""


def _storage_config(
    settings: Settings,
    endpoint: str,
    region: str,
    access_key: str | None,
) -> StorageConfig:
    """
    Where to list, with which keys.

    Strictly private.
    """
    from maiu_async.storage import StorageConfig  # noqa: PLC0415

    from ._storage import MissingSecret, s3_credentials  # noqa: PLC0415

    try:
        credentials = s3_credentials(
            access_key, lambda: _credentials(settings.access_key)
        )
    except MissingSecret as exc:
        raise CommandFailed(str(exc)) from None
    return StorageConfig(
        endpoint=endpoint, region=region, credentials=credentials
    )


def _dry_run(
    bucket: str,
    prefix: str,
    storage: StorageConfig,
    report: Path | None,
    *,
    as_json: bool,
) -> int:
    """
    List and filter a bucket prefix; print the verdicts; send nothing.

    Strictly private.
    """
    from ._storage import dry_run  # noqa: PLC0415

    with _report_file(report) as report_file:
        try:
            summary = _run_async(
                lambda: dry_run(
                    bucket=bucket,
                    prefix=prefix,
                    config=storage,
                    out=None if as_json else sys.stdout,
                    report_file=report_file,
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
        from ._render import make_console, print_dry_run  # noqa: PLC0415

        print_dry_run(make_console(stderr=True), summary)
    return EXIT_OK


async def _import(  # noqa: PLR0913 -- the command's options
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
    from ._importer import aiter_stream_keys, run_import  # noqa: PLC0415

    async with client, contextlib.AsyncExitStack() as astack:
        if project_id is None:
            assert project_name is not None  # noqa: S101 -- checked above
            project_id = await _resolve_project(
                client, workspace, project_name, create=create_project
            )
        with contextlib.ExitStack() as stack:
            keys: Iterable[str] | AsyncIterator[str | SkippedKey]
            stats: Callable[[], ListingStats] | None = None
            if listing is not None:
                from maiu_async.storage import ObjectStorageSource  # noqa: PLC0415

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
                from ._render import ImportProgress, make_console  # noqa: PLC0415

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
    _err("quit before requests in flight settled")
    click.echo(_resume_hint(journal, report, argv), err=True)
    sys.stderr.flush()
    sys.stdout.flush()
    os._exit(EXIT_INTERRUPTED)


# -- workspaces and projects ----------------------------------------------


@cli.group()
def workspaces() -> None:
    """
    Manage workspaces.
    """


@workspaces.command("create")
@click.argument("name")
@click.option("--bucket", metavar="BUCKET", help="Bucket to integrate.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_connection_options
@click.pass_obj
def workspaces_create(
    settings: Settings,
    name: str,
    bucket: str | None,
    as_json: bool,  # noqa: FBT001 -- a click flag
) -> int:
    """
    Create the workspace NAME (3-63 characters of a-z, 0-9 and '-').
    """

    async def create() -> Any:  # noqa: ANN401 -- a Workspace
        async with _client(settings) as client:
            return await client.workspaces.create(name, bucket_name=bucket)

    ws = _run_async(create)
    if as_json:
        _echo_json(_jsonable(ws))
    else:
        where = f" (bucket {ws.bucket_name})" if ws.bucket_name else ""
        click.echo(f"Created workspace {ws.workspace_name}{where}.")
    return EXIT_OK


@cli.group()
def projects() -> None:
    """
    Manage the projects of a workspace.
    """


_workspace_option = click.option(
    "--workspace", "-w", required=True, metavar="NAME", help="Workspace."
)
_json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print JSON."
)


@projects.command("list")
@_workspace_option
@_json_option
@_connection_options
@click.pass_obj
def projects_list(
    settings: Settings,
    workspace: str,
    as_json: bool,  # noqa: FBT001 -- a click flag
) -> int:
    """
    List the projects of a workspace.
    """

    async def fetch() -> Any:  # noqa: ANN401 -- a ProjectList
        async with _client(settings) as client:
            return await client.projects.list(workspace)

    listed = _run_async(fetch)
    if as_json:
        _echo_json([_jsonable(p) for p in listed.projects])
    else:
        from ._render import make_console, print_projects  # noqa: PLC0415

        print_projects(make_console(), listed.projects)
    return EXIT_OK


@projects.command("create")
@_workspace_option
@click.argument("name")
@_json_option
@_connection_options
@click.pass_obj
def projects_create(
    settings: Settings,
    workspace: str,
    name: str,
    as_json: bool,  # noqa: FBT001 -- a click flag
) -> int:
    """
    Create the project NAME in a workspace.
    """

    async def create() -> Any:  # noqa: ANN401 -- a Project
        async with _client(settings) as client:
            return await client.projects.create(workspace, name)

    project = _run_async(create)
    if as_json:
        _echo_json(_jsonable(project))
    else:
        click.echo(
            f"Created project {project.name!r} (id {project.project_id}) "
            f"in workspace {workspace}."
        )
    return EXIT_OK


@projects.command("rename")
@_workspace_option
@click.argument("project_id", type=click.IntRange(min=1))
@click.argument("new_name")
@_json_option
@_connection_options
@click.pass_obj
def projects_rename(
    settings: Settings,
    workspace: str,
    project_id: int,
    new_name: str,
    as_json: bool,  # noqa: FBT001 -- a click flag
) -> int:
    """
    Rename the project PROJECT_ID to NEW_NAME.
    """

    async def rename() -> Any:  # noqa: ANN401 -- a Project
        async with _client(settings) as client:
            return await client.projects.update(
                workspace, project_id, name=new_name
            )

    project = _run_async(rename)
    if as_json:
        _echo_json(_jsonable(project))
    else:
        click.echo(f"Renamed project {project_id} to {project.name!r}.")
    return EXIT_OK


# -- demo and emulator ------------------------------------------------------


@cli.command()
@click.option(
    "--keys",
    "key_count",
    type=click.IntRange(1, 1_000_000),
    default=10_000,
    show_default=True,
    help="How many keys to register.",
)
@click.option(
    "--latency",
    type=click.FloatRange(min=0),
    default=0.02,
    show_default=True,
    help="Seconds the emulator waits before each answer.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 1024),
    default=64,
    show_default=True,
    help="Requests in flight at most.",
)
def demo(key_count: int, latency: float, concurrency: int) -> int:
    """
    Import generated keys into an in-process emulator; no account needed.

    Starts the emulator, creates a workspace and a project, registers the
    keys (a few are invalid on purpose, to show skips) with a live
    progress bar, then prints the summary and the emulator's own counters
    as proof.
    """
    from ._demo import run_demo  # noqa: PLC0415

    return _run_async(
        lambda: run_demo(
            key_count=key_count, latency=latency, concurrency=concurrency
        )
    )


@cli.command(
    context_settings={
        "ignore_unknown_options": True,
        "allow_extra_args": True,
        "help_option_names": [],
    },
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def emulator(args: tuple[str, ...]) -> int:
    """
    Serve a local emulator of the API (see `maiu-async emulator --help`).

    The same as `python -m maiu_async.emulator`; it needs no extra.
    """
    from maiu_async.emulator._cli import main as emulator_main  # noqa: PLC0415

    return emulator_main(list(args))
