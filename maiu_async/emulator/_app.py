"""
The aiohttp application: middlewares, the dispatcher, admin routes.

Every path except ``/_emulator/*`` reaches one catch-all handler; the
endpoint is chosen from the raw request target by `_routes.resolve`.

Strictly private; `make_app` is re-exported by ``maiu_async.emulator``.
"""

from __future__ import annotations

import asyncio

from typing import TYPE_CHECKING

from aiohttp import web

from maiu_async import _errorcodes as codes

from . import _keys, _respond, _wire
from ._auth import authenticate
from ._errors import ServiceError
from ._faults import delay, inject_faults, rate_limit
from ._handlers import HANDLERS, Call
from ._objects import ObjectChecker
from ._routes import is_api, resolve
from ._runtime import Runtime
from ._state import EmulatorState
from ._stats import Stats


if TYPE_CHECKING:
    from aiohttp.typedefs import Handler

    from ._config import EmulatorConfig
    from ._routes import Match


__all__ = ["make_app", "state_for"]


def state_for(config: EmulatorConfig) -> EmulatorState:
    """
    Return an empty state honouring *config*'s state knobs.

    Strictly private.
    """
    return EmulatorState(
        max_workspaces=config.max_workspaces,
        import_delay=config.import_delay,
        analysis_delay=config.analysis_delay,
        summary_delay=config.summary_delay,
    )


def make_app(
    config: EmulatorConfig,
    *,
    state: EmulatorState | None = None,
    stats: Stats | None = None,
) -> web.Application:
    """
    Build the emulator's aiohttp application.

    Args:
        config: Credentials and knobs.
        state: The state to serve; a fresh one from *config* if omitted.
        stats: The counters to update; fresh ones if omitted.

    Returns:
        An application ready for `aiohttp.web.AppRunner`.

    """
    app = web.Application(
        middlewares=[_resolve, delay, authenticate, rate_limit, inject_faults]
    )
    app[_keys.CONFIG] = config
    app[_keys.STATE] = state_for(config) if state is None else state
    app[_keys.STATS] = Stats() if stats is None else stats
    app[_keys.RUNTIME] = Runtime(config)
    app.on_startup.append(_start)
    app.on_cleanup.append(_stop)
    app.router.add_get("/_emulator/stats", _show_stats)
    app.router.add_post("/_emulator/reset-stats", _reset_stats)
    app.router.add_put("/_emulator/uploads/{key:.+}", _accept_upload)
    app.router.add_route("*", "/{tail:.*}", _dispatch)
    return app


# Routes answered from an asset's import status: a pending Object
# Storage check is settled first, so that polling one asset is prompt.
_SETTLE_FIRST = frozenset({"import_status", "get_asset", "request_analysis"})


async def _start(app: web.Application) -> None:
    app[_keys.RUNTIME].start(asyncio.get_running_loop().time)
    config = app[_keys.CONFIG]
    if config.object_storage is not None:
        checker = ObjectChecker(config)
        await checker.start()
        app[_keys.OBJECTS] = checker


async def _stop(app: web.Application) -> None:
    app[_keys.RUNTIME].stop()
    checker = app.get(_keys.OBJECTS)
    if checker is not None:
        await checker.stop()


@web.middleware
async def _resolve(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    # Outermost: every API request is counted, whatever happens next.
    if is_api(request.raw_path):
        match = resolve(request.method, request.raw_path)
        name = "not_found" if match is None else match.route.name
        request.app[_keys.STATS].count_route(name)
        if match is not None:
            request[_keys.MATCH] = match
    return await handler(request)


async def _dispatch(request: web.Request) -> web.Response:
    match: Match | None = request.get(_keys.MATCH)
    if match is None:
        return _respond.gateway(
            codes.GW_NOT_FOUND, f"No route for {request.method}"
        )
    objects = request.app.get(_keys.OBJECTS)
    call = Call(
        state=request.app[_keys.STATE],
        stats=request.app[_keys.STATS],
        params=match.params,
        query=match.query,
        body=await request.read(),
        base_url=f"{request.scheme}://{request.host}",
        legacy=match.route.legacy,
        objects=objects,
    )
    try:
        if objects is not None and match.route.action in _SETTLE_FIRST:
            await objects.settle(call.state.asset(*call.asset_ref()))
        body = HANDLERS[match.route.action](call)
    except ServiceError as exc:
        style = request.app[_keys.CONFIG].error_body_style
        return _respond.json(
            _wire.service_error(exc.row, style), exc.row.status
        )
    return _respond.json(body)


async def _accept_upload(request: web.Request) -> web.Response:
    # Where issued upload URLs point: takes any body and keeps nothing
    # (confirming an upload never looks at it).
    await request.read()
    return web.Response(status=200)


async def _show_stats(request: web.Request) -> web.Response:
    return _respond.json(request.app[_keys.STATS].as_dict())


async def _reset_stats(request: web.Request) -> web.Response:
    stats = request.app[_keys.STATS]
    stats.reset()
    return _respond.json(stats.as_dict())
