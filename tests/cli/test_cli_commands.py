"""
The thin commands, errors and exit codes, demo, emulator and fallback.

All in-process: ``main(argv)`` against an in-process emulator.
"""

from __future__ import annotations

import json
import socket
import sys

from importlib.metadata import entry_points
from typing import TYPE_CHECKING

import pytest

from clihelpers import write_keys
from testkeys import ACCESS_KEY, SECRET_KEY


if TYPE_CHECKING:
    from pathlib import Path

    from clihelpers import Cli


pytestmark = pytest.mark.anyio


async def test_workspace_and_project_commands(cli: Cli, endpoint: str):
    """Create a workspace and a project, list, rename, list again."""
    ws = "clips-ws"

    created_ws = await cli("workspaces", "create", ws, "--bucket", "media")
    created = await cli(
        "projects", "create", "--workspace", ws, "Clips", "--json"
    )
    project_id = json.loads(created.stdout)["project_id"]
    table = await cli("projects", "list", "--workspace", ws)
    renamed = await cli(
        "projects", "rename", "-w", ws, str(project_id), "Reels"
    )
    listed = await cli("projects", "list", "-w", ws, "--json")

    assert (0, 0, 0, 0, 0) == (
        created_ws.code,
        created.code,
        table.code,
        renamed.code,
        listed.code,
    )
    assert (
        f"Created workspace {ws} (bucket media)." == created_ws.stderr.strip()
    )
    assert "Clips" in table.stderr
    assert f"Renamed project {project_id} to 'Reels'." == (
        renamed.stderr.strip()
    )
    assert "" == created_ws.stdout + table.stdout + renamed.stdout
    projects = {p["project_id"]: p for p in json.loads(listed.stdout)}
    assert "Reels" == projects[project_id]["name"]
    assert 1 == sum(p["is_base_project"] for p in projects.values())


@pytest.mark.parametrize(
    ("args", "words"),
    [
        pytest.param(
            ["workspaces", "create", "Not_Valid"],
            "invalid input",
            id="invalid-name",
        ),
        pytest.param(
            ["projects", "list", "-w", "no-such-workspace"],
            "not found",
            id="no-workspace",
        ),
    ],
)
async def test_api_errors_are_one_line(
    cli: Cli, endpoint: str, args: list[str], words: str
):
    """Refusals print one line and exit 2."""
    result = await cli(*args)

    assert 2 == result.code
    assert 1 == len(result.err_lines)
    assert result.err_lines[0].startswith(f"maiu-async: {words}")


_IMPORT = ["import", "-w", "w", "--project-id", "1", "--bucket", "b"]


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(
            ["import", "--bucket", "b", "--keys-file", "-"], id="no-ws"
        ),
        pytest.param(
            ["import", "-w", "w", "--bucket", "b", "--keys-file", "-"],
            id="no-project",
        ),
        pytest.param(
            [*_IMPORT, "--project", "p", "--keys-file", "-"],
            id="both-projects",
        ),
        pytest.param([*_IMPORT, "--keys-file", "missing.txt"], id="no-file"),
        pytest.param(
            [*_IMPORT, "--keys-file", "-", "--concurrency", "0"],
            id="bad-concurrency",
        ),
        pytest.param(["projects", "frobnicate"], id="no-command"),
        pytest.param(["--secret-key", "x"], id="no-secret-option"),
    ],
)
async def test_usage_errors(cli: Cli, args: list[str]):
    """Usage errors exit 2 with one line that points at --help."""
    result = await cli(*args)

    assert 2 == result.code
    assert 1 == len(result.err_lines)
    assert result.err_lines[0].startswith("maiu-async: ")
    assert "--help" in result.err_lines[0]


