"""
Scene summaries over loopback: request, status, result, cancel.
"""

from __future__ import annotations

import pytest

from mediahelpers import Clock, seed_index
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import (
    BadRequest,
    MaiuClient,
    NotFound,
    SceneSummary,
    ValidationError,
)


pytestmark = pytest.mark.anyio


@pytest.fixture(name="clock")
def _clock(emu):
    clock = Clock()
    emu.state.clock = clock
    return clock


@pytest.fixture(name="indexed")
def _indexed(emu, clock):
    """An analysed video (three scenes) and its index id."""
    return seed_index(emu.state)


@pytest.fixture(name="slow")
def _slow(emu, clock):
    """Summaries take 10 s on the clock."""
    emu.state.summary_delay = 10.0
    return clock


async def test_request_and_read(client, indexed):
    """A first run covers every scene; its summaries can then be read."""
    asset, index_id = indexed

    run = await client.scene_summaries.request(*asset.parts, index_id)
    result = await client.scene_summaries.get(*asset.parts, index_id)

    assert ("SUMMARIZE_COMPLETED", index_id) == (run.status, run.index_id)
    assert index_id == result.index_id
    assert run.scene_summary_id == result.scene_summary_info.scene_summary_id
    assert result.scene_summary_info.last_analyzed_at is not None
    assert [
        SceneSummary(scene_id=n, summary=f"Scene {n} shows beach, sunset.")
        for n in (1, 2, 3)
    ] == list(result.scene_summaries)


async def test_status_moves_along_the_clock(client, indexed, slow):
    """WAIT_SUMMARIZE, SUMMARIZING, then SUMMARIZE_COMPLETED."""
    asset, index_id = indexed
    run = await client.scene_summaries.request(*asset.parts, index_id)
    seen = []
    for now in (0.0, 5.0, 10.0):
        slow.now = now
        status = await client.scene_summaries.status(
            *asset.parts, index_id, run.scene_summary_id
        )
        seen.append(status.status)

    assert ["WAIT_SUMMARIZE", "SUMMARIZING", "SUMMARIZE_COMPLETED"] == seen


async def test_later_runs_may_name_scenes(client, indexed):
    """After a full first run, a run may re-summarise listed scenes."""
    asset, index_id = indexed
    await client.scene_summaries.request(*asset.parts, index_id)

    again = await client.scene_summaries.request(
        *asset.parts, index_id, scene_ids=[2]
    )

    assert "SUMMARIZE_COMPLETED" == again.status


async def test_first_run_must_cover_every_scene(client, indexed):
    """A first run naming only some scenes is 400 with 10505."""
    asset, index_id = indexed

    with pytest.raises(BadRequest) as info:
        await client.scene_summaries.request(
            *asset.parts, index_id, scene_ids=[1]
        )

    assert "10505" == info.value.api_code


async def test_unknown_scene(client, indexed):
    """Naming a scene the index does not have is 400 with 10001."""
    asset, index_id = indexed

    with pytest.raises(BadRequest) as info:
        await client.scene_summaries.request(
            *asset.parts, index_id, scene_ids=[1, 2, 3, 4]
        )

    assert "10001" == info.value.api_code


async def test_cancel(client, indexed, slow):
    """A running run is cancelled; its result is then unavailable."""
    asset, index_id = indexed
    run = await client.scene_summaries.request(*asset.parts, index_id)
    slow.now = 5.0

    await client.scene_summaries.cancel(
        *asset.parts, index_id, run.scene_summary_id
    )
    slow.now = 60.0
    status = await client.scene_summaries.status(
        *asset.parts, index_id, run.scene_summary_id
    )

    assert "SUMMARIZE_CANCELED" == status.status
    with pytest.raises(BadRequest) as info:
        await client.scene_summaries.get(*asset.parts, index_id)
    assert "10503" == info.value.api_code


async def test_in_progress(client, indexed, slow):
    """A second request while a run waits is 400 with 10502."""
    asset, index_id = indexed
    await client.scene_summaries.request(*asset.parts, index_id)

    with pytest.raises(BadRequest) as info:
        await client.scene_summaries.request(*asset.parts, index_id)

    assert "10502" == info.value.api_code


async def test_result_before_completion(client, indexed, slow):
    """The result is unavailable until the run completes (10503)."""
    asset, index_id = indexed

    with pytest.raises(BadRequest) as never:
        await client.scene_summaries.get(*asset.parts, index_id)
    await client.scene_summaries.request(*asset.parts, index_id)
    with pytest.raises(BadRequest) as waiting:
        await client.scene_summaries.get(*asset.parts, index_id)

    assert ("10503", "10503") == (
        never.value.api_code,
        waiting.value.api_code,
    )


async def test_cancel_completed(client, indexed):
    """A completed run cannot be cancelled (10504)."""
    asset, index_id = indexed
    run = await client.scene_summaries.request(*asset.parts, index_id)

    with pytest.raises(BadRequest) as info:
        await client.scene_summaries.cancel(
            *asset.parts, index_id, run.scene_summary_id
        )

    assert "10504" == info.value.api_code


async def test_unknown_run(client, indexed):
    """Status or cancel of an unknown run is NotFound with 10104."""
    asset, index_id = indexed

    for call in (
        client.scene_summaries.status(*asset.parts, index_id, 7),
        client.scene_summaries.cancel(*asset.parts, index_id, 7),
    ):
        with pytest.raises(NotFound) as info:
            await call
        assert "10104" == info.value.api_code


async def test_unknown_index(client, indexed):
    """Summarising an unknown index is NotFound with 10103."""
    asset, _ = indexed

    with pytest.raises(NotFound) as info:
        await client.scene_summaries.request(*asset.parts, 9)

    assert "10103" == info.value.api_code


@pytest.mark.parametrize(
    "scene_ids",
    [
        pytest.param([], id="empty"),
        pytest.param([0], id="zero"),
        pytest.param(["1"], id="text"),
        pytest.param(3, id="not-a-sequence"),
    ],
)
async def test_bad_scene_ids_send_nothing(emu, client, indexed, scene_ids):
    """Scene ids must be one or more positive integers."""
    asset, index_id = indexed
    before = emu.stats.requests

    with pytest.raises(ValidationError):
        await client.scene_summaries.request(
            *asset.parts, index_id, scene_ids=scene_ids
        )

    assert before == emu.stats.requests


async def test_bad_run_id_sends_nothing(emu, client, indexed):
    """Run ids must be positive integers, checked before sending."""
    asset, index_id = indexed
    before = emu.stats.requests

    for call in (
        client.scene_summaries.status(*asset.parts, index_id, 0),
        client.scene_summaries.cancel(*asset.parts, index_id, -2),
        client.scene_summaries.get(*asset.parts, 0),
    ):
        with pytest.raises(ValidationError):
            await call

    assert before == emu.stats.requests


async def test_legacy_client_uses_assets_paths(emu, indexed):
    """Scene summaries exist only under assets, even for legacy clients."""
    asset, index_id = indexed

    async with MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        endpoint=emu.url,
        legacy=True,
    ) as legacy:
        run = await legacy.scene_summaries.request(*asset.parts, index_id)

    assert "SUMMARIZE_COMPLETED" == run.status
    assert 1 == emu.stats.by_route["request_scene_summary"]
