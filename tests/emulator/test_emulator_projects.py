"""Project endpoints of the emulator."""

from __future__ import annotations

import anyio
import pytest

from maiu_async import limits


pytestmark = pytest.mark.anyio

PROJECTS = "/api/v1/workspaces/ws-test/projects"
FIELDS = {
    "projectId",
    "name",
    "isBaseProject",
    "createdUserName",
    "createdTime",
    "updatedUserName",
    "updatedTime",
}
# How many user projects fit beside the base project.
ROOM = limits.PROJECTS_PER_WORKSPACE - int(
    limits.BASE_PROJECT_COUNTS_TOWARD_CAP
)


async def test_create_matches_the_seed_page(api, workspace):
    """Creating a project answers the documented project object."""
    reply = await api.post(PROJECTS, {"name": "project_name"})

    assert 200 == reply.status
    result = reply.body["result"]
    assert FIELDS == set(result)
    assert ("project_name", False) == (result["name"], result["isBaseProject"])
    assert isinstance(result["projectId"], int)


async def test_list_has_every_project(api, emu, workspace):
    """Listing returns every project, the base one first, with a count."""
    emu.state.add_projects("ws-test", 3)

    reply = await api.get(PROJECTS)

    result = reply.body["result"]
    assert {"projects", "totalCount"} == set(result)
    assert 4 == result["totalCount"]
    assert [True, False, False, False] == [
        p["isBaseProject"] for p in result["projects"]
    ]
    assert all(FIELDS == set(p) for p in result["projects"])


async def test_get(api, project_id, workspace):
    """A project is fetched by id."""
    reply = await api.get(f"{PROJECTS}/{project_id}")

    assert (project_id, "user-project") == (
        reply.body["result"]["projectId"],
        reply.body["result"]["name"],
    )


async def test_rename(api, emu, project_id):
    """PATCH renames a project and answers the updated object."""
    reply = await api.patch(f"{PROJECTS}/{project_id}", {"name": "renamed"})

    assert "renamed" == reply.body["result"]["name"]
    assert "renamed" == emu.state.project("ws-test", project_id).name


async def test_rename_to_its_own_name(api, project_id):
    """Renaming a project to its current name is allowed."""
    reply = await api.patch(
        f"{PROJECTS}/{project_id}", {"name": "user-project"}
    )

    assert 200 == reply.status


async def test_rename_to_a_taken_name(api, emu, project_id):
    """Renaming onto another project's name is 409 with 10201."""
    emu.state.add_project("ws-test", "other")

    reply = await api.patch(f"{PROJECTS}/{project_id}", {"name": "other"})

    assert (409, "10201") == (reply.status, reply.body["code"])


async def test_delete_cascades_assets(api, emu, project_id):
    """Deleting a project answers no result and deletes its assets."""
    emu.state.add_asset("ws-test", project_id, "a.mp4", "bucket-test")

    reply = await api.delete(f"{PROJECTS}/{project_id}")
    again = await api.get(f"{PROJECTS}/{project_id}")

    assert {"code": "0", "message": "success"} == reply.body
    assert (404, "10101") == (again.status, again.body["code"])
    assert 0 == emu.state.count_assets_by_key("ws-test", "a.mp4")


@pytest.mark.parametrize(
    ("method", "body"),
    [
        pytest.param("PATCH", {"name": "x"}, id="edit"),
        pytest.param("DELETE", None, id="delete"),
    ],
)
async def test_base_project_is_immutable(api, workspace, method, body):
    """The base project cannot be edited or deleted: 400 with 10400."""
    base_id = next(iter(workspace.projects))

    reply = await api.request(method, f"{PROJECTS}/{base_id}", json_body=body)

    assert (400, "10400") == (reply.status, reply.body["code"])


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("", id="empty"),
        pytest.param("x" * (limits.PROJECT_NAME_MAX_LENGTH + 1), id="long"),
        pytest.param("semi;colon", id="semicolon"),
        pytest.param("vertical|bar", id="bar"),
        pytest.param("back`tick", id="backtick"),
        pytest.param(7, id="not-a-string"),
        pytest.param(None, id="missing"),
    ],
)
@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_name_rules(api, project_id, method, name):
    """Names breaking the documented rules are refused with 10001."""
    target = PROJECTS if method == "POST" else f"{PROJECTS}/{project_id}"
    body = {} if name is None else {"name": name}

    reply = await api.request(method, target, json_body=body)

    assert (400, "10001") == (reply.status, reply.body["code"])


