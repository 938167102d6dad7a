"""Asset endpoints of the emulator, current and legacy paths."""

from __future__ import annotations

import pytest


pytestmark = pytest.mark.anyio

WS = "/api/v1/workspaces/ws-test"
AUDIT = {"createdUserName", "createdTime", "updatedUserName", "updatedTime"}

CURRENT = pytest.param(("assets", "assetId", "fileName"), id="assets")
LEGACY = pytest.param(
    ("video-assets", "videoId", "videoName"), id="video-assets"
)


@pytest.fixture(name="flavour", params=[CURRENT, LEGACY])
def _flavour(request):
    return request.param


@pytest.fixture(name="add_asset")
def _add_asset(emu, project_id):
    """Seed an asset with a given key into the user project."""

    def add_asset(key: str):
        return emu.state.add_asset("ws-test", project_id, key, "bucket-test")

    return add_asset


@pytest.fixture(name="assets")
def _assets(project_id, flavour):
    """The asset collection path of the user project."""
    return f"{WS}/projects/{project_id}/{flavour[0]}"


async def test_register_matches_the_seed_page(api, assets, flavour):
    """Registering answers the id and the register-only audit spelling."""
    _, id_field, _ = flavour

    reply = await api.post(
        f"{assets}/import/object-storage",
        {"key": "sample-video.mp4", "bucketName": "my-storage-bucket"},
    )

    assert 200 == reply.status
    assert {
        id_field,
        "createUserName",
        "createdTime",
        "updateUserName",
        "updatedTime",
    } == set(reply.body["result"])
    assert "emulator" == reply.body["result"]["createUserName"]


async def test_register_is_not_idempotent(api, emu, assets, flavour):
    """The same key registered twice makes two assets with rising ids."""
    body = {"key": "dir/clip.mp4", "bucketName": "b"}
    first = await api.post(f"{assets}/import/object-storage", body)
    second = await api.post(f"{assets}/import/object-storage", body)

    id_field = flavour[1]
    assert first.body["result"][id_field] < second.body["result"][id_field]
    assert 2 == emu.state.count_assets_by_key("ws-test", "dir/clip.mp4")
    assert 2 == emu.stats.assets_created


async def test_ids_rise_across_projects(api, emu, project_id):
    """Asset ids increase globally, not per project."""
    base_id = next(iter(emu.state.workspace("ws-test").projects))
    ids = []
    for pid in (project_id, base_id, project_id):
        reply = await api.post(
            f"{WS}/projects/{pid}/assets/import/object-storage",
            {"key": "k.mp4", "bucketName": "b"},
        )
        ids.append(reply.body["result"]["assetId"])

    assert sorted(ids) == ids
    assert len(set(ids)) == 3


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"bucketName": "b"}, id="no-key"),
        pytest.param({"key": "a.mp4"}, id="no-bucket"),
        pytest.param({"key": "", "bucketName": "b"}, id="empty-key"),
        pytest.param({"key": "a.mp4", "bucketName": ""}, id="empty-bucket"),
        pytest.param({"key": 5, "bucketName": "b"}, id="key-not-text"),
        pytest.param(["a.mp4"], id="not-an-object"),
    ],
)
async def test_register_validates(api, emu, assets, body):
    """A missing or empty key or bucket is 400 with 10001."""
    reply = await api.post(f"{assets}/import/object-storage", body)

    assert (400, "10001") == (reply.status, reply.body["code"])
    assert 0 == emu.stats.assets_created


async def test_register_refuses_folders(api, assets):
    """A key ending in "/" is a folder: 400 with 10016."""
    reply = await api.post(
        f"{assets}/import/object-storage", {"key": "dir/", "bucketName": "b"}
    )

    assert (400, "10016") == (reply.status, reply.body["code"])


async def test_list_shape_and_order(api, emu, assets, flavour, project_id):
    """Listed assets come in id order with the documented fields."""
    _, id_field, name_field = flavour
    for key in ("z/last.mp4", "a/first.png", "m/mid.webm"):
        emu.state.add_asset("ws-test", project_id, key, "b")

    reply = await api.get(f"{assets}?pageNum=1")

    result = reply.body["result"]
    assert (3, 1, 1, 1000) == (
        result["totalCount"],
        result["totalPage"],
        result["pageNo"],
        result["pageSize"],
    )
    items = result["content"]
    assert ["z/last.mp4", "a/first.png", "m/mid.webm"] == [
        i[name_field] for i in items
    ]
    assert sorted(i[id_field] for i in items) == [i[id_field] for i in items]
    assert {id_field, name_field, "projectId", "metaData", *AUDIT} == set(
        items[0]
    )
    assert {
        "resolution": "1920x1080",
        "durationMs": 60_000,
        "format": "mp4",
    } == {k: v for k, v in items[0]["metaData"].items() if k != "size"}
    assert project_id == items[0]["projectId"]


async def test_list_pages(api, emu, assets, flavour, project_id):
    """Asset lists page with pageNum and pageSize."""
    for n in range(5):
        emu.state.add_asset("ws-test", project_id, f"{n}.mp4", "b")

    reply = await api.get(f"{assets}?pageNum=3&pageSize=2")

    assert ["4.mp4"] == [
        i[flavour[2]] for i in reply.body["result"]["content"]
    ]
    assert 3 == reply.body["result"]["totalPage"]


