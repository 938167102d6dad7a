"""Gateway authentication in the emulator."""

from __future__ import annotations

import time

import pytest

from maiu_async import limits
from maiu_async._credentials import Credentials
from maiu_async._signing import (
    HEADER_ACCESS_KEY,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    Signer,
)


pytestmark = pytest.mark.anyio

TARGET = "/api/v1/workspaces?pageNum=1&pageSize=10"
SKEW_MS = limits.SIGNATURE_MAX_SKEW_SECONDS * 1000


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def assert_refused(reply) -> None:
    assert 401 == reply.status
    assert {"errorCode": "200", "message": "Authentication Failed"} == {
        k: v for k, v in reply.body["error"].items() if k != "details"
    }
    assert {"errorCode", "message", "details"} == set(reply.body["error"])


@pytest.fixture(name="signer")
def _signer(credentials):
    return Signer(credentials)


async def test_signed_request_passes(api):
    """A correctly signed request is answered."""
    reply = await api.get(TARGET)

    assert 200 == reply.status


async def test_bad_signature(api, emu, credentials):
    """A signature made with another secret is refused and counted."""
    forged = Signer(Credentials(credentials.access_key, "not-the-secret"))

    reply = await api.get(TARGET, headers=forged.headers("GET", TARGET))

    assert_refused(reply)
    assert 1 == emu.stats.auth_failures
    assert credentials.secret_key not in str(reply.body)


async def test_unknown_access_key(api, credentials):
    """A key the emulator does not know is refused."""
    other = Signer(Credentials("AKIDSOMEONEELSE", credentials.secret_key))

    reply = await api.get(TARGET, headers=other.headers("GET", TARGET))

    assert_refused(reply)


@pytest.mark.parametrize(
    "offset_ms",
    [
        pytest.param(-SKEW_MS - 5_000, id="past"),
        pytest.param(SKEW_MS + 5_000, id="future"),
    ],
)
async def test_skewed_timestamp(api, signer, offset_ms):
    """A timestamp more than the allowed skew away is refused."""
    headers = signer.headers("GET", TARGET, str(now_ms() + offset_ms))

    reply = await api.get(TARGET, headers=headers)

    assert_refused(reply)


@pytest.mark.parametrize("offset_ms", [-SKEW_MS + 5_000, SKEW_MS - 5_000])
async def test_timestamp_within_skew(api, signer, offset_ms):
    """A timestamp within the allowed skew is accepted."""
    headers = signer.headers("GET", TARGET, str(now_ms() + offset_ms))

    reply = await api.get(TARGET, headers=headers)

    assert 200 == reply.status


@pytest.mark.parametrize("timestamp", ["soon", "1.7e12", "-1", ""])
async def test_timestamp_not_an_integer(api, signer, timestamp):
    """A timestamp that is not a decimal integer is refused."""

    reply = await api.get(
        TARGET, headers=signer.headers("GET", TARGET, timestamp)
    )

    assert_refused(reply)


@pytest.mark.parametrize(
    "missing", [HEADER_TIMESTAMP, HEADER_ACCESS_KEY, HEADER_SIGNATURE]
)
async def test_missing_header(api, signer, missing):
    """Each of the three signature headers is required."""
    headers = signer.headers("GET", TARGET)
    del headers[missing]

    reply = await api.get(TARGET, headers=headers, sign=False)

    assert_refused(reply)
    assert missing in reply.body["error"]["details"]


async def test_no_headers_at_all(api):
    """An unsigned request is refused."""
    reply = await api.get(TARGET, sign=False)

    assert_refused(reply)


@pytest.mark.parametrize(
    "signed",
    [
        pytest.param("/api/v1/workspaces?pageSize=10&pageNum=1", id="order"),
        pytest.param("/api/v1/workspaces?pageNum=%31&pageSize=10", id="enc"),
        pytest.param("/api/v1/workspaces", id="no-query"),
    ],
)
async def test_signature_covers_the_raw_target(api, signer, signed):
    """A signature over a differently written target is refused."""

    reply = await api.get(TARGET, headers=signer.headers("GET", signed))

    assert_refused(reply)


async def test_signature_covers_the_method(api, signer):
    """A signature made for another method is refused."""

    reply = await api.get(TARGET, headers=signer.headers("POST", TARGET))

    assert_refused(reply)


async def test_auth_comes_before_routing(api):
    """An unsigned request to an unknown API route is still 401."""
    reply = await api.get("/api/v1/nothing-here", sign=False)

    assert_refused(reply)


async def test_admin_routes_need_no_auth(api):
    """The /_emulator routes answer unsigned requests."""
    reply = await api.get("/_emulator/stats", sign=False)

    assert 200 == reply.status
