"""
The transport boundary: every aiohttp failure becomes one of ours.
"""

from __future__ import annotations

import aiohttp
import pytest

from aiohttp.client_reqrep import ConnectionKey

from maiu_async import (
    ConnectError,
    ConnectionLost,
    RequestTimeout,
    TransportError,
    UsageError,
)
from maiu_async._transport import map_exception


KEY = ConnectionKey("h", 1, False, True, None, None, None)


def connector_error() -> aiohttp.ClientConnectorError:
    """A connect failure as aiohttp raises it."""
    return aiohttp.ClientConnectorError(KEY, OSError(111, "refused"))


# Every aiohttp failure we rely on, with what it must become and whether
# the request may have reached the server.
CASES = [
    (connector_error(), ConnectError, False),
    (aiohttp.ConnectionTimeoutError(), RequestTimeout, False),
    (aiohttp.SocketTimeoutError(), RequestTimeout, True),
    (aiohttp.ServerTimeoutError(), RequestTimeout, True),
    (TimeoutError(), RequestTimeout, True),
    (aiohttp.ServerDisconnectedError(), ConnectionLost, True),
    (aiohttp.ClientOSError(104, "reset"), ConnectionLost, True),
    (aiohttp.ClientConnectionResetError(), ConnectionLost, True),
    (aiohttp.ClientPayloadError("cut"), ConnectionLost, True),
    (aiohttp.ClientConnectionError(), TransportError, True),
    (aiohttp.ClientError(), TransportError, True),
]


@pytest.mark.parametrize(
    ("exc", "expected", "sent"),
    CASES,
    ids=[type(c[0]).__name__ for c in CASES],
)
def test_mapping(exc, expected, sent):
    """Each aiohttp failure maps to the most specific error, sent or not."""
    mapped = map_exception(exc, "POST", "http://h/x")

    assert expected is type(mapped)
    assert sent is mapped.request_sent
    assert "POST" == mapped.method


def test_invalid_url_is_usage():
    """A malformed URL is the caller's mistake, not a network failure."""
    assert isinstance(
        map_exception(aiohttp.InvalidURL("x"), "GET", "x"), UsageError
    )


# aiohttp failures deliberately left to the generic TransportError branch:
# they arise from answers or features this client never uses (websockets,
# redirects, proxies, content types) or from malformed HTTP.
GENERIC = {
    "ClientResponseError",
    "ContentTypeError",
    "ClientHttpProxyError",
    "WSServerHandshakeError",
    "WSMessageTypeError",
    "InvalidUrlClientError",
    "InvalidUrlRedirectClientError",
    "NonHttpUrlClientError",
    "NonHttpUrlRedirectClientError",
    "RedirectClientError",
    "ServerConnectionError",
    "ServerFingerprintMismatch",
    "ClientConnectionError",
    "ClientError",
    "InvalidURL",
    "UploadAbortedError",
}


def test_every_client_error_subclass_is_decided():
    """Each aiohttp ClientError class is mapped on purpose or listed above.

    A new aiohttp release adding a failure type fails this test until
    someone decides what it means.
    """
    mapped = tuple(type(c[0]) for c in CASES)
    undecided = [
        name
        for name in dir(aiohttp)
        if isinstance(obj := getattr(aiohttp, name), type)
        and issubclass(obj, aiohttp.ClientError)
        and name not in GENERIC
        and not issubclass(obj, mapped)
    ]

    assert [] == undecided