async def test_longest_name_and_special_characters(api, workspace):
    """A name of the maximum length with special characters is fine."""
    name = "Ab1 _-.!@#$%^&*()"
    name += "x" * (limits.PROJECT_NAME_MAX_LENGTH - len(name))

    reply = await api.post(PROJECTS, {"name": name})

    assert (200, name) == (reply.status, reply.body["result"]["name"])


async def test_duplicate_name(api, project_id):
    """A name taken in the workspace is 409 with 10201."""
    reply = await api.post(PROJECTS, {"name": "user-project"})

    assert (409, "10201") == (reply.status, reply.body["code"])


async def test_same_name_in_another_workspace(api, emu, project_id):
    """Names are unique per workspace only."""
    emu.state.add_workspace("ws-other")

    reply = await api.post(
        "/api/v1/workspaces/ws-other/projects", {"name": "user-project"}
    )

    assert 200 == reply.status


@pytest.mark.parametrize(
    ("method", "body"),
    [
        pytest.param("GET", None, id="list"),
        pytest.param("POST", {"name": "p"}, id="create"),
    ],
)
async def test_unknown_workspace(api, method, body):
    """Projects of an unknown workspace are 404 with 10100."""
    reply = await api.request(
        method, "/api/v1/workspaces/nope/projects", json_body=body
    )

    assert (404, "10100") == (reply.status, reply.body["code"])


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_unknown_project(api, workspace, method):
    """An unknown project id is 404 with 10101."""
    reply = await api.request(
        method, f"{PROJECTS}/999999", json_body={"name": "x"}
    )

    assert (404, "10101") == (reply.status, reply.body["code"])


@pytest.mark.parametrize("project", ["abc", "1.5", "-1", "%201", "1e3"])
async def test_non_integer_id(api, workspace, project):
    """A project id that is not an integer is 400 with 10001."""
    reply = await api.get(f"{PROJECTS}/{project}")

    assert (400, "10001") == (reply.status, reply.body["code"])


async def test_cap(api, emu, workspace):
    """The cap admits exactly PROJECTS_PER_WORKSPACE projects, then 10300."""
    emu.state.add_projects("ws-test", ROOM - 1)

    last = await api.post(PROJECTS, {"name": "last-one"})
    over = await api.post(PROJECTS, {"name": "one-too-many"})

    assert 200 == last.status
    assert (400, "10300") == (over.status, over.body["code"])
    assert limits.PROJECTS_PER_WORKSPACE + 1 - int(
        limits.BASE_PROJECT_COUNTS_TOWARD_CAP
    ) == len(emu.state.workspace("ws-test").projects)


async def test_cap_under_concurrency(api, emu, workspace):
    """Of 50 concurrent creates with room for 10, exactly 10 succeed."""
    emu.state.add_projects("ws-test", ROOM - 10)
    statuses: list[tuple[int, str]] = []

    async def create(n: int) -> None:
        reply = await api.post(PROJECTS, {"name": f"concurrent-{n}"})
        statuses.append((reply.status, reply.body["code"]))

    async with anyio.create_task_group() as tg:
        for n in range(50):
            tg.start_soon(create, n)

    assert 10 == statuses.count((200, "0"))
    assert 40 == statuses.count((400, "10300"))
    assert ROOM == emu.state.workspace("ws-test").user_project_count()
    assert 10 == emu.stats.projects_created


async def test_deleting_makes_room(api, emu, workspace):
    """After a delete at the cap, one more project can be created."""
    (*_, victim) = emu.state.add_projects("ws-test", ROOM)

    await api.delete(f"{PROJECTS}/{victim.project_id}")
    reply = await api.post(PROJECTS, {"name": "fits-again"})

    assert 200 == reply.status
