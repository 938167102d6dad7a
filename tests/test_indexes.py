"""
Indexes over loopback: list, details with a confidence level, delete.
"""

from __future__ import annotations

import pytest

from mediahelpers import Clock, seed_asset, seed_index

from maiu_async import (
    AnalysisSetting,
    BadRequest,
    IndexDetail,
    NotFound,
    ValidationError,
)


pytestmark = pytest.mark.anyio


@pytest.fixture(name="indexed")
def _indexed(emu):
    """An analysed video asset and its index id."""
    return seed_index(emu.state)


async def test_list(client, indexed):
    """An asset's indexes are listed with their settings, unpaginated."""
    asset, index_id = indexed

    listed = await client.indexes.list(*asset.parts)

    assert 1 == listed.total_count
    (index,) = listed.indexes
    assert (index_id, "VIDEO") == (index.index_id, index.type)
    assert (
        AnalysisSetting(
            analysis_engine="Sinossi v1.0",
            scene_range="MEDIUM",
            analysis_person_count=0,
            tag_id_list=(),
            source_language="ENKO",
            detect_audio_effects=False,
        )
        == index.analysis_setting
    )
    assert index.created_time is not None


async def test_list_before_analysis(emu, client):
    """An asset never analysed has no indexes."""
    asset = seed_asset(emu.state)

    listed = await client.indexes.list(*asset.parts)

    assert ((), 0) == (listed.indexes, listed.total_count)


@pytest.mark.parametrize(
    ("level", "keywords"),
    [
        pytest.param(None, ["beach", "sunset"], id="default"),
        pytest.param("LOW", ["beach", "sunset"], id="low"),
        pytest.param("HIGH", ["beach"], id="high"),
    ],
)
async def test_get(emu, client, indexed, level, keywords):
    """Details carry the index and, raw, the undocumented results."""
    asset, index_id = indexed

    detail = await client.indexes.get(
        *asset.parts, index_id, confidence_level=level
    )

    assert isinstance(detail, IndexDetail)
    assert index_id == detail.index.index_id
    assert keywords == detail.raw["scenes"][0]["keywords"]
    assert (level or "MEDIUM") == detail.raw["confidenceLevel"]


@pytest.mark.parametrize(
    "level",
    ["high", "VERY_HIGH", "", 3],
    ids=["lower", "unknown", "empty", "int"],
)
async def test_bad_confidence_level_sends_nothing(emu, client, indexed, level):
    """Unknown confidence levels are refused before sending."""
    asset, index_id = indexed
    before = emu.stats.requests

    with pytest.raises(ValidationError):
        await client.indexes.get(
            *asset.parts, index_id, confidence_level=level
        )

    assert before == emu.stats.requests


@pytest.mark.parametrize("index_id", [0, -1, True, "3000001"])
async def test_bad_index_id_sends_nothing(emu, client, indexed, index_id):
    """Index ids must be positive integers, checked before sending."""
    asset, _ = indexed
    before = emu.stats.requests

    for call in (
        client.indexes.get(*asset.parts, index_id),
        client.indexes.delete(*asset.parts, index_id),
    ):
        with pytest.raises(ValidationError):
            await call

    assert before == emu.stats.requests


async def test_delete(client, indexed):
    """A deleted index is gone from the list and from details."""
    asset, index_id = indexed

    await client.indexes.delete(*asset.parts, index_id)
    listed = await client.indexes.list(*asset.parts)

    assert 0 == listed.total_count
    with pytest.raises(NotFound) as info:
        await client.indexes.get(*asset.parts, index_id)
    assert "10103" == info.value.api_code


async def test_unknown_index(client, indexed):
    """Reading or deleting an unknown index is NotFound with 10103."""
    asset, _ = indexed

    for call in (
        client.indexes.get(*asset.parts, 42),
        client.indexes.delete(*asset.parts, 42),
    ):
        with pytest.raises(NotFound) as info:
            await call
        assert "10103" == info.value.api_code


async def test_index_of_another_asset(emu, client, indexed):
    """An index is reachable only through its own asset."""
    _, index_id = indexed
    other = seed_asset(emu.state, "other.mp4")

    with pytest.raises(NotFound) as info:
        await client.indexes.get(*other.parts, index_id)

    assert "10103" == info.value.api_code


async def test_delete_while_summarising(emu, client, indexed):
    """An index being summarised cannot be deleted (10502)."""
    asset, index_id = indexed
    emu.state.clock = Clock()
    emu.state.summary_delay = 10.0
    await client.scene_summaries.request(*asset.parts, index_id)

    with pytest.raises(BadRequest) as info:
        await client.indexes.delete(*asset.parts, index_id)

    assert "10502" == info.value.api_code
