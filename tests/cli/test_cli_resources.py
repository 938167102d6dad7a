"""
The resource commands: workspaces, projects and assets, and deleting.

In-process against the emulator.  People's output is on stderr and
``--json`` alone is on stdout; deleting asks on a terminal, takes
``--yes``, and refuses without either.  A terminal is stood for by a
stream whose ``isatty()`` is true.
"""

from __future__ import annotations

import io
import json
import sys

from typing import TYPE_CHECKING

import anyio
import pytest

from clihelpers import BUCKET, RUN_GUARD, Result, check_clean

from maiu_async.cli import main


if TYPE_CHECKING:
    from clihelpers import Cli

    from maiu_async.emulator import Emulator


pytestmark = pytest.mark.anyio

#: Characters of rich's boxes; none may reach a log file.
BOX = set("─━│┃┌┐└┘├┤┬┴┼╭╮╯╰═")


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(name="assets")
def _assets(emu: Emulator, project: tuple[str, int]) -> list[int]:
    """Three assets in the ``project`` fixture's project."""
    ws, pid = project
    return [
        emu.state.add_asset(ws, pid, f"videos/{n}.mp4", BUCKET).asset_id
        for n in range(3)
    ]


def _json(result: Result) -> object:
    assert 0 == result.code, result.stderr
    return json.loads(result.stdout)


async def test_workspace_commands(cli: Cli, endpoint: str):
    """Create, list, get and delete a workspace, in text and in JSON."""
    created = await cli("workspaces", "create", "ws-one", "--bucket", "media")
    listed = await cli("workspaces", "list", "--json")
    shown = await cli("workspaces", "get", "ws-one")
    deleted = await cli("workspaces", "delete", "ws-one", "--yes", "--json")
    after = await cli("workspaces", "list")

    assert "" == created.stdout
    assert "Created workspace ws-one (bucket media)." == created.stderr.strip()
    assert [("ws-one", "media")] == [
        (w["workspace_name"], w["bucket_name"]) for w in _json(listed)
    ]
    assert "" == shown.stdout
    assert ["Workspace", "ws-one"] == shown.err_lines[0].split()
    assert {"deleted": "workspace", "workspace_name": "ws-one"} == _json(
        deleted
    )
    assert "No workspaces." == after.stderr.strip()


async def test_project_commands(cli: Cli, project: tuple[str, int]):
    """Create, get, rename, list and delete a project."""
    ws, _ = project
    created = _json(
        await cli("projects", "create", "-w", ws, "clips", "--json")
    )
    pid = str(created["project_id"])
    shown = _json(await cli("projects", "get", "-w", ws, pid, "--json"))
    renamed = await cli("projects", "rename", "-w", ws, pid, "reels")
    table = await cli("projects", "list", "-w", ws)
    deleted = await cli("projects", "delete", "-w", ws, pid, "--yes")
    listed = _json(await cli("projects", "list", "-w", ws, "--json"))

    assert "clips" == shown["name"]
    assert f"Renamed project {pid} to 'reels'." == renamed.stderr.strip()
    assert "reels" in table.stderr
    assert "" == table.stdout
    assert 0 == deleted.code
    assert {"target"} <= {p["name"] for p in listed}
    assert "reels" not in {p["name"] for p in listed}


@pytest.mark.parametrize(
    "which",
    [
        pytest.param(["--project-id", "{pid}"], id="by-id"),
        pytest.param(["--project", "target"], id="by-name"),
    ],
)
async def test_asset_commands(
    cli: Cli, project: tuple[str, int], assets: list[int], which: list[str]
):
    """List, get, follow and delete assets, the project by id or by name."""
    ws, pid = project
    chosen = [arg.format(pid=pid) for arg in which]
    first = str(assets[0])

    listed = _json(await cli("assets", "list", "-w", ws, *chosen, "--json"))
    limited = _json(
        await cli("assets", "list", "-w", ws, *chosen, "--limit=2", "--json")
    )
    shown = _json(
        await cli("assets", "get", "-w", ws, *chosen, first, "--json")
    )
    status = await cli("assets", "status", "-w", ws, *chosen, first)
    deleted = await cli("assets", "delete", "-w", ws, *chosen, first, "--yes")
    gone = await cli("assets", "get", "-w", ws, *chosen, first)

    assert ["videos/0.mp4", "videos/1.mp4", "videos/2.mp4"] == [
        a["file_name"] for a in listed
    ]
    assert 2 == len(limited)
    assert "videos/0.mp4" == shown["file_name"]
    assert status.stderr.startswith(f"Asset {first}: COMPLETED")
    assert (0, 0) == (status.code, deleted.code)
    assert 2 == gone.code
    assert gone.err_lines[0].startswith("maiu-async: not found")


