"""
MaiuClient over loopback: lifecycle, errors, retries, signing on the wire.
"""

from __future__ import annotations

import time

import pytest

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
    Workspace,
)
from maiu_async._answers import parse_retry_after
from maiu_async.testing import MockTransport, Request, Response, success


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
    "name", ["my workspace", "a/b", "100%", "작업공간", "what?x=1", "%2f"]
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


def odd_answer(request: Request, sent: list[Request]) -> Response:
    """Answers the emulator never gives, by workspace name."""
    name = request.path.rsplit("/", 1)[-1]
    if request.method == "POST":
        return Response(200, body=b"hello")
    if name == "html":
        return Response(502, body=b"<html>Bad Gateway</html>")
    if name == "notjson":
        return Response(200, body=b"hello")
    if name == "noenvelope":
        return Response(200, json={"result": {}})
    if name == "badmodel":
        return success({"x": 1})
    if name == "code-not-zero":
        return Response(200, json={"code": "10001", "message": "Invalid."})
    if name == "flaky" and sum(r.url == request.url for r in sent) < 3:
        return Response(
            503, json={"error": {"errorCode": "500", "message": "Endpoint"}}
        )
    return success({"workspaceName": name})


@pytest.fixture(name="odd")
async def _odd():
    """A client whose transport gives odd answers, and the transport."""
    transport = MockTransport(lambda r: odd_answer(r, transport.requests))
    async with MaiuClient(
        access_key="a",
        secret_key="b",
        endpoint="https://h",
        transport=transport,
        retry=RetryPolicy(attempts=3, initial=0.0, maximum=0.0),
    ) as client:
        yield client, transport


async def test_html_error_page(odd):
    """An HTML 502 page becomes ServerError with the text as body."""
    client, _ = odd
    with pytest.raises(ServerError) as info:
        await client.workspaces.get("html", retry=None)

    assert 502 == info.value.status
    assert "Bad Gateway" in info.value.body
    assert info.value.api_code is None


@pytest.mark.parametrize("name", ["notjson", "noenvelope"])
async def test_not_an_envelope_is_retried_for_get(odd, name):
    """A GET answered 2xx-but-no-envelope may have worked: it is retried."""
    client, transport = odd
    with pytest.raises(ResponseDecodeError):
        await client.workspaces.get(name)

    assert 3 == len(transport.requests)


async def test_not_an_envelope_is_not_retried_for_post(odd):
    """A POST answered 2xx-but-no-envelope is not sent twice."""
    client, transport = odd
    with pytest.raises(ResponseDecodeError):
        await client.workspaces.create("abc")

    assert ["POST"] == [r.method for r in transport.requests]


async def test_result_not_fitting_the_model_is_not_retried(odd):
    """A success whose result does not fit the model is final."""
    client, transport = odd
    with pytest.raises(ResponseDecodeError, match="Workspace"):
        await client.workspaces.get("badmodel")

    assert 1 == len(transport.requests)


async def test_code_not_zero_on_200(odd):
    """HTTP 200 with an error code still raises the code's error."""
    client, transport = odd
    with pytest.raises(BadRequest) as info:
        await client.workspaces.get("code-not-zero")

    assert "10001" == info.value.api_code
    assert 1 == len(transport.requests)


async def test_503_retried_then_succeeds(odd):
    """A 503 is safe to retry: the third try succeeds."""
    client, transport = odd
    ws = await client.workspaces.get("flaky")

    assert "flaky" == ws.workspace_name
    assert 3 == len(transport.requests)


async def test_no_retry_when_disabled(odd):
    """retry=None on the call sends exactly once."""
    client, transport = odd
    with pytest.raises(ServerError):
        await client.workspaces.get("flaky", retry=None)

    assert 1 == len(transport.requests)


async def test_request_structures_what_select_picks():
    """request() sends, checks and structures the selected part."""
    envelope = {"code": "0", "result": None, "extra": {"workspaceName": "w"}}
    transport = MockTransport(lambda _: Response(json=envelope))
    async with MaiuClient(
        access_key="a", secret_key="b", transport=transport
    ) as client:
        ws = await client.request(
            "GET", "/x", Workspace, select=lambda e: e["extra"]
        )
        nothing = await client.request("DELETE", "/x", query={"a": "b c"})

    assert Workspace(workspace_name="w") == ws
    assert nothing is None
    assert transport.requests[1].url.endswith("/x?a=b%20c")


async def test_request_path_must_be_absolute():
    """A path without its leading slash is a usage error, not a request."""
    transport = MockTransport(lambda _: success())
    async with MaiuClient(
        access_key="a", secret_key="b", transport=transport
    ) as client:
        with pytest.raises(UsageError, match="start with '/'"):
            await client.request("GET", "api/v1/workspaces")

    assert [] == transport.requests


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


def test_retry_after_date_without_zone():
    """A "-0000" date (UTC, zone unknown) is read, not a crash."""
    from email.utils import formatdate  # noqa: PLC0415

    header = formatdate(time.time() - 60).rsplit(" ", 1)[0] + " -0000"
    assert 0.0 == parse_retry_after(header)