async def test_missing_credentials(
    cli: Cli, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Without credentials: one line saying where we looked, and what to do."""
    keys_file = write_keys(tmp_path / "k.txt", ["a.mp4"])
    monkeypatch.delenv("NCLOUD_ACCESS_KEY_ID")
    monkeypatch.delenv("NCLOUD_SECRET_ACCESS_KEY")

    result = await cli(*_IMPORT, "--keys-file", str(keys_file))

    assert 2 == result.code
    assert 1 == len(result.err_lines)
    line = result.err_lines[0]
    for where in (
        "NCLOUD_ACCESS_KEY_ID/NCLOUD_SECRET_ACCESS_KEY",
        "NCLOUD_ACCESS_KEY/NCLOUD_SECRET_KEY",
        str(home / ".ncloud" / "configure"),
        "maiu-async demo",
        "--endpoint",
    ):
        assert where in line


async def test_wrong_secret(
    cli: Cli, endpoint: str, monkeypatch: pytest.MonkeyPatch
):
    """A refused signature is a credential error: exit 2, secret unshown."""
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", "wrong-" + SECRET_KEY)

    result = await cli("projects", "list", "-w", "anything")

    assert 2 == result.code
    assert result.err_lines[0].startswith("maiu-async: credentials rejected")
    assert "wrong-" not in result.stderr


async def test_access_key_option(
    cli: Cli, project: tuple[str, int], monkeypatch: pytest.MonkeyPatch
):
    """--access-key pairs with the secret from the environment."""
    monkeypatch.delenv("NCLOUD_ACCESS_KEY_ID")

    result = await cli(
        "--access-key", ACCESS_KEY, "projects", "list", "-w", project[0]
    )

    assert 0 == result.code, result.stderr


async def test_cannot_connect(cli: Cli):
    """A dead endpoint is a service error: exit 3, one line."""
    # Bound but not listening: connections are refused, and no other
    # server can take the port while the CLI runs.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

        result = await cli(
            "--endpoint",
            f"http://127.0.0.1:{port}",
            *("projects", "list", "-w", "w"),
        )

    assert 3 == result.code
    assert 1 == len(result.err_lines)
    assert result.err_lines[0].startswith("maiu-async: cannot connect")


async def test_version(cli: Cli):
    """--version prints the program's name and version, and exits 0."""
    result = await cli("--version")

    assert 0 == result.code
    assert result.stdout.startswith("maiu-async ")


async def test_help_returns(cli: Cli):
    """--help prints the usage on stdout and returns 0 instead of exiting."""
    result = await cli("import", "--help")

    assert 0 == result.code
    assert result.stdout.startswith("Usage: maiu-async import ")
    assert "" == result.stderr


async def test_no_arguments_show_the_help(cli: Cli):
    """With no arguments the help goes to stderr, and the exit is 2."""
    result = await cli()

    assert 2 == result.code
    assert "" == result.stdout
    assert "Usage: maiu-async" in result.stderr


def test_console_script_is_main():
    """The ``maiu-async`` console script is ``maiu_async.cli:main``."""
    (script,) = entry_points(group="console_scripts", name="maiu-async")

    assert "maiu_async.cli:main" == script.value


async def test_demo(cli: Cli):
    """A small demo runs in-process, shows skips and proves its counts."""
    result = await cli("demo", "--keys", "200", "--latency", "0.001")

    assert 0 == result.code, result.stderr
    assert "198 keys registered, 198 assets created" in result.stderr
    assert "notes.txt" in result.stderr
    assert "videos/2026/" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["emulator", "--help"], id="first"),
        pytest.param(["--endpoint", "x", "emulator", "--help"], id="click"),
    ],
)
async def test_emulator_passthrough(cli: Cli, args: list[str]):
    """`maiu-async emulator ...` is the emulator's own CLI, and returns."""
    result = await cli(*args)

    assert 0 == result.code
    assert "--fault-503" in result.stdout


async def test_emulator_usage_error_returns(cli: Cli):
    """The emulator's argument errors exit 2 without ending the caller."""
    result = await cli("emulator", "--port", "not-a-port")

    assert 2 == result.code
    assert "--port" in result.stderr


