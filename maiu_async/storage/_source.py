"""
Listing a bucket prefix, page by page, as input for the bulk engine.

**ListObjects version 1.**  NCP Object Storage states that "List Objects
Version 2 is not supported" [D], so pages are requested with v1's
``Marker``.  The next marker is the last key of the page: S3 returns
``NextMarker`` only with a delimiter (we list without one, to walk the
whole tree under the prefix), and some servers send an opaque token
there instead of a key (moto does).  Only a truncated page without any
object falls back to ``NextMarker``; a listing that stops advancing is
an error rather than a loop.

**Flat memory.**  The next page is requested only when the consumer has
taken every object of the current one, so the source holds at most one
page (1,000 objects) whatever the bucket's size; the bulk engine's
bounded input buffer does the read-ahead.  The async generators hold no
resource: the client belongs to the `ObjectStorageSource` context, so
abandoning an iteration midway leaks nothing.

Strictly private; the names are re-exported by ``maiu_async.storage``.
"""

from __future__ import annotations

import contextlib
import enum

from typing import TYPE_CHECKING, Any, Self

import attrs

from .._validation import check_bucket_name
from ..exceptions import ObjectStorageUnavailable, UsageError
from ._config import StorageConfig, open_s3_client
from ._errors import translate
from ._filter import ListedObject, ObjectFilter, SkipReason


if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping
    from types import TracebackType

    from .._client import MaiuClient
    from .._credentials import Credentials
    from ..models import SkippedKey


__all__ = ["ListingStats", "ObjectStorageSource"]

_OPERATION = "ListObjects"


class _State(enum.Enum):
    UNOPENED = enum.auto()
    OPENED = enum.auto()
    CLOSED = enum.auto()


@attrs.frozen(kw_only=True)
class ListingStats:
    """
    What a listing has seen so far.

    Attributes:
        pages: ``ListObjects`` pages received.
        listed: Objects taken from those pages by the consumer.
        selected: Of these, objects to register.
        selected_bytes: Their total size.
        skipped: Objects not to register, per reason (every reason is
            present, most with 0).
        complete: Whether the listing reached its end.

    .. versionadded:: 26.1.0

    """

    pages: int = 0
    listed: int = 0
    selected: int = 0
    selected_bytes: int = 0
    skipped: Mapping[SkipReason, int] = attrs.field(
        factory=lambda: dict.fromkeys(SkipReason, 0)
    )
    complete: bool = False

    @property
    def skipped_total(self) -> int:
        """
        Objects not to register, whatever the reason.
        """
        return sum(self.skipped.values())


@attrs.define
class _Counter:
    # The mutable twin of ListingStats, reset for every listing.
    pages: int = 0
    listed: int = 0
    selected: int = 0
    selected_bytes: int = 0
    skipped: dict[SkipReason, int] = attrs.Factory(
        lambda: dict.fromkeys(SkipReason, 0)
    )
    complete: bool = False

    def count(self, obj: ListedObject) -> None:
        self.listed += 1
        if obj.skip is None:
            self.selected += 1
            self.selected_bytes += obj.size
        else:
            self.skipped[obj.skip] += 1

    def snapshot(self) -> ListingStats:
        return ListingStats(
            pages=self.pages,
            listed=self.listed,
            selected=self.selected,
            selected_bytes=self.selected_bytes,
            skipped=dict(self.skipped),
            complete=self.complete,
        )


