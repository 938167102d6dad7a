"""
The connection pool's connector: aiohttp's, reading 64 KiB at a time.

asyncio reads a plain socket 256 KiB at a time (``sock.recv(max_size)``),
and a TLS connection's decrypted data the same way
(``SSLObject.read(max_size)``): each read allocates a buffer of that size
and shrinks it to what arrived.  That size is above glibc's mmap
threshold (128 KiB), so whether the buffer comes from the heap or from a
fresh mapping depends on what the process allocated and freed before: a
process can land in the second regime for its whole life, and then every
read of a 300-byte answer costs four system calls (mmap, recvfrom,
mremap, munmap) and a page fault: about 20 µs against 4 µs
(``benchmarks/reads.py``; CPython issue 85451 reports the same).  Reads
of 64 KiB stay on the heap whatever the history; an answer larger than
that takes more reads, each of them cheap.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import aiohttp


if TYPE_CHECKING:
    import asyncio

    from aiohttp.client_proto import ResponseHandler


__all__ = ["READ_SIZE", "Connector", "read_small"]

#: The most a connection reads at a time: under glibc's mmap threshold.
READ_SIZE: Final = 64 * 1024


def read_small(transport: asyncio.BaseTransport) -> None:
    """
    Make *transport* read at most `READ_SIZE` bytes at a time.

    A TLS transport's reads are its protocol's.  Transports without the
    setting (uvloop's read into a buffer of their own) are left alone.
    """
    reader: Any = getattr(transport, "_ssl_protocol", transport)
    if getattr(reader, "max_size", 0) > READ_SIZE:
        reader.max_size = READ_SIZE


class Connector(aiohttp.TCPConnector):
    """
    aiohttp's TCP connector, each new connection reading small chunks.

    The hook is the step in which aiohttp opens a connection, a private
    method: should a release stop calling it, connections read asyncio's
    default again, and ``tests/test_connector.py`` fails.

    Strictly private.
    """

    async def _wrap_create_connection(
        self,
        *args: Any,  # noqa: ANN401 -- passed through as aiohttp takes them
        **kwargs: Any,  # noqa: ANN401
    ) -> tuple[asyncio.Transport, ResponseHandler]:
        transport, protocol = await super()._wrap_create_connection(
            *args, **kwargs
        )
        read_small(transport)
        return transport, protocol
