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

from . import limits
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
    "CLOCK_WORDS",
    "ErrorCode",
    "ParsedError",
    "blames_clock",
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
# [?] ours, for the analysis, index, scene-summary, search and person
# endpoints: unknown ids are 404 (10103-10107), duplicate names 409
# (10202-10203), and a request the resource's state forbids is 400
# (10401, 10500-10506), like the base project's 10400.
INDEX_NOT_FOUND = _service("10103", 404, "Index not found.", "?", NotFound)
SCENE_SUMMARY_NOT_FOUND = _service(
    "10104", 404, "Scene summary not found.", "?", NotFound
)
SEARCH_NOT_FOUND = _service("10105", 404, "Search not found.", "?", NotFound)
PERSON_NOT_FOUND = _service("10106", 404, "Person not found.", "?", NotFound)
PERSON_TAG_NOT_FOUND = _service(
    "10107", 404, "Person tag not found.", "?", NotFound
)
PERSON_NAME_EXISTS = _service(
    "10202", 409, "Person name already exists in the workspace.", "?", Conflict
)
PERSON_TAG_NAME_EXISTS = _service(
    "10203",
    409,
    "Person tag name already exists in the workspace.",
    "?",
    Conflict,
)
WORKSPACE_BUSY = _service(
    "10401",
    400,
    "A workspace with analyses in progress cannot be deleted.",
    "?",
    BadRequest,
)
ANALYSIS_IN_PROGRESS = _service(
    "10500", 400, "The asset is already being analyzed.", "?", BadRequest
)
ANALYSIS_NOT_CANCELABLE = _service(
    "10501",
    400,
    "Only a waiting or running analysis can be canceled.",
    "?",
    BadRequest,
)
SCENE_SUMMARY_IN_PROGRESS = _service(
    "10502",
    400,
    "A scene summary of the index is in progress.",
    "?",
    BadRequest,
)
SCENE_SUMMARY_NOT_COMPLETED = _service(
    "10503",
    400,
    "The scene summary is not completed.",
    "?",
    BadRequest,
)
SCENE_SUMMARY_NOT_CANCELABLE = _service(
    "10504",
    400,
    "Only a waiting or running scene summary can be canceled.",
    "?",
    BadRequest,
)
SCENE_SUMMARY_FIRST_RUN_PARTIAL = _service(
    "10505",
    400,
    "The first scene summary of an index must cover every scene.",
    "?",
    BadRequest,
)
SEARCH_IMAGE_NOT_UPLOADED = _service(
    "10506",
    400,
    "The search image has not been uploaded.",
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
    details: str | None = None


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
                _text(gateway.get("details")),
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


#: [?] Words by which a 401's message or details blame the request's
#: timestamp.  The gateway's real ``details`` texts are unknown (the spec's
#: open question 12); the emulator says "Timestamp is too far from the
#: server clock".  A ``Date`` header more than
#: `limits.SIGNATURE_MAX_SKEW_SECONDS` off this machine's clock blames it
#: too, whatever the text.
CLOCK_WORDS = ("timestamp", "clock", "skew")


def blames_clock(parsed: ParsedError, skew: float | None) -> bool:
    """
    Say whether a 401 is about the request's timestamp (the clock).

    *skew* is this machine's clock minus the server's, in seconds, from
    the answer's ``Date`` header, or ``None``.

    Strictly private.
    """
    if skew is not None and abs(skew) > limits.SIGNATURE_MAX_SKEW_SECONDS:
        return True
    said = " ".join(t for t in (parsed.message, parsed.details) if t).lower()
    return any(word in said for word in CLOCK_WORDS)


def _text(value: object) -> str | None:
    if value is None:
        return None
    return str(value)
