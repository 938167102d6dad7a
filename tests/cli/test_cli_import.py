"""
``maiu-async import`` end to end, in-process, against the emulator.
"""

from __future__ import annotations

import json

from typing import TYPE_CHECKING

import pytest

from aiohttp import web
from clihelpers import (
    BUCKET,
    import_args,
    read_report,
    serve,
    write_keys,
)
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import _errorcodes as codes
from maiu_async.emulator import EmulatorConfig, EmulatorState, Stats, make_app


if TYPE_CHECKING:
    from pathlib import Path

    from aiohttp.typedefs import Handler
    from clihelpers import Cli

    from maiu_async.emulator import Emulator


pytestmark = pytest.mark.anyio


async def test_import_registers_every_key(
    cli: Cli, project: tuple[str, int], tmp_path: Path
):
    """A clean import exits 0, reports each key once and prints a summary."""
    workspace, project_id = project
    keys = [f"videos/2026/clip-{i:04d}.mp4" for i in range(40)]
    keys_file = write_keys(tmp_path / "keys.txt", keys)
    report = tmp_path / "report.jsonl"

    result = await cli(
        *import_args(workspace, project_id, keys_file),
        "--report",
        str(report),
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
    assert "Import summary:" in result.err_lines
    assert "40/40" in result.stderr  # the last progress line


async def test_import_by_project_name_creates_it(
    cli: Cli, project: tuple[str, int], tmp_path: Path
):
    """--project NAME --create-project makes the project, then imports."""
    workspace, _ = project
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

    missing = await cli(*args)
    created = await cli(*args, "--create-project")

    assert 2 == missing.code
    assert 1 == len(missing.err_lines)
    assert "--create-project" in missing.stderr
    assert 0 == created.code, created.stderr
    assert 2 == json.loads(created.stdout)["registered"]


async def test_invalid_and_blank_lines(
    cli: Cli, project: tuple[str, int], tmp_path: Path
):
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

    result = await cli(
        *import_args(workspace, project_id, keys_file),
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
    } == statuses
    assert 6 == len(read_report(report))  # the repeat is reported too
    summary = json.loads(result.stdout)
    assert (3, 3, 0, 6) == (
        summary["registered"],
        summary["skipped"],
        summary["failed"],
        summary["total_keys"],
    )


async def test_json_summary(
    cli: Cli, project: tuple[str, int], tmp_path: Path
):
    """--json prints one JSON object on stdout and no progress bar."""
    workspace, project_id = project
    keys_file = write_keys(tmp_path / "k.txt", [f"{i}.mp4" for i in range(5)])

    result = await cli(
        *import_args(workspace, project_id, keys_file), "--json"
    )

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


async def test_keys_from_stdin(cli: Cli, project: tuple[str, int]):
    """--keys-file - reads standard input; the total is then unknown."""
    workspace, project_id = project

    result = await cli(
        *import_args(workspace, project_id, "-"),
        "--json",
        stdin="a.mp4\nb.mp4\n\nc.webm\n",
    )

    summary = json.loads(result.stdout)
    assert 0 == result.code
    assert (3, None) == (summary["registered"], summary["total_keys"])


async def test_not_utf8_keys_file(
    cli: Cli, project: tuple[str, int], tmp_path: Path
):
    """A keys file that is not UTF-8 is refused in one line, exit 2."""
    workspace, project_id = project
    keys_file = tmp_path / "keys.txt"
    keys_file.write_bytes(b"a.mp4\n\xff\xfe.mp4\n")

    result = await cli(*import_args(workspace, project_id, keys_file))

    assert 2 == result.code
    assert "not UTF-8" in result.err_lines[-1]


async def test_no_such_project(
    cli: Cli, project: tuple[str, int], tmp_path: Path
):
    """A project id that does not exist stops the import: exit 2."""
    workspace, _ = project
    keys_file = write_keys(tmp_path / "k.txt", ["a.mp4"])

    result = await cli(*import_args(workspace, 999_999, keys_file), "--json")

    assert 2 == result.code
    assert 1 == len(result.err_lines)
    assert result.err_lines[0].startswith("maiu-async: not found:")


#: Keys the API refuses in `test_failures_exit_1`, every time.
_REFUSED = frozenset({"v/003.mp4", "v/077.mp4", "v/149.mp4"})


@web.middleware
async def _refuse_some_keys(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Answer "Invalid Request." (400, code 10001) for the keys above."""
    if request.method == "POST" and request.path.endswith("/object-storage"):
        body = await request.json()  # aiohttp keeps it for the handler
        if body.get("key") in _REFUSED:
            row = codes.INVALID_REQUEST
            return web.json_response(
                {"code": row.code, "message": row.message}, status=row.status
            )
    return await handler(request)


async def test_failures_exit_1(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Keys the API refuses are reported failed, and the import exits 1."""
    config = EmulatorConfig(access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    state, stats = EmulatorState(), Stats()
    state.add_workspace("media", BUCKET)
    project_id = state.add_project("media", "target").project_id
    app = make_app(config, state=state, stats=stats)
    app.middlewares.append(_refuse_some_keys)  # innermost: after auth
    keys = [f"v/{i:03d}.mp4" for i in range(150)]
    keys_file = write_keys(tmp_path / "k.txt", keys)
    report = tmp_path / "r.jsonl"

    async with serve(app) as url:
        monkeypatch.setenv("MAIU_ENDPOINT", url)
        result = await cli(
            *import_args("media", project_id, keys_file),
            "--report",
            str(report),
            "--json",
        )

    summary = json.loads(result.stdout)
    rows = read_report(report)
    failed = {row["key"]: row for row in rows if row["status"] == "failed"}
    assert 1 == result.code, result.stderr
    assert (147, 3, 0, 1) == (
        summary["registered"],
        summary["failed"],
        summary["unknown"],
        summary["exit_code"],
    )
    assert 150 == len(rows)
    assert _REFUSED == set(failed)
    assert all(
        row["asset_id"] is None
        and row["attempts"] == 1
        and "Invalid Request." in row["error"]
        for row in failed.values()
    )
    assert 147 == stats.assets_created


async def test_import_counts_match_the_emulator(
    cli: Cli, emu: Emulator, project: tuple[str, int], tmp_path: Path
):
    """Every key registered is one asset the emulator created, no more."""
    workspace, project_id = project
    keys_file = write_keys(tmp_path / "k.txt", [f"{i}.mov" for i in range(30)])

    result = await cli(
        *import_args(workspace, project_id, keys_file), "--json"
    )

    assert 0 == result.code, result.stderr
    assert 30 == json.loads(result.stdout)["registered"]
    assert 30 == emu.stats.assets_created
    assert 30 == len(emu.state.assets_of(workspace, project_id))
