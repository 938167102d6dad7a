"""
Person-tag endpoints.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import limits
from .._types import USE_CLIENT_DEFAULT, RetryArg
from .._validation import check_id, check_page, check_text, check_workspace_ref
from ..models import Page, PersonTag
from ._base import Resource, iterate_pages


if TYPE_CHECKING:
    from collections.abc import AsyncIterator


__all__ = ["PersonTagsResource"]


def _tag_name(value: object) -> str:
    return check_text(
        "name",
        value,
        max_len=limits.PERSON_TAG_NAME_MAX_LENGTH,
        not_blank=True,
    )


class PersonTagsResource(Resource):
    """
    Create, list and delete person tags (``client.person_tags``).

    Tag persons with ``client.persons.add_tags``.
    """

    __slots__ = ()

    async def list(  # noqa: PLR0913 -- every option is keyword-only
        self,
        workspace: str,
        *,
        page_num: int = 1,
        page_size: int = limits.PERSON_TAG_PAGE_SIZE_DEFAULT,
        tag_id: int | None = None,
        name: str | None = None,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> Page[PersonTag]:
        """
        Return one page of a workspace's person tags.

        Args:
            workspace: The workspace's name.
            page_num: The page, from 1.
            page_size: Tags per page, 1 to 50 (the API's default is 10).
            tag_id: Only the tag with this id.
            name: Only tags with this name (1 to 30 characters).
            retry: Retry policy for this call.

        Raises:
            ValidationError: A filter or paging is out of range.
            NotFound: No such workspace.

        """
        num, size = check_page(
            page_num, page_size, max_size=limits.PERSON_TAG_PAGE_SIZE_MAX
        )
        query: dict[str, str | int] = {"pageNum": num, "pageSize": size}
        if tag_id is not None:
            query["id"] = check_id("tag_id", tag_id)
        if name is not None:
            query["name"] = _tag_name(name)
        path = self._paths.person_tags(check_workspace_ref(workspace))
        return await self._request(
            "GET", path, Page[PersonTag], query=query, retry=retry
        )

    def iterate(
        self,
        workspace: str,
        *,
        page_size: int = limits.PERSON_TAG_PAGE_SIZE_MAX,
    ) -> AsyncIterator[PersonTag]:
        """
        Yield every person tag of a workspace, page after page.
        """
        check_page(1, page_size, max_size=limits.PERSON_TAG_PAGE_SIZE_MAX)
        return iterate_pages(
            lambda n: self.list(workspace, page_num=n, page_size=page_size)
        )

    async def create(
        self,
        workspace: str,
        name: str,
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> PersonTag:
        """
        Create a person tag.

        Args:
            workspace: The workspace's name.
            name: 1 to 30 characters, unique in the workspace.
            retry: Retry policy for this call.

        Raises:
            ValidationError: The name breaks the documented rule.
            Conflict: The name is taken.
            NotFound: No such workspace.

        """
        path = self._paths.person_tags(check_workspace_ref(workspace))
        return await self._request(
            "POST",
            path,
            PersonTag,
            payload={"name": _tag_name(name)},
            retry=retry,
        )

    async def delete(
        self,
        workspace: str,
        tag_id: int,
        *,
        retry: RetryArg = USE_CLIENT_DEFAULT,
    ) -> None:
        """
        Delete a person tag; persons lose it.

        Raises:
            NotFound: No such workspace or tag.

        """
        path = self._paths.person_tag(
            check_workspace_ref(workspace), check_id("tag_id", tag_id)
        )
        await self._request("DELETE", path, retry=retry)
