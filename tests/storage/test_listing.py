"""
Listing a real S3-compatible server (moto on loopback): every page, the
right objects, the right decisions, and failures.
"""

from __future__ import annotations

import math

from collections import Counter

import pytest

from s3helpers import PREFIX, SMALL_VIDEO_LIMIT
from storagehelpers import BIG_IMAGE, BIG_IMAGE_SIZE, storage_config

from maiu_async.storage import (
    ObjectFilter,
    ObjectStorageRefused,
    ObjectStorageSource,
    ObjectStorageUnavailable,
    SkipReason,
)


pytestmark = pytest.mark.anyio


async def test_streams_every_page_with_its_decisions(corpus, s3_url):
    """
    Small pages force many ListObjects calls: nothing is lost, doubled or
    out of order, each object gets the decision it was made for, and the
    counts add up.
    """
    config = storage_config(s3_url, page_size=97)
    expected = corpus.under(PREFIX)
    reasons = corpus.reasons(PREFIX)

    async with ObjectStorageSource(
        corpus.bucket, PREFIX, config=config
    ) as src:
        listed = []
        decided = {}
        async for obj in src.objects():
            listed.append((obj.key, obj.size))
            decided[obj.key] = obj.skip.value if obj.skip else None
        stats = src.stats

    assert len(expected) > 10 * 97
    assert expected == listed
    assert not any(k.startswith("videos/2026x/") for k, _ in listed)
    assert math.ceil(len(expected) / 97) == stats.pages
    assert stats.complete
    assert reasons == decided
    counts = Counter(reasons.values())
    assert {"folder", "unsupported extension", "empty", "too large"} <= set(
        counts
    )
    assert {r: counts[r.value] for r in SkipReason} == stats.skipped
    assert (len(expected), counts[None]) == (stats.listed, stats.selected)
    assert stats.listed == stats.selected + stats.skipped_total
    assert (
        sum(size for key, size in expected if reasons[key] is None)
        == stats.selected_bytes
    )


async def test_whole_bucket_with_a_lower_video_limit(corpus, storage):
    """
    An empty prefix lists the whole bucket; video sizes are checked from
    the listing against the limit given.
    """
    small = ObjectFilter(video_max_bytes=SMALL_VIDEO_LIMIT)

    async with ObjectStorageSource(
        corpus.bucket, config=storage, object_filter=small
    ) as src:
        listed = [obj async for obj in src.objects()]

    too_large = {o.key for o in listed if o.skip is SkipReason.TOO_LARGE}
    assert sorted(corpus.objects) == [o.key for o in listed]
    assert len(corpus.big_videos) > 10
    assert corpus.big_videos | {BIG_IMAGE} == too_large


async def test_real_oversize_image(corpus, storage):
    """An image just over 10 MB, uploaded through S3, is skipped."""
    async with ObjectStorageSource(
        corpus.bucket, BIG_IMAGE, config=storage
    ) as src:
        [obj] = [o async for o in src.objects()]

    assert (BIG_IMAGE, BIG_IMAGE_SIZE, SkipReason.TOO_LARGE) == (
        obj.key,
        obj.size,
        obj.skip,
    )
    assert "images may be at most 10 MiB" in str(obj.detail)


async def test_keys_that_need_encoding(corpus, storage):
    """Unicode, spaces, '+', '%' and '&' survive the listing exactly."""
    async with ObjectStorageSource(
        corpus.bucket, f"{PREFIX}special/", config=storage
    ) as src:
        keys = {o.key async for o in src.objects()}

    assert {k for k, _ in corpus.under(f"{PREFIX}special/")} == keys
    assert f"{PREFIX}special/한글 클립+1%.mp4" in keys


async def test_empty_prefix_listing(corpus, storage):
    """A prefix with no objects lists nothing, in one call."""
    async with ObjectStorageSource(
        corpus.bucket, "nothing/here/", config=storage
    ) as src:
        assert [] == [o async for o in src.objects()]

    assert (1, 0, True) == (
        src.stats.pages,
        src.stats.listed,
        src.stats.complete,
    )


async def test_no_such_bucket(s3_url, storage):
    """A missing bucket is refused with the store's code."""
    async with ObjectStorageSource("no-such-bucket", config=storage) as src:
        with pytest.raises(ObjectStorageRefused) as excinfo:
            [o async for o in src.objects()]

    assert ("NoSuchBucket", 404, "no-such-bucket") == (
        excinfo.value.code,
        excinfo.value.status,
        excinfo.value.bucket,
    )


async def test_unreachable_store():
    """A store nobody listens at is unavailable, after the retries."""
    import socket  # noqa: PLC0415

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = storage_config(
        f"http://127.0.0.1:{port}", max_attempts=1, connect_timeout=1
    )

    async with ObjectStorageSource("b", config=config) as src:
        with pytest.raises(ObjectStorageUnavailable, match="ListObjects"):
            [o async for o in src.objects()]
