"""
The HTTP vocabulary every area shares: endpoints, calls and answers.

An area module declares its endpoints as `Route` records, each naming
a synchronous handler that takes a `Call` and returns the success body
(built with `success` and `page`) or raises `ServiceError`.
Handlers never await, so each runs atomically with respect to every
other request: caps and uniqueness hold under any concurrency.

Bodies are built by hand as plain dicts, never through the client's
converter, so a converter bug cannot agree with itself in end-to-end
tests.

Strictly private.
"""

from __future__ import annotations

import time

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from aiohttp import web

from . import _checks


if TYPE_CHECKING:
    from maiu_async._errorcodes import ErrorCode

    from ._config import EmulatorConfig, ErrorBodyStyle
    from ._objects import ObjectChecker
    from ._state import EmulatorState
    from ._stats import Stats


__all__ = [
    "API_PREFIX",
    "JSON",
    "MATCH",
    "USER",
    "Call",
    "Handler",
    "Match",
    "Route",
    "audit",
    "gateway",
    "is_api",
    "json",
    "page",
    "paged",
    "service_error",
    "success",
    "timestamp",
]

API_PREFIX = "/api/v1"

JSON = dict[str, Any]

#: The user name on every audit field.
USER = "emulator"

_T = TypeVar("_T")


# --- answers ----------------------------------------------------------------


def timestamp() -> str:
    """
    Return now as the API writes times.

    UTC, nine fractional digits, no zone: ``2025-04-23T14:15:19.563829873``.
    """
    seconds, nanos = divmod(time.time_ns(), 1_000_000_000)
    whole = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{whole}.{nanos:09d}"


def success(result: object = None, *, has_result: bool = True) -> JSON:
    """
    Wrap *result* in the success envelope; deletes carry no result.
    """
    body: JSON = {"code": "0", "message": "success"}
    if has_result:
        body["result"] = result
    return body


def audit(created: str, updated: str) -> JSON:
    """
    The four audit fields, in their usual spelling.
    """
    return {
        "createdUserName": USER,
        "createdTime": created,
        "updatedUserName": USER,
        "updatedTime": updated,
    }


def page(items: list[JSON], total: int, page_no: int, page_size: int) -> JSON:
    """
    One page of a paginated list.
    """
    return {
        "content": items,
        "totalCount": total,
        "totalPage": -(-total // page_size),
        "pageNo": page_no,
        "pageSize": page_size,
    }


def paged(
    everything: list[_T],
    page_no: int,
    page_size: int,
    body: Callable[[_T], JSON],
) -> JSON:
    """
    The page *page_no* of *everything*, each item written by *body*.
    """
    start = (page_no - 1) * page_size
    items = [body(item) for item in everything[start : start + page_size]]
    return page(items, len(everything), page_no, page_size)


def service_error(row: ErrorCode, style: ErrorBodyStyle) -> JSON:
    """
    Return a service error body, top-level or wrapped.
    """
    error = {"code": row.code, "message": row.message}
    return error if style == "top-level" else {"responseError": error}


def json(
    body: JSON, status: int = 200, headers: Mapping[str, str] | None = None
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
    body = {
        "error": {
            "errorCode": row.code,
            "message": row.message,
            "details": details,
        }
    }
    return json(body, row.status if status is None else status, headers)


# --- calls ------------------------------------------------------------------


@attrs.frozen
class Call:
    """
    What a handler gets to work with.

    Id properties parse their path parameter and raise `ServiceError`
    10001 if it is not a non-negative integer.

    Attributes:
        state: The emulator's state.
        stats: The live counters.
        config: The knobs in force.
        params: Decoded path parameters.
        query: Decoded query parameters.
        body: The raw request body.
        base_url: ``scheme://host`` the request came to.
        legacy: Whether the route is a ``video-assets`` alias.
        objects: The Object Storage check, when configured.

    """

    state: EmulatorState
    stats: Stats
    config: EmulatorConfig
    params: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes
    base_url: str
    legacy: bool = False
    objects: ObjectChecker | None = None

    def json(self) -> dict[str, object]:
        """
        The body, which must be a JSON object.
        """
        return _checks.json_object(self.body)

    @property
    def workspace(self) -> str:
        """
        The workspace name from the path.
        """
        return self.params["ws"]

    @property
    def project_id(self) -> int:
        """
        The project id from the path.
        """
        return _checks.integer(self.params["pid"], "project id")

    @property
    def asset_id(self) -> int:
        """
        The asset id from the path.
        """
        return _checks.integer(self.params["aid"], "asset id")

    @property
    def index_id(self) -> int:
        """
        The index id from the path.
        """
        return _checks.integer(self.params["iid"], "index id")

    @property
    def scene_summary_id(self) -> int:
        """
        The scene-summary id from the path.
        """
        return _checks.integer(self.params["ssid"], "scene summary id")

    @property
    def search_id(self) -> str:
        """
        The search id from the path.
        """
        return self.params["search"]

    @property
    def person_id(self) -> int:
        """
        The person id from the path.
        """
        return _checks.integer(self.params["person"], "person id")

    @property
    def tag_id(self) -> int:
        """
        The person-tag id from the path.
        """
        return _checks.integer(self.params["tag"], "tag id")

    def asset_ref(self) -> tuple[str, int, int]:
        """
        The workspace, project id and asset id from the path.
        """
        return self.workspace, self.project_id, self.asset_id

    def index_ref(self) -> tuple[str, int, int, int]:
        """
        The asset's path parts plus the index id.
        """
        return (*self.asset_ref(), self.index_id)


Handler = Callable[[Call], JSON]


# --- routes -----------------------------------------------------------------


def _segments(path: str) -> tuple[str, ...]:
    return tuple(path.split("/"))


@attrs.frozen
class Route:
    """
    One endpoint.

    Attributes:
        method: The HTTP method.
        pattern: Path segments after ``/api/v1``, given as one string
            such as ``"workspaces/{ws}"``; ``{...}`` are parameters.
        handler: What answers it; its name is the route's action.
        legacy: Whether this is a ``video-assets`` alias.
        settles: Whether a pending Object Storage check of the asset in
            the path is settled first, so that polling one asset is
            prompt.

    """

    method: str
    pattern: tuple[str, ...] = attrs.field(converter=_segments)
    handler: Handler
    legacy: bool = False
    settles: bool = False

    @property
    def action(self) -> str:
        """
        The handler's name, shared by the legacy twin.
        """
        return self.handler.__name__

    @property
    def name(self) -> str:
        """
        The route's name in `Stats.by_route`.
        """
        return f"{self.action}_legacy" if self.legacy else self.action

    def bind(self, segments: list[str]) -> dict[str, str] | None:
        """
        Return the path parameters if decoded *segments* match, or None.
        """
        if len(self.pattern) != len(segments):
            return None
        params: dict[str, str] = {}
        for want, got in zip(self.pattern, segments, strict=True):
            if want.startswith("{"):
                if not got:
                    return None
                params[want[1:-1]] = got
            elif want != got:
                return None
        return params


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


#: The endpoint a request resolved to; absent for unknown routes.
MATCH = web.RequestKey("match", Match)


def is_api(raw_target: str) -> bool:
    """
    Tell whether a raw request target is under ``/api/v1``.
    """
    path = raw_target.partition("?")[0]
    return path == API_PREFIX or path.startswith(f"{API_PREFIX}/")
