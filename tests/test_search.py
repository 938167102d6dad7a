"""
Search over loopback: search images, requests, result pages.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from mediahelpers import WS, seed_asset, seed_index

from maiu_async import (
    BadRequest,
    DialogQuery,
    NotFound,
    PersonQuery,
    SearchHit,
    ValidationError,
)


pytestmark = pytest.mark.anyio


@pytest.fixture(name="library")
def _library(emu):
    """Three analysed assets in two projects, and one not analysed."""
    beach, beach_index = seed_index(emu.state, "trips/Beach-Sunset.mp4")
    city, _ = seed_index(emu.state, "trips/city.png")
    mountain, _ = seed_index(emu.state, "hikes/mountain-beach.mov")
    seed_asset(emu.state, "trips/beach-raw.mp4")
    return beach, beach_index, city, mountain


async def _hits(client, **request):
    job = await client.search.request(WS, **request)
    page = await client.search.results(WS, job.search_id)
    return [h.file_name for h in page.content]


async def test_text_search(client, library):
    """A text query finds the analysed assets whose key contains it."""
    beach, beach_index, _, mountain = library

    job = await client.search.request(
        WS, text="beach", project_ids=[beach.project_id, mountain.project_id]
    )
    page = await client.search.results(WS, job.search_id)

    assert (job.search_id, "COMPLETED", 2, 1, 1, 50) == (
        page.search_id,
        page.status,
        page.total_count,
        page.total_page,
        page.page_no,
        page.page_size,
    )
    assert (
        SearchHit(
            asset_id=beach.asset_id,
            project_id=beach.project_id,
            index_id=beach_index,
            asset_type="VIDEO",
            file_name="trips/Beach-Sunset.mp4",
            score=1.0,
        )
        == page.content[0]
    )


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        pytest.param(
            {"asset_types": ["IMAGE"]}, ["trips/city.png"], id="images"
        ),
        pytest.param(
            {"persons": PersonQuery(must=(1,))}, [], id="person-must"
        ),
        pytest.param(
            {"persons": PersonQuery(must_not=(1,))},
            ["trips/Beach-Sunset.mp4", "trips/city.png"],
            id="person-not",
        ),
        pytest.param(
            {"dialog": DialogQuery(any_of=("hello",))}, [], id="dialog-any"
        ),
        pytest.param(
            {"index_modified_to": datetime(2000, 1, 1)}, [], id="old"
        ),
    ],
)
async def test_filters(client, library, request_, expected):
    """Types, persons, dialogue and times narrow the results."""
    beach, _, city, _ = library

    found = await _hits(
        client,
        text="t",
        project_ids=[beach.project_id, city.project_id],
        **request_,
    )

    assert expected == found


async def test_asset_ids_and_project_ids_both_apply(client, library):
    """Given both, an asset must be in the projects and in the ids."""
    beach, _, city, mountain = library

    found = await _hits(
        client,
        text="beach",
        project_ids=[beach.project_id, city.project_id],
        asset_ids=[beach.asset_id, mountain.asset_id],
    )

    assert ["trips/Beach-Sunset.mp4"] == found


async def test_modified_range_and_options(client, library):
    """Time bounds around now keep everything; options are accepted."""
    beach, _, _, _ = library
    now = datetime.now(UTC).replace(tzinfo=None)

    found = await _hits(
        client,
        text="beach",
        asset_ids=[beach.asset_id],
        index_modified_from=now - timedelta(hours=1),
        index_modified_to=now + timedelta(hours=1),
        confidence_level="HIGH",
    )

    assert ["trips/Beach-Sunset.mp4"] == found


async def test_result_pages(client, library):
    """Results page with page_num and page_size."""
    beach, _, city, mountain = library
    job = await client.search.request(
        WS,
        text="t",
        project_ids=[p.project_id for p in (beach, city, mountain)],
    )

    second = await client.search.results(
        WS, job.search_id, page_num=2, page_size=2
    )

    assert (3, 2, ["hikes/mountain-beach.mov"]) == (
        second.total_count,
        second.total_page,
        [h.file_name for h in second.content],
    )


async def test_image_search(client, emu, library):
    """Upload URL, PUT, confirm, then search with the confirmed key."""
    beach, _, _, _ = library
    upload = await client.search.image_upload_url("query.HEIC")
    async with (
        aiohttp.ClientSession() as session,
        session.put(upload.presigned_upload_url, data=b"img") as put,
    ):
        put_status = put.status
    done = await client.search.complete_image_upload(upload.asset_file_key)

    found = await _hits(
        client, image_key=done.key, project_ids=[beach.project_id]
    )

    assert 200 == put_status
    assert (900, "COMPLETED", None) == (
        upload.expiration_seconds,
        done.upload_status,
        done.upload_message,
    )
    assert upload.asset_file_key.removesuffix(".HEIC") + ".jpg" == done.key
    assert ["trips/Beach-Sunset.mp4"] == found


async def test_unknown_upload_fails(client):
    """Confirming a key that was never issued reports FAILED."""
    done = await client.search.complete_image_upload("query-assets/9/x.jpg")

    assert ("FAILED", "query-assets/9/x.jpg") == (done.upload_status, done.key)
    assert done.upload_message


async def test_image_not_uploaded(client, library):
    """Searching with an image key never confirmed is 400 with 10506."""
    with pytest.raises(BadRequest) as info:
        await client.search.request(
            WS, image_key="query-assets/1/nope.jpg", asset_ids=[1]
        )

    assert "10506" == info.value.api_code


async def test_unknown_search(client, library):
    """Results of an unknown search are NotFound with 10105."""
    with pytest.raises(NotFound) as info:
        await client.search.results(WS, "search-404")

    assert "10105" == info.value.api_code


async def test_unknown_workspace(client):
    """Searching an unknown workspace is NotFound with 10100."""
    with pytest.raises(NotFound) as info:
        await client.search.request("nowhere", text="x", project_ids=[1])

    assert "10100" == info.value.api_code


NOW = datetime(2026, 1, 1)


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param({"project_ids": [1]}, id="no-query"),
        pytest.param(
            {"text": "a", "image_key": "k", "project_ids": [1]},
            id="text-and-image",
        ),
        pytest.param({"text": "a;b", "project_ids": [1]}, id="semicolon"),
        pytest.param({"text": "a|b", "project_ids": [1]}, id="bar"),
        pytest.param({"text": "a`b", "project_ids": [1]}, id="backtick"),
        pytest.param({"text": "  ", "project_ids": [1]}, id="blank"),
        pytest.param({"text": "a" * 1001, "project_ids": [1]}, id="long"),
        pytest.param({"image_key": "", "project_ids": [1]}, id="empty-key"),
        pytest.param({"text": "a"}, id="no-filter"),
        pytest.param(
            {"text": "a", "project_ids": [], "asset_ids": []},
            id="empty-filter",
        ),
        pytest.param({"text": "a", "project_ids": [0]}, id="project-zero"),
        pytest.param({"text": "a", "asset_ids": ["1"]}, id="asset-text"),
        pytest.param(
            {"text": "a", "project_ids": [1], "asset_types": ["AUDIO"]},
            id="asset-type",
        ),
        pytest.param(
            {"text": "a", "project_ids": [1], "asset_types": "IMAGE"},
            id="asset-types-text",
        ),
        pytest.param(
            {"text": "a", "project_ids": [1], "asset_types": []},
            id="asset-types-empty",
        ),
        pytest.param(
            {"text": "a", "project_ids": [1], "confidence_level": "low"},
            id="confidence",
        ),
        pytest.param(
            {
                "text": "a",
                "project_ids": [1],
                "index_modified_from": NOW,
                "index_modified_to": NOW - timedelta(seconds=1),
            },
            id="time-backwards",
        ),
        pytest.param(
            {
                "text": "a",
                "project_ids": [1],
                "index_modified_from": NOW,
                "index_modified_to": NOW.replace(tzinfo=UTC),
            },
            id="time-mixed-zones",
        ),
        pytest.param(
            {
                "text": "a",
                "project_ids": [1],
                "index_modified_from": "2026-01-01",
            },
            id="time-text",
        ),
        pytest.param(
            {
                "text": "a",
                "project_ids": [1],
                "persons": PersonQuery(must=(0,)),
            },
            id="person-zero",
        ),
        pytest.param(
            {"text": "a", "project_ids": [1], "persons": {"must": [1]}},
            id="persons-dict",
        ),
        pytest.param(
            {
                "text": "a",
                "project_ids": [1],
                "dialog": DialogQuery(must=("a|b",)),
            },
            id="dialog-bar",
        ),
        pytest.param(
            {"text": "a", "project_ids": [1], "dialog": ["hello"]},
            id="dialog-list",
        ),
        pytest.param(
            {"text": "a", "project_ids": [1], "dialog": DialogQuery(must="a")},
            id="dialog-text",
        ),
    ],
)
async def test_invalid_requests_send_nothing(emu, client, request_):
    """Search requests breaking a documented rule are never sent."""
    before = emu.stats.requests

    with pytest.raises(ValidationError):
        await client.search.request(WS, **request_)

    assert before == emu.stats.requests


@pytest.mark.parametrize(
    ("search_id", "paging"),
    [
        pytest.param("", {}, id="empty-id"),
        pytest.param("s\n1", {}, id="control-id"),
        pytest.param("s", {"page_num": 0}, id="page-zero"),
        pytest.param("s", {"page_size": 0}, id="size-zero"),
        pytest.param("s", {"page_size": 101}, id="size-101"),
    ],
)
async def test_invalid_results_calls_send_nothing(
    emu, client, search_id, paging
):
    """Result pages are 1 to 100 hits of a named search."""
    before = emu.stats.requests

    with pytest.raises(ValidationError):
        await client.search.results(WS, search_id, **paging)

    assert before == emu.stats.requests


@pytest.mark.parametrize(
    "file_name",
    ["", "a.gif", "noext", "dir/a.jpg", "a.mp4"],
    ids=["empty", "gif", "no-extension", "path", "video"],
)
async def test_invalid_image_names_send_nothing(emu, client, file_name):
    """Search images are JPG, PNG, WebP or HEIC files, by name."""
    before = emu.stats.requests

    with pytest.raises(ValidationError):
        await client.search.image_upload_url(file_name)

    assert before == emu.stats.requests


@pytest.mark.parametrize(
    "file_name", ["a.jpg", "a.JPEG", "b.png", "c.webp", "d.heic"]
)
async def test_image_names_accepted(client, file_name):
    """Every documented search-image format gets an upload URL."""
    upload = await client.search.image_upload_url(file_name)

    assert upload.asset_file_key.endswith(file_name)


async def test_empty_confirmation_key_sends_nothing(emu, client):
    """Confirming needs a key."""
    before = emu.stats.requests

    with pytest.raises(ValidationError):
        await client.search.complete_image_upload(" ")

    assert before == emu.stats.requests
