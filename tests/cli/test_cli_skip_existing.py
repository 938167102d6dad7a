"""
``maiu-async import --skip-existing`` end to end, in-process: a sync run
sends only the keys the project does not have.
"""

from __future__ import annotations

import json
import math

from typing import TYPE_CHECKING

import pytest

from clihelpers import import_args, read_report, write_keys


if TYPE_CHECKING:
    from pathlib import Path

    from clihelpers import Cli

    from maiu_async.emulator import Emulator


pytestmark = pytest.mark.anyio

EXISTING = "already in the project"


def _keys(count: int, prefix: str) -> list[str]:
    return [f"{prefix}/clip-{i:05d}.mp4" for i in range(count)]


async def test_rerun_sends_only_new_keys(
    cli: Cli, emu: Emulator, project: tuple[str, int], tmp_path: Path
):
    """Without a journal, a rerun registers the new keys and skips the rest."""
    workspace, project_id = project
    old, new = _keys(1_500, "day1"), _keys(25, "day2")
    await cli(
        *import_args(workspace, project_id, write_keys(tmp_path / "a", old))
    )
    emu.stats.reset()
    report = tmp_path / "report.jsonl"

    result = await cli(
        *import_args(
            workspace, project_id, write_keys(tmp_path / "b", [*old, *new])
        ),
        "--skip-existing",
        "--reconcile-delay",
        "0",
        "--report",
        str(report),
        "--json",
    )

    summary = json.loads(result.stdout)
    assert (0, 25, 1_500, 1_500) == (
        result.code,
        summary["registered"],
        summary["skipped"],
        summary["existing"],
    )
    assert (math.ceil(1_500 / 1_000), 25) == (
        emu.stats.by_route.get("list_assets", 0),
        emu.stats.by_route.get("register_asset", 0),
    )
    rows = {row["key"]: row for row in read_report(report)}
    assert {("skipped", EXISTING)} == {
        (rows[k]["status"], rows[k]["error"]) for k in old
    }
    assert {"registered"} == {rows[k]["status"] for k in new}


async def test_nothing_new_is_success_not_nothing_to_register(
    cli: Cli, project: tuple[str, int], tmp_path: Path
):
    """A sync run with nothing new exits 0 and says so (not exit 4)."""
    workspace, project_id = project
    keys_file = write_keys(tmp_path / "k", _keys(40, "v"))
    await cli(*import_args(workspace, project_id, keys_file))

    result = await cli(
        *import_args(workspace, project_id, keys_file),
        "--skip-existing",
        "--reconcile-delay",
        "0",
    )

    assert 0 == result.code, result.stderr
    assert (
        "Done: every valid key is registered "
        "(40 skipped, 40 of them already in the project)."
    ) in result.err_lines


async def test_with_a_journal_and_keys_from_elsewhere(
    cli: Cli, emu: Emulator, project: tuple[str, int], tmp_path: Path
):
    """Journal keys resume; keys another run registered are skipped."""
    workspace, project_id = project
    ours, theirs = _keys(30, "ours"), _keys(20, "theirs")
    journal = str(tmp_path / "j.journal")
    for key in theirs:
        emu.state.add_asset(workspace, project_id, key, "other-bucket")
    keys_file = write_keys(tmp_path / "k", ours)
    await cli(
        *import_args(workspace, project_id, keys_file), "--journal", journal
    )
    keys_file = write_keys(tmp_path / "k", [*ours, *theirs])

    result = await cli(
        *import_args(workspace, project_id, keys_file),
        "--skip-existing",
        "--journal",
        journal,
        "--json",
    )

    summary = json.loads(result.stdout)
    assert (0, 30, 30, 20, 0) == (
        result.code,
        summary["registered"],
        summary["resumed"],
        summary["existing"],
        summary["requests"],
    )
    assert 50 == len(emu.state.assets_of(workspace, project_id))


async def test_no_such_project_stops_before_sending(
    cli: Cli, emu: Emulator, project: tuple[str, int], tmp_path: Path
):
    """The list's 404 stops the run with exit 2 and nothing registered."""
    workspace, _ = project
    keys_file = write_keys(tmp_path / "k", _keys(10, "x"))

    result = await cli(
        *import_args(workspace, 999_999, keys_file), "--skip-existing"
    )

    assert (2, 0) == (
        result.code,
        emu.stats.by_route.get("register_asset", 0),
    )


async def test_dry_run_refuses_skip_existing(cli: Cli, tmp_path: Path):
    """A dry run cannot say what a sync would skip: exit 2, nothing read."""
    keys_file = write_keys(tmp_path / "k", _keys(3, "d"))

    result = await cli(
        "import",
        "--bucket",
        "media-bucket",
        "--keys-file",
        str(keys_file),
        "--dry-run",
        "--skip-existing",
    )

    assert (2, "") == (result.code, result.stdout)
    assert "--skip-existing" in result.stderr
