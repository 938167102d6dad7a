"""Person, thumbnail and person-tag endpoints of the emulator."""

from __future__ import annotations

import pytest


pytestmark = pytest.mark.anyio

WS = "/api/v1/workspaces/ws-test"
PERSONS = f"{WS}/persons"
TAGS = f"{WS}/person-tags"
AUDIT = {"createdUserName", "createdTime", "updatedUserName", "updatedTime"}
FACE = {"thumbnailKey": "faces/a.jpg", "isPrimaryThumbnail": True}
SIDE = {"thumbnailKey": "faces/b.jpg", "isPrimaryThumbnail": False}


async def _create(api, name="Kim", thumbnails=(FACE, SIDE), **extra):
    reply = await api.post(
        PERSONS, {"name": name, "thumbnails": list(thumbnails), **extra}
    )
    assert 200 == reply.status, reply.body
    return reply.body["result"]


async def test_create_shape(api, workspace):
    """A created person has ids, thumbnails, tags and audit fields."""
    person = await _create(api, description="An actor.")

    assert {
        "personId",
        "name",
        "description",
        "thumbnails",
        "tags",
        *AUDIT,
    } == set(person)
    assert [
        ("faces/a.jpg", True),
        ("faces/b.jpg", False),
    ] == [
        (t["thumbnailKey"], t["isPrimaryThumbnail"])
        for t in person["thumbnails"]
    ]
    assert ("An actor.", []) == (person["description"], person["tags"])


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"thumbnails": [FACE]}, id="no-name"),
        pytest.param({"name": " ", "thumbnails": [FACE]}, id="blank-name"),
        pytest.param({"name": "x" * 51, "thumbnails": [FACE]}, id="name-51"),
        pytest.param({"name": "a"}, id="no-thumbnails"),
        pytest.param({"name": "a", "thumbnails": []}, id="empty-thumbnails"),
        pytest.param({"name": "a", "thumbnails": [SIDE]}, id="no-primary"),
        pytest.param(
            {"name": "a", "thumbnails": [FACE, FACE]}, id="two-primaries"
        ),
        pytest.param(
            {"name": "a", "thumbnails": [FACE] + [SIDE] * 100}, id="101"
        ),
        pytest.param(
            {"name": "a", "thumbnails": [{"isPrimaryThumbnail": True}]},
            id="no-key",
        ),
        pytest.param({"name": "a", "thumbnails": ["k"]}, id="key-only"),
        pytest.param(
            {"name": "a", "thumbnails": [FACE], "description": "d" * 701},
            id="description-701",
        ),
        pytest.param(
            {"name": "a", "thumbnails": [FACE], "description": ""},
            id="description-empty",
        ),
    ],
)
async def test_create_validates(api, workspace, body):
    """Bodies breaking the documented rules are 400 with 10001."""
    reply = await api.post(PERSONS, body)

    assert (400, "10001") == (reply.status, reply.body["code"])


async def test_duplicate_name(api, workspace):
    """A taken name is 409 with 10202."""
    await _create(api)

    reply = await api.post(PERSONS, {"name": "Kim", "thumbnails": [FACE]})

    assert (409, "10202") == (reply.status, reply.body["code"])


async def test_get_edit_delete(api, workspace):
    """A person is read, edited and deleted."""
    person = await _create(api)
    target = f"{PERSONS}/{person['personId']}"
    side = person["thumbnails"][1]["thumbnailId"]

    got = await api.get(target)
    edited = await api.patch(
        target, {"description": "Now a director.", "primaryThumbnailId": side}
    )
    deleted = await api.delete(target)
    gone = await api.get(target)

    assert person == got.body["result"]
    assert ("Kim", "Now a director.", [False, True]) == (
        edited.body["result"]["name"],
        edited.body["result"]["description"],
        [t["isPrimaryThumbnail"] for t in edited.body["result"]["thumbnails"]],
    )
    assert {"code": "0", "message": "success"} == deleted.body
    assert (404, "10106") == (gone.status, gone.body["code"])


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param({}, (400, "10001"), id="nothing"),
        pytest.param({"primaryThumbnailId": 1}, (400, "10001"), id="not-own"),
        pytest.param(
            {"primaryThumbnailId": "x"}, (400, "10001"), id="thumbnail-text"
        ),
        pytest.param({"name": "Lee"}, (409, "10202"), id="taken"),
    ],
)
async def test_edit_validates(api, workspace, body, expected):
    """Edits need a change, the person's own thumbnail, a free name."""
    await _create(api, name="Lee")
    person = await _create(api)

    reply = await api.patch(f"{PERSONS}/{person['personId']}", body)

    assert expected == (reply.status, reply.body["code"])


