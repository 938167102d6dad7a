"""
Finding out whether ambiguous keys became assets.

The API has no lookup by key: the project's asset list (``GET
.../assets?pageNum&pageSize``, up to 1000 a page) is the only way to see
what exists, and ``fileName`` there is the full key in our emulator
(whether the real service shows the full key or its base name is not
documented; with base names, reconciling cannot be trusted and should be
turned off, which reports ambiguous keys as unknown).

So the job does not look keys up one by one (a full listing per key
would be quadratic).  It parks ambiguous keys and reconciles them in
batches: one pass over the list per batch, keeping in memory only the
keys in question, and stopping early once all of them are found.

Assets this job registers *during* a pass are no problem: the keys in
question are not being sent while they wait, so everything the pass could
find for them existed when it started.  New assets only lengthen the
list: in ascending id order (the emulator's) they are appended, in
descending order they push older ones to later pages, where the pass
reads them again; either way none is skipped.  The pass reads until a
short page, and no further than the last page the server reports.

What it cannot see is a request the server is still processing when the
pass reads the list (an answer that timed out on our side, say); the
pass therefore starts `ReconcilePolicy.delay` seconds after it was
called for.

Strictly private; `ReconcilePolicy` is re-exported by
``maiu_async.bulk``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from .. import limits
from .._retry import RetryPolicy


if TYPE_CHECKING:
    from collections.abc import Collection

    from .._client import MaiuClient
    from .._scheduler import AdaptiveLimiter


__all__ = ["ReconcilePolicy", "find_assets"]

_LIST_RETRY = RetryPolicy(attempts=5)


@attrs.frozen(kw_only=True)
class ReconcilePolicy:
    """
    How a bulk job resolves keys whose registration answer was lost.

    Attributes:
        batch: Ambiguous keys that start a pass over the asset list as
            soon as they are waiting (a pass also starts whenever nothing
            else is left to do).
        delay: Seconds to wait before a pass, so that requests the server
            is still processing land first.
        passes: Failed passes a key sits through before it is reported
            `~maiu_async.bulk.OutcomeStatus.UNKNOWN`.
        page_size: Assets per list page (1 to 1000).
        retry: Retry policy for each list page (``None``: no retries).

    .. versionadded:: 0.1.0

    """

    batch: int = attrs.field(default=1000, validator=attrs.validators.ge(1))
    delay: float = attrs.field(default=1.0, validator=attrs.validators.ge(0))
    passes: int = attrs.field(default=3, validator=attrs.validators.ge(1))
    page_size: int = attrs.field(
        default=limits.ASSET_PAGE_SIZE_MAX,
        validator=[
            attrs.validators.ge(1),
            attrs.validators.le(limits.ASSET_PAGE_SIZE_MAX),
        ],
    )
    retry: RetryPolicy | None = _LIST_RETRY


async def find_assets(  # noqa: PLR0913 -- all keyword-only context
    client: MaiuClient,
    workspace: str,
    project_id: int,
    keys: Collection[str],
    *,
    retry: RetryPolicy | None,
    page_size: int = limits.ASSET_PAGE_SIZE_MAX,
    pacer: AdaptiveLimiter | None = None,
) -> tuple[dict[str, int], int]:
    """
    Make one pass over a project's assets, looking for *keys*.

    Each page waits for *pacer*, the job's own limiter, if any.

    Returns:
        The asset id of each key found (the first listed, if several),
        and the number of pages read.

    Raises:
        MaiuError: A page could not be read, even after *retry*.

    Strictly private.
    """
    wanted = set(keys)
    found: dict[str, int] = {}
    page_num = 0
    while wanted:
        page_num += 1
        if pacer is not None:
            await pacer.acquire()
        page = await client.assets.list(
            workspace,
            project_id,
            page_num=page_num,
            page_size=page_size,
            retry=retry,
        )
        for asset in page.content:
            name = asset.file_name
            if name is not None and name in wanted:
                wanted.discard(name)
                found[name] = asset.asset_id
        if len(page.content) < page_size or page_num >= page.total_page:
            break
    return found, page_num
