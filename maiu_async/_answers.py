"""
What an answer means: a success envelope, or the exception it stands for.

The client sends; this module reads what came back.  Which error code
maps to which class is `maiu_async._errorcodes`'s table.

Strictly private.
"""

from __future__ import annotations

import json

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from ._errorcodes import blames_clock, exception_class, parse_error_body
from .exceptions import (
    APIStatusError,
    AuthenticationFailed,
    RateLimited,
    ResponseDecodeError,
)


if TYPE_CHECKING:
    from collections.abc import Callable

    from ._transport import RawResponse


__all__ = ["parse_retry_after", "read_answer"]

_ERROR_BODY_PREVIEW = 2000
# The decoder's C scanner, without `JSONDecoder.decode`'s two Python
# frames and two regular-expression matches for whitespace.
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_JSON_SPACE = " \t\n\r"


def read_answer(raw: RawResponse, method: str, url: str) -> dict[str, Any]:
    """
    Return the success envelope of *raw*, or raise what it means.

    Raises:
        APIStatusError: An error answer (a subclass by status and code),
            including HTTP 2xx with a non-zero ``code``.
        ResponseDecodeError: A 2xx (or 3xx) that is not an API envelope.

    """
    body = raw.body
    try:
        if body[:1] == b"{" and body[1:2] != b"\0":
            # What json.loads would detect (UTF-8), without detecting it.
            decoded: Any = _decode_object(
                body.decode("utf-8", "surrogatepass")
            )
        else:
            decoded = json.loads(body) if body else None
    except (ValueError, RecursionError):
        # RecursionError: JSON nested too deep ("[[[[..."), which no API
        # answer is; the body is then shown as text.
        decoded = None
    if raw.status < 400 and isinstance(decoded, dict):
        if str(decoded.get("code")) == "0":
            return decoded
        if "code" in decoded:
            raise _error(method, url, raw, decoded)
    if raw.status < 400:
        raise ResponseDecodeError(
            f"HTTP {raw.status} answer is not an API envelope: "
            f"{_preview(raw.body)!r}",
            method=method,
            url=url,
        )
    raise _error(method, url, raw, decoded)


def _decode_object(text: str) -> Any:  # noqa: ANN401 -- any JSON
    # What json.loads does with *text*, which starts with "{".
    try:
        decoded, end = _SCAN(text, 0)
    except StopIteration as exc:  # pragma: no cover -- starts with "{"
        raise ValueError("not JSON") from exc
    if end != len(text) and text[end:].strip(_JSON_SPACE):
        raise ValueError("extra data after the JSON value")
    return decoded


def _error(
    method: str,
    url: str,
    raw: RawResponse,
    decoded: Any,  # noqa: ANN401 -- any JSON
) -> APIStatusError:
    parsed = parse_error_body(decoded)
    cls = exception_class(raw.status, parsed)
    kwargs: dict[str, Any] = {
        "status": raw.status,
        "api_code": parsed.code,
        "api_message": parsed.message,
        "api_details": parsed.details,
        "method": method,
        "url": url,
        "body": decoded if decoded is not None else _preview(raw.body),
        "request_id": raw.request_id,
    }
    if cls is RateLimited:
        return RateLimited(
            retry_after=parse_retry_after(raw.retry_after), **kwargs
        )
    if cls is AuthenticationFailed:
        skew = _clock_skew(raw.date)
        return AuthenticationFailed(
            blames_clock=blames_clock(parsed, skew), clock_skew=skew, **kwargs
        )
    return cls(**kwargs)


def _clock_skew(date: str | None) -> float | None:
    # This machine's clock minus the server's, to the second.
    if date is None:
        return None
    try:
        when = parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (datetime.now(UTC) - when).total_seconds()


def parse_retry_after(value: str | None) -> float | None:
    """
    Read a ``Retry-After`` header: seconds (fractions allowed) or a date.

    Strictly private.
    """
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:  # "-0000": UTC, zone unknown (RFC 5322)
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if seconds != seconds:  # NaN  # noqa: PLR0124
        return None
    return max(0.0, seconds)


def _preview(body: bytes) -> str:
    return body[:_ERROR_BODY_PREVIEW].decode("utf-8", "replace")