async def test_list_and_filters(api, workspace):
    """Lists page and filter by name part and by any of the tags."""
    tag = (await api.post(TAGS, {"name": "crew"})).body["result"]["tagId"]
    kim = await _create(api, name="Kim")
    await _create(api, name="Kimberly")
    lee = await _create(api, name="Lee")
    for person in (kim, lee):
        await api.post(
            f"{PERSONS}/{person['personId']}/person-tags", {"tagIds": [tag]}
        )

    paged = await api.get(f"{PERSONS}?pageNum=2&pageSize=2")
    named = await api.get(f"{PERSONS}?pageNum=1&name=KIM")
    tagged = await api.get(f"{PERSONS}?pageNum=1&tagIdList=99%2C{tag}")

    assert (3, 2, ["Lee"]) == (
        paged.body["result"]["totalCount"],
        paged.body["result"]["totalPage"],
        [p["name"] for p in paged.body["result"]["content"]],
    )
    assert ["Kim", "Kimberly"] == [
        p["name"] for p in named.body["result"]["content"]
    ]
    assert ["Kim", "Lee"] == [
        p["name"] for p in tagged.body["result"]["content"]
    ]
    assert ["crew"] == [
        t["name"] for t in tagged.body["result"]["content"][0]["tags"]
    ]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?pageNum=0",
        "?pageNum=1&pageSize=1001",
        "?pageNum=1&name=k",
        "?pageNum=1&name=a%3Bb",
        "?pageNum=1&tagIdList=a",
    ],
)
async def test_list_validates(api, workspace, query):
    """Paging and filters out of range are 400 with 10001."""
    reply = await api.get(f"{PERSONS}{query}")

    assert (400, "10001") == (reply.status, reply.body["code"])


async def test_tags_of_a_person(api, workspace):
    """Adding ignores unknown and repeated ids; removing ignores absent."""
    one = (await api.post(TAGS, {"name": "one"})).body["result"]["tagId"]
    two = (await api.post(TAGS, {"name": "two"})).body["result"]["tagId"]
    person = await _create(api)
    target = f"{PERSONS}/{person['personId']}/person-tags"

    added = await api.post(target, {"tagIds": [two, one, two, 424242]})
    removed = await api.delete(target, json_body={"tagIds": [two, 7]})
    bad = await api.post(target, {"tagIds": []})

    assert (person["personId"], ["two", "one"]) == (
        added.body["result"]["personId"],
        [t["name"] for t in added.body["result"]["tags"]],
    )
    assert ["one"] == [t["name"] for t in removed.body["result"]["tags"]]
    assert (400, "10001") == (bad.status, bad.body["code"])


async def test_thumbnails(api, workspace):
    """Thumbnails are added and removed within the rules."""
    person = await _create(api)
    target = f"{PERSONS}/{person['personId']}/person-thumbnail"
    primary, side = (t["thumbnailId"] for t in person["thumbnails"])

    added = await api.post(
        target,
        {
            "thumbnails": [
                {"thumbnailKey": "c.jpg", "isPrimaryThumbnail": True}
            ]
        },
    )
    keep_primary = await api.delete(
        target,
        json_body={
            "thumbnailIds": [
                added.body["result"]["thumbnails"][2]["thumbnailId"]
            ]
        },
    )
    removed = await api.delete(
        target, json_body={"thumbnailIds": [primary, side, 5]}
    )

    assert [False, False, True] == [
        t["isPrimaryThumbnail"] for t in added.body["result"]["thumbnails"]
    ]
    assert (400, "10001") == (keep_primary.status, keep_primary.body["code"])
    assert ["c.jpg"] == [
        t["thumbnailKey"] for t in removed.body["result"]["thumbnails"]
    ]


@pytest.mark.parametrize(
    "thumbnails",
    [
        pytest.param([], id="none"),
        pytest.param([FACE, FACE], id="two-primaries"),
        pytest.param([SIDE] * 99, id="past-100"),
    ],
)
async def test_add_thumbnails_validates(api, workspace, thumbnails):
    """Adding none, two primaries, or past 100 in all is 10001."""
    person = await _create(api)

    reply = await api.post(
        f"{PERSONS}/{person['personId']}/person-thumbnail",
        {"thumbnails": thumbnails},
    )

    assert (400, "10001") == (reply.status, reply.body["code"])