class ObjectStorageSource:
    """
    The objects under a prefix of a bucket, listed as they are consumed.

    Use it as ``async with``; it owns the S3 client.  Feed `keys` to the
    bulk engine to register everything under the prefix::

        async with ObjectStorageSource(
            "media", "videos/2026/", client=client
        ) as source:
            report = await register_many(
                client, "my-ws", project_id,
                bucket_name=source.bucket, keys=source.keys(),
            )
        print(source.stats.skipped)

    ``client=client`` lists with the client's keys.

    Objects the filter refuses (folders, unsupported formats, oversize
    files) come out of `keys` as `maiu_async.models.SkippedKey` records:
    the engine reports them as skipped, with the reason, and never sends
    them.

    Args:
        bucket: The bucket to list.
        prefix: List only keys starting with it (``""``: the whole
            bucket).  Everything under it is listed, at any depth.
        config: Where the store is and how to reach it; NCP Object
            Storage's defaults if omitted.
        object_filter: The rules deciding what is registered; the
            documented limits if omitted.
        s3_client: An aiobotocore S3 client to use instead of opening
            one from *config*; the caller keeps closing it.
        client: A `maiu_async.MaiuClient` whose keys list the bucket
            (NCP Object Storage takes the API's keys), unless
            *credentials* or *config* give others.
        credentials: The keys to list with; they win over *config*'s
            and *client*'s.  With none of the three, the keys are
            resolved as `maiu_async.MaiuClient` does.

    Raises:
        ValidationError: *bucket* is empty or not a bucket name.
        UsageError: *prefix* is not a string.

    .. versionadded:: 26.1.0
    .. versionchanged:: 26.1.0 *client* and *credentials*.

    """

    __slots__ = (
        "_bucket",
        "_client",
        "_config",
        "_counter",
        "_filter",
        "_own_client",
        "_prefix",
        "_stack",
        "_state",
    )

    def __init__(  # noqa: PLR0913 -- all but two are keyword-only
        self,
        bucket: str,
        prefix: str = "",
        *,
        config: StorageConfig | None = None,
        object_filter: ObjectFilter | None = None,
        s3_client: Any = None,  # noqa: ANN401 -- aiobotocore has no types
        client: MaiuClient | None = None,
        credentials: Credentials | None = None,
    ) -> None:
        self._bucket = check_bucket_name(bucket)
        if not isinstance(prefix, str):
            raise UsageError(f"prefix must be a string, not {prefix!r}")
        self._prefix = prefix
        config = StorageConfig() if config is None else config
        if credentials is None and config.credentials is None:
            credentials = None if client is None else client.credentials
        if credentials is not None:
            config = attrs.evolve(config, credentials=credentials)
        self._config = config
        self._filter = (
            ObjectFilter() if object_filter is None else object_filter
        )
        self._client: Any = s3_client
        self._own_client = s3_client is None
        self._stack = contextlib.AsyncExitStack()
        self._counter = _Counter()
        self._state = _State.UNOPENED

    def __repr__(self) -> str:
        return (
            f"<ObjectStorageSource {self._bucket}/{self._prefix} "
            f"{self._state.name.lower()}>"
        )

    @property
    def bucket(self) -> str:
        """
        The bucket listed.
        """
        return self._bucket

    @property
    def prefix(self) -> str:
        """
        The prefix listed (``""``: the whole bucket).
        """
        return self._prefix

    @property
    def config(self) -> StorageConfig:
        """
        The store's configuration.
        """
        return self._config

    @property
    def stats(self) -> ListingStats:
        """
        The counts of the current (or last) listing.
        """
        return self._counter.snapshot()

    async def __aenter__(self) -> Self:
        if self._state is not _State.UNOPENED:
            raise UsageError("an ObjectStorageSource can be opened only once")
        self._state = _State.OPENED
        if self._own_client:
            try:
                self._client = await self._stack.enter_async_context(
                    open_s3_client(self._config)
                )
            except BaseException:
                self._state = _State.CLOSED
                raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._state = _State.CLOSED
        await self._stack.aclose()

    def objects(self) -> AsyncIterator[ListedObject]:
        """
        Every object under the prefix, in key order, with its decision.

        Each call lists from the start and resets `stats`.

        Raises:
            UsageError: The source is not open.
            ObjectStorageRefused: The store refused the listing (no such
                bucket, access denied, credentials rejected).
            ObjectStorageUnavailable: The store could not be reached, or
                the listing did not advance.

        """
        self._check_open()
        return self._objects()

    def keys(self) -> AsyncIterator[str | SkippedKey]:
        """
        Every object under the prefix, as input for the bulk engine.

        A key per object to register, a `maiu_async.models.SkippedKey` per
        object not to (with the reason); see
        `maiu_async.bulk.register_many`.

        Raises:
            UsageError: The source is not open.
            ObjectStorageError: As `objects`.

        """
        self._check_open()
        return self._keys()

    def _check_open(self) -> None:
        if self._state is not _State.OPENED:
            raise UsageError(
                "use the ObjectStorageSource inside 'async with' first"
            )

    async def _keys(self) -> AsyncIterator[str | SkippedKey]:
        async for obj in self._objects():
            yield obj.to_item()

    async def _objects(self) -> AsyncIterator[ListedObject]:
        counter = self._counter = _Counter()
        classify = self._filter.classify
        async for page in self._pages(counter):
            for entry in page:
                obj = classify(str(entry["Key"]), int(entry.get("Size") or 0))
                counter.count(obj)
                yield obj
            # Let the page go before the next one is requested.
            del page
        counter.complete = True

    async def _pages(
        self, counter: _Counter
    ) -> AsyncIterator[list[Mapping[str, Any]]]:
        params: dict[str, Any] = {
            "Bucket": self._bucket,
            "MaxKeys": self._config.page_size,
        }
        if self._prefix:
            params["Prefix"] = self._prefix
        marker = ""
        while True:
            if marker:
                params["Marker"] = marker
            page = await self._list(params)
            counter.pages += 1
            contents: list[Mapping[str, Any]] = page.get("Contents") or []
            truncated = bool(page.get("IsTruncated"))
            # Read before yielding: the page is released with the yield.
            last = str(contents[-1]["Key"]) if contents else ""
            next_marker = str(page.get("NextMarker") or "")
            yield contents
            del contents, page
            if not truncated:
                return
            following = last or next_marker
            if following <= marker:
                raise ObjectStorageUnavailable(
                    f"{_OPERATION} on bucket {self._bucket!r} did not "
                    f"advance past {marker!r}: the page was truncated but "
                    "named no later key",
                    operation=_OPERATION,
                    bucket=self._bucket,
                )
            marker = following

    async def _list(self, params: Mapping[str, Any]) -> Mapping[str, Any]:
        try:
            page: Mapping[str, Any] = await self._client.list_objects(**params)
        except Exception as exc:
            error = translate(exc, operation=_OPERATION, bucket=self._bucket)
            if error is None:
                raise
            raise error from exc
        return page
