"""
ListObjects v1 pagination against scripted servers: markers, odd
servers, errors, and memory (one page at a time).
"""

from __future__ import annotations

import weakref

from typing import Any

import pytest

from botocore.exceptions import ClientError, EndpointConnectionError

from maiu_async.exceptions import UsageError
from maiu_async.storage import (
    ObjectStorageRefused,
    ObjectStorageSource,
    ObjectStorageUnavailable,
    StorageConfig,
)
from maiu_async.storage._errors import translate


pytestmark = pytest.mark.anyio


class _Page(list):  # type: ignore[type-arg]
    """A list that can be watched with a weak reference."""


class FakeS3:
    """
    Serves ListObjects v1 from a sorted key list, S3's way or an odd way.

    next_marker: "none" (S3 without a delimiter), "key" (the last key),
    or "opaque" (a token that is not a key, as moto sends).
    """

    def __init__(self, keys: list[str], *, next_marker: str = "none"):
        self.keys = sorted(keys)
        self.next_marker = next_marker
        self.calls: list[dict[str, Any]] = []
        self.alive = 0
        self.alive_at_call: list[int] = []

    def _gone(self) -> None:
        self.alive -= 1

    async def list_objects(self, **params: Any) -> dict[str, Any]:
        self.alive_at_call.append(self.alive)
        self.calls.append(params)
        prefix = params.get("Prefix", "")
        marker = params.get("Marker", "")
        size = params["MaxKeys"]
        rest = [k for k in self.keys if k.startswith(prefix) and k > marker]
        page = _Page({"Key": k, "Size": len(k)} for k in rest[:size])
        self.alive += 1
        weakref.finalize(page, self._gone)
        answer: dict[str, Any] = {
            "IsTruncated": len(rest) > size,
            "Contents": page,
        }
        if answer["IsTruncated"] and self.next_marker == "key":
            answer["NextMarker"] = page[-1]["Key"]
        elif answer["IsTruncated"] and self.next_marker == "opaque":
            answer["NextMarker"] = "0f343b0931126a20f133d67c2b018a3b"
        return answer


class Scripted:
    """Answers ListObjects with the pages given, in order."""

    def __init__(self, *answers: dict[str, Any] | Exception):
        self.answers = list(answers)
        self.calls: list[dict[str, Any]] = []

    async def list_objects(self, **params: Any) -> dict[str, Any]:
        self.calls.append(params)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def _source(client: Any, prefix: str = "", page_size: int = 3):
    return ObjectStorageSource(
        "bucket",
        prefix,
        config=StorageConfig(page_size=page_size),
        s3_client=client,
    )


async def _keys(source: ObjectStorageSource) -> list[str]:
    return [obj.key async for obj in source.objects()]


KEYS = [f"p/{i:03d}.mp4" for i in range(10)] + ["q/other.mp4"]


@pytest.mark.parametrize("next_marker", ["none", "key", "opaque"])
async def test_marker_is_the_last_key(next_marker):
    """Whatever NextMarker says, the next page starts after the last key."""
    client = FakeS3(KEYS, next_marker=next_marker)

    async with _source(client, "p/") as source:
        listed = await _keys(source)

    assert KEYS[:10] == listed
    assert [None, "p/002.mp4", "p/005.mp4", "p/008.mp4"] == [
        call.get("Marker") for call in client.calls
    ]
    assert {("bucket", "p/", 3)} == {
        (c["Bucket"], c["Prefix"], c["MaxKeys"]) for c in client.calls
    }
    assert (4, 10, True) == (
        source.stats.pages,
        source.stats.listed,
        source.stats.complete,
    )


async def test_whole_bucket_sends_no_prefix():
    """An empty prefix lists the whole bucket: no Prefix parameter."""
    client = FakeS3(KEYS)

    async with _source(client, page_size=1000) as source:
        listed = await _keys(source)

    assert sorted(KEYS) == listed
    assert "Prefix" not in client.calls[0]


async def test_exactly_full_last_page():
    """A last page that is exactly full ends the listing (not truncated)."""
    client = FakeS3(KEYS[:9])

    async with _source(client) as source:
        assert KEYS[:9] == await _keys(source)

    assert 3 == len(client.calls)


async def test_empty_truncated_page_uses_next_marker():
    """A truncated page without objects continues at NextMarker."""
    client = Scripted(
        {"IsTruncated": True, "Contents": [{"Key": "a.mp4", "Size": 1}]},
        {"IsTruncated": True, "NextMarker": "m"},
        {"IsTruncated": False, "Contents": [{"Key": "z.mp4", "Size": 1}]},
    )

    async with _source(client) as source:
        assert ["a.mp4", "z.mp4"] == await _keys(source)

    assert [None, "a.mp4", "m"] == [c.get("Marker") for c in client.calls]


