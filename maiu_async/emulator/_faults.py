"""
Latency, the server-side rate limit and injected faults.

`Runtime` holds the per-run machinery: the rate limiter's bucket and the
seeded dice, built when the app starts, inside the running loop (the
bucket reads the loop's clock), and dropped when it cleans up.
The middlewares apply them to ``/api/v1`` requests only.

Strictly private.
"""

from __future__ import annotations

import asyncio
import json
import random

from typing import TYPE_CHECKING

import attrs

from aiohttp import web

from maiu_async import _errorcodes as codes

from . import _checks
from ._checks import ServiceError
from ._config import CONFIG
from ._http import MATCH, gateway, is_api
from ._state import STATE
from ._stats import STATS


if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from aiohttp.typedefs import Handler

    from ._config import EmulatorConfig
    from ._stats import Stats


__all__ = [
    "RUNTIME",
    "Identity",
    "Runtime",
    "TokenBucket",
    "delay",
    "inject_faults",
    "rate_limit",
    "retry_after_header",
]


class TokenBucket:
    """
    A token bucket: *rate* tokens a second, holding at most *burst*.
    """

    __slots__ = ("_burst", "_clock", "_last", "_rate", "_tokens")

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float]
    ) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._last = clock()

    def __repr__(self) -> str:
        return f"<TokenBucket rate={self._rate} burst={self._burst:g}>"

    def try_take(self) -> bool:
        """
        Take one token if there is one.
        """
        now = self._clock()
        self._tokens = min(
            self._burst, self._tokens + (now - self._last) * self._rate
        )
        self._last = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False


@attrs.frozen
class Identity:
    """
    What keyed and certain faults see of a request (see `Faults`).

    Attributes:
        method: The HTTP method.
        route: The route's name, ``"not_found"`` for unknown routes.
        subject: The Object Storage key, or the raw request target.
        body: The raw body; empty for registrations.

    """

    method: str
    route: str
    subject: str
    body: bytes = b""


@attrs.define
class Runtime:
    """
    The limiter and dice of one running app.
    """

    config: EmulatorConfig
    limiter: TokenBucket | None = None
    _fault_dice: random.Random | None = None
    _jitter_dice: random.Random | None = None
    # Requests seen per identity, for keyed draws.
    _attempts: dict[Identity, int] = attrs.Factory(dict)

    def start(self, clock: Callable[[], float]) -> None:
        """
        Build the limiter on *clock* and seed the dice.
        """
        cfg = self.config
        if cfg.rate_limit is not None:
            self.limiter = TokenBucket(cfg.rate_limit, cfg.burst, clock)
        # Separate streams: the fault sequence stays the same whatever
        # the jitter draws, so a seed replays the same faults in order.
        # Not cryptography: only the repeatability of test runs matters.
        self._fault_dice = random.Random(cfg.seed)  # noqa: S311
        self._jitter_dice = random.Random(  # noqa: S311
            None if cfg.seed is None else cfg.seed + 1
        )

    def stop(self) -> None:
        """
        Drop the limiter and dice; later requests meet no knobs.
        """
        self.limiter = None
        self._fault_dice = self._jitter_dice = None
        self._attempts.clear()

    def delay(self) -> float:
        """
        Draw the latency for one request, in seconds.
        """
        cfg = self.config
        if self._jitter_dice is None or not cfg.latency + cfg.jitter:
            return 0.0
        return cfg.latency + self._jitter_dice.uniform(0, cfg.jitter)

    def draw_fault(self, identity: Identity | None = None) -> str | None:
        """
        Decide at most one fault kind for one request.

        Without *identity* (needed only for keyed or certain faults),
        the next arrival draw decides.
        """
        faults = self.config.faults
        if self._fault_dice is None:
            return None
        if identity is not None:
            if faults.keyed:
                attempt = self._attempts.get(identity, 0) + 1
                self._attempts[identity] = attempt
                return faults.keyed_fault(
                    seed=self.config.seed,
                    method=identity.method,
                    route=identity.route,
                    subject=identity.subject,
                    body=identity.body,
                    attempt=attempt,
                )
            certain = faults.certain.get(identity.subject)
            if certain is not None:
                return certain
        if not faults.total():
            return None
        return faults.pick(self._fault_dice.random())


RUNTIME = web.AppKey("runtime", Runtime)


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
    return gateway(
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


def _asset_key(request: web.Request, params: Mapping[str, str]) -> str | None:
    # The key of the asset a path names, if there is one.
    try:
        return (
            request.app[STATE]
            .asset(
                params["ws"],
                _checks.integer(params["pid"], "project id"),
                _checks.integer(params["aid"], "asset id"),
            )
            .key
        )
    except ServiceError:
        return None


async def _identify(request: web.Request) -> Identity:
    match = request.get(MATCH)
    body = await request.read()
    subject = None
    if match is not None and match.route.action == "register_asset":
        try:
            decoded = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            decoded = None
        if isinstance(decoded, dict) and isinstance(decoded.get("key"), str):
            subject, body = decoded["key"], b""
    elif match is not None and "aid" in match.params:
        subject = _asset_key(request, match.params)
    return Identity(
        method=request.method,
        route="not_found" if match is None else match.route.name,
        subject=request.raw_path if subject is None else subject,
        body=body,
    )


@web.middleware
async def delay(request: web.Request, handler: Handler) -> web.StreamResponse:
    """
    Wait the configured latency plus jitter before handling.
    """
    if is_api(request.raw_path):
        seconds = request.app[RUNTIME].delay()
        if seconds > 0:
            await asyncio.sleep(seconds)
    return await handler(request)


@web.middleware
async def rate_limit(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """
    Answer 429 (gateway code 420) when the token bucket is empty.
    """
    limiter = request.app[RUNTIME].limiter
    if (
        limiter is not None
        and is_api(request.raw_path)
        and not limiter.try_take()
    ):
        return _rate_limited(
            request.app[STATS], request.app[CONFIG].rate_limit_retry_after
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
    Replace the answer with a fault, if one is decided.
    """
    if not is_api(request.raw_path):
        return await handler(request)
    faults = request.app[CONFIG].faults
    identity = None
    if faults.keyed or faults.certain:
        identity = await _identify(request)
    kind = request.app[RUNTIME].draw_fault(identity)
    if kind is None:
        return await handler(request)
    stats = request.app[STATS]
    stats.count_fault(kind)
    if kind in _ERRORS:
        row, status = _ERRORS[kind]
        return gateway(row, "Injected fault", status=status)
    if kind == "rate_limited":
        return _rate_limited(stats, faults.retry_after)
    if kind == "lost_response":
        await handler(request)
    return _drop_connection(request)
