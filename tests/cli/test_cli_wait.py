"""
``maiu-async import --wait``, in-process, against the emulator.

Testing mode (`maiu_async.testing.set_testing`) makes polls follow each
other at once; the emulator's import knobs decide how many reads each
import takes and how it ends.
"""

from __future__ import annotations

import json

from typing import TYPE_CHECKING, Any

import pytest

from clihelpers import BUCKET, import_args, read_report, write_keys
from s3helpers import S3_ACCESS_KEY, S3_SECRET_KEY, create_bucket, moto_server
from s3helpers import put as put_object
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async.emulator import Emulator, ObjectStorageCheck
from maiu_async.testing import set_testing


if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from pathlib import Path

    from clihelpers import Cli


pytestmark = pytest.mark.anyio


@pytest.fixture(name="knobs")
def _knobs() -> dict[str, Any]:
    return {}


@pytest.fixture(name="emu")
async def _emu(knobs: dict[str, Any]) -> AsyncIterator[Emulator]:
    """An emulator with the test's knobs."""
    async with Emulator(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, **knobs
    ) as emu:
        yield emu


@pytest.fixture(autouse=True, name="testing")
def _testing() -> Iterator[None]:
    with set_testing(True, attempts=3):
        yield


def polls_at(emu: Emulator) -> int:
    """Import-status reads the emulator answered."""
    return emu.stats.by_route.get("import_status", 0)


def keys(count: int, prefix: str = "videos/clip") -> list[str]:
    """*count* distinct, valid keys."""
    return [f"{prefix}-{i:03d}.mp4" for i in range(count)]


@pytest.mark.parametrize(
    "knobs", [pytest.param({"import_polls": 2}, id="two-reads")]
)
async def test_all_imported_exits_0(
    cli: Cli, emu: Emulator, project: tuple[str, int], tmp_path: Path
):
    """Every import COMPLETED: exit 0, each report line says so."""
    workspace, project_id = project
    names = keys(5)
    report = tmp_path / "r.jsonl"

    result = await cli(
        *import_args(workspace, project_id, write_keys(tmp_path / "k", names)),
        "--wait",
        "--report",
        str(report),
        "--json",
    )

    assert 0 == result.code, result.stderr
    rows = read_report(report)
    assert dict.fromkeys(names, "COMPLETED") == {
        row["key"]: row["import_status"] for row in rows
    }
    assert all(row["import_message"] for row in rows)
    summary = json.loads(result.stdout)
    assert {"COMPLETED": 5} == summary["imports"]
    assert (15, 15) == (summary["import_polls"], polls_at(emu))


@pytest.mark.parametrize(
    "knobs",
    [
        pytest.param(
            {"import_failed": "*bad*", "import_invalid": "*odd*"}, id="globs"
        )
    ],
)
async def test_failed_imports_exit_1(
    cli: Cli, project: tuple[str, int], tmp_path: Path
):
    """A FAILED or INVALID_METADATA import makes the exit status 1."""
    workspace, project_id = project
    names = ["a/bad.mp4", "a/odd.mp4", "a/fine.mp4"]

    result = await cli(
        *import_args(workspace, project_id, write_keys(tmp_path / "k", names)),
        "--wait",
    )

    assert 1 == result.code, result.stderr
    assert "2 registered keys did not finish importing" in result.stderr
    assert "1 FAILED" in result.stderr
    assert "1 INVALID_METADATA" in result.stderr


async def test_without_wait_report_has_null_import_status(
    cli: Cli, emu: Emulator, project: tuple[str, int], tmp_path: Path
):
    """Without --wait, import_status is null and nothing is polled."""
    workspace, project_id = project
    report = tmp_path / "r.jsonl"

    result = await cli(
        *import_args(
            workspace, project_id, write_keys(tmp_path / "k", ["a.mp4"])
        ),
        "--report",
        str(report),
    )

    assert 0 == result.code, result.stderr
    [row] = read_report(report)
    assert (None, None) == (row["import_status"], row["import_message"])
    assert 0 == polls_at(emu)


