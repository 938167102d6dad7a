"""
The error-code table and the three error body shapes.
"""

from __future__ import annotations

import pytest

from maiu_async import (
    APIStatusError,
    AuthenticationFailed,
    BadRequest,
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
)
from maiu_async._errorcodes import (
    TABLE,
    ParsedError,
    exception_class,
    parse_error_body,
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            {"code": "10001", "message": "Invalid Request."},
            ParsedError("service", "10001", "Invalid Request."),
            id="top-level",
        ),
        pytest.param(
            {"responseError": {"code": "10016", "message": "m"}},
            ParsedError("service", "10016", "m"),
            id="wrapped",
        ),
        pytest.param(
            {
                "error": {
                    "errorCode": 200,
                    "message": "Authentication Failed",
                    "details": None,
                }
            },
            ParsedError("gateway", "200", "Authentication Failed"),
            id="gateway-int-code",
        ),
        pytest.param(
            "<html>502</html>", ParsedError(None, None, None), id="html"
        ),
        pytest.param(None, ParsedError(None, None, None), id="empty"),
    ],
)
def test_shapes(body, expected):
    """All three documented or observed shapes are read; others are not."""
    assert expected == parse_error_body(body)


@pytest.mark.parametrize("row", TABLE, ids=lambda r: f"{r.source}-{r.code}")
def test_every_row_maps_to_its_class(row):
    """Every row of the table yields its declared exception class."""
    assert row.exception is exception_class(
        row.status, ParsedError(row.source, row.code, row.message)
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, BadRequest),
        (401, AuthenticationFailed),
        (403, PermissionDenied),
        (404, NotFound),
        (409, Conflict),
        (429, RateLimited),
        (500, ServerError),
        (502, ServerError),
        (504, ServerError),
        (418, APIStatusError),
    ],
)
def test_status_fallback(status, expected):
    """Without a known code, the HTTP status decides."""
    assert expected is exception_class(status, ParsedError(None, None, None))


def test_code_beats_status():
    """Gateway code 210 arrives as 401 but means permission denied."""
    assert PermissionDenied is exception_class(
        401, ParsedError("gateway", "210", "Permission Denied")
    )


def test_table_codes_unique():
    """No code appears twice within a source."""
    keys = [(r.source, r.code) for r in TABLE]
    assert len(keys) == len(set(keys))
