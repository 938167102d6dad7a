"""
Handlers of the person and person-tag endpoints.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from maiu_async import _errorcodes as codes
from maiu_async import limits

from . import _checks, _wire
from . import _wire_persons as wire
from . import _wire_search as uploads
from ._errors import ServiceError


if TYPE_CHECKING:
    from collections.abc import Mapping

    from ._call import JSON, Call
    from ._persons import PersonRecord


__all__ = ["HANDLERS"]


def _person(call: Call, person: PersonRecord) -> JSON:
    ws = call.state.workspace(call.workspace)
    return wire.person(person, call.state.persons.tags_of(ws, person))


def _thumbnails(value: object) -> list[tuple[str, bool]]:
    if not isinstance(value, list):
        raise ServiceError(codes.INVALID_REQUEST, "thumbnails")
    items = []
    for item in value:
        if not isinstance(item, dict):
            raise ServiceError(codes.INVALID_REQUEST, "thumbnail")
        key = _checks.text(
            item.get("thumbnailKey"),
            "thumbnailKey",
            max_len=limits.OBJECT_KEY_MAX_BYTES,
            not_blank=True,
        )
        primary = _checks.optional_bool(item, "isPrimaryThumbnail")
        items.append((key, bool(primary)))
    return items


def _ids(body: Mapping[str, object], field: str) -> tuple[int, ...]:
    return _checks.id_list(body.get(field), field, min_len=1)


def list_persons(call: Call) -> JSON:
    """
    GET /workspaces/{ws}/persons?pageNum&pageSize&name&tagIdList.
    """
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
    start = (page_no - 1) * page_size
    items = [_person(call, p) for p in found[start : start + page_size]]
    return _wire.success(_wire.page(items, len(found), page_no, page_size))


def create_person(call: Call) -> JSON:
    """
    POST /workspaces/{ws}/persons.
    """
    call.state.workspace(call.workspace)
    body = _checks.json_object(call.body)
    description = body.get("description")
    person = call.state.persons.add(
        call.workspace,
        _checks.required_text(body, "name"),
        _thumbnails(body.get("thumbnails")),
        None
        if description is None
        else _checks.required_text(body, "description"),
    )
    return _wire.success(_person(call, person))


def get_person(call: Call) -> JSON:
    """
    GET /workspaces/{ws}/persons/{person}.
    """
    person = call.state.persons.person(call.workspace, call.person_id)
    return _wire.success(_person(call, person))


def edit_person(call: Call) -> JSON:
    """
    PATCH /workspaces/{ws}/persons/{person}.
    """
    call.state.persons.person(call.workspace, call.person_id)
    body = _checks.json_object(call.body)
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
    return _wire.success(_person(call, person))


def delete_person(call: Call) -> JSON:
    """
    DELETE /workspaces/{ws}/persons/{person}.
    """
    call.state.persons.delete(call.workspace, call.person_id)
    return _wire.success(has_result=False)


def _tags(call: Call, *, add: bool) -> JSON:
    book = call.state.persons
    book.person(call.workspace, call.person_id)
    ids = _ids(_checks.json_object(call.body), "tagIds")
    change = book.add_tags if add else book.remove_tags
    person = change(call.workspace, call.person_id, ids)
    ws = call.state.workspace(call.workspace)
    return _wire.success(wire.person_tags(person, book.tags_of(ws, person)))


def add_person_tags(call: Call) -> JSON:
    """
    POST /workspaces/{ws}/persons/{person}/person-tags.
    """
    return _tags(call, add=True)


def remove_person_tags(call: Call) -> JSON:
    """
    DELETE /workspaces/{ws}/persons/{person}/person-tags.
    """
    return _tags(call, add=False)


def add_person_thumbnails(call: Call) -> JSON:
    """
    POST /workspaces/{ws}/persons/{person}/person-thumbnail.
    """
    book = call.state.persons
    book.person(call.workspace, call.person_id)
    body = _checks.json_object(call.body)
    person = book.add_thumbnails(
        call.workspace, call.person_id, _thumbnails(body.get("thumbnails"))
    )
    return _wire.success(wire.person_thumbnails(person))


def remove_person_thumbnails(call: Call) -> JSON:
    """
    DELETE /workspaces/{ws}/persons/{person}/person-thumbnail.
    """
    book = call.state.persons
    book.person(call.workspace, call.person_id)
    ids = _ids(_checks.json_object(call.body), "thumbnailIds")
    person = book.remove_thumbnails(call.workspace, call.person_id, ids)
    return _wire.success(wire.person_thumbnails(person))


def person_thumbnail_upload_url(call: Call) -> JSON:
    """
    POST /workspaces/{ws}/person-thumbnail/uploads/presigned-url.
    """
    call.state.workspace(call.workspace)
    body = _checks.json_object(call.body)
    name = _checks.required_text(body, "thumbnailFileName")
    key = call.state.persons.issue_upload(call.workspace, name)
    return _wire.success(
        uploads.upload_url("thumbnailKey", key, call.base_url)
    )


def complete_person_thumbnail_upload(call: Call) -> JSON:
    """
    POST /workspaces/{ws}/person-thumbnail/uploads/complete.
    """
    call.state.workspace(call.workspace)
    key = _checks.required_text(_checks.json_object(call.body), "thumbnailKey")
    done = call.state.persons.complete_upload(call.workspace, key)
    return _wire.success(
        uploads.upload_status("thumbnailKey", key, completed=done)
    )


def list_person_tags(call: Call) -> JSON:
    """
    GET /workspaces/{ws}/person-tags?pageNum&pageSize&id&name.
    """
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
    found = call.state.persons.tags(call.workspace, tag_id, name)
    start = (page_no - 1) * page_size
    items = [wire.tag(t) for t in found[start : start + page_size]]
    return _wire.success(_wire.page(items, len(found), page_no, page_size))


def create_person_tag(call: Call) -> JSON:
    """
    POST /workspaces/{ws}/person-tags.
    """
    call.state.workspace(call.workspace)
    body = _checks.json_object(call.body)
    tag = call.state.persons.add_tag(
        call.workspace, _checks.required_text(body, "name")
    )
    return _wire.success(wire.tag(tag))


def delete_person_tag(call: Call) -> JSON:
    """
    DELETE /workspaces/{ws}/person-tags/{tag}.
    """
    call.state.persons.delete_tag(call.workspace, call.tag_id)
    return _wire.success(has_result=False)


HANDLERS = (
    list_persons,
    create_person,
    get_person,
    edit_person,
    delete_person,
    add_person_tags,
    remove_person_tags,
    add_person_thumbnails,
    remove_person_thumbnails,
    person_thumbnail_upload_url,
    complete_person_thumbnail_upload,
    list_person_tags,
    create_person_tag,
    delete_person_tag,
)
