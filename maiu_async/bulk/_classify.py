"""
What a failed registration request means for its key, and for the job.

Registration is a POST that the API does not deduplicate, so the one
question that matters is: *could the server have created the asset?*

- `RETRY` (certainly not processed, safe to send again): the connection
  was refused or timed out while connecting (``request_sent`` is
  ``False``); 429 (refused at the gateway); 503 (the gateway could not
  reach the backend).
- `AMBIGUOUS` (may have been processed): 500, 502, 504 and any other
  5xx (the backend may have acted before failing); a timeout, reset or
  lost answer after sending (``request_sent`` is ``True``); a 2xx whose
  body cannot be read (it probably worked).
- `SKIPPED`: the client refused the key before sending it.
- `FAILED` (final for this key): 400, 409 and any other 4xx.
- `SYSTEMIC` (no key can succeed, the job stops): 401, 403, 404 (no
  such workspace or project), a closed client, missing credentials.

So 500/502/504 are retried, but only after reconciling: an ambiguous key
is looked up in the project's asset list and sent again only if absent
(see ``maiu_async.bulk._reconcile``).

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
