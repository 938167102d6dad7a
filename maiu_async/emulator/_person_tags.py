"""
Person tags, and tagging persons: records, rules, endpoints and bodies.

Emulator choices ([?]: the pages are known only through a third-party
catalogue, without answers):

- Tags belong to a workspace; ids are unique across the emulator.
  Lists are in ascending id order, pages like the asset list.
- A tag is ``{tagId, name, ...audit}``; tagging or untagging a person
  answers ``{personId, tags}``.
- The tag list's ``name`` filter keeps names containing it, ignoring
  case.
- Tagging ignores unknown and repeated ids; untagging ignores ids the
  person does not have.  Deleting a tag takes it off every person.

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


if TYPE_CHECKING:
    from collections.abc import Sequence

    from ._persons import PersonRecord
    from ._state import EmulatorState
    from ._workspaces import WorkspaceRecord


__all__ = [
    "FIRST_PERSON_TAG_ID",
    "ROUTES",
    "TagBook",
    "TagRecord",
    "contains",
    "tag_body",
]

# Disjoint from every other kind of id.
FIRST_PERSON_TAG_ID = 6_000_001


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


def contains(name: str, part: str | None) -> bool:
    """
    Tell whether *name* contains *part*, ignoring case; ``None`` does.
    """
    return part is None or part.lower() in name.lower()


class TagBook:
    """
    The person-tag rules of one `EmulatorState`.

    Methods raise `ServiceError` where the API answers an error.
    """

    __slots__ = ("_next_id", "_state")

    def __init__(self, state: EmulatorState) -> None:
        self._state = state
        self._next_id = FIRST_PERSON_TAG_ID

    def __repr__(self) -> str:
        return f"<TagBook next_id={self._next_id}>"

    def add(self, workspace: str, name: str) -> TagRecord:
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
        tag = TagRecord(self._next_id, name, now, now)
        self._next_id += 1
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
            and contains(t.name, name)
        ]

    def delete(self, workspace: str, tag_id: int) -> None:
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

    def of(self, ws: WorkspaceRecord, person: PersonRecord) -> list[TagRecord]:
        """
        Return a person's tags, in the order they were added.
        """
        return [ws.person_tags[t] for t in person.tag_ids]

    def tag(
        self, workspace: str, person_id: int, tag_ids: Sequence[int]
    ) -> PersonRecord:
        """
        Tag a person; unknown and repeated ids are ignored.

        Raises:
            ServiceError: 10100/10106 if unknown.

        """
        person = self._state.persons.person(workspace, person_id)
        known = self._state.workspace(workspace).person_tags
        for tag_id in tag_ids:
            if tag_id in known and tag_id not in person.tag_ids:
                person.tag_ids.append(tag_id)
        return person

    def untag(
        self, workspace: str, person_id: int, tag_ids: Sequence[int]
    ) -> PersonRecord:
        """
        Untag a person; ids it does not have are ignored.

        Raises:
            ServiceError: 10100/10106 if unknown.

        """
        person = self._state.persons.person(workspace, person_id)
        gone = set(tag_ids)
        person.tag_ids = [t for t in person.tag_ids if t not in gone]
        return person


def tag_body(t: TagRecord) -> JSON:
    """
    The person-tag object.
    """
    return {
        "tagId": t.tag_id,
        "name": t.name,
        **audit(t.created_time, t.updated_time),
    }


# --- handlers: see ROUTES for their paths ----------------------------------


def list_person_tags(call: Call) -> JSON:
    call.state.workspace(call.workspace)
    page_no, page_size = _checks.page(
        call.query,
        max_size=limits.PERSON_TAG_PAGE_SIZE_MAX,
        default_size=limits.PERSON_TAG_PAGE_SIZE_DEFAULT,
    )
    raw_id, name = call.query.get("id"), call.query.get("name")
    tag_id = None if raw_id is None else _checks.integer(raw_id, "id")
    if name is not None:
        _checks.text(name, "name", max_len=limits.PERSON_TAG_NAME_MAX_LENGTH)
    found = call.state.person_tags.tags(call.workspace, tag_id, name)
    return success(paged(found, page_no, page_size, tag_body))


def create_person_tag(call: Call) -> JSON:
    call.state.workspace(call.workspace)
    name = _checks.required_text(call.json(), "name")
    return success(tag_body(call.state.person_tags.add(call.workspace, name)))


def delete_person_tag(call: Call) -> JSON:
    call.state.person_tags.delete(call.workspace, call.tag_id)
    return success(has_result=False)


def _retag(call: Call, *, add: bool) -> JSON:
    book = call.state.person_tags
    call.state.persons.person(call.workspace, call.person_id)
    ids = _checks.id_list(call.json().get("tagIds"), "tagIds", min_len=1)
    change = book.tag if add else book.untag
    person = change(call.workspace, call.person_id, ids)
    ws = call.state.workspace(call.workspace)
    tags = [tag_body(t) for t in book.of(ws, person)]
    return success({"personId": person.person_id, "tags": tags})


def add_person_tags(call: Call) -> JSON:
    return _retag(call, add=True)


def remove_person_tags(call: Call) -> JSON:
    return _retag(call, add=False)


_TAGS = "workspaces/{ws}/person-tags"
_TAGGED = "workspaces/{ws}/persons/{person}/person-tags"

ROUTES = (
    Route("GET", _TAGS, list_person_tags),
    Route("POST", _TAGS, create_person_tag),
    Route("DELETE", f"{_TAGS}/{{tag}}", delete_person_tag),
    Route("POST", _TAGGED, add_person_tags),
    Route("DELETE", _TAGGED, remove_person_tags),
)
