"""
Analyses over loopback: request, status, cancel, and their refusals.
"""

from __future__ import annotations

import pytest

from mediahelpers import WS, Clock, seed_asset
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import (
    BadRequest,
    Index,
    MaiuClient,
    NotFound,
    ValidationError,
)
from maiu_async.emulator import Emulator


pytestmark = pytest.mark.anyio


@pytest.fixture(name="clock")
def _clock(emu):
    """A clock that moves only when told to, installed before seeding."""
    clock = Clock()
    emu.state.clock = clock
    return clock


@pytest.fixture(name="asset")
def _asset(emu, clock):
    return seed_asset(emu.state)


@pytest.fixture(name="slow")
def _slow(emu, clock):
    """Analyses take 10 s on the clock."""
    emu.state.analysis_delay = 10.0
    return clock


async def test_request_sends_only_what_is_given(emu, client, asset):
    """A bare request gets the API's defaults; options are echoed."""
    bare = await client.analysis.request(*asset.parts, analysis_person_count=0)
    other = seed_asset(emu.state, "clip.mov")
    full = await client.analysis.request(
        *other.parts,
        analysis_person_count=10,
        scene_range="EXTRA_SHORT",
        tag_ids=[101, 203, 307],
        source_language="ZH-TW",
        detect_audio_effects=True,
    )

    assert ("VIDEO", "MEDIUM", "ENKO", False, ()) == (
        bare.type,
        bare.analysis_setting.scene_range,
        bare.analysis_setting.source_language,
        bare.analysis_setting.detect_audio_effects,
        bare.analysis_setting.tag_id_list,
    )
    assert ("EXTRA_SHORT", 10, (101, 203, 307), "ZH-TW", True) == (
        full.analysis_setting.scene_range,
        full.analysis_setting.analysis_person_count,
        full.analysis_setting.tag_id_list,
        full.analysis_setting.source_language,
        full.analysis_setting.detect_audio_effects,
    )
    assert full.index_id > bare.index_id


async def test_status_moves_along_the_clock(client, asset, slow):
    """BEFORE_ANALYZE, WAIT_ANALYZE, ANALYZING, then ANALYZE_COMPLETED."""
    seen = [(await client.analysis.status(*asset.parts)).status]
    index = await client.analysis.request(
        *asset.parts, analysis_person_count=1
    )
    for now in (0.0, 5.0, 10.0):
        slow.now = now
        seen.append((await client.analysis.status(*asset.parts)).status)
    done = await client.analysis.status(*asset.parts)

    assert [
        "BEFORE_ANALYZE",
        "WAIT_ANALYZE",
        "ANALYZING",
        "ANALYZE_COMPLETED",
    ] == seen
    assert (index.index_id, None) == (
        done.index_id,
        done.analyze_status_message,
    )


async def test_cancel(client, asset, slow):
    """A waiting analysis is cancelled and leaves no index."""
    await client.analysis.request(*asset.parts, analysis_person_count=0)

    await client.analysis.cancel(*asset.parts)
    slow.now = 60.0
    status = await client.analysis.status(*asset.parts)
    indexes = await client.indexes.list(*asset.parts)

    assert ("ANALYZE_CANCEL", None) == (status.status, status.index_id)
    assert 0 == indexes.total_count


async def test_failure_message(emu, client, asset, slow):
    """A failed analysis reports its reason in analyze_status_message."""
    await client.analysis.request(*asset.parts, analysis_person_count=0)
    emu.state.analyses.fail(*asset.parts, "Video parsing failed.")

    status = await client.analysis.status(*asset.parts)

    assert ("ANALYZE_FAIL", "Video parsing failed.") == (
        status.status,
        status.analyze_status_message,
    )


async def test_image_analysis(emu, client):
    """Images are analysed into IMAGE indexes without a scene range."""
    image = seed_asset(emu.state, "photos/cat.png")

    index = await client.analysis.request(
        *image.parts, analysis_person_count=0
    )

    assert ("IMAGE", None) == (index.type, index.analysis_setting.scene_range)


async def test_legacy_paths(emu, asset):
    """A legacy client analyses through video-assets and reads `id`."""
    async with MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        endpoint=emu.url,
        legacy=True,
    ) as legacy:
        index = await legacy.analysis.request(
            *asset.parts, analysis_person_count=0
        )
        status = await legacy.analysis.status(*asset.parts)

    assert isinstance(index, Index)
    assert index.index_id == status.index_id
    assert 1 == emu.stats.by_route["request_analysis_legacy"]
    assert 1 == emu.stats.by_route["analysis_status_legacy"]


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"analysis_person_count": -1}, id="count-negative"),
        pytest.param({"analysis_person_count": 11}, id="count-above-10"),
        pytest.param({"analysis_person_count": True}, id="count-bool"),
        pytest.param({"analysis_person_count": 1.0}, id="count-float"),
        pytest.param(
            {"analysis_person_count": 0, "scene_range": "medium"},
            id="scene-range-case",
        ),
        pytest.param(
            {"analysis_person_count": 0, "scene_range": "XL"},
            id="scene-range-unknown",
        ),
        pytest.param(
            {"analysis_person_count": 0, "tag_ids": []}, id="no-tags"
        ),
        pytest.param(
            {"analysis_person_count": 0, "tag_ids": list(range(1, 32))},
            id="31-tags",
        ),
        pytest.param(
            {"analysis_person_count": 0, "tag_ids": [1, 0]}, id="tag-zero"
        ),
        pytest.param(
            {"analysis_person_count": 0, "tag_ids": "1,2"}, id="tags-text"
        ),
        pytest.param(
            {"analysis_person_count": 0, "source_language": "ZH"},
            id="language",
        ),
        pytest.param(
            {"analysis_person_count": 0, "detect_audio_effects": 1},
            id="audio-not-bool",
        ),
    ],
)
async def test_invalid_options_send_nothing(emu, client, asset, options):
    """Options outside the documented ranges are refused before sending."""
    before = emu.stats.requests

    with pytest.raises(ValidationError):
        await client.analysis.request(*asset.parts, **options)

    assert before == emu.stats.requests


