"""Latency, the server-side rate limit and injected faults."""

from __future__ import annotations

import logging
import time

import aiohttp
import pytest

from maiu_async.emulator import Faults


pytestmark = pytest.mark.anyio

PROJECTS = "/api/v1/workspaces/ws-test/projects"
LIST = "/api/v1/workspaces?pageNum=1"


async def start(launch, api_for, **knobs):
    emu = await launch(**knobs)
    emu.state.add_workspace("ws-test")
    return emu, api_for(emu)


def user_projects(emu) -> list[str]:
    projects = emu.state.workspace("ws-test").projects.values()
    return [p.name for p in projects if not p.is_base_project]


def noisy(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= 30]


async def test_reset_drops_before_processing(launch, api_for, caplog):
    """A reset breaks the connection, changes nothing, and logs nothing."""
    emu, api = await start(launch, api_for, faults=Faults(reset=1.0))

    with (
        caplog.at_level(logging.DEBUG),
        pytest.raises(aiohttp.ClientConnectionError),
    ):
        await api.post(PROJECTS, {"name": "never"})

    assert [] == user_projects(emu)
    assert (1, 0) == (emu.stats.faults["reset"], emu.stats.projects_created)
    assert [] == noisy(caplog)


async def test_lost_response_processes_then_drops(launch, api_for, caplog):
    """A lost response breaks the connection after the change is made."""
    emu, api = await start(launch, api_for, faults=Faults(lost_response=1.0))

    with (
        caplog.at_level(logging.DEBUG),
        pytest.raises(aiohttp.ClientConnectionError),
    ):
        await api.post(PROJECTS, {"name": "made-anyway"})

    assert ["made-anyway"] == user_projects(emu)
    assert (1, 1) == (
        emu.stats.faults["lost_response"],
        emu.stats.projects_created,
    )
    assert [] == noisy(caplog)


async def test_aiohttp_retries_idempotent_requests_once(launch, api_for):
    """aiohttp's client silently resends a GET once after a dropped answer."""
    emu, api = await start(launch, api_for, faults=Faults(reset=1.0))

    with pytest.raises(aiohttp.ClientConnectionError):
        await api.get(LIST)

    assert 2 == emu.stats.requests


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        pytest.param("error_500", 500, "900", id="500"),
        pytest.param("error_502", 502, "500", id="502"),
        pytest.param("error_503", 503, "500", id="503"),
    ],
)
async def test_server_errors(launch, api_for, kind, status, code):
    """Injected 5xx answers carry gateway bodies and change nothing."""
    emu, api = await start(launch, api_for, faults=Faults(**{kind: 1.0}))

    reply = await api.post(PROJECTS, {"name": "never"})

    assert (status, code) == (reply.status, reply.body["error"]["errorCode"])
    assert [] == user_projects(emu)
    assert 1 == emu.stats.faults[kind]


@pytest.mark.parametrize(
    ("retry_after", "header"),
    [
        pytest.param(0.5, "0.5", id="fractional"),
        pytest.param(3, "3", id="whole"),
        pytest.param(None, None, id="none"),
    ],
)
async def test_injected_rate_limit(launch, api_for, retry_after, header):
    """An injected 429 is gateway code 420, with Retry-After if set."""
    faults = Faults(rate_limited=1.0, retry_after=retry_after)
    emu, api = await start(launch, api_for, faults=faults)

    reply = await api.post(PROJECTS, {"name": "never"})

    assert (429, "420") == (reply.status, reply.body["error"]["errorCode"])
    assert header == reply.headers.get("Retry-After")
    assert [] == user_projects(emu)
    assert (1, 1) == (emu.stats.rate_limited, emu.stats.faults["rate_limited"])


async def test_rate_limiter(launch, api_for):
    """Past the bucket's burst, requests get 429 with the configured header."""
    emu, api = await start(
        launch, api_for, rate_limit=1.0, rate_limit_retry_after=0.5
    )

    first = await api.get(LIST)
    second = await api.get(LIST)

    assert 200 == first.status
    assert (429, "420") == (second.status, second.body["error"]["errorCode"])
    assert "0.5" == second.headers["Retry-After"]
    assert 1 == emu.stats.rate_limited


async def test_rate_limiter_burst(launch, api_for):
    """The burst admits that many requests at once."""
    emu, api = await start(launch, api_for, rate_limit=0.1, rate_limit_burst=3)

    statuses = [(await api.get(LIST)).status for _ in range(4)]

    assert [200, 200, 200, 429] == statuses
    assert "Retry-After" not in (await api.get(LIST)).headers
    assert 2 == emu.stats.rate_limited


async def test_latency(launch, api_for):
    """Each API request takes at least the configured latency."""
    _, api = await start(launch, api_for, latency=0.05, jitter=0.01)

    started = time.monotonic()
    await api.get(LIST)
    elapsed = time.monotonic() - started

    assert elapsed >= 0.05


async def test_seed_repeats_the_faults(launch, api_for):
    """Two emulators with the same seed inject the same faults in order."""
    runs = []
    for _ in range(2):
        _, api = await start(
            launch, api_for, faults=Faults(error_500=0.5), seed=42
        )
        runs.append([(await api.get(LIST)).status for _ in range(12)])

    assert runs[0] == runs[1]
    assert {200, 500} == set(runs[0])


async def test_admin_routes_have_no_faults(launch, api_for):
    """Faults and latency apply to /api/v1 only."""
    _, api = await start(launch, api_for, faults=Faults(error_500=1.0))

    reply = await api.get("/_emulator/stats", sign=False)

    assert 200 == reply.status
