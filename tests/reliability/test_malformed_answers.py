"""
Malformed server answers give typed errors, never hangs.

A raw asyncio server answers byte for byte what no API would: junk, HTML
pages, missing fields, JSON nested too deep, huge or compressed bodies,
slow drips, redirects, absurd ``Retry-After`` headers.  Every call ends
in a `maiu_async.MaiuError` subclass within the bound set through
`maiu_async.Timeouts` (``anyio.fail_after`` guards against hangs), and a
bulk job facing such answers reports its keys instead of crashing.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import gzip
import json

from typing import TYPE_CHECKING

import anyio
import pytest

from hypothesis import given
from hypothesis import strategies as st
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import (
    APIStatusError,
    ConnectionLimits,
    ConnectionLost,
    MaiuClient,
    MaiuError,
    NotFound,
    RateLimited,
    RequestTimeout,
    ResponseDecodeError,
    RetryPolicy,
    ServerError,
    Timeouts,
    TransportError,
    Workspace,
)
from maiu_async.bulk import OutcomeStatus, register_many


if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable


pytestmark = pytest.mark.anyio

#: Short limits: a drip must become RequestTimeout fast.
TIMEOUTS = Timeouts(connect=1.0, read=0.4, total=1.0)
#: Answers above this are refused.
CAP = 64 * 1024
#: No call may take longer than this, whatever the server does.
GUARD = 10.0
DRIP = 0.05

Writer = asyncio.StreamWriter


def answer(status: str, body: bytes, *headers: str) -> bytes:
    """A complete HTTP/1.1 answer with a Content-Length."""
    head = "".join(f"{h}\r\n" for h in headers)
    return (
        f"HTTP/1.1 {status}\r\n{head}Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def envelope(result: object) -> bytes:
    """A success envelope around *result*."""
    return json.dumps(
        {"code": "0", "message": "success", "result": result}
    ).encode()


def fixed(
    data: bytes, *, keep: bool = True
) -> Callable[[Writer], Awaitable[bool]]:
    """Send *data* and go on (or close)."""

    async def send(writer: Writer) -> bool:
        writer.write(data)
        await writer.drain()
        return keep

    return send


async def drip(writer: Writer, data: bytes) -> bool:
    """Send *data* one byte at a time, slowly, then forever more."""
    for i in range(int(GUARD / DRIP)):
        writer.write(data[i : i + 1] or b"x")
        await writer.drain()
        await asyncio.sleep(DRIP)
    return False


async def endless(writer: Writer, head: bytes, chunk: bytes) -> bool:
    """Send *head*, then *chunk* until the client gives up."""
    writer.write(head)
    for _ in range(100_000):
        writer.write(chunk)
        await writer.drain()
    return False


async def silent(writer: Writer) -> bool:
    """Never answer."""
    await asyncio.sleep(GUARD)
    return False


BOMB = gzip.compress(envelope({"workspaceName": "x" * (4 * 1024 * 1024)}))
HTML = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
DEEP = b"[" * 30_000 + b"]" * 30_000  # 60 KB: under the cap

BEHAVIOURS: dict[str, Callable[[Writer], Awaitable[bool]]] = {
    "not-json": fixed(answer("200 OK", b"hello")),
    "empty": fixed(answer("200 OK", b"")),
    "html-200": fixed(answer("200 OK", HTML, "Content-Type: text/html")),
    "html-404": fixed(answer("404 Not Found", HTML)),
    "html-502": fixed(answer("502 Bad Gateway", HTML)),
    "json-array": fixed(answer("200 OK", b"[]")),
    "no-result": fixed(answer("200 OK", b'{"code": "0"}')),
    "null-result": fixed(answer("200 OK", envelope(None))),
    "no-name": fixed(answer("200 OK", envelope({"bucketName": "b"}))),
    "bad-time": fixed(
        answer("200 OK", envelope({"workspaceName": "w", "createdTime": [1]}))
    ),
    "code-object": fixed(answer("200 OK", b'{"code": {"a": 1}}')),
    "deep-200": fixed(answer("200 OK", DEEP)),
    "deep-500": fixed(answer("500 Internal Server Error", DEEP)),
    "bad-utf8": fixed(answer("200 OK", b'{"code": "0", "result": "\xff"}')),
    "huge-declared": fixed(
        b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n{"
    ),
    "huge-chunked": lambda w: endless(
        w,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"8000\r\n" + b"x" * 0x8000 + b"\r\n",
    ),
    "huge-until-close": lambda w: endless(
        w, b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", b"x" * 0x8000
    ),
    "gzip-bomb": fixed(
        answer("200 OK", BOMB, "Content-Encoding: gzip"), keep=False
    ),
    "drip-body": lambda w: drip(
        w, b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
    ),
    "drip-head": lambda w: drip(w, b"HTTP/1.1 200 OK\r\n"),
    "drip-headers": lambda w: drip(
        w, b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 999
    ),
    "silent": silent,
    "close": fixed(b"", keep=False),
    "truncated": fixed(
        b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"code"', keep=False
    ),
    "not-http": fixed(b"SSH-2.0-OpenSSH_9.0\r\n\r\n", keep=False),
    "bad-status": fixed(b"HTTP/1.1 abc OK\r\n\r\n", keep=False),
    "bad-length": fixed(
        b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n", keep=False
    ),
    "long-header": fixed(
        b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 20_000 + b"\r\n\r\n",
        keep=False,
    ),
    "retry-after-inf": fixed(
        answer("429 Too Many Requests", b"", "Retry-After: 1e309")
    ),
    "retry-after-9999": fixed(
        answer(
            "429 Too Many Requests",
            b"",
            "Retry-After: Fri, 31 Dec 9999 23:59:59 GMT",
        )
    ),
}


class JunkServer:
    """A raw HTTP/1.1 server; the last path segment picks the answer."""

    def __init__(self) -> None:
        self.hits: collections.Counter[str] = collections.Counter()
        self.url = ""
        self.mode: str | None = None  # answer every request this way
        self.redirect_to = ""
        self.next: bytes = b""
        self._tasks: set[asyncio.Task[None]] = set()

    async def handle(self, reader, writer: Writer) -> None:
        """Serve one connection, keep-alive included."""
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while await self._one(reader, writer):
                pass
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _one(self, reader, writer: Writer) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        _method, target, _ = lines[0].split(" ", 2)
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                await reader.readexactly(int(value))
        name = self.mode or target.partition("?")[0].rsplit("/", 1)[-1]
        self.hits[name] += 1
        if name == "redirect":
            location = f"Location: {self.redirect_to}"
            return await fixed(
                answer("307 Temporary Redirect", b"", location)
            )(writer)
        if name == "scripted":
            return await fixed(self.next)(writer)
        return await BEHAVIOURS.get(name, fixed(answer("404 No", b"")))(writer)

    async def stop(self) -> None:
        """Cancel the connections still being served."""
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task


@pytest.fixture(name="junk")
async def _junk():
    junk = JunkServer()
    server = await asyncio.start_server(junk.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    junk.url = f"http://127.0.0.1:{port}"
    try:
        yield junk
    finally:
        server.close()
        await junk.stop()
        await server.wait_closed()


def client_for(url: str, **options) -> MaiuClient:
    """A client with short timeouts and a small response cap."""
    options.setdefault("retry", None)
    options.setdefault("timeouts", TIMEOUTS)
    return MaiuClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        endpoint=url,
        limits=ConnectionLimits(max_response_bytes=CAP),
        **options,
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("not-json", ResponseDecodeError),
        ("empty", ResponseDecodeError),
        ("html-200", ResponseDecodeError),
        ("html-404", NotFound),
        ("html-502", ServerError),
        ("json-array", ResponseDecodeError),
        ("no-result", ResponseDecodeError),
        ("null-result", ResponseDecodeError),
        ("no-name", ResponseDecodeError),
        ("bad-time", ResponseDecodeError),
        ("code-object", APIStatusError),
        ("deep-200", ResponseDecodeError),
        ("deep-500", ServerError),
        ("bad-utf8", ResponseDecodeError),
        ("huge-declared", ResponseDecodeError),
        ("huge-chunked", ResponseDecodeError),
        ("huge-until-close", ResponseDecodeError),
        ("gzip-bomb", ResponseDecodeError),
        ("drip-body", RequestTimeout),
        ("drip-head", RequestTimeout),
        ("drip-headers", RequestTimeout),
        ("silent", RequestTimeout),
        ("close", ConnectionLost),
        ("truncated", ConnectionLost),
        ("not-http", TransportError),
        ("bad-status", TransportError),
        ("bad-length", TransportError),
        ("long-header", TransportError),
        ("retry-after-inf", RateLimited),
        ("retry-after-9999", RateLimited),
    ],
)
async def test_malformed_answer_is_a_typed_error(junk, name, expected):
    """Each malformed answer raises its typed error, within the bound."""
    # Short timeouts only where a timeout is the answer: elsewhere a
    # loaded machine must not turn a slow answer into one.
    timeouts = TIMEOUTS if expected is RequestTimeout else Timeouts()
    async with client_for(junk.url, timeouts=timeouts) as client:
        with anyio.fail_after(GUARD), pytest.raises(MaiuError) as info:
            await client.workspaces.get(name)

    # aiohttp itself resends an idempotent request once when the server
    # drops the connection unanswered; nothing else is sent twice.
    assert isinstance(info.value, expected), repr(info.value)
    assert (2 if name == "close" else 1) == junk.hits[name]


async def test_redirects_are_not_followed(junk):
    """A redirect is an error; the signed request goes nowhere else."""
    junk.redirect_to = f"{junk.url}/api/v1/workspaces/elsewhere"
    async with client_for(junk.url) as client:
        with anyio.fail_after(GUARD):
            with pytest.raises(ResponseDecodeError):
                await client.workspaces.get("redirect")
            junk.mode = "redirect"
            with pytest.raises(ResponseDecodeError):
                await client.workspaces.create("redirect")

    assert (2, 0) == (junk.hits["redirect"], junk.hits["elsewhere"])


@pytest.mark.parametrize("name", ["retry-after-inf", "retry-after-9999"])
async def test_absurd_retry_after_is_capped_per_call(junk, name):
    """A call meeting 429s with a huge Retry-After ends after its attempts."""
    policy = RetryPolicy(attempts=3, initial=0.0, max_retry_after=0.05)

    async with client_for(junk.url, retry=policy) as client:
        with anyio.fail_after(GUARD), pytest.raises(RateLimited):
            await client.workspaces.get(name)

    assert 3 == junk.hits[name]


@pytest.mark.parametrize("name", ["retry-after-inf", "retry-after-9999"])
async def test_absurd_retry_after_cannot_stall_the_client(junk, name):
    """
    A burst of 429s with a huge Retry-After pauses the client only briefly.

    The burst makes the client's limiter slow down and pause every
    request for the ``Retry-After`` (capped by the policy); the call after
    it must go through.  Uncapped, the pause never ends and the guard
    fires.  One attempt per call: retries would let the adaptive rate
    fall, whose pace depends on the machine's speed, not on the cap.
    The default timeouts: the 60 answers are immediate, and a loaded
    machine must not turn a slow start into a timeout.
    """
    policy = RetryPolicy(attempts=1, max_retry_after=0.05)
    errors: list[MaiuError] = []

    async def get() -> None:
        try:
            await client.workspaces.get(name)
        except MaiuError as exc:
            errors.append(exc)

    async with client_for(
        junk.url, retry=policy, timeouts=Timeouts()
    ) as client:
        with anyio.fail_after(GUARD):
            async with anyio.create_task_group() as tg:
                for _ in range(60):
                    tg.start_soon(get)
            slowed = client.limiter.rate
            junk.next = answer("200 OK", envelope({"workspaceName": "w"}))
            workspace = await client.workspaces.get("scripted")

    assert (60, {RateLimited}) == (len(errors), {type(e) for e in errors})
    assert (60, 1) == (junk.hits[name], junk.hits["scripted"])
    assert slowed is not None  # the burst did make the limiter pause
    assert "w" == workspace.workspace_name


@pytest.mark.parametrize(
    "name", ["not-json", "html-502", "drip-body", "close", "deep-200"]
)
async def test_bulk_job_reports_keys_on_junk_answers(junk, name):
    """A bulk job whose every answer is junk reports each key; no crash."""
    keys = [f"junk/{i}.mp4" for i in range(20)]
    outcomes = []
    policy = RetryPolicy(attempts=2, initial=0.0, maximum=0.0)
    junk.mode = name

    async with client_for(junk.url) as client:
        with anyio.fail_after(4 * GUARD):
            report = await register_many(
                client,
                "junk-ws",
                1,
                bucket_name="b",
                keys=keys,
                retry=policy,
                reconcile=None,
                on_result=outcomes.append,
            )

    assert sorted(keys) == sorted(o.key for o in outcomes)
    assert 20 == report.failed + report.unknown
    assert {OutcomeStatus.FAILED, OutcomeStatus.UNKNOWN} >= {
        o.status for o in outcomes
    }


_FIELDS = [
    *("code", "message", "result", "error", "errorCode", "details"),
    *("workspaceName", "createdTime", "responseError"),
]
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(_FIELDS) | st.text(max_size=5),
            inner,
            max_size=5,
        )
    ),
    max_leaves=12,
)
_bodies = st.one_of(
    _json.map(lambda v: json.dumps(v).encode()),
    st.builds(
        lambda r: json.dumps({"code": "0", "result": r}).encode(), _json
    ),
    st.binary(max_size=64),
)


_STATUSES = [200, 201, 204, 400, 401, 403, 404, 409, 422, 429, 500, 502]
_RETRY_AFTER = st.one_of(
    st.none(),
    st.sampled_from(["0", "-1", "nan", "inf", "1e309", "2.5", "soon"]),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12),
)


@given(
    status=st.sampled_from([*_STATUSES, 503, 504, 599]),
    body=_bodies,
    retry_after=_RETRY_AFTER,
)
async def test_any_answer_is_a_result_or_a_maiu_error(
    junk, status, body, retry_after
):
    """Whatever status and body come back, nothing but MaiuError escapes."""
    headers = [] if retry_after is None else [f"Retry-After: {retry_after}"]
    junk.next = answer(f"{status} X", b"" if status == 204 else body, *headers)
    async with client_for(junk.url) as client:
        with anyio.fail_after(GUARD):
            try:
                workspace = await client.workspaces.get("scripted")
            except MaiuError:
                return

    assert isinstance(workspace, Workspace)


def test_every_request_is_bounded_by_default():
    """The default total and connect limits are finite: nothing waits forever.

    The per-read limit is off by default (aiohttp re-arms a timer on every
    chunk, a large share of a bulk job's CPU); the total limit bounds every
    request, slow-drip answers included.
    """
    limits = Timeouts()

    assert [] == [
        name
        for name in ("connect", "total")
        if (value := getattr(limits, name)) is None or not value > 0
    ]
    assert limits.read is None
