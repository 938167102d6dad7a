"""
The service's refusals: `ServiceError`, and the input checks raising it.

Each check returns the cleaned value or raises `ServiceError` with
code 10001 ("Invalid Request."), like the service's validation.
Handlers and the seeding helpers of `EmulatorState` share them.

Strictly private.
"""

from __future__ import annotations

import json
import re

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from maiu_async import _errorcodes as codes
from maiu_async import limits


if TYPE_CHECKING:
    from collections.abc import Mapping

    from maiu_async._errorcodes import ErrorCode


__all__ = [
    "ServiceError",
    "choice",
    "id_list",
    "integer",
    "integer_in",
    "json_object",
    "optional_bool",
    "optional_object",
    "optional_text",
    "page",
    "person_description",
    "person_name",
    "project_name",
    "query_ids",
    "required_text",
    "text",
    "thumbnails",
    "time",
    "workspace_name",
]

# Ids are decimal digits only: no sign, no spaces, no exponent.
# Eighteen digits keep them inside a signed 64-bit integer.
_ID = re.compile(r"[0-9]{1,18}")


class ServiceError(Exception):
    """
    A request the service refuses with one row of the error table.

    The dispatcher turns it into an error body; the seeding helpers of
    `EmulatorState` let it propagate to the test that called them.

    Attributes:
        row: The error table row (status, code, message).
        detail: Why, for people reading a test failure; never sent.

    """

    def __init__(self, row: ErrorCode, detail: str) -> None:
        super().__init__(f"{row.code} {row.message} ({detail})")
        self.row = row
        self.detail = detail


def _invalid(detail: str) -> ServiceError:
    return ServiceError(codes.INVALID_REQUEST, detail)


def integer(text: str | None, what: str) -> int:
    """
    Parse an id or a number from a path segment or query value.
    """
    if text is None or _ID.fullmatch(text) is None:
        raise _invalid(f"{what} must be a non-negative integer")
    return int(text)


def page(
    query: Mapping[str, str],
    *,
    max_size: int = limits.ASSET_PAGE_SIZE_MAX,
    default_size: int | None = None,
    page_required: bool = True,
) -> tuple[int, int]:
    """
    Read ``pageNum`` (>= 1) and ``pageSize`` (1 to *max_size*).

    ``pageNum`` defaults to 1 unless *page_required*; ``pageSize`` to
    *default_size*, or else *max_size*.
    """
    raw_num = query.get("pageNum")
    if raw_num is None and not page_required:
        page_num = 1
    else:
        page_num = integer(raw_num, "pageNum")
    if page_num < 1:
        raise _invalid("pageNum must be at least 1")
    raw_size = query.get("pageSize")
    if raw_size is None:
        return page_num, max_size if default_size is None else default_size
    page_size = integer(raw_size, "pageSize")
    if not 1 <= page_size <= max_size:
        raise _invalid(f"pageSize must be between 1 and {max_size}")
    return page_num, page_size


def query_ids(text: str | None, what: str) -> tuple[int, ...]:
    """
    Parse comma-separated ids from a query value; ``None`` gives none.
    """
    if text is None:
        return ()
    return tuple(integer(part.strip(), what) for part in text.split(","))


def json_object(body: bytes) -> dict[str, object]:
    """
    Decode a request body that must be a JSON object.
    """
    try:
        decoded = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise _invalid("the body is not JSON") from None
    if not isinstance(decoded, dict):
        raise _invalid("the body is not a JSON object")
    return decoded


def required_text(body: Mapping[str, object], field: str) -> str:
    """
    Read a required, non-empty string field.
    """
    value = body.get(field)
    if not isinstance(value, str) or not value:
        raise _invalid(f"{field} must be a non-empty string")
    return value


def optional_text(body: Mapping[str, object], field: str) -> str | None:
    """
    Read an optional string field; an empty string counts as absent.
    """
    value = body.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _invalid(f"{field} must be a string")
    return value


def workspace_name(value: object) -> str:
    """
    Check a new workspace's name: 3 to 63 characters of ``[a-z0-9-]``.
    """
    if (
        not isinstance(value, str)
        or not limits.WORKSPACE_NAME_MIN_LENGTH
        <= len(value)
        <= limits.WORKSPACE_NAME_MAX_LENGTH
        or limits.WORKSPACE_NAME_PATTERN.fullmatch(value) is None
    ):
        raise _invalid(f"invalid workspace name {value!r}")
    return value


