"""
MaiuClient over loopback: lifecycle, errors, retries, signing on the wire.
"""

from __future__ import annotations

import time

import pytest

from aiohttp import web
from testkeys import ACCESS_KEY

from maiu_async import (
    AuthenticationFailed,
    BadRequest,
    ConnectError,
    InsecureTLSWarning,
    MaiuClient,
    NotFound,
    ResponseDecodeError,
    RetryPolicy,
    ServerError,
    UsageError,
)
from maiu_async._client import parse_retry_after


pytestmark = pytest.mark.anyio


async def test_use_outside_context_refused(emu):
    """A client not yet opened refuses calls with a clear UsageError."""
    client = MaiuClient(access_key="a", secret_key="b", endpoint=emu.url)

    with pytest.raises(UsageError, match="async with"):
        await client.workspaces.get("abc")


async def test_closed_client_refused_and_not_reopened(emu):
    """After exit the client refuses calls and cannot be reopened."""
    client = MaiuClient(access_key="a", secret_key="b", endpoint=emu.url)
    async with client:
        pass

    with pytest.raises(UsageError, match="closed"):
        await client.workspaces.get("abc")
    with pytest.raises(UsageError, match="opened once"):
        await client.__aenter__()


def test_bad_endpoint_refused():
    """A non-HTTP endpoint is refused at construction."""
    with pytest.raises(UsageError, match="ftp://x"):
        MaiuClient(access_key="a", secret_key="b", endpoint="ftp://x")


def test_tls_off_warns():
    """Turning TLS verification off needs a flag and warns."""
    with pytest.warns(InsecureTLSWarning):
        MaiuClient(
            access_key="a",
            secret_key="b",
            endpoint="https://h",
            verify_tls=False,
        )


def test_endpoint_from_environment(monkeypatch):
    """$MAIU_ENDPOINT names the endpoint when none is given."""
    monkeypatch.setenv("MAIU_ENDPOINT", "http://127.0.0.1:1234/")
    assert (
        "http://127.0.0.1:1234"
        == MaiuClient(access_key="a", secret_key="b").endpoint
    )


async def test_wrong_secret_is_authentication_failed(emu):
    """The emulator rejects a bad signature with 401, mapped to our type."""
    async with MaiuClient(
        access_key=ACCESS_KEY, secret_key="wrong", endpoint=emu.url
    ) as client:
        with pytest.raises(AuthenticationFailed) as info:
            await client.workspaces.create("abc")

    assert 401 == info.value.status
    assert "200" == info.value.api_code
    assert "wrong" not in str(info.value)


async def test_not_found_carries_context(client):
    """A missing workspace raises NotFound with status, code and URL."""
    with pytest.raises(NotFound) as info:
        await client.projects.list("no-such-ws")

    err = info.value
    assert 404 == err.status
    assert "GET" == err.method
    assert err.url.endswith("/api/v1/workspaces/no-such-ws/projects")
    assert err.api_code is not None


@pytest.mark.parametrize(
    "name", ["my workspace", "a/b", "100%", "작업공간", "what?x=1", "%2F"]
)
async def test_hostile_workspace_names_reach_the_right_path(emu, client, name):
    """Hostile names are signed as sent and reach exactly that workspace."""
    emu.state.add_workspace(name, validate=False)

    listing = await client.projects.list(name)

    assert 1 == listing.total_count
    assert listing.projects[0].is_base_project


async def test_connect_error_is_typed():
    """Nothing listening gives ConnectError, marked as never sent."""
    async with MaiuClient(
        access_key="a",
        secret_key="b",
        endpoint="http://127.0.0.1:9",
        retry=None,
    ) as client:
        with pytest.raises(ConnectError) as info:
            await client.workspaces.get("abc")

    assert info.value.request_sent is False


@pytest.fixture(name="odd_server")
async def _odd_server():
    """A real server answering what the emulator never would."""
    hits: dict[str, int] = {}

    async def handler(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        hits[name] = hits.get(name, 0) + 1
        if name == "html":
            return web.Response(status=502, text="<html>Bad Gateway</html>")
        if name == "notjson":
            return web.Response(status=200, text="hello")
        if name == "noenvelope":
            return web.json_response({"result": {}})
        if name == "flaky" and hits[name] < 3:
            return web.json_response(
                {"error": {"errorCode": "500", "message": "Endpoint Error"}},
                status=503,
            )
        if name == "badmodel":
            return web.json_response(
                {"code": "0", "message": "success", "result": {"x": 1}}
            )
        if name == "code-not-zero":
            return web.json_response(
                {"code": "10001", "message": "Invalid Request."}
            )
        return web.json_response(
            {
                "code": "0",
                "message": "success",
                "result": {"workspaceName": name},
            }
        )

    app = web.Application()
    app.router.add_get("/api/v1/workspaces/{name}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", hits
    finally:
        await runner.cleanup()


async def test_html_error_page(odd_server):
    """An HTML 502 page becomes ServerError with the text as body."""
    url, _ = odd_server
    async with MaiuClient(
        access_key="a", secret_key="b", endpoint=url, retry=None
    ) as client:
        with pytest.raises(ServerError) as info:
            await client.workspaces.get("html")

    assert 502 == info.value.status
    assert "Bad Gateway" in info.value.body
    assert info.value.api_code is None


@pytest.mark.parametrize("name", ["notjson", "noenvelope", "badmodel"])
async def test_malformed_success(odd_server, name):
    """A 200 that is not a fitting envelope raises ResponseDecodeError."""
    url, _ = odd_server
    async with MaiuClient(access_key="a", secret_key="b", endpoint=url) as c:
        with pytest.raises(ResponseDecodeError):
            await c.workspaces.get(name)


async def test_code_not_zero_on_200(odd_server):
    """HTTP 200 with an error code still raises the code's error."""
    url, _ = odd_server
    async with MaiuClient(access_key="a", secret_key="b", endpoint=url) as c:
        with pytest.raises(BadRequest) as info:
            await c.workspaces.get("code-not-zero")

    assert "10001" == info.value.api_code


async def test_503_retried_then_succeeds(odd_server):
    """A 503 is safe to retry: the third try succeeds."""
    url, hits = odd_server
    policy = RetryPolicy(attempts=3, initial=0.0, maximum=0.0)
    async with MaiuClient(
        access_key="a", secret_key="b", endpoint=url, retry=policy
    ) as client:
        ws = await client.workspaces.get("flaky")

    assert "flaky" == ws.workspace_name
    assert 3 == hits["flaky"]


async def test_no_retry_when_disabled(odd_server):
    """retry=None on the call sends exactly once."""
    url, hits = odd_server
    async with MaiuClient(access_key="a", secret_key="b", endpoint=url) as c:
        with pytest.raises(ServerError):
            await c.workspaces.get("flaky", retry=None)

    assert 1 == hits["flaky"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [("2", 2.0), ("0.25", 0.25), ("-3", 0.0), (None, None), ("soon", None)],
)
def test_retry_after_seconds(header, expected):
    """Retry-After in seconds (fractions too) is read; junk is ignored."""
    assert expected == parse_retry_after(header)


def test_retry_after_date():
    """Retry-After as an HTTP date gives the seconds until then."""
    from email.utils import formatdate  # noqa: PLC0415

    value = parse_retry_after(formatdate(time.time() + 30, usegmt=True))
    assert value is not None
    assert 25 <= value <= 31
