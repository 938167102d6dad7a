"""Search-image and search endpoints of the emulator."""

from __future__ import annotations

import pytest

from maiu_async.emulator._analyses import AnalysisSettings


pytestmark = pytest.mark.anyio

UPLOADS = "/api/v1/query-assets/uploads"
SEARCH = "/api/v1/workspaces/ws-test/assets/search"


@pytest.fixture(name="library")
def _library(emu, workspace, project_id):
    """Analysed assets in two projects, plus one never analysed."""
    base_id = next(iter(workspace.projects))
    ids = {}
    for pid, key in (
        (project_id, "Sea/Wave.mp4"),
        (project_id, "sea/shell.png"),
        (base_id, "forest/seaside.mov"),
        (project_id, "sea/raw.mp4"),
    ):
        asset = emu.state.add_asset("ws-test", pid, key, "b")
        ids[key] = asset.asset_id
        if key != "sea/raw.mp4":
            emu.state.analyses.request(
                "ws-test",
                pid,
                asset.asset_id,
                AnalysisSettings(analysis_person_count=0),
            )
    return {"project_id": project_id, "base_id": base_id, "ids": ids}


async def _search(api, body):
    made = await api.post(SEARCH, body)
    assert 200 == made.status, made.body
    search_id = made.body["result"]["searchId"]
    return (await api.get(f"{SEARCH}/{search_id}")).body["result"]


async def test_upload_flow(api, emu):
    """Issue, put, confirm; HEIC confirms as the converted JPG's key."""
    issued = await api.post(
        f"{UPLOADS}/presigned-url",
        {"assetType": "IMAGE", "assetFileName": "my query.heic"},
    )
    result = issued.body["result"]
    put = await api.request(
        "PUT",
        result["presignedUploadUrl"].removeprefix(emu.url),
        data=b"pixels",
        sign=False,
    )
    confirmed = await api.post(
        f"{UPLOADS}/complete", {"assetKey": result["assetFileKey"]}
    )

    assert {"assetFileKey", "presignedUploadUrl", "expirationSeconds"} == set(
        result
    )
    assert (900, "query-assets/1/my query.heic") == (
        result["expirationSeconds"],
        result["assetFileKey"],
    )
    assert result["presignedUploadUrl"].endswith("/1/my%20query.heic")
    assert 200 == put.status
    assert {
        "assetKey": "query-assets/1/my query.jpg",
        "uploadStatus": "COMPLETED",
        "uploadMessage": None,
    } == confirmed.body["result"]


async def test_unknown_upload(api):
    """Confirming a key never issued answers FAILED, not an error."""
    reply = await api.post(f"{UPLOADS}/complete", {"assetKey": "k.jpg"})

    assert ("FAILED", "k.jpg") == (
        reply.body["result"]["uploadStatus"],
        reply.body["result"]["assetKey"],
    )


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"assetFileName": "a.jpg"}, id="no-type"),
        pytest.param(
            {"assetType": "VIDEO", "assetFileName": "a.mp4"}, id="video"
        ),
        pytest.param({"assetType": "IMAGE"}, id="no-name"),
    ],
)
async def test_upload_url_validates(api, body):
    """Upload URLs are for named images only: otherwise 10001."""
    reply = await api.post(f"{UPLOADS}/presigned-url", body)

    assert (400, "10001") == (reply.status, reply.body["code"])


async def test_text_search(api, library):
    """Text matches keys case-insensitively among analysed assets."""
    result = await _search(
        api,
        {
            "query": {"textQuery": "SEA"},
            "filter": {
                "projectIds": [library["project_id"], library["base_id"]]
            },
        },
    )

    assert ["Sea/Wave.mp4", "sea/shell.png", "forest/seaside.mov"] == [
        h["fileName"] for h in result["content"]
    ]
    assert {
        "searchId",
        "status",
        "content",
        "totalCount",
        "totalPage",
        "pageNo",
        "pageSize",
    } == set(result)
    assert (3, 1, 1, 50, "COMPLETED") == (
        result["totalCount"],
        result["totalPage"],
        result["pageNo"],
        result["pageSize"],
        result["status"],
    )
    assert {
        "assetId",
        "projectId",
        "indexId",
        "assetType",
        "fileName",
        "score",
    } == set(result["content"][0])


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        pytest.param(
            {"filter": {"assetTypes": ["IMAGE"]}}, ["sea/shell.png"], id="type"
        ),
        pytest.param(
            {"query": {"personQuery": {"must": [1]}}}, [], id="person-must"
        ),
        pytest.param(
            {"query": {"personQuery": {"any": [1]}}}, [], id="person-any"
        ),
        pytest.param(
            {"query": {"personQuery": {"not": [1]}}},
            ["Sea/Wave.mp4", "sea/shell.png"],
            id="person-not",
        ),
        pytest.param(
            {"query": {"dialogQuery": {"must": ["hi"]}}}, [], id="dialog"
        ),
        pytest.param(
            {"filter": {"indexModifiedFrom": "2999-01-01T00:00:00"}},
            [],
            id="from-future",
        ),
        pytest.param(
            {"filter": {"indexModifiedTo": "2000-01-01T00:00:00+09:00"}},
            [],
            id="to-past-aware",
        ),
        pytest.param(
            {"queryOption": {"confidenceLevel": "HIGH"}},
            ["Sea/Wave.mp4", "sea/shell.png"],
            id="confidence",
        ),
    ],
)
async def test_narrowing(api, library, extra, expected):
    """Filters and person/dialogue clauses narrow the hits."""
    body = {
        "query": {"textQuery": "sea", **extra.get("query", {})},
        "filter": {
            "projectIds": [library["project_id"]],
            **extra.get("filter", {}),
        },
    }
    body.update({k: v for k, v in extra.items() if k not in body})

    result = await _search(api, body)

    assert expected == [h["fileName"] for h in result["content"]]


