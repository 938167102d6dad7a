"""
Gateway authentication: signature v2 over the raw request target.

Strictly private.
"""

from __future__ import annotations

import re
import time

from email.utils import formatdate
from typing import TYPE_CHECKING

from aiohttp import web

from maiu_async import _errorcodes as codes
from maiu_async import _signing, limits

from ._config import CONFIG
from ._http import gateway, is_api
from ._stats import STATS


if TYPE_CHECKING:
    from collections.abc import Mapping

    from aiohttp.typedefs import Handler

    from ._config import EmulatorConfig


__all__ = ["authenticate", "refusal"]

_TIMESTAMP = re.compile(r"[0-9]{1,19}")
_REQUIRED = (
    _signing.HEADER_TIMESTAMP,
    _signing.HEADER_ACCESS_KEY,
    _signing.HEADER_SIGNATURE,
)


def refusal(
    config: EmulatorConfig,
    headers: Mapping[str, str],
    method: str,
    raw_target: str,
    now_ms: int,
) -> str | None:
    """
    Say why a request is not authentic, or return ``None`` if it is.

    The reason becomes the gateway body's ``details``; it never contains
    the secret or the expected signature.
    """
    missing = [name for name in _REQUIRED if not headers.get(name)]
    if missing:
        return f"Missing header: {', '.join(missing)}"
    timestamp = headers[_signing.HEADER_TIMESTAMP]
    access_key = headers[_signing.HEADER_ACCESS_KEY]
    if access_key != config.access_key:
        return "Unknown access key"
    if _TIMESTAMP.fullmatch(timestamp) is None:
        return "Timestamp is not an integer"
    if abs(now_ms - int(timestamp)) > limits.SIGNATURE_MAX_SKEW_SECONDS * 1000:
        return "Timestamp is too far from the server clock"
    authentic = _signing.verify(
        secret_key=config.secret_key,
        method=method,
        path_with_query=raw_target,
        timestamp_ms=timestamp,
        access_key=access_key,
        signature=headers[_signing.HEADER_SIGNATURE],
    )
    return None if authentic else "Signature mismatch"


@web.middleware
async def authenticate(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """
    Refuse API requests that are not signed by the configured key.
    """
    if not is_api(request.raw_path):
        return await handler(request)
    config = request.app[CONFIG]
    now = time.time() + config.clock_offset
    reason = refusal(
        config,
        request.headers,
        request.method,
        request.raw_path,
        int(now * 1000),
    )
    if reason is not None:
        request.app[STATS].auth_failures += 1
        response: web.StreamResponse = gateway(codes.GW_AUTH_FAILED, reason)
    else:
        response = await handler(request)
    if config.clock_offset and not response.prepared:
        response.headers["Date"] = formatdate(now, usegmt=True)
    return response
