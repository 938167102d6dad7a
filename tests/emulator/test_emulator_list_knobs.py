"""
The asset-list and registration knobs of issue 11, over HTTP.
"""

from __future__ import annotations

import pytest

from maiu_async.emulator._config import keyed_draw


pytestmark = pytest.mark.anyio

WS = "ws-test"


async def _seeded(launch, count: int, **knobs):
    emu = await launch(**knobs)
    emu.state.add_workspace(WS, "bucket-test")
    pid = emu.state.add_project(WS, "user-project").project_id
    ids = [
        emu.state.add_asset(WS, pid, f"dir/{i:03d}.mp4", "b").asset_id
        for i in range(count)
    ]
    return emu, pid, ids


def _ids(reply) -> list[int]:
    return [a["assetId"] for a in reply.body["result"]["content"]]


async def test_descending_order_lists_newest_first(launch, api_for):
    """``list_order="descending"`` lists ids from the highest."""
    emu, pid, ids = await _seeded(launch, 5, list_order="descending")

    reply = await api_for(emu).get(
        f"/api/v1/workspaces/{WS}/projects/{pid}/assets?pageNum=1"
    )

    assert ids[::-1] == _ids(reply)


@pytest.mark.parametrize("order", ["unstable", "created-ties"])
async def test_shuffled_orders_hold_every_asset(launch, api_for, order):
    """Shuffled orders still list each asset once per request."""
    emu, pid, ids = await _seeded(launch, 50, list_order=order, seed=1)

    reply = await api_for(emu).get(
        f"/api/v1/workspaces/{WS}/projects/{pid}/assets?pageNum=1"
    )

    assert sorted(ids) == sorted(_ids(reply))


async def test_page_cap_serves_smaller_pages_with_honest_totals(
    launch, api_for
):
    """A capped page says its real size, total pages and total count."""
    emu, pid, ids = await _seeded(launch, 25, list_page_cap=10)

    reply = await api_for(emu).get(
        f"/api/v1/workspaces/{WS}/projects/{pid}/assets"
        "?pageNum=3&pageSize=1000"
    )

    result = reply.body["result"]
    assert (ids[20:], 25, 3, 10) == (
        _ids(reply),
        result["totalCount"],
        result["totalPage"],
        result["pageSize"],
    )


async def test_base_name_style_shows_the_last_segment(launch, api_for):
    """``file_name_style="basename"`` lists ``dir/000.mp4`` as ``000.mp4``."""
    emu, pid, _ = await _seeded(launch, 1, file_name_style="basename")

    reply = await api_for(emu).get(
        f"/api/v1/workspaces/{WS}/projects/{pid}/assets?pageNum=1"
    )

    assert "000.mp4" == reply.body["result"]["content"][0]["fileName"]


def _picked(seed: int, what: str) -> str:
    return next(
        key
        for key in (f"k/{i}.mp4" for i in range(1000))
        if keyed_draw(seed, what, key) < 0.5
    )


async def test_processed_error_code_answers_200_after_registering(
    launch, api_for
):
    """The asset exists, yet the 200 answer's code is not "0"."""
    emu, pid, _ = await _seeded(launch, 0, processed_error_code=0.5, seed=4)
    key = _picked(4, "processed-error")

    reply = await api_for(emu).post(
        f"/api/v1/workspaces/{WS}/projects/{pid}/assets/import/object-storage",
        {"key": key, "bucketName": "b"},
    )

    assert (200, "10001", 1) == (
        reply.status,
        reply.body["code"],
        emu.state.count_assets_by_key(WS, key),
    )


async def test_late_processing_answers_504_then_registers(launch, api_for):
    """A late key gets 504 at once; its asset lands after the delay."""
    emu, pid, _ = await _seeded(
        launch, 0, late_processing=0.5, late_processing_delay=0.0, seed=4
    )
    key = _picked(4, "late")
    api = api_for(emu)

    reply = await api.post(
        f"/api/v1/workspaces/{WS}/projects/{pid}/assets/import/object-storage",
        {"key": key, "bucketName": "b"},
    )
    assert 504 == reply.status
    # The asset lands on a timer (here due at once), not in the handler.
    while not emu.state.count_assets_by_key(WS, key):
        await api.get(f"/api/v1/workspaces/{WS}")

    assert 1 == emu.state.count_assets_by_key(WS, key)
