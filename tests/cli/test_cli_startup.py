"""
Start-up: a command imports what it needs, and ``--help`` loads nothing.

The group loads each command's module when the command is invoked (see
``maiu_async.cli._group``): ``workspaces list`` never imports the
emulator, and no command imports rich unless it draws on a terminal.
Which modules a run imported is only visible in a fresh interpreter, so
one test starts one (killed in ``finally`` by ``subprocess.run``'s own
timeout handling).
"""

from __future__ import annotations

import json
import subprocess
import sys

from typing import TYPE_CHECKING

import click
import pytest

from maiu_async.cli._group import COMMANDS, cli, load_command


if TYPE_CHECKING:
    from clihelpers import Cli


#: A failure guard for the child, not an expectation.
CHILD_GUARD = 120.0

#: Runs `main` as a user would (``--version``, then a command's help),
#: then prints which of our modules and which extras were imported.
_PROBE = """
import contextlib, io, json, sys
from maiu_async.cli import main
loaded = {}
for argv in (["--version"], ["--help"], ["workspaces", "--help"],
             ["import", "--help"]):
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    loaded[" ".join(argv)] = (code, sorted(
        name for name in sys.modules
        if name.split(".")[0] == "rich"
        or name.startswith(("maiu_async.emulator", "maiu_async.cli."))
    ))
print(json.dumps(loaded))
"""


def test_a_command_loads_only_its_own_modules():
    """--version and --help load no command; commands load no emulator."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        check=True,
        timeout=CHILD_GUARD,
    )
    loaded = {
        argv: (code, {name.removeprefix("maiu_async.") for name in names})
        for argv, (code, names) in json.loads(done.stdout).items()
    }

    assert (
        0,
        {"cli._errors", "cli._group", "cli._keysfile", "cli._options"},
    ) == loaded["--version"]
    assert loaded["--version"] == loaded["--help"]
    workspaces_code, workspaces = loaded["workspaces --help"]
    import_code, imported = loaded["import --help"]
    assert (0, 0) == (workspaces_code, import_code)
    assert {"cli._manage", "cli._tables"} <= workspaces
    assert {"cli._import_cmd", "cli._importer"} <= imported
    assert set() == {
        name
        for name in imported
        if name.startswith(("emulator", "rich", "cli._render"))
    }


@pytest.mark.parametrize("width", [50, 80, 100])
def test_the_listed_help_is_each_commands_own(width: int):
    """The group's list of commands reads as click would, from the commands."""
    ctx = click.Context(cli, info_name="maiu-async")
    lazy = click.HelpFormatter(width=width)
    loaded = click.HelpFormatter(width=width)

    cli.format_commands(ctx, lazy)
    # Click's own listing imports and asks every command.
    click.Group.format_commands(cli, ctx, loaded)

    assert loaded.getvalue() == lazy.getvalue()


def test_every_listed_command_loads():
    """Each name of the table is a command of that name; others are none."""
    names = {
        name: getattr(load_command(name), "name", None) for name in COMMANDS
    }

    assert {name: name for name in COMMANDS} == names
    assert load_command("no-such-command") is None


@pytest.mark.anyio
async def test_a_typo_is_answered_with_the_command_meant(cli: Cli):
    """An unknown command is named, with the listed one it resembles."""
    result = await cli("wrkspaces", "list")

    line = (
        "maiu-async: No such command 'wrkspaces'. Did you mean "
        "'workspaces'? (see 'maiu-async --help')"
    )
    assert (2, [line]) == (result.code, result.err_lines)