async def test_asset_status_exits_1_until_complete(
    cli: Cli, emu: Emulator, project: tuple[str, int]
):
    """An import still in progress is shown, with exit status 1."""
    ws, pid = project
    emu.state.import_delay = 3600.0
    asset = emu.state.add_asset(ws, pid, "slow.mp4", BUCKET).asset_id

    status = await cli(
        "assets", "status", "-w", ws, "--project-id", str(pid), str(asset)
    )

    assert 1 == status.code
    assert status.stderr.startswith(f"Asset {asset}: IN_PROGRESS")


async def test_unknown_project_name(cli: Cli, project: tuple[str, int]):
    """--project with a name nobody has: exit 2, one line naming it."""
    result = await cli("assets", "list", "-w", project[0], "--project", "x")

    assert 2 == result.code
    assert [
        (
            "maiu-async: no project named 'x' in workspace 'media' (see "
            "`maiu-async projects list`)"
        )
    ] == result.err_lines


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["workspaces", "delete", "media"], id="workspace"),
        pytest.param(
            ["projects", "delete", "-w", "media", "{pid}"], id="project"
        ),
        pytest.param(
            ["assets", "delete", "-w", "media", "--project-id", "{pid}", "1"],
            id="asset",
        ),
    ],
)
async def test_delete_without_terminal_or_yes_refuses(
    cli: Cli, emu: Emulator, project: tuple[str, int], args: list[str]
):
    """No terminal and no --yes: exit 2, one line, and nothing deleted."""
    ws, pid = project
    emu.state.add_asset(ws, pid, "keep.mp4", BUCKET)
    before = emu.stats.by_route.copy()

    result = await cli(*(arg.format(pid=pid) for arg in args))

    assert 2 == result.code
    assert 1 == len(result.err_lines)
    assert "pass --yes to delete" in result.err_lines[0]
    assert before == emu.stats.by_route  # not a single request


async def _run_on_terminal(
    args: list[str], answer: str, monkeypatch: pytest.MonkeyPatch
) -> Result:
    """Run the CLI with a terminal on stdin (holding *answer*) and stderr."""
    stdout, stderr = io.StringIO(), Terminal()
    monkeypatch.setattr(sys, "stdin", Terminal(answer))
    monkeypatch.setattr(sys, "stdout", stdout)
    monkeypatch.setattr(sys, "stderr", stderr)
    with anyio.fail_after(RUN_GUARD):
        code = await anyio.to_thread.run_sync(main, args)
    check_clean(stdout.getvalue(), stderr.getvalue())
    return Result(code, stdout.getvalue(), stderr.getvalue())


@pytest.mark.parametrize(
    ("answer", "code", "kept"),
    [
        pytest.param("y\n", 0, False, id="yes"),
        pytest.param("n\n", 1, True, id="no"),
        pytest.param("\n", 1, True, id="default-is-no"),
    ],
)
async def test_delete_asks_on_a_terminal(  # noqa: PLR0917 -- parameters
    emu: Emulator,
    project: tuple[str, int],
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    code: int,
    kept: bool,
):
    """On a terminal, deleting asks; only a yes deletes."""
    ws, pid = project
    asset = emu.state.add_asset(ws, pid, "maybe.mp4", BUCKET).asset_id
    args = ["assets", "delete", "-w", ws, "--project-id", str(pid)]

    result = await _run_on_terminal([*args, str(asset)], answer, monkeypatch)

    assert code == result.code
    assert f"Delete asset {asset} of workspace 'media'?" in result.stderr
    assert kept == (
        asset in {a.asset_id for a in emu.state.assets_of(ws, pid)}
    )


async def test_tables_only_on_a_terminal(
    cli: Cli, project: tuple[str, int], monkeypatch: pytest.MonkeyPatch
):
    """A table is drawn on a terminal; elsewhere, plain columns, no boxes."""
    plain = await cli("projects", "list", "-w", project[0])
    drawn = await _run_on_terminal(
        ["projects", "list", "-w", project[0]], "", monkeypatch
    )

    assert set() == BOX & set(plain.stderr)
    assert ["ID", "Name", "Base", "Created"] == plain.err_lines[0].split()
    assert BOX & set(drawn.stderr)
    assert "target" in drawn.stderr
    assert "" == drawn.stdout
