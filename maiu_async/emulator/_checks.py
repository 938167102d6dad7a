"""
Input checks shared by the handlers and the seeding helpers.

Each check returns the cleaned value or raises `ServiceError` with
code 10001 ("Invalid Request."), like the service's validation.

Strictly private.
"""

from __future__ import annotations

import json
import re

from typing import TYPE_CHECKING

from maiu_async import _errorcodes as codes
from maiu_async import limits

from ._errors import ServiceError


if TYPE_CHECKING:
    from collections.abc import Mapping


__all__ = [
    "integer",
    "json_object",
    "optional_text",
    "page",
    "project_name",
    "required_text",
    "workspace_name",
]

# Ids are decimal digits only: no sign, no spaces, no exponent.
# Eighteen digits keep them inside a signed 64-bit integer.
_ID = re.compile(r"[0-9]{1,18}")


def _invalid(detail: str) -> ServiceError:
    return ServiceError(codes.INVALID_REQUEST, detail)


def integer(text: str | None, what: str) -> int:
    """
    Parse an id or a number from a path segment or query value.
    """
    if text is None or _ID.fullmatch(text) is None:
        raise _invalid(f"{what} must be a non-negative integer")
    return int(text)


def page(query: Mapping[str, str]) -> tuple[int, int]:
    """
    Read ``pageNum`` (required, >= 1) and ``pageSize`` (1 to 1000).
    """
    page_num = integer(query.get("pageNum"), "pageNum")
    if page_num < 1:
        raise _invalid("pageNum must be at least 1")
    raw_size = query.get("pageSize")
    if raw_size is None:
        return page_num, limits.ASSET_PAGE_SIZE_MAX
    page_size = integer(raw_size, "pageSize")
    if not 1 <= page_size <= limits.ASSET_PAGE_SIZE_MAX:
        raise _invalid(
            f"pageSize must be between 1 and {limits.ASSET_PAGE_SIZE_MAX}"
        )
    return page_num, page_size


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
