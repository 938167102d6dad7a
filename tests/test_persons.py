"""
Persons and person tags over loopback.
"""

from __future__ import annotations

import pytest

from maiu_async import (
    BadRequest,
    Conflict,
    NotFound,
    PersonThumbnail,
    ThumbnailSpec,
    ValidationError,
)


pytestmark = pytest.mark.anyio

WS = "people-ws"
FACE = ThumbnailSpec(thumbnail_key="faces/a.jpg", is_primary_thumbnail=True)
SIDE = ThumbnailSpec(thumbnail_key="faces/b.jpg")


@pytest.fixture(name="workspace")
def _workspace(emu):
    emu.state.add_workspace(WS)
    return WS


@pytest.fixture(name="person")
async def _person(client, workspace):
    return await client.persons.create(
        WS, name="Kim", thumbnails=[FACE, SIDE], description="An actor."
    )


async def test_create_and_get(client, person):
    """A person is created with its thumbnails, then read back."""
    got = await client.persons.get(WS, person.person_id)

    assert person == got
    assert ("Kim", "An actor.", ()) == (got.name, got.description, got.tags)
    assert [("faces/a.jpg", True), ("faces/b.jpg", False)] == [
        (t.thumbnail_key, t.is_primary_thumbnail) for t in got.thumbnails
    ]


async def test_update(client, person):
    """Name, description and primary thumbnail can be changed."""
    side = person.thumbnails[1].thumbnail_id

    updated = await client.persons.update(
        WS,
        person.person_id,
        name="Kim Lee",
        description="A director.",
        primary_thumbnail_id=side,
    )

    assert ("Kim Lee", "A director.", [False, True]) == (
        updated.name,
        updated.description,
        [t.is_primary_thumbnail for t in updated.thumbnails],
    )


async def test_delete(client, person):
    """A deleted person is NotFound with 10106."""
    await client.persons.delete(WS, person.person_id)

    with pytest.raises(NotFound) as info:
        await client.persons.get(WS, person.person_id)

    assert "10106" == info.value.api_code


async def test_list_and_filters(client, person):
    """Persons are listed, filtered by name and by tags."""
    tag = await client.person_tags.create(WS, "actors")
    other = await client.persons.create(WS, name="Park", thumbnails=[FACE])
    await client.persons.add_tags(WS, other.person_id, [tag.tag_id])

    everyone = await client.persons.list(WS)
    named = await client.persons.list(WS, name="ki")
    tagged = await client.persons.list(WS, tag_ids=[tag.tag_id, 999])
    iterated = [p.name async for p in client.persons.iterate(WS, page_size=1)]

    assert ["Kim", "Park"] == [p.name for p in everyone.content]
    assert ["Kim"] == [p.name for p in named.content]
    assert ["Park"] == [p.name for p in tagged.content]
    assert ["Kim", "Park"] == iterated


async def test_tags_of_a_person(client, person):
    """Tags are added and removed; unknown and repeated ids are ignored."""
    one = await client.person_tags.create(WS, "one")
    two = await client.person_tags.create(WS, "two")

    added = await client.persons.add_tags(
        WS, person.person_id, [one.tag_id, two.tag_id, one.tag_id, 12345]
    )
    removed = await client.persons.remove_tags(
        WS, person.person_id, [one.tag_id, 12345]
    )
    got = await client.persons.get(WS, person.person_id)

    assert ["one", "two"] == [t.name for t in added.tags]
    assert (person.person_id, ["two"]) == (
        removed.person_id,
        [t.name for t in removed.tags],
    )
    assert ["two"] == [t.name for t in got.tags]


async def test_thumbnails(client, person):
    """Thumbnails are added (a new primary demotes the old) and removed."""
    old_primary, side = (t.thumbnail_id for t in person.thumbnails)

    added = await client.persons.add_thumbnails(
        WS,
        person.person_id,
        [
            ThumbnailSpec(
                thumbnail_key="faces/c.jpg", is_primary_thumbnail=True
            )
        ],
    )
    removed = await client.persons.remove_thumbnails(
        WS, person.person_id, [old_primary, side, 999]
    )

    assert [False, False, True] == [
        t.is_primary_thumbnail for t in added.thumbnails
    ]
    assert [
        PersonThumbnail(
            thumbnail_id=added.thumbnails[2].thumbnail_id,
            thumbnail_key="faces/c.jpg",
            is_primary_thumbnail=True,
        )
    ] == list(removed.thumbnails)


async def test_removing_the_primary_thumbnail(client, person):
    """The primary thumbnail cannot be removed (10001)."""
    primary = person.thumbnails[0].thumbnail_id

    with pytest.raises(BadRequest) as info:
        await client.persons.remove_thumbnails(WS, person.person_id, [primary])

    assert "10001" == info.value.api_code


