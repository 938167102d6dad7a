"""
Whether to try again, and how patiently.

- `verdict`: the one answer to "could the server have acted?".
- `RetryPolicy`: bounded attempts, exponential backoff with full jitter,
  capped; backoff is a pure function of the attempt number.

Both the client's retry loop and the bulk engine ask `verdict`; neither
keeps a table of its own.

=========================  ===========  ==================================
failure                    verdict      why
=========================  ===========  ==================================
not sent (connect error,   `RETRY`      the server never saw it
connect timeout)
429                        `RETRY`      refused at the gateway
503                        `RETRY`      the gateway could not reach the
                                        backend
timeout, reset or lost     `AMBIGUOUS`  sent: the backend may have acted
answer after sending
500, 502, 504, other 5xx   `AMBIGUOUS`  the backend may have acted first
2xx that is not a success  `AMBIGUOUS`  it probably worked
envelope
401, 403, 404              `SYSTEMIC`   no request of the job can succeed
closed client, missing     `SYSTEMIC`   likewise
credentials
anything else (400, 409,   `FINAL`      this request will not succeed
other 4xx, bad input)
=========================  ===========  ==================================

An `AMBIGUOUS` failure may be sent again only when doing it twice does no
harm: `may_retry` allows it for idempotent methods, and the bulk engine,
whose POSTs are not, looks the key up instead (reconciling).

Strictly private.
"""

from __future__ import annotations

import enum
import random

from typing import Final

import attrs

from .exceptions import (
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
)


__all__ = [
    "IDEMPOTENT_METHODS",
    "RetryPolicy",
    "Verdict",
    "may_retry",
    "verdict",
]

#: Methods that change nothing more when sent twice.
IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "PATCH"})

#: 5xx statuses that certainly mean "not processed".
_NOT_PROCESSED_STATUSES: Final = frozenset({503})

_SYSTEMIC_TYPES: Final = (
    AuthenticationFailed,
    PermissionDenied,
    NotFound,
    UsageError,
    CredentialsNotFound,
)


class Verdict(enum.Enum):
    """
    What a failed request means (see the module's table).
    """

    #: Certainly not processed: safe to send again.
    RETRY = "retry"
    #: May have been processed: look before sending again.
    AMBIGUOUS = "ambiguous"
    #: Processed and refused, or refused before sending: do not repeat.
    FINAL = "final"
    #: No request like it can succeed: stop the whole job.
    SYSTEMIC = "systemic"


def verdict(exc: MaiuError) -> Verdict:  # noqa: PLR0911 -- one table
    """
    Judge a failure by the module's table.
    """
    if isinstance(exc, TransportError):
        return Verdict.AMBIGUOUS if exc.request_sent else Verdict.RETRY
    if isinstance(exc, RateLimited):
        return Verdict.RETRY
    if isinstance(exc, ServerError):
        if exc.status in _NOT_PROCESSED_STATUSES:
            return Verdict.RETRY
        return Verdict.AMBIGUOUS
    if isinstance(exc, ResponseDecodeError):
        return Verdict.AMBIGUOUS
    if isinstance(exc, _SYSTEMIC_TYPES):
        return Verdict.SYSTEMIC
    return Verdict.FINAL


def may_retry(method: str, exc: MaiuError) -> bool:
    """
    Whether sending *method* again after *exc* can do no harm.
    """
    judged = verdict(exc)
    return judged is Verdict.RETRY or (
        judged is Verdict.AMBIGUOUS and method in IDEMPOTENT_METHODS
    )


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """
    How often and how patiently to retry.

    Attributes:
        attempts: Tries in all, the first included (1 means no retry).
        initial: Backoff ceiling before the second try, in seconds.
        maximum: Cap of any single backoff, in seconds.
        multiplier: Growth of the ceiling per attempt.
        max_retry_after: Cap on a server's ``Retry-After``, in seconds.

    """

    attempts: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    initial: float = attrs.field(default=0.1, validator=attrs.validators.ge(0))
    maximum: float = attrs.field(default=5.0, validator=attrs.validators.ge(0))
    multiplier: float = attrs.field(
        default=2.0, validator=attrs.validators.ge(1)
    )
    max_retry_after: float = attrs.field(
        default=60.0, validator=attrs.validators.ge(0)
    )

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """
        Seconds to wait after failed try number *attempt* (from 1).

        Full jitter: uniform between 0 and the capped exponential ceiling.
        """
        ceiling = min(
            self.maximum, self.initial * self.multiplier ** (attempt - 1)
        )
        return (rng or _RNG).uniform(0, ceiling)

    def wait_for(
        self,
        attempt: int,
        retry_after: float | None,
        rng: random.Random | None = None,
    ) -> float:
        """
        Seconds to wait, honouring a server's ``Retry-After`` when given.
        """
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        return self.backoff(attempt, rng)


_RNG = random.Random()  # noqa: S311 -- jitter, not cryptography
