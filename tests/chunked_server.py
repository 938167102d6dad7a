"""
A loopback HTTP server whose every answer is a huge chunked body.

Used by ``tests/test_answer_limits.py``, and run by hand to measure the
CLI's memory against it (``tests/RELIABILITY.md`` has the command)::

    python tests/chunked_server.py --size 20000000

It prints its URL, then answers every request, whatever its method and
path, with ``200 OK``, ``Transfer-Encoding: chunked`` and *size* bytes of
``x`` in 64 KiB chunks: no length announced, as a hostile or broken
server would send.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re

from typing import TYPE_CHECKING


if TYPE_CHECKING:
    from collections.abc import AsyncIterator


CHUNK = 64 * 1024
_LENGTH = re.compile(rb"(?im)^content-length: *([0-9]+)\r$")


class ChunkedServer:
    """
    Answers every request with *size* bytes of ``x``, or *body*, chunked.

    Attributes:
        url: ``http://127.0.0.1:<port>`` once started.
        requests: Requests received so far.
        sent: Body bytes written so far, all answers together.

    """

    def __init__(self, size: int, body: bytes | None = None) -> None:
        self.size = size if body is None else len(body)
        self.body = body
        self.url = ""
        self.requests = 0
        self.sent = 0

    async def handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Serve one connection until the client goes away."""
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = _LENGTH.search(head)
                if length is not None:
                    await reader.readexactly(int(length.group(1)))
                self.requests += 1
                await self._answer(writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _answer(self, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        whole = self.body
        piece = b"x" * CHUNK
        done = 0
        while done < self.size:
            if whole is None:
                data = piece[: min(self.size - done, CHUNK)]
            else:
                data = whole[done : done + CHUNK]
            writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            await writer.drain()
            done += len(data)
            self.sent += len(data)
        writer.write(b"0\r\n\r\n")
        await writer.drain()


@contextlib.asynccontextmanager
async def chunked_server(
    size: int = 0, port: int = 0, body: bytes | None = None
) -> AsyncIterator[ChunkedServer]:
    """Run a `ChunkedServer` on loopback while the block lasts."""
    served = ChunkedServer(size, body)
    server = await asyncio.start_server(served.handle, "127.0.0.1", port)
    served.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        yield served
    finally:
        server.close()
        await server.wait_closed()


async def _serve(size: int, port: int) -> None:
    async with chunked_server(size, port) as served:
        print(served.url, flush=True)  # noqa: T201 -- the point
        await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=20_000_000)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.size, args.port))
