"""
The click application: the ``maiu-async`` group and `run`.

Every command returns its exit status; `run` turns every expected error
into one line on stderr and a stable exit code (see ``_errors``), so no
traceback is shown for anything but a bug.

Strictly private.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

import click

from maiu_async.exceptions import MaiuError

from ._analyze_cmd import analyze
from ._assets_cmd import assets
from ._errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, describe, one_line
from ._import_cmd import import_
from ._keysfile import KeysFileError
from ._local import demo, emulator
from ._manage import projects, workspaces
from ._options import (
    CONTEXT_SETTINGS,
    PROG,
    CommandFailed,
    Settings,
    connection_options,
    err,
)


if TYPE_CHECKING:
    from collections.abc import Sequence


__all__ = ["cli", "run"]


def _version() -> str:
    try:
        return version("maiu-async")
    except PackageNotFoundError:  # pragma: no cover -- run from a checkout
        return "unknown"


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(
    _version(), "--version", prog_name=PROG, message="%(prog)s %(version)s"
)
@connection_options
def cli() -> None:
    """
    Bulk-register media with NAVER Cloud's Media Intelligence API.

    No account yet? `maiu-async demo` runs an import against a local
    emulator in a few seconds.

    Credentials come from $NCLOUD_ACCESS_KEY_ID and
    $NCLOUD_SECRET_ACCESS_KEY, else $NCLOUD_ACCESS_KEY and
    $NCLOUD_SECRET_KEY, else the ncloud CLI file ~/.ncloud/configure
    (its [DEFAULT] section, or the one $NCLOUD_PROFILE names); --profile
    reads only its own section.  Secrets are never accepted as arguments
    and never printed.

    People read stderr; with --json, stdout holds one JSON document and
    nothing else.  Deleting asks first on a terminal, and needs --yes
    without one.

    \b
    Exit status:
      0    done
      1    some keys failed or their fate is unknown; an import not
           completed (assets status, import --wait); a deletion declined
      2    usage, input or credential error; no such workspace or project
      3    service or network error
      4    an import with nothing to send (empty input, no valid key)
      129  stopped by SIGHUP (as SIGTERM)
      130  interrupted (Ctrl-C)
      143  stopped by SIGTERM
    """  # noqa: D301 -- \b is click's "do not rewrap" marker


cli.add_command(analyze)
cli.add_command(assets)
cli.add_command(demo)
cli.add_command(emulator)
cli.add_command(import_)
cli.add_command(projects)
cli.add_command(workspaces)


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

    Never raises for an expected failure and never calls `sys.exit`:
    click runs outside its standalone mode.
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
        err(_usage_line(exc))
        return exc.exit_code
    except (click.Abort, KeyboardInterrupt):
        err("interrupted")
        return EXIT_INTERRUPTED
    except MaiuError as exc:
        code, message = describe(exc)
        err(message)
        return code
    except (CommandFailed, KeysFileError) as exc:
        err(one_line(str(exc)))
        return getattr(exc, "exit_code", EXIT_USAGE)
    return rv if isinstance(rv, int) else EXIT_OK


def _usage_line(exc: click.ClickException) -> str:
    message = one_line(exc.format_message())
    ctx = getattr(exc, "ctx", None)
    if isinstance(ctx, click.Context):
        return f"{message} (see '{ctx.command_path} --help')"
    return message
