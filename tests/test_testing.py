"""
maiu_async.testing: MockTransport answers the client; set_testing stops
every retry policy from waiting and caps its attempts.
"""

from __future__ import annotations

import json

import pytest

from maiu_async import (
    ConnectionLost,
    MaiuClient,
    NotFound,
    RateLimited,
    RetryPolicy,
    UsageError,
    Workspace,
    register_many,
)
from maiu_async.testing import (
    MockTransport,
    Request,
    Response,
    api_error,
    is_testing,
    set_testing,
    success,
)


pytestmark = pytest.mark.anyio

WS = {"workspaceName": "my-ws"}


@pytest.fixture(name="testing_off", autouse=True)
def _testing_off():
    """Every test starts and ends with testing mode off."""
    with set_testing(False):
        yield


def client_for(transport: MockTransport, **options) -> MaiuClient:
    """A client that sends through *transport*."""
    return MaiuClient(
        access_key="AKIDEXAMPLE01",
        secret_key="do-not-show-me",
        endpoint="https://h",
        transport=transport,
        **options,
    )


async def test_handler_sees_the_request_without_its_signature():
    """The handler gets method, URL, body and headers minus the signature."""
    transport = MockTransport(lambda _: success(WS))
    async with client_for(transport) as client:
        await client.workspaces.create("my-ws", bucket_name="media")

    (request,) = transport.requests
    assert "POST" == request.method
    assert "https://h/api/v1/workspaces" == request.url
    assert "/api/v1/workspaces" == request.path
    assert {"workspaceName": "my-ws", "bucketName": "media"} == request.json()
    assert "AKIDEXAMPLE01" == request.headers["x-ncp-iam-access-key"]
    assert "x-ncp-apigw-timestamp" in request.headers
    assert "x-ncp-apigw-signature-v2" not in request.headers
    assert "do-not-show-me" not in repr(request)


async def test_query_is_decoded():
    """Request.query gives the query parameters, decoded."""
    page = {
        "content": [],
        "totalCount": 0,
        "totalPage": 1,
        "pageNo": 2,
        "pageSize": 5,
    }
    transport = MockTransport(lambda _: success(page))
    async with client_for(transport) as client:
        await client.workspaces.list(page_num=2, page_size=5)

    assert {"pageNum": "2", "pageSize": "5"} == transport.requests[0].query
    assert transport.requests[0].json() is None


async def test_async_handler():
    """An async handler is awaited."""

    async def handler(request: Request) -> Response:
        return success(WS)

    async with client_for(MockTransport(handler)) as client:
        ws = await client.workspaces.get("my-ws")

    assert Workspace(workspace_name="my-ws") == ws


async def test_error_answer_maps_to_the_error_tree():
    """api_error answers as the service does; the client maps it."""
    transport = MockTransport(lambda _: api_error(404, "10101", "No."))
    async with client_for(transport) as client:
        with pytest.raises(NotFound) as info:
            await client.workspaces.get("my-ws")

    assert ("10101", "No.") == (info.value.api_code, info.value.api_message)


async def test_retry_after_and_request_id_headers_reach_the_client():
    """Response headers are read as from the network, in any case."""
    answer = Response(
        429,
        json={"code": "429", "message": "slow down"},
        headers={"retry-after": "7", "X-NCP-TRACE-ID": "trace-1"},
    )
    transport = MockTransport(lambda _: answer)
    async with client_for(transport, retry=None) as client:
        with pytest.raises(RateLimited) as info:
            await client.workspaces.get("my-ws")

    assert (7.0, "trace-1") == (info.value.retry_after, info.value.request_id)


async def test_handler_raising_a_transport_error():
    """A handler simulates a network failure by raising TransportError."""

    def handler(request: Request) -> Response:
        if len(transport.requests) == 1:
            raise ConnectionLost("reset", method=request.method, url="u")
        return success(WS)

    transport = MockTransport(handler)
    policy = RetryPolicy(attempts=2, initial=0.0, maximum=0.0)
    async with client_for(transport, retry=policy) as client:
        ws = await client.workspaces.get("my-ws")

    assert "my-ws" == ws.workspace_name
    assert 2 == len(transport.requests)


