"""
The aiohttp application: middlewares, the route table, the dispatcher.

Every path except ``/_emulator/*`` reaches one catch-all handler; the
endpoint is chosen from the raw request target by `resolve`, over the
routes each area declares.
aiohttp's router matches decoded paths, so a workspace named ``a/b``
(sent as ``a%2Fb``) would look like two segments to it.  Here the raw
path is split on ``/`` first and each segment decoded after, so a name
reaches its handler exactly as the client meant it.

Strictly private; `make_app` is re-exported by ``maiu_async.emulator``.
"""

from __future__ import annotations

import asyncio

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote

from aiohttp import web

from maiu_async import _errorcodes as codes

from . import (
    _analyses,
    _assets,
    _indexes,
    _person_tags,
    _persons,
    _search,
    _summaries,
    _uploads,
    _workspaces,
)
from ._auth import authenticate
from ._checks import ServiceError
from ._config import CONFIG
from ._faults import RUNTIME, Runtime, delay, inject_faults, rate_limit
from ._http import (
    API_PREFIX,
    MATCH,
    Call,
    Match,
    gateway,
    is_api,
    json,
    service_error,
)
from ._objects import OBJECTS, ObjectChecker
from ._state import STATE, EmulatorState
from ._stats import STATS, Stats
from ._uploads import UPLOADS_PATH, accept_upload


if TYPE_CHECKING:
    from aiohttp.typedefs import Handler

    from ._config import EmulatorConfig
    from ._http import Route


__all__ = ["ROUTES", "make_app", "resolve", "state_for"]

#: Every endpoint, area by area.
ROUTES: tuple[Route, ...] = (
    *_workspaces.ROUTES,
    *_assets.ROUTES,
    *_analyses.ROUTES,
    *_indexes.ROUTES,
    *_summaries.ROUTES,
    *_search.ROUTES,
    *_uploads.ROUTES,
    *_persons.ROUTES,
    *_person_tags.ROUTES,
)


def resolve(method: str, raw_target: str) -> Match | None:
    """
    Find the endpoint for a method and raw target under ``/api/v1``.

    Returns:
        The match, or ``None`` for an unknown method and path.

    """
    path, _, raw_query = raw_target.partition("?")
    segments = [unquote(s) for s in path[len(API_PREFIX) + 1 :].split("/")]
    query: dict[str, str] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        query.setdefault(key, value)
    for route in ROUTES:
        if route.method != method:
            continue
        params = route.bind(segments)
        if params is not None:
            return Match(route, params, query)
    return None


def state_for(config: EmulatorConfig) -> EmulatorState:
    """
    Return an empty state honouring *config*'s state knobs.
    """
    state = EmulatorState(
        max_workspaces=config.max_workspaces,
        import_delay=config.import_delay,
        analysis_delay=config.analysis_delay,
        summary_delay=config.summary_delay,
    )
    state.analyses.configure(
        fail=config.analysis_fail, reads=config.analysis_reads
    )
    return state


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
    app[CONFIG] = config
    app[STATE] = state_for(config) if state is None else state
    app[STATS] = Stats() if stats is None else stats
    app[RUNTIME] = Runtime(config)
    app.on_startup.append(_start)
    app.on_cleanup.append(_stop)
    app.router.add_get("/_emulator/stats", _show_stats)
    app.router.add_post("/_emulator/reset-stats", _reset_stats)
    app.router.add_put(f"{UPLOADS_PATH}/{{key:.+}}", accept_upload)
    app.router.add_route("*", "/{tail:.*}", _dispatch)
    return app


async def _start(app: web.Application) -> None:
    app[RUNTIME].start(asyncio.get_running_loop().time)
    config = app[CONFIG]
    if config.object_storage is not None:
        checker = ObjectChecker(config)
        await checker.start()
        app[OBJECTS] = checker


async def _stop(app: web.Application) -> None:
    app[RUNTIME].stop()
    checker = app.get(OBJECTS)
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
        request.app[STATS].count_route(name)
        if match is not None:
            request[MATCH] = match
    return await handler(request)


async def _dispatch(request: web.Request) -> web.Response:
    match = request.get(MATCH)
    if match is None:
        return gateway(codes.GW_NOT_FOUND, f"No route for {request.method}")
    app = request.app
    objects = app.get(OBJECTS)
    call = Call(
        state=app[STATE],
        stats=app[STATS],
        config=app[CONFIG],
        params=match.params,
        query=match.query,
        body=await request.read(),
        base_url=f"{request.scheme}://{request.host}",
        legacy=match.route.legacy,
        objects=objects,
    )
    try:
        if objects is not None and match.route.settles:
            await objects.settle(call.state.asset(*call.asset_ref()))
        body = match.route.handler(call)
    except ServiceError as exc:
        style = app[CONFIG].error_body_style
        return json(service_error(exc.row, style), exc.row.status)
    return json(body)


async def _show_stats(request: web.Request) -> web.Response:
    return json(request.app[STATS].as_dict())


async def _reset_stats(request: web.Request) -> web.Response:
    stats = request.app[STATS]
    stats.reset()
    return json(stats.as_dict())
