"""The Emulator context manager, make_app and run."""

from __future__ import annotations

import anyio
import pytest

from aiohttp import web

from maiu_async.emulator import (
    Emulator,
    EmulatorConfig,
    EmulatorState,
    make_app,
    run,
)
from maiu_async.emulator._config import CONFIG
from maiu_async.emulator._state import STATE
from maiu_async.exceptions import UsageError


@pytest.mark.anyio
async def test_binds_loopback_on_a_free_port(credentials):
    """By default the emulator listens on 127.0.0.1 at a free port."""
    async with Emulator(
        access_key=credentials.access_key, secret_key=credentials.secret_key
    ) as emu:
        host, _, port = emu.url.removeprefix("http://").rpartition(":")

        assert "127.0.0.1" == host
        assert 0 < int(port)


def test_config_or_credentials():
    """An Emulator takes a config or credentials with knobs, not both."""
    config = EmulatorConfig(access_key="K", secret_key="S")

    with pytest.raises(UsageError):
        Emulator()
    with pytest.raises(UsageError):
        Emulator(access_key="K")
    with pytest.raises(UsageError):
        Emulator(config, latency=1.0)
    assert config is Emulator(config).config


@pytest.mark.anyio
async def test_lifecycle():
    """The URL exists only while running, and an emulator starts once."""
    emu = Emulator(access_key="K", secret_key="S")
    with pytest.raises(UsageError):
        _ = emu.url

    async with emu:
        assert emu.url.startswith("http://127.0.0.1:")

    with pytest.raises(UsageError):
        _ = emu.url
    with pytest.raises(UsageError):
        await emu.__aenter__()


@pytest.mark.anyio
async def test_state_can_be_seeded_before_start(credentials, api_for):
    """State seeded before the server starts is served."""
    emu = Emulator(
        access_key=credentials.access_key, secret_key=credentials.secret_key
    )
    emu.state.add_workspace("ws-early")

    async with emu:
        reply = await api_for(emu).get("/api/v1/workspaces/ws-early")

    assert 200 == reply.status


def test_repr_hides_the_secret():
    """Neither the emulator nor its state show the secret."""
    emu = Emulator(access_key="K", secret_key="TOP-SECRET-VALUE")

    assert "TOP-SECRET-VALUE" not in repr(emu) + repr(emu.config)


def test_make_app_stores_typed_state():
    """make_app keeps config and state under typed keys."""
    config = EmulatorConfig(access_key="K", secret_key="S", max_workspaces=3)
    state = EmulatorState()

    app = make_app(config, state=state)

    assert isinstance(app, web.Application)
    assert (config, state) == (app[CONFIG], app[STATE])
    assert 3 == make_app(config)[STATE].max_workspaces


@pytest.mark.anyio
async def test_run_serves_until_cancelled(credentials, api_for):
    """run() announces its URL, serves, and stops when cancelled."""
    config = EmulatorConfig(
        access_key=credentials.access_key, secret_key=credentials.secret_key
    )
    urls: list[str] = []
    ready = anyio.Event()

    def announce(url: str) -> None:
        urls.append(url)
        ready.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(lambda: run(config, port=0, ready=announce))
        await ready.wait()
        reply = await api_for(urls[0]).get("/api/v1/workspaces?pageNum=1")
        tg.cancel_scope.cancel()

    assert 200 == reply.status


@pytest.mark.anyio
async def test_stopping_closes_connections_aiohttp_left_open(
    credentials, monkeypatch
):
    """
    A connection aiohttp's shutdown does not close is closed all the same.

    A connection accepted as the site stops registers after aiohttp took
    its list of connections to close, and stayed open until collected
    (a ResourceWarning, seen once in about 1,400 examples of
    test_exactly_once_machine).  Here aiohttp's shutdown closes nothing,
    standing in for that race: the emulator still closes the connection.
    """

    async def forget(self: web.Server, *_: object) -> None:
        self._connections.clear()

    monkeypatch.setattr(web.Server, "pre_shutdown", lambda *_: None)
    monkeypatch.setattr(web.Server, "shutdown", forget)
    async with Emulator(
        access_key=credentials.access_key, secret_key=credentials.secret_key
    ) as emu:
        host, _, port = emu.url.removeprefix("http://").rpartition(":")
        stream = await anyio.connect_tcp(host, int(port))
        # One exchange, so that the server holds the connection open.
        await stream.send(b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = await stream.receive()
        assert answer.startswith(b"HTTP/1.1 ")
    # A guard against a hang, not an expectation: without the emulator's
    # own closing, the server side never closes and this waits forever.
    with anyio.fail_after(30):
        try:
            while await stream.receive():
                pass
        except (anyio.EndOfStream, anyio.BrokenResourceError):
            pass
    await stream.aclose()
