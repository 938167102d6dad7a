"""
The transport boundary: every aiohttp failure becomes one of ours; the
client sends through any AsyncTransport.
"""

from __future__ import annotations

import aiohttp
import pytest

from aiohttp.client_reqrep import ConnectionKey
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import (
    AiohttpTransport,
    AsyncTransport,
    ConnectError,
    ConnectionLimits,
    ConnectionLost,
    InsecureTLSWarning,
    MaiuClient,
    RawResponse,
    RequestTimeout,
    Timeouts,
    TransportError,
    UsageError,
)
from maiu_async._transport import map_exception
from maiu_async.testing import MockTransport, Request, Response, success


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


# -- the transport seam ---------------------------------------------------


class Recorder:
    """A transport wrapping another, noting each call (an AsyncTransport)."""

    def __init__(self, inner: AsyncTransport) -> None:
        self.inner = inner
        self.calls: list[str] = []

    async def open(self) -> None:
        """Open the inner transport."""
        self.calls.append("open")
        await self.inner.open()

    async def close(self) -> None:
        """Close the inner transport."""
        self.calls.append("close")
        await self.inner.close()

    async def send(self, method, url, headers, body) -> RawResponse:
        """Note the method, then send."""
        self.calls.append(method)
        return await self.inner.send(method, url, headers, body)


def ok(request: Request) -> Response:
    """Every request succeeds with a workspace."""
    return success({"workspaceName": "my-ws"})


@pytest.mark.anyio
async def test_client_opens_uses_and_closes_its_transport():
    """open once on entry, send per attempt, close on exit even on error."""
    recorder = Recorder(MockTransport(ok))
    client = MaiuClient(access_key="a", secret_key="b", transport=recorder)

    async def use_then_fail() -> None:
        async with client:
            await client.workspaces.get("my-ws")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await use_then_fail()

    assert ["open", "GET", "close"] == recorder.calls


@pytest.mark.anyio
async def test_default_transport_wraps_like_any_other(emu):
    """AiohttpTransport can be built and wrapped by users."""
    recorder = Recorder(AiohttpTransport())
    async with MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        endpoint=emu.url,
        transport=recorder,
    ) as client:
        await client.workspaces.create("my-ws")

    assert ["open", "POST", "close"] == recorder.calls


@pytest.mark.parametrize(
    ("option", "value"),
    [
        pytest.param("timeouts", Timeouts(total=1.0), id="timeouts"),
        pytest.param("limits", ConnectionLimits(), id="limits"),
        pytest.param("verify_tls", False, id="verify_tls"),
    ],
)
def test_default_transport_options_conflict_with_a_transport(option, value):
    """Options of the default transport are refused beside transport=."""
    with pytest.raises(UsageError, match=f"{option} configure the default"):
        MaiuClient(
            access_key="a",
            secret_key="b",
            transport=MockTransport(ok),
            **{option: value},
        )


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(
            lambda: MaiuClient(
                access_key="a", secret_key="b", verify_tls=False
            ),
            id="client",
        ),
        pytest.param(lambda: AiohttpTransport(verify_tls=False), id="direct"),
    ],
)
def test_insecure_warning_points_at_the_caller(build):
    """The TLS warning names the user's line, however it was built."""
    with pytest.warns(InsecureTLSWarning) as record:
        build()

    assert [__file__] == [w.filename for w in record]
