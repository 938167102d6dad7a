"""
Shared helpers of the bulk engine's tests: constants, targets, policies,
and a gate that holds registrations at the server.
"""

from __future__ import annotations

import collections
import contextlib

from typing import TYPE_CHECKING, Any, Protocol

import anyio
import attrs

from aiohttp import web
from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async import RetryPolicy
from maiu_async.bulk import ReconcilePolicy
from maiu_async.emulator import Emulator, make_app


if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from aiohttp.typedefs import Handler, Middleware

    from maiu_async.emulator import EmulatorState, Stats


WORKSPACE = "bulk-ws"
BUCKET = "bulk-bucket"

#: Retries that do not slow the suite down.
FAST_RETRY = RetryPolicy(
    attempts=8, initial=0.001, maximum=0.01, max_retry_after=0.05
)
#: Enough attempts that a key meeting 25 % faults per attempt never runs
#: out of them (0.25**30 is about 1e-18).
PATIENT_RETRY = RetryPolicy(
    attempts=30, initial=0.001, maximum=0.01, max_retry_after=0.05
)
#: Reconciling without the grace delay, and with quick list retries.
FAST_RECONCILE = ReconcilePolicy(
    delay=0.0, retry=RetryPolicy(attempts=6, initial=0.001, maximum=0.01)
)


class Server(Protocol):
    """An emulator as the tests see it: its URL, state and counters."""

    @property
    def url(self) -> str: ...

    state: EmulatorState
    stats: Stats


@attrs.frozen
class Target:
    """An emulator with a workspace and a project to register into."""

    emu: Server
    workspace: str
    project_id: int
    bucket: str = BUCKET

    def assets_by_key(self) -> collections.Counter[str]:
        """How many assets the emulator holds per key."""
        return collections.Counter(
            asset.key
            for asset in self.emu.state.assets_of(
                self.workspace, self.project_id
            )
        )


def keys_for(count: int, prefix: str = "media/clip") -> list[str]:
    """*count* distinct, valid keys."""
    return [f"{prefix}-{i:06d}.mp4" for i in range(count)]


class Gate:
    """
    Holds registration requests (POSTs) at the server until `open`.

    The first *let_through* pass at once.  Held requests are processed
    when the gate opens, whether or not their client is still waiting
    (like a slow server).  Tests wait on the counters with `until`,
    never on the clock.
    """

    def __init__(self, let_through: int = 0) -> None:
        self.let_through = let_through
        self.passed = 0
        self.held = 0
        self.processed = 0
        self.late = 0
        self._opened = anyio.Event()
        self._changed = anyio.Event()

    def open(self) -> None:
        """Let every held and later request through."""
        self._opened.set()

    async def until(self, condition: Callable[[Gate], bool]) -> None:
        """Wait until *condition* holds for the gate's counters."""
        while not condition(self):
            changed = self._changed
            await changed.wait()

    def _note(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        """Count, hold or pass one request."""
        if request.method != "POST":
            return await handler(request)
        if self._opened.is_set():
            self.late += 1
        elif self.passed < self.let_through:
            self.passed += 1
        else:
            # Read the body now: it is gone if the client leaves.
            await request.read()
            self.held += 1
            self._note()
            await self._opened.wait()
        try:
            return await handler(request)
        finally:
            self.processed += 1
            self._note()


@attrs.define
class Served:
    """An emulator's app served behind a test's middleware."""

    url: str
    state: EmulatorState
    stats: Stats


@contextlib.asynccontextmanager
async def serve_emulator(
    middleware: Middleware, **knobs: Any
) -> AsyncIterator[Served]:
    """Serve an emulator with *middleware* in front of everything else."""
    emu = Emulator(access_key=ACCESS_KEY, secret_key=SECRET_KEY, **knobs)
    app = make_app(emu.config, state=emu.state, stats=emu.stats)
    app.middlewares.insert(0, middleware)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        yield Served(f"http://127.0.0.1:{site.port}", emu.state, emu.stats)
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def gated_emulator(gate: Gate, **knobs: Any) -> AsyncIterator[Served]:
    """Serve an emulator behind *gate*."""
    async with serve_emulator(gate.middleware, **knobs) as served:
        try:
            yield served
        finally:
            gate.open()  # nothing stays held past the test
