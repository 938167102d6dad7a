"""Analysis and index endpoints of the emulator, current and legacy."""

from __future__ import annotations

import pytest


pytestmark = pytest.mark.anyio

WS = "/api/v1/workspaces/ws-test"
AUDIT = {"createdUserName", "createdTime", "updatedUserName", "updatedTime"}

CURRENT = pytest.param(("assets", "indexId"), id="assets")
LEGACY = pytest.param(("video-assets", "id"), id="video-assets")


@pytest.fixture(name="flavour", params=[CURRENT, LEGACY])
def _flavour(request):
    return request.param


@pytest.fixture(name="now")
def _now(emu):
    """The state's clock, as a one-item list to move it with."""
    now = [0.0]
    emu.state.clock = lambda: now[0]
    return now


@pytest.fixture(name="asset")
def _asset(emu, project_id, flavour, now):
    """The path of an imported video asset."""
    asset = emu.state.add_asset("ws-test", project_id, "a/Big-Day.mp4", "b")
    return f"{WS}/projects/{project_id}/{flavour[0]}/{asset.asset_id}"


async def test_request_answers_the_index(api, asset, flavour):
    """The request answers the index it fills, with its settings."""
    reply = await api.post(
        f"{asset}/analyze",
        {"analysisPersonCount": 3, "tagIdList": ["101", 203]},
    )

    result = reply.body["result"]
    assert 200 == reply.status
    assert {flavour[1], "type", "analysisSetting", *AUDIT} == set(result)
    assert {
        "analysisEngine": "Sinossi v1.0",
        "sceneRange": "MEDIUM",
        "analysisPersonCount": 3,
        "tagIdList": [101, 203],
        "sourceLanguage": "ENKO",
        "detectAudioEffects": False,
    } == result["analysisSetting"]


async def test_status_follows_the_clock(api, emu, asset, flavour, now):
    """Status moves through the documented states over analysis_delay."""
    emu.state.analysis_delay = 4.0
    before = await api.get(f"{asset}/analyze-status")
    made = await api.post(f"{asset}/analyze", {"analysisPersonCount": 0})
    seen = []
    for t in (0.0, 1.9, 2.0, 4.0):
        now[0] = t
        seen.append((await api.get(f"{asset}/analyze-status")).body["result"])

    assert {
        "status": "BEFORE_ANALYZE",
        "analyzeStatusMessage": None,
        "indexId": None,
    } == before.body["result"]
    assert [
        "WAIT_ANALYZE",
        "WAIT_ANALYZE",
        "ANALYZING",
        "ANALYZE_COMPLETED",
    ] == [s["status"] for s in seen]
    assert [None, None, None] == [s["indexId"] for s in seen[:3]]
    assert made.body["result"][flavour[1]] == seen[3]["indexId"]


async def test_index_listed_only_once_complete(api, emu, asset, now):
    """The index appears in the list when the analysis completes."""
    emu.state.analysis_delay = 4.0
    await api.post(f"{asset}/analyze", {"analysisPersonCount": 0})

    during = await api.get(f"{asset}/indexes")
    now[0] = 4.0
    after = await api.get(f"{asset}/indexes")

    assert {"totalCount": 0, "indexes": []} == during.body["result"]
    assert 1 == after.body["result"]["totalCount"]
    (index,) = after.body["result"]["indexes"]
    assert {"indexId", "type", "analysisSetting", *AUDIT} == set(index)
    assert "VIDEO" == index["type"]


async def test_cancel(api, emu, asset):
    """Cancel answers no result and leaves ANALYZE_CANCEL."""
    emu.state.analysis_delay = 4.0
    await api.post(f"{asset}/analyze", {"analysisPersonCount": 0})

    reply = await api.delete(f"{asset}/analyze")
    again = await api.delete(f"{asset}/analyze")
    status = await api.get(f"{asset}/analyze-status")

    assert {"code": "0", "message": "success"} == reply.body
    assert (400, "10501") == (again.status, again.body["code"])
    assert "ANALYZE_CANCEL" == status.body["result"]["status"]


