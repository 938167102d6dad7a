"""
Whether to try again, and how patiently.

- `verdict`: the one answer to "could the server have acted?".
- `RetryPolicy`: bounded attempts, exponential backoff with full jitter,
  capped; backoff is a pure function of the attempt number.

Both the client's retry loop and the bulk engine ask `verdict`; neither
keeps a table of its own.

`set_testing` (public as `maiu_async.testing.set_testing`) switches every
`RetryPolicy` to testing mode: no waiting, and at most a given number of
attempts.  Both retry loops read `RetryPolicy.attempts` and
`RetryPolicy.wait_for`, so the switch reaches them without either
knowing of it.

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
envelope (also a 2xx whose
``code`` is not ``"0"``)
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

from typing import TYPE_CHECKING, Final

import attrs

from .exceptions import (
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
)


if TYPE_CHECKING:
    from types import TracebackType


__all__ = [
    "IDEMPOTENT_METHODS",
    "RetryPolicy",
    "TestingMode",
    "Verdict",
    "is_testing",
    "may_retry",
    "set_testing",
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
    if isinstance(exc, APIStatusError) and exc.status < 400:
        # A 2xx whose envelope says "not 0": the server may have acted.
        return Verdict.AMBIGUOUS
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
    if isinstance(exc, APIStatusError) and exc.status < 400:
        # Processed and answered on purpose: asking again gets the same.
        return False
    return judged is Verdict.RETRY or (
        judged is Verdict.AMBIGUOUS and method in IDEMPOTENT_METHODS
    )


@attrs.define
class _Testing:
    on: bool = False
    attempts: int = 1


# The one switch every RetryPolicy reads, as stamina's CONFIG.testing.
_TESTING = _Testing()


class TestingMode:
    """
    What `set_testing` returns: a context manager that restores.

    Entering does nothing (the switch is already set); leaving puts back
    the state from before the `set_testing` call that returned it.
    """

    __test__ = False  # not a pytest test class
    __slots__ = ("_previous",)

    def __init__(self, previous: tuple[bool, int]) -> None:
        self._previous = previous

    def __repr__(self) -> str:
        on, attempts = self._previous
        return f"<TestingMode restores on={on} attempts={attempts}>"

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _TESTING.on, _TESTING.attempts = self._previous


def set_testing(on: bool = True, *, attempts: int = 1) -> TestingMode:  # noqa: FBT001, FBT002 -- stamina's signature
    """
    Switch testing mode on or off for every `RetryPolicy`.

    In testing mode a policy waits zero seconds between attempts (a
    server's ``Retry-After`` included) and allows at most *attempts*
    tries in all (``min`` of its own and *attempts*).

    Works as a plain call and as a context manager that restores the
    previous state::

        set_testing(True)          # from now on
        with set_testing(True, attempts=3):
            ...                    # only inside

    Args:
        on: Testing mode on (``True``) or off.
        attempts: Cap on the tries of every policy, the first included
            (1: no retries).

    Returns:
        A context manager restoring the state from before this call.

    Raises:
        UsageError: *attempts* is below 1.

    """
    if attempts < 1:
        raise UsageError(f"attempts must be at least 1, got {attempts!r}")
    previous = (_TESTING.on, _TESTING.attempts)
    _TESTING.on, _TESTING.attempts = bool(on), attempts
    return TestingMode(previous)


def is_testing() -> bool:
    """
    Whether testing mode is on (see `set_testing`).
    """
    return _TESTING.on


@attrs.frozen(kw_only=True, repr=False)
class RetryPolicy:
    """
    How often and how patiently to retry.

    In testing mode (`maiu_async.testing.set_testing`) every policy waits
    nothing and caps its attempts.

    Attributes:
        attempts: Tries in all, the first included (1 means no retry);
            in testing mode, at most the testing cap.
        initial: Backoff ceiling before the second try, in seconds.
        maximum: Cap of any single backoff, in seconds.
        multiplier: Growth of the ceiling per attempt.
        max_retry_after: Cap on a server's ``Retry-After``, in seconds.

    """

    # Stored privately so that `attempts` can read the testing switch.
    _attempts: int = attrs.field(
        default=4, alias="attempts", validator=attrs.validators.ge(1)
    )
    initial: float = attrs.field(default=0.1, validator=attrs.validators.ge(0))
    maximum: float = attrs.field(default=5.0, validator=attrs.validators.ge(0))
    multiplier: float = attrs.field(
        default=2.0, validator=attrs.validators.ge(1)
    )
    max_retry_after: float = attrs.field(
        default=60.0, validator=attrs.validators.ge(0)
    )

    def __repr__(self) -> str:
        return (
            f"RetryPolicy(attempts={self._attempts!r}, "
            f"initial={self.initial!r}, maximum={self.maximum!r}, "
            f"multiplier={self.multiplier!r}, "
            f"max_retry_after={self.max_retry_after!r})"
        )

    @property
    def attempts(self) -> int:
        """Tries in all, capped while testing mode is on."""
        if _TESTING.on:
            return min(self._attempts, _TESTING.attempts)
        return self._attempts

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """
        Seconds to wait after failed try number *attempt* (from 1).

        Full jitter: uniform between 0 and the capped exponential ceiling.
        A pure function of the attempt (and *rng*): testing mode does not
        change it; `wait_for` is what the retry loops ask.
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

        Always 0 in testing mode.
        """
        if _TESTING.on:
            return 0.0
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        return self.backoff(attempt, rng)


_RNG = random.Random()  # noqa: S311 -- jitter, not cryptography
