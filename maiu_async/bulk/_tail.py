"""
Reading the asset list from a watermark on: the tail, not the project.

The list has no filter and no documented order [?]; it is paged by
number.  What this module relies on is only what it checks:

- *Order.*  The first and the last page are read; if each is strictly
  ascending by id and the first ends below where the last starts, the
  list is taken as ascending (descending likewise).  Every page read
  later must agree, or the read falls back to a full pass.
- *Ascending.*  The boundary page (the first whose last id is above the
  watermark) is found by binary search over page numbers; the tail is
  read from there to the last page, following ``totalPage`` as each page
  reports it (the job's own new assets are appended meanwhile).
- *Descending.*  The tail is at the front: pages are read from the first
  until one reaches the watermark.  New assets push older ones to later
  pages, where they are read again; none is skipped.
- *Unknown order* (shuffled, or sorted by something coarser than ids):
  a full pass, repeated while it may still complete, that counts as
  complete only when the distinct ids seen equal ``totalCount``.

Pages may be smaller than asked (a server cap): page numbers and
``totalPage`` are what count, never "a short page is the last".  A pass
assumes no asset is deleted while it reads.

Strictly private.
"""

from __future__ import annotations

import enum
import itertools

from typing import TYPE_CHECKING

import attrs


if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from ..models import AssetPage

    #: Reads one page by number.
    Lister = Callable[[int], Awaitable[AssetPage]]


__all__ = ["Listing", "Order", "read_since"]

#: Full passes a read may make over an unordered list before giving up.
_FULL_ROUNDS = 8


class Order(enum.Enum):
    """
    The order the list was found in.
    """

    ASCENDING = "ascending"
    DESCENDING = "descending"
    UNKNOWN = "unknown"


@attrs.define
class Listing:
    """
    What one read found.

    Attributes:
        assets: File name by asset id, for the ids above the watermark
            (every id, when the watermark is ``None``).
        complete: Whether every such asset is in *assets*.
        pages: Pages read.
        order: The order the list was found in.
        highest: The highest id seen, if any.

    """

    assets: dict[int, str | None] = attrs.Factory(dict)
    complete: bool = False
    pages: int = 0
    order: Order = Order.UNKNOWN
    highest: int | None = None


class _Fallback(Exception):
    """The list broke the order it seemed to have."""


@attrs.frozen
class _Page:
    ids: tuple[int, ...]
    names: tuple[str | None, ...]
    total_count: int
    total_page: int

    def ascending(self) -> bool:
        return all(a < b for a, b in itertools.pairwise(self.ids))

    def descending(self) -> bool:
        return all(a > b for a, b in itertools.pairwise(self.ids))


class _Reader:
    def __init__(self, lister: Lister, watermark: int | None) -> None:
        self._lister = lister
        self.watermark = watermark
        self.listing = Listing()

    async def page(self, number: int) -> _Page:
        raw = await self._lister(number)
        listing = self.listing
        listing.pages += 1
        ids = tuple(a.asset_id for a in raw.content)
        page = _Page(
            ids,
            tuple(a.file_name for a in raw.content),
            raw.total_count,
            max(raw.total_page, 1 if ids else 0),
        )
        mark = self.watermark
        for asset_id, name in zip(page.ids, page.names, strict=True):
            if mark is None or asset_id > mark:
                listing.assets[asset_id] = name
            if listing.highest is None or asset_id > listing.highest:
                listing.highest = asset_id
        return page


async def read_since(lister: Lister, watermark: int | None) -> Listing:
    """
    Read every asset above *watermark*, or as many as can be proven.

    With *watermark* ``None`` every asset is wanted (a full pass).

    Raises:
        MaiuError: A page could not be read.

    """
    reader = _Reader(lister, watermark)
    first = await reader.page(1)
    if first.total_page <= 1:
        await _full(reader, first)
        return reader.listing
    last = await reader.page(first.total_page)
    order = _order(first, last)
    reader.listing.order = order
    try:
        if watermark is None or order is Order.UNKNOWN:
            raise _Fallback  # noqa: TRY301 -- one way to the full pass
        if order is Order.ASCENDING:
            await _ascending(reader, watermark, first, last)
        else:
            await _descending(reader, watermark, first)
    except _Fallback:
        reader.listing.order = Order.UNKNOWN
        await _full(reader, first)
    return reader.listing


def _order(first: _Page, last: _Page) -> Order:
    if not first.ids or not last.ids:
        return Order.UNKNOWN
    if first.ascending() and last.ascending() and first.ids[-1] < last.ids[0]:
        return Order.ASCENDING
    if (
        first.descending()
        and last.descending()
        and first.ids[-1] > last.ids[0]
    ):
        return Order.DESCENDING
    return Order.UNKNOWN


async def _ascending(
    reader: _Reader, watermark: int, first: _Page, last: _Page
) -> None:
    # Pages 1..low end at or below the mark; the tail starts after low.
    total_page = first.total_page
    if first.ids[-1] > watermark:
        low, low_page = 0, None
    elif last.ids[-1] <= watermark:
        low, low_page = total_page, last
    else:
        low, low_page = 1, first
        high = total_page
        while high - low > 1:
            middle = (low + high) // 2
            page = await reader.page(middle)
            if not page.ids or not page.ascending():
                raise _Fallback
            if page.ids[-1] > watermark:
                high = middle
            else:
                low, low_page = middle, page
    # Read on from the boundary, as far as the list reaches by then.
    previous = low_page.ids[-1] if low_page is not None else None
    number = low + 1
    total_page = max(total_page, last.total_page)
    while number <= total_page:
        # The last page as read first: assets appended since came after
        # the pass began, so none of them can be an ambiguous key's.
        if number == first.total_page:
            page = last
        else:
            page = await reader.page(number)
        if not page.ascending() or (
            page.ids and previous is not None and page.ids[0] <= previous
        ):
            raise _Fallback
        if page.ids:
            previous = page.ids[-1]
        total_page = page.total_page
        number += 1
    reader.listing.complete = True


async def _descending(reader: _Reader, watermark: int, first: _Page) -> None:
    number, page = 1, first
    while True:
        if not page.descending():
            raise _Fallback
        if not page.ids or page.ids[-1] <= watermark:
            break
        if number >= page.total_page:
            break
        number += 1
        page = await reader.page(number)
    reader.listing.complete = True


async def _full(reader: _Reader, first: _Page) -> None:
    # Complete only when the distinct ids seen reach ``totalCount``; an
    # unstable order may need several rounds (each page a new shuffle).
    seen: set[int] = set(first.ids)
    total, total_page = first.total_count, first.total_page
    number = 2
    for _ in range(_FULL_ROUNDS):
        while number <= total_page and len(seen) < total:
            page = await reader.page(number)
            seen.update(page.ids)
            total, total_page = page.total_count, page.total_page
            number += 1
        if len(seen) >= total:
            break
        number = 1
    reader.listing.complete = len(seen) >= total
