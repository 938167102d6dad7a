"""
Persons and their thumbnails: records, rules, endpoints and bodies.

Emulator choices ([?]: the pages are known only through a third-party
catalogue, without answers):

- Persons belong to a workspace; ids are unique across the emulator.
  Lists are in ascending id order, pages like the asset list.
- A person is ``{personId, name, description, thumbnails[{thumbnailId,
  thumbnailKey, isPrimaryThumbnail}], tags[...], ...audit}``; adding or
  removing thumbnails answers ``{personId, thumbnails}``.
- Any non-blank ``thumbnailKey`` is accepted: the emulator cannot see
  the bucket.  Thumbnail upload URLs are in ``_uploads``, tags in
  ``_person_tags``.
- Adding a primary thumbnail demotes the old one; removing the primary
  thumbnail is refused (10001) so that exactly one stays primary.
- The list's ``name`` filter keeps names containing it, ignoring case;
  ``tagIdList`` keeps persons with any of the tags.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from maiu_async import _errorcodes as codes
from maiu_async import limits

from . import _checks
from ._checks import ServiceError
from ._http import JSON, Call, Route, audit, paged, success, timestamp
from ._person_tags import contains, tag_body


if TYPE_CHECKING:
    from collections.abc import Sequence

    from ._state import EmulatorState


__all__ = [
    "FIRST_PERSON_ID",
    "FIRST_THUMBNAIL_ID",
    "ROUTES",
    "PersonBook",
    "PersonRecord",
    "ThumbnailRecord",
]

# Disjoint from every other kind of id.
FIRST_PERSON_ID = 5_000_001
FIRST_THUMBNAIL_ID = 7_000_001


@attrs.define
class ThumbnailRecord:
    """
    One face image of a person.

    Attributes:
        thumbnail_id: Its id.
        key: Its storage key.
        primary: Whether it is the person's primary thumbnail.

    """

    thumbnail_id: int
    key: str
    primary: bool


@attrs.define
class PersonRecord:
    """
    One person.

    Attributes:
        person_id: Its id.
        name: Its name, unique in the workspace.
        description: Its description, if any.
        thumbnails: Its thumbnails, oldest first.
        tag_ids: Its tags' ids, in the order they were added.
        created_time: Wire-format creation time.
        updated_time: Wire-format time of the last change.

    """

    person_id: int
    name: str
    description: str | None
    thumbnails: list[ThumbnailRecord]
    created_time: str
    updated_time: str
    tag_ids: list[int] = attrs.Factory(list)


class PersonBook:
    """
    The person rules of one `EmulatorState`.

    Methods raise `ServiceError` where the API answers an error.
    """

    __slots__ = ("_next", "_state")

    def __init__(self, state: EmulatorState) -> None:
        self._state = state
        self._next = {
            "person": FIRST_PERSON_ID,
            "thumbnail": FIRST_THUMBNAIL_ID,
        }

    def __repr__(self) -> str:
        return f"<PersonBook next_person_id={self._next['person']}>"

    def _new_id(self, kind: str) -> int:
        value = self._next[kind]
        self._next[kind] += 1
        return value

    def _thumbnails(
        self, items: Sequence[tuple[str, bool]]
    ) -> list[ThumbnailRecord]:
        return [
            ThumbnailRecord(self._new_id("thumbnail"), key, primary)
            for key, primary in items
        ]

    def add(
        self,
        workspace: str,
        name: str,
        thumbnails: Sequence[tuple[str, bool]],
        description: str | None = None,
    ) -> PersonRecord:
        """
        Register a person with ``(key, primary)`` thumbnails.

        Raises:
            ServiceError: 10100 for an unknown workspace, 10001 for a bad
                name, description or thumbnails, 10202 for a taken name.

        """
        ws = self._state.workspace(workspace)
        name = _checks.person_name(name)
        if description is not None:
            description = _checks.person_description(description)
        if not 1 <= len(thumbnails) <= limits.PERSON_THUMBNAILS_MAX:
            raise ServiceError(codes.INVALID_REQUEST, "thumbnail count")
        if sum(primary for _, primary in thumbnails) != 1:
            raise ServiceError(codes.INVALID_REQUEST, "one primary")
        if any(p.name == name for p in ws.persons.values()):
            raise ServiceError(codes.PERSON_NAME_EXISTS, name)
        now = timestamp()
        person = PersonRecord(
            person_id=self._new_id("person"),
            name=name,
            description=description,
            thumbnails=self._thumbnails(thumbnails),
            created_time=now,
            updated_time=now,
        )
        ws.persons[person.person_id] = person
        return person

    def person(self, workspace: str, person_id: int) -> PersonRecord:
        """
        Return one person.

        Raises:
            ServiceError: 10100 or 10106 if either is unknown.

        """
        try:
            return self._state.workspace(workspace).persons[person_id]
        except KeyError:
            raise ServiceError(
                codes.PERSON_NOT_FOUND, str(person_id)
            ) from None

    def persons(
        self,
        workspace: str,
        name: str | None = None,
        tag_ids: Sequence[int] = (),
    ) -> list[PersonRecord]:
        """
        Return the persons matching the filters, in ascending id order.

        Raises:
            ServiceError: 10100 for an unknown workspace.

        """
        ws = self._state.workspace(workspace)
        wanted = set(tag_ids)
        return [
            p
            for p in ws.persons.values()
            if contains(p.name, name)
            and (not wanted or not wanted.isdisjoint(p.tag_ids))
        ]

    def edit(
        self,
        workspace: str,
        person_id: int,
        *,
        name: str | None = None,
        description: str | None = None,
        primary_thumbnail_id: int | None = None,
    ) -> PersonRecord:
        """
        Change a person's name, description or primary thumbnail.

        Raises:
            ServiceError: 10100/10106 if unknown; 10001 for nothing to
                change, a bad value or another person's thumbnail;
                10202 for a taken name.

        """
        ws = self._state.workspace(workspace)
        person = self.person(workspace, person_id)
        if (
            name is None
            and description is None
            and primary_thumbnail_id is None
        ):
            raise ServiceError(codes.INVALID_REQUEST, "nothing to change")
        if name is not None:
            name = _checks.person_name(name)
            if any(
                p.name == name and p is not person for p in ws.persons.values()
            ):
                raise ServiceError(codes.PERSON_NAME_EXISTS, name)
        if description is not None:
            description = _checks.person_description(description)
        if primary_thumbnail_id is not None:
            if all(
                t.thumbnail_id != primary_thumbnail_id
                for t in person.thumbnails
            ):
                raise ServiceError(
                    codes.INVALID_REQUEST, "not this person's thumbnail"
                )
            for t in person.thumbnails:
                t.primary = t.thumbnail_id == primary_thumbnail_id
        if name is not None:
            person.name = name
        if description is not None:
            person.description = description
        person.updated_time = timestamp()
        return person

    def delete(self, workspace: str, person_id: int) -> None:
        """
        Delete a person.

        Raises:
            ServiceError: 10100/10106 if unknown.

        """
        self.person(workspace, person_id)
        del self._state.workspace(workspace).persons[person_id]

    def add_thumbnails(
        self,
        workspace: str,
        person_id: int,
        thumbnails: Sequence[tuple[str, bool]],
    ) -> PersonRecord:
        """
        Give a person more ``(key, primary)`` thumbnails.

        Raises:
            ServiceError: 10100/10106 if unknown; 10001 past 100 in all
                or for more than one new primary.

        """
        person = self.person(workspace, person_id)
        total = len(person.thumbnails) + len(thumbnails)
        if not thumbnails or total > limits.PERSON_THUMBNAILS_MAX:
            raise ServiceError(codes.INVALID_REQUEST, "thumbnail count")
        if sum(primary for _, primary in thumbnails) > 1:
            raise ServiceError(codes.INVALID_REQUEST, "one primary")
        if any(primary for _, primary in thumbnails):
            for t in person.thumbnails:
                t.primary = False
        person.thumbnails.extend(self._thumbnails(thumbnails))
        person.updated_time = timestamp()
        return person

    def remove_thumbnails(
        self, workspace: str, person_id: int, thumbnail_ids: Sequence[int]
    ) -> PersonRecord:
        """
        Remove thumbnails; ids the person does not have are ignored.

        Raises:
            ServiceError: 10100/10106 if unknown; 10001 for the primary
                thumbnail.

        """
        person = self.person(workspace, person_id)
        gone = set(thumbnail_ids)
        if any(
            t.primary and t.thumbnail_id in gone for t in person.thumbnails
        ):
            raise ServiceError(codes.INVALID_REQUEST, "primary thumbnail")
        person.thumbnails = [
            t for t in person.thumbnails if t.thumbnail_id not in gone
        ]
        person.updated_time = timestamp()
        return person


# --- handlers: see ROUTES for their paths ----------------------------------


def _thumbnail_bodies(p: PersonRecord) -> list[JSON]:
    return [
        {
            "thumbnailId": t.thumbnail_id,
            "thumbnailKey": t.key,
            "isPrimaryThumbnail": t.primary,
        }
        for t in p.thumbnails
    ]


def _thumbnails_of(p: PersonRecord) -> JSON:
    return {"personId": p.person_id, "thumbnails": _thumbnail_bodies(p)}


def _person(call: Call, p: PersonRecord) -> JSON:
    ws = call.state.workspace(call.workspace)
    return {
        "personId": p.person_id,
        "name": p.name,
        "description": p.description,
        "thumbnails": _thumbnail_bodies(p),
        "tags": [tag_body(t) for t in call.state.person_tags.of(ws, p)],
        **audit(p.created_time, p.updated_time),
    }


def list_persons(call: Call) -> JSON:
    call.state.workspace(call.workspace)
    page_no, page_size = _checks.page(
        call.query, max_size=limits.PERSON_PAGE_SIZE_MAX
    )
    name = call.query.get("name")
    if name is not None:
        _checks.text(
            name,
            "name",
            min_len=limits.PERSON_FILTER_NAME_MIN_LENGTH,
            max_len=limits.PERSON_NAME_MAX_LENGTH,
            forbidden=limits.TEXT_FORBIDDEN,
        )
    tag_ids = _checks.query_ids(call.query.get("tagIdList"), "tagIdList")
    found = call.state.persons.persons(call.workspace, name, tag_ids)
    return success(
        paged(found, page_no, page_size, lambda p: _person(call, p))
    )


def create_person(call: Call) -> JSON:
    call.state.workspace(call.workspace)
    body = call.json()
    description = body.get("description")
    person = call.state.persons.add(
        call.workspace,
        _checks.required_text(body, "name"),
        _checks.thumbnails(body.get("thumbnails")),
        None
        if description is None
        else _checks.required_text(body, "description"),
    )
    return success(_person(call, person))


def get_person(call: Call) -> JSON:
    person = call.state.persons.person(call.workspace, call.person_id)
    return success(_person(call, person))


def edit_person(call: Call) -> JSON:
    call.state.persons.person(call.workspace, call.person_id)
    body = call.json()
    primary = body.get("primaryThumbnailId")
    person = call.state.persons.edit(
        call.workspace,
        call.person_id,
        name=_checks.optional_text(body, "name"),
        description=_checks.optional_text(body, "description"),
        primary_thumbnail_id=None
        if primary is None
        else _checks.integer_in(primary, "primaryThumbnailId", 1, 2**63 - 1),
    )
    return success(_person(call, person))


def delete_person(call: Call) -> JSON:
    call.state.persons.delete(call.workspace, call.person_id)
    return success(has_result=False)


def add_person_thumbnails(call: Call) -> JSON:
    book = call.state.persons
    book.person(call.workspace, call.person_id)
    added = _checks.thumbnails(call.json().get("thumbnails"))
    person = book.add_thumbnails(call.workspace, call.person_id, added)
    return success(_thumbnails_of(person))


def remove_person_thumbnails(call: Call) -> JSON:
    book = call.state.persons
    book.person(call.workspace, call.person_id)
    body = call.json()
    ids = _checks.id_list(body.get("thumbnailIds"), "thumbnailIds", min_len=1)
    person = book.remove_thumbnails(call.workspace, call.person_id, ids)
    return success(_thumbnails_of(person))


_PERSONS = "workspaces/{ws}/persons"
_PERSON = f"{_PERSONS}/{{person}}"

ROUTES = (
    Route("GET", _PERSONS, list_persons),
    Route("POST", _PERSONS, create_person),
    Route("GET", _PERSON, get_person),
    Route("PATCH", _PERSON, edit_person),
    Route("DELETE", _PERSON, delete_person),
    Route("POST", f"{_PERSON}/person-thumbnail", add_person_thumbnails),
    Route("DELETE", f"{_PERSON}/person-thumbnail", remove_person_thumbnails),
)
