"""
Transports: the seam between the client and the network.

`AsyncTransport` is what `maiu_async.MaiuClient` sends through; anything
with its three methods will do (`maiu_async.testing.MockTransport` in
tests, a wrapper that records or alters traffic).

`AiohttpTransport`, the default, and its connector (``_connector``) are
the only client-side modules that import aiohttp.  It owns one
`aiohttp.ClientSession` and its connector, the timeouts, and the
translation of every aiohttp and timeout exception into
`maiu_async.exceptions.TransportError` subclasses.  Nothing above this
module sees an aiohttp type.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import warnings

from typing import TYPE_CHECKING, Protocol

import aiohttp
import attrs
import yarl

from . import limits
from ._budget import ByteBudget
from ._connector import Connector
from ._deadline import Deadlines
from ._version import package_version
from .exceptions import (
    ConnectError,
    ConnectionLost,
    InsecureTLSWarning,
    RequestTimeout,
    ResponseDecodeError,
    TransportError,
    UsageError,
    cut,
)


if TYPE_CHECKING:
    from collections.abc import Mapping


__all__ = [
    "AiohttpTransport",
    "AsyncTransport",
    "ConnectionLimits",
    "RawResponse",
    "Timeouts",
    "map_exception",
    "raw_response",
]

#: Longest piece of aiohttp's message kept in ours (a hostile status
#: line or header can be kilobytes long).
_DETAIL_MAX_CHARS = 300
#: Headers naming the request on the server's side, first found wins.
REQUEST_ID_HEADERS = ("x-ncp-trace-id", "x-request-id")


@attrs.frozen(kw_only=True)
class Timeouts:
    """
    Time limits for one HTTP exchange, in seconds (``None``: no limit).

    Attributes:
        connect: Opening a connection (the socket connect).  A request
            that times out here was certainly not sent.  Waiting for a
            free pooled connection is not counted here: a bulk job with
            more tasks than connections waits by design.
        read: Longest silence while reading the answer.  Off by default:
            aiohttp re-arms a timer for every chunk read, 5-56 µs of CPU
            per request in ``benchmarks/timeouts.py``, and *total*
            already bounds every request.
        total: The whole exchange, pool wait included; bounds every
            request, slow-drip answers too.  No API call should come near
            it.  One timer serves all the requests in flight, not one
            each (aiohttp's costs a bare aiohttp loop about a tenth of
            its throughput: ``benchmarks/RESULTS.md``, section 1).

    """

    connect: float | None = 10.0
    read: float | None = None
    total: float | None = 60.0


@attrs.frozen(kw_only=True)
class ConnectionLimits:
    """
    Size and lifetime of the connection pool.

    Attributes:
        max_connections: Open connections in all (0: unlimited).  The
            default, 512, fits any bulk job up to that concurrency (a job
            whose concurrency exceeds its client's pool is refused, not
            silently capped) and stays within a common limit of 1,024
            open files.
        max_per_host: Open connections per host (0: unlimited).
        keepalive: Seconds an idle connection is kept for reuse.
        dns_cache_ttl: Seconds a DNS answer is cached (``None``: forever).
        max_response_bytes: Largest answer read to a ``GET`` (list pages
            among them); a larger one is refused, not buffered.
        max_write_response_bytes: Largest answer read to any other
            method (one record each: a registration's is a few hundred
            bytes), and never more than *max_response_bytes*.
        max_buffered_bytes: Answer bytes all requests in flight may hold
            at once.  An answer of unknown length (chunked, compressed)
            counts for its whole limit while it is read; one that would
            not fit waits until others are read.

    .. versionchanged:: 26.1.0
       *max_write_response_bytes* and *max_buffered_bytes*.

    """

    max_connections: int = 512
    max_per_host: int = 0
    keepalive: float = 30.0
    dns_cache_ttl: int | None = 300
    max_response_bytes: int = limits.READ_ANSWER_MAX_BYTES
    max_write_response_bytes: int = limits.WRITE_ANSWER_MAX_BYTES
    max_buffered_bytes: int = limits.ANSWERS_BUFFERED_MAX_BYTES

    def answer_limit(self, method: str) -> int:
        """
        Return the largest answer read to a request of *method*.

        Strictly private.
        """
        if method in _READS:
            return self.max_response_bytes
        return min(self.max_write_response_bytes, self.max_response_bytes)


#: Methods whose answers may be list pages; the rest answer one record.
_READS = frozenset({"GET", "HEAD"})


@attrs.frozen
class RawResponse:
    """
    What came back, before any decoding: all the client reads.

    Attributes:
        status: The HTTP status.
        body: The body, as received.
        retry_after: The ``Retry-After`` header, if any.
        request_id: The server's id for the request (``x-ncp-trace-id``
            or ``x-request-id``), if any.
        date: The ``Date`` header (the server's clock), if any.

    .. versionadded:: 26.1.0

    """

    status: int
    body: bytes
    retry_after: str | None
    request_id: str | None
    date: str | None = None


def raw_response(
    status: int, body: bytes, headers: Mapping[str, str]
) -> RawResponse:
    """
    Build a `RawResponse` from headers with lower-case (or any-case) keys.

    *headers* must look names up case-insensitively or hold them in
    lower case.

    Strictly private.
    """
    return RawResponse(
        status,
        body,
        headers.get("retry-after"),
        _request_id(headers),
        headers.get("date"),
    )


class AsyncTransport(Protocol):
    """
    What `maiu_async.MaiuClient` sends its requests through.

    The client calls `open` once when entered, `send` for every attempt
    and `close` once when left (even after a failure).

    .. versionadded:: 26.1.0
    """

    async def open(self) -> None:
        """Get ready to send (inside the running event loop)."""

    async def close(self) -> None:
        """Release every resource; no `send` follows."""

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
    ) -> RawResponse:
        """
        Send one request and return the answer, whatever its status.

        Args:
            method: The HTTP method.
            url: The full URL, already percent-encoded and signed as is:
                send it byte for byte.
            headers: The headers to send, signature included.
            body: The JSON body, or ``None``.

        Raises:
            TransportError: No usable answer; `TransportError.request_sent`
                says whether the server may have seen the request.  It
                must not keep *headers* (the signature) anywhere in its
                chain: `AiohttpTransport` chains no library error.

        """
        ...


def default_user_agent() -> str:
    """
    The ``User-Agent`` the SDK sends: ``maiu-async/<version>``.

    Strictly private.
    """
    installed = package_version()
    return "maiu-async" if installed is None else f"maiu-async/{installed}"


class AiohttpTransport:
    """
    Sends requests through one pooled aiohttp session (the default).

    Build one yourself only to wrap it (a transport that records, say)::

        client = MaiuClient(transport=Recorder(AiohttpTransport()))

    Args:
        timeouts: Connect / read / total time limits.
        limits: Connection pool size and keep-alive.
        verify_tls: Verify TLS certificates.  Turning it off warns with
            `maiu_async.InsecureTLSWarning`.
        user_agent: The ``User-Agent`` header; ``maiu-async/<version>``
            if omitted.

    .. versionadded:: 26.1.0

    """

    __slots__ = (
        "_budget",
        "_caps",
        "_deadlines",
        "_limits",
        "_session",
        "_timeouts",
        "_user_agent",
        "_verify",
    )

    def __init__(
        self,
        *,
        timeouts: Timeouts | None = None,
        limits: ConnectionLimits | None = None,
        verify_tls: bool = True,
        user_agent: str | None = None,
    ) -> None:
        if not verify_tls:
            warnings.warn(
                "TLS certificate verification is off: anyone on the path "
                "can read and alter requests",
                InsecureTLSWarning,
                stacklevel=_caller_level(),
            )
        self._timeouts = timeouts or Timeouts()
        self._limits = limits or ConnectionLimits()
        # The answer cap by method, looked up per request.
        self._caps = {
            method: self._limits.answer_limit(method)
            for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
        }
        self._verify = verify_tls
        self._user_agent = user_agent or default_user_agent()
        self._session: aiohttp.ClientSession | None = None
        self._budget: ByteBudget | None = None
        self._deadlines: Deadlines | None = None

    def __repr__(self) -> str:
        return f"<AiohttpTransport open={self._session is not None}>"

    @property
    def max_connections(self) -> int | None:
        """
        The pool's size (``None``: unlimited).

        .. versionadded:: 26.1.0
        """
        return self._limits.max_connections or None

    async def open(self) -> None:
        """Create the session and its connector (inside the loop)."""
        limits = self._limits
        self._budget = ByteBudget(limits.max_buffered_bytes)
        # aiohttp's connector, reading small chunks (`_connector`).
        connector = Connector(
            limit=limits.max_connections,
            limit_per_host=limits.max_per_host,
            keepalive_timeout=limits.keepalive,
            ttl_dns_cache=limits.dns_cache_ttl,
            ssl=self._verify,
        )
        t = self._timeouts
        # The total limit is ours (`Deadlines`: one timer for every
        # request in flight), not aiohttp's (a timer for each).
        self._deadlines = None if t.total is None else Deadlines(t.total)
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(
                total=None, sock_connect=t.connect, sock_read=t.read
            ),
            headers={"User-Agent": self._user_agent},
            raise_for_status=False,
        )

    async def close(self) -> None:
        """Close the session and every pooled connection."""
        session, self._session = self._session, None
        deadlines, self._deadlines = self._deadlines, None
        if deadlines is not None:
            deadlines.close()
        if session is not None:
            await session.close()

    def _answer_size(
        self, resp: aiohttp.ClientResponse, method: str, url: str
    ) -> tuple[int, int | None]:
        # The answer cap for *method*, and the answer's size if known,
        # refused at once if over the cap.
        cap = self._caps.get(method)
        if cap is None:
            cap = self._limits.answer_limit(method)
        length = resp.content_length
        # Content-Length counts the bytes on the wire; a compressed body
        # is counted as it is decompressed instead (a 40 KB gzip "bomb"
        # unpacks to 40 MB).
        if resp.headers.get("Content-Encoding", "identity") != "identity":
            length = None
        if length is not None and length > cap:
            _refuse_length(length, cap, method, url)
        return cap, length

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
    ) -> RawResponse:
        """
        Send one request; *url* is already percent-encoded and signed.

        Raises:
            TransportError: No usable response (a subclass says why).
                aiohttp's error is not chained (its arguments and frames
                hold the signed headers); the message names it.
            ResponseDecodeError: The answer exceeded its size limit
                (`ConnectionLimits`).

        """
        session, budget = self._session, self._budget
        if session is None or budget is None:
            del headers  # out of the traceback's frames, as below
            raise UsageError("transport used before open() or after close()")
        # One frame, not two (a coroutine per request counts); what it
        # holds is cleared before an error leaves it, below.
        resp: aiohttp.ClientResponse | None = None
        deadlines = self._deadlines
        deadline = None if deadlines is None else deadlines.start()
        try:
            # No redirects: the API never sends one, and following it
            # would send the signed request to a path (or host) other
            # than the one intended.
            async with session.request(
                method,
                _url(url),
                data=body,
                headers=headers,
                allow_redirects=False,
            ) as resp:
                cap, length = self._answer_size(resp, method, url)
                amount = budget.clamp(cap if length is None else length)
                if not budget.take_now(amount):
                    await budget.take(amount)
                try:
                    if length is None:
                        payload = await _read_capped(resp, cap, method, url)
                    else:
                        payload = await resp.read()
                finally:
                    budget.give(amount)
                return raw_response(resp.status, payload, resp.headers)
        except (TimeoutError, aiohttp.ClientError) as exc:
            # Not chained: aiohttp's error keeps the request's headers,
            # signature included, in its args (`RequestInfo`) and in its
            # traceback's frames.  Ours keeps its type and text.
            error: TransportError | UsageError | ResponseDecodeError = (
                map_exception(exc, method, url)
            )
        except ResponseDecodeError as exc:
            error = exc
        except asyncio.CancelledError:
            if deadline is None or not deadline.expired_here():
                raise
            # The total limit (`Timeouts.total`), as aiohttp's would say.
            error = map_exception(TimeoutError(), method, url)
        finally:
            if deadline is not None:
                deadline.finish()
        # Raised outside the handler, without a traceback through the
        # exchange, and with the signed headers out of this frame: no
        # __context__, no frame local holds the signature (the response
        # keeps the request's headers too).
        del headers
        resp = None
        raise error.with_traceback(None)


def _refuse_length(length: int, cap: int, method: str, url: str) -> None:
    raise ResponseDecodeError(
        f"answer of {length} bytes exceeds the {cap}-byte limit for "
        f"{method} answers",
        method=method,
        url=url,
    )


async def _read_capped(
    resp: aiohttp.ClientResponse, cap: int, method: str, url: str
) -> bytes:
    chunks, size = [], 0
    async for chunk in resp.content.iter_any():
        size += len(chunk)
        if size > cap:
            raise ResponseDecodeError(
                f"answer exceeds the {cap}-byte limit for {method} answers",
                method=method,
                url=url,
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _caller_level() -> int:
    # The warning names the first frame outside this package: the user's
    # line, whether they built the transport or the client did.
    frame = inspect.currentframe()
    level = 0
    while frame is not None and _ours(frame.f_globals.get("__name__", "")):
        frame = frame.f_back
        level += 1
    return max(level, 1)


def _ours(module: str) -> bool:
    return module == "maiu_async" or module.startswith("maiu_async.")


@functools.lru_cache(maxsize=1024)
def _url(url: str) -> yarl.URL:
    # Parsed once per distinct URL: a bulk job posts to one URL.
    return yarl.URL(url, encoded=True)


_TRACE_ID, _REQUEST_ID = REQUEST_ID_HEADERS


def _request_id(headers: Mapping[str, str]) -> str | None:
    # The first of `REQUEST_ID_HEADERS` present.
    value = headers.get(_TRACE_ID)
    return headers.get(_REQUEST_ID) if value is None else value


def map_exception(
    exc: BaseException, method: str, url: str
) -> MaiuTransportFailure:
    """
    Translate an aiohttp or timeout exception into our error tree.

    Order matters: subclasses come before their bases.

    Strictly private.
    """
    detail = cut(str(exc), _DETAIL_MAX_CHARS)
    text = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    if isinstance(exc, aiohttp.ClientConnectorError):
        return ConnectError(f"cannot connect: {text}", method=method, url=url)
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return RequestTimeout(
            "timed out connecting", method=method, url=url, request_sent=False
        )
    if isinstance(exc, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)):
        return RequestTimeout(
            "timed out waiting for the answer",
            method=method,
            url=url,
            request_sent=True,
        )
    if isinstance(exc, aiohttp.InvalidURL):
        return UsageError(f"invalid URL {url!r}")
    if isinstance(
        exc,
        (
            aiohttp.ServerDisconnectedError,
            aiohttp.ClientOSError,
            aiohttp.ClientConnectionResetError,
            aiohttp.ClientPayloadError,
        ),
    ):
        return ConnectionLost(
            f"connection lost: {text}", method=method, url=url
        )
    return TransportError(f"HTTP failure: {text}", method=method, url=url)


MaiuTransportFailure = TransportError | UsageError
