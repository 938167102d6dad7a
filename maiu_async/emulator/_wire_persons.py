"""
Response bodies of the person and person-tag endpoints.

None is documented ([?]): a person is ``{personId, name, description,
thumbnails[{thumbnailId, thumbnailKey, isPrimaryThumbnail}],
tags[{tagId, name, ...audit}], ...audit}``; adding or removing tags
answers ``{personId, tags}``, thumbnails ``{personId, thumbnails}``;
lists are pages like the asset list.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._wire import audit


if TYPE_CHECKING:
    from ._persons import PersonRecord, TagRecord


__all__ = ["person", "person_tags", "person_thumbnails", "tag"]

JSON = dict[str, Any]


def tag(t: TagRecord) -> JSON:
    """
    The person-tag object.
    """
    return {
        "tagId": t.tag_id,
        "name": t.name,
        **audit(t.created_time, t.updated_time),
    }


def _thumbnails(p: PersonRecord) -> list[JSON]:
    return [
        {
            "thumbnailId": t.thumbnail_id,
            "thumbnailKey": t.key,
            "isPrimaryThumbnail": t.primary,
        }
        for t in p.thumbnails
    ]


def person(p: PersonRecord, tags: list[TagRecord]) -> JSON:
    """
    The person object, with its tags.
    """
    return {
        "personId": p.person_id,
        "name": p.name,
        "description": p.description,
        "thumbnails": _thumbnails(p),
        "tags": [tag(t) for t in tags],
        **audit(p.created_time, p.updated_time),
    }


def person_tags(p: PersonRecord, tags: list[TagRecord]) -> JSON:
    """
    A person's tags after adding or removing some.
    """
    return {"personId": p.person_id, "tags": [tag(t) for t in tags]}


def person_thumbnails(p: PersonRecord) -> JSON:
    """
    A person's thumbnails after adding or removing some.
    """
    return {"personId": p.person_id, "thumbnails": _thumbnails(p)}
