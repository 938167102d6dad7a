"""Fixtures for the emulator's tests: running emulators and signed HTTP."""

from __future__ import annotations

import contextlib
import json

from typing import Any

import aiohttp
import attrs
import pytest
import yarl

from testkeys import ACCESS_KEY, SECRET_KEY

from maiu_async._credentials import Credentials
from maiu_async._signing import Signer
from maiu_async.emulator import Emulator


@attrs.frozen
class Reply:
    """What one HTTP exchange returned."""

    status: int
    body: Any
    headers: dict[str, str]


@attrs.define
class Api:
    """Sends signed requests to one emulator, byte for byte as given."""

    session: aiohttp.ClientSession
    base_url: str
    signer: Signer = attrs.Factory(
        lambda: Signer(Credentials(ACCESS_KEY, SECRET_KEY))
    )

    async def request(
        self,
        method: str,
        target: str,
        *,
        json_body: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        sign: bool = True,
    ) -> Reply:
        """Send *target* (path and query, already encoded) as it is."""
        sent = self.signer.headers(method, target) if sign else {}
        sent.update(headers or {})
        if json_body is not None:
            data = json.dumps(json_body).encode()
        url = yarl.URL(self.base_url + target, encoded=True)
        async with self.session.request(
            method, url, headers=sent, data=data
        ) as response:
            text = await response.text()
            body = json.loads(text) if text else None
            return Reply(response.status, body, dict(response.headers))

    async def get(self, target: str, **kw: Any) -> Reply:
        """GET *target*."""
        return await self.request("GET", target, **kw)

    async def post(self, target: str, body: Any = None, **kw: Any) -> Reply:
        """POST a JSON *body* to *target*."""
        return await self.request("POST", target, json_body=body, **kw)

    async def patch(self, target: str, body: Any = None, **kw: Any) -> Reply:
        """PATCH *target*, with an optional JSON *body*."""
        return await self.request("PATCH", target, json_body=body, **kw)

    async def delete(self, target: str, **kw: Any) -> Reply:
        """DELETE *target*."""
        return await self.request("DELETE", target, **kw)


@pytest.fixture(name="anyio_backend")
def _anyio_backend():
    return "asyncio"


@pytest.fixture(name="credentials")
def _credentials():
    """The credentials every emulator in these tests accepts."""
    return Credentials(ACCESS_KEY, SECRET_KEY)


@pytest.fixture(name="launch")
async def _launch():
    async with contextlib.AsyncExitStack() as stack:

        async def launch(**knobs: Any) -> Emulator:
            emulator = Emulator(
                access_key=ACCESS_KEY, secret_key=SECRET_KEY, **knobs
            )
            return await stack.enter_async_context(emulator)

        yield launch


@pytest.fixture(name="emu")
async def _emu(launch):
    return await launch()


@pytest.fixture(name="session")
async def _session():
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture(name="api_for")
def _api_for(session):
    def api_for(target: Emulator | str) -> Api:
        url = target if isinstance(target, str) else target.url
        return Api(session, url)

    return api_for


@pytest.fixture(name="api")
def _api(emu, api_for):
    return api_for(emu)


@pytest.fixture(name="workspace")
def _workspace(emu):
    """A workspace named "ws-test" with its base project."""
    return emu.state.add_workspace("ws-test", "bucket-test")


@pytest.fixture(name="project_id")
def _project_id(emu, workspace):
    """A user project in "ws-test"."""
    return emu.state.add_project("ws-test", "user-project").project_id
