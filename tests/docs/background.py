"""
Blocks that serve until Ctrl-C: started, awaited, used, then stopped.

A ``background`` block (see ``docblocks``) runs in a session of its own.
The port it names (``--port 8080``) is replaced by ``0``, so that the
server takes a free one, and the runner waits for the line with the URL
it serves; every later block of the page then reads that host and port
where the page wrote the documented one.  After the page, the server
gets Ctrl-C (SIGINT to its group), must exit 0 without a traceback, and
is killed in any case.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess

from typing import TYPE_CHECKING

import anyio
import attrs
import pytest

from anyio.streams.buffered import BufferedByteReceiveStream


if TYPE_CHECKING:
    from pathlib import Path

    from anyio.abc import Process, TaskGroup
    from docblocks import Block


__all__ = ["Servers"]

_PORT = re.compile(r"--port[ =](?P<port>\d+)")
_URL = re.compile(rb"listening on http://(?P<host>[\w.]+):(?P<port>\d+)")
#: A guard against a server that never announces itself or never stops.
_GUARD = 120


@attrs.define
class _Server:
    where: str
    process: Process
    err: list[bytes] = attrs.Factory(list)


@attrs.define
class Servers:
    """The page's servers, and the addresses later blocks are to use."""

    tg: TaskGroup
    cwd: Path
    running: list[_Server] = attrs.Factory(list)
    #: ``host:documented-port`` -> ``host:real-port``.
    addresses: dict[str, str] = attrs.Factory(dict)

    def adapt(self, source: str) -> str:
        """*source* with every documented address replaced by the real."""
        for documented, real in self.addresses.items():
            source = source.replace(documented, real)
        return source

    async def start(self, block: Block, where: str) -> None:
        """Start *block* and return once it serves."""
        match = _PORT.search(block.source)
        if match is None:
            pytest.fail(f"{where}: a background block must name --port")
        source = _PORT.sub("--port 0", block.source)
        process = await anyio.open_process(
            ["bash", "-e", "-o", "pipefail", "-c", source],
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        server = _Server(where, process)
        self.running.append(server)
        self.tg.start_soon(_drain, process.stderr, server.err)
        out = BufferedByteReceiveStream(process.stdout)
        try:
            with anyio.fail_after(_GUARD):
                line = await out.receive_until(b"\n", 65536)
        except (anyio.IncompleteRead, anyio.EndOfStream):
            err = b"".join(server.err).decode(errors="replace")
            pytest.fail(f"{where}: the server ended before serving\n{err}")
        found = _URL.search(line)
        if found is None:
            pytest.fail(f"{where}: no URL in its first line {line!r}")
        host = found["host"].decode()
        self.addresses[f"{host}:{match['port']}"] = (
            f"{host}:{found['port'].decode()}"
        )
        self.tg.start_soon(_drain, out, [])

    async def stop(self) -> None:
        """Press Ctrl-C in each server; each must exit 0, no traceback."""
        failures = []
        for server in self.running:
            try:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(server.process.pid, signal.SIGINT)
                with anyio.fail_after(_GUARD):
                    code = await server.process.wait()
                err = b"".join(server.err).decode(errors="replace")
                if code != 0 or "Traceback (most recent" in err:
                    failures.append(f"{server.where}: exited {code}\n{err}")
            finally:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(server.process.pid, signal.SIGKILL)
                await server.process.aclose()
        if failures:
            pytest.fail("\n".join(failures))

    def kill(self) -> None:
        """Kill every server that is left (after a failure)."""
        for server in self.running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.process.pid, signal.SIGKILL)


async def _drain(stream: object, into: list[bytes]) -> None:
    with contextlib.suppress(
        anyio.ClosedResourceError, anyio.BrokenResourceError
    ):
        into.extend([chunk async for chunk in stream])  # type: ignore[attr-defined]
