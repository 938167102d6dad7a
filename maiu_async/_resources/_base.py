"""
What every resource shares: the client, pagination.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar


if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from .._client import MaiuClient
    from ..models import Page


__all__ = ["Resource", "iterate_pages"]

T = TypeVar("T")


class Resource:
    """
    Base of the resource groups: holds the client.

    Strictly private.
    """

    __slots__ = ("_client",)

    def __init__(self, client: MaiuClient) -> None:
        self._client = client

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
