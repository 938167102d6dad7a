"""
aiohttp responses for the bodies `_wire` builds.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import _wire


if TYPE_CHECKING:
    from collections.abc import Mapping

    from maiu_async._errorcodes import ErrorCode


__all__ = ["gateway", "json"]


def json(
    body: dict[str, Any],
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """
    Answer with a JSON body.
    """
    return web.json_response(body, status=status, headers=headers)


def gateway(
    row: ErrorCode,
    details: str | None = None,
    *,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """
    Answer with an API Gateway error, at the row's status unless given.
    """
    return json(
        _wire.gateway_error(row, details),
        row.status if status is None else status,
        headers,
    )
