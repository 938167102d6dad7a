"""
``maiu-async import`` end to end: real processes, emulator subprocesses.
"""

from __future__ import annotations

import json
import shlex
import signal
import time

from typing import TYPE_CHECKING

from clihelpers import (
    BUCKET,
    check_clean,
    cli_for,
    make_project,
    read_report,
    start_emulator,
    write_keys,
)


if TYPE_CHECKING:
    from pathlib import Path

    from clihelpers import Cli, EmulatorProcess


def _import(
    workspace: str, project_id: int, keys_file: Path | str, *more: str
) -> list[str]:
    return [
        "import",
        "--workspace",
        workspace,
        "--project-id",
        str(project_id),
        "--bucket",
        BUCKET,
        "--keys-file",
        str(keys_file),
        *more,
    ]


def test_import_registers_every_key(
    cli: Cli, project: tuple[str, int], tmp_path: Path
) -> None:
    """A clean import exits 0, reports each key once and prints a summary."""
    workspace, project_id = project
    keys = [f"videos/2026/clip-{i:04d}.mp4" for i in range(40)]
    keys_file = write_keys(tmp_path / "keys.txt", keys)
    report = tmp_path / "report.jsonl"

    result = cli(
        *_import(workspace, project_id, keys_file), "--report", str(report)
    )

    assert 0 == result.code, result.stderr
    rows = read_report(report)
    assert keys == sorted(row["key"] for row in rows)
    assert {"registered"} == {row["status"] for row in rows}
    assert all(isinstance(row["asset_id"], int) for row in rows)
    assert {
        "key",
        "status",
        "asset_id",
        "error",
        "attempts",
        "latency_ms",
    } <= set(rows[0])
    assert "Import summary" in result.stdout
    assert "40/40" in result.stderr  # the progress bar's last frame


def test_import_by_project_name_creates_it(
    cli: Cli, emulator: EmulatorProcess, tmp_path: Path
) -> None:
    """--project NAME --create-project makes the project, then imports."""
    workspace, _ = make_project(emulator.url)
    keys_file = write_keys(tmp_path / "keys.txt", ["a.mp4", "b.png"])
    args = [
        "import",
        "-w",
        workspace,
        "--project",
        "Fresh one",
        "--bucket",
        BUCKET,
        "--keys-file",
        str(keys_file),
        "--json",
    ]

    missing = cli(*args)
    created = cli(*args, "--create-project")

    assert 2 == missing.code
    assert 1 == len(missing.err_lines)
    assert "--create-project" in missing.stderr
    assert 0 == created.code, created.stderr
    assert 2 == json.loads(created.stdout)["registered"]


def test_invalid_and_blank_lines(
    cli: Cli, project: tuple[str, int], tmp_path: Path
) -> None:
    """Invalid keys are skipped and reported; blank lines are not keys."""
    workspace, project_id = project
    keys_file = tmp_path / "keys.txt"
    keys_file.write_bytes(
        b"\xef\xbb\xbfvideos/a.mp4\r\n"
        b"\n"
        b"   \r\n"
        b"videos/2026/\n"
        b"notes.txt\n"
        b"images/b.jpg\n"
        b"videos/a.mp4\n"
        b"last.mov"
    )
    report = tmp_path / "report.jsonl"

    result = cli(
        *_import(workspace, project_id, keys_file),
        "--report",
        str(report),
        "--json",
    )

    assert 0 == result.code, result.stderr
    statuses = {row["key"]: row["status"] for row in read_report(report)}
    assert {
        "videos/a.mp4": "registered",
        "images/b.jpg": "registered",
        "last.mov": "registered",
        "videos/2026/": "skipped",
        "notes.txt": "skipped",
    } == {k: statuses[k] for k in statuses}
    assert 6 == len(read_report(report))  # the repeat is reported too
    summary = json.loads(result.stdout)
    assert (3, 3, 0, 6) == (
        summary["registered"],
        summary["skipped"],
        summary["failed"],
        summary["total_keys"],
    )


def test_json_summary(
    cli: Cli, project: tuple[str, int], tmp_path: Path
) -> None:
    """--json prints one JSON object on stdout and no progress bar."""
    workspace, project_id = project
    keys_file = write_keys(tmp_path / "k.txt", [f"{i}.mp4" for i in range(5)])

    result = cli(*_import(workspace, project_id, keys_file), "--json")

    summary = json.loads(result.stdout)
    assert 0 == result.code
    assert {
        "registered": 5,
        "failed": 0,
        "unknown": 0,
        "exit_code": 0,
        "interrupted": False,
        "workspace": workspace,
        "project_id": project_id,
    } == {
        k: summary[k]
        for k in (
            "registered",
            "failed",
            "unknown",
            "exit_code",
            "interrupted",
            "workspace",
            "project_id",
        )
    }
    assert "" == result.stderr


