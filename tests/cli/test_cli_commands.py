"""
The thin commands, errors and exit codes, demo, emulator and fallback.
"""

from __future__ import annotations

import json
import select
import signal
import socket
import subprocess
import sys

from typing import TYPE_CHECKING

import pytest

from clihelpers import (
    ACCESS_KEY,
    SECRET_KEY,
    check_clean,
    clean_env,
    unique_workspace,
    write_keys,
)


if TYPE_CHECKING:
    from pathlib import Path

    from clihelpers import Cli


def test_workspace_and_project_commands(cli: Cli) -> None:
    """Create a workspace and a project, list, rename, list again."""
    ws = unique_workspace()

    created_ws = cli("workspaces", "create", ws, "--bucket", "media")
    created = cli("projects", "create", "--workspace", ws, "Clips", "--json")
    project_id = json.loads(created.stdout)["project_id"]
    table = cli("projects", "list", "--workspace", ws)
    renamed = cli("projects", "rename", "-w", ws, str(project_id), "Reels")
    listed = cli("projects", "list", "-w", ws, "--json")

    assert (0, 0, 0, 0, 0) == (
        created_ws.code,
        created.code,
        table.code,
        renamed.code,
        listed.code,
    )
    assert (
        f"Created workspace {ws} (bucket media)." == created_ws.stdout.strip()
    )
    assert "Clips" in table.stdout
    assert f"Renamed project {project_id} to 'Reels'." == (
        renamed.stdout.strip()
    )
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
def test_api_errors_are_one_line(
    cli: Cli, args: list[str], words: str
) -> None:
    """Refusals print one line and exit 2."""
    result = cli(*args)

    assert 2 == result.code
    assert 1 == len(result.err_lines)
    assert result.err_lines[0].startswith(f"maiu-async: {words}")


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
            [
                "import",
                "-w",
                "w",
                "--project-id",
                "1",
                "--project",
                "p",
                "--bucket",
                "b",
                "--keys-file",
                "-",
            ],
            id="both-projects",
        ),
        pytest.param(
            [
                "import",
                "-w",
                "w",
                "--project-id",
                "1",
                "--bucket",
                "b",
                "--keys-file",
                "missing.txt",
            ],
            id="missing-file",
        ),
        pytest.param(
            [
                "import",
                "-w",
                "w",
                "--project-id",
                "1",
                "--bucket",
                "b",
                "--keys-file",
                "-",
                "--concurrency",
                "0",
            ],
            id="bad-concurrency",
        ),
        pytest.param(["projects", "frobnicate"], id="no-command"),
        pytest.param(["--secret-key", "x"], id="no-secret-option"),
    ],
)
def test_usage_errors(cli: Cli, args: list[str]) -> None:
    """Usage errors exit 2 with one line that points at --help."""
    result = cli(*args)

    assert 2 == result.code
    assert 1 == len(result.err_lines)
    assert result.err_lines[0].startswith("maiu-async: ")
    assert "--help" in result.err_lines[0]


def test_missing_credentials(cli: Cli, home: Path, tmp_path: Path) -> None:
    """Without credentials: one line saying where we looked, and what to do."""
    keys_file = write_keys(tmp_path / "k.txt", ["a.mp4"])
    env = clean_env(home)

    result = cli(
        "import",
        "-w",
        "ws",
        "--project-id",
        "1",
        "--bucket",
        "b",
        "--keys-file",
        str(keys_file),
        env=env,
    )

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


def test_wrong_secret(cli: Cli) -> None:
    """A refused signature is a credential error: exit 2, secret unshown."""
    env = {**cli.env, "NCLOUD_SECRET_ACCESS_KEY": "wrong-" + SECRET_KEY}

    result = cli("projects", "list", "-w", "anything", env=env)

    assert 2 == result.code
    assert result.err_lines[0].startswith("maiu-async: credentials rejected")
    assert "wrong-" not in result.stderr


def test_access_key_option(cli: Cli, project: tuple[str, int]) -> None:
    """--access-key pairs with the secret from the environment."""
    env = {k: v for k, v in cli.env.items() if k != "NCLOUD_ACCESS_KEY_ID"}

    result = cli(
        "--access-key",
        ACCESS_KEY,
        "projects",
        "list",
        "-w",
        project[0],
        env=env,
    )

    assert 0 == result.code, result.stderr


def test_cannot_connect(cli: Cli) -> None:
    """A dead endpoint is a service error: exit 3, one line."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    result = cli(
        "--endpoint", f"http://127.0.0.1:{port}", "projects", "list", "-w", "w"
    )

    assert 3 == result.code
    assert 1 == len(result.err_lines)
    assert result.err_lines[0].startswith("maiu-async: cannot connect")


def test_version(cli: Cli) -> None:
    """--version prints the program's name and version."""
    result = cli("--version")

    assert 0 == result.code
    assert result.stdout.startswith("maiu-async ")


def test_demo(cli: Cli) -> None:
    """A small demo runs in-process, shows skips and proves its counts."""
    result = cli("demo", "--keys", "200", "--latency", "0.001")

    assert 0 == result.code, result.stderr
    assert "198 keys registered, 198 assets created" in result.stdout
    assert "notes.txt" in result.stdout
    assert "videos/2026/" in result.stdout


def _start(argv: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _serves(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], 20)
    assert ready
    line = proc.stdout.readline()
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=20)
    check_clean(line + stdout, stderr)
    return line


def test_emulator_passthrough(cli: Cli) -> None:
    """`maiu-async emulator ...` is the emulator's own argparse CLI."""
    env = {
        **cli.env,
        "MAIU_EMULATOR_ACCESS_KEY": ACCESS_KEY,
        "MAIU_EMULATOR_SECRET_KEY": SECRET_KEY,
    }
    proc = _start(cli.command("emulator", "--port", "0"), env)

    line = _serves(proc)
    helped = cli("emulator", "--help")

    assert line.startswith("maiu-async emulator listening on http://")
    assert 0 == proc.returncode
    assert 0 == helped.code
    assert "--fault-503" in helped.stdout


_WITHOUT_EXTRA = """
import sys

class NoCliExtra:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {"click", "rich"}:
            raise ImportError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, NoCliExtra())
from maiu_async.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_fallback_without_click(cli: Cli) -> None:
    """Without click and rich: an install hint, but the emulator still runs."""
    env = {
        **cli.env,
        "MAIU_EMULATOR_ACCESS_KEY": ACCESS_KEY,
        "MAIU_EMULATOR_SECRET_KEY": SECRET_KEY,
    }
    argv = [sys.executable, "-c", _WITHOUT_EXTRA]
    hinted = subprocess.run(
        [*argv, "projects", "list", "-w", "w"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=30,
    )
    proc = _start([*argv, "emulator", "--port", "0"], env)

    line = _serves(proc)

    assert 2 == hinted.returncode
    assert "" == hinted.stdout
    assert "pip install 'maiu-async[cli]'" in hinted.stderr
    assert 1 == len(hinted.stderr.splitlines())
    assert line.startswith("maiu-async emulator listening on http://")
