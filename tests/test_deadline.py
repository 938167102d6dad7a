"""
The total time limit: one timer for every request in flight.

`Deadlines` is driven by hand here (a loop clock that moves only when
told to, and the timer's callback called directly); the transport's
tests at the end use a real server that never answers.
"""

from __future__ import annotations

import asyncio
import contextlib

from typing import TYPE_CHECKING

import anyio
import pytest

from aiohttp import web

from maiu_async import AiohttpTransport, Timeouts
from maiu_async._deadline import Deadline, Deadlines
from maiu_async.exceptions import RequestTimeout


if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable


pytestmark = pytest.mark.anyio

#: A guard against a hang, not an expectation.
HANG_GUARD = 30


class Clock:
    """A loop clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(name="clock")
async def _clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(asyncio.get_running_loop(), "time", clock)
    return clock


async def _request(
    deadlines: Deadlines, started: asyncio.Event, said: list[bool]
) -> None:
    # A request that never ends by itself; *said* gets what
    # `expired_here` says when it is cancelled.
    deadline = deadlines.start()
    assert isinstance(deadline, Deadline)
    try:
        started.set()
        await asyncio.Event().wait()
    except asyncio.CancelledError:
        said.append(deadline.expired_here())
        if not said[-1]:
            raise
    finally:
        deadline.finish()


async def _started(deadlines: Deadlines, said: list[bool]) -> asyncio.Task:
    started = asyncio.Event()
    task = asyncio.create_task(_request(deadlines, started, said))
    await started.wait()
    return task


async def test_only_the_late_are_cancelled_and_the_timer_moves_on(clock):
    """Past its deadline a request is cancelled; the next one is not."""
    deadlines = Deadlines(60.0)
    said: list[bool] = []
    first = await _started(deadlines, said)
    clock.now += 30
    second = await _started(deadlines, said)
    clock.now += 31  # the first is 61 s old, the second 31 s

    deadlines._fire()  # what the loop timer calls
    await first

    assert [True] == said  # a timeout for the first, nothing for the second
    assert not second.done()
    assert deadlines._handle is not None
    assert 1000.0 + 30 + 60 == deadlines._handle.when()
    second.cancel()
    with pytest.raises(asyncio.CancelledError):
        await second
    assert [True, False] == said
    deadlines.close()


async def test_a_request_that_ended_is_never_cancelled(clock):
    """The timer finds no request that has finished."""
    deadlines = Deadlines(60.0)
    said: list[bool] = []
    task = await _started(deadlines, said)
    task.cancel()  # ends it from outside, before its deadline
    with pytest.raises(asyncio.CancelledError):
        await task
    clock.now += 120

    deadlines._fire()

    assert [False] == said
    assert deadlines._handle is None  # nothing left to watch


async def test_a_cancellation_from_outside_is_not_taken_for_a_timeout(clock):
    """Late and cancelled from outside at once: the cancellation wins."""
    deadlines = Deadlines(60.0)
    said: list[bool] = []
    task = await _started(deadlines, said)
    clock.now += 61

    deadlines._fire()
    task.cancel()  # before the task ran again

    with pytest.raises(asyncio.CancelledError):
        await task
    assert [False] == said


@contextlib.asynccontextmanager
async def _silent(
    total: float, arrived: asyncio.Event
) -> AsyncIterator[Callable[[], Awaitable[object]]]:
    """
    A server that never answers, and a transport limited to *total* s.

    Yields a function sending one request to it; *arrived* is set when
    the server has the request.
    """

    async def hold(request: web.Request) -> web.Response:
        arrived.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")  # pragma: no cover

    app = web.Application()
    app.router.add_post("/slow", hold)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    transport = AiohttpTransport(timeouts=Timeouts(total=total))
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        await transport.open()
        url = f"http://127.0.0.1:{site.port}/slow"
        yield lambda: transport.send("POST", url, {}, b"{}")
    finally:
        await transport.close()
        await runner.cleanup()


async def test_the_transport_times_a_silent_server_out():
    """A request past `Timeouts.total` raises `RequestTimeout`."""
    async with _silent(0.2, asyncio.Event()) as send:
        with anyio.fail_after(HANG_GUARD):
            with pytest.raises(RequestTimeout) as info:
                await send()
            # The task is not left with a cancellation pending.
            await asyncio.sleep(0)
    assert info.value.request_sent is True
    task = asyncio.current_task()
    assert task is not None
    assert 0 == task.cancelling()


async def test_the_transport_lets_an_outside_cancellation_through():
    """A request cancelled from outside is cancelled, not timed out."""
    arrived = asyncio.Event()
    async with _silent(HANG_GUARD * 10, arrived) as send:
        with anyio.fail_after(HANG_GUARD):
            with anyio.CancelScope() as scope:
                async with anyio.create_task_group() as tg:

                    async def cancel_when_arrived() -> None:
                        await arrived.wait()
                        scope.cancel()

                    tg.start_soon(cancel_when_arrived)
                    await send()
    assert scope.cancelled_caught