async def test_thumbnail_uploads(api, workspace):
    """Thumbnail uploads are issued and confirmed per workspace."""
    uploads = f"{WS}/person-thumbnail/uploads"
    issued = await api.post(
        f"{uploads}/presigned-url", {"thumbnailFileName": "me.png"}
    )
    key = issued.body["result"]["thumbnailKey"]
    confirmed = await api.post(f"{uploads}/complete", {"thumbnailKey": key})
    unknown = await api.post(f"{uploads}/complete", {"thumbnailKey": "x"})

    assert {"thumbnailKey", "presignedUploadUrl", "expirationSeconds"} == set(
        issued.body["result"]
    )
    assert {
        "thumbnailKey": key,
        "uploadStatus": "COMPLETED",
        "uploadMessage": None,
    } == confirmed.body["result"]
    assert "FAILED" == unknown.body["result"]["uploadStatus"]


async def test_person_tags(api, emu, workspace):
    """Tags are created, listed (10 a page by default) and deleted."""
    made = [
        (await api.post(TAGS, {"name": f"t{n:02}"})).body["result"]
        for n in range(12)
    ]
    person = await _create(api)
    await api.post(
        f"{PERSONS}/{person['personId']}/person-tags",
        {"tagIds": [made[0]["tagId"]]},
    )

    first = await api.get(f"{TAGS}?pageNum=1")
    by_id = await api.get(f"{TAGS}?pageNum=1&id={made[3]['tagId']}")
    by_name = await api.get(f"{TAGS}?pageNum=1&name=T1")
    deleted = await api.delete(f"{TAGS}/{made[0]['tagId']}")
    gone = await api.delete(f"{TAGS}/{made[0]['tagId']}")
    after = await api.get(f"{PERSONS}/{person['personId']}")

    assert {"tagId", "name", *AUDIT} == set(made[0])
    assert (12, 2, 10) == (
        first.body["result"]["totalCount"],
        first.body["result"]["totalPage"],
        len(first.body["result"]["content"]),
    )
    assert ["t03"] == [t["name"] for t in by_id.body["result"]["content"]]
    assert ["t10", "t11"] == [
        t["name"] for t in by_name.body["result"]["content"]
    ]
    assert {"code": "0", "message": "success"} == deleted.body
    assert (404, "10107") == (gone.status, gone.body["code"])
    assert [] == after.body["result"]["tags"]


@pytest.mark.parametrize(
    ("method", "target", "body"),
    [
        pytest.param("POST", TAGS, {"name": ""}, id="empty-name"),
        pytest.param("POST", TAGS, {"name": "x" * 31}, id="name-31"),
        pytest.param("GET", f"{TAGS}?pageNum=1&pageSize=51", None, id="size"),
        pytest.param("GET", f"{TAGS}?pageNum=1&id=x", None, id="id-text"),
        pytest.param("DELETE", f"{TAGS}/x", None, id="tag-id-text"),
    ],
)
async def test_tags_validate(api, workspace, method, target, body):
    """Tag names, paging and ids out of range are 400 with 10001."""
    reply = await api.request(method, target, json_body=body)

    assert (400, "10001") == (reply.status, reply.body["code"])


async def test_duplicate_tag(api, workspace):
    """A taken tag name is 409 with 10203."""
    await api.post(TAGS, {"name": "dup"})

    reply = await api.post(TAGS, {"name": "dup"})

    assert (409, "10203") == (reply.status, reply.body["code"])


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("GET", ""),
        ("PATCH", ""),
        ("DELETE", ""),
        ("POST", "/person-tags"),
        ("DELETE", "/person-tags"),
        ("POST", "/person-thumbnail"),
        ("DELETE", "/person-thumbnail"),
    ],
)
async def test_unknown_person(api, workspace, method, suffix):
    """Every person route answers 404 10106 for an unknown person."""
    reply = await api.request(
        method, f"{PERSONS}/99{suffix}", json_body={"tagIds": [1]}
    )

    assert (404, "10106") == (reply.status, reply.body["code"])


async def test_persons_belong_to_their_workspace(api, emu, workspace):
    """A person is not found through another workspace."""
    emu.state.add_workspace("ws-other")
    person = await _create(api)

    reply = await api.get(
        f"/api/v1/workspaces/ws-other/persons/{person['personId']}"
    )

    assert (404, "10106") == (reply.status, reply.body["code"])


async def test_unknown_workspace(api):
    """Person routes of an unknown workspace are 404 with 10100."""
    reply = await api.get("/api/v1/workspaces/nope/persons?pageNum=1")

    assert (404, "10100") == (reply.status, reply.body["code"])
