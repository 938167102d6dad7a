"""
The click application: the ``maiu-async`` group and `run`.

Every command returns its exit status; `run` turns every expected error
into one line on stderr and a stable exit code (see ``_errors``), so no
traceback is shown for anything but a bug.

Strictly private.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from gettext import gettext
from typing import TYPE_CHECKING, Final

import click

from maiu_async.exceptions import MaiuError

from .._version import package_version
from ._errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, describe, one_line
from ._keysfile import KeysFileError
from ._options import (
    CONTEXT_SETTINGS,
    PROG,
    CommandFailed,
    Settings,
    connection_options,
    err,
)


if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence


__all__ = ["COMMANDS", "cli", "load_command", "run"]

#: Every command, with the line the group's ``--help`` shows for it (the
#: first paragraph of its help): listing the commands imports none of
#: them.  A test holds each line to the command's own help.
COMMANDS: Final = {
    "analyze": "Request the analysis of many assets, each at most once.",
    "assets": "List, show, follow and delete the assets of a project.",
    "demo": (
        "Import generated keys into an in-process emulator; no account needed."
    ),
    "emulator": "Serve a local emulator of the API.",
    "import": (
        "Register every key of a keys file, or of a bucket prefix, as assets."
    ),
    "projects": (
        "List, show, create, rename and delete the projects of a workspace."
    ),
    "workspaces": "List, show, create and delete workspaces.",
}


def load_command(name: str) -> click.Command | None:  # noqa: PLR0911
    """
    The command *name*, its module imported now; None if there is none.

    A run imports only the module of the command it runs: ``workspaces
    list`` never loads the emulator, the import engine's display or
    rich.  One literal import per module, so that the layering test sees
    each (``LAZY_BOUNDARIES`` lists them).
    """
    # PLC0415 below: a command module is imported when it is invoked.
    if name == "analyze":
        from ._analyze_cmd import analyze  # noqa: PLC0415

        return analyze
    if name == "assets":
        from ._assets_cmd import assets  # noqa: PLC0415

        return assets
    if name == "demo":
        from ._local import demo  # noqa: PLC0415

        return demo
    if name == "emulator":
        from ._emulator_cmd import emulator  # noqa: PLC0415

        return emulator
    if name == "import":
        from ._import_cmd import import_  # noqa: PLC0415

        return import_
    if name in {"projects", "workspaces"}:
        from ._manage import projects, workspaces  # noqa: PLC0415

        return projects if name == "projects" else workspaces
    return None


class _Commands(MutableMapping[str, click.Command]):
    """
    The group's commands by name, each imported when first looked up.

    Click asks this mapping for a command to run, for the names to
    suggest after a typo and (mkdocs-click) for every command to
    document; only the last loads them all.
    """

    def __getitem__(self, name: str) -> click.Command:
        command = load_command(name)
        if command is None:
            raise KeyError(name)
        return command

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(COMMANDS))

    def __len__(self) -> int:
        return len(COMMANDS)

    def __setitem__(self, name: str, command: click.Command) -> None:
        raise TypeError(f"add {name!r} to COMMANDS and load_command")

    def __delitem__(self, name: str) -> None:
        raise TypeError(f"remove {name!r} from COMMANDS and load_command")


class _LazyGroup(click.Group):
    """
    A group whose commands are imported when invoked, not before.

    Click's "lazily loading subcommands" pattern, with the commands in a
    lazy mapping; ``--help`` lists them from `COMMANDS` without importing
    them.
    """

    def format_commands(
        self, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        # As click's own, from the table instead of the commands: a
        # stand-in command shortens each line as the real one would.
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [
            (
                name,
                click.Command(name, help=COMMANDS[name]).get_short_help_str(
                    limit
                ),
            )
            for name in names
        ]
        with formatter.section(gettext("Commands")):
            formatter.write_dl(rows)


def _version() -> str:
    return package_version() or "unknown"


@click.group(
    cls=_LazyGroup, commands=_Commands(), context_settings=CONTEXT_SETTINGS
)
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
