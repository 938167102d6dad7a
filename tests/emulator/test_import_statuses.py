"""
The import-status knobs of issue 12: forced final statuses, slow imports.
"""

from __future__ import annotations

import pytest

from maiu_async.emulator._flags import FLAG_OF


pytestmark = pytest.mark.anyio

WS = "ws-test"


async def _project(launch, **knobs):
    emu = await launch(**knobs)
    emu.state.add_workspace(WS, "bucket-test")
    pid = emu.state.add_project(WS, "user-project").project_id
    return emu, pid


async def _register(api, pid: int, key: str) -> int:
    reply = await api.post(
        f"/api/v1/workspaces/{WS}/projects/{pid}/assets/import/object-storage",
        {"key": key, "bucketName": "bucket-test"},
    )
    assert 200 == reply.status
    return reply.body["result"]["assetId"]


async def _status(api, pid: int, asset_id: int) -> dict:
    reply = await api.get(
        f"/api/v1/workspaces/{WS}/projects/{pid}/assets/{asset_id}"
        "/import-status"
    )
    assert 200 == reply.status
    return reply.body["result"]


async def test_globs_force_failed_and_invalid_metadata(launch, api_for):
    """Keys matching the globs end FAILED or INVALID_METADATA, others not."""
    emu, pid = await _project(
        launch, import_failed="bad/*", import_invalid="*odd*"
    )
    api = api_for(emu)
    keys = ["bad/a.mp4", "dir/odd.mp4", "dir/fine.mp4", "bad/odd.mp4"]
    ids = [await _register(api, pid, key) for key in keys]

    statuses = [(await _status(api, pid, i))["uploadStatus"] for i in ids]

    assert [
        "FAILED",
        "INVALID_METADATA",
        "COMPLETED",
        "FAILED",
    ] == statuses


async def test_forced_status_comes_with_a_message(launch, api_for):
    """A forced final status carries an uploadResult message."""
    emu, pid = await _project(launch, import_failed="*")
    api = api_for(emu)
    asset_id = await _register(api, pid, "a.mp4")

    body = await _status(api, pid, asset_id)

    assert "FAILED" == body["uploadStatus"]
    assert body["uploadResult"]


async def test_import_ends_after_the_set_number_of_reads(launch, api_for):
    """With import_polls=3 the first 3 reads say IN_PROGRESS, then final."""
    emu, pid = await _project(launch, import_polls=3, import_failed="x*")
    api = api_for(emu)
    done = await _register(api, pid, "a.mp4")
    failed = await _register(api, pid, "x.mp4")

    first = [(await _status(api, pid, done))["uploadStatus"] for _ in range(5)]
    second = [
        (await _status(api, pid, failed))["uploadStatus"] for _ in range(4)
    ]

    assert ["IN_PROGRESS"] * 3 + ["COMPLETED"] * 2 == first
    assert ["IN_PROGRESS"] * 3 + ["FAILED"] == second


async def test_listing_does_not_use_up_reads(launch, api_for):
    """Listing the assets leaves the import-status reads untouched."""
    emu, pid = await _project(launch, import_polls=1)
    api = api_for(emu)
    asset_id = await _register(api, pid, "a.mp4")

    await api.get(f"/api/v1/workspaces/{WS}/projects/{pid}/assets?pageNum=1")
    statuses = [
        (await _status(api, pid, asset_id))["uploadStatus"] for _ in range(2)
    ]

    assert ["IN_PROGRESS", "COMPLETED"] == statuses


def test_knobs_have_flags() -> None:
    """Each import knob has its command-line flag."""
    assert {
        "import_polls": "--import-polls",
        "import_failed": "--import-failed",
        "import_invalid": "--import-invalid",
    } == {
        dest: FLAG_OF[dest]
        for dest in ("import_polls", "import_failed", "import_invalid")
    }
