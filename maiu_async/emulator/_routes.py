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
_IID = "{iid}"
_SSID = "{ssid}"
_SEARCH = "{search}"
_PERSON = "{person}"
_TAG = "{tag}"


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
        params: Decoded path parameters (``ws``, ``pid``, ``aid``,
            ``iid``, ``ssid``, ``search``, ``person``, ``tag``).
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


def _analysis_routes(collection: str, *, legacy: bool) -> tuple[Route, ...]:
    asset = ("workspaces", _WS, "projects", _PID, collection, _AID)
    return (
        Route("request_analysis", "POST", (*asset, "analyze"), legacy),
        Route("cancel_analysis", "DELETE", (*asset, "analyze"), legacy),
        Route("analysis_status", "GET", (*asset, "analyze-status"), legacy),
        Route("list_indexes", "GET", (*asset, "indexes"), legacy),
        Route("get_index", "GET", (*asset, "indexes", _IID), legacy),
        Route("delete_index", "DELETE", (*asset, "indexes", _IID), legacy),
    )


# Scene summaries exist only in the current API: no legacy twins.
_SUMMARIES = (
    "workspaces",
    _WS,
    "projects",
    _PID,
    "assets",
    _AID,
    "indexes",
    _IID,
    "scene-summaries",
)
_SEARCH_UPLOADS = ("query-assets", "uploads")
_PERSONS = ("workspaces", _WS, "persons")
_THUMBNAIL_UPLOADS = ("workspaces", _WS, "person-thumbnail", "uploads")
_PERSON_TAGS = ("workspaces", _WS, "person-tags")

_NEWER_ROUTES: tuple[Route, ...] = (
    Route("request_scene_summary", "POST", _SUMMARIES),
    Route("get_scene_summary", "GET", _SUMMARIES),
    Route("scene_summary_status", "GET", (*_SUMMARIES, _SSID, "status")),
    Route("cancel_scene_summary", "DELETE", (*_SUMMARIES, _SSID)),
    Route(
        "search_image_upload_url",
        "POST",
        (*_SEARCH_UPLOADS, "presigned-url"),
    ),
    Route(
        "complete_search_image_upload", "POST", (*_SEARCH_UPLOADS, "complete")
    ),
    Route("request_search", "POST", ("workspaces", _WS, "assets", "search")),
    Route(
        "get_search_result",
        "GET",
        ("workspaces", _WS, "assets", "search", _SEARCH),
    ),
    Route("list_persons", "GET", _PERSONS),
    Route("create_person", "POST", _PERSONS),
    Route("get_person", "GET", (*_PERSONS, _PERSON)),
    Route("edit_person", "PATCH", (*_PERSONS, _PERSON)),
    Route("delete_person", "DELETE", (*_PERSONS, _PERSON)),
    Route("add_person_tags", "POST", (*_PERSONS, _PERSON, "person-tags")),
    Route("remove_person_tags", "DELETE", (*_PERSONS, _PERSON, "person-tags")),
    Route(
        "add_person_thumbnails",
        "POST",
        (*_PERSONS, _PERSON, "person-thumbnail"),
    ),
    Route(
        "remove_person_thumbnails",
        "DELETE",
        (*_PERSONS, _PERSON, "person-thumbnail"),
    ),
    Route(
        "person_thumbnail_upload_url",
        "POST",
        (*_THUMBNAIL_UPLOADS, "presigned-url"),
    ),
    Route(
        "complete_person_thumbnail_upload",
        "POST",
        (*_THUMBNAIL_UPLOADS, "complete"),
    ),
    Route("list_person_tags", "GET", _PERSON_TAGS),
    Route("create_person_tag", "POST", _PERSON_TAGS),
    Route("delete_person_tag", "DELETE", (*_PERSON_TAGS, _TAG)),
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
    *_analysis_routes("assets", legacy=False),
    *_analysis_routes("video-assets", legacy=True),
    *_NEWER_ROUTES,
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
