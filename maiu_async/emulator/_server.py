"""
Serving the app: the `Emulator` context manager and `run`.

Strictly private; the names are re-exported by ``maiu_async.emulator``.
"""

from __future__ import annotations

import asyncio
import enum

from typing import TYPE_CHECKING, Self, Unpack

import anyio

from aiohttp import web

from maiu_async.exceptions import UsageError

from ._app import make_app, state_for
from ._config import EmulatorConfig, Knobs
from ._stats import Stats


if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from aiohttp.web_protocol import RequestHandler

    from ._state import EmulatorState


__all__ = ["Emulator", "run"]

# In-flight requests get this long to finish when the emulator stops.
_SHUTDOWN_TIMEOUT = 5.0


class _Lifecycle(enum.Enum):
    UNOPENED = enum.auto()
    OPENED = enum.auto()
    CLOSED = enum.auto()


class Emulator:
    """
    A local Media Intelligence API server, for use as ``async with``.

    Pass either a ready `EmulatorConfig` or the credentials plus knobs as
    keyword arguments::

        async with Emulator(access_key="K", secret_key="S") as emu:
            ...  # talk to emu.url

    State and counters exist from construction on, so tests may seed
    them before the server starts.

    Args:
        config: The whole configuration.
        access_key: The access key to accept (without *config*).
        secret_key: Its secret key (without *config*).
        host: The address to bind; loopback by default.
        port: The port to bind; 0 picks a free one.
        **knobs: Any other `EmulatorConfig` field (without *config*).

    Raises:
        UsageError: Both or neither of *config* and the credentials.

    Attributes:
        config: The configuration in force.
        state: The in-memory state, with seeding helpers.
        stats: The live counters.

    """

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        access_key: str | None = None,
        secret_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        **knobs: Unpack[Knobs],
    ) -> None:
        if config is None:
            if access_key is None or secret_key is None:
                raise UsageError(
                    "Emulator needs a config or access_key and secret_key"
                )
            config = EmulatorConfig(
                access_key=access_key, secret_key=secret_key, **knobs
            )
        elif access_key is not None or secret_key is not None or knobs:
            raise UsageError(
                "pass either config or credentials and knobs, not both"
            )
        self.config = config
        self.state: EmulatorState = state_for(config)
        self.stats = Stats()
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._open: dict[RequestHandler, asyncio.Transport] = {}
        self._url: str | None = None
        self._lifecycle = _Lifecycle.UNOPENED

    def __repr__(self) -> str:
        where = self._url or f"{self._host}:{self._port}"
        return f"<Emulator {where} {self._lifecycle.name.lower()}>"

    @property
    def url(self) -> str:
        """
        ``http://HOST:PORT``, once started.

        Raises:
            UsageError: The emulator is not running.

        """
        if self._url is None or self._lifecycle is not _Lifecycle.OPENED:
            raise UsageError("the emulator is not running")
        return self._url

    async def __aenter__(self) -> Self:
        if self._lifecycle is not _Lifecycle.UNOPENED:
            raise UsageError("an Emulator can be started only once")
        self._lifecycle = _Lifecycle.OPENED
        app = make_app(self.config, state=self.state, stats=self.stats)
        runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=_SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        self._open = _track_connections(runner)
        try:
            site = web.TCPSite(runner, self._host, self._port)
            await site.start()
        except BaseException:
            self._lifecycle = _Lifecycle.CLOSED
            await runner.cleanup()
            raise
        self._runner = runner
        host = f"[{self._host}]" if ":" in self._host else self._host
        self._url = f"http://{host}:{site.port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._lifecycle = _Lifecycle.CLOSED
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
            # A connection accepted as the site stopped registers after
            # aiohttp took its list of connections to close, and stayed
            # open (a ResourceWarning once collected): closed here, and
            # its socket on the next pass of the loop.
            for transport in list(self._open.values()):
                transport.abort()
            self._open.clear()
            await asyncio.sleep(0)


def _track_connections(
    runner: web.AppRunner,
) -> dict[RequestHandler, asyncio.Transport]:
    # The transport of each open connection of *runner*'s server, by its
    # handler, kept up to date.
    server = runner.server
    if server is None:  # pragma: no cover -- after a successful setup
        return {}
    open_: dict[RequestHandler, asyncio.Transport] = {}
    made, lost = server.connection_made, server.connection_lost

    def connection_made(
        handler: RequestHandler, transport: asyncio.Transport
    ) -> None:
        open_[handler] = transport
        made(handler, transport)

    def connection_lost(
        handler: RequestHandler, exc: BaseException | None = None
    ) -> None:
        open_.pop(handler, None)
        lost(handler, exc)

    server.connection_made = connection_made  # type: ignore[method-assign]
    server.connection_lost = connection_lost  # type: ignore[method-assign]
    return open_


async def run(
    config: EmulatorConfig,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    ready: Callable[[str], object] | None = None,
) -> None:
    """
    Serve the emulator until cancelled.

    Args:
        config: Credentials and knobs.
        host: The address to bind; loopback by default.
        port: The port to bind; 0 picks a free one.
        ready: Called with the URL once the server listens.

    """
    async with Emulator(config, host=host, port=port) as emu:
        if ready is not None:
            ready(emu.url)
        await anyio.sleep_forever()