async def test_fail_for_tests(api, emu, asset, project_id):
    """The fail helper makes a running analysis ANALYZE_FAIL."""
    emu.state.analysis_delay = 4.0
    await api.post(f"{asset}/analyze", {"analysisPersonCount": 0})
    aid = int(asset.rsplit("/", 1)[1])

    emu.state.analyses.fail("ws-test", project_id, aid, "bad codec")
    status = await api.get(f"{asset}/analyze-status")

    assert {
        "status": "ANALYZE_FAIL",
        "analyzeStatusMessage": "bad codec",
        "indexId": None,
    } == status.body["result"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="no-count"),
        pytest.param({"analysisPersonCount": 11}, id="count-11"),
        pytest.param({"analysisPersonCount": -1}, id="count-negative"),
        pytest.param({"analysisPersonCount": "2"}, id="count-text"),
        pytest.param({"analysisPersonCount": True}, id="count-bool"),
        pytest.param(
            {"analysisPersonCount": 0, "sceneRange": "HUGE"}, id="range"
        ),
        pytest.param(
            {"analysisPersonCount": 0, "tagIdList": []}, id="no-tags"
        ),
        pytest.param(
            {"analysisPersonCount": 0, "tagIdList": list(range(1, 32))},
            id="31-tags",
        ),
        pytest.param(
            {"analysisPersonCount": 0, "tagIdList": "1"}, id="tags-text"
        ),
        pytest.param(
            {"analysisPersonCount": 0, "tagIdList": [1.5]}, id="tag-float"
        ),
        pytest.param(
            {"analysisPersonCount": 0, "sourceLanguage": "FR"}, id="language"
        ),
        pytest.param(
            {"analysisPersonCount": 0, "detectAudioEffects": "yes"},
            id="audio",
        ),
        pytest.param([0], id="not-an-object"),
    ],
)
async def test_request_validates(api, asset, body):
    """Bodies breaking the documented rules are 400 with 10001."""
    reply = await api.post(f"{asset}/analyze", body)

    assert (400, "10001") == (reply.status, reply.body["code"])


async def test_not_imported(launch, api_for):
    """An asset still importing cannot be analysed: 400 with 10014."""
    emu = await launch(import_delay=60.0)
    emu.state.add_workspace("ws-test")
    project_id = emu.state.add_project("ws-test", "p").project_id
    asset = emu.state.add_asset("ws-test", project_id, "k.mp4", "b")

    reply = await api_for(emu).post(
        f"{WS}/projects/{project_id}/assets/{asset.asset_id}/analyze",
        {"analysisPersonCount": 0},
    )

    assert (400, "10014", "Select the asset you want to analyze.") == (
        reply.status,
        reply.body["code"],
        reply.body["message"],
    )


async def test_already_running(api, emu, asset):
    """A second request while one runs is 400 with 10500."""
    emu.state.analysis_delay = 4.0
    await api.post(f"{asset}/analyze", {"analysisPersonCount": 0})

    reply = await api.post(f"{asset}/analyze", {"analysisPersonCount": 0})

    assert (400, "10500") == (reply.status, reply.body["code"])


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("POST", "/analyze"),
        ("DELETE", "/analyze"),
        ("GET", "/analyze-status"),
        ("GET", "/indexes"),
        ("GET", "/indexes/1"),
        ("DELETE", "/indexes/1"),
    ],
)
async def test_unknown_asset(api, project_id, flavour, method, suffix):
    """Every analysis and index route answers 404 10102 for no asset."""
    target = f"{WS}/projects/{project_id}/{flavour[0]}/999999{suffix}"

    reply = await api.request(method, target, json_body={})

    assert (404, "10102") == (reply.status, reply.body["code"])


