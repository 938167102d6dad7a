"""
Persons, their thumbnails and tags, and person tags.

Emulator choices ([?]: the pages are known only through a third-party
catalogue, without answers):

- Persons and tags belong to a workspace; ids are unique across the
  emulator.  Lists are in ascending id order.
- Any non-blank ``thumbnailKey`` is accepted: the emulator cannot see
  the bucket.  Thumbnail upload URLs work like search-image ones.
- Adding a primary thumbnail demotes the old one; removing the primary
  thumbnail is refused (10001) so that exactly one stays primary.
- The person list's ``name`` filter keeps names containing it, ignoring
  case; ``tagIdList`` keeps persons with any of the tags.  The tag
  list's ``name`` filter works the same way.
- Deleting a tag takes it off every person.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from maiu_async import _errorcodes as codes
from maiu_async import limits

from . import _checks
from ._errors import ServiceError
from ._wire import timestamp


if TYPE_CHECKING:
    from collections.abc import Sequence

    from ._state import EmulatorState, WorkspaceRecord


__all__ = [
    "FIRST_PERSON_ID",
    "FIRST_PERSON_TAG_ID",
    "FIRST_THUMBNAIL_ID",
    "PersonBook",
    "PersonRecord",
    "TagRecord",
    "ThumbnailRecord",
]

# Disjoint from every other kind of id.
FIRST_PERSON_ID = 5_000_001
FIRST_PERSON_TAG_ID = 6_000_001
FIRST_THUMBNAIL_ID = 7_000_001

UPLOAD_PREFIX = "person-thumbnails"


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
class TagRecord:
    """
    One person tag.

    Attributes:
        tag_id: Its id.
        name: Its name, unique in the workspace.
        created_time: Wire-format creation time.
        updated_time: Wire-format time of the last change.

    """

    tag_id: int
    name: str
    created_time: str
    updated_time: str


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


def _name(value: object) -> str:
    return _checks.text(
        value,
        "person name",
        max_len=limits.PERSON_NAME_MAX_LENGTH,
        not_blank=True,
    )


def _description(value: object) -> str:
    return _checks.text(
        value, "description", max_len=limits.PERSON_DESCRIPTION_MAX_LENGTH
    )


def _contains(name: str, part: str | None) -> bool:
    return part is None or part.lower() in name.lower()


class PersonBook:
    """
    The person and person-tag rules of one `EmulatorState`.

    Methods raise `ServiceError` where the API answers an error.
    """

    __slots__ = ("_next", "_state", "_uploads")

    def __init__(self, state: EmulatorState) -> None:
        self._state = state
        self._next = {
            "person": FIRST_PERSON_ID,
            "tag": FIRST_PERSON_TAG_ID,
            "thumbnail": FIRST_THUMBNAIL_ID,
            "upload": 1,
        }
        # Issued thumbnail upload keys, with their workspace.
        self._uploads: dict[str, str] = {}

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

    # --- persons --------------------------------------------------------

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
        name = _name(name)
        if description is not None:
            description = _description(description)
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
            if _contains(p.name, name)
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
            name = _name(name)
            if any(
                p.name == name and p is not person for p in ws.persons.values()
            ):
                raise ServiceError(codes.PERSON_NAME_EXISTS, name)
        if description is not None:
            description = _description(description)
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

    def add_tags(
        self, workspace: str, person_id: int, tag_ids: Sequence[int]
    ) -> PersonRecord:
        """
        Tag a person; unknown and repeated ids are ignored.

        Raises:
            ServiceError: 10100/10106 if unknown.

        """
        person = self.person(workspace, person_id)
        known = self._state.workspace(workspace).person_tags
        for tag_id in tag_ids:
            if tag_id in known and tag_id not in person.tag_ids:
                person.tag_ids.append(tag_id)
        return person

    def remove_tags(
        self, workspace: str, person_id: int, tag_ids: Sequence[int]
    ) -> PersonRecord:
        """
        Untag a person; ids it does not have are ignored.

        Raises:
            ServiceError: 10100/10106 if unknown.

        """
        person = self.person(workspace, person_id)
        gone = set(tag_ids)
        person.tag_ids = [t for t in person.tag_ids if t not in gone]
        return person

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

    # --- thumbnail uploads ----------------------------------------------

    def issue_upload(self, workspace: str, file_name: str) -> str:
        """
        Issue an upload key for a thumbnail called *file_name*.

        Raises:
            ServiceError: 10100 for an unknown workspace.

        """
        self._state.workspace(workspace)
        key = f"{UPLOAD_PREFIX}/{self._new_id('upload')}/{file_name}"
        self._uploads[key] = workspace
        return key

    def complete_upload(self, workspace: str, key: str) -> bool:
        """
        Confirm a thumbnail upload issued for this workspace.

        Raises:
            ServiceError: 10100 for an unknown workspace.

        """
        self._state.workspace(workspace)
        return self._uploads.get(key) == workspace

    # --- tags -----------------------------------------------------------

    def add_tag(self, workspace: str, name: str) -> TagRecord:
        """
        Create a person tag.

        Raises:
            ServiceError: 10100 for an unknown workspace, 10001 for a bad
                name, 10203 for a taken one.

        """
        ws = self._state.workspace(workspace)
        name = _checks.text(
            name,
            "tag name",
            max_len=limits.PERSON_TAG_NAME_MAX_LENGTH,
            not_blank=True,
        )
        if any(t.name == name for t in ws.person_tags.values()):
            raise ServiceError(codes.PERSON_TAG_NAME_EXISTS, name)
        now = timestamp()
        tag = TagRecord(self._new_id("tag"), name, now, now)
        ws.person_tags[tag.tag_id] = tag
        return tag

    def tags(
        self,
        workspace: str,
        tag_id: int | None = None,
        name: str | None = None,
    ) -> list[TagRecord]:
        """
        Return the tags matching the filters, in ascending id order.

        Raises:
            ServiceError: 10100 for an unknown workspace.

        """
        ws = self._state.workspace(workspace)
        return [
            t
            for t in ws.person_tags.values()
            if (tag_id is None or t.tag_id == tag_id)
            and _contains(t.name, name)
        ]

    def tags_of(
        self, ws: WorkspaceRecord, person: PersonRecord
    ) -> list[TagRecord]:
        """
        Return a person's tags, in the order they were added.
        """
        return [ws.person_tags[t] for t in person.tag_ids]

    def delete_tag(self, workspace: str, tag_id: int) -> None:
        """
        Delete a tag and take it off every person.

        Raises:
            ServiceError: 10100 for an unknown workspace, 10107 for an
                unknown tag.

        """
        ws = self._state.workspace(workspace)
        if tag_id not in ws.person_tags:
            raise ServiceError(codes.PERSON_TAG_NOT_FOUND, str(tag_id))
        del ws.person_tags[tag_id]
        for person in ws.persons.values():
            if tag_id in person.tag_ids:
                person.tag_ids.remove(tag_id)
