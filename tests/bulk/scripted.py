"""
A script in front of the emulator: what each registration attempt meets.

For what the emulator's seeded fault knobs cannot provoke on demand: a
4xx for one key, failures that never end, a list endpoint that keeps
failing, a crash at a chosen point.  The real client talks HTTP to the
real emulator; the script only decides, per key and attempt, whether a
request is processed and how it is answered.
"""

from __future__ import annotations

import collections
import contextlib
import json

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web
from bulk_support import (
    ACCESS_KEY,
    BUCKET,
    SECRET_KEY,
    WORKSPACE,
    serve_emulator,
)

from maiu_async import MaiuClient


if TYPE_CHECKING:
    import os

    from collections.abc import AsyncIterator

    from aiohttp.typedefs import Handler
    from bulk_support import Served


#: What one attempt meets: processed and answered, or one of these.
OK = "ok"
BAD = "400"  # refused: nothing created
BUSY = "503"  # refused at the gateway: nothing created
RESET = "reset"  # dropped before processing: nothing created
LOST = "lost"  # processed, answer lost: created
DENIED = "401"

Plan = Callable[[str, int], str]

_STATUS = {BAD: 400, BUSY: 503, DENIED: 401}


def always(action: str) -> Plan:
    """A plan doing *action* for every attempt of every key."""
    return lambda *_: action


def _error(status: int) -> web.Response:
    return web.json_response(
        {"code": str(status), "message": "scripted"}, status=status
    )


def _drop(request: web.Request) -> web.Response:
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=499)


class Script:
    """
    The middleware that plays a plan.

    Attributes:
        attempts: Registration requests per key.
        list_status: Answer every list request with this error status.
        journal: If set, each asset remembers this file's size when its
            request arrived (see `crash_at`).

    """

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.attempts: collections.Counter[str] = collections.Counter()
        self.list_status: int | None = None
        self.journal: str | os.PathLike[str] | None = None
        self._sent_at: dict[int, int] = {}

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        """Answer one request as the plan says."""
        if request.method == "GET" and self.list_status is not None:
            return _error(self.list_status)
        if request.method != "POST":
            return await handler(request)
        key = (await request.json())["key"]
        self.attempts[key] += 1
        action = self.plan(key, self.attempts[key])
        if action in _STATUS:
            return _error(_STATUS[action])
        if action == RESET:
            return _drop(request)
        sent_at = Path(self.journal).stat().st_size if self.journal else 0  # noqa: ASYNC240 -- must be now
        response = await handler(request)
        if response.status == 200 and isinstance(response, web.Response):
            body = json.loads(response.body)  # type: ignore[arg-type]
            self._sent_at[body["result"]["assetId"]] = sent_at
        if action == LOST:
            return _drop(request)
        return response

    def crash_at(self, served: Served, project: int, size: int) -> None:
        """
        Forget the assets of requests that arrived after the journal had
        *size* bytes, as if the job had died then.

        Those that arrived before are kept, even if a real server might
        still have been processing them.
        """
        for asset_id, sent_at in self._sent_at.items():
            if sent_at > size:
                served.state.delete_asset(WORKSPACE, project, asset_id)


@contextlib.asynccontextmanager
async def scripted(
    script: Script,
) -> AsyncIterator[tuple[Served, MaiuClient, int]]:
    """
    Serve an emulator behind *script*.

    Yields it, an open client, and the id of a project of `WORKSPACE`.
    """
    async with serve_emulator(script.middleware) as served:
        served.state.add_workspace(WORKSPACE, BUCKET)
        project = served.state.add_project(WORKSPACE, "p").project_id
        async with MaiuClient(
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=served.url
        ) as client:
            yield served, client, project
