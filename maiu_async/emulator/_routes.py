"""
The route table, matched against the raw request target.

aiohttp's router matches decoded paths, so a workspace named ``a/b``
(sent as ``a%2Fb``) would look like two segments to it.
Here the raw path is split on ``/`` first and each segment decoded
after, so a name reaches its handler exactly as the client meant it.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote

import attrs


if TYPE_CHECKING:
    from collections.abc import Mapping


__all__ = ["API_PREFIX", "ROUTES", "Match", "Route", "is_api", "resolve"]

API_PREFIX = "/api/v1"

# Pattern segments in braces are parameters; the rest are literals.
_WS = "{ws}"
_PID = "{pid}"
_AID = "{aid}"


@attrs.frozen
class Route:
    """
    One endpoint.

    Attributes:
        action: The handler's name, shared by the legacy twin.
        method: The HTTP method.
        pattern: Path segments after ``/api/v1``; ``{...}`` are params.
        legacy: Whether this is a ``video-assets`` alias.

    """

    action: str
    method: str
    pattern: tuple[str, ...]
    legacy: bool = False

    @property
    def name(self) -> str:
        """
        The route's name in `Stats.by_route`.
        """
        return f"{self.action}_legacy" if self.legacy else self.action


@attrs.frozen
class Match:
    """
    A resolved request.

    Attributes:
        route: The endpoint.
        params: Decoded path parameters (``ws``, ``pid``, ``aid``).
        query: Decoded query parameters; the first of repeated names wins.

    """

    route: Route
    params: Mapping[str, str]
    query: Mapping[str, str]


def _asset_routes(collection: str, *, legacy: bool) -> tuple[Route, ...]:
    base = ("workspaces", _WS, "projects", _PID, collection)
    return (
        Route(
            "register_asset",
            "POST",
            (*base, "import", "object-storage"),
            legacy,
        ),
        Route("list_assets", "GET", base, legacy),
        Route("get_asset", "GET", (*base, _AID), legacy),
        Route("move_asset", "PATCH", (*base, _AID), legacy),
        Route("delete_asset", "DELETE", (*base, _AID), legacy),
        Route("import_status", "GET", (*base, _AID, "import-status"), legacy),
    )


ROUTES: tuple[Route, ...] = (
    Route("list_workspaces", "GET", ("workspaces",)),
    Route("create_workspace", "POST", ("workspaces",)),
    Route("get_workspace", "GET", ("workspaces", _WS)),
    Route("delete_workspace", "DELETE", ("workspaces", _WS)),
    Route("list_projects", "GET", ("workspaces", _WS, "projects")),
    Route("create_project", "POST", ("workspaces", _WS, "projects")),
    Route("get_project", "GET", ("workspaces", _WS, "projects", _PID)),
    Route("edit_project", "PATCH", ("workspaces", _WS, "projects", _PID)),
    Route("delete_project", "DELETE", ("workspaces", _WS, "projects", _PID)),
    *_asset_routes("assets", legacy=False),
    *_asset_routes("video-assets", legacy=True),
)


def is_api(raw_target: str) -> bool:
    """
    Tell whether a raw request target is under ``/api/v1``.
    """
    path = raw_target.partition("?")[0]
    return path == API_PREFIX or path.startswith(f"{API_PREFIX}/")


def _bind(
    pattern: tuple[str, ...], segments: list[str]
) -> dict[str, str] | None:
    if len(pattern) != len(segments):
        return None
    params: dict[str, str] = {}
    for want, got in zip(pattern, segments, strict=True):
        if want.startswith("{"):
            if not got:
                return None
            params[want[1:-1]] = got
        elif want != got:
            return None
    return params


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
        params = _bind(route.pattern, segments)
        if params is not None:
            return Match(route, params, query)
    return None