async def test_handler_must_answer_a_response():
    """Anything but a Response from the handler is a clear UsageError."""
    transport = MockTransport(lambda _: {"code": "0"})  # type: ignore[arg-type,return-value]
    async with client_for(transport) as client:
        with pytest.raises(UsageError, match="must return a Response"):
            await client.workspaces.get("my-ws")


async def test_closed_transport_refuses():
    """A MockTransport sends only between open() and close()."""
    transport = MockTransport(lambda _: success(WS))

    with pytest.raises(UsageError, match="before open"):
        await transport.send("GET", "https://h/", {}, None)


def test_response_takes_json_or_body():
    """A Response carries JSON or raw bytes, not both."""
    assert b'{"a": 1}' == Response(json={"a": 1}).body
    assert b"" == Response(204).body
    with pytest.raises(UsageError, match="not both"):
        Response(json={}, body=b"x")


def test_success_envelope():
    """success() wraps the result in the API's success envelope."""
    answer = success([1], status=201)

    assert 201 == answer.status
    assert {"code": "0", "message": "success", "result": [1]} == json.loads(
        answer.body
    )


# -- set_testing -------------------------------------------------------------


def test_set_testing_caps_attempts_and_removes_waits():
    """In testing mode a policy allows at most N tries and never waits."""
    policy = RetryPolicy(attempts=5, initial=1.0)
    set_testing(True, attempts=3)

    assert is_testing()
    assert 3 == policy.attempts
    assert 0.0 == policy.wait_for(4, None)
    assert 0.0 == policy.wait_for(1, 30.0)
    assert 2 == RetryPolicy(attempts=2).attempts


def test_set_testing_off_restores_the_policy():
    """Off again, the policy's own attempts and waits apply."""
    policy = RetryPolicy(attempts=5, initial=1.0, maximum=1.0)
    set_testing(True)
    set_testing(False)

    assert not is_testing()
    assert 5 == policy.attempts
    assert 30.0 == policy.wait_for(1, 30.0)


def test_set_testing_as_context_manager_restores_previous_state():
    """Leaving the with block puts back the state from before the call."""
    policy = RetryPolicy(attempts=9)
    with set_testing(True, attempts=4):
        with set_testing(True, attempts=2):
            assert 2 == policy.attempts
        assert 4 == policy.attempts
    assert not is_testing()
    assert 9 == policy.attempts


def test_set_testing_refuses_zero_attempts():
    """At least one attempt is needed."""
    with pytest.raises(UsageError, match="at least 1"):
        set_testing(True, attempts=0)
    assert not is_testing()


def test_policy_repr_and_evolve_keep_the_public_name():
    """RetryPolicy still reads and copies as attempts=..."""
    import attrs  # noqa: PLC0415

    policy = attrs.evolve(RetryPolicy(attempts=2), attempts=3)

    assert "RetryPolicy(attempts=3, " in repr(policy)
    assert RetryPolicy(attempts=3) == policy


async def test_client_retries_capped_in_testing_mode():
    """The client's retry loop obeys the testing cap."""
    transport = MockTransport(lambda _: api_error(503, "500", "busy"))
    policy = RetryPolicy(attempts=10, initial=60.0, maximum=60.0)
    with set_testing(True, attempts=3):
        async with client_for(transport, retry=policy) as client:
            with pytest.raises(Exception, match="503"):
                await client.workspaces.get("my-ws")

    assert 3 == len(transport.requests)


async def test_bulk_engine_retries_capped_in_testing_mode():
    """The bulk engine's retry loop obeys the same testing cap."""
    keys = ["a.mp4", "b.mp4"]
    transport = MockTransport(lambda _: api_error(503, "500", "busy"))
    with set_testing(True, attempts=2):
        async with client_for(transport) as client:
            report = await register_many(
                client, "my-ws", 1, bucket_name="media", keys=keys
            )

    posts = [r.json()["key"] for r in transport.requests if r.method == "POST"]
    assert 0 == report.registered
    assert sorted(keys * 2) == sorted(posts)
