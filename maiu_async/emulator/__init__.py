"""
A faithful local emulator of the Media Intelligence API.

A real `aiohttp.web` server over loopback: it verifies signatures on the
raw request target, enforces the documented limits (`maiu_async.limits`)
and answers with the error codes of `maiu_async._errorcodes`, in the
wire shapes of the API pages.
Knobs add latency, a server-side rate limit and seeded faults.

Run it in-process::

    async with Emulator(access_key="K", secret_key="S") as emu:
        ...  # emu.url, emu.state, emu.stats

or as ``python -m maiu_async.emulator --port 0``.
"""

from __future__ import annotations

from ._app import make_app
from ._config import (
    EmulatorConfig,
    ErrorBodyStyle,
    Faults,
    ObjectStorageCheck,
)
from ._server import Emulator, run
from ._state import EmulatorState
from ._stats import Stats


__all__ = [
    "Emulator",
    "EmulatorConfig",
    "EmulatorState",
    "ErrorBodyStyle",
    "Faults",
    "ObjectStorageCheck",
    "Stats",
    "make_app",
    "run",
]

# Tracebacks and reprs show maiu_async.emulator.Emulator, not the
# private module it lives in.
for _obj in (
    Emulator,
    EmulatorConfig,
    EmulatorState,
    Faults,
    ObjectStorageCheck,
    Stats,
):
    _obj.__module__ = __name__
for _func in (make_app, run):
    _func.__module__ = __name__
del _obj, _func
