"""
The one home of the suite's shared fixtures and settings.

- ``anyio_backend``: aiohttp is asyncio-only, so the
  backend is pinned.
- ``emu``: an in-process emulator; ``client``: a client talking to it.
- ``certificate``: a self-signed certificate for 127.0.0.1 and its key,
  for loopback HTTPS servers.
  Both use the suite's credentials from ``testkeys`` (a module with a
  unique name, so ``from testkeys import ...`` works from every folder).
- hypothesis profiles: ``fast`` by default, ``HYPOTHESIS_PROFILE=thorough``
  for more examples.

Folders add only fixtures of their own area; they do not redefine these.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess

from typing import TYPE_CHECKING

import pytest

from hypothesis import HealthCheck, settings
from testkeys import ACCESS_KEY, SECRET_KEY


if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from maiu_async import MaiuClient
    from maiu_async.emulator import Emulator


#: No wall-clock limits: ``deadline`` and the ``too_slow`` health check
#: time each example and its generation, which a loaded machine slows
#: down; function-scoped fixtures (an emulator per test) are meant to be
#: shared by the examples.
_UNTIMED = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
    ],
}
# A suite started in the background of a non-interactive shell inherits
# SIGINT ignored, and so would every process it starts: the tests that
# press Ctrl-C in a child would then wait for nothing.  A Python handler
# here becomes the default again in each child the tests start.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

settings.register_profile("fast", max_examples=60, **_UNTIMED)
settings.register_profile("thorough", max_examples=1000, **_UNTIMED)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))


@pytest.fixture(name="anyio_backend", scope="session")
def _anyio_backend() -> str:
    """Run every async test on asyncio."""
    return "asyncio"


@pytest.fixture(name="emu")
async def _emu() -> AsyncIterator[Emulator]:
    """An emulator on loopback, without faults, closed after the test."""
    from maiu_async.emulator import Emulator  # noqa: PLC0415

    async with Emulator(access_key=ACCESS_KEY, secret_key=SECRET_KEY) as emu:
        yield emu


@pytest.fixture(name="client")
async def _client(emu: Emulator) -> AsyncIterator[MaiuClient]:
    """An open client of ``emu``, closed after the test."""
    from maiu_async import MaiuClient  # noqa: PLC0415

    async with MaiuClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=emu.url
    ) as client:
        yield client


@pytest.fixture(name="certificate", scope="session")
def _certificate(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key (openssl)."""
    if shutil.which("openssl") is None:  # pragma: no cover -- CI has it
        pytest.fail("openssl is needed to make a certificate")
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-nodes", "-days", "1"),
            *("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-keyout", str(key), "-out", str(cert)),
            *("-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
        timeout=120,  # kills and reaps openssl if it hangs
    )
    return cert, key
