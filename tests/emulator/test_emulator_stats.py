"""The emulator's counters, in-process and over HTTP."""

from __future__ import annotations

import pytest

from maiu_async.emulator import Stats


pytestmark = pytest.mark.anyio


async def test_counters_follow_requests(api, emu, project_id):
    """Requests, routes and creations are counted as they happen."""
    await api.post("/api/v1/workspaces", {"workspaceName": "ws-new"})
    await api.post("/api/v1/workspaces/ws-new/projects", {"name": "p"})
    await api.post(
        f"/api/v1/workspaces/ws-test/projects/{project_id}"
        "/video-assets/import/object-storage",
        {"key": "k.mp4", "bucketName": "b"},
    )
    await api.get("/api/v1/workspaces?pageNum=1")
    await api.get("/api/v1/workspaces?pageNum=1", sign=False)

    assert {
        "requests": 5,
        "by_route": {
            "create_workspace": 1,
            "create_project": 1,
            "register_asset_legacy": 1,
            "list_workspaces": 2,
        },
        "workspaces_created": 1,
        "projects_created": 1,
        "assets_created": 1,
        "rate_limited": 0,
        "faults": dict.fromkeys(
            [
                "error_500",
                "error_502",
                "error_503",
                "rate_limited",
                "reset",
                "lost_response",
            ],
            0,
        ),
        "auth_failures": 1,
    } == emu.stats.as_dict()


async def test_failed_creations_are_not_counted(api, emu, workspace):
    """Only successful creations move the *_created counters."""
    await api.post("/api/v1/workspaces", {"workspaceName": "ws-test"})
    await api.post("/api/v1/workspaces/ws-test/projects", {"name": "a;b"})

    assert (2, 0, 0) == (
        emu.stats.requests,
        emu.stats.workspaces_created,
        emu.stats.projects_created,
    )


async def test_seeding_is_not_counted(emu):
    """State seeded directly leaves the API counters alone."""
    emu.state.add_workspace("ws-seeded")
    emu.state.add_projects("ws-seeded", 3)

    assert Stats().as_dict() == emu.stats.as_dict()


async def test_stats_route(api, emu):
    """GET /_emulator/stats answers the same counters as JSON."""
    await api.get("/api/v1/workspaces?pageNum=1")

    reply = await api.get("/_emulator/stats", sign=False)

    assert emu.stats.as_dict() == reply.body
    assert 1 == reply.body["requests"]


async def test_reset_stats_route(api, emu):
    """POST /_emulator/reset-stats sets every counter back to zero."""
    await api.get("/api/v1/workspaces?pageNum=1")

    reply = await api.post("/_emulator/reset-stats", sign=False)

    assert Stats().as_dict() == reply.body == emu.stats.as_dict()