async def test_ids_filters_intersect(api, library):
    """Project ids and asset ids both apply; unknown ids are ignored."""
    ids = library["ids"]

    result = await _search(
        api,
        {
            "query": {"textQuery": "s"},
            "filter": {
                "projectIds": [library["project_id"], 999],
                "assetIds": [ids["sea/shell.png"], ids["forest/seaside.mov"]],
            },
        },
    )

    assert ["sea/shell.png"] == [h["fileName"] for h in result["content"]]


async def test_image_search(api, library):
    """A confirmed image key matches every analysed candidate."""
    issued = await api.post(
        f"{UPLOADS}/presigned-url",
        {"assetType": "IMAGE", "assetFileName": "q.png"},
    )
    key = issued.body["result"]["assetFileKey"]
    unconfirmed = await api.post(
        SEARCH,
        {"query": {"imageQuery": key}, "filter": {"assetIds": [1]}},
    )
    await api.post(f"{UPLOADS}/complete", {"assetKey": key})

    result = await _search(
        api,
        {
            "query": {"imageQuery": key},
            "filter": {"projectIds": [library["base_id"]]},
        },
    )

    assert (400, "10506") == (unconfirmed.status, unconfirmed.body["code"])
    assert ["forest/seaside.mov"] == [h["fileName"] for h in result["content"]]


async def test_paging(api, library):
    """Result pages default to 50 and accept pageNum and pageSize."""
    made = await api.post(
        SEARCH,
        {
            "query": {"textQuery": "s"},
            "filter": {"projectIds": [library["project_id"]]},
        },
    )
    search_id = made.body["result"]["searchId"]

    page = await api.get(f"{SEARCH}/{search_id}?pageNum=2&pageSize=1")
    too_big = await api.get(f"{SEARCH}/{search_id}?pageSize=101")

    assert (2, 2, 1, ["sea/shell.png"]) == (
        page.body["result"]["totalCount"],
        page.body["result"]["pageNo"],
        page.body["result"]["pageSize"],
        [h["fileName"] for h in page.body["result"]["content"]],
    )
    assert (400, "10001") == (too_big.status, too_big.body["code"])


async def test_unknown_search(api, workspace):
    """An unknown search id is 404 with 10105."""
    reply = await api.get(f"{SEARCH}/search-999")

    assert (404, "10105") == (reply.status, reply.body["code"])


async def test_searches_belong_to_their_workspace(api, emu, library):
    """A search is not found through another workspace."""
    emu.state.add_workspace("ws-other")
    made = await api.post(
        SEARCH, {"query": {"textQuery": "s"}, "filter": {"assetIds": [1]}}
    )
    search_id = made.body["result"]["searchId"]

    reply = await api.get(
        f"/api/v1/workspaces/ws-other/assets/search/{search_id}"
    )

    assert (404, "10105") == (reply.status, reply.body["code"])


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"filter": {"projectIds": [1]}}, id="no-query"),
        pytest.param(
            {
                "query": {"textQuery": "a", "imageQuery": "k"},
                "filter": {"projectIds": [1]},
            },
            id="both",
        ),
        pytest.param(
            {"query": {"textQuery": "a;b"}, "filter": {"projectIds": [1]}},
            id="semicolon",
        ),
        pytest.param({"query": {"textQuery": "a"}}, id="no-filter"),
        pytest.param(
            {"query": {"textQuery": "a"}, "filter": {"projectIds": []}},
            id="empty-filter",
        ),
        pytest.param(
            {
                "query": {"textQuery": "a"},
                "filter": {"projectIds": [1], "assetTypes": ["AUDIO"]},
            },
            id="asset-type",
        ),
        pytest.param(
            {
                "query": {"textQuery": "a"},
                "filter": {"projectIds": [1], "assetTypes": "IMAGE"},
            },
            id="asset-types-text",
        ),
        pytest.param(
            {
                "query": {"textQuery": "a"},
                "filter": {"projectIds": [1], "indexModifiedFrom": "soon"},
            },
            id="time",
        ),
        pytest.param(
            {
                "query": {"textQuery": "a"},
                "filter": {"projectIds": [1], "indexModifiedTo": 5},
            },
            id="time-number",
        ),
        pytest.param(
            {
                "query": {"textQuery": "a", "dialogQuery": {"must": "hi"}},
                "filter": {"projectIds": [1]},
            },
            id="dialog-text",
        ),
        pytest.param(
            {
                "query": {"textQuery": "a", "dialogQuery": {"not": ["a|b"]}},
                "filter": {"projectIds": [1]},
            },
            id="dialog-bar",
        ),
        pytest.param(
            {
                "query": {"textQuery": "a", "personQuery": {"must": ["x"]}},
                "filter": {"projectIds": [1]},
            },
            id="person-text",
        ),
        pytest.param(
            {
                "query": {"textQuery": "a", "personQuery": [1]},
                "filter": {"projectIds": [1]},
            },
            id="person-list",
        ),
        pytest.param(
            {
                "query": {"textQuery": "a"},
                "queryOption": {"confidenceLevel": "max"},
                "filter": {"projectIds": [1]},
            },
            id="confidence",
        ),
    ],
)
async def test_search_validates(api, workspace, body):
    """Bodies breaking the documented rules are 400 with 10001."""
    reply = await api.post(SEARCH, body)

    assert (400, "10001") == (reply.status, reply.body["code"])
