"""
Latency, server-side rate limiting and fault injection, as middlewares.

Each applies to ``/api/v1`` requests only.

Strictly private.
"""

from __future__ import annotations

import asyncio

from typing import TYPE_CHECKING

from aiohttp import web

from maiu_async import _errorcodes as codes

from . import _keys, _respond
from ._routes import is_api


if TYPE_CHECKING:
    from aiohttp.typedefs import Handler

    from ._stats import Stats


__all__ = ["delay", "inject_faults", "rate_limit", "retry_after_header"]


def retry_after_header(seconds: float | None) -> dict[str, str]:
    """
    Return the ``Retry-After`` header for *seconds*, if any.

    Whole numbers are written without a fraction (``"2"``); others as
    given (``"0.5"``).
    """
    if seconds is None:
        return {}
    value = float(seconds)
    text = str(int(value)) if value.is_integer() else repr(value)
    return {"Retry-After": text}


def _rate_limited(stats: Stats, retry_after: float | None) -> web.Response:
    stats.rate_limited += 1
    return _respond.gateway(
        codes.GW_RATE_LIMITED,
        "Too many requests",
        headers=retry_after_header(retry_after),
    )


def _drop_connection(request: web.Request) -> web.Response:
    # Aborting the transport makes aiohttp's attempt to write the answer
    # fail with ConnectionResetError, which it treats as a client that
    # went away: no log, no warning, and the client sees a broken
    # connection.  The response returned is never delivered.
    transport = request.transport
    if transport is not None:
        transport.abort()
    return web.Response(status=499)


@web.middleware
async def delay(request: web.Request, handler: Handler) -> web.StreamResponse:
    """
    Wait the configured latency plus jitter before handling.

    Strictly private.
    """
    if is_api(request.raw_path):
        seconds = request.app[_keys.RUNTIME].delay()
        if seconds > 0:
            await asyncio.sleep(seconds)
    return await handler(request)


@web.middleware
async def rate_limit(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """
    Answer 429 (gateway code 420) when the token bucket is empty.

    Strictly private.
    """
    limiter = request.app[_keys.RUNTIME].limiter
    if (
        limiter is not None
        and is_api(request.raw_path)
        and not limiter.try_take()
    ):
        return _rate_limited(
            request.app[_keys.STATS],
            request.app[_keys.CONFIG].rate_limit_retry_after,
        )
    return await handler(request)


# Faults answered with a gateway error: (row, status if not the row's).
_ERRORS: dict[str, tuple[codes.ErrorCode, int | None]] = {
    "error_500": (codes.GW_UNEXPECTED, None),
    # The table has no 502 row; a bad gateway is an endpoint error.
    "error_502": (codes.GW_ENDPOINT_ERROR, 502),
    "error_503": (codes.GW_ENDPOINT_ERROR, None),
}


@web.middleware
async def inject_faults(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """
    Replace the answer with a drawn fault, if any.

    Strictly private.
    """
    if not is_api(request.raw_path):
        return await handler(request)
    kind = request.app[_keys.RUNTIME].draw_fault()
    if kind is None:
        return await handler(request)
    stats = request.app[_keys.STATS]
    stats.count_fault(kind)
    if kind in _ERRORS:
        row, status = _ERRORS[kind]
        return _respond.gateway(row, "Injected fault", status=status)
    if kind == "rate_limited":
        faults = request.app[_keys.CONFIG].faults
        return _rate_limited(stats, faults.retry_after)
    if kind == "lost_response":
        await handler(request)
    return _drop_connection(request)
