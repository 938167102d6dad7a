"""
The bulk engine's way to register a key: the id alone, one attempt.
"""

from __future__ import annotations

import cattrs
import pytest

from hypothesis import example, given
from hypothesis import strategies as st
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import MaiuClient, ResponseDecodeError, ValidationError
from maiu_async._converter import (
    asset_id,
    decode_error_paths,
    encode_body,
    key_body,
)
from maiu_async.testing import MockTransport, Request, Response, success


pytestmark = pytest.mark.anyio

RECORD = {
    "assetId": 41,
    "createUserName": "me",
    "createdTime": "2025-04-23T16:49:23.885456721",
}


def mock_client(answer: Response, sent: list[Request]) -> MaiuClient:
    """A client answering every request with *answer*, noting each."""

    def handler(request: Request) -> Response:
        sent.append(request)
        return answer

    return MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        endpoint="http://mock.invalid",
        transport=MockTransport(handler),
    )


async def test_registrar_posts_the_key_and_returns_the_id():
    """One POST to the import path with the key and bucket; the id back."""
    sent: list[Request] = []
    async with mock_client(success(RECORD), sent) as client:
        register = client.assets._key_registrar("ws", 7, "media")
        got = await register("videos/a.mp4")

    assert 41 == got
    assert [
        (
            "POST",
            "/api/v1/workspaces/ws/projects/7/assets/import/object-storage",
            {"key": "videos/a.mp4", "bucketName": "media"},
        )
    ] == [(r.method, r.path, r.json()) for r in sent]


@given(key=st.text(), bucket=st.text())
@example(key='a"b\\c\n\u2028', bucket="\x00")
@example(key="\ud800", bucket="b")  # a lone surrogate: refused alike
def test_key_body_is_the_encoded_payload(key, bucket):
    """The registrar's body is the payload's encoding, byte for byte."""
    try:
        expected = encode_body({"key": key, "bucketName": bucket})
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            key_body(bucket)(key)
        return
    assert expected == key_body(bucket)(key)


@pytest.mark.parametrize(
    ("result", "path"),
    [
        pytest.param({"assetId": None}, "$.asset_id", id="null-id"),
        pytest.param({"assetId": 1.5}, "$.asset_id", id="float-id"),
        pytest.param({"createUserName": "me"}, "$.asset_id", id="no-id"),
    ],
)
async def test_malformed_answer_raises_with_its_path(result, path):
    """An answer without a usable id is refused, naming the field."""
    sent: list[Request] = []
    async with mock_client(success(result), sent) as client:
        register = client.assets._key_registrar("ws", 7, "media")
        with pytest.raises(ResponseDecodeError) as info:
            await register("videos/a.mp4")

    assert f"@ {path}" in str(info.value)
    assert "AssetId" in str(info.value)
    assert 1 == len(sent)


async def test_registrar_checks_the_place_once_when_made():
    """A bad bucket is refused when the registrar is made, before sending."""
    sent: list[Request] = []
    async with mock_client(success(RECORD), sent) as client:
        with pytest.raises(ValidationError, match="bucket"):
            client.assets._key_registrar("ws", 7, "")

    assert [] == sent


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        pytest.param(RECORD, 41, id="plain"),
        pytest.param({"videoId": 9}, 9, id="legacy-name"),
        pytest.param({"assetId": 3, "videoId": 9}, 3, id="canonical-wins"),
        pytest.param({"assetId": "12"}, 12, id="digit-string"),
        pytest.param(
            {"assetId": 5, "createdTime": "later"}, 5, id="rest-not-read"
        ),
    ],
)
def test_asset_id_reads_what_asset_reads(result, expected):
    """The id is read as the whole Asset would read it."""
    assert expected == asset_id(result)


def test_asset_id_refuses_a_boolean():
    """True is not an id, though Python counts it as an int."""
    with pytest.raises(cattrs.BaseValidationError) as info:
        asset_id({"assetId": True})

    assert "@ $.asset_id" in decode_error_paths(info.value)