@pytest.mark.parametrize("missing", ["click", "rich"])
async def test_fallback_without_the_extra(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, missing: str
):
    """Without click or rich: an install hint, but the emulator still runs."""
    # A None entry is how Python spells "this module cannot be imported".
    monkeypatch.setitem(sys.modules, missing, None)

    hinted = await cli("projects", "list", "-w", "w")
    helped = await cli("emulator", "--help")

    assert 2 == hinted.code
    assert "" == hinted.stdout
    hint = (
        f"maiu-async: this command needs the 'cli' extra ({missing} is not "
        "installed); install it with: pip install 'maiu-async[cli]'"
    )
    assert [hint] == hinted.err_lines
    assert 0 == helped.code
    assert "--fault-503" in helped.stdout


_PROFILES = (
    "[prod]\n"
    "ncloud_access_key_id = PRODKEY0001\n"
    "ncloud_secret_access_key = prod-secret-never-shown\n"
    "[DEFAULT]\n"
    f"ncloud_access_key_id = {ACCESS_KEY}\n"
    f"ncloud_secret_access_key = {SECRET_KEY}\n"
    "[other]\n"
    "ncloud_access_key_id = OTHERKEY01\n"
    f"ncloud_secret_access_key = {SECRET_KEY}\n"
)


@pytest.fixture(name="configure")
def _configure(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An ncloud CLI file with [prod] first; no keys in the environment."""
    monkeypatch.delenv("NCLOUD_ACCESS_KEY_ID")
    monkeypatch.delenv("NCLOUD_SECRET_ACCESS_KEY")
    path = home / ".ncloud" / "configure"
    path.parent.mkdir()
    path.write_text(_PROFILES)
    return path


async def test_default_profile_not_the_first_section(
    cli: Cli, project: tuple[str, int], configure: Path
):
    """With [prod] first in the file, [DEFAULT] is still what is used."""
    result = await cli("projects", "list", "-w", project[0])

    assert 0 == result.code, result.stderr


@pytest.mark.parametrize(
    "how",
    [
        pytest.param(["--profile", "prod"], id="option"),
        pytest.param([], id="variable"),
    ],
)
async def test_profile_picks_a_section(
    cli: Cli,
    project: tuple[str, int],
    configure: Path,
    monkeypatch: pytest.MonkeyPatch,
    how: list[str],
):
    """--profile or $NCLOUD_PROFILE signs with that section's keys."""
    if not how:
        monkeypatch.setenv("NCLOUD_PROFILE", "prod")

    result = await cli(*how, "projects", "list", "-w", project[0])

    # The emulator knows only the default pair: prod's key is refused,
    # and the error says which key, from where, never the secret.
    assert 2 == result.code
    assert 1 == len(result.err_lines)
    line = result.err_lines[0]
    assert line.startswith("maiu-async: credentials rejected")
    assert f"access key 'PRODKEY0001' from ncloud CLI file {configure} " in (
        line
    )
    assert "[prod]" in line
    assert "prod-secret-never-shown" not in result.stderr


async def test_access_key_pairs_with_its_own_section(
    cli: Cli, project: tuple[str, int], configure: Path
):
    """--access-key takes the secret of the section holding that key."""
    ok = await cli(
        "--access-key", ACCESS_KEY, "projects", "list", "-w", project[0]
    )
    other = await cli(
        "--access-key", "OTHERKEY01", "projects", "list", "-w", project[0]
    )

    assert 0 == ok.code, ok.stderr
    assert 2 == other.code
    assert "access key 'OTHERKEY01'" in other.stderr
    assert "[other]" in other.stderr


async def test_unknown_profile(cli: Cli, configure: Path):
    """An unknown --profile is a credential error naming the profiles."""
    result = await cli("--profile", "nope", "projects", "list", "-w", "w")

    assert 2 == result.code
    assert "no profile [nope] (profiles: [prod], [DEFAULT], [other])" in (
        result.stderr
    )