@pytest.mark.parametrize(
    "query", ["", "?pageNum=0", "?pageNum=1&pageSize=1001"]
)
async def test_list_validates_paging(api, assets, query):
    """Bad paging parameters are refused with 10001."""
    reply = await api.get(f"{assets}{query}")

    assert (400, "10001") == (reply.status, reply.body["code"])


async def test_get(api, emu, assets, flavour, project_id):
    """An asset is fetched by id."""
    asset = emu.state.add_asset("ws-test", project_id, "k.mov", "b")

    reply = await api.get(f"{assets}/{asset.asset_id}")

    _, id_field, name_field = flavour
    assert (asset.asset_id, "k.mov") == (
        reply.body["result"][id_field],
        reply.body["result"][name_field],
    )


async def test_move(api, emu, assets, flavour, project_id):
    """PATCH ?new_project_id= moves an asset and answers it."""
    target = emu.state.add_project("ws-test", "target").project_id
    asset = emu.state.add_asset("ws-test", project_id, "k.mp4", "b")

    reply = await api.patch(
        f"{assets}/{asset.asset_id}?new_project_id={target}"
    )

    assert target == reply.body["result"]["projectId"]
    assert [] == emu.state.assets_of("ws-test", project_id)
    assert [asset.asset_id] == [
        a.asset_id for a in emu.state.assets_of("ws-test", target)
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("", (400, "10001"), id="missing"),
        pytest.param("?new_project_id=x", (400, "10001"), id="not-integer"),
        pytest.param("?new_project_id=999999", (404, "10101"), id="unknown"),
    ],
)
async def test_move_validates(api, assets, add_asset, query, expected):
    """The target project must be given, an integer, and exist."""
    asset = add_asset("k.mp4")

    reply = await api.patch(f"{assets}/{asset.asset_id}{query}")

    assert expected == (reply.status, reply.body["code"])


async def test_delete(api, emu, assets, project_id):
    """Deleting answers no result, and the asset is gone."""
    asset = emu.state.add_asset("ws-test", project_id, "k.mp4", "b")

    reply = await api.delete(f"{assets}/{asset.asset_id}")
    again = await api.get(f"{assets}/{asset.asset_id}")

    assert {"code": "0", "message": "success"} == reply.body
    assert (404, "10102") == (again.status, again.body["code"])


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("GET", ""),
        ("PATCH", "?new_project_id=1"),
        ("DELETE", ""),
        ("GET", "/import-status"),
    ],
)
async def test_unknown_asset(api, assets, method, suffix):
    """An unknown asset is 404 with 10102."""
    reply = await api.request(method, f"{assets}/999999{suffix}")

    assert (404, "10102") == (reply.status, reply.body["code"])


async def test_asset_of_another_project(api, emu, assets, workspace):
    """An asset is reachable only through its own project."""
    base_id = next(iter(workspace.projects))
    asset = emu.state.add_asset("ws-test", base_id, "k.mp4", "b")

    reply = await api.get(f"{assets}/{asset.asset_id}")

    assert (404, "10102") == (reply.status, reply.body["code"])


async def test_non_integer_asset_id(api, assets):
    """An asset id that is not an integer is 400 with 10001."""
    reply = await api.get(f"{assets}/first")

    assert (400, "10001") == (reply.status, reply.body["code"])


async def test_unknown_project(api, workspace, flavour):
    """Assets of an unknown project are 404 with 10101."""
    reply = await api.get(f"{WS}/projects/999999/{flavour[0]}?pageNum=1")

    assert (404, "10101") == (reply.status, reply.body["code"])


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(("clip.mp4", "COMPLETED"), id="mp4"),
        pytest.param(("DIR/PHOTO.HEIC", "COMPLETED"), id="upper-case"),
        pytest.param(("a.b/image.jpeg", "COMPLETED"), id="jpeg"),
        pytest.param(("notes.txt", "INVALID_METADATA"), id="txt"),
        pytest.param(("folder.mp4/noext", "INVALID_METADATA"), id="no-ext"),
    ],
)
async def test_import_status(api, assets, flavour, add_asset, case):
    """Import ends COMPLETED, or INVALID_METADATA for other extensions."""
    key, status = case
    asset = add_asset(key)

    reply = await api.get(f"{assets}/{asset.asset_id}/import-status")

    result = reply.body["result"]
    assert (asset.asset_id, status) == (
        result[flavour[1]],
        result["uploadStatus"],
    )
    assert isinstance(result["uploadResult"], str)
    assert ("metaData" in result) == (status == "COMPLETED")


async def test_import_delay(launch, api_for):
    """An asset is IN_PROGRESS until import_delay seconds have passed."""
    emu = await launch(import_delay=30.0)
    now = [100.0]
    emu.state.clock = lambda: now[0]
    emu.state.add_workspace("ws-test")
    project_id = emu.state.add_project("ws-test", "p").project_id
    asset = emu.state.add_asset("ws-test", project_id, "k.mp4", "b")
    target = (
        f"{WS}/projects/{project_id}/assets/{asset.asset_id}/import-status"
    )
    api = api_for(emu)

    early = await api.get(target)
    now[0] += 30.0
    late = await api.get(target)

    assert {
        "assetId": asset.asset_id,
        "uploadStatus": "IN_PROGRESS",
        "uploadResult": "The media file is being imported.",
    } == early.body["result"]
    assert "COMPLETED" == late.body["result"]["uploadStatus"]
    assert "mp4" == late.body["result"]["metaData"]["format"]
