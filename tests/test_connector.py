"""
The connector: every connection reads at most 64 KiB at a time.

asyncio's default, 256 KiB per read, lands above glibc's mmap threshold
and can cost each small answer four system calls (``_connector``).  A
real server on loopback sends an answer larger than both sizes, in the
clear and over TLS; it must arrive whole, read in chunks no larger than
`READ_SIZE`, through a connection set to read that much.
"""

from __future__ import annotations

import json
import ssl

from typing import TYPE_CHECKING

import pytest

from aiohttp import web
from aiohttp.client_proto import ResponseHandler

from maiu_async import AiohttpTransport
from maiu_async._connector import READ_SIZE, read_small


if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path


pytestmark = pytest.mark.anyio

#: An answer of about 300 KB: more than asyncio's 256 KiB read, and
#: under the transport's cap on a GET's answer.
BIG = json.dumps(
    {"code": "0", "result": {"content": ["x" * 1000] * 300}}
).encode()


@pytest.fixture(name="reads")
def _reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Each read of a plain socket: the size asked (allocated), the got."""
    seen: list[tuple[int, int]] = []
    received = ResponseHandler.data_received

    def spy(self: ResponseHandler, data: bytes) -> None:
        seen.append((self.transport.max_size, len(data)))  # type: ignore[union-attr]
        received(self, data)

    monkeypatch.setattr(ResponseHandler, "data_received", spy)
    return seen


@pytest.fixture(name="tls_reads")
def _tls_reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The client's TLS reads that got data: size asked (allocated), got."""
    asked: list[tuple[int, int]] = []
    read = ssl.SSLObject.read

    def spy(
        self: ssl.SSLObject, size: int = 1024, buffer: None = None
    ) -> bytes:
        data = read(self, size, buffer)  # raises when nothing is ready
        if not self.server_side:  # the server's reads are not ours
            asked.append((size, len(data)))
        return data

    monkeypatch.setattr(ssl.SSLObject, "read", spy)
    return asked


async def _serve(ssl_context: ssl.SSLContext | None) -> AsyncIterator[str]:
    async def big(request: web.Request) -> web.Response:
        return web.Response(body=BIG, content_type="application/json")

    app = web.Application()
    app.router.add_get("/big", big)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
        await site.start()
        scheme = "http" if ssl_context is None else "https"
        yield f"{scheme}://127.0.0.1:{site.port}/big"
    finally:
        await runner.cleanup()


async def _fetch(url: str, *, verify_tls: bool = True) -> bytes:
    transport = AiohttpTransport(verify_tls=verify_tls)
    await transport.open()
    try:
        answer = await transport.send("GET", url, {}, None)
    finally:
        await transport.close()
    return answer.body


@pytest.fixture(name="http")
async def _http() -> AsyncIterator[str]:
    async for url in _serve(None):
        yield url


@pytest.fixture(name="https")
async def _https(certificate: tuple[Path, Path]) -> AsyncIterator[str]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    async for url in _serve(context):
        yield url


async def test_plain_connection_reads_small_chunks(http, reads):
    """In the clear: the socket is read 64 KiB at a time, all arrives."""
    body = await _fetch(http)

    assert body == BIG
    assert {READ_SIZE} == {asked for asked, _ in reads}
    assert max(got for _, got in reads) <= READ_SIZE
    assert sum(got for _, got in reads) > len(BIG)  # every read seen


async def test_tls_connection_reads_small_chunks(https, tls_reads):
    """Over TLS: the decrypted stream is read 64 KiB at a time."""
    with pytest.warns(match="verification is off"):
        body = await _fetch(https, verify_tls=False)

    assert body == BIG
    assert {READ_SIZE} == {asked for asked, _ in tls_reads}
    assert sum(got for _, got in tls_reads) > len(BIG)  # every read seen


class _Fixed:
    # A transport without the setting (as uvloop's): left alone.
    __slots__ = ()


class _Small:
    max_size = 4096


def test_read_small_leaves_alone_what_it_cannot_or_need_not_change() -> None:
    """No setting: nothing happens; a smaller read size is kept."""
    small = _Small()
    read_small(_Fixed())  # type: ignore[arg-type]
    read_small(small)  # type: ignore[arg-type]

    assert 4096 == small.max_size
