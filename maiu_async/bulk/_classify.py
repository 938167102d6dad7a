"""
What a failed registration request means for its key, and for the job.

Registration is a POST that the API does not deduplicate, so the one
question that matters is: *could the server have created the asset?*

=====================================  ============  =====================
failure                                verdict       why
=====================================  ============  =====================
connection refused / connect timeout   `RETRY`       never sent
(``request_sent`` is ``False``)
429 Rate Limited                       `RETRY`       refused at the gateway
503 Endpoint Error                     `RETRY`       the gateway could not
                                                     reach the backend
500, 502, 504, any other 5xx           `AMBIGUOUS`   the backend may have
                                                     acted before failing
timeout, reset or lost answer after    `AMBIGUOUS`   processed or not
sending (``request_sent`` is ``True``)
2xx whose body cannot be read          `AMBIGUOUS`   it probably worked
invalid key refused by the client      `SKIPPED`     never sent
400, 409 and other 4xx                 `FAILED`      final for this key
401, 403, 404 (workspace / project)    `SYSTEMIC`    no key can succeed
=====================================  ============  =====================

So the issue's "retry 502/504" happens, but only after reconciling: an
ambiguous key is looked up in the project's asset list and sent again
only if absent (see ``maiu_async.bulk._reconcile``).

Strictly private.
"""

from __future__ import annotations

import enum

from ..exceptions import (
    APIStatusError,
    AuthenticationFailed,
    CredentialsNotFound,
    MaiuError,
    NotFound,
    PermissionDenied,
    RateLimited,
    ResponseDecodeError,
    ServerError,
    TransportError,
    UsageError,
    ValidationError,
)


__all__ = ["Verdict", "classify"]

_SAFE_SERVER_STATUSES = frozenset({503})


class Verdict(enum.Enum):
    """
    What to do after a failed registration request.

    Strictly private.
    """

    RETRY = "retry"
    AMBIGUOUS = "ambiguous"
    FAILED = "failed"
    SKIPPED = "skipped"
    SYSTEMIC = "systemic"


def classify(exc: MaiuError) -> Verdict:  # noqa: PLR0911 -- one table
    """
    Map a registration failure to a `Verdict` (see the module table).

    Strictly private.
    """
    if isinstance(exc, TransportError):
        return Verdict.AMBIGUOUS if exc.request_sent else Verdict.RETRY
    if isinstance(exc, RateLimited):
        return Verdict.RETRY
    if isinstance(exc, ServerError):
        if exc.status in _SAFE_SERVER_STATUSES:
            return Verdict.RETRY
        return Verdict.AMBIGUOUS
    if isinstance(exc, (AuthenticationFailed, PermissionDenied, NotFound)):
        return Verdict.SYSTEMIC
    if isinstance(exc, APIStatusError):
        return Verdict.FAILED
    if isinstance(exc, ResponseDecodeError):
        return Verdict.AMBIGUOUS
    if isinstance(exc, ValidationError):
        return Verdict.SKIPPED
    if isinstance(exc, (UsageError, CredentialsNotFound)):
        return Verdict.SYSTEMIC
    return Verdict.FAILED
