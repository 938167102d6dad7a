"""
Test seams for code that uses maiu_async (the SDK's own tests use them).

- `MockTransport` answers a `maiu_async.MaiuClient`'s requests from a
  function of yours, with no network and no server, as httpx's
  ``MockTransport`` does;
- `set_testing` removes every retry wait and caps the attempts of every
  `maiu_async.RetryPolicy` (the client's and the bulk engine's), as
  stamina's ``set_testing`` does.

For example::

    from maiu_async import MaiuClient, Workspace
    from maiu_async.testing import (
        MockTransport, Request, Response, api_error, set_testing, success
    )

    def handler(request: Request) -> Response:
        if request.path == "/api/v1/workspaces/my-ws":
            return success({"workspaceName": "my-ws"})
        return api_error(404, "10101", "Project not found.")

    with set_testing(True, attempts=2):
        async with MaiuClient(
            access_key="ak", secret_key="sk",
            transport=MockTransport(handler),
        ) as client:
            ws = await client.workspaces.get("my-ws")

A handler may be a plain or an ``async`` function.  To simulate a
network failure it raises a `maiu_async.TransportError` subclass, e.g.
``ConnectionLost("reset", method=request.method, url=request.url)``.

.. versionadded:: 26.1.0
"""

from __future__ import annotations

import inspect
import json as _json

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeAlias
from urllib.parse import parse_qsl, urlsplit

import attrs

from ._retry import TestingMode, is_testing, set_testing
from ._signing import HEADER_SIGNATURE
from ._transport import RawResponse, raw_response
from .exceptions import UsageError


if TYPE_CHECKING:
    from collections.abc import Mapping


__all__ = [
    "Handler",
    "MockTransport",
    "Request",
    "Response",
    "TestingMode",
    "api_error",
    "is_testing",
    "set_testing",
    "success",
]

_NO_JSON: Any = object()


@attrs.frozen(kw_only=True)
class Request:
    """
    One request as the client sent it, minus its signature.

    Attributes:
        method: The HTTP method.
        url: The full URL, percent-encoded as sent.
        headers: The headers sent, except the signature header (the
            timestamp and the access key are kept).
        body: The body, or ``None``.

    """

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes | None

    @property
    def path(self) -> str:
        """The URL's path, percent-encoded as sent (no query)."""
        return urlsplit(self.url).path

    @property
    def query(self) -> dict[str, str]:
        """The URL's query parameters, decoded."""
        return dict(parse_qsl(urlsplit(self.url).query))

    def json(self) -> Any:  # noqa: ANN401 -- any JSON
        """The body decoded from JSON, or ``None`` without a body."""
        return None if self.body is None else _json.loads(self.body)


@attrs.frozen(init=False)
class Response:
    """
    What a `MockTransport` handler answers.

    Args:
        status: The HTTP status.
        json: A body to send as JSON.
        body: Or the raw body (at most one of the two; empty if neither).
        headers: Response headers, e.g. ``{"Retry-After": "1"}``.

    Raises:
        UsageError: Both *json* and *body* were given.

    """

    status: int
    body: bytes
    headers: Mapping[str, str]

    def __init__(
        self,
        status: int = 200,
        *,
        json: Any = _NO_JSON,  # noqa: ANN401 -- any JSON
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if json is not _NO_JSON:
            if body is not None:
                raise UsageError("give a Response json= or body=, not both")
            body = _json.dumps(json).encode()
        self.__attrs_init__(status, body or b"", dict(headers or {}))


def success(result: Any = None, *, status: int = 200) -> Response:  # noqa: ANN401 -- any JSON
    """
    An answer carrying *result* in the API's success envelope.

    *result* is wire JSON: camelCase keys, as the API sends them.
    """
    return Response(
        status, json={"code": "0", "message": "success", "result": result}
    )


def api_error(
    status: int,
    code: str,
    message: str = "",
    *,
    retry_after: float | str | None = None,
) -> Response:
    """
    An error answer as the service sends it (``{"code", "message"}``).

    Args:
        status: The HTTP status, e.g. 404, 429 or 503.
        code: The service's error code, e.g. ``"10001"``.
        message: Its message.
        retry_after: A ``Retry-After`` header, for a 429 or 503.

    """
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    return Response(
        status, json={"code": code, "message": message}, headers=headers
    )


#: A handler: a request in, a response (or an awaitable of one) out.
Handler: TypeAlias = Callable[[Request], Response | Awaitable[Response]]


class MockTransport:
    """
    A transport that answers every request by calling *handler*.

    Pass it as ``MaiuClient(transport=MockTransport(handler))``.  Each
    attempt is one call of *handler*, retries included.

    Args:
        handler: Turns a `Request` into a `Response`; a plain or an
            ``async`` function.  It may raise a
            `maiu_async.TransportError` to simulate a network failure.

    Attributes:
        requests: Every request received so far, in order.

    """

    __slots__ = ("_handler", "_open", "requests")

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._open = False
        self.requests: list[Request] = []

    def __repr__(self) -> str:
        return f"<MockTransport requests={len(self.requests)}>"

    async def open(self) -> None:
        """Start accepting requests."""
        self._open = True

    async def close(self) -> None:
        """Stop accepting requests."""
        self._open = False

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
    ) -> RawResponse:
        """
        Hand the request to the handler and return its answer.

        Raises:
            UsageError: Sent while not open, or the handler answered
                something other than a `Response`.

        """
        if not self._open:
            raise UsageError("transport used before open() or after close()")
        request = Request(
            method=method,
            url=url,
            headers={
                name: value
                for name, value in headers.items()
                if name.lower() != HEADER_SIGNATURE
            },
            body=body,
        )
        self.requests.append(request)
        answer = self._handler(request)
        if inspect.isawaitable(answer):
            answer = await answer
        if not isinstance(answer, Response):
            raise UsageError(
                f"a MockTransport handler must return a Response, "
                f"got {answer!r}"
            )
        lowered = {
            name.lower(): value for name, value in answer.headers.items()
        }
        return raw_response(answer.status, answer.body, lowered)