async def test_thumbnail_upload(client, workspace):
    """A thumbnail upload URL is issued and confirmed."""
    upload = await client.persons.thumbnail_upload_url(WS, "face.png")
    done = await client.persons.complete_thumbnail_upload(
        WS, upload.thumbnail_key
    )
    unknown = await client.persons.complete_thumbnail_upload(WS, "x/y.png")

    assert upload.presigned_upload_url.endswith("face.png")
    assert (upload.thumbnail_key, "COMPLETED") == (
        done.key,
        done.upload_status,
    )
    assert "FAILED" == unknown.upload_status


async def test_duplicate_name(client, person):
    """A taken person name is Conflict with 10202, on create and update."""
    other = await client.persons.create(WS, name="Lee", thumbnails=[FACE])

    with pytest.raises(Conflict) as created:
        await client.persons.create(WS, name="Kim", thumbnails=[FACE])
    with pytest.raises(Conflict) as renamed:
        await client.persons.update(WS, other.person_id, name="Kim")

    assert ("10202", "10202") == (
        created.value.api_code,
        renamed.value.api_code,
    )


async def test_primary_of_another_person(client, person):
    """The primary thumbnail must be one of the person's own (10001)."""
    other = await client.persons.create(WS, name="Lee", thumbnails=[FACE])

    with pytest.raises(BadRequest) as info:
        await client.persons.update(
            WS,
            other.person_id,
            primary_thumbnail_id=person.thumbnails[1].thumbnail_id,
        )

    assert "10001" == info.value.api_code


async def test_unknown_person(client, workspace):
    """Every call on an unknown person is NotFound with 10106."""
    for call in (
        client.persons.get(WS, 77),
        client.persons.update(WS, 77, name="x"),
        client.persons.delete(WS, 77),
        client.persons.add_tags(WS, 77, [1]),
        client.persons.remove_tags(WS, 77, [1]),
        client.persons.add_thumbnails(WS, 77, [SIDE]),
        client.persons.remove_thumbnails(WS, 77, [1]),
    ):
        with pytest.raises(NotFound) as info:
            await call
        assert "10106" == info.value.api_code


async def test_person_tags(client, workspace):
    """Tags are created, listed, filtered, iterated and deleted."""
    made = [await client.person_tags.create(WS, f"tag-{n}") for n in range(3)]

    first = await client.person_tags.list(WS, page_size=2)
    by_id = await client.person_tags.list(WS, tag_id=made[1].tag_id)
    by_name = await client.person_tags.list(WS, name="tag-2")
    every = [t.name async for t in client.person_tags.iterate(WS, page_size=2)]
    await client.person_tags.delete(WS, made[0].tag_id)
    after = await client.person_tags.list(WS)

    assert (3, 2, 2) == (first.total_count, first.total_page, first.page_size)
    assert ["tag-1"] == [t.name for t in by_id.content]
    assert ["tag-2"] == [t.name for t in by_name.content]
    assert ["tag-0", "tag-1", "tag-2"] == every
    assert ["tag-1", "tag-2"] == [t.name for t in after.content]


async def test_deleted_tag_leaves_persons(client, person):
    """Deleting a tag takes it off its persons."""
    tag = await client.person_tags.create(WS, "gone")
    await client.persons.add_tags(WS, person.person_id, [tag.tag_id])

    await client.person_tags.delete(WS, tag.tag_id)
    got = await client.persons.get(WS, person.person_id)

    assert () == got.tags


