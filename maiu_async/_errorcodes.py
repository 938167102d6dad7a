"""
The one table of API error codes, read by the client and the emulator.

Only four service codes are documented (0, 10001, 10014, 10016); the
service's table is cut off in every copy of the docs.
Every other service code below is **our choice** ([?]), used by the
bundled emulator and recognised by the client; correct it here when the
real table is known.
Gateway codes come from the NCP API Gateway pages ([D]) or from public
clients ([3P]) and recollection ([I]).

Error bodies come in three shapes, all accepted by `parse_error_body`:

- service, top level: ``{"code": "10001", "message": "Invalid Request."}``
- service, wrapped: ``{"responseError": {"code": ..., "message": ...}}``
- gateway: ``{"error": {"errorCode": "200", "message": ..., "details": ...}}``

Strictly private.
"""

from __future__ import annotations

from typing import Any, Literal

import attrs

from .exceptions import (
    APIStatusError,
    AuthenticationFailed,
    BadRequest,
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
)


__all__ = [
    "ErrorCode",
    "ParsedError",
    "exception_class",
    "parse_error_body",
]

Source = Literal["service", "gateway"]


@attrs.frozen
class ErrorCode:
    """
    One row of the table.

    Strictly private.
    """

    code: str
    status: int
    message: str
    source: Source
    evidence: str
    exception: type[APIStatusError]


def _service(
    code: str, status: int, message: str, evidence: str, exc: type
) -> ErrorCode:
    return ErrorCode(code, status, message, "service", evidence, exc)


def _gateway(
    code: str, status: int, message: str, evidence: str, exc: type
) -> ErrorCode:
    return ErrorCode(code, status, message, "gateway", evidence, exc)


# --- Media Intelligence service codes -----------------------------------
INVALID_REQUEST = _service("10001", 400, "Invalid Request.", "D", BadRequest)
NO_ASSET_SELECTED = _service(
    "10014", 400, "Select the asset you want to analyze.", "D", BadRequest
)
FOLDER_NOT_ALLOWED = _service(
    "10016",
    400,
    "Select the bucket to integrate (folder selection not available).",
    "D",
    BadRequest,
)
# [?] ours: the documented table stops after 10016.
WORKSPACE_NOT_FOUND = _service(
    "10100", 404, "Workspace not found.", "?", NotFound
)
PROJECT_NOT_FOUND = _service("10101", 404, "Project not found.", "?", NotFound)
ASSET_NOT_FOUND = _service("10102", 404, "Asset not found.", "?", NotFound)
WORKSPACE_EXISTS = _service(
    "10200", 409, "Workspace name already exists.", "?", Conflict
)
PROJECT_NAME_EXISTS = _service(
    "10201",
    409,
    "Project name already exists in the workspace.",
    "?",
    Conflict,
)
PROJECT_LIMIT = _service(
    "10300", 400, "Project limit per workspace exceeded.", "?", BadRequest
)
WORKSPACE_LIMIT = _service(
    "10301", 400, "Workspace limit per account exceeded.", "?", BadRequest
)
BASE_PROJECT_IMMUTABLE = _service(
    "10400",
    400,
    "The base project cannot be edited or deleted.",
    "?",
    BadRequest,
)

# --- NCP API Gateway codes ----------------------------------------------
GW_BAD_REQUEST = _gateway("100", 400, "Bad Request Exception", "D", BadRequest)
GW_AUTH_FAILED = _gateway(
    "200", 401, "Authentication Failed", "D", AuthenticationFailed
)
GW_PERMISSION_DENIED = _gateway(
    "210", 401, "Permission Denied", "D", PermissionDenied
)
GW_FORBIDDEN = _gateway("230", 403, "Forbidden", "D", PermissionDenied)
GW_NOT_FOUND = _gateway("300", 404, "Not Found Exception", "D", NotFound)
GW_QUOTA_EXCEEDED = _gateway("400", 429, "Quota Exceeded", "D", RateLimited)
GW_THROTTLE_LIMITED = _gateway(
    "410", 429, "Throttle Limited", "3P", RateLimited
)
GW_RATE_LIMITED = _gateway("420", 429, "Rate Limited", "I", RateLimited)
GW_TOO_LARGE = _gateway(
    "430", 413, "Request Entity Too Large", "I", APIStatusError
)
GW_ENDPOINT_ERROR = _gateway("500", 503, "Endpoint Error", "I", ServerError)
GW_ENDPOINT_TIMEOUT = _gateway(
    "510", 504, "Endpoint Timeout", "I", ServerError
)
GW_UNEXPECTED = _gateway("900", 500, "Unexpected Error", "I", ServerError)

TABLE: tuple[ErrorCode, ...] = tuple(
    v for v in globals().values() if isinstance(v, ErrorCode)
)
_BY_KEY = {(row.source, row.code): row for row in TABLE}

_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequest,
    401: AuthenticationFailed,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    429: RateLimited,
}


@attrs.frozen
class ParsedError:
    """
    What an error body said.

    Strictly private.
    """

    source: Source | None
    code: str | None
    message: str | None


def lookup(source: Source | None, code: str | None) -> ErrorCode | None:
    """
    Find a row of the table.

    Strictly private.
    """
    if source is None or code is None:
        return None
    return _BY_KEY.get((source, code))


def parse_error_body(body: Any) -> ParsedError:  # noqa: ANN401 -- any JSON
    """
    Read the code and message out of any of the three error shapes.

    Strictly private.
    """
    if isinstance(body, dict):
        gateway = body.get("error")
        if isinstance(gateway, dict):
            return ParsedError(
                "gateway",
                _text(gateway.get("errorCode")),
                _text(gateway.get("message")),
            )
        wrapped = body.get("responseError")
        inner = wrapped if isinstance(wrapped, dict) else body
        code = _text(inner.get("code"))
        if code is not None:
            return ParsedError("service", code, _text(inner.get("message")))
    return ParsedError(None, None, None)


def exception_class(status: int, parsed: ParsedError) -> type[APIStatusError]:
    """
    Choose the exception class for an error answer.

    429 and 5xx decide by status alone, since retry logic keys on them;
    otherwise a known code decides, then the status.

    Strictly private.
    """
    if status == 429:
        return RateLimited
    if status >= 500:
        return ServerError
    row = lookup(parsed.source, parsed.code)
    if row is not None:
        return row.exception
    return _BY_STATUS.get(status, APIStatusError)


def _text(value: object) -> str | None:
    if value is None:
        return None
    return str(value)