@pytest.mark.parametrize(
    "stuck",
    [
        pytest.param({"IsTruncated": True}, id="nothing-to-continue-at"),
        pytest.param(
            {"IsTruncated": True, "Contents": [{"Key": "a.mp4", "Size": 1}]},
            id="same-page-again",
        ),
        pytest.param(
            {"IsTruncated": True, "NextMarker": "0"}, id="marker-backwards"
        ),
    ],
)
async def test_a_listing_that_does_not_advance_is_an_error(stuck):
    """A server that never moves on is reported, not looped on forever."""
    first = {"IsTruncated": True, "Contents": [{"Key": "a.mp4", "Size": 1}]}
    client = Scripted(first, stuck)

    async with _source(client) as source:
        with pytest.raises(ObjectStorageUnavailable, match="did not advance"):
            await _keys(source)

    assert not source.stats.complete


async def test_missing_size_counts_as_empty():
    """An entry without Size is taken as 0 bytes (and skipped as empty)."""
    client = Scripted({"IsTruncated": False, "Contents": [{"Key": "a.mp4"}]})

    async with _source(client) as source:
        [obj] = [o async for o in source.objects()]

    assert (0, "empty") == (obj.size, obj.skip and obj.skip.value)


async def test_one_page_in_memory_at_a_time():
    """Each page is released before the next one is asked for."""
    client = FakeS3([f"k/{i:05d}.mp4" for i in range(2000)])
    seen = 0

    async with _source(client, page_size=100) as source:
        async for _ in source.objects():
            seen += 1

    assert 2000 == seen
    assert 20 == len(client.calls)
    assert [0] * 20 == client.alive_at_call


async def test_pages_are_fetched_only_on_demand():
    """The source asks for a page only when the consumer needs it."""
    client = FakeS3([f"k/{i:05d}.mp4" for i in range(100)])

    async with _source(client, page_size=10) as source:
        objects = source.objects()
        for taken in range(1, 26):
            await anext(objects)
            assert (taken + 9) // 10 == len(client.calls)
        await objects.aclose()


async def test_abandoned_iteration_holds_nothing():
    """Leaving a listing midway needs no cleanup and a new one restarts."""
    client = FakeS3(KEYS)

    async with _source(client) as source:
        async for _ in source.objects():
            break
        assert 1 == source.stats.listed
        assert KEYS == sorted(await _keys(source))
        assert 11 == source.stats.listed


async def test_errors_are_translated():
    """botocore errors leave as ObjectStorageError subclasses."""
    denied = ClientError(
        {
            "Error": {"Code": "AccessDenied", "Message": "Access Denied"},
            "ResponseMetadata": {"HTTPStatusCode": 403},
        },
        "ListObjects",
    )
    client = Scripted(denied)

    async with _source(client) as source:
        with pytest.raises(ObjectStorageRefused) as excinfo:
            await _keys(source)

    exc = excinfo.value
    assert ("ListObjects", "bucket", "AccessDenied", 403) == (
        exc.operation,
        exc.bucket,
        exc.code,
        exc.status,
    )
    assert "AccessDenied (HTTP 403): Access Denied" in str(exc)
    assert exc.__cause__ is denied


@pytest.mark.parametrize(
    ("error", "cls"),
    [
        pytest.param(
            ClientError(
                {
                    "Error": {"Code": "InternalError"},
                    "ResponseMetadata": {"HTTPStatusCode": 500},
                },
                "ListObjects",
            ),
            ObjectStorageUnavailable,
            id="500",
        ),
        pytest.param(
            ClientError({}, "ListObjects"),
            ObjectStorageUnavailable,
            id="no-status",
        ),
        pytest.param(
            EndpointConnectionError(endpoint_url="https://x"),
            ObjectStorageUnavailable,
            id="connect",
        ),
        pytest.param(TimeoutError(), ObjectStorageUnavailable, id="timeout"),
    ],
)
def test_translate(error, cls):
    """Server errors and network failures are 'unavailable'."""
    assert cls is type(translate(error, operation="ListObjects", bucket="b"))


async def test_bugs_are_not_translated():
    """Anything but a storage failure propagates as it is."""
    client = Scripted(KeyError("oops"))

    async with _source(client) as source:
        with pytest.raises(KeyError):
            await _keys(source)


async def test_lifecycle():
    """Listing needs 'async with'; a source opens once."""
    source = _source(Scripted())

    with pytest.raises(UsageError, match="async with"):
        source.objects()
    async with source:
        assert "opened" in repr(source)
    assert "<ObjectStorageSource bucket/ closed>" == repr(source)
    with pytest.raises(UsageError, match="async with"):
        source.keys()
    with pytest.raises(UsageError, match="only once"):
        async with source:
            pass


def test_arguments_are_checked():
    """A bucket must be a bucket name, a prefix a string."""
    from maiu_async.exceptions import ValidationError  # noqa: PLC0415

    with pytest.raises(ValidationError, match="bucket_name"):
        ObjectStorageSource("a/b")
    with pytest.raises(UsageError, match="prefix"):
        ObjectStorageSource("b", None)  # type: ignore[arg-type]
    source = ObjectStorageSource("b", "p/")
    assert ("b", "p/") == (source.bucket, source.prefix)
    assert "kr-standard" == source.config.region