def test_keys_from_stdin(cli: Cli, project: tuple[str, int]) -> None:
    """--keys-file - reads standard input; the total is then unknown."""
    workspace, project_id = project

    result = cli(
        *_import(workspace, project_id, "-"),
        "--json",
        stdin="a.mp4\nb.mp4\n\nc.webm\n",
    )

    summary = json.loads(result.stdout)
    assert 0 == result.code
    assert (3, None) == (summary["registered"], summary["total_keys"])


def test_not_utf8_keys_file(
    cli: Cli, project: tuple[str, int], tmp_path: Path
) -> None:
    """A keys file that is not UTF-8 is refused in one line, exit 2."""
    workspace, project_id = project
    keys_file = tmp_path / "keys.txt"
    keys_file.write_bytes(b"a.mp4\n\xff\xfe.mp4\n")

    result = cli(*_import(workspace, project_id, keys_file))

    assert 2 == result.code
    assert ["not UTF-8" in line for line in result.err_lines][-1]


def test_no_such_project(
    cli: Cli, tmp_path: Path, emulator: EmulatorProcess
) -> None:
    """A project id that does not exist stops the import: exit 2."""
    workspace, _ = make_project(emulator.url)
    keys_file = write_keys(tmp_path / "k.txt", ["a.mp4"])

    result = cli(*_import(workspace, 999_999, keys_file), "--json")

    assert 2 == result.code
    assert 1 == len(result.err_lines)
    assert result.err_lines[0].startswith("maiu-async: not found:")


def test_failures_exit_1(home: Path, tmp_path: Path) -> None:
    """Keys whose every attempt fails are reported failed, and exit 1."""
    with start_emulator(home, "--fault-503", "0.6", "--seed", "7") as emu:
        workspace, project_id = make_project(emu.url)
        keys = [f"v/{i:03d}.mp4" for i in range(150)]
        keys_file = write_keys(tmp_path / "k.txt", keys)
        report = tmp_path / "r.jsonl"

        result = cli_for(emu.url, home, tmp_path)(
            *_import(workspace, project_id, keys_file),
            "--report",
            str(report),
            "--json",
        )
        assets_created = emu.stats()["assets_created"]

    summary = json.loads(result.stdout)
    rows = read_report(report)
    failed = [row for row in rows if row["status"] == "failed"]
    assert 1 == result.code, result.stderr
    assert 150 == len(rows)
    assert 0 < summary["failed"] == len(failed)
    assert all(row["error"] and row["attempts"] > 1 for row in failed)
    assert summary["registered"] == assets_created


def test_ctrl_c_stops_cleanly_and_resumes(home: Path, tmp_path: Path) -> None:
    """SIGINT settles, flushes the journal and prints a working resume."""
    keys = [f"videos/clip-{i:04d}.mp4" for i in range(300)]
    keys_file = write_keys(tmp_path / "keys.txt", keys)
    journal = tmp_path / "import.journal"
    with start_emulator(home, "--latency", "0.02") as emu:
        workspace, project_id = make_project(emu.url)
        cli = cli_for(emu.url, home, tmp_path)
        proc = cli.popen(
            *_import(workspace, project_id, keys_file),
            "--journal",
            str(journal),
            "--concurrency",
            "2",
        )
        deadline = time.monotonic() + 20
        while "\nR\t" not in (journal.read_text() if journal.exists() else ""):
            assert time.monotonic() < deadline, "nothing was registered"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
        check_clean(stdout, stderr)
        hint = stderr.splitlines()[-1].strip()
        prog, *argv = shlex.split(hint)

        resumed = cli(*argv, "--json")
        created = emu.stats()["assets_created"]

    assert 130 == proc.returncode, stderr
    assert "Interrupted." in stdout
    assert "To resume, run the same command" in stderr
    assert ("maiu-async", str(journal)) == (
        prog,
        argv[argv.index("--journal") + 1],
    )
    summary = json.loads(resumed.stdout)
    assert 0 == resumed.code, resumed.stderr
    assert 300 == summary["registered"] == created
    assert 0 < summary["resumed"] < 300