async def test_index_detail(api, asset, flavour):
    """Details add the confidence level and scenes with keywords."""
    made = await api.post(f"{asset}/analyze", {"analysisPersonCount": 0})
    index_id = made.body["result"][flavour[1]]

    reply = await api.get(f"{asset}/indexes/{index_id}?confidence_level=LOW")
    default = await api.get(f"{asset}/indexes/{index_id}")

    detail = reply.body["result"]
    assert index_id == detail["indexId"]
    assert "LOW" == detail["confidenceLevel"]
    assert [
        {
            "sceneId": 1,
            "startTimeMs": 0,
            "endTimeMs": 20_000,
            "keywords": ["a", "big", "day"],
        },
        {
            "sceneId": 2,
            "startTimeMs": 20_000,
            "endTimeMs": 40_000,
            "keywords": ["a", "big", "day"],
        },
        {
            "sceneId": 3,
            "startTimeMs": 40_000,
            "endTimeMs": 60_000,
            "keywords": ["a", "big", "day"],
        },
    ] == detail["scenes"]
    assert "MEDIUM" == default.body["result"]["confidenceLevel"]


@pytest.mark.parametrize(
    "query", ["?confidence_level=low", "?confidence_level="]
)
async def test_index_detail_validates(api, asset, flavour, query):
    """Unknown confidence levels are 400 with 10001."""
    made = await api.post(f"{asset}/analyze", {"analysisPersonCount": 0})
    index_id = made.body["result"][flavour[1]]

    reply = await api.get(f"{asset}/indexes/{index_id}{query}")

    assert (400, "10001") == (reply.status, reply.body["code"])


async def test_delete_index(api, asset, flavour):
    """A deleted index is gone: 404 with 10103 afterwards."""
    made = await api.post(f"{asset}/analyze", {"analysisPersonCount": 0})
    index_id = made.body["result"][flavour[1]]

    reply = await api.delete(f"{asset}/indexes/{index_id}")
    again = await api.get(f"{asset}/indexes/{index_id}")

    assert {"code": "0", "message": "success"} == reply.body
    assert (404, "10103") == (again.status, again.body["code"])


async def test_non_integer_index_id(api, asset):
    """An index id that is not an integer is 400 with 10001."""
    reply = await api.get(f"{asset}/indexes/latest")

    assert (400, "10001") == (reply.status, reply.body["code"])


async def test_image_index(api, emu, project_id):
    """Images make IMAGE indexes with one scene and no scene range."""
    image = emu.state.add_asset("ws-test", project_id, "pics/cat.heic", "b")
    target = f"{WS}/projects/{project_id}/assets/{image.asset_id}"

    made = await api.post(
        f"{target}/analyze",
        {"analysisPersonCount": 0, "sceneRange": "LONG"},
    )
    index_id = made.body["result"]["indexId"]
    detail = await api.get(
        f"{target}/indexes/{index_id}?confidence_level=HIGH"
    )

    assert ("IMAGE", None) == (
        made.body["result"]["type"],
        made.body["result"]["analysisSetting"]["sceneRange"],
    )
    assert [
        {"sceneId": 1, "startTimeMs": 0, "endTimeMs": 0, "keywords": ["pics"]}
    ] == detail.body["result"]["scenes"]


async def test_workspace_busy(api, emu, asset, now):
    """A workspace is not deleted while an analysis waits (10401)."""
    emu.state.analysis_delay = 4.0
    await api.post(f"{asset}/analyze", {"analysisPersonCount": 0})

    busy = await api.delete(WS)
    now[0] = 4.0
    done = await api.delete(WS)

    assert (400, "10401") == (busy.status, busy.body["code"])
    assert 200 == done.status


async def test_counters(api, emu, asset, flavour):
    """Routes are counted under their names, legacy ones suffixed."""
    await api.post(f"{asset}/analyze", {"analysisPersonCount": 0})
    await api.get(f"{asset}/analyze-status")
    await api.get(f"{asset}/indexes")

    suffix = "_legacy" if flavour[0] == "video-assets" else ""
    assert {
        f"request_analysis{suffix}": 1,
        f"analysis_status{suffix}": 1,
        f"list_indexes{suffix}": 1,
    } == emu.stats.by_route
    assert 1 == emu.state.workspace("ws-test").monthly_analysis_count