def project_name(value: object) -> str:
    """
    Check a project name: 1 to 100 characters, none of ``;``, ``|``, `` ` ``.
    """
    if (
        not isinstance(value, str)
        or not 1 <= len(value) <= limits.PROJECT_NAME_MAX_LENGTH
        or not limits.PROJECT_NAME_FORBIDDEN.isdisjoint(value)
    ):
        raise _invalid(f"invalid project name {value!r}")
    return value


def person_name(value: object) -> str:
    """
    Check a person's name: not blank, and not too long.
    """
    return text(
        value,
        "person name",
        max_len=limits.PERSON_NAME_MAX_LENGTH,
        not_blank=True,
    )


def person_description(value: object) -> str:
    """
    Check a person's description: not empty, and not too long.
    """
    return text(
        value, "description", max_len=limits.PERSON_DESCRIPTION_MAX_LENGTH
    )


def thumbnails(value: object) -> list[tuple[str, bool]]:
    """
    Check a ``thumbnails`` array, giving ``(key, primary)`` pairs.
    """
    if not isinstance(value, list):
        raise _invalid("thumbnails must be an array")
    items = []
    for item in value:
        if not isinstance(item, dict):
            raise _invalid("each thumbnail must be an object")
        key = text(
            item.get("thumbnailKey"),
            "thumbnailKey",
            max_len=limits.OBJECT_KEY_MAX_BYTES,
            not_blank=True,
        )
        primary = optional_bool(item, "isPrimaryThumbnail")
        items.append((key, bool(primary)))
    return items


def integer_in(value: object, what: str, lo: int, hi: int) -> int:
    """
    Check a JSON integer (not a boolean) from *lo* to *hi*.
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not lo <= value <= hi
    ):
        raise _invalid(f"{what} must be an integer from {lo} to {hi}")
    return value


def choice(value: object, what: str, choices: tuple[str, ...]) -> str:
    """
    Check that *value* is one of *choices*.
    """
    if not isinstance(value, str) or value not in choices:
        raise _invalid(f"{what} must be one of {', '.join(choices)}")
    return value


def optional_bool(body: Mapping[str, object], field: str) -> bool | None:
    """
    Read an optional boolean field.
    """
    value = body.get(field)
    if value is not None and not isinstance(value, bool):
        raise _invalid(f"{field} must be true or false")
    return value


def optional_object(
    body: Mapping[str, object], field: str
) -> Mapping[str, object]:
    """
    Read an optional JSON object field; absent gives an empty one.
    """
    value = body.get(field)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _invalid(f"{field} must be an object")
    return value


def id_list(
    value: object,
    what: str,
    *,
    min_len: int = 0,
    max_len: int | None = None,
) -> tuple[int, ...]:
    """
    Check a JSON array of ids: integers or digit strings.

    Typed ``Array<String>`` in the docs, integers in their examples.
    """
    if not isinstance(value, list):
        raise _invalid(f"{what} must be an array")
    if len(value) < min_len or (max_len is not None and len(value) > max_len):
        most = "" if max_len is None else f" to {max_len}"
        raise _invalid(f"{what} must hold {min_len}{most} ids")
    ids = []
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool) and item > 0:
            ids.append(item)
        elif isinstance(item, str):
            ids.append(integer(item, what))
        else:
            raise _invalid(f"{what} must hold positive integers")
    return tuple(ids)


def text(  # noqa: PLR0913 -- the rule's parts, keyword-only
    value: object,
    what: str,
    *,
    max_len: int,
    min_len: int = 1,
    forbidden: frozenset[str] = frozenset(),
    not_blank: bool = False,
) -> str:
    """
    Check a string: its length, blankness and forbidden characters.
    """
    if (
        not isinstance(value, str)
        or not min_len <= len(value) <= max_len
        or (not_blank and not value.strip())
        or not forbidden.isdisjoint(value)
    ):
        raise _invalid(f"invalid {what} {value!r}")
    return value


def time(value: object, what: str) -> datetime:
    """
    Parse an ISO 8601 time as the API writes it (no zone).
    """
    if not isinstance(value, str):
        raise _invalid(f"{what} must be an ISO 8601 time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _invalid(f"{what} must be an ISO 8601 time") from None
    # The API's times carry no zone; compare aware ones as UTC.
    return (
        parsed.replace(tzinfo=None)
        if parsed.tzinfo is None
        else (parsed.astimezone(UTC).replace(tzinfo=None))
    )
