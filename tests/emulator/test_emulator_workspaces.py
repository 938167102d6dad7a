"""Workspace endpoints of the emulator."""

from __future__ import annotations

import re

import pytest


pytestmark = pytest.mark.anyio

TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}")
AUDIT = {"createdUserName", "createdTime", "updatedUserName", "updatedTime"}


async def test_create_matches_the_seed_page(api):
    """Creating a workspace answers exactly the documented fields."""
    reply = await api.post(
        "/api/v1/workspaces",
        {"workspaceName": "my-workspace", "bucketName": "my-bucket"},
    )

    assert 200 == reply.status
    assert {"code", "message", "result"} == set(reply.body)
    assert ("0", "success") == (reply.body["code"], reply.body["message"])
    result = reply.body["result"]
    assert {"workspaceName", *AUDIT} == set(result)
    assert "my-workspace" == result["workspaceName"]
    assert "emulator" == result["createdUserName"]
    assert TIME.fullmatch(result["createdTime"])
    assert TIME.fullmatch(result["updatedTime"])


async def test_create_makes_a_base_project(api, emu):
    """A new workspace holds exactly one base project named "default"."""
    await api.post("/api/v1/workspaces", {"workspaceName": "ws-one"})

    projects = list(emu.state.workspace("ws-one").projects.values())

    assert [("default", True)] == [
        (p.name, p.is_base_project) for p in projects
    ]


async def test_get_has_details(api, emu):
    """Workspace details add the URL, the bucket and the analysis count."""
    emu.state.add_workspace("ws-detail", "bucket-1")

    reply = await api.get("/api/v1/workspaces/ws-detail")

    assert 200 == reply.status
    assert {
        "workspaceName": "ws-detail",
        "workspaceUrl": f"{emu.url}/api/v1/workspaces/ws-detail",
        "bucketName": "bucket-1",
        "monthlyAnalysisCount": 0,
    } == {k: v for k, v in reply.body["result"].items() if k not in AUDIT}
    assert AUDIT <= set(reply.body["result"])


async def test_list_pages(api, emu):
    """Listing pages through workspaces in creation order."""
    for name in ("ws-a", "ws-b", "ws-c"):
        emu.state.add_workspace(name)

    first = await api.get("/api/v1/workspaces?pageNum=1&pageSize=2")
    second = await api.get("/api/v1/workspaces?pageNum=2&pageSize=2")
    third = await api.get("/api/v1/workspaces?pageNum=3&pageSize=2")

    assert ["ws-a", "ws-b"] == [
        w["workspaceName"] for w in first.body["result"]["content"]
    ]
    assert {
        "totalCount": 3,
        "totalPage": 2,
        "pageNo": 2,
        "pageSize": 2,
    } == {k: v for k, v in second.body["result"].items() if k != "content"}
    assert ["ws-c"] == [
        w["workspaceName"] for w in second.body["result"]["content"]
    ]
    assert [] == third.body["result"]["content"]


async def test_list_items_have_documented_fields(api, emu):
    """Listed workspaces carry name, URL, bucket and audit fields."""
    emu.state.add_workspace("ws-a")

    reply = await api.get("/api/v1/workspaces?pageNum=1")

    (item,) = reply.body["result"]["content"]
    assert {"workspaceName", "workspaceUrl", "bucketName", *AUDIT} == set(item)
    assert item["bucketName"] is None
    assert 1000 == reply.body["result"]["pageSize"]


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("", id="no-query"),
        pytest.param("?pageSize=10", id="no-pageNum"),
        pytest.param("?pageNum=0", id="pageNum-0"),
        pytest.param("?pageNum=x", id="pageNum-text"),
        pytest.param("?pageNum=1&pageSize=0", id="pageSize-0"),
        pytest.param("?pageNum=1&pageSize=1001", id="pageSize-1001"),
        pytest.param("?pageNum=1&pageSize=-1", id="pageSize-negative"),
    ],
)
async def test_list_validates_paging(api, query):
    """Bad paging parameters are refused with 10001."""
    reply = await api.get(f"/api/v1/workspaces{query}")

    assert (400, "10001") == (reply.status, reply.body["code"])


async def test_delete(api, emu):
    """Deleting answers the name, and the workspace is gone."""
    emu.state.add_workspace("ws-gone")

    reply = await api.delete("/api/v1/workspaces/ws-gone")
    again = await api.get("/api/v1/workspaces/ws-gone")

    assert {
        "code": "0",
        "message": "success",
        "result": {"workspaceName": "ws-gone"},
    } == reply.body
    assert (404, "10100") == (again.status, again.body["code"])


@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_unknown_workspace(api, method):
    """An unknown workspace is 404 with code 10100."""
    reply = await api.request(method, "/api/v1/workspaces/nope")

    assert (404, "10100") == (reply.status, reply.body["code"])
    assert "Workspace not found." == reply.body["message"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"workspaceName": "ab"}, id="too-short"),
        pytest.param({"workspaceName": "a" * 64}, id="too-long"),
        pytest.param({"workspaceName": "Upper"}, id="upper-case"),
        pytest.param({"workspaceName": "under_score"}, id="underscore"),
        pytest.param({"workspaceName": 123}, id="not-a-string"),
        pytest.param({"bucketName": "b"}, id="missing"),
        pytest.param({"workspaceName": "ok-name", "bucketName": 1}, id="bkt"),
        pytest.param([], id="not-an-object"),
    ],
)
async def test_create_validates(api, body):
    """Invalid create bodies are refused with 10001."""
    reply = await api.post("/api/v1/workspaces", body)

    assert (400, "10001") == (reply.status, reply.body["code"])


async def test_create_refuses_a_body_that_is_not_json(api):
    """A body that is not JSON is refused with 10001."""
    reply = await api.request("POST", "/api/v1/workspaces", data=b"{nope")

    assert (400, "10001") == (reply.status, reply.body["code"])


async def test_name_limits_are_inclusive(api):
    """Names of exactly 3 and 63 characters are accepted."""
    short = await api.post("/api/v1/workspaces", {"workspaceName": "a-1"})
    long = await api.post("/api/v1/workspaces", {"workspaceName": "b" * 63})

    assert (200, 200) == (short.status, long.status)


async def test_duplicate(api, emu):
    """A taken name is 409 with code 10200."""
    emu.state.add_workspace("ws-dup")

    reply = await api.post("/api/v1/workspaces", {"workspaceName": "ws-dup"})

    assert (409, "10200") == (reply.status, reply.body["code"])


async def test_account_allowance(launch, api_for):
    """Past max_workspaces, creation is refused with 10301."""
    emu = await launch(max_workspaces=1)
    api = api_for(emu)

    first = await api.post("/api/v1/workspaces", {"workspaceName": "ws-1"})
    second = await api.post("/api/v1/workspaces", {"workspaceName": "ws-2"})

    assert 200 == first.status
    assert (400, "10301") == (second.status, second.body["code"])


async def test_wrapped_error_style(launch, api_for):
    """With error_body_style="wrapped", errors sit in responseError."""
    emu = await launch(error_body_style="wrapped")

    reply = await api_for(emu).get("/api/v1/workspaces/nope")

    assert {
        "responseError": {"code": "10100", "message": "Workspace not found."}
    } == reply.body


async def test_top_level_error_style(api):
    """By default, errors carry code and message at the top level."""
    reply = await api.get("/api/v1/workspaces/nope")

    assert {"code": "10100", "message": "Workspace not found."} == reply.body
