"""Routing on the raw request target, and unknown routes."""

from __future__ import annotations

import pytest

from maiu_async._urls import ApiPaths, encode_query, segment
from maiu_async.emulator._app import ROUTES, resolve


pytestmark = pytest.mark.anyio

HOSTILE = "a/b?c%d e"
PATHS = ApiPaths()
LEGACY_PATHS = ApiPaths(legacy=True)


@pytest.fixture(name="hostile")
def _hostile(emu):
    """A workspace whose name the API would refuse, seeded directly."""
    return emu.state.add_workspace(HOSTILE, validate=False)


async def test_hostile_name_reaches_its_workspace(api, hostile):
    """A name with "/", "?", "%" and " " arrives exactly as it was sent."""
    target = PATHS.workspace(HOSTILE)

    reply = await api.get(target)

    assert "/api/v1/workspaces/a%2Fb%3Fc%25d%20e" == target
    assert 200 == reply.status
    assert HOSTILE == reply.body["result"]["workspaceName"]
    assert reply.body["result"]["workspaceUrl"].endswith(target)


async def test_hostile_name_through_the_whole_tree(api, emu, hostile):
    """Projects and assets of a hostile workspace are reachable."""
    created = await api.post(PATHS.projects(HOSTILE), {"name": "p/q?r"})
    project_id = created.body["result"]["projectId"]
    registered = await api.post(
        PATHS.asset_import(HOSTILE, project_id),
        {"key": "dir/a b%20c.mp4", "bucketName": "b"},
    )
    listed = await api.get(
        f"{PATHS.asset_list(HOSTILE, project_id)}?"
        + encode_query({"pageNum": 1, "pageSize": 10})
    )

    assert (200, 200) == (created.status, registered.status)
    assert ["dir/a b%20c.mp4"] == [
        a["fileName"] for a in listed.body["result"]["content"]
    ]
    assert 1 == emu.state.count_assets_by_key(HOSTILE, "dir/a b%20c.mp4")


async def test_legacy_paths_with_a_hostile_name(api, hostile):
    """The legacy video-assets paths decode segments the same way."""
    base_id = next(iter(hostile.projects))

    reply = await api.post(
        LEGACY_PATHS.asset_import(HOSTILE, base_id),
        {"key": "k.mp4", "bucketName": "b"},
    )

    assert 200 == reply.status
    assert "videoId" in reply.body["result"]


async def test_plus_is_not_a_space_in_paths(api, emu):
    """A "+" in a path segment stays a plus."""
    emu.state.add_workspace("a+b", validate=False)
    emu.state.add_workspace("a b", validate=False)

    plus = await api.get("/api/v1/workspaces/a+b")
    space = await api.get(f"/api/v1/workspaces/{segment('a b')}")

    assert "a+b" == plus.body["result"]["workspaceName"]
    assert "a b" == space.body["result"]["workspaceName"]


async def test_slash_inside_a_name_is_not_a_separator(api, emu):
    """Workspace "x/projects" is not workspace "x" plus a segment."""
    emu.state.add_workspace("ws-x")
    emu.state.add_workspace("ws-x/projects", validate=False)

    reply = await api.get(PATHS.workspace("ws-x/projects"))

    assert "ws-x/projects" == reply.body["result"]["workspaceName"]


@pytest.mark.parametrize(
    ("method", "target"),
    [
        pytest.param("GET", "/api/v1/nothing", id="unknown"),
        pytest.param("GET", "/api/v1", id="bare-prefix"),
        pytest.param("GET", "/api/v1/workspaces/", id="empty-name"),
        pytest.param("PUT", "/api/v1/workspaces", id="wrong-method"),
        pytest.param("POST", "/api/v1/workspaces/ws/projects/1", id="post-1"),
        pytest.param(
            "GET", "/api/v1/workspaces/ws/projects/1/assets/2/x", id="deep"
        ),
    ],
)
async def test_unknown_route(api, emu, method, target):
    """Unknown API routes get the gateway's 404 with code 300."""
    reply = await api.request(method, target)

    assert 404 == reply.status
    assert "300" == reply.body["error"]["errorCode"]
    assert 1 == emu.stats.by_route["not_found"]


async def test_paths_outside_the_api(api, emu):
    """Paths outside /api/v1 are 404 without auth and are not counted."""
    reply = await api.get("/favicon.ico", sign=False)

    assert (404, "300") == (reply.status, reply.body["error"]["errorCode"])
    assert 0 == emu.stats.requests


async def test_repeated_query_parameters(api, emu):
    """The first of repeated query parameters wins."""
    for name in ("ws-a", "ws-b"):
        emu.state.add_workspace(name)

    reply = await api.get("/api/v1/workspaces?pageNum=2&pageSize=1&pageNum=1")

    assert 2 == reply.body["result"]["pageNo"]


def test_every_route_resolves_to_itself():
    """No route shadows another: each one's own path resolves to it."""
    for route in ROUTES:
        segments = ["7" if s.startswith("{") else s for s in route.pattern]
        target = "/api/v1/" + "/".join(segments)

        match = resolve(route.method, target)

        assert match is not None, target
        assert route.name == match.route.name, target


def test_route_names_are_unique():
    """Each route has its own name in Stats.by_route."""
    names = [route.name for route in ROUTES]

    assert sorted(set(names)) == sorted(names)
