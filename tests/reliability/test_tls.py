"""
TLS: certificates are verified unless the caller explicitly says not to.

A loopback HTTPS server with a self-signed certificate (made by the
``openssl`` command) stands in for a man in the middle.
"""

from __future__ import annotations

import shutil
import ssl
import traceback

import anyio
import pytest

from aiohttp import web
from reliability_support import cli_argv, cli_env
from testkeys import ACCESS_KEY, CANARY

from maiu_async import ConnectError, InsecureTLSWarning, MaiuClient


pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl"),
]

#: A failure guard: a CLI run taking this long is hung.
RUN_LIMIT = 120.0


@pytest.fixture(name="https")
async def _https(certificate):
    """An HTTPS server that answers every request with a workspace."""
    hits: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        hits.append(request.raw_path)
        return web.json_response(
            {"code": "0", "message": "ok", "result": {"workspaceName": "w"}}
        )

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        yield f"https://127.0.0.1:{port}", hits
    finally:
        await runner.cleanup()


async def test_self_signed_certificate_is_refused_by_default(https):
    """By default the handshake fails: ConnectError, and nothing is sent."""
    url, hits = https
    async with MaiuClient(
        access_key=ACCESS_KEY, secret_key=CANARY, endpoint=url, retry=None
    ) as client:
        with pytest.raises(ConnectError) as info:
            await client.workspaces.get("w")

    text = "".join(traceback.format_exception(info.value))
    assert (False, []) == (info.value.request_sent, hits)
    assert "certificate" in str(info.value).lower()
    assert CANARY not in text


async def test_turning_verification_off_warns_then_connects(https):
    """verify_tls=False warns InsecureTLSWarning, and only then connects."""
    url, hits = https
    with pytest.warns(InsecureTLSWarning, match="verification is off"):
        client = MaiuClient(
            access_key=ACCESS_KEY,
            secret_key=CANARY,
            endpoint=url,
            verify_tls=False,
        )

    async with client:
        workspace = await client.workspaces.get("w")

    assert ("w", ["/api/v1/workspaces/w"]) == (workspace.workspace_name, hits)


def test_the_insecure_warning_cannot_go_unnoticed():
    """Under warnings-as-errors, turning verification off raises."""
    with pytest.raises(InsecureTLSWarning):
        MaiuClient(access_key="a", secret_key="b", verify_tls=False)


async def test_cli_verifies_and_no_variable_turns_it_off(https, tmp_path):
    """The CLI has no switch, and PYTHONHTTPSVERIFY=0 does not make one."""
    url, hits = https
    env = cli_env(tmp_path, url, secret=CANARY)
    env["PYTHONHTTPSVERIFY"] = "0"

    # run_process kills and reaps the child if the guard fires.
    with anyio.fail_after(RUN_LIMIT):
        done = await anyio.run_process(
            cli_argv("projects", "list", "-w", "w"), env=env, check=False
        )

    output = (done.stdout + done.stderr).decode()
    assert (3, []) == (done.returncode, hits)
    assert "certificate" in output.lower()
    assert CANARY not in output
