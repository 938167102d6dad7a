"""Scene-summary endpoints of the emulator."""

from __future__ import annotations

import pytest

from maiu_async.emulator._analyses import AnalysisSettings


pytestmark = pytest.mark.anyio

WS = "/api/v1/workspaces/ws-test"


@pytest.fixture(name="now")
def _now(emu):
    now = [0.0]
    emu.state.clock = lambda: now[0]
    return now


@pytest.fixture(name="index")
def _index(emu, project_id, now):
    """The scene-summaries path of an analysed video's index."""
    asset = emu.state.add_asset("ws-test", project_id, "x/Surf.mp4", "b")
    index = emu.state.analyses.request(
        "ws-test",
        project_id,
        asset.asset_id,
        AnalysisSettings(analysis_person_count=0),
    )
    return (
        f"{WS}/projects/{project_id}/assets/{asset.asset_id}"
        f"/indexes/{index.index_id}/scene-summaries"
    )


async def test_request_status_result(api, index):
    """A run is requested, reports its status, and its result is served."""
    run = await api.post(index, {})
    run_id = run.body["result"]["sceneSummaryId"]
    status = await api.get(f"{index}/{run_id}/status")
    result = await api.get(index)

    assert {"sceneSummaryId", "indexId", "status"} == set(run.body["result"])
    assert "SUMMARIZE_COMPLETED" == status.body["result"]["status"]
    body = result.body["result"]
    assert run_id == body["sceneSummaryInfo"]["sceneSummaryId"]
    assert isinstance(body["sceneSummaryInfo"]["lastAnalyzedAt"], str)
    assert [
        {"sceneId": n, "summary": f"Scene {n} shows x, surf."}
        for n in (1, 2, 3)
    ] == body["sceneSummaries"]


async def test_no_body(api, index):
    """The body is optional: an empty request summarises every scene."""
    reply = await api.request("POST", index)

    assert "SUMMARIZE_COMPLETED" == reply.body["result"]["status"]


async def test_timeline_and_cancel(api, emu, index, now):
    """A run waits, runs, and can be cancelled only meanwhile."""
    emu.state.summary_delay = 6.0
    run = await api.post(index, {"sceneIds": [1, 2, 3]})
    run_id = run.body["result"]["sceneSummaryId"]
    now[0] = 3.0
    running = await api.get(f"{index}/{run_id}/status")
    busy = await api.post(index, {})
    cancelled = await api.delete(f"{index}/{run_id}")
    again = await api.delete(f"{index}/{run_id}")
    status = await api.get(f"{index}/{run_id}/status")
    result = await api.get(index)

    assert "WAIT_SUMMARIZE" == run.body["result"]["status"]
    assert "SUMMARIZING" == running.body["result"]["status"]
    assert (400, "10502") == (busy.status, busy.body["code"])
    assert {"code": "0", "message": "success"} == cancelled.body
    assert (400, "10504") == (again.status, again.body["code"])
    assert "SUMMARIZE_CANCELED" == status.body["result"]["status"]
    assert (400, "10503") == (result.status, result.body["code"])


async def test_partial_runs(api, index):
    """The first run covers every scene; later ones may name some."""
    partial = await api.post(index, {"sceneIds": [2]})
    await api.post(index, {})
    later = await api.post(index, {"sceneIds": [2]})

    assert (400, "10505") == (partial.status, partial.body["code"])
    assert 200 == later.status


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"sceneIds": [4]}, id="unknown-scene"),
        pytest.param({"sceneIds": []}, id="empty"),
        pytest.param({"sceneIds": "1"}, id="text"),
        pytest.param([1], id="not-an-object"),
    ],
)
async def test_request_validates(api, index, body):
    """Bad scene lists are 400 with 10001."""
    reply = await api.post(index, body)

    assert (400, "10001") == (reply.status, reply.body["code"])


async def test_unknown_run(api, index):
    """An unknown run is 404 with 10104."""
    status = await api.get(f"{index}/123/status")
    cancel = await api.delete(f"{index}/123")

    assert [(404, "10104"), (404, "10104")] == [
        (r.status, r.body["code"]) for r in (status, cancel)
    ]


async def test_unknown_index(api, index):
    """An unknown index is 404 with 10103."""
    target = index.replace("/scene-summaries", "").rsplit("/", 1)[0]

    reply = await api.post(f"{target}/1/scene-summaries", {})

    assert (404, "10103") == (reply.status, reply.body["code"])


async def test_no_legacy_route(api, index):
    """Scene summaries have no video-assets twin: gateway 404."""
    reply = await api.post(index.replace("/assets/", "/video-assets/"), {})

    assert (404, "300") == (reply.status, reply.body["error"]["errorCode"])