@pytest.mark.parametrize(
    "knobs", [pytest.param({"import_polls": 10**6}, id="never")]
)
async def test_wait_timeout_reports_keys_still_importing(
    cli: Cli, emu: Emulator, project: tuple[str, int], tmp_path: Path
):
    """--wait-timeout 0 polls once; keys end IN_PROGRESS and exit 1."""
    workspace, project_id = project
    names = keys(3)
    report = tmp_path / "r.jsonl"

    result = await cli(
        *import_args(workspace, project_id, write_keys(tmp_path / "k", names)),
        "--wait",
        "--wait-timeout",
        "0",
        "--report",
        str(report),
    )

    assert 1 == result.code, result.stderr
    rows = read_report(report)
    assert {"IN_PROGRESS"} == {row["import_status"] for row in rows}
    assert all("timed out" in row["import_message"] for row in rows)
    assert {"registered"} == {row["status"] for row in rows}
    assert 3 == polls_at(emu)


async def test_wait_timeout_needs_wait(
    cli: Cli, project: tuple[str, int], tmp_path: Path
):
    """--wait-timeout alone is a usage error."""
    workspace, project_id = project

    result = await cli(
        *import_args(
            workspace, project_id, write_keys(tmp_path / "k", ["a.mp4"])
        ),
        "--wait-timeout",
        "5",
    )

    assert 2 == result.code
    assert "--wait-timeout goes with --wait" in result.stderr


async def test_rerun_with_wait_waits_for_earlier_keys(
    cli: Cli, emu: Emulator, project: tuple[str, int], tmp_path: Path
):
    """A --wait rerun of a journal made without it polls its keys once."""
    workspace, project_id = project
    names = keys(4)
    keys_file = write_keys(tmp_path / "k", names)
    journal = ["--journal", str(tmp_path / "j")]
    args = import_args(workspace, project_id, keys_file, *journal)
    report = tmp_path / "r.jsonl"

    first = await cli(*args)
    second = await cli(*args, "--wait", "--report", str(report))
    polled = polls_at(emu)
    third = await cli(*args, "--wait")

    assert (0, 0, 0) == (first.code, second.code, third.code)
    rows = read_report(report)
    assert dict.fromkeys(names, "COMPLETED") == {
        row["key"]: row["import_status"] for row in rows
    }
    assert {True} == {row["resumed"] for row in rows}
    assert (4, 4) == (polled, polls_at(emu))
    assert 4 == len(emu.state.assets_of(workspace, project_id))


@pytest.fixture(name="s3_url", scope="module")
def _s3_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


async def test_missing_objects_exit_1_with_each_status(
    cli: Cli, s3_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """5 keys that exist and 5 missing: each status reported, exit 1."""
    create_bucket(BUCKET)
    present = keys(5, "here/clip")
    missing = keys(5, "gone/clip")
    for key in present:
        put_object(BUCKET, key, 100)
    check = ObjectStorageCheck(
        endpoint=s3_url,
        access_key=S3_ACCESS_KEY,
        secret_key=S3_SECRET_KEY,
        concurrency=0,
    )
    report = tmp_path / "r.jsonl"
    async with Emulator(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, object_storage=check
    ) as emu:
        monkeypatch.setenv("MAIU_ENDPOINT", emu.url)
        emu.state.add_workspace("media", BUCKET)
        project_id = emu.state.add_project("media", "target").project_id
        keys_file = write_keys(tmp_path / "k", present + missing)

        result = await cli(
            *import_args("media", project_id, keys_file),
            "--wait",
            "--report",
            str(report),
        )

    assert 1 == result.code, result.stderr
    assert {
        **dict.fromkeys(present, "COMPLETED"),
        **dict.fromkeys(missing, "FILE_NOT_EXIST"),
    } == {row["key"]: row["import_status"] for row in read_report(report)}
    assert "5 FILE_NOT_EXIST" in result.stderr
    assert "every valid key is registered" not in result.stderr