async def test_tag_errors(client, workspace):
    """A taken tag name is Conflict 10203; an unknown tag NotFound 10107."""
    await client.person_tags.create(WS, "dup")

    with pytest.raises(Conflict) as taken:
        await client.person_tags.create(WS, "dup")
    with pytest.raises(NotFound) as unknown:
        await client.person_tags.delete(WS, 4242)

    assert ("10203", "10107") == (
        taken.value.api_code,
        unknown.value.api_code,
    )


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param({"name": "", "thumbnails": [FACE]}, id="name-empty"),
        pytest.param({"name": "   ", "thumbnails": [FACE]}, id="name-blank"),
        pytest.param({"name": "x" * 51, "thumbnails": [FACE]}, id="name-51"),
        pytest.param({"name": 5, "thumbnails": [FACE]}, id="name-not-text"),
        pytest.param(
            {"name": "a", "thumbnails": [FACE], "description": ""},
            id="description-empty",
        ),
        pytest.param(
            {"name": "a", "thumbnails": [FACE], "description": "d" * 701},
            id="description-701",
        ),
        pytest.param({"name": "a", "thumbnails": []}, id="no-thumbnails"),
        pytest.param({"name": "a", "thumbnails": [SIDE]}, id="no-primary"),
        pytest.param(
            {"name": "a", "thumbnails": [FACE, FACE]}, id="two-primaries"
        ),
        pytest.param(
            {"name": "a", "thumbnails": [FACE] + [SIDE] * 100},
            id="101-thumbnails",
        ),
        pytest.param(
            {"name": "a", "thumbnails": FACE}, id="thumbnails-not-a-list"
        ),
        pytest.param(
            {"name": "a", "thumbnails": [{"thumbnailKey": "k"}]},
            id="thumbnail-dict",
        ),
        pytest.param(
            {
                "name": "a",
                "thumbnails": [
                    ThumbnailSpec(thumbnail_key=" ", is_primary_thumbnail=True)
                ],
            },
            id="thumbnail-key-blank",
        ),
        pytest.param(
            {
                "name": "a",
                "thumbnails": [
                    ThumbnailSpec(thumbnail_key="k", is_primary_thumbnail=1)
                ],
            },
            id="primary-not-bool",
        ),
    ],
)
async def test_invalid_persons_send_nothing(emu, client, workspace, arguments):
    """New persons breaking a documented rule are never sent."""
    before = emu.stats.requests

    with pytest.raises(ValidationError):
        await client.persons.create(WS, **arguments)

    assert before == emu.stats.requests


@pytest.mark.parametrize(
    "filters",
    [
        pytest.param({"name": "k"}, id="name-1"),
        pytest.param({"name": "k" * 51}, id="name-51"),
        pytest.param({"name": "a;b"}, id="name-semicolon"),
        pytest.param({"tag_ids": []}, id="no-tags"),
        pytest.param({"tag_ids": [0]}, id="tag-zero"),
        pytest.param({"page_num": 0}, id="page-zero"),
        pytest.param({"page_size": 1001}, id="size-1001"),
    ],
)
async def test_invalid_person_lists_send_nothing(
    emu, client, workspace, filters
):
    """Person list filters and paging are checked before sending."""
    before = emu.stats.requests

    with pytest.raises(ValidationError):
        await client.persons.list(WS, **filters)

    assert before == emu.stats.requests


@pytest.mark.parametrize(
    ("method", "arguments"),
    [
        pytest.param("update", {}, id="update-nothing"),
        pytest.param("update", {"name": " "}, id="update-blank"),
        pytest.param(
            "update", {"primary_thumbnail_id": 0}, id="update-thumbnail-zero"
        ),
        pytest.param("add_tags", {"tag_ids": []}, id="add-no-tags"),
        pytest.param("remove_tags", {"tag_ids": [-1]}, id="remove-bad-tag"),
        pytest.param(
            "add_thumbnails", {"thumbnails": [FACE, FACE]}, id="two-primaries"
        ),
        pytest.param("add_thumbnails", {"thumbnails": []}, id="add-none"),
        pytest.param(
            "remove_thumbnails", {"thumbnail_ids": []}, id="remove-none"
        ),
    ],
)
async def test_invalid_person_changes_send_nothing(
    emu, client, workspace, method, arguments
):
    """Changes to persons breaking a rule are never sent."""
    before = emu.stats.requests

    with pytest.raises(ValidationError):
        await getattr(client.persons, method)(WS, 1, **arguments)

    assert before == emu.stats.requests


@pytest.mark.parametrize(
    ("call", "arguments"),
    [
        pytest.param("create", ("",), id="tag-name-empty"),
        pytest.param("create", ("t" * 31,), id="tag-name-31"),
        pytest.param("delete", (0,), id="tag-id-zero"),
        pytest.param("list", (), id="tag-page-size-51"),
    ],
)
async def test_invalid_tag_calls_send_nothing(
    emu, client, workspace, call, arguments
):
    """Tag names are 1 to 30 characters; tag pages hold 1 to 50."""
    before = emu.stats.requests
    extra = {"page_size": 51} if call == "list" else {}

    with pytest.raises(ValidationError):
        await getattr(client.person_tags, call)(WS, *arguments, **extra)

    assert before == emu.stats.requests


@pytest.mark.parametrize("file_name", ["", "a/b.jpg"], ids=["empty", "path"])
async def test_invalid_thumbnail_names_send_nothing(
    emu, client, workspace, file_name
):
    """A thumbnail upload needs a plain file name."""
    before = emu.stats.requests

    with pytest.raises(ValidationError):
        await client.persons.thumbnail_upload_url(WS, file_name)

    assert before == emu.stats.requests