@pytest.mark.parametrize(
    "ids",
    [
        pytest.param(("", 1, 1), id="workspace"),
        pytest.param((WS, 0, 1), id="project"),
        pytest.param((WS, 1, -5), id="asset"),
    ],
)
async def test_invalid_path_sends_nothing(emu, client, ids):
    """Bad path parts are refused by every analysis call before sending."""
    before = emu.stats.requests

    for call in (
        client.analysis.request(*ids, analysis_person_count=0),
        client.analysis.cancel(*ids),
        client.analysis.status(*ids),
    ):
        with pytest.raises(ValidationError):
            await call

    assert before == emu.stats.requests


async def test_tag_ids_at_the_bounds(client, emu, asset):
    """One and thirty tag ids are both accepted."""
    one = await client.analysis.request(
        *asset.parts, analysis_person_count=0, tag_ids=[5]
    )
    other = seed_asset(emu.state, "b.mp4")
    thirty = await client.analysis.request(
        *other.parts, analysis_person_count=0, tag_ids=range(1, 31)
    )

    assert (1, 30) == (
        len(one.analysis_setting.tag_id_list),
        len(thirty.analysis_setting.tag_id_list),
    )


async def test_asset_not_imported(emu, client, clock):
    """Analysing an asset still importing is 400 with code 10014."""
    emu.state.import_delay = 30.0
    pending = seed_asset(emu.state, "new.mp4")

    with pytest.raises(BadRequest) as info:
        await client.analysis.request(*pending.parts, analysis_person_count=0)

    assert ("10014", "Select the asset you want to analyze.") == (
        info.value.api_code,
        info.value.api_message,
    )


async def test_asset_with_invalid_metadata(emu, client):
    """An asset whose import failed cannot be analysed either (10014)."""
    broken = seed_asset(emu.state, "notes.txt")

    with pytest.raises(BadRequest) as info:
        await client.analysis.request(*broken.parts, analysis_person_count=0)

    assert "10014" == info.value.api_code


async def test_already_analysing(client, asset, slow):
    """A second request while one waits is 400 with code 10500."""
    await client.analysis.request(*asset.parts, analysis_person_count=0)

    with pytest.raises(BadRequest) as info:
        await client.analysis.request(*asset.parts, analysis_person_count=0)

    assert "10500" == info.value.api_code


async def test_reanalysis_adds_an_index(client, asset):
    """Analysing again after completion makes a second index."""
    first = await client.analysis.request(
        *asset.parts, analysis_person_count=0
    )
    second = await client.analysis.request(
        *asset.parts, analysis_person_count=0
    )

    listed = await client.indexes.list(*asset.parts)

    assert [first.index_id, second.index_id] == [
        i.index_id for i in listed.indexes
    ]


@pytest.mark.parametrize(
    "setup",
    [
        pytest.param("never", id="never-analysed"),
        pytest.param("completed", id="completed"),
        pytest.param("cancelled", id="cancelled"),
    ],
)
async def test_nothing_to_cancel(client, asset, slow, setup):
    """Cancelling what is not waiting or running is 400 with 10501."""
    if setup != "never":
        await client.analysis.request(*asset.parts, analysis_person_count=0)
    if setup == "completed":
        slow.now = 10.0
    if setup == "cancelled":
        await client.analysis.cancel(*asset.parts)

    with pytest.raises(BadRequest) as info:
        await client.analysis.cancel(*asset.parts)

    assert "10501" == info.value.api_code


async def test_unknown_asset(client, asset):
    """Every analysis call on an unknown asset is NotFound (10102)."""
    ref = (asset.workspace, asset.project_id, 999_999)

    for call in (
        client.analysis.request(*ref, analysis_person_count=0),
        client.analysis.cancel(*ref),
        client.analysis.status(*ref),
    ):
        with pytest.raises(NotFound) as info:
            await call
        assert "10102" == info.value.api_code


async def test_workspace_busy(client, asset, slow):
    """A workspace cannot be deleted while an analysis runs (10401)."""
    await client.analysis.request(*asset.parts, analysis_person_count=0)

    with pytest.raises(BadRequest) as info:
        await client.workspaces.delete(WS)
    slow.now = 10.0
    await client.workspaces.delete(WS)

    assert "10401" == info.value.api_code


async def test_monthly_analysis_count(client, asset):
    """Each accepted analysis request counts toward the workspace's total."""
    await client.analysis.request(*asset.parts, analysis_person_count=0)

    workspace = await client.workspaces.get(WS)

    assert 1 == workspace.monthly_analysis_count


async def test_analysis_delay_knob():
    """The analysis_delay knob reaches the emulator's state."""
    async with Emulator(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, analysis_delay=7.5
    ) as emu:
        assert 7.5 == emu.state.analysis_delay
