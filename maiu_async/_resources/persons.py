"""
Person endpoints: the face registry that analyses and searches use.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import limits
from .._types import USE_CLIENT_DEFAULT, RetryArg
from .._validation import (
    check_file_name,
    check_id,
    check_ids,
    check_page,
    check_text,
    check_thumbnails,
    check_workspace_ref,
)
from ..exceptions import ValidationError
from ..models import (
    Page,
    Person,
    PersonTags,
    PersonThumbnails,
    ThumbnailSpec,
    ThumbnailUpload,
    UploadStatus,
)
from ._base import Resource, iterate_pages


if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence


__all__ = ["PersonsResource"]


def _name(value: object) -> str:
    return check_text(
        "name", value, max_len=limits.PERSON_NAME_MAX_LENGTH, not_blank=True
    )


def _description(value: object) -> str:
    return check_text(
        "description", value, max_len=limits.PERSON_DESCRIPTION_MAX_LENGTH
    )


def _thumbnails(items: tuple[ThumbnailSpec, ...]) -> list[dict[str, Any]]:
    return [
        {
            "thumbnailKey": t.thumbnail_key,
            "isPrimaryThumbnail": t.is_primary_thumbnail,
        }
        for t in items
    ]


class PersonsResource(Resource):
    """
    Register persons and their thumbnails and tags (``client.persons``).
    """

    __slots__ = ()

    async def list(  # noqa: PLR0913 -- every option is keyword-only
        self,
        workspace: str,
        *,
        page_num: int = 1,
        page_size: int = limits.PERSON_PAGE_SIZE_MAX,
        name: str | None = None,
        tag_ids: Sequence[int] | None = None,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> Page[Person]:
        """
        Return one page of a workspace's persons.

        Args:
            workspace: The workspace's name.
            page_num: The page, from 1.
            page_size: Persons per page, 1 to 1000.
            name: Only persons with this name: 2 to 50 characters, none
                of ``;`` ``|`` and backtick.
            tag_ids: Only persons with these tags.
            retry: Retry policy for this call.

        Raises:
            ValidationError: A filter or paging is out of range.
            NotFound: No such workspace.

        """
        num, size = check_page(
            page_num, page_size, max_size=limits.PERSON_PAGE_SIZE_MAX
        )
        query: dict[str, str | int] = {"pageNum": num, "pageSize": size}
        if name is not None:
            query["name"] = check_text(
                "name",
                name,
                min_len=limits.PERSON_FILTER_NAME_MIN_LENGTH,
                max_len=limits.PERSON_NAME_MAX_LENGTH,
                forbidden=limits.TEXT_FORBIDDEN,
            )
        if tag_ids is not None:
            ids = check_ids("tag_ids", tag_ids, min_len=1)
            query["tagIdList"] = ",".join(map(str, ids))
        path = self._paths.persons(check_workspace_ref(workspace))
        return await self._request(
            "GET", path, Page[Person], query=query, retry=retry
        )

    def iterate(
        self,
        workspace: str,
        *,
        page_size: int = limits.PERSON_PAGE_SIZE_MAX,
        name: str | None = None,
        tag_ids: Sequence[int] | None = None,
    ) -> AsyncIterator[Person]:
        """
        Yield every person of a workspace, fetching page after page.
        """
        check_page(1, page_size, max_size=limits.PERSON_PAGE_SIZE_MAX)
        return iterate_pages(
            lambda n: self.list(
                workspace,
                page_num=n,
                page_size=page_size,
                name=name,
                tag_ids=tag_ids,
            )
        )

    async def create(
        self,
        workspace: str,
        *,
        name: str,
        thumbnails: Sequence[ThumbnailSpec],
        description: str | None = None,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> Person:
        """
        Register a person.

        Args:
            workspace: The workspace's name.
            name: 1 to 50 characters, not blank, unique in the workspace.
            thumbnails: 1 to 100 uploaded face images, exactly one of
                them primary.
            description: 1 to 700 characters.
            retry: Retry policy for this call.

        Raises:
            ValidationError: An argument breaks a documented rule.
            Conflict: The name is taken.
            NotFound: No such workspace.

        """
        payload: dict[str, Any] = {"name": _name(name)}
        if description is not None:
            payload["description"] = _description(description)
        payload["thumbnails"] = _thumbnails(
            check_thumbnails(thumbnails, new_person=True)
        )
        path = self._paths.persons(check_workspace_ref(workspace))
        return await self._request(
            "POST", path, Person, payload=payload, retry=retry
        )

    async def get(
        self,
        workspace: str,
        person_id: int,
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> Person:
        """
        Return one person.

        Raises:
            NotFound: No such workspace or person.

        """
        path = self._person_path(workspace, person_id)
        return await self._request("GET", path, Person, retry=retry)

    async def update(  # noqa: PLR0913 -- every option is keyword-only
        self,
        workspace: str,
        person_id: int,
        *,
        name: str | None = None,
        description: str | None = None,
        primary_thumbnail_id: int | None = None,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> Person:
        """
        Change a person's name, description or primary thumbnail.

        Args:
            workspace: The workspace's name.
            person_id: The person's id.
            name: A new name (rules as `create`).
            description: A new description (rules as `create`).
            primary_thumbnail_id: One of the person's thumbnails.
            retry: Retry policy for this call.

        Raises:
            ValidationError: Nothing to change, or a bad value.
            Conflict: The name is taken.
            NotFound: No such workspace or person.

        """
        payload: dict[str, Any] = {}
        if name is not None:
            payload["name"] = _name(name)
        if description is not None:
            payload["description"] = _description(description)
        if primary_thumbnail_id is not None:
            payload["primaryThumbnailId"] = check_id(
                "primary_thumbnail_id", primary_thumbnail_id
            )
        if not payload:
            raise ValidationError(
                field="name, description or primary_thumbnail_id",
                value=None,
                reason="give at least one change",
            )
        path = self._person_path(workspace, person_id)
        return await self._request(
            "PATCH", path, Person, payload=payload, retry=retry
        )

    async def delete(
        self,
        workspace: str,
        person_id: int,
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> None:
        """
        Delete a person.

        Raises:
            NotFound: No such workspace or person.

        """
        await self._request(
            "DELETE", self._person_path(workspace, person_id), retry=retry
        )

    async def add_tags(
        self,
        workspace: str,
        person_id: int,
        tag_ids: Sequence[int],
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> PersonTags:
        """
        Tag a person; unknown and repeated tag ids are ignored.

        Raises:
            NotFound: No such workspace or person.

        """
        return await self._tags("POST", workspace, person_id, tag_ids, retry)

    async def remove_tags(
        self,
        workspace: str,
        person_id: int,
        tag_ids: Sequence[int],
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> PersonTags:
        """
        Untag a person; tag ids it does not have are ignored.

        Raises:
            NotFound: No such workspace or person.

        """
        return await self._tags("DELETE", workspace, person_id, tag_ids, retry)

    async def add_thumbnails(
        self,
        workspace: str,
        person_id: int,
        thumbnails: Sequence[ThumbnailSpec],
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> PersonThumbnails:
        """
        Give a person more face images (100 at most in all).

        A new primary thumbnail (at most one) replaces the old one.

        Raises:
            ValidationError: No thumbnails, too many, or two primaries.
            NotFound: No such workspace or person.

        """
        path = self._paths.thumbnails_of_person(
            *self._person_ref(workspace, person_id)
        )
        items = check_thumbnails(thumbnails, new_person=False)
        return await self._request(
            "POST",
            path,
            PersonThumbnails,
            payload={"thumbnails": _thumbnails(items)},
            retry=retry,
        )

    async def remove_thumbnails(
        self,
        workspace: str,
        person_id: int,
        thumbnail_ids: Sequence[int],
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> PersonThumbnails:
        """
        Remove face images; ids the person does not have are ignored.

        Raises:
            BadRequest: One of them is the primary thumbnail ([?]).
            NotFound: No such workspace or person.

        """
        path = self._paths.thumbnails_of_person(
            *self._person_ref(workspace, person_id)
        )
        ids = check_ids("thumbnail_ids", thumbnail_ids, min_len=1)
        return await self._request(
            "DELETE",
            path,
            PersonThumbnails,
            payload={"thumbnailIds": list(ids)},
            retry=retry,
        )

    async def thumbnail_upload_url(
        self,
        workspace: str,
        file_name: str,
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> ThumbnailUpload:
        """
        Issue a URL to upload one thumbnail to, e.g. ``profile.jpg``.
        """
        path = self._paths.thumbnail_upload_url(check_workspace_ref(workspace))
        payload = {
            "thumbnailFileName": check_file_name("file_name", file_name)
        }
        return await self._request(
            "POST", path, ThumbnailUpload, payload=payload, retry=retry
        )

    async def complete_thumbnail_upload(
        self,
        workspace: str,
        thumbnail_key: str,
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> UploadStatus:
        """
        Confirm that a thumbnail was uploaded.
        """
        path = self._paths.thumbnail_upload_complete(
            check_workspace_ref(workspace)
        )
        key = check_text(
            "thumbnail_key",
            thumbnail_key,
            max_len=limits.OBJECT_KEY_MAX_BYTES,
            not_blank=True,
        )
        return await self._request(
            "POST",
            path,
            UploadStatus,
            payload={"thumbnailKey": key},
            retry=retry,
        )

    async def _tags(
        self,
        method: str,
        workspace: str,
        person_id: int,
        tag_ids: Sequence[int],
        retry: RetryArg,
    ) -> PersonTags:
        path = self._paths.tags_of_person(
            *self._person_ref(workspace, person_id)
        )
        ids = check_ids("tag_ids", tag_ids, min_len=1)
        return await self._request(
            method,
            path,
            PersonTags,
            payload={"tagIds": list(ids)},
            retry=retry,
        )

    @staticmethod
    def _person_ref(workspace: str, person_id: int) -> tuple[str, int]:
        return check_workspace_ref(workspace), check_id("person_id", person_id)

    def _person_path(self, workspace: str, person_id: int) -> str:
        return self._paths.person(*self._person_ref(workspace, person_id))
