"""
Tests for what a failed registration means: the ambiguity table.
"""

from __future__ import annotations

import pytest

from maiu_async.bulk._classify import Verdict, classify
from maiu_async.exceptions import (
    AuthenticationFailed,
    BadRequest,
    Conflict,
    ConnectError,
    ConnectionLost,
    NotFound,
    PermissionDenied,
    RateLimited,
    RequestTimeout,
    ResponseDecodeError,
    ServerError,
    UsageError,
    ValidationError,
)


URL = "http://127.0.0.1:1/api/v1/workspaces/w/projects/1/assets"


def status(cls, code, **kw):
    """An API error with status *code*."""
    return cls(
        status=code,
        api_code=None,
        api_message=None,
        method="POST",
        url=URL,
        **kw,
    )


@pytest.mark.parametrize(
    ("exc", "verdict"),
    [
        pytest.param(
            ConnectError("refused", method="POST", url=URL),
            Verdict.RETRY,
            id="connect-not-sent",
        ),
        pytest.param(
            RequestTimeout(
                "connect", method="POST", url=URL, request_sent=False
            ),
            Verdict.RETRY,
            id="connect-timeout",
        ),
        pytest.param(
            RequestTimeout("read", method="POST", url=URL, request_sent=True),
            Verdict.AMBIGUOUS,
            id="read-timeout",
        ),
        pytest.param(
            ConnectionLost("reset", method="POST", url=URL),
            Verdict.AMBIGUOUS,
            id="reset-after-sending",
        ),
        pytest.param(
            status(RateLimited, 429, retry_after=1.0),
            Verdict.RETRY,
            id="429",
        ),
        pytest.param(status(ServerError, 503), Verdict.RETRY, id="503"),
        pytest.param(status(ServerError, 500), Verdict.AMBIGUOUS, id="500"),
        pytest.param(status(ServerError, 502), Verdict.AMBIGUOUS, id="502"),
        pytest.param(status(ServerError, 504), Verdict.AMBIGUOUS, id="504"),
        pytest.param(
            ResponseDecodeError("garbled", method="POST", url=URL),
            Verdict.AMBIGUOUS,
            id="unreadable-2xx",
        ),
        pytest.param(status(BadRequest, 400), Verdict.FAILED, id="400"),
        pytest.param(status(Conflict, 409), Verdict.FAILED, id="409"),
        pytest.param(
            ValidationError(field="key", value="", reason="empty"),
            Verdict.SKIPPED,
            id="validation",
        ),
        pytest.param(
            status(AuthenticationFailed, 401), Verdict.SYSTEMIC, id="401"
        ),
        pytest.param(
            status(PermissionDenied, 403), Verdict.SYSTEMIC, id="403"
        ),
        pytest.param(status(NotFound, 404), Verdict.SYSTEMIC, id="404"),
        pytest.param(UsageError("closed"), Verdict.SYSTEMIC, id="closed"),
    ],
)
def test_verdicts(exc, verdict):
    """Each failure maps to the verdict the module's table gives."""
    assert verdict == classify(exc)
