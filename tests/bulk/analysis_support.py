"""
Helpers of the bulk analysis tests: seeding assets, counting analyses,
and a middleware that loses or refuses chosen analysis requests.
"""

from __future__ import annotations

import re

from typing import TYPE_CHECKING

from aiohttp import web

from maiu_async.bulk import PollPolicy


if TYPE_CHECKING:
    from aiohttp.typedefs import Handler
    from bulk_support import Target


#: Waiting without a clock: every read as soon as it is due.
NO_PAUSE = PollPolicy(first=0.0, factor=1.0, cap=0.0, jitter=0.0)

_ANALYZE = re.compile(r"/assets/(\d+)/analyze$")


def seed(target: Target, *keys: str) -> list[int]:
    """Register *keys* as imported assets of *target*; their ids."""
    state = target.emu.state
    return [
        state.add_asset(
            target.workspace, target.project_id, key, target.bucket
        ).asset_id
        for key in keys
    ]


def analyses(target: Target) -> int:
    """Analyses the emulator accepted in *target*'s workspace."""
    return target.emu.state.workspace(target.workspace).monthly_analysis_count


def index_of(target: Target, asset_id: int) -> int | None:
    """The index id of an asset's latest analysis, at the emulator."""
    asset = target.emu.state.asset(
        target.workspace, target.project_id, asset_id
    )
    return None if asset.analysis is None else asset.analysis.index.index_id


class Spoiler:
    """
    Spoils the first analysis request of chosen assets.

    ``lost``: processed, then the connection is dropped unanswered.
    ``refused``: answered 500 without processing.
    """

    def __init__(self, *, lost: set[int] = frozenset(), refused=frozenset()):
        self.lost = set(lost)
        self.refused = set(refused)
        self.posts: dict[int, int] = {}

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        """Spoil or pass one request."""
        match = _ANALYZE.search(request.path)
        if request.method != "POST" or match is None:
            return await handler(request)
        asset_id = int(match.group(1))
        seen = self.posts[asset_id] = self.posts.get(asset_id, 0) + 1
        if seen == 1 and asset_id in self.refused:
            return web.json_response(
                {"code": "500", "message": "Unexpected Error"}, status=500
            )
        response = await handler(request)
        if seen == 1 and asset_id in self.lost:
            transport = request.transport
            if transport is not None:
                transport.abort()
            return web.Response(status=499)
        return response
