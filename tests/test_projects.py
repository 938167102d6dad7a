"""
Projects: endpoints, checks before sending, and the race-free cap.
"""

from __future__ import annotations

import anyio
import pytest

from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import (
    MaiuClient,
    NotFound,
    ProjectLimitExceeded,
    ValidationError,
    limits,
)


pytestmark = pytest.mark.anyio

CAP = limits.PROJECTS_PER_WORKSPACE


@pytest.fixture(name="ws")
async def _ws(client):
    await client.workspaces.create("proj-ws")
    return "proj-ws"


async def test_create_list_get_update_delete(client, ws):
    """The whole project life cycle works against the emulator."""
    created = await client.projects.create(ws, "my project")
    listing = await client.projects.list(ws)
    got = await client.projects.get(ws, created.project_id)
    renamed = await client.projects.update(
        ws, created.project_id, name="renamed"
    )
    await client.projects.delete(ws, created.project_id)
    after = await client.projects.list(ws)

    assert "my project" == created.name
    assert not created.is_base_project
    assert 2 == listing.total_count
    assert created == got
    assert ("renamed", created.project_id) == (
        renamed.name,
        renamed.project_id,
    )
    assert 1 == after.total_count
    with pytest.raises(NotFound):
        await client.projects.get(ws, created.project_id)


async def test_new_workspace_has_base_project(client, ws):
    """A new workspace lists exactly one project, the base one."""
    listing = await client.projects.list(ws)

    assert [True] == [p.is_base_project for p in listing.projects]


@pytest.mark.parametrize("name", ["", "a;b", "a|b", "a`b", "x" * 101])
async def test_invalid_name_sends_nothing(emu, client, ws, name):
    """An invalid name is refused before any request."""
    before = emu.stats.requests

    with pytest.raises(ValidationError) as info:
        await client.projects.create(ws, name)

    assert before == emu.stats.requests
    assert repr(name) in str(info.value)


async def test_duplicate_name_refused_client_side(emu, client, ws):
    """A name the client knows is taken is refused without a request."""
    await client.projects.create(ws, "dup")
    before = emu.stats.projects_created

    with pytest.raises(ValidationError, match="already exists"):
        await client.projects.create(ws, "dup")

    assert before == emu.stats.projects_created


async def test_concurrent_duplicates_one_wins(emu, client, ws):
    """Ten concurrent creates of one name: one is sent, nine refused."""
    results: list[object] = []

    async def create() -> None:
        try:
            results.append(await client.projects.create(ws, "same"))
        except ValidationError as exc:
            results.append(exc)

    async with anyio.create_task_group() as tg:
        for _ in range(10):
            tg.start_soon(create)

    assert 1 == emu.stats.projects_created
    assert 9 == sum(isinstance(r, ValidationError) for r in results)


async def test_duplicate_unknown_to_client_is_server_conflict(emu, client, ws):
    """A name taken behind the client's back gets the server's 409."""
    await client.projects.list(ws)
    emu.state.add_project(ws, "sneaky")

    with pytest.raises(Exception) as info:  # noqa: PT011 -- checked below
        await client.projects.create(ws, "sneaky")

    assert 409 == getattr(info.value, "status", None)
    # The client learnt from it: the next try is refused locally.
    requests = emu.stats.requests
    with pytest.raises(ValidationError):
        await client.projects.create(ws, "sneaky")
    assert requests + 1 == emu.stats.requests  # one reload, no create


async def test_base_project_not_renamed_or_deleted(emu, client, ws):
    """The base project is refused for rename and delete before sending."""
    base = (await client.projects.list(ws)).projects[0]
    requests = emu.stats.requests

    with pytest.raises(ValidationError, match="base project"):
        await client.projects.update(ws, base.project_id, name="x")
    with pytest.raises(ValidationError, match="base project"):
        await client.projects.delete(ws, base.project_id)

    assert requests == emu.stats.requests


async def test_rename_to_taken_name_refused(client, ws):
    """Renaming onto another project's name is refused."""
    await client.projects.create(ws, "one")
    two = await client.projects.create(ws, "two")

    with pytest.raises(ValidationError, match="another project"):
        await client.projects.update(ws, two.project_id, name="one")


async def test_rename_to_own_name_allowed(client, ws):
    """Renaming a project to its current name is not a duplicate."""
    one = await client.projects.create(ws, "one")

    assert (
        "one"
        == (await client.projects.update(ws, one.project_id, name="one")).name
    )


async def test_cap_refuses_without_sending(emu, client, ws):
    """At the cap, create raises ProjectLimitExceeded and sends nothing."""
    emu.state.add_projects(ws, CAP)
    with pytest.raises(ProjectLimitExceeded) as info:
        await client.projects.create(ws, "one-too-many")

    assert 0 == emu.stats.projects_created
    assert CAP == info.value.limit
    assert ws == info.value.workspace


async def test_base_project_does_not_count(emu, client, ws):
    """With CAP-1 user projects (plus the base), one more create succeeds."""
    emu.state.add_projects(ws, CAP - 1)

    await client.projects.create(ws, "last")

    with pytest.raises(ProjectLimitExceeded):
        await client.projects.create(ws, "beyond")
    listing = await client.projects.list(ws)
    assert CAP + 1 == listing.total_count  # CAP user projects + the base


async def test_cap_race_2000_creates(emu, client, ws):
    """2000 concurrent creates on 990 projects: exactly 10 reach the server."""
    emu.state.add_projects(ws, CAP - 10)
    outcomes = {"ok": 0, "limit": 0}

    async def create(i: int) -> None:
        try:
            await client.projects.create(ws, f"race-{i}")
            outcomes["ok"] += 1
        except ProjectLimitExceeded:
            outcomes["limit"] += 1

    async with anyio.create_task_group() as tg:
        for i in range(2000):
            tg.start_soon(create, i)

    assert {"ok": 10, "limit": 1990} == outcomes
    assert 10 == emu.stats.projects_created
    assert 1 == emu.stats.by_route.get("list_projects", 0)


async def test_delete_frees_a_slot(emu, client, ws):
    """Deleting a project through the client frees its slot at once."""
    emu.state.add_projects(ws, CAP - 1)
    last = await client.projects.create(ws, "last")
    await client.projects.delete(ws, last.project_id)

    again = await client.projects.create(ws, "again")

    assert "again" == again.name


async def test_server_cap_becomes_project_limit(emu, ws):
    """If another client filled the workspace, the server's 400 is mapped."""
    async with MaiuClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=emu.url
    ) as client:
        await client.projects.list(ws)  # learns: room for CAP
        emu.state.add_projects(ws, CAP)  # someone else fills it

        with pytest.raises(ProjectLimitExceeded) as info:
            await client.projects.create(ws, "late")

    assert 400 == info.value.__cause__.status


async def test_legacy_endpoint_paths(emu):
    """A legacy maiu host uses video-assets paths and still registers."""
    async with MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        endpoint=emu.url,
        legacy=True,
    ) as client:
        await client.workspaces.create("legacy-ws")
        project = await client.projects.create("legacy-ws", "p")
        asset = await client.assets.register(
            "legacy-ws", project.project_id, key="a.mp4", bucket_name="b"
        )
        page = await client.assets.list("legacy-ws", project.project_id)

    assert [asset.asset_id] == [a.asset_id for a in page.content]
    assert "a.mp4" == page.content[0].file_name
    assert any("legacy" in r or "video" in r for r in emu.stats.by_route)
