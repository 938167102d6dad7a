"""
A minimal fast HTTP/1.1 server answering the register-asset response.

An asyncio protocol (uvloop when installed), keep-alive, pipelining-safe,
no signature checks: it exists to measure the client, so it must never
be the bottleneck.  Its only routing is by method: a POST gets the
register answer; a GET gets what a job reads before its first key (the
project for the preflight, an empty page of assets for the watermark),
as the API would answer them, so that a job starts as it does against
the service.  Run it in its own process:

    python benchmarks/fast_server.py --port 0 [--latency SECONDS]

With ``--latency`` every answer is sent that many seconds after its
request arrived (a latency-bound server that costs no CPU).  With
``--rate-limit R`` it accepts R requests per second (a token bucket
holding R/10) and answers the rest 429, gateway code 420, with no
``Retry-After``: the real gateway's behaviour as far as it is known.

It prints ``listening on http://127.0.0.1:PORT`` and serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time

from maiu_async._connector import read_small


HEAD = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n"
)
BODY = (
    b'{"code":"0","message":"success","result":{"assetId":%d,'
    b'"createUserName":"bench","createdTime":"2025-04-23T16:49:23.885456721",'
    b'"updateUserName":"bench","updatedTime":"2025-04-23T16:49:23.885456721"}}'
)

PROJECT_BODY = (
    b'{"code":"0","message":"success","result":{"projectId":1,'
    b'"name":"bench","isBaseProject":false,"createdUserName":"bench",'
    b'"createdTime":"2025-04-23T16:49:23.885456721",'
    b'"updatedUserName":"bench","updatedTime":"2025-04-23T16:49:23.885456721"}}'
)
EMPTY_PAGE_BODY = (
    b'{"code":"0","message":"success","result":{"content":[],'
    b'"totalCount":0,"totalPage":0,"pageNo":1,"pageSize":1000}}'
)


LIMITED = (
    b"HTTP/1.1 429 Too Many Requests\r\n"
    b"Content-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n"
)
LIMITED_BODY = (
    b'{"error":{"errorCode":"420","message":"Rate Limited",'
    b'"details":"Too many requests"}}'
)


class Bucket:
    """A token bucket: *rate* a second, holding *rate* / 10."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.burst = max(1.0, rate / 10)
        self.tokens = self.burst
        self.last = time.monotonic()

    def take(self) -> bool:
        """Take a token if there is one."""
        now = time.monotonic()
        self.tokens = min(
            self.burst, self.tokens + (now - self.last) * self.rate
        )
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Protocol(asyncio.Protocol):
    """Parse requests by Content-Length and answer each at once."""

    counter = 0
    latency = 0.0
    bucket: Bucket | None = None

    def __init__(self) -> None:
        self.buf = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport):  # type: ignore[no-untyped-def]
        self.transport = transport
        # Small reads, as the SDK's connections read: asyncio's 256 KiB
        # buffer can cost a fresh mapping per read, and this server must
        # stay fast.
        read_small(transport)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        out = []
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                break
            head = self.buf[:end]
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
                    break
            total = end + 4 + length
            if len(self.buf) < total:
                break
            self.buf = self.buf[total:]
            if Protocol.bucket is not None and not Protocol.bucket.take():
                out.append(LIMITED % len(LIMITED_BODY) + LIMITED_BODY)
                continue
            if head.startswith(b"GET "):
                path = head[4 : head.find(b" ", 4)]
                body = EMPTY_PAGE_BODY if b"/assets" in path else PROJECT_BODY
            else:
                Protocol.counter += 1
                body = BODY % Protocol.counter
            out.append(HEAD % len(body) + body)
        if out and self.transport is not None:
            if Protocol.latency:
                asyncio.get_running_loop().call_later(
                    Protocol.latency, self._write, b"".join(out)
                )
            else:
                self.transport.write(b"".join(out))

    def _write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)


async def serve(host: str, port: int) -> None:
    """Serve forever, printing the URL once bound."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Protocol, host, port, backlog=1024)
    bound = server.sockets[0].getsockname()[1]
    sys.stdout.write(f"listening on http://{host}:{bound}\n")
    sys.stdout.flush()
    async with server:
        await server.serve_forever()


def main() -> None:
    """Parse arguments and serve."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--rate-limit", type=float, default=None)
    args = parser.parse_args()
    Protocol.latency = args.latency
    if args.rate_limit is not None:
        Protocol.bucket = Bucket(args.rate_limit)
    try:
        import uvloop  # noqa: PLC0415

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    with contextlib.suppress(KeyboardInterrupt):
        runner(serve(args.host, args.port))


if __name__ == "__main__":
    main()
