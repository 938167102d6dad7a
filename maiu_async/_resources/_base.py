"""
What every resource shares: one client method, the paths, pagination.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar


if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from .._client import MaiuClient
    from .._urls import ApiPaths
    from ..models import Page


__all__ = ["Resource", "iterate_pages"]

T = TypeVar("T")


class Resource:
    """
    Base of the resource groups.

    A resource uses exactly one method of its client, `MaiuClient.request`,
    bound once here (as openai-python's resources bind ``client.get``),
    and builds its paths with the client's `ApiPaths`.

    Strictly private.
    """

    __slots__ = ("_paths", "_request")

    def __init__(self, client: MaiuClient, paths: ApiPaths) -> None:
        self._request = client.request
        self._paths = paths

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


async def iterate_pages(
    fetch: Callable[[int], Awaitable[Page[T]]],
) -> AsyncIterator[T]:
    """
    Yield every item of a page-numbered list, page after page.

    Strictly private.
    """
    page_num = 1
    while True:
        page = await fetch(page_num)
        for item in page.content:
            yield item
        if not page.content or page_num >= page.total_page:
            return
        page_num += 1
